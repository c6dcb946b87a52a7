# A client WebSocket after an HTTP/1.1 upgrade reads and writes through mhttp._ws_tun's
# Tunnel (the I/O object itself), not the H1Connection and H1Stream that made the
# handshake; on MicroPython the HTTP/1.1 client's modules the handshake loaded are then
# dropped from sys.modules (board RAM), those the program imported itself stay.  Both
# runtimes, fresh interpreters, against a raw server written here that puts the
# server's first frames in the same write as the 101 (the bytes the HTTP/1.1 parser
# read past the head), or ends TCP right after it.
import os
import time

import pytest

from conftest import ROOT, run_on, require_micropython

from _ws_raw import served



def _bad_accept(acc):
    # acc with another first character ("x", or "y" when it is "x" already: 1 key in 64)
    return (b"y" if acc[:1] == b"x" else b"x") + acc[1:]


def test_bad_accept_always_differs():
    for c in b"ABCXYZabcxyz0189+/":
        acc = bytes((c,)) + b"Pa1e/Xq+Jz2Ym0sR7tKcVw8nDk="
        assert _bad_accept(acc) != acc and _bad_accept(acc)[1:] == acc[1:]

def _frame(op, payload):
    # an unmasked server frame, payload < 126 bytes
    return bytes([0x80 | op, len(payload)]) + payload


def _answer(mode, c, head, acc):
    out = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n")
    if mode == "tab":
        # a head the client's plain case leaves to mhttp.h1 (a tab)
        out = out[:-2] + b"X-Tab: a\tb\r\n\r\n"
    elif mode == "interim":
        out = b"HTTP/1.1 100 Continue\r\n\r\n" + out
    elif mode == "split":
        # the head in pieces (a CRLF cut in two)
        c.sendall(out[:20])
        time.sleep(0.05)
        c.sendall(out[20:len(out) - 3])
        time.sleep(0.05)
        out = out[len(out) - 3:]
    elif mode == "refuse":
        c.sendall(b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                  b"Content-Length: 0\r\n\r\n")
        return
    elif mode == "noanswer":
        return
    elif mode == "fold":
        # a folded Connection field: mhttp.h1 refuses it (a client joins an obs-fold
        # line to a field that does not steer framing; its error path: _h1_rare,
        # _h1_text)
        out = out.replace(b"Connection: Upgrade\r\n", b"Connection: Upgrade\r\n x\r\n")
    elif mode == "slow":
        time.sleep(0.4)
    elif mode == "badaccept":
        out = out.replace(acc, _bad_accept(acc))
    if mode == "eof":
        c.sendall(out)
        return                    # TCP ends right after the 101
    out += _frame(1, b"first") + _frame(2, b"\x00second")
    if mode == "frames_eof":
        c.sendall(out)
        return                    # two frames, then TCP ends
    c.sendall(out)
    # "echo": then echo each message (small unfragmented frames, masked by
    # the client) until its close frame, which is echoed
    buf = b""
    while True:
        while len(buf) < 6 or len(buf) < 6 + (buf[1] & 127):
            d = c.recv(4096)
            if not d:
                break
            buf += d
        if len(buf) < 6:
            break
        op, n = buf[0] & 15, buf[1] & 127
        mask, data = buf[2:6], buf[6:6 + n]
        buf = buf[6 + n:]
        c.sendall(_frame(op, bytes(b ^ mask[i & 3] for i, b in enumerate(data))))
        if op == 8:
            break


def _served(mode):
    # the raw server (tests_host/_ws_raw.py) answering as `mode` says: -> a context
    # manager giving its port
    return served(lambda c, head, acc: _answer(mode, c, head, acc))


def _client(runtime, src, tmp_path):
    # the client program src run on runtime: its output, checked to end with OK
    if runtime == "micropython":
        require_micropython()
    f = tmp_path / "c.py"
    f.write_text(src)
    r = run_on(runtime, [str(f)], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0 and out.rstrip().endswith("OK"), out + r.stderr.decode()
    return out


@pytest.fixture(params=["echo", "frames_eof", "eof", "tab", "interim", "split"])
def raw(request):
    with _served(request.param) as port:
        yield request.param, port


CLIENT = r"""
import sys
from mhttp import websocket
MP = sys.implementation.name == "micropython"
H1 = ("mhttp.client", "mhttp.h1_connection", "mhttp.h1", "mhttp._h1_client",
      "mhttp.stream_common", "mhttp._h1c_stream")
if %(own)r:
    import mhttp.client, mhttp.h1_connection    # the program's own: they stay
    own = (mhttp.client, mhttp.h1_connection, sys.modules["mhttp.h1"])
mode = %(mode)r
ws = websocket.new_from_uri("ws://127.0.0.1:%(port)d/", blocking=True)
ws.connect(10)
w = ws.unwrap()
t = w.stream
print("TUNNEL", type(t).__name__, w.connection is t, t.connection is t, t.headers is w.headers)
# (H1Connection's peername / localname / alpn: the I/O object's)
print("CONN", t.version == 1.1, t.type, t.is_server, t.closed, t.checktls(),
      t.peername() == t.io.peername(), t.localname() == t.io.localname(), t.alpn())
print("HEAD", ws.headers.get(":status"), ws.extensions, ws.protocol)
print("LOADED", [m for m in H1 if m in sys.modules])
# (CPython keeps what it loaded: whether mhttp.h1 read the answer)
print("H1READ", "mhttp.h1" in sys.modules)
if %(own)r:
    import mhttp.client, mhttp.h1_connection
    print("SAME", own == (mhttp.client, mhttp.h1_connection, sys.modules["mhttp.h1"]))
if mode == "eof":
    print("GOT", ws.receive(5), ws.close_code)
else:
    print("GOT", ws.receive(5), ws.receive(5))
    if mode != "frames_eof":
        ws.send("hello")
        ws.send(b"\x01\x02")
        print("ECHO", ws.receive(5), ws.receive(5))
        print("CLOSE", ws.close(4001, "bye"), ws.close_code, ws.close_reason)
    else:
        print("END", ws.receive(5), ws.close_code)
print("AFTER", t.closed, ws.ready_state)
# H1Connection's rare methods on the tunnel (mhttp._h1c_rare's, bound on first use)
from mhttp._io import run_blocking
try:
    run_blocking(t.connect(1))
    print("RECONNECT no error")
except Exception as e:
    print("RECONNECT", type(e).__name__, e)
print("SHUTDOWN", t.shutdown(), run_blocking(t.close()), t.closed)
# the HTTP/1.1 client works as before after the handshake (imported again if dropped)
import mhttp.client
print("AGAIN", callable(mhttp.client.connect))
print("OK")
"""


@pytest.mark.parametrize("own", [False, True])
@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_client_tunnel_after_101(raw, runtime, own, tmp_path):
    mode, port = raw
    out = _client(runtime, CLIENT % {"mode": mode, "port": port, "own": own}, tmp_path)
    lines = dict(l.split(" ", 1) for l in out.splitlines() if " " in l)
    assert lines["TUNNEL"] == "Tunnel True True True", out
    assert lines["CONN"] == "True client False False False True True None", out
    assert lines["HEAD"] == "b'101' [] None", out
    if runtime == "micropython" and not own:
        assert lines["LOADED"] == "[]", out
    elif runtime == "micropython":
        # the program's imports stay, the same modules; what only the handshake
        # loaded goes (mhttp._h1_client, loaded when mhttp.h1 reads the answer, stays
        # with mhttp.h1, whose global holds it)
        cli = "'mhttp._h1_client', " if mode in ("tab", "interim") else ""
        assert lines["LOADED"] == ("['mhttp.client', 'mhttp.h1_connection', 'mhttp.h1', "
                                   "%s'mhttp.stream_common']" % cli), out
        assert lines["SAME"] == "True", out
    if runtime == "cpython" and not own:
        # the plain case reads the plain heads itself, mhttp.h1 the others
        assert lines["H1READ"] == str(mode in ("tab", "interim")), out
    if mode == "eof":
        assert lines["GOT"] == "None 1006", out
    else:
        assert lines["GOT"] == "('first', 'text') (b'\\x00second', 'binary')", out
    if mode != "eof" and mode != "frames_eof":
        assert lines["ECHO"] == "('hello', 'text') (b'\\x01\\x02', 'binary')", out
        assert lines["CLOSE"] == "True 4001 bye", out
    elif mode == "frames_eof":
        assert lines["END"] == "None 1006", out
    assert lines["AFTER"] == "True 3", out
    assert lines["RECONNECT"] == "ConnectionClosed connection is closed", out
    assert lines["SHUTDOWN"] == "None None True", out
    assert lines["AGAIN"] == "True", out


FAIL = r"""
import sys
from mhttp import websocket
ws = websocket.new_from_uri("ws://127.0.0.1:%(port)d/x", blocking=True)
try:
    ws.connect(10)
    print("CONNECTED")
except Exception as e:
    w = ws.unwrap()
    print("ERR", type(e).__name__, e)
    print("STATE", w.ready_state, type(w.connection).__name__, w.connection.closed,
          w.connection.io.closed, w.headers and w.headers.get(":status"))
# MicroPython, the blocking face: what the handshake loaded is dropped, mhttp.h1's
# rare and error paths too (they hold mhttp.h1: a later request would load a 2nd copy)
print("LOADED", sorted(m for m in ("mhttp.h1", "mhttp._h1_rare", "mhttp._h1_text",
                                   "mhttp.h1_connection", "mhttp.client") if m in sys.modules))
print("OK")
"""

# what the client said before the plain case existed (HEAD~ of this test: mhttp.h1 read
# every answer): the same errors, states and connection objects
FAIL_WANT = {
    "refuse": ["ERR HandshakeError \u00a74.1: the server answered b'426', not 101",
               "STATE 3 H1Connection True True b'426'"],
    "noanswer": ["ERR ConnectionClosed peer closed the connection before a response",
                 "STATE 3 H1Connection True True None"],
    "fold": ["ERR H1Error obs-fold continuing b'connection' (only a field that does not "
             "steer framing may be folded)",
             "STATE 3 H1Connection True True None"],
    "badaccept": ["ERR HandshakeError \u00a74.1: Sec-WebSocket-Accept does not match the key",
                  "STATE 3 H1Connection True True b'101'"],
}


@pytest.mark.parametrize("mode", sorted(FAIL_WANT))
@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_client_failed_handshake_as_before(mode, runtime, tmp_path):
    with _served(mode) as port:
        out = _client(runtime, FAIL % {"port": port}, tmp_path)
    assert out.splitlines()[:2] == FAIL_WANT[mode], out
    if runtime == "micropython":
        assert "LOADED []" in out, out


CONC = r"""
import sys
import asyncio
from mhttp import websocket
async def wsconn():
    ws = websocket.new_from_uri("ws://127.0.0.1:%(port)d/x")
    await ws.connect(10)
    print("CONNECTED", type(ws.connection).__name__)
    ws.connection.abort()
async def other():
    await asyncio.sleep(0.1)    # (the server answers 0.4 s after the request)
    import mhttp.client
    import mhttp.h1
    print("IMPORTED", "mhttp.client" in sys.modules)
async def main():
    await asyncio.gather(wsconn(), other())
asyncio.run(main())
import mhttp
print("AFTER", "mhttp.client" in sys.modules, "mhttp.h1" in sys.modules,
      callable(mhttp.client.connect), mhttp.h1 is sys.modules["mhttp.h1"])
print("OK")
"""


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_client_keeps_what_another_task_imported(runtime, tmp_path):
    # The asyncio face: other tasks run during the handshake; what one imported then (the
    # HTTP/1.1 client's public modules) stays, in sys.modules and on the package
    # (MicroPython unloads only the private setting-up modules there).
    with _served("slow") as port:
        out = _client(runtime, CONC % {"port": port}, tmp_path)
    assert out.splitlines()[:3] == ["IMPORTED True", "CONNECTED Tunnel",
                                    "AFTER True True True True"], out
