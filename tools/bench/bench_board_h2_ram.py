#!/usr/bin/env python3
# Board RAM of HTTP/2 + HPACK: the smallest MicroPython heap (-X heapsize, 64-bit unix
# port, mhttp loaded as .mpy from tools/bundle.py's unix bundle) for two scenarios, found
# by tools/heapmin.py, with the peak heap use at the scenario's checkpoints:
#
#   client  tools/bench/board/h2c_get_client.py: an h2c (prior knowledge) GET on one
#           connection (import + connect + one exchange + close) against a CPython h2c
#           server: ours (`python -m mhttp serve`), else nghttpd --no-tls, else the
#           minimal server on the `h2` package (tools/bench/peers/h2_server.py)
#   server  tools/bench/board/h2c_server.py: mhttp.server on the unix port answering
#           `h2load -n 1000 -c 1 -m 10` (1000 requests, 10 concurrent streams)
#   server-h2only  the same with listen(preload_h1=False): a board that expects HTTP/2
#           clients does not load the HTTP/1.1 driver at listen (it loads on the first
#           HTTP/1.1 request, if one comes)
#
# Also prints what importing each HTTP/2 module costs (gc.mem_alloc deltas, same bundle)
# and the first HPACK use.
#
#   .venv/bin/python tools/bench/bench_board_h2_ram.py [--only client,server,server-h2only] [--peer mhttp|nghttpd|h2]
#                                                       [--timeout S] [--json]
# The target: each smallest heap under 64 KiB.  Each scenario runs twice: modules
# as .mpy files on the filesystem (loaded into the heap), then "ROMFS": as .mpy in a ROMFS
# image mapped outside the heap (executed in place, as from a board's ROMFS partition;
# tools/heapmin.py --romfs).  --no-romfs skips the second run.
import json
import os
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import heapmin  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _harness as H  # noqa: E402

PY = os.path.join(ROOT, ".venv", "bin", "python")
if not os.access(PY, os.X_OK):
    PY = sys.executable
TARGET = 64 * 1024

_IMPORTS = r'''
import gc, sys
gc.collect()
base = gc.mem_alloc()
prev = base
for m in ("mhttp", "mhttp.errors", "_mhttp_port", "mhttp._io", "mhttp.headers",
          "mhttp.stream_common", "mhttp._hpack_tables", "mhttp.hpack", "mhttp.h2_frames",
          "mhttp.h2", "mhttp.h2_connection"):
    __import__(m)
    gc.collect()
    a = gc.mem_alloc()
    print("IMPORT %s %d" % (m, a - prev))
    prev = a
from mhttp import hpack
e = hpack.Encoder()
d = hpack.Decoder()
hs = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/"),
      (b":authority", b"127.0.0.1"), (b"user-agent", b"mhttp")]
assert d.decode(e.encode(hs)) == hs
hpack._enc_cache.clear()
hpack._dec_cache.clear()
gc.collect()
print("IMPORT hpack-first-use %d" % (gc.mem_alloc() - prev))
print("IMPORT total %d" % (gc.mem_alloc() - base))
'''


def start_peer(kind):
    # A CPython-side h2c server; returns (proc, port, path, name).
    port = H.free_port()
    if kind == "mhttp":
        cmd = [PY, "-m", "mhttp", "serve", "--host", "127.0.0.1", "--port", str(port)]
        path = "/"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.path.join(ROOT, "lib") + os.pathsep + os.path.join(
            ROOT, "ports", "cpython") + os.pathsep + env.get("PYTHONPATH", "")
    elif kind == "nghttpd":
        if not shutil.which("nghttpd"):
            return None
        cmd = ["nghttpd", "--no-tls", "-d", os.path.join(ROOT, "tools", "bench", "peers",
                                                         "nghttpd_root"), str(port)]
        path = "/index.html"
        env = None
    else:
        cmd = [PY, os.path.join(ROOT, "tools", "bench", "peers", "h2_server.py"), str(port)]
        path = "/"
        env = None
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    if not H.wait_port(port, 10.0, proc=p):
        p.kill()
        p.wait(5)
        return None
    return p, port, path, kind


def h2c_ok(port, path):
    # The peer answers an h2c prior-knowledge GET (checked with the h2 package).
    try:
        import h2.config
        import h2.connection
    except ImportError:
        return True
    s = socket.create_connection(("127.0.0.1", port), 3)
    try:
        c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        c.initiate_connection()
        c.send_headers(1, [(":method", "GET"), (":scheme", "http"), (":path", path),
                           (":authority", "127.0.0.1")], end_stream=True)
        s.sendall(c.data_to_send())
        end = time.monotonic() + 3
        while time.monotonic() < end:
            data = s.recv(65536)
            if not data:
                return False
            for ev in c.receive_data(data):
                if type(ev).__name__ == "ResponseReceived":
                    return dict(ev.headers).get(b":status") == b"200"
        return False
    except Exception:
        return False
    finally:
        s.close()


def import_costs():
    import bundle
    b = bundle.build("unix", quiet=True)
    env = dict(os.environ)
    env["MICROPYPATH"] = ".frozen:" + b["dir"]
    r = subprocess.run([heapmin.micropython(), "-c", _IMPORTS], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    out = {}
    for line in r.stdout.splitlines():
        if line.startswith("IMPORT "):
            _, name, n = line.split()
            out[name] = int(n)
    sizes = {k[6:-4]: v for k, v in b["files"].items() if k.startswith("mhttp/")}
    return out, sizes


def peak(cps):
    if not cps:
        return 0, 0
    return max(a for a, _ in cps.values()), max(l for _, l in cps.values())


def report(name, r, log):
    if r.get("romfs"):
        name += " ROMFS"
    if r["min_heap"] is None:
        log("%-7s FAILS even at the top heap: %s" % (name, r["last_failure"]))
        return
    a, l = peak(r["checkpoints"])
    log("%-7s smallest heap %7d bytes (%.1f KiB) %s 64 KiB; peak use at checkpoints: "
        "alloc %d, live %d (%d runs, %.0fs)" % (
            name, r["min_heap"], r["min_heap"] / 1024.0,
            "UNDER" if r["min_heap"] < TARGET else "over", a, l, len(r["runs"]),
            r["seconds"]))
    for label in sorted(r["checkpoints"]):
        ca, cl = r["checkpoints"][label]
        log("          %-22s alloc %7d  live %7d" % (label, ca, cl))
    if r.get("sampled_live"):
        log("          %-22s               live %7d" % ("(sampled peak, 2 ms)", r["sampled_live"]))


def main(argv):
    only = ("client", "server", "server-h2only")
    peers = ("mhttp", "nghttpd", "h2")
    timeout = 20.0
    as_json = "--json" in argv
    romfs_modes = (False,) if "--no-romfs" in argv else (False, True)
    i = 0
    while i < len(argv):
        if argv[i] == "--only":
            only = tuple(argv[i + 1].split(","))
            i += 1
        elif argv[i] == "--peer":
            peers = (argv[i + 1],)
            i += 1
        elif argv[i] == "--timeout":
            timeout = float(argv[i + 1])
            i += 1
        i += 1
    log = print
    result = {}
    costs, sizes = import_costs()
    log("import cost on the unix port (.mpy, gc.mem_alloc deltas; bundle .mpy size):")
    for k in sorted(costs, key=lambda k: -costs[k]):
        log("  %-22s %7d   %s" % (k, costs[k], sizes.get(k.replace("mhttp.", ""), "")))
    result["imports"] = costs
    if "client" in only:
        got = None
        for kind in peers:
            got = start_peer(kind)
            if got and h2c_ok(got[1], got[2]):
                break
            if got:
                got[0].kill()
                got[0].wait(5)
            got = None
        if got is None:
            log("client  no h2c peer could be started (%s)" % ", ".join(peers))
        else:
            p, port, path, kind = got
            rs = []
            try:
                for rom in romfs_modes:
                    rs.append(heapmin.find_min_heap(
                        os.path.join(ROOT, "tools", "bench", "board", "h2c_get_client.py"),
                        [str(port), path, "1"], None, 16 * 1024, 512 * 1024, 1024, timeout,
                        romfs=rom))
            finally:
                p.kill()
                p.wait(5)
            log("client  (h2c GET against %s)" % kind)
            for r in rs:
                report("client", r, log)
            r = rs[0]
            result["client"] = {"peer": kind, "min_heap": r["min_heap"],
                                "checkpoints": r["checkpoints"]}
            if len(rs) > 1:
                result["client"]["min_heap_romfs"] = rs[1]["min_heap"]
    for name, extra in (("server", []), ("server-h2only", ["nopreload"])):
        if name not in only:
            continue
        if not shutil.which("h2load"):
            log("%s  h2load not found (Debian nghttp2-client)" % name)
            continue
        rs = [heapmin.find_min_heap(
            os.path.join(ROOT, "tools", "bench", "board", "h2c_server.py"),
            ["{port}", "1000"] + extra,
            "h2load -n 1000 -c 1 -m 10 -T 10 http://127.0.0.1:{port}/",
            16 * 1024, 512 * 1024, 1024, timeout, romfs=rom) for rom in romfs_modes]
        log("%s  (h2load -n 1000 -c 1 -m 10%s)" % (name, ", preload_h1=False" if extra else ""))
        for r in rs:
            report(name, r, log)
        r = rs[0]
        result[name] = {"min_heap": r["min_heap"], "checkpoints": r["checkpoints"]}
        if len(rs) > 1:
            result[name]["min_heap_romfs"] = rs[1]["min_heap"]
    if as_json:
        print(json.dumps(result, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
