# Board RAM, pay for what you use: on MicroPython a WebSocket client that connects
# (HTTP/1.1 upgrade, permessage-deflate negotiated) and exchanges binary and ASCII text
# messages with an echo server keeps none of the HTTP/1.1 client's modules after the
# handshake, and loads none of the modules holding the rarely used parts
# (mhttp._ws_server, _ws_rare, _ws_more, _ws_msg, _ws_cpy, _ws_close (a received close
# frame, the closing handshake's frames and the transport's end), and mhttp._errors_more where
# WSError lives) -- not even when the server pings it (keepalive pings are routine) --
# and the moved methods still work when asked for; on CPython (which binds
# the rare methods at import, mhttp._lazy.settle) the same script runs and the error
# modules stay unloaded.  Fresh interpreters, CPython and the MicroPython unix port.
import os
import subprocess
import sys

import pytest

from conftest import ROOT, free_port, port_open, wait_until, run_on

RARE = ("mhttp._errors_more", "mhttp._ws_msg", "mhttp._ws_server", "mhttp._ws_rare",
        "mhttp._ws_more", "mhttp._ws_cpy", "mhttp._ws_close",
        # the pure-Python masking: not loaded where the native masking runs (the unix
        # port's tools/micropython has it, as a board's bundle does)
        "mhttp._ws_pymask",
        # mhttp.errors itself: imported where raised, matched through mhttp.ws._is
        "mhttp.errors")

SCRIPT = r'''
import sys
from mhttp import websocket

RARE = %r
if sys.implementation.name != "micropython":
    # CPython binds the rare methods at import (mhttp._lazy.settle: attribute-access
    # speed) and masks with mhttp._ws_cpy; the error classes and texts stay lazy there too
    RARE = RARE[:2]

MP = sys.implementation.name == "micropython"


def loaded():
    return [m for m in RARE if m in sys.modules]

ws = websocket.new_from_uri("ws://127.0.0.1:%d/ws", blocking=True)
ws.connect(10)
# after the 101 the WebSocket reads and writes through mhttp._ws_tun's Tunnel, loaded by
# connect(); on MicroPython the HTTP/1.1 client's modules the handshake loaded are gone
# (board RAM; tests_host/test_ws_tunnel.py)
H1 = ("mhttp.client", "mhttp.h1_connection", "mhttp.h1", "mhttp._h1_client",
      "mhttp.stream_common", "mhttp._h1c_stream")
print("TUNNEL", type(ws.unwrap().stream).__name__, "mhttp._ws_tun" in sys.modules,
      [m for m in H1 if m in sys.modules] if MP else [])
# the blocking face's class derives from mhttp._io_socket's Blocking: mhttp.blocking (its
# public name) is not loaded for it
print("BLOCKING", "mhttp.blocking" in sys.modules)
# MicroPython: the inflater reads each message into the I/O object's read buffer (lent by
# connect on the blocking face over HTTP/1.1; mhttp.ws._Inflater.buf)
print("LENT", MP and ws.unwrap().p._inflater.buf is ws.unwrap().stream.io.buf)
msg = bytes(range(256)) * 4
for i in range(20):
    ws.send(msg)
    assert ws.receive(10) == (msg, "binary")
ws.send("plain text")
assert ws.receive(10) == ("plain text", "text")
print("EXT", len(ws.extensions))
# a keepalive ping from the server (put in the protocol's input as if read): answered
# with a pong by receive() without loading the closing code (mhttp._ws_close)
ws.p.receive_data(b"\x89\x01k")
ws.send(msg)
assert ws.receive(10) == (msg, "binary")
print("COMMON", loaded())
ws.send_ping(b"p")                 # mhttp._ws_more + mhttp._ws_rare
# (the server's pong arrives with the next message: read in next_event, no module)
ws.send("h\u00e9")                 # non-ASCII text (MicroPython: mhttp._ws_rare's check)
assert ws.receive(10) == ("h\u00e9", "text")
print("RARE", sorted(loaded()))
assert ws.close() is True
# the closing code: loaded by close() (mhttp._ws_close: WebSocket.close and
# WSProtocol.send_close)
print("CLOSE", "mhttp._ws_close" in sys.modules)
print("OK")
'''


@pytest.fixture(scope="module")
def echo_port():
    port = free_port()
    env = dict(os.environ)
    p = subprocess.Popen([sys.executable, "-m", "mhttp", "serve", "--port", str(port)],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: port_open(port), 20)
    yield port
    p.kill()
    p.wait(10)


def _run(path, mp):
    # the script on MicroPython (mp) or CPython, from the repository: (returncode, stdout)
    r = run_on("micropython" if mp else "cpython", [str(path)], timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.decode()


def _check(out, mp):
    lines = dict(l.split(" ", 1) for l in out.splitlines() if " " in l)
    assert lines.get("EXT") == "1", out           # permessage-deflate was negotiated
    assert lines.get("TUNNEL") == "Tunnel True []", out
    assert lines.get("BLOCKING") == "False", out
    assert lines.get("LENT") == str(mp), out
    assert lines.get("COMMON") == "[]", out
    if mp:
        assert "mhttp._ws_more" in lines["RARE"] and "mhttp._ws_rare" in lines["RARE"], out
        # (send_ping builds its frame with mhttp._ws_rare's _frame: no closing code)
        assert "mhttp._ws_close" not in lines["RARE"], out
    assert lines.get("CLOSE") == "True", out
    assert out.rstrip().endswith("OK"), out


def test_cpython(echo_port, tmp_path):
    f = tmp_path / "c.py"
    f.write_text(SCRIPT % (RARE, echo_port))
    _check(_run(f, False), False)


def test_micropython(echo_port, tmp_path):
    f = tmp_path / "m.py"
    f.write_text(SCRIPT % (RARE, echo_port))
    _check(_run(f, True), True)


FIRST = r'''
import %s
from mhttp import ws as W, websocket
p = W.WSProtocol(client=False)
assert p.send_ping(b"x") == b"\x89\x01x"
assert W.PerMessageDeflate().accept([(b"client_max_window_bits", None)]) is not None
assert callable(websocket.WebSocket("client").send_ping)
assert W.HandshakeError is websocket.HandshakeError
assert W.PerMessageDeflate().offer().startswith(b"permessage-deflate")
assert websocket.parse_ws_uri("ws://h:1/p") == ("ws", None, "h", 1, "/p")
assert W.client_request(b"h", b"/", W.client_key()).get(":path") == b"/"
print("OK")
'''


@pytest.mark.parametrize("first", ["mhttp._ws_rare", "mhttp._ws_server", "mhttp._ws_more",
                                   "mhttp._ws_msg", "mhttp._ws_hs", "mhttp._ws_open",
                                   "mhttp._ws_hserr", "mhttp._ws_close", "mhttp._ws_uri"])
def test_a_rare_module_imported_first(first, tmp_path):
    # It imports mhttp.ws / mhttp.websocket half-way through its own import: their
    # CPython binding at import (settle) then leaves the classes binding lazily.
    f = tmp_path / "f.py"
    f.write_text(FIRST % first)
    for mp in (False, True):
        out = _run(f, mp)
        assert out.strip() == "OK", out


UNLOAD = r"""
import sys
from mhttp import websocket, ws as W
if %r:
    import mhttp._ws_server     # a server half in the same program keeps mhttp._ws_hs
MP = sys.implementation.name == "micropython"
SETUP = ("mhttp._ws_start", "mhttp._ws_open", "mhttp._ws_req", "mhttp._ws_hs")
msg = bytes(range(256)) * 4
for n in range(3):
    ws = websocket.new_from_uri("ws://127.0.0.1:%d/ws", blocking=True)
    # (MicroPython: new_from_uri drops mhttp._ws_uri, its own code, at once)
    assert ("mhttp._ws_uri" in sys.modules) != MP
    ws.connect(10)
    print("LOADED", n, sorted(m for m in SETUP if m in sys.modules))
    assert ws.extensions and ws.headers.get(":status") == b"101"
    ws.send(msg)
    assert ws.receive(10) == (msg, "binary")
    assert ws.close() is True
pmd = W.PerMessageDeflate()
assert pmd.offer().startswith(b"permessage-deflate") and "mhttp._ws_req" in sys.modules
print("OK")
"""


@pytest.mark.parametrize("server_half", [False, True])
def test_setup_modules_dropped_after_connect(echo_port, tmp_path, server_half):
    # MicroPython: connect() drops mhttp._ws_start, _ws_open, _ws_req (the request, dropped
    # once written) and _ws_hs (the client's setting up, run once) from sys.modules once
    # it has the server's answer; the next new_from_uri / connect imports them again.
    # mhttp._ws_hs stays while a server half (mhttp._ws_server) uses it.  CPython keeps
    # them (mhttp._ws_hs and _ws_req imported with mhttp.ws).
    f = tmp_path / "u.py"
    f.write_text(UNLOAD % (server_half, echo_port))
    for mp in (False, True):
        out = _run(f, mp)
        assert out.rstrip().endswith("OK"), out
        want = "[]"
        if not mp:
            want = "['mhttp._ws_hs', 'mhttp._ws_open', 'mhttp._ws_req', 'mhttp._ws_start']"
        elif server_half:
            want = "['mhttp._ws_hs']"
        for n in range(3):
            assert "LOADED %d %s" % (n, want) in out, out


FAILED = r"""
import sys
from mhttp import websocket
SETUP = ("mhttp._ws_start", "mhttp._ws_open", "mhttp._ws_req", "mhttp._ws_hs",
         "mhttp._ws_server", "mhttp._ws_gen",
         "mhttp._ws_uri", "mhttp.client", "mhttp.h1", "mhttp.h1_connection")
url = "ws://127.0.0.1:%d/ws"
for n in range(2):
    ws = websocket.new_from_uri(url, blocking=True, headers=[(b"sec-websocket-version", b"8")])
    try:
        ws.connect(10)
        raise SystemExit("connected with version 8")
    except websocket.HandshakeError as e:
        print("REFUSED", n, ws.headers.get(":status"))
    print("LOADED", n, sorted(m for m in SETUP if m in sys.modules))
ws = websocket.new_from_uri(url, blocking=True)
ws.connect(10)
print("AFTER", sorted(m for m in SETUP if m in sys.modules))
assert ws.close() is True
print("OK")
"""


def test_setup_modules_dropped_after_a_failed_connect(echo_port, tmp_path):
    # MicroPython: a refused handshake (HandshakeError, here 426 for version 8; extra
    # request fields: not the plain case, mhttp._ws_gen over mhttp.client and
    # mhttp.h1_connection) drops mhttp._ws_start, _ws_open, _ws_gen, _ws_req, _ws_hs and
    # the HTTP/1.1
    # client's modules too, and HandshakeError (mhttp._ws_hserr) loads
    # neither mhttp._ws_server nor mhttp._ws_hs: a later connect drops them as well.
    f = tmp_path / "fail.py"
    f.write_text(FAILED % echo_port)
    for mp in (False, True):
        out = _run(f, mp)
        assert out.rstrip().endswith("OK"), out
        for n in range(2):
            assert "REFUSED %d b'426'" % n in out, out
            if mp:
                assert "LOADED %d []" % n in out, out
        if mp:
            assert "AFTER []" in out, out


HSERR = r"""
import sys
from mhttp import ws as W
from mhttp import _ws_server as S
h, chosen, exts = S.server_handshake(W.client_request(b"a", b"/", W.client_key()))
assert h.get(b":status") == b"101"
print("ACCEPTED", "mhttp._ws_hserr" in sys.modules)
try:
    S.server_handshake(W.client_request(b"a", b"/", b"short"))
    print("no error")
except S.HandshakeError as e:
    print("REFUSED", e.status_hint, "mhttp._ws_hserr" in sys.modules)
from mhttp._ws_server import HandshakeError
assert HandshakeError is W.HandshakeError
print("OK")
"""


def test_server_loads_handshake_error_on_a_refusal(tmp_path):
    # MicroPython: mhttp._ws_server does not import mhttp._ws_hserr (HandshakeError) until
    # a handshake is refused (board RAM); the name is still there (module __getattr__).
    # CPython imports it with the module.
    f = tmp_path / "h.py"
    f.write_text(HSERR)
    for mp in (False, True):
        out = _run(f, mp).split()
        assert out == ["ACCEPTED", str(not mp), "REFUSED", "400", "True", "OK"], (mp, out)
