# A client WebSocket's reads as a server may cut them, after an HTTP/1.1 upgrade: two
# compressed messages in one write, a ping before a compressed message, a compressed
# frame in two writes, a text frame and half a compressed frame in one write.  On
# MicroPython the blocking face parses each read in the I/O object's buffer, where the
# next read lands and a send masks its frame (mhttp._ws_tun.Tunnel.raw): what is left
# of a read must be copied before receive() returns, so a send between two messages of
# one read must not spoil the second.  Both runtimes, fresh interpreters, against a raw
# server written here (tests_host/_ws_raw.py).
import time
import zlib

import pytest

from conftest import run_on, require_micropython

from _ws_raw import served


def _msg(i, n=1024):
    # message i: n bytes, compressible, different for each i
    return bytes((k * (i + 1) + (k >> 5)) & 255 for k in range(n))


def _frame(op, payload, rsv1=False):
    # an unmasked server frame
    b0 = 0x80 | op | (0x40 if rsv1 else 0)
    n = len(payload)
    if n < 126:
        return bytes([b0, n]) + payload
    return bytes([b0, 126, n >> 8, n & 255]) + payload


def _z(data):
    # a compressed message's frame: raw deflate (a 2**10 window, no context kept), the
    # sync flush's 00 00 ff ff removed (RFC 7692 §7.2.1)
    c = zlib.compressobj(6, zlib.DEFLATED, -10)
    d = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert d[-4:] == b"\x00\x00\xff\xff"
    return _frame(2, d[:-4], True)


def _client_frame(c, buf):
    # the next masked client frame -> (opcode, payload, rest of buf)
    while True:
        if len(buf) >= 2:
            n = buf[1] & 127
            h = 2
            if n == 126 and len(buf) >= 4:
                n = buf[2] << 8 | buf[3]
                h = 4
            if n < 126 or h == 4:
                if len(buf) >= h + 4 + n:
                    mask = buf[h:h + 4]
                    data = bytes(b ^ mask[i & 3] for i, b in enumerate(buf[h + 4:h + 4 + n]))
                    return buf[0] & 15, buf[0] & 0x40, data, buf[h + 4 + n:]
        d = c.recv(4096)
        if not d:
            return None, 0, b"", b""
        buf += d


def _answer(c, head, acc):
    assert b"permessage-deflate" in head
    c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
              b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n"
              b"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover;"
              b" server_max_window_bits=10\r\n\r\n")
    time.sleep(0.2)
    c.sendall(_z(_msg(1)) + _z(_msg(2)))              # two messages in one write
    op, z, x, buf = _client_frame(c, b"")              # the client's send between them
    if z:
        x = zlib.decompress(x + b"\x00\x00\xff\xff", -15)
    c.sendall(_frame(2, x) + _frame(9, b"p") + _z(_msg(3)))   # its echo, a ping, a message
    f = _z(_msg(4))
    c.sendall(f[:100])                                 # a compressed frame in two writes
    time.sleep(0.2)
    c.sendall(f[100:])
    f = _z(_msg(5))
    c.sendall(_frame(1, b"hi") + f[:50])               # a text frame and half a message
    time.sleep(0.2)
    c.sendall(f[50:])
    while op is not None and op != 8:                  # the pong, then the close, echoed
        op, z, x, buf = _client_frame(c, buf)
    if op == 8:
        c.sendall(_frame(8, x))


CLIENT = r"""
from mhttp import websocket

def msg(i, n=1024):
    return bytes((k * (i + 1) + (k >> 5)) & 255 for k in range(n))

ws = websocket.new_from_uri("ws://127.0.0.1:%(port)d/", blocking=True)
ws.connect(10)
print("EXT", ws.extensions)
a = ws.receive(5)
ws.send(b"between")
b = ws.receive(5)
c = ws.receive(5)
d = ws.receive(5)
e = ws.receive(5)
f = ws.receive(5)
g = ws.receive(5)
print("M1", a == (msg(1), "binary"))
print("M2", b == (msg(2), "binary"))
print("ECHO", c)
print("M3", d == (msg(3), "binary"))
print("M4", e == (msg(4), "binary"))
print("TEXT", f)
print("M5", g == (msg(5), "binary"))
ws.close()
print("CLOSE", ws.close_code)
print("OK")
"""


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_client_reads_cut_anywhere(runtime, tmp_path):
    if runtime == "micropython":
        require_micropython()
    with served(_answer) as port:
        f = tmp_path / "c.py"
        f.write_text(CLIENT % {"port": port})
        r = run_on(runtime, [str(f)], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0 and out.rstrip().endswith("OK"), out + r.stderr.decode()
    assert "permessage-deflate" in out
    for k in ("M1", "M2", "M3", "M4", "M5"):
        assert "%s True" % k in out, out
    assert "ECHO (b'between', 'binary')" in out
    assert "TEXT ('hi', 'text')" in out
    assert "CLOSE 1000" in out
