# mhttp._h1c_stream: H1Stream's rarely used methods (the 100 Continue, trailers,
# shutdown, lua-http's get_method, a body chunk that arrived before the
# response head, reading a tunnel after an upgrade) and H1Connection's _next_event,
# loaded on first use by mhttp._lazy.bind.
from mhttp.headers import Headers
from mhttp.errors import ConnectionClosed

if hasattr(b"", "translate"):       # CPython (MicroPython inlines const())
    def const(x):
        return x

_EV_DATA = const(2)                 # mhttp.h1.EV_DATA


def get_method(self):
    h = self.headers
    return h.get(b":method") if h is not None else None


def _push(self, chunk):
    if self._unget is None:
        self._unget = [chunk]
    else:
        self._unget.insert(0, chunk)


def _send(conn, data, timeout):
    # The coroutine that writes bytes data on H1Connection conn, after a head it holds
    # (see H1Connection.hold_head), within timeout (None: conn.write_timeout).
    pieces = [data]
    h = conn._held
    if h is not None:
        conn._held = None
        pieces.insert(0, h)
    return conn.io.send(pieces, conn.write_timeout if timeout is None else timeout)


async def write_continue(self, timeout=None):
    self.continue_sent = True
    await _send(self.conn, self.conn.p.send_continue(), timeout)


async def write_trailers(self, headers, timeout=None):
    if not isinstance(headers, Headers):
        headers = Headers(headers)
    await _send(self.conn, self.conn.p.send_trailers(headers), timeout)


def shutdown(self):
    # lua-http stream:shutdown: give up on the exchange; on HTTP/1 the connection is
    # then not reused.
    p = self.conn.p
    if not (p.our_done and p.their_done):
        p.keep_alive = False


async def _next_event(self, timeout):
    # H1Connection._next_event (bound on first use): reads until the core of H1Connection
    # self has an event, and returns it.  (H1Stream.get_headers and get_next_chunk run
    # this loop themselves: no coroutine frame of it while a head is parsed, board RAM.)
    p = self.p
    io = self.io
    while True:
        ev = p.next_event()
        if ev is not None:
            return ev
        if self._held is not None:
            await self.flush()
        if self._eof:
            from mhttp.h1_connection import _err
            raise _err(ConnectionClosed, 0)  # peer closed the connection mid-message
        data = await io.recv(timeout)
        if not data:
            self._eof = True
            data = b""
        p.receive_data(data)


async def _tunnel(self, timeout):
    # H1Stream.get_next_chunk after an upgrade (101, or a 2xx to CONNECT): the tunnelled
    # bytes until the peer closes, then None.  (_tunnel_eof: no class default on H1Stream,
    # one entry less in its dict on a plain path; H1Stream.__getattr__ refuses the name.)
    if getattr(self, "_tunnel_eof", False):
        return None
    try:
        ev = await self.conn._next_event(timeout)
    except ConnectionClosed:
        self._tunnel_eof = True
        return None
    if ev[0] == _EV_DATA:
        if ev[2]:
            self._tunnel_eof = True
        return ev[1] if ev[1] else (None if ev[2] else b"")
    self._tunnel_eof = True
    return None
