# Misbehaving raw HTTP/2 clients against our server (CPython fast path, asyncio-streams
# path, MicroPython unix port): an invalid preface, a CONTINUATION flood and a rapid
# reset loop (bounded to 2000 streams) each get the core's GOAWAY with the right code,
# and a well-behaved client on another connection keeps being served meanwhile.
import socket
import struct
import time

import pytest

from conftest import require
from _h2_util import start_app, run
from mhttp.hpack import Encoder
from mhttp.h2_frames import (PREFACE, header_pack, settings_pack, rst_stream_pack,
                             headers_pack, continuation_pack, goaway_unpack)
from mhttp.errors import PROTOCOL_ERROR, ENHANCE_YOUR_CALM


@pytest.fixture(params=["cpython", "streams", "micropython"])
def app(request):
    a = start_app(request.param)
    yield a
    out = a.stop()
    assert b"Traceback" not in out, out[-2000:]


def _frames(sock, deadline):
    # Yields (type, flags, stream_id, payload) until EOF or the deadline.
    buf = b""
    while time.time() < deadline:
        while len(buf) >= 9:
            ln = (buf[0] << 16) | (buf[1] << 8) | buf[2]
            if len(buf) < 9 + ln:
                break
            t, fl, sid = buf[3], buf[4], struct.unpack(">L", buf[5:9])[0] & 0x7fffffff
            yield t, fl, sid, buf[9:9 + ln]
            buf = buf[9 + ln:]
        sock.settimeout(max(0.05, deadline - time.time()))
        try:
            d = sock.recv(65536)
        except socket.timeout:
            return
        except OSError:
            return
        if not d:
            return
        buf += d


def _goaway(sock, timeout=10):
    for t, fl, sid, p in _frames(sock, time.time() + timeout):
        if t == 7:
            return goaway_unpack(p)
    return None


def _connect(port):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def _req_block(enc, port, path=b"/"):
    return enc.encode([(b":method", b"POST"), (b":scheme", b"http"),
                       (b":authority", b"127.0.0.1:%d" % port), (b":path", path)])


def _healthy(port):
    # a normal client (curl, HTTP/2 prior knowledge) on its own connection
    r = run([require("curl"), "-sS", "--max-time", "10", "--http2-prior-knowledge",
             "http://127.0.0.1:%d/" % port], 20)
    return r.stdout == b"Hello, World!"


def test_invalid_preface_gets_goaway(app):
    s = _connect(app.port)
    try:
        # starts like the preface (so it is HTTP/2), then differs
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + settings_pack({}))
        g = _goaway(s)
        assert g is not None and g[1] == PROTOCOL_ERROR, g
    finally:
        s.close()
    assert _healthy(app.port)


def test_continuation_flood_gets_goaway(app):
    other = _connect(app.port)     # an innocent connection opened before the attack
    other.sendall(PREFACE + settings_pack({}))
    s = _connect(app.port)
    try:
        enc = Encoder()
        s.sendall(PREFACE + settings_pack({}))
        block = _req_block(enc, app.port)
        out = [headers_pack(1, block[:5], end_stream=True, end_headers=False)]
        for i in range(2000):
            out.append(continuation_pack(1, b"\x40\x01a\x01b", end_headers=False))
        try:
            s.sendall(b"".join(out))
        except OSError:
            pass
        g = _goaway(s)
        assert g is not None and g[1] == ENHANCE_YOUR_CALM, g
        assert b"CONTINUATION" in g[2]
    finally:
        s.close()
    assert _healthy(app.port)
    # the connection opened before the attack still works
    enc = Encoder()
    other.sendall(headers_pack(1, enc.encode([(b":method", b"GET"), (b":scheme", b"http"),
                                              (b":authority", b"x"), (b":path", b"/")]),
                               end_stream=True))
    got = b""
    for t, fl, sid, p in _frames(other, time.time() + 10):
        if t == 0 and sid == 1:
            got += p
            if fl & 1:
                break
    other.close()
    assert got == b"Hello, World!"


def test_rapid_reset_gets_goaway_bounded(app):
    s = _connect(app.port)
    try:
        enc = Encoder()
        s.sendall(PREFACE + settings_pack({}))
        block = _req_block(enc, app.port)
        sent = 0
        sid = 1
        g = None
        s.settimeout(0.01)
        # HEADERS (a POST whose body never comes) + RST_STREAM(CANCEL), 100 per write,
        # at most 2000 streams
        while sent < 2000:
            batch = []
            for i in range(100):
                batch.append(headers_pack(sid, block, end_stream=False))
                batch.append(rst_stream_pack(sid, 8))
                sid += 2
                sent += 1
            try:
                s.sendall(b"".join(batch))
            except OSError:
                break
            try:
                d = s.recv(65536, socket.MSG_PEEK)
                if not d:
                    break
            except (socket.timeout, BlockingIOError):
                pass
            except OSError:
                break
        g = _goaway(s)
        assert g is not None and g[1] == ENHANCE_YOUR_CALM, g
        assert b"rapid reset" in g[2]
        assert g[0] < 2000 * 2          # cut off before the loop's end
    finally:
        s.close()
    assert _healthy(app.port)
