# mhttp._ws_close: a WebSocket's closing, out of mhttp.websocket: close() (the closing
# handshake) and the end of the transport (_close_transport, _drain), WebSocket methods
# bound on first use by mhttp._lazy (CPython binds them at import).  Board RAM: a
# connection loads this code when it closes, not for its whole life (from .mpy files its
# bytecode is heap).
from mhttp.errors import Error, Timeout, ConnectionClosed, ProtocolError
from mhttp import errors
from mhttp.websocket import CLOSED, CLOSING, _deadline, _left

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# mhttp.ws's EV_CLOSE, CLOSE_ABNORMAL, ST_OPEN (test_websocket_api checks them)
_EV_CLOSE = const(5)
_CLOSE_ABNORMAL = const(1006)
_ST_OPEN = const(0)
_DRAIN_MAX = const(1 << 20)  # bytes read and dropped while waiting for a failed peer to close


async def _drain(self, end):
    # Reads and drops the peer's bytes until it ends the stream (bounded by `end` and
    # _DRAIN_MAX bytes).
    n = 0
    try:
        while not self._eof and n < _DRAIN_MAX:
            n += len(await self._read(end))
    except Error:
        pass


async def _close_transport(self, clean):
    # Both close frames exchanged (clean) or the connection failed: end the transport.
    # HTTP/2: end our side of the CONNECT stream; HTTP/1.1: close TCP (a client first
    # gives the server close_timeout to close it, RFC 6455 §7.1.1).
    if self.ready_state == CLOSED:
        return
    self.ready_state = CLOSED
    conn = self.connection
    if getattr(conn, "version", 1.1) == 2:       # HTTP/2 (2 or 2.0)
        from mhttp._ws_more import _h2_close
        await _h2_close(self, conn)
        return
    if clean and self.type == "client":
        await self._drain(_deadline(self.close_timeout))
    if conn is not None:
        conn.abort()


async def close(self, code=1000, reason="", timeout=None, wait=True):
    # The closing handshake: sends a close frame (code None: without a code), waits up
    # to timeout (default close_timeout) for the peer's, then closes the transport.
    # Messages arriving meanwhile are dropped.  Returns True when the peer's close
    # frame arrived (ws.close_code / close_reason hold it), False otherwise.
    # wait=False only sends the close frame: receive() then still returns the messages
    # the peer sent before its close, then None (the transport closes then).
    if timeout is None:
        timeout = self.close_timeout
    p = self.p
    if p is None:
        self.ready_state = CLOSED
        if self.connection is not None:
            self.connection.abort()
        return False
    if self.ready_state == CLOSED:
        return self.close_code is not None and self.close_code != _CLOSE_ABNORMAL
    end = _deadline(timeout)
    if p.state == _ST_OPEN:
        self.ready_state = CLOSING
        try:
            await self._send(p.send_close, (code, reason), timeout)
        except (ConnectionClosed, Timeout):
            await self._close_transport(False)
            return False
    if not wait:
        return False
    if self._reading:
        # Another task is in receive(): it reads the peer's close and ends the
        # transport; wait for that (bounded), then end it ourselves.
        import asyncio
        while self.ready_state != CLOSED:
            try:
                _left(end)
            except Timeout:
                await self._close_transport(False)
                return False
            await asyncio.sleep(0.02)
        return self.close_code is not None and self.close_code != _CLOSE_ABNORMAL
    try:
        while True:
            ev = p.next_event()
            if p._out:
                await self._flush_auto()
            if ev is None:
                if self._eof:
                    p.receive_data(b"")
                else:
                    p.receive_data(await self._read(end))
                continue
            if ev[0] == _EV_CLOSE:
                self.close_code = ev[1]
                self.close_reason = ev[2]
                await self._close_transport(True)
                return ev[1] != _CLOSE_ABNORMAL
    except (Timeout, ConnectionClosed):
        pass
    except ProtocolError as e:
        # WSError from the core (matched through its base class, as in receive())
        if not isinstance(e, errors.WSError):
            raise
        self.close_code = e.close_code
        self.close_reason = str(e)
    await self._close_transport(False)
    return False
