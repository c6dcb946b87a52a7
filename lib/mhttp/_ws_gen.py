# mhttp._ws_gen: a client WebSocket's opening handshake when it is not the plain case
# mhttp._ws_open.connect writes and reads itself: through mhttp.client.connect and the
# HTTP/1.1 (mhttp.h1_connection) or HTTP/2 connection it makes (connect: TLS, options,
# extra request fields, an Origin, HTTP/2), or the plain case handed over to the HTTP/1.1
# connection mhttp.client would have made (handover: a request or an answer mhttp.h1
# checks or reads itself).  Loaded only then (board RAM: the plain path carries none of
# this code nor its names); dropped with mhttp._ws_open after the handshake on
# MicroPython (mhttp._ws_open.unload).
from mhttp.errors import ConnectionClosed
from mhttp.ws import _msg
from mhttp._ws_hs import client_key, client_request, client_check_response
from mhttp.websocket import _left

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

_M_NO_RESPONSE = const(45)      # (mhttp._ws_msg's id)
_CLOSED = const(3)               # mhttp.websocket's (test_ws_lazy compares it)


def h1(io, o):
    # The HTTP/1.1 connection mhttp.client.connect would have made over io.
    from mhttp.client import negotiate
    return negotiate(io, o, 11 / 10)


async def connect(self, o, end):
    # mhttp._ws_open.connect but for the plain case: mhttp.client.connect's connection.
    from mhttp import client
    conn = await client.connect(o, _left(end))
    self.connection = conn
    try:
        h2 = getattr(conn, "version", 1.1) == 2       # HTTP/2 (2 or 2.0)
        if h2:
            from mhttp._ws_more import _h2_check
            await _h2_check(conn, end)
        stream = conn.new_stream()
        key = None if h2 else client_key()
        req = client_request(self.authority, self.path, key, self.protocols, self.compression,
                             b"https" if self.tls else b"http", h2, self.origin)
        if self.request_headers is not None:
            for f in self.request_headers:
                req.append(f[0], f[1])
        # HTTP/1.1: a GET without a body (end_stream), the tunnel opens with the 101.
        # HTTP/2: the CONNECT stream stays open: it is the tunnel.
        await stream.write_headers(req, not h2, _left(end))
    except BaseException:
        self.ready_state = _CLOSED
        conn.abort()
        raise
    return await _answer(self, conn, stream, end, key, h2, None)


async def handover(self, io, o, end, key, req, buf, eof, t):
    # The plain case's request and answer to mhttp.h1: buf None, the request is still to
    # be written (mhttp.h1 checks it); else it went out (the same bytes mhttp.h1 writes),
    # buf holds the answer's bytes read so far (eof: then EOF), t the reads' timeout.
    conn = self.connection = h1(io, o)
    try:
        stream = conn.new_stream()
        if buf is None:
            await stream.write_headers(req, True, _left(end))
        else:
            stream.headers_sent = True
            conn.p.send_headers(req, True)
            if buf:
                conn.p.receive_data(buf)
            if eof:
                conn._eof = True
                conn.p.receive_data(b"")
    except BaseException:
        self.ready_state = _CLOSED
        conn.abort()
        raise
    return await _answer(self, conn, stream, end, key, False, None if buf is None else t)


async def _answer(self, conn, stream, end, key, h2, t):
    # Reads the answer (1xx interim heads skipped) and checks it; the connection aborted
    # on any failure.  t: the first read's timeout (None: the time left).
    try:
        while True:
            resp = await stream.get_headers(_left(end) if t is None else t)
            t = None
            if resp is None:
                raise ConnectionClosed(_msg(_M_NO_RESPONSE))
            st = resp.get(b":status") or b""
            if st[:1] != b"1" or st == b"101":
                break
        self.headers = resp
        proto, exts = client_check_response(resp, key, self.protocols, self.compression, h2)
    except BaseException:
        self.ready_state = _CLOSED
        conn.abort()
        raise
    self.protocol = proto.decode() if proto is not None else None
    if h2:
        return stream, exts
    # HTTP/1.1 after the 101: the tunnel straight over the I/O object takes the place of
    # the connection and its stream (mhttp._ws_tun): the WebSocket keeps no HTTP/1.1
    # object, and on MicroPython mhttp._ws_open.unload drops the modules only the
    # handshake needed (board RAM).  What the HTTP/1.1 parser read past the 101 head,
    # and whether the peer had already ended its side, go with it.
    from mhttp._ws_tun import Tunnel
    data = None
    eof = conn._eof
    ev = conn.p.next_event()
    if ev is not None:
        data = ev[1] or None
        if ev[2]:
            eof = True
    stream = self.connection = Tunnel(conn.io, resp, data, eof, conn.send_nowait)
    return stream, exts
