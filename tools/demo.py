#!/usr/bin/env python3
"""`make demo`: our server runs ON a (virtual) ESP32 board, our client reaches it.

    .venv/bin/python tools/demo.py                         # a virtual ESP32 (tools/vboard.py)
    MHTTP_DEVICE=/dev/ttyUSB0 .venv/bin/python tools/demo.py   # a real board instead

What happens, step by step (everything is printed, with timings):

1. Board.  Without MHTTP_DEVICE a virtual ESP32 is started: the MicroPython unix port on a
   pseudo-terminal with the ESP32_GENERIC profile's heap (x the vboard heap scale: same
   number of GC blocks on a 64-bit build) and the firmware's module set
   (tools/vboard.py).  With MHTTP_DEVICE the real board on that serial port is used and
   nothing else changes.  The board's sys.platform picks the profile (esp32, rp2).
2. Deploy, as a user would: tools/bundle.py compiles lib/mhttp and the board's port glue
   to .mpy (in a temporary directory), and `mpremote connect DEV resume fs cp` copies them
   to the board's /lib; the server script (BOARD_SERVER below) goes to /demo_server.py.
   On the virtual board /wifi.json names the simulated access point.  On a real board
   the board's own /wifi.json is used, or MHTTP_WIFI_SSID / MHTTP_WIFI_PASSWORD (when
   set) are written to /wifi.json first; a board already associated is used as is.
3. Start: `mpremote connect DEV resume exec "import demo_server; demo_server.main(...)"`.
   The board brings its network up (mhttp's _mhttp_port.wifi_connect), listens with
   mhttp.server and the handlers of `mhttp serve` (/ /echo /ws) plus /heap (gc figures,
   JSON) and /stop (graceful close), and prints its address.  The host reads it from the
   board's console.  A board without network: a clear message, exit 1.
4. Client (CPython, our own mhttp client): HTTP/1.1 (GET /, POST /echo small and 4 KiB
   with Expect: 100-continue, keep-alive: every request on one pooled connection),
   HTTP/2 prior knowledge (h2c: concurrent streams on one connection), WebSocket /ws
   (text and binary echo, clean close).  Between protocols the client closes the
   connections it is done with.  The board's heap is read before and after (GET /heap
   once the board holds no connection but that one: the difference is what the
   exchanges loaded for good, not the client's idle connections).
5. Stop: GET /stop, the server closes, the script returns, mpremote exits; the virtual
   board is shut down (its interpreter process killed, its pty closed).

Exit status 0 only if every step passed.  The whole run is bounded (DEADLINE seconds, or
DEADLINE_REAL with a real board; each network step has its own timeout).  Environment: MHTTP_DEVICE (serial port of a real
board), MHTTP_DEMO_PORT (server port on a real board, default 8080), MHTTP_WIFI_SSID /
MHTTP_WIFI_PASSWORD, MHTTP_VBOARD_HEAP_SCALE (virtual heap scale, see tools/vboard.py);
MHTTP_DEMO_NO_WIFI=1 leaves /wifi.json off the virtual board (tests the no-network path).
"""
import asyncio
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bundle  # noqa: E402
import vboard  # noqa: E402

DEADLINE = 55          # seconds for the whole demo (the hard stop; normal runs take ~10 s)
DEADLINE_REAL = 300    # with a real board: copying the bundle over a serial port is slow
STEP_TIMEOUT = 10      # seconds per client request / websocket operation
START_TIMEOUT = 30     # seconds for the board to join its network and listen

# The server script the demo puts on the board (/demo_server.py).  Portable MicroPython:
# it is exactly what a user would run on an ESP32 with the mhttp bundle in /lib.
BOARD_SERVER = r'''# mhttp demo server, run ON the board (put there by tools/demo.py):
#   import demo_server; demo_server.main(port=8080)
# Routes: those of `mhttp serve` (/ /echo /ws, mhttp.cli_serve.handler) plus
#   /heap  {"free": gc.mem_free(), "alloc": gc.mem_alloc(), "conns": N} after gc.collect()
#          (N: connections open on the server, this one included)
#   /stop  answers, then closes the server gracefully: main() returns.
# Console lines the host reads: DEMO-HEAP, DEMO-NETWORK / DEMO-NO-NETWORK, DEMO-LISTENING,
# DEMO-STOPPED.
import gc
import sys


def heap(tag):
    gc.collect()
    print("DEMO-HEAP %s free=%d alloc=%d" % (tag, gc.mem_free(), gc.mem_alloc()))


def network_up():
    # The board's address: its station interface if already associated, else join the
    # access point of /wifi.json (mhttp's port glue).  (None, why) when there is none.
    try:
        import network
    except ImportError:
        return None, "this firmware has no network module"
    wlan = network.WLAN(network.STA_IF)
    if wlan.active() and wlan.isconnected():
        return wlan.ifconfig()[0], "already associated"
    import _mhttp_port
    if not hasattr(_mhttp_port, "wifi_connect"):
        return None, "port glue %s has no wifi_connect" % _mhttp_port.NAME
    try:
        ip = _mhttp_port.wifi_connect(timeout=20)
    except Exception as e:
        return None, "Wi-Fi failed: %s: %s" % (type(e).__name__, e)
    return ip, "joined Wi-Fi (/wifi.json)"


def main(port=8080, host=None, preload=()):
    # preload: modules of the protocol this run serves (mhttp.h2_connection,
    # mhttp.websocket), imported first, on the unfragmented heap, as a board app would.
    heap("boot")
    ip, how = network_up()
    if ip is None:
        print("DEMO-NO-NETWORK %s" % how)
        return
    print("DEMO-NETWORK %s %s" % (ip, how))
    for m in preload:
        try:
            __import__(m)
            if m == "mhttp.h2_connection":
                # HPACK builds its Huffman code table (one 4 KiB block) on first use:
                # build it now, before live connections fragment the heap.
                import mhttp.hpack
                mhttp.hpack.huffman_encode(b"warm up")
        except MemoryError as e:
            print("DEMO-NO-MEMORY importing %s: %r" % (m, e))
            heap("failed")
            return
        heap("preloaded")
    try:
        import asyncio
        from mhttp import server as mserver
        from mhttp.cli_serve import handler
        from mhttp.headers import Headers
    except MemoryError as e:
        print("DEMO-NO-MEMORY importing mhttp.server: %r" % (e,))
        return
    heap("imported")

    async def onstream(srv, stream):
        req = await stream.get_headers()
        path = req.get(b":path")
        if path != b"/heap" and path != b"/stop":
            await handler(srv, stream)
            return
        while (await stream.get_next_chunk()) is not None:
            pass
        gc.collect()
        body = b'{"free": %d, "alloc": %d, "conns": %d}' % (gc.mem_free(), gc.mem_alloc(),
                                                           len(srv.conns))
        await stream.write_headers(Headers(((b":status", b"200"),
                                            (b"content-type", b"application/json"),
                                            (b"content-length", b"%d" % len(body)))), False)
        await stream.write_chunk(body, True)
        if path == b"/stop":
            asyncio.create_task(srv.close(2))

    # An HTTP/2-only run from the filesystem leaves the h1 driver unloaded (h1 + h2 .mpy
    # do not fit this heap together); the all-protocol server (modules in ROMFS) asks
    # for it in preload.
    srv = mserver.listen(onstream, host=host or ip, port=port, max_connections=8,
                         idle_timeout=30, header_timeout=10, body_timeout=10,
                         preload_h1=("mhttp.h2_connection" not in preload
                                     or "mhttp.h1_connection" in preload))

    async def run():
        try:
            await srv.listen()
        except MemoryError as e:
            print("DEMO-NO-MEMORY in Server.listen: %r" % (e,))
            return
        heap("listening")
        print("DEMO-LISTENING %s %d" % (ip, srv.localname()[1]))
        await srv.loop()

    asyncio.run(run())
    heap("stopped")
    print("DEMO-STOPPED requests=%d connections=%d" % (srv.requests, srv.accepted))
'''

# The virtual board's simulated access point (tools/vboard.py: SIMULATED_APS).
VBOARD_WIFI = {"ssid": "mhttp-test", "password": "correct horse"}


class DemoError(Exception):
    pass


class Deadline(BaseException):
    pass


# -- output --------------------------------------------------------------------------------
T0 = time.monotonic()
RESULTS = []    # (section, what, ok)
HEAP_TOTAL = []
CONSOLES = []   # every mpremote run of the server (all ended before the demo exits)
WHERE = []      # where the mhttp modules live on the board (ROMFS or filesystem)
SERVERS = []    # "fallback" when the all-protocol server did not fit


def out(s=""):
    print(s, flush=True)


def section(title):
    out()
    out("== %s %s" % (title, "=" * max(3, 76 - len(title))))


def ms(t):
    return "%.1f ms" % ((time.monotonic() - t) * 1000)


def record(sec, what, ok, detail=""):
    RESULTS.append((sec, what, ok))
    out("  [%s] %s%s" % ("ok" if ok else "FAIL", what, ("  " + detail) if detail else ""))


def short(b, n=40):
    if isinstance(b, str):
        r = repr(b if len(b) <= n else b[:n] + "...")
        return r + (" (%d chars)" % len(b) if len(b) > n else "")
    if any(c < 32 or c > 126 for c in bytes(b[:n])):
        n = 12      # binary: a few bytes are enough to recognise it
    r = repr(bytes(b[:n])) + ("..." if len(b) > n else "")
    return r + (" (%d bytes)" % len(b) if len(b) > n else "")


# -- mpremote --------------------------------------------------------------------------------
def mpremote():
    p = os.environ.get("MHTTP_MPREMOTE") or os.path.join(ROOT, ".venv", "bin", "mpremote")
    if not os.access(p, os.X_OK):
        raise DemoError("mpremote not found at %s (make setup installs it)" % p)
    return p


def mpr(dev, args, timeout=30):
    cmd = [mpremote(), "connect", dev, "resume"] + list(args)
    what = " ".join(args).replace("\n", "; ")
    what = what if len(what) < 60 else what[:57] + "..."
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DemoError("mpremote %s: no answer from the board within %ds" % (what, timeout))
    text = r.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    if r.returncode != 0:
        raise DemoError("`mpremote connect %s resume %s` failed (exit %d): %s" % (
            dev, what, r.returncode,
            (text[-800:] + r.stderr.decode("utf-8", "replace")[-800:]).strip()))
    return text


class Console:
    """`mpremote connect DEV resume exec CODE` left running: the board's console lines."""

    def __init__(self, dev, code):
        self.cmd = [mpremote(), "connect", dev, "resume", "soft-reset", "exec", code]
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        CONSOLES.append(self)
        self.lines = queue.Queue()
        self.all = []
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.all.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, prefixes, timeout):
        # The first console line starting with one of prefixes (echoing every line);
        # None when the script ended or timed out first.
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            out("  board| %s" % line)
            for p in prefixes:
                if line.startswith(p):
                    return line

    def drain(self, timeout):
        # Echoes what is left until mpremote exits; its exit status (None: still running).
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            out("  board| %s" % line)
        try:
            return self.proc.wait(max(0.01, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(3)


def parse_heap(line):
    # "DEMO-HEAP tag free=N alloc=N" -> (tag, free, alloc)
    parts = line.split()
    return parts[1], int(parts[2][5:]), int(parts[3][6:])


# -- the board side ----------------------------------------------------------------------------
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def board_section(dev, virtual, vb):
    section("Board")
    t = time.monotonic()
    info = mpr(dev, ["exec", "import sys, gc, os\ngc.collect()\n"
                     "print(sys.platform, gc.mem_free(), gc.mem_alloc())\n"
                     "print(sys.implementation.name, '%d.%d.%d' % sys.implementation.version[:3])\n"
                     "print(os.uname().machine)"])
    lines = [l for l in info.splitlines() if l.strip()]
    try:
        plat, free, alloc = lines[0].split()
        free, alloc = int(free), int(alloc)
    except (IndexError, ValueError):
        raise DemoError("the board did not answer sys.platform / gc figures: %r" % info)
    if plat not in vboard.PROFILES:
        raise DemoError("the board says sys.platform %r: no profile for it (have %s)"
                        % (plat, ", ".join(sorted(vboard.PROFILES))))
    p = vboard.PROFILES[plat]
    if virtual:
        out("  device      %s  (virtual board: MicroPython unix port on a pty, tools/vboard.py)"
            % dev)
    else:
        out("  device      %s  (real board, MHTTP_DEVICE)" % dev)
    out("  firmware    %s; %s" % (" ".join(lines[1:2]), " ".join(lines[2:3])))
    out("  profile     %s: %s" % (plat, p["title"]))
    out("  heap        %d bytes on the board (%s)" % (p["heap"], p["heap_source"]))
    if virtual:
        out("              virtual -X heapsize=%d (x%.2g: a 64-bit GC block is 32 bytes, a "
            "board's 16:" % (vb.heap, vb.heap / float(p["heap"])))
        out("              same number of GC blocks)")
    out("  gc at boot  total %d, free %d, alloc %d bytes" % (free + alloc, free, alloc))
    HEAP_TOTAL.append(free + alloc)
    import textwrap
    mods = sorted(m for m in p["modules"] if m != "__main__")
    for i, l in enumerate(textwrap.wrap(" ".join(mods), 66)):
        out("  %-11s %s" % ("modules" if i == 0 else "", l))
    if virtual:
        out("  not emulated (in firmware, import fails here): %s" % " ".join(p["not_emulated"]))
    out("  took        %s" % ms(t))
    return plat


def deploy_section(dev, plat, virtual, tmp):
    section("Deploy: .mpy bundle for %s, copied with mpremote fs cp" % plat)
    t = time.monotonic()
    b = bundle.build(plat, out=os.path.join(tmp, "bundle"), quiet=True)
    mhttp_dir = os.path.join(b["dir"], "mhttp")
    mods = sorted(os.listdir(mhttp_dir))
    glue = sorted(f for f in os.listdir(b["dir"]) if f.endswith(".mpy"))
    out("  bundle      tools/bundle.py --board %s: %d files, %d bytes of .mpy"
        % (plat, len(b["files"]), b["total"]))
    srv = os.path.join(tmp, "demo_server.py")
    with open(srv, "w") as f:
        f.write(BOARD_SERVER)
    # A fresh /lib/mhttp (a board may hold an older copy).
    mpr(dev, ["exec", "import os\n"
              "def rm(p):\n"
              "    try:\n        st = os.stat(p)\n    except OSError:\n        return\n"
              "    if st[0] & 0x4000:\n"
              "        for e in os.listdir(p):\n            rm(p + '/' + e)\n"
              "        os.rmdir(p)\n"
              "    else:\n        os.remove(p)\n"
              "rm('/lib/mhttp')\n"
              "try:\n    os.mkdir('/lib')\nexcept OSError:\n    pass\n"
              "os.mkdir('/lib/mhttp')\n"])
    mpr(dev, ["fs", "cp"] + [os.path.join(mhttp_dir, m) for m in mods] + [":/lib/mhttp/"],
        timeout=120)
    mpr(dev, ["fs", "cp"] + [os.path.join(b["dir"], g) for g in glue] + [":/lib/"])
    mpr(dev, ["fs", "cp", srv, ":/demo_server.py"])
    out("  copied      :/lib/mhttp/ (%d modules), :/lib/%s, :/demo_server.py (%d bytes)"
        % (len(mods), ", :/lib/".join(glue), len(BOARD_SERVER)))
    _wifi(dev, virtual, tmp)
    ls = mpr(dev, ["fs", "ls", ":/lib/mhttp"])
    n = sum(1 for l in ls.splitlines() if l.strip().endswith(".mpy"))
    record("deploy", "board lists %d .mpy files in /lib/mhttp" % n, n == len(mods))
    out("  took        %s" % ms(t))


# The modules the all-protocol server needs (server + cli_serve's handlers, HTTP/1.1,
# HTTP/2, WebSocket, and every module they load on first use), without the client side and
# the CPython-only fast paths: what goes into the ROMFS partition.  Computed by
# tools/bundle.py's import closure, so a module split off later is never missing.
ROMFS_ENTRY = ("__init__", "cli_serve", "server", "h2_connection", "websocket")
ROMFS_FORBID = ("client", "request", "cli_get", "cli_ws", "__main__", "_request_more",
                "_client_h2", "_client_tls", "_h2_cpy", "_hpack_cpy", "_ws_cpy")


def romfs_modules():
    import bundle
    mods, _ = bundle.closure(ROMFS_ENTRY, ROMFS_FORBID)
    return mods


# The virtual ESP32's ROMFS partition for the demo: 256 KiB, a custom partition table (our
# choice, e.g. taken from the 2 MiB vfs partition of a 4 MiB module).  MicroPython's
# example ports/esp32/partitions-4MiB-romfs.csv has 128 KiB (the esp32 profile's
# default, tools/vboard.py): too small for all three protocols (~140 KB of .mpy).
DEMO_ROMFS = 256 * 1024


def board_romfs(dev):
    # Number of ROMFS partitions the firmware offers (0: none; no vfs.rom_ioctl: stock).
    r = mpr(dev, ["exec", "import vfs\nprint(vfs.rom_ioctl(1) if hasattr(vfs, 'rom_ioctl') "
                  "else 0)"]).strip().splitlines()
    try:
        return max(0, int(r[-1]))
    except (IndexError, ValueError):
        return 0


def deploy_romfs(dev, plat, virtual, tmp):
    # `mpremote romfs deploy DIR`, as a user does: the bundle and the server script, as
    # .mpy, in the ROMFS partition (executed in place from flash: only the objects they
    # create take heap).  False when the image does not fit the partition.
    section("Deploy: .mpy bundle for %s into the ROMFS partition (mpremote romfs deploy)"
            % plat)
    t = time.monotonic()
    stage = os.path.join(tmp, "romfs")
    b = bundle.build(plat, modules=romfs_modules(), out=stage, quiet=True)
    srv = os.path.join(tmp, "demo_server.py")
    with open(srv, "w") as f:
        f.write(BOARD_SERVER)
    bundle._compile(srv, os.path.join(stage, "demo_server.mpy"), "demo_server.py")
    mods = sorted(os.listdir(os.path.join(stage, "mhttp")))
    out("  bundle      tools/bundle.py --board %s --modules <server, h1, h2, ws>: %d files, "
        "%d bytes of .mpy, + demo_server.mpy" % (plat, len(b["files"]), b["total"]))
    out("  $ mpremote connect %s resume romfs deploy %s" % (dev, stage))
    text = mpr(dev, ["romfs", "deploy", stage], timeout=120)
    lines = [l.split("\r")[-1].strip() for l in text.splitlines() if l.strip()]
    for l in lines:
        if l.startswith(("Image size", "ROMFS0 partition", "ROMFS image")):
            out("    %s" % l)
    if "ROMFS image deployed" not in text:
        out("  the image does not fit this board's ROMFS partition: copying to /lib instead")
        return False
    # Nothing on the filesystem may shadow the ROMFS ('' comes first on sys.path).
    mpr(dev, ["exec", "import os\nfor f in ('/demo_server.py', '/demo_server.mpy'):\n"
              "    try:\n        os.remove(f)\n    except OSError:\n        pass\n"])
    _wifi(dev, virtual, tmp)
    ls = mpr(dev, ["soft-reset", "exec", "import os, sys\nprint(sys.path)\n"
                   "print(' '.join(os.listdir('/rom/mhttp')))"])
    got = ls.strip().splitlines()
    n = len([m for m in (got[-1].split() if got else []) if m.endswith(".mpy")])
    out("  board       sys.path %s (after a soft reset: /rom mounted by the firmware)"
        % (got[0] if got else "?"))
    record("deploy", "board lists %d .mpy files in /rom/mhttp (ROMFS partition)" % n,
           n == len(mods))
    out("  took        %s" % ms(t))
    return True


def _wifi(dev, virtual, tmp):
    wifi = None
    if virtual and not os.environ.get("MHTTP_DEMO_NO_WIFI"):
        wifi = VBOARD_WIFI
        why = "the virtual board's simulated access point"
    elif os.environ.get("MHTTP_WIFI_SSID"):
        wifi = {"ssid": os.environ["MHTTP_WIFI_SSID"],
                "password": os.environ.get("MHTTP_WIFI_PASSWORD", "")}
        why = "from MHTTP_WIFI_SSID / MHTTP_WIFI_PASSWORD"
    if wifi:
        wf = os.path.join(tmp, "wifi.json")
        with open(wf, "w") as f:
            json.dump(wifi, f)
        mpr(dev, ["fs", "cp", wf, ":/wifi.json"])
        out("  wifi        :/wifi.json ssid %r (%s)" % (wifi["ssid"], why))
    else:
        out("  wifi        the board's own network setup (/wifi.json on the board, or "
            "already associated)")


class PhaseError(Exception):
    # This protocol's server could not run on the board (other phases still run).
    pass


def start_server(dev, virtual, title, preload):
    # A fresh interpreter (soft reset, as on a board: the heap starts empty), then the
    # server script through mpremote; returns (console, base URL, heap figures).
    section("%s: start the server on the board (soft reset, then mpremote exec)" % title)
    if virtual:
        port, host = free_port(), None
    else:
        port, host = int(os.environ.get("MHTTP_DEMO_PORT", "8080")), "0.0.0.0"
    code = "import demo_server\ndemo_server.main(%d, %r, %r)" % (port, host, preload)
    out("  $ mpremote connect %s resume soft-reset exec \"%s\"" % (dev, code.replace("\n", "; ")))
    t = time.monotonic()
    con = Console(dev, code)
    heaps = {}
    ip = None
    while True:
        line = con.wait_for(("DEMO-HEAP", "DEMO-NETWORK", "DEMO-NO-NETWORK", "DEMO-LISTENING",
                             "DEMO-NO-MEMORY", "Traceback"), START_TIMEOUT)
        if line is None:
            con.drain(2)
            con.kill()
            raise DemoError("the server did not start on the board (no DEMO-LISTENING line "
                            "within %ds; console above)" % START_TIMEOUT)
        if line.startswith("DEMO-HEAP"):
            tag, free, alloc = parse_heap(line)
            heaps[tag] = (free, alloc)
        elif line.startswith("DEMO-NO-NETWORK"):
            con.drain(3)
            con.kill()
            raise DemoError("the board has no network: %s.  Give it Wi-Fi credentials "
                            "(MHTTP_WIFI_SSID=... MHTTP_WIFI_PASSWORD=... make demo, or a "
                            "/wifi.json on the board: {\"ssid\": ..., \"password\": ...}) "
                            "and run again." % line[len("DEMO-NO-NETWORK "):])
        elif line.startswith("DEMO-NO-MEMORY"):
            rc = con.drain(5)
            if rc is None:
                con.kill()
            raise PhaseError("the %s server does not fit in the board's heap: %s"
                             % (title, line[len("DEMO-NO-MEMORY "):]))
        elif line.startswith("Traceback"):
            if con.drain(5) is None:
                con.kill()
            last = [l for l in con.all if l.strip()][-1:]
            raise PhaseError("the %s server script failed on the board: %s"
                             % (title, last[0].strip() if last else "traceback above"))
        elif line.startswith("DEMO-NETWORK"):
            ip = line.split()[1]
        elif line.startswith("DEMO-LISTENING"):
            parts = line.split()
            ip, port = parts[1], int(parts[2])
            break
    record("start", "%s: server listening on the board at http://%s:%d" % (title, ip, port),
           True, ms(t))
    return con, "http://%s:%d" % (ip, port), heaps


def stop_server(con, base, version, title, dev, virtual):
    # GET /stop (on the phase's protocol): the server closes, main() returns, mpremote exits.
    out("  -- stop")
    t = time.monotonic()
    ok = False
    for v in ((version, None) if version else (None,)):
        try:
            ok, t_ms = asyncio.run(_stop(base, v))
            break
        except Exception as e:
            out("  GET /stop (%s) failed: %s: %s" % ("HTTP/2" if v else "HTTP/1.1",
                                                   type(e).__name__, e))
    rc = con.drain(8)
    mem = [l for l in con.all if "MemoryError" in l]
    if mem:
        record("stop", "%s: the board ran out of heap while serving (%s)" % (title, mem[0].strip()),
               False)
    stopped = [l for l in con.all if l.startswith("DEMO-STOPPED")]
    heaps = [parse_heap(l) for l in con.all if l.startswith("DEMO-HEAP stopped")]
    record("stop", "%s: GET /stop, server closed, script returned, mpremote exited %s"
           % (title, rc), ok and bool(stopped) and rc == 0, ms(t))
    if rc is None:
        con.kill()
        if virtual:
            return "hung"
        else:
            # Still running on the real board: interrupt it (mpremote enters the raw REPL
            # with Ctrl-C).
            try:
                mpr(dev, ["exec", "pass"], timeout=10)
            except DemoError as e:
                out("  could not interrupt the board: %s" % e)
    return heaps[0][1:] if heaps else None


# -- the client side (CPython, our own client) ---------------------------------------------------
SHOW = (b"content-type", b"content-length", b"transfer-encoding", b"connection")


def fmt_headers(h):
    return "  ".join("%s: %s" % (k.decode(), v.decode()) for k, v, *_ in h if k in SHOW)


async def fetch(base, method, path, body=None, ctype=None, version=None):
    import mhttp.request
    req = mhttp.request.new_from_uri(base + path)
    req.headers.upsert(b":method", method.encode())
    if ctype:
        req.headers.append(b"content-type", ctype)
    if body is not None:
        req.set_body(body)
    if version is not None:
        req.version = version
    t = time.monotonic()
    h, stream = await req.go(STEP_TIMEOUT)
    conn = stream.connection
    data = await stream.get_body_as_string(STEP_TIMEOUT)
    return h, data, conn, (time.monotonic() - t) * 1000, stream


def show(proto, method, path, h, data, t_ms, extra=""):
    out("  %-8s %-4s %-6s -> %s  %s" % (proto, method, path, h.get(b":status").decode(),
                                        fmt_headers(h)))
    out("  %8s body %s  %.1f ms%s" % ("", short(data), t_ms, extra))


async def close_pool():
    # The client closes the connections it keeps for reuse (the demo is done with them):
    # each one open costs the board heap (measured on the virtual ESP32, 64-bit: an idle
    # HTTP/1.1 keep-alive connection ~1.1 KB, an idle HTTP/2 connection ~7 KB).
    import mhttp.request
    n = len(mhttp.request.POOL.entries)
    mhttp.request.POOL.close_all()
    return n


async def heap_now(base, tag, version=None):
    # The board's heap with no connection open but this request's: the client first
    # closes its pooled ones, then asks until the board has seen them close (bounded).
    # The /heap connection stays in the pool (the HTTP/1.1 steps reuse it).
    closed = await close_pool()
    for i in range(20):
        h, data, conn, t_ms, _ = await fetch(base, "GET", "/heap", version=version)
        ok = h.get(b":status") == b"200"
        v = json.loads(bytes(data)) if ok else {}
        if not ok or v.get("conns", 1) <= 1:
            break
        await asyncio.sleep(0.05)
    out("  heap %-7s free %s, alloc %s bytes, %s connection(s) open on the board (GET /heap, "
        "%.1f ms%s)" % (tag, v.get("free"), v.get("alloc"), v.get("conns"), t_ms,
                        ", after closing the client's %d pooled" % closed if closed else ""))
    record("heap", "GET /heap (%s)" % tag, ok and "free" in v)
    return v


async def http1_section(base):
    out("  -- client: mhttp.request over HTTP/1.1 (keep-alive pool)")
    import mhttp.request
    reused0 = mhttp.request.POOL.reused
    conns = []
    steps = [
        ("GET", "/", None, None, b"Hello, World!"),
        ("POST", "/echo", b"hello from CPython to the board", b"text/plain", None),
        ("POST", "/echo", bytes(range(256)) * 16, b"application/octet-stream", None),
        ("GET", "/", None, None, b"Hello, World!"),
        ("GET", "/nothing-here", None, None, None),
    ]
    for method, path, body, ctype, want in steps:
        try:
            h, data, conn, t_ms, _ = await fetch(base, method, path, body, ctype)
        except Exception as e:
            record("http1", "%s %s" % (method, path), False, "%s: %s" % (type(e).__name__, e))
            continue
        conns.append(conn)
        lp = conn.localname()
        extra = "  (connection from local port %s)" % (lp[1] if lp else "?")
        if body is not None and len(body) > 1024:
            extra += "  [Expect: 100-continue]"
        show("HTTP/1.1", method, path, h, data, t_ms, extra)
        st = h.get(b":status")
        if path == "/nothing-here":
            record("http1", "%s %s: 404 as expected" % (method, path), st == b"404")
        elif want is not None:
            record("http1", "%s %s: 200, body %r" % (method, path, want),
                   st == b"200" and bytes(data) == want)
        else:
            record("http1", "%s %s: 200, echo of %d bytes matched" % (method, path, len(body)),
                   st == b"200" and bytes(data) == body and h.get(b"content-type") == ctype)
    same = len(conns) == len(steps) and all(c is conns[0] for c in conns)
    n = mhttp.request.POOL.reused - reused0
    record("http1", "keep-alive: %d requests on one connection (pool reused it %d times)"
           % (len(conns) + 1, n), same and n >= len(steps) - 1)


async def http2_section(base, n=6):
    out("  -- client: mhttp.request, version=2 (HTTP/2 prior knowledge, h2c)")
    import mhttp.request
    bodies = [("stream %d says hello" % i).encode() * (i + 1) for i in range(n)]

    async def one(i):
        if i % 2:
            return await fetch(base, "POST", "/echo", bodies[i], b"text/plain", version=2)
        return await fetch(base, "GET", "/", version=2)

    t = time.monotonic()
    try:
        # The first request opens the connection; the rest go concurrently on it.
        first = await one(0)
        rest = await asyncio.gather(*[one(i) for i in range(1, n)])
    except Exception as e:
        record("h2", "HTTP/2 requests", False, "NOT WORKING: %s: %s" % (type(e).__name__, e))
        return
    total = (time.monotonic() - t) * 1000
    res = [first] + list(rest)
    ok = True
    for i, (h, data, conn, t_ms, stream) in enumerate(res):
        sid = getattr(getattr(stream, "stream", stream), "id", None)
        method, path = ("POST", "/echo") if i % 2 else ("GET", "/")
        show("HTTP/2", method, path, h, data, t_ms,
             "  (stream %s, connection version %s)" % (sid, getattr(conn, "version", "?")))
        want = bodies[i] if i % 2 else b"Hello, World!"
        good = h.get(b":status") == b"200" and bytes(data) == want
        ok = ok and good
    record("h2", "%d requests (GET / and POST /echo), statuses 200, bodies matched" % n, ok,
           "%.1f ms in all" % total)
    conns = [r[2] for r in res]
    one_conn = all(c is conns[0] for c in conns[1:])
    is_h2 = getattr(conns[0], "version", None) == 2
    ids = sorted(getattr(getattr(r[4], "stream", r[4]), "id", 0) or 0 for r in res)
    record("h2", "one HTTP/2 connection, %d streams (ids %s), %d of them concurrent"
           % (n, ", ".join(str(i) for i in ids), n - 1), one_conn and is_h2)


async def ws_section(base):
    out("  -- client: mhttp.websocket.new_from_uri (HTTP/1.1 upgrade)")
    from mhttp import websocket
    uri = "ws" + base[4:] + "/ws"
    t = time.monotonic()
    ws = websocket.new_from_uri(uri)
    try:
        await ws.connect(STEP_TIMEOUT)
    except Exception as e:
        record("ws", "connect %s" % uri, False, "NOT WORKING: %s: %s" % (type(e).__name__, e))
        return
    ext = ", ".join(str(e) for e in ws.extensions) or "none"
    record("ws", "connect %s: %s, extensions: %s" % (
        uri, ws.headers.get(b":status").decode() if ws.headers else "?", ext),
        ws.ready_state == websocket.OPEN, ms(t))
    msgs = [("hello board, this is text", "text"),
            ("é ✓ unicode text " * 4, "text"),
            (bytes(range(256)), "binary"),
            (b"\x00" * 2000, "binary")]
    try:
        for data, op in msgs:
            t = time.monotonic()
            await ws.send(data)
            r = await ws.receive(STEP_TIMEOUT)
            got, gop = r if r else (None, None)
            out("  WS       send %-6s %s" % (op, short(data, 30)))
            out("  %8s echo %-6s %s  %s" % ("", gop, short(got, 30) if got is not None else
                                           None, ms(t)))
            record("ws", "%s echo of %d %s matched" % (op, len(data),
                                                     "chars" if op == "text" else "bytes"),
                   gop == op and got == data)
        t = time.monotonic()
        await ws.close(1000, "bye", timeout=STEP_TIMEOUT)
        record("ws", "close 1000: peer answered %s %r" % (ws.close_code, ws.close_reason),
               ws.close_code == 1000 and ws.ready_state == websocket.CLOSED, ms(t))
    except Exception as e:
        record("ws", "websocket exchange", False, "%s: %s" % (type(e).__name__, e))
        ws.abort()


async def phase_traffic(fn, base, version):
    # heap before, the protocol's steps, heap after (all on the phase's protocol).
    import mhttp.request
    try:
        before = await heap_now(base, "before", version)
        await fn(base)
        after = await heap_now(base, "after", version)
        if before and after:
            out("  heap delta  free %+d bytes (after gc.collect(), server still running)"
                % (after["free"] - before["free"]))
    finally:
        mhttp.request.POOL.close_all()


async def _stop(base, version):
    import mhttp.request
    try:
        h, data, conn, t_ms, _ = await fetch(base, "GET", "/stop", version=version)
        ok = h.get(b":status") == b"200"
    finally:
        mhttp.request.POOL.close_all()
    return ok, t_ms


# One server run per protocol, each on a freshly reset board.  Why: the .mpy code of the
# whole stack does not fit the ESP32_GENERIC heap at once.  Measured on the virtual board
# (free bytes after gc.collect(), of ~207 KB at boot): mhttp.server + cli_serve + the h1
# driver (loaded at listen) ~100 KB; mhttp.h2_connection with h2, h2_frames and HPACK
# ~146 KB; mhttp.websocket with ws ~68 KB.  A board application imports the protocols it
# serves, first (preload), before connections fragment the heap.
# (title, client steps, client HTTP version, result section, modules to preload)
PHASES = (
    ("HTTP/1.1", "http1_section", None, "http1", ()),
    ("HTTP/2", "http2_section", 2, "h2", ("mhttp.h2_connection",)),
    ("WebSocket", "ws_section", None, "ws", ("mhttp.websocket",)),
)
# With mhttp in a ROMFS partition the code stays in flash, and one server speaking all
# three protocols fits the ESP32 heap: one phase (the per-protocol phases stay as the
# fallback when it does not fit, and for boards without ROMFS).
PHASE_ALL = ("HTTP/1.1 + HTTP/2 + WebSocket", "all_sections", None, "all",
             ("mhttp.h1_connection", "mhttp.h2_connection", "mhttp.websocket"))


async def all_sections(base):
    # Between protocols the client closes the connections it is done with, as a client
    # that moves on would: the board then serves the next protocol without the last one's
    # idle connection (an idle HTTP/2 connection holds ~7 KB of its heap).
    await http1_section(base)
    out("  -- client closes %d pooled connection(s)" % await close_pool())
    await http2_section(base)
    out("  -- client closes %d pooled connection(s)" % await close_pool())
    await ws_section(base)


# -- main ------------------------------------------------------------------------------------
def _alarm(signum, frame):
    raise Deadline()


def main():
    dev_env = os.environ.get("MHTTP_DEVICE")
    virtual = not dev_env
    out("mhttp demo: our HTTP server on %s, our CPython client against it"
        % ("a virtual ESP32 board" if virtual else "the board at %s" % dev_env))
    signal.signal(signal.SIGALRM, _alarm)
    limit = DEADLINE if virtual else DEADLINE_REAL
    signal.alarm(limit)
    vb = con = None
    tmp = tempfile.mkdtemp(prefix="mhttp-demo-")
    failed = None
    heap_rows = []
    try:
        mpremote()
        fs = os.path.join(tmp, "board-fs")
        os.makedirs(fs)
        if virtual:
            vb = vboard.VBoard("esp32", fs=fs, romfs=DEMO_ROMFS,
                                   flash=os.path.join(tmp, "romfs.flash"))
            dev = vb.start()
        else:
            dev = dev_env
        plat = board_section(dev, virtual, vb)
        nrom = board_romfs(dev)
        in_rom = nrom > 0 and deploy_romfs(dev, plat, virtual, tmp)
        if not in_rom:
            if not nrom:
                out()
                out("  (this firmware has no ROMFS partition: vfs.rom_ioctl absent or 0 "
                    "partitions)")
            deploy_section(dev, plat, virtual, tmp)
        WHERE.append("ROMFS partition /rom (.mpy executed in place from flash; only the "
                      "objects they create take heap)" if in_rom else
                      "filesystem /lib (.mpy, loaded into the heap at import)")
        out("  modules     live in the %s" % WHERE[0])
        phases = [PHASE_ALL] if in_rom else list(PHASES)
        while phases:
            title, fn, version, sec, preload = phases.pop(0)
            try:
                con, base, heaps = start_server(dev, virtual, title, preload)
            except PhaseError as e:
                if sec == "all":
                    out("  one server for all three protocols does not fit this heap: %s" % e)
                    out("  falling back to one server per protocol")
                    SERVERS.append("fallback")
                    phases = list(PHASES)
                    continue
                record(sec, str(e), False)
                heap_rows.append([title, None, None, None])
                continue
            try:
                asyncio.run(phase_traffic(globals()[fn], base, version))
            except Exception as e:
                record(sec, "%s traffic" % title, False, "%s: %s" % (type(e).__name__, e))
            stopped = stop_server(con, base, version, title, dev, virtual)
            con = None
            if stopped == "hung":
                # Power-cycle the virtual board (its filesystem is kept), as one would
                # unplug a board whose program no longer answers.
                out("  the board does not answer: power-cycling the virtual board")
                vb.stop()
                vb = vboard.VBoard("esp32", fs=fs, romfs=DEMO_ROMFS,
                                   flash=os.path.join(tmp, "romfs.flash"))
                dev = vb.start()
                stopped = None
            row = [title]
            for tag in ("boot", "listening"):
                row.append(heaps.get(tag, (None,))[0])
            row.append(stopped[0] if stopped else None)
            heap_rows.append(row)
    except Deadline:
        failed = "the demo ran out of its %d s time limit" % limit
    except DemoError as e:
        failed = str(e)
    except Exception as e:
        import traceback
        traceback.print_exc()
        failed = "%s: %s" % (type(e).__name__, e)
    finally:
        signal.alarm(0)
        if con is not None:
            con.kill()
        if vb is not None:
            pid = vb._proc.pid if vb._proc is not None else None
            vb.stop()
            out()
            out("  virtual board stopped: interpreter pid %s ended, pty closed" % pid)
        for c in CONSOLES:
            c.kill()
        if CONSOLES:
            out("  mpremote runs of the server: pids %s, exit statuses %s" % (
                " ".join(str(c.proc.pid) for c in CONSOLES),
                " ".join(str(c.proc.poll()) for c in CONSOLES)))
        shutil.rmtree(tmp, ignore_errors=True)

    section("Summary")
    if WHERE:
        out("  modules   %s" % WHERE[0])
        n = len(heap_rows)
        out("  servers   %s" % (
            "one server for HTTP/1.1 + HTTP/2 + WebSocket (fits the heap with the code in "
            "ROMFS)" if n == 1 and heap_rows[0][0] == PHASE_ALL[0] else
            "one server per protocol, each on a freshly reset board (%s)" % (
                "the all-protocol server did not fit" if SERVERS else
                "h1 + h2 + ws .mpy loaded into the heap do not fit it together")))
    if heap_rows:
        out("  board heap, free bytes after gc.collect() (gc total %s):" % (
            HEAP_TOTAL[0] if HEAP_TOTAL else "?"))
        out("    %-29s %10s %12s %12s" % ("server", "at start", "listening", "stopped"))
        for r in heap_rows:
            out("    %-29s %10s %12s %12s" % tuple("-" if x is None else x for x in r))
    bad = [r for r in RESULTS if not r[2]]
    by = {}
    for sec, what, ok in RESULTS:
        by.setdefault(sec, [0, 0])[0 if ok else 1] += 1
    for sec in ("deploy", "start", "heap", "http1", "h2", "ws", "stop"):
        if sec in by:
            p, f = by[sec]
            out("  %-7s %2d ok, %d failed" % (sec, p, f))
    for sec in ("http1", "h2", "ws"):
        if sec not in by and not failed:
            bad.append((sec, "no %s step ran" % sec, False))
    for sec, what, ok in bad:
        out("  FAILED  %s: %s" % (sec, what))
    if failed:
        out("  FAILED  %s" % failed)
    out("  time    %.1f s" % (time.monotonic() - T0))
    if bad or failed:
        out("DEMO FAILED")
        return 1
    out("DEMO OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
