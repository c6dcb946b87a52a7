# mhttp._ws_close: closing, on both sides of the layering, loaded when a connection
# closes (board RAM: a connection exchanging data messages never runs this code; from .mpy
# files its bytecode is heap):
#   WebSocket's (mhttp.websocket) close() (the closing handshake) and the end of the
#   transport (_close_transport, _drain);
#   WSProtocol's (mhttp.ws) control frames: _control (a received close frame, RFC 6455
#   §5.5.1) and send_close (starts the closing handshake, §7.1.2).  (_frame, a frame's
#   bytes, and _check_open, the misuse check before sending, are in mhttp._ws_rare with
#   send_frame, their other user: send_ping does not load this module.)
# Methods bound on first use by mhttp._lazy (CPython binds them at import).  One module
# for both (they were mhttp._ws_ctl and this one): a close always runs both halves, and a
# module costs its object, dict and three interned names (its dotted name, short name and
# file path) on a board.  mhttp.websocket is imported where used, not here: on CPython
# mhttp.ws binds WSProtocol's methods from here while it is itself being imported.
import os
from mhttp.errors import Error, Timeout, ConnectionClosed, ProtocolError
from mhttp import errors
from mhttp.ws import valid_close_code, utf8_decode, _err, encode_frame

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# mhttp.ws's values (test_ws_lazy.test_ws_close_constants_mirror_mhttp_ws checks them)
_OP_CLOSE = const(0x8)
_EV_CLOSE = const(5)
_ST_OPEN = const(0)
_ST_CLOSING = const(1)
_ST_CLOSED = const(2)
_CLOSE_NORMAL = const(1000)
_CLOSE_PROTOCOL_ERROR = const(1002)
_CLOSE_NO_STATUS = const(1005)
_CLOSE_ABNORMAL = const(1006)
_CLOSE_INVALID_DATA = const(1007)
_CLOSE_INTERNAL_ERROR = const(1011)
# message ids (mhttp.ws's, texts in mhttp._ws_msg)
_M_CLOSE_1 = const(14)
_M_CLOSE_CODE = const(15)
_M_CLOSE_UTF8 = const(16)
_M_SEND_CLOSING = const(20)
_M_REASON_NO_CODE = const(21)
_M_SEND_CODE = const(22)
_M_REASON_UTF8 = const(23)
_M_REASON_LONG = const(24)
# mhttp.websocket's ready_state values (test_ws_lazy.test_ready_state_names compares them)
_CLOSING = const(2)
_CLOSED = const(3)
_DRAIN_MAX = const(1 << 20)  # bytes read and dropped while waiting for a failed peer to close


# -- WSProtocol's (mhttp.ws) ---------------------------------------------------------------

def _control(self, op, payload):
    # A received close frame, RFC 6455 §5.5.1 / §7.4 (pings and pongs are answered in
    # WSProtocol.next_event itself: routine, they load nothing).
    n = len(payload)
    if n == 0:
        code = _CLOSE_NO_STATUS
        reason = ""
    elif n == 1:
        raise self._fail(_M_CLOSE_1, _CLOSE_PROTOCOL_ERROR)
    else:
        code = (payload[0] << 8) | payload[1]
        if not valid_close_code(code):
            raise self._fail(_M_CLOSE_CODE, _CLOSE_PROTOCOL_ERROR, code)
        reason = utf8_decode(payload[2:])
        if reason is None:
            raise self._fail(_M_CLOSE_UTF8, _CLOSE_INVALID_DATA)
    if self.state == _ST_OPEN:
        # §5.5.1: the endpoint MUST send a Close frame in response; we echo the code.
        # (queued for data_to_send(): WSProtocol._out is None until needed)
        if self._out is None:
            self._out = []
        self._out.append(encode_frame(_OP_CLOSE, b"" if code == _CLOSE_NO_STATUS
                                      else code.to_bytes(2, "big"), True, 0,
                                      os.urandom(4) if self.client else None))
    self.state = _ST_CLOSED
    self.close_code = code
    self.close_reason = reason
    # Nothing after a close frame is ever parsed (§5.5.1): free what is buffered.
    self._buf = b""
    self._pos = 0
    self._msg_parts = None
    return (_EV_CLOSE, code, reason)


def send_close(self, code=_CLOSE_NORMAL, reason=""):
    # Starts the closing handshake (§7.1.2): ST_OPEN -> ST_CLOSING.  code None sends
    # an empty close payload.
    if self.state != _ST_OPEN:
        # (WSProtocol._check_open's check: mhttp._ws_rare is not loaded for it)
        raise _err(_M_SEND_CLOSING, _CLOSE_INTERNAL_ERROR)
    if code is None:
        if reason:
            raise _err(_M_REASON_NO_CODE, _CLOSE_INTERNAL_ERROR)
    elif not valid_close_code(code):
        raise _err(_M_SEND_CODE, _CLOSE_INTERNAL_ERROR, code)
    if not isinstance(reason, str) and utf8_decode(bytes(reason)) is None:
        # §5.5.1: the body after the code is UTF-8
        raise _err(_M_REASON_UTF8, _CLOSE_INTERNAL_ERROR)
    if code is None:
        payload = b""
    else:
        if isinstance(reason, str):
            reason = reason.encode()
        payload = code.to_bytes(2, "big") + reason
    if len(payload) > 125:
        raise _err(_M_REASON_LONG, _CLOSE_INTERNAL_ERROR)
    self.state = _ST_CLOSING
    return encode_frame(_OP_CLOSE, payload, True, 0, os.urandom(4) if self.client else None)


# -- WebSocket's (mhttp.websocket) ---------------------------------------------------------

async def _drain(self, end):
    # Reads and drops the peer's bytes until it ends the stream (bounded by `end` and
    # _DRAIN_MAX bytes).
    n = 0
    try:
        while not self._eof and n < _DRAIN_MAX:
            n += len(await self._read(end))
    except Error:
        pass


def _drain_end(self, end):
    # The deadline of the wait for the peer to end the transport: close_timeout from
    # now, and never past the caller's deadline `end` (receive(timeout) / close(timeout):
    # a blocking call waits at most its timeout, DESIGN.md).
    from mhttp.websocket import _deadline, _left
    t = self.close_timeout
    if end is not None:
        try:
            left = _left(end)
        except Timeout:
            left = 0
        if t is None or left < t:
            t = left
    return _deadline(t)


async def _close_transport(self, clean, end=None):
    # Both close frames exchanged (clean) or the connection failed: end the transport.
    # HTTP/2: end our side of the CONNECT stream; HTTP/1.1: close TCP (a client first
    # gives the server close_timeout to close it, RFC 6455 §7.1.1, within the caller's
    # deadline `end`).
    if self.ready_state == _CLOSED:
        return
    self.ready_state = _CLOSED
    conn = self.connection
    if getattr(conn, "version", 1.1) == 2:       # HTTP/2 (2 or 2.0)
        from mhttp._ws_more import _h2_close
        await _h2_close(self, conn, _drain_end(self, end))
        return
    if clean and self.type == "client":
        await self._drain(_drain_end(self, end))
    if conn is not None:
        conn.abort()


async def close(self, code=1000, reason="", timeout=None, wait=True):
    # The closing handshake: sends a close frame (code None: without a code), waits up
    # to timeout (default close_timeout) for the peer's, then closes the transport.
    # Messages arriving meanwhile are dropped.  Returns True when the peer's close
    # frame arrived (ws.close_code / close_reason hold it), False otherwise.
    # wait=False only sends the close frame: receive() then still returns the messages
    # the peer sent before its close, then None (the transport closes then).
    from mhttp.websocket import _deadline, _left
    if timeout is None:
        timeout = self.close_timeout
    p = self.p
    if p is None:
        self.ready_state = _CLOSED
        if self.connection is not None:
            self.connection.abort()
        return False
    if self.ready_state == _CLOSED:
        return self.close_code is not None and self.close_code != _CLOSE_ABNORMAL
    end = _deadline(timeout)
    if p.state == _ST_OPEN:
        self.ready_state = _CLOSING
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
        while self.ready_state != _CLOSED:
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
                await self._close_transport(True, end)
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
