# Our HTTP/2 server's limits on a stalling or odd client (`python -m mhttp serve` on the
# CPython fast path, the asyncio-streams path and the MicroPython unix port, with short
# timeouts), checked on the wire: a request stream left silent gets 408 and
# RST_STREAM(NO_ERROR) after body_timeout and the connection its GOAWAY after
# idle_timeout; a header block left unfinished gets GOAWAY(ENHANCE_YOUR_CALM); an
# extended CONNECT for a protocol we do not speak is refused at once (400), not after its
# never-ending request; `Upgrade: h2c` is ignored (the request served as HTTP/1.1) on an
# HTTP/1.0 request, without `Upgrade, HTTP2-Settings` in Connection, and with an
# HTTP2-Settings value that is not base64url.  Meanwhile other streams and connections
# keep being served.
import os
import socket
import struct
import time

import pytest

from _h2_util import PY, ROOT, Proc, free_port
from mhttp.hpack import Encoder, Decoder
from mhttp.h2_frames import (PREFACE, settings_pack, headers_pack, goaway_unpack,
                             rst_stream_pack)

MP = os.path.join(ROOT, "tools", "micropython")
BODY_TIMEOUT = 2
IDLE_TIMEOUT = 3


@pytest.fixture(scope="module", params=["cpython", "streams", "micropython"])
def srv(request):
    port = free_port()
    exe = [MP] if request.param == "micropython" else [PY]
    argv = exe + ["-m", "mhttp", "serve", "--port", str(port), "--body-timeout",
                  str(BODY_TIMEOUT), "--header-timeout", "2", "--idle-timeout",
                  str(IDLE_TIMEOUT)]
    if request.param == "streams":
        argv.append("--streams")
    p = Proc(argv, port)
    yield p
    out = p.stop()
    assert b"Traceback" not in out, out[-2000:]


def _connect(port):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    # The frames a server sends on one connection: (type, flags, stream id, payload),
    # with the time each came; HEADERS decoded (one decoder per connection).
    def __init__(self, sock):
        self.s = sock
        self.buf = b""
        self.dec = Decoder()
        self.eof = False

    def frames(self, deadline):
        while True:
            while len(self.buf) >= 9:
                ln = (self.buf[0] << 16) | (self.buf[1] << 8) | self.buf[2]
                if len(self.buf) < 9 + ln:
                    break
                b = self.buf
                t, fl, sid = b[3], b[4], struct.unpack(">L", b[5:9])[0] & 0x7fffffff
                p = b[9:9 + ln]
                self.buf = b[9 + ln:]
                if t == 1:
                    p = dict(self.dec.decode(p))
                yield t, fl, sid, p, time.time()
            if self.eof or time.time() >= deadline:
                return
            self.s.settimeout(max(0.05, deadline - time.time()))
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return
            except OSError:
                d = b""
            if not d:
                self.eof = True
            self.buf += d

    def until(self, pred, timeout):
        got = []
        for f in self.frames(time.time() + timeout):
            if f[0] in (4, 8, 6):       # SETTINGS, WINDOW_UPDATE, PING
                continue
            got.append(f)
            if pred(f):
                break
        return got


def _get(enc, sid, port, path=b"/"):
    return headers_pack(sid, enc.encode([(b":method", b"GET"), (b":scheme", b"http"),
                                         (b":authority", b"127.0.0.1:%d" % port),
                                         (b":path", path)]), end_stream=True)


def _served(r, sid, timeout=10):
    # the stream's response: (status, body) once its END_STREAM came
    st = None
    body = b""
    for t, fl, s, p, _ in r.frames(time.time() + timeout):
        if s != sid:
            continue
        if t == 1:
            st = p.get(b":status")
        elif t == 0:
            body += p
        if t in (0, 1) and fl & 1:
            return st, body
    return st, None


def test_silent_request_stream_gets_408_reset_then_goaway(srv):
    # HEADERS without END_STREAM, then no DATA: 408 after body_timeout, RST_STREAM
    # (NO_ERROR: the rest of the request is not wanted), and once no stream is left,
    # GOAWAY(NO_ERROR) after idle_timeout.  Before: nothing at all, the handler waited
    # for good (slowloris over h2).
    other = _connect(srv.port)          # another client, served meanwhile
    other.sendall(PREFACE + settings_pack({}))
    ro, eo = Reader(other), Encoder()
    s = _connect(srv.port)
    try:
        enc = Encoder()
        s.sendall(PREFACE + settings_pack({}) + headers_pack(
            1, enc.encode([(b":method", b"POST"), (b":scheme", b"http"),
                           (b":authority", b"x"), (b":path", b"/")]), end_stream=False))
        t0 = time.time()
        r = Reader(s)
        # the same connection serves another stream while stream 1 waits
        s.sendall(_get(enc, 3, srv.port))
        assert _served(r, 3) == (b"200", b"Hello, World!")
        other.sendall(_get(eo, 1, srv.port))
        assert _served(ro, 1) == (b"200", b"Hello, World!")
        got = r.until(lambda f: f[0] == 7, BODY_TIMEOUT + IDLE_TIMEOUT + 10)
        kinds = [(f[0], f[2]) for f in got]
        assert kinds == [(1, 1), (3, 1), (7, 0)], got
        h, rst, ga = got
        assert h[3][b":status"] == b"408" and h[1] & 1, h       # 408 with END_STREAM
        assert h[4] - t0 >= BODY_TIMEOUT - 0.5, h[4] - t0
        assert struct.unpack(">L", rst[3])[0] == 0, rst          # RST_STREAM(NO_ERROR)
        g = goaway_unpack(ga[3])
        assert g[0] == 3 and g[1] == 0, g                        # GOAWAY(3, NO_ERROR)
        assert ga[4] - h[4] >= IDLE_TIMEOUT - 0.5, ga[4] - h[4]
        assert ga[4] - t0 < BODY_TIMEOUT + IDLE_TIMEOUT + 5
        assert r.until(lambda f: False, 5) == [] and r.eof       # then the end
    finally:
        s.close()
        other.close()
    # (the other connection has idled out meanwhile) a new one is served
    s = _connect(srv.port)
    try:
        s.sendall(PREFACE + settings_pack({}) + _get(Encoder(), 1, srv.port))
        assert _served(Reader(s), 1) == (b"200", b"Hello, World!")
    finally:
        s.close()


def test_connection_idles_out_after_a_stream_that_ended_while_the_reader_waited(srv):
    # POST / whose body comes a moment after its head: the handler (reading the body)
    # answers after the reader went back to waiting with the stream still open.  Then
    # silence: GOAWAY(NO_ERROR) between one and two idle_timeouts after the answer.
    # Before: the reader waited with no timer (a stream was open when it began), and the
    # connection was held until its next frame, for good.
    from mhttp._h2_frames_more import data_pack
    s = _connect(srv.port)
    try:
        enc = Encoder()
        s.sendall(PREFACE + settings_pack({}) + headers_pack(
            1, enc.encode([(b":method", b"POST"), (b":scheme", b"http"),
                           (b":authority", b"x"), (b":path", b"/")]), end_stream=False))
        r = Reader(s)
        time.sleep(0.5)
        s.sendall(data_pack(1, b"abc", end_stream=True))
        got = r.until(lambda f: f[0] == 7, 2 * IDLE_TIMEOUT + 10)
        ends = [f for f in got if f[2] == 1 and f[1] & 1]
        assert ends and ends[0][0] in (0, 1), got                # the answer, ended
        ga = got[-1]
        assert ga[0] == 7, got
        g = goaway_unpack(ga[3])
        assert g[0] == 1 and g[1] == 0, g                        # GOAWAY(1, NO_ERROR)
        idle = ga[4] - ends[0][4]
        assert IDLE_TIMEOUT - 0.5 <= idle <= 2 * IDLE_TIMEOUT + 2, idle
        assert r.until(lambda f: False, 5) == [] and r.eof       # then the end
    finally:
        s.close()


def test_unfinished_header_block_gets_goaway(srv):
    # HEADERS without END_HEADERS, then no CONTINUATION: only a CONTINUATION may come
    # next, so the connection is cut off (GOAWAY ENHANCE_YOUR_CALM) after body_timeout
    # even with another stream open.  Before: the open stream kept the connection for good.
    s = _connect(srv.port)
    try:
        enc = Encoder()
        post = enc.encode([(b":method", b"POST"), (b":scheme", b"http"),
                           (b":authority", b"x"), (b":path", b"/")])
        s.sendall(PREFACE + settings_pack({}) + headers_pack(1, post, end_stream=False))
        t0 = time.time()
        block = enc.encode([(b":method", b"GET"), (b":scheme", b"http"),
                            (b":authority", b"x"), (b":path", b"/")])
        s.sendall(headers_pack(3, block, end_stream=True, end_headers=False))
        r = Reader(s)
        got = r.until(lambda f: f[0] == 7, BODY_TIMEOUT + 10)
        assert got and got[-1][0] == 7, got
        g = goaway_unpack(got[-1][3])
        assert g[1] == 11 and b"header block" in g[2], g        # ENHANCE_YOUR_CALM
        assert BODY_TIMEOUT - 0.5 <= got[-1][4] - t0 < BODY_TIMEOUT + 5, got[-1][4] - t0
    finally:
        s.close()
    # and the server serves a new connection
    s = _connect(srv.port)
    try:
        s.sendall(PREFACE + settings_pack({}) + _get(Encoder(), 1, srv.port))
        assert _served(Reader(s), 1) == (b"200", b"Hello, World!")
    finally:
        s.close()


def test_extended_connect_other_protocol_refused_at_once(srv):
    # RFC 8441 CONNECT with :protocol foo to /ws: 400 (the handshake's refusal) at once,
    # then RST_STREAM(NO_ERROR); before, the refusal waited for the request's end, which
    # a CONNECT never has.  The connection goes on serving.
    s = _connect(srv.port)
    try:
        enc = Encoder()
        t0 = time.time()
        s.sendall(PREFACE + settings_pack({}) + headers_pack(
            1, enc.encode([(b":method", b"CONNECT"), (b":protocol", b"foo"),
                           (b":scheme", b"http"), (b":authority", b"x"), (b":path", b"/ws"),
                           (b"sec-websocket-version", b"13")]), end_stream=False))
        r = Reader(s)
        st, body = _served(r, 1, BODY_TIMEOUT + 5)
        assert st == b"400" and b"websocket handshake refused" in body, (st, body)
        assert time.time() - t0 < BODY_TIMEOUT - 0.5, time.time() - t0
        got = r.until(lambda f: f[0] == 3, 5)
        assert got and got[-1][0] == 3 and got[-1][2] == 1, got
        assert struct.unpack(">L", got[-1][3])[0] == 0, got     # RST_STREAM(NO_ERROR)
        s.sendall(_get(enc, 3, srv.port))
        assert _served(r, 3) == (b"200", b"Hello, World!")
    finally:
        s.close()


def _h1(port, req):
    s = _connect(port)
    try:
        s.sendall(req)
        d = b""
        s.settimeout(5)
        while b"Hello, World!" not in d and b" 101 " not in d:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            if not c:
                break
            d += c
        return d
    finally:
        s.close()


@pytest.mark.parametrize("name,req", [
    ("http10", b"GET / HTTP/1.0\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
               b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n"),
    ("no_connection_option", b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n"
                             b"HTTP2-Settings: AAMAAABk\r\n\r\n"),
    ("no_http2_settings_option", b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                                 b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\n\r\n"),
    ("not_token68", b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    b"Upgrade: h2c\r\nHTTP2-Settings: !!!!\r\n\r\n"),
    ("base64_not_base64url", b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings"
                             b"\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAAB+\r\n\r\n"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_h2c_upgrade_ignored(srv, name, req):
    # RFC 9110 §7.8 (HTTP/1.0: MUST ignore Upgrade), §7.6.1 and RFC 7540 §3.2.1 (Upgrade
    # and HTTP2-Settings are connection options: Connection lists them), RFC 7540 §3.2.1
    # (HTTP2-Settings is base64url token68; a malformed one is treated as a missing one:
    # no upgrade).  The request is answered over HTTP/1.1; before, 101 and HTTP/2.
    d = _h1(srv.port, req)
    assert d.startswith(b"HTTP/1.1 200 ") and d.endswith(b"Hello, World!"), d


def test_h2c_upgrade_still_honoured(srv):
    # the well-formed request (as curl --http2 sends it) still switches
    d = _h1(srv.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                      b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n")
    assert d.startswith(b"HTTP/1.1 101 "), d


_BOOM_APP = """
import sys, asyncio
from mhttp import server as mserver
from mhttp.cli_serve import handler
def app(server, stream):
    if stream.headers is not None and stream.headers.get(b":path") == b"/boom":
        raise ValueError("boom")    # at once: on the CPython fast path, inside the dispatch
    return handler(server, stream)
srv = mserver.listen(app, host="127.0.0.1", port=int(sys.argv[1]), body_timeout=%d,
                     idle_timeout=%d, streams="--streams" in sys.argv,
                     onerror=lambda s, c, o, e: print("onerror", o, repr(e)))
async def run():
    await srv.listen()
    await srv.loop()
asyncio.run(run())
""" % (BODY_TIMEOUT, IDLE_TIMEOUT)


@pytest.mark.parametrize("kind", ["cpython", "streams", "micropython"])
def test_failing_handler_500_then_stream_ends(kind, tmp_path):
    # A handler that raises at once gets 500 (and RST_STREAM(NO_ERROR) for the request
    # body still coming) while another stream is open; the connection goes on serving,
    # and once the open stream has timed out (408), idles out with GOAWAY(NO_ERROR).
    app = tmp_path / "boom_app.py"
    app.write_text(_BOOM_APP)
    port = free_port()
    argv = ([MP] if kind == "micropython" else [PY]) + [str(app), str(port)]
    if kind == "streams":
        argv.append("--streams")
    p = Proc(argv, port)
    try:
        s = _connect(port)
        enc = Encoder()
        post = [(b":method", b"POST"), (b":scheme", b"http"), (b":authority", b"x")]
        s.sendall(PREFACE + settings_pack({}) +
                  headers_pack(1, enc.encode(post + [(b":path", b"/")]), end_stream=False))
        r = Reader(s)
        assert r.until(lambda f: False, 0.5) == []
        # (a read of its own: the reader waits with stream 1 open, no idle timer)
        s.sendall(headers_pack(3, enc.encode(post + [(b":path", b"/boom")]), end_stream=False))
        got = r.until(lambda f: f[0] == 3 and f[2] == 3, 5)
        assert [(f[0], f[2]) for f in got] == [(1, 3), (3, 3)], got
        assert got[0][3][b":status"] == b"500" and got[0][1] & 1
        assert struct.unpack(">L", got[1][3])[0] == 0, got
        # stream 1 cancelled and /boom again in one read: its 500 may be written while
        # that read is dispatched (CPython fast path), the last stream then
        s.sendall(rst_stream_pack(1, 8) +
                  headers_pack(5, enc.encode(post + [(b":path", b"/boom")]), end_stream=False))
        got = r.until(lambda f: f[0] == 3 and f[2] == 5, 5)
        assert [(f[0], f[2]) for f in got] == [(1, 5), (3, 5)], got
        assert got[0][3][b":status"] == b"500"
        got = r.until(lambda f: f[0] == 7, IDLE_TIMEOUT + 5)
        assert [(f[0], f[2]) for f in got] == [(7, 0)], got
        assert goaway_unpack(got[0][3])[:2] == (5, 0), got
        s.close()
        s = _connect(port)
        enc = Encoder()
        s.sendall(PREFACE + settings_pack({}) +
                  headers_pack(1, enc.encode(post + [(b":path", b"/")]), end_stream=False))
        r = Reader(s)
        assert r.until(lambda f: False, 0.5) == []
        s.sendall(headers_pack(3, enc.encode(post + [(b":path", b"/boom")]), end_stream=False))
        got = r.until(lambda f: f[0] == 3 and f[2] == 3, 5)
        assert [(f[0], f[2]) for f in got] == [(1, 3), (3, 3)], got
        assert got[0][3][b":status"] == b"500" and got[0][1] & 1
        assert struct.unpack(">L", got[1][3])[0] == 0, got
        s.sendall(_get(enc, 5, port))
        assert _served(r, 5) == (b"200", b"Hello, World!")
        got = r.until(lambda f: f[0] == 7, BODY_TIMEOUT + IDLE_TIMEOUT + 10)
        assert [(f[0], f[2]) for f in got] == [(1, 1), (3, 1), (7, 0)], got
        assert got[0][3][b":status"] == b"408"
        assert goaway_unpack(got[2][3])[:2] == (5, 0), got
        s.close()
    finally:
        out = p.stop()
    assert b"Traceback" not in out, out[-2000:]
    assert out.count(b"onerror onstream ValueError") == 3, out[-2000:]
