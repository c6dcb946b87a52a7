# Board RAM, pay for what you use: a WebSocket client that connects (HTTP/1.1 upgrade,
# permessage-deflate negotiated) and exchanges binary and ASCII text messages with an
# echo server loads none of the modules holding the rarely used parts (mhttp._ws_server,
# mhttp._ws_rare, mhttp._ws_more, and mhttp._errors_more where WSError lives; on
# MicroPython not mhttp._ws_cpy either), and the moved methods still work when asked for
# -- in fresh interpreters, CPython and the MicroPython unix port.
import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT, free_port, run_micropython

RARE = ("mhttp._ws_server", "mhttp._ws_rare", "mhttp._ws_more", "mhttp._errors_more",
        "mhttp._ws_cpy")

SCRIPT = r'''
import sys
from mhttp import websocket

RARE = %r
if sys.implementation.name != "micropython":
    RARE = RARE[:-1]      # mhttp._ws_cpy is CPython's masking and zlib code

def loaded():
    return [m for m in RARE if m in sys.modules]

ws = websocket.new_from_uri("ws://127.0.0.1:%d/ws", blocking=True)
ws.connect(10)
msg = bytes(range(256)) * 4
for i in range(20):
    ws.send(msg)
    assert ws.receive(10) == (msg, "binary")
ws.send("plain text")
assert ws.receive(10) == ("plain text", "text")
print("EXT", len(ws.extensions))
print("COMMON", loaded())
ws.send_ping(b"p")                 # mhttp._ws_more + mhttp._ws_rare
ws.send("h\u00e9")                 # non-ASCII text (MicroPython: mhttp._ws_rare's check)
assert ws.receive(10) == ("h\u00e9", "text")
print("RARE", sorted(loaded()))
assert ws.close() is True
print("OK")
'''


@pytest.fixture(scope="module")
def echo_port():
    port = free_port()
    env = dict(os.environ)
    p = subprocess.Popen([sys.executable, "-m", "mhttp", "serve", "--port", str(port)],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import socket
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port
    p.kill()
    p.wait(10)


def _check(out):
    lines = dict(l.split(" ", 1) for l in out.splitlines() if " " in l)
    assert lines.get("EXT") == "1", out           # permessage-deflate was negotiated
    assert lines.get("COMMON") == "[]", out
    assert "mhttp._ws_more" in lines["RARE"] and "mhttp._ws_rare" in lines["RARE"], out
    assert out.rstrip().endswith("OK"), out


def test_cpython(echo_port, tmp_path):
    f = tmp_path / "c.py"
    f.write_text(SCRIPT % (RARE, echo_port))
    r = subprocess.run([sys.executable, str(f)], cwd=ROOT, capture_output=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    _check(r.stdout.decode())


def test_micropython(echo_port, tmp_path):
    f = tmp_path / "m.py"
    f.write_text(SCRIPT % (RARE, echo_port))
    r = run_micropython([str(f)], timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    _check(r.stdout.decode())
