# `make demo` (tools/demo.py): our server on a virtual ESP32 board (MicroPython unix port,
# the profile's heap and module set, mhttp as .mpy deployed and started with mpremote),
# reached by our CPython client over HTTP/1.1, HTTP/2 (h2c prior knowledge) and WebSocket:
# mhttp in the board's ROMFS partition, one server speaking all three.
# The demo must exit 0, print every section with real figures, stop every process it
# started and stay under 60 s; a board without network must fail loudly, as must a
# device that does not exist.
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "tools", "demo.py")


def run_demo(env_extra=None, timeout=90):
    env = dict(os.environ)
    env.pop("MHTTP_DEVICE", None)
    env.update(env_extra or {})
    t = time.monotonic()
    r = subprocess.run([sys.executable, DEMO], cwd=ROOT, capture_output=True, timeout=timeout,
                       env=env)
    return r.returncode, r.stdout.decode("utf-8", "replace"), time.monotonic() - t


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not a stray process we left running; read its state.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1][:1] != "Z"
    except OSError:
        return False


def test_demo_full_run():
    rc, out, secs = run_demo()
    assert rc == 0, out[-6000:]
    assert secs < 60, secs
    assert out.rstrip().endswith("DEMO OK"), out[-3000:]
    assert "[FAIL]" not in out and "FAILED" not in out, out
    # The board: ESP32 profile, its heap, the module set, gc figures read from the board.
    assert "profile     esp32: ESP32_GENERIC" in out
    assert re.search(r"heap        111936 bytes on the board", out)
    assert re.search(r"virtual -X heapsize=223872", out)
    assert re.search(r"gc at boot  total \d+, free \d+, alloc \d+ bytes", out)
    assert "modules     _asyncio" in out and "not emulated" in out
    # Deployed as .mpy into the board's ROMFS partition with `mpremote romfs deploy`,
    # mounted at /rom by the (virtual) firmware after a soft reset; then ONE server for
    # all three protocols, started with `mpremote connect DEV resume ...`.
    assert re.search(r"\$ mpremote connect /dev/pts/\d+ resume romfs deploy ", out)
    assert re.search(r"ROMFS0 partition has size 262144 bytes", out)
    assert "ROMFS image deployed" in out
    assert "sys.path ['', '.frozen', '/rom', '/rom/lib', '/lib']" in out
    assert re.search(r"\[ok\] board lists \d+ \.mpy files in /rom/mhttp \(ROMFS partition\)",
                     out)
    assert "modules     live in the ROMFS partition /rom" in out
    assert "servers   one server for HTTP/1.1 + HTTP/2 + WebSocket" in out
    starts = re.findall(r"\$ mpremote connect /dev/pts/\d+ resume soft-reset exec "
                        r"\"import demo_server; demo_server\.main\(\d+", out)
    assert len(starts) == 1, starts
    assert len(re.findall(r"board\| DEMO-LISTENING 127\.0\.0\.1 \d+", out)) == 1
    # HTTP/1.1: statuses, echo bodies, keep-alive on one connection.
    assert re.search(r"HTTP/1\.1 GET  /      -> 200  content-type: text/plain  "
                     r"content-length: 13\n\s+body b'Hello, World!'  [\d.]+ ms", out)
    assert "[ok] POST /echo: 200, echo of 31 bytes matched" in out
    assert "[ok] POST /echo: 200, echo of 4096 bytes matched" in out
    assert "[ok] GET /nothing-here: 404 as expected" in out
    assert re.search(r"\[ok\] keep-alive: 6 requests on one connection \(pool reused it "
                     r"[5-9] times\)", out)
    ports = set(re.findall(r"connection from local port (\d+)", out))
    assert len(ports) == 1, ports
    # HTTP/2: statuses 200, echoes matched, several streams on one connection.
    h2 = re.findall(r"HTTP/2   (GET|POST) +(/\S*) +-> (\d+)", out)
    assert len(h2) >= 6 and all(s == "200" for _, _, s in h2), h2
    assert re.search(r"\[ok\] \d+ requests \(GET / and POST /echo\), statuses 200, bodies "
                     r"matched", out)
    assert re.search(r"\[ok\] one HTTP/2 connection, 6 streams \(ids \d+(, \d+){5}\), 5 of "
                     r"them concurrent", out)
    # WebSocket: text and binary echoes, clean close.
    assert re.search(r"\[ok\] connect ws://127\.0\.0\.1:\d+/ws: 101", out)
    assert "[ok] text echo of 25 chars matched" in out
    assert "[ok] binary echo of 256 bytes matched" in out
    assert "[ok] binary echo of 2000 bytes matched" in out
    assert "[ok] close 1000: peer answered 1000" in out
    # The board's heap before and after each protocol, read over /heap.
    heaps = re.findall(r"heap (before|after) +free (\d+), alloc (\d+) bytes", out)
    assert len(heaps) == 2, heaps
    assert all(0 < int(f) < 223872 for _, f, _ in heaps)
    # Clean end: every server stopped by /stop, mpremote exited 0, no process left.
    assert len(re.findall(r"\[ok\] [\w/. +]+: GET /stop, server closed, script returned, "
                          r"mpremote exited 0", out)) == 1
    m = re.search(r"virtual board stopped: interpreter pid (\d+) ended", out)
    assert m, out[-2000:]
    pids = [int(m.group(1))]
    m = re.search(r"mpremote runs of the server: pids ([\d ]+), exit statuses ([\d ]+)", out)
    assert m and m.group(2).split() == ["0"], out[-2000:]
    pids += [int(p) for p in m.group(1).split()]
    assert not [p for p in pids if alive(p)], pids


def test_demo_board_without_network_fails_clearly():
    rc, out, secs = run_demo({"MHTTP_DEMO_NO_WIFI": "1"})
    assert rc == 1, out[-3000:]
    assert secs < 60
    assert "board| DEMO-NO-NETWORK Wi-Fi failed: WiFiError: no Wi-Fi configuration" in out
    assert "FAILED  the board has no network" in out
    assert "MHTTP_WIFI_SSID" in out        # the message says what to do
    assert out.rstrip().endswith("DEMO FAILED")
    m = re.search(r"virtual board stopped: interpreter pid (\d+) ended", out)
    assert m and not alive(int(m.group(1)))


def test_demo_missing_device_fails_clearly():
    rc, out, secs = run_demo({"MHTTP_DEVICE": "/dev/mhttp-no-such-board"})
    assert rc == 1, out[-3000:]
    assert secs < 30
    assert "the board at /dev/mhttp-no-such-board" in out
    assert re.search(r"FAILED  `mpremote connect /dev/mhttp-no-such-board resume exec "
                     r"import sys.*` failed \(exit \d+\): mpremote: failed to access "
                     r"/dev/mhttp-no-such-board", out), out
    assert out.rstrip().endswith("DEMO FAILED")
