# mhttp._ws_more: the rarely used parts of mhttp.websocket, loaded on first use (board
# RAM: each def and class costs heap on MicroPython even from ROMFS; docs/internals.md).
#   send_frame, send_ping, send_pong, _failed,  WebSocket methods (mhttp._lazy.bind)
#   each, abort
#   _Iter, _AIter                               the iterators of each() / async for
#   _h2_check, _h2_close                        RFC 8441 (WebSocket over HTTP/2) steps
#   connect, connect_blocking                   mhttp.websocket.connect... (PEP 562)
#   ws_attr, _OPCODES                           mhttp.websocket's module __getattr__,
#                                               send()'s opcode names
#   tunnel_attr                                 mhttp._ws_tun.Tunnel's __getattr__
from mhttp.errors import Error
from mhttp import ws as core
from mhttp.websocket import _deadline, _left, new_from_uri

_OPCODES = {"text": 1, "binary": 2, "close": 8, "ping": 9, "pong": 10}   # send()'s names

_SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8
_M_H2_NO_CONNECT = 44     # mhttp.websocket's id


class _Iter:
    # `for data, opcode in ws.each(timeout)` on the blocking face.
    def __init__(self, ws, timeout):
        self.ws = ws
        self.timeout = timeout

    def __iter__(self):
        return self

    def __next__(self):
        from mhttp._io import run_blocking
        r = run_blocking(self.ws.receive(self.timeout))
        if r is None:
            raise StopIteration
        return r


class _AIter:
    # `async for data, opcode in ws.each(timeout)` (a class: MicroPython cannot iterate
    # async generators).
    def __init__(self, ws, timeout):
        self.ws = ws
        self.timeout = timeout

    def __aiter__(self):
        return self

    async def __anext__(self):
        r = await self.ws.receive(self.timeout)
        if r is None:
            raise StopAsyncIteration
        return r


# -- WebSocket methods -----------------------------------------------------------------


def each(self, timeout=None):
    # WebSocket.each: an iterator over receive(timeout), `async for data, opcode in
    # ws.each(10):` (ws.each() on the blocking face gives a plain iterator).
    if self.blocking:
        return _Iter(self, timeout)
    return _AIter(self, timeout)


def abort(self):
    # WebSocket.abort: closes the transport at once, without a closing handshake.
    self.ready_state = 3        # CLOSED
    if self.connection is not None:
        self.connection.abort()


async def send_frame(self, opcode, payload=b"", fin=True, timeout=None, rsv1=False):
    # One raw frame (lua-http's send_frame): no compression, no message bookkeeping.
    op = _OPCODES.get(opcode, opcode)
    if isinstance(payload, str):
        payload = payload.encode()
    await self._send(self.p.send_frame, (op, payload, fin, rsv1), timeout)


async def send_ping(self, data=b"", timeout=None):
    await self.send_frame(9, data, True, timeout)    # OP_PING


async def send_pong(self, data=b"", timeout=None):
    # An unsolicited pong: a one-way keepalive.
    await self.send_frame(10, data, True, timeout)   # OP_PONG


async def _failed(self, e):
    # The peer broke the protocol: the core queued the close frame (e.close_code);
    # send it, give the peer a moment to read it (a socket closed with unread input
    # sends RST, which can destroy the close frame in flight), then close.
    self.close_code = e.close_code
    self.close_reason = str(e)
    await self._flush_auto()
    await self._drain(_deadline(min(self.close_timeout, 1)))
    await self._close_transport(False)


# -- RFC 8441: WebSocket over an HTTP/2 stream ------------------------------------------

async def _h2_check(conn, end):
    # Client, before the extended CONNECT (RFC 8441 §3): no :protocol before the server's
    # SETTINGS said ENABLE_CONNECT_PROTOCOL=1 (its SETTINGS precede the PING ACK).
    if not getattr(conn.p, "_got_settings", True):
        await conn.ping(_left(end))
    if conn.peer_settings.get(_SETTINGS_ENABLE_CONNECT_PROTOCOL) != 1:
        raise core._hs_error(_M_H2_NO_CONNECT, 0)


async def _h2_close(self, conn, end):
    # WebSocket._close_transport over HTTP/2: end our side of the CONNECT stream.  end:
    # the deadline of the waits (close_timeout, within the caller's timeout).
    try:
        await self.stream.write_chunk(b"", True, 1)
    except Error:
        pass
    if self.type == "client":
        # the connection is ours alone: GOAWAY and close it (waiting at most 1 s, and
        # not past end)
        t = 1
        try:
            left = _left(end)
            if left is not None and left < t:
                t = left
        except Error:
            t = 0
        try:
            await conn.close(t)
        except Error:
            pass
    else:
        # Wait (bounded) for the client to end its side too: a handler returning
        # first makes the server reset the stream (RST_STREAM), and a client may
        # then drop the close frame still unread in its buffer.
        await self._drain(end)


# -- mhttp.websocket.connect / connect_blocking ------------------------------------------

async def connect(uri, protocols=None, timeout=None, **kw):
    # new_from_uri(uri, protocols, **kw) then connect(timeout); returns the websocket.
    ws = new_from_uri(uri, protocols, **kw)
    await ws.connect(timeout)
    return ws


def connect_blocking(uri, protocols=None, timeout=None, **kw):
    # The blocking face of connect(): a connected BlockingWebSocket.
    kw["blocking"] = True
    ws = new_from_uri(uri, protocols, **kw)
    ws.connect(timeout)
    return ws


def ws_attr(name):
    # mhttp.websocket's module __getattr__.
    if name == "__all__":
        # `from mhttp.websocket import *`: the public globals, parse_ws_uri and (on
        # MicroPython, where they are not globals) mhttp.errors' names
        from mhttp._ws_rare import star
        from mhttp import websocket
        g = websocket.__dict__
        return star(g, [n for n in "parse_ws_uri Error Timeout ConnectionClosed "
                        "ProtocolError errors".split() if n not in g])
    if name == "HandshakeError":
        from mhttp import _ws_hserr as m
    elif name in "new_from_stream reject".split():
        from mhttp import _ws_server as m
    elif name in "connect connect_blocking".split():
        import mhttp._ws_more as m
    elif name == "parse_ws_uri":
        from mhttp import _ws_uri as m
    elif name in "WSError Error Timeout ConnectionClosed ProtocolError errors".split():
        # websocket.WSError, as examples/ws_server.py catches it; on MicroPython the
        # other four and the module too (mhttp.websocket does not import them: board
        # RAM).  Kept as globals of mhttp.websocket once asked for: `except
        # websocket.Timeout` in a receive loop looks it up at every timeout, and this
        # path made ~0.8 KB of garbage per lookup on a board.
        from mhttp import errors as m
        from mhttp import websocket
        v = m if name == "errors" else getattr(m, name)
        setattr(websocket, name, v)
        return v
    else:
        raise AttributeError(name)
    return getattr(m, name)


def tunnel_attr(self, name):
    # mhttp._ws_tun.Tunnel's __getattr__: H1Connection's other public names, as they
    # were on ws.connection before the tunnel took its place (an upgraded HTTP/1.1
    # connection: version 1.1, the I/O object's names): H1Connection's own rare methods
    # (mhttp._h1c_rare: they read only self.io and self.closed, which a Tunnel has; bound
    # on first use like H1Connection's, so loaded only when a program asks for one) but
    # shutdown (the connection is not reused after an upgrade anyway).
    if name == "shutdown":
        return lambda: None
    from mhttp._lazy import bind
    return bind(self, name, "mhttp._h1c_rare", "connect checktls localname peername alpn close")
