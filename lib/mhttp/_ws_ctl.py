# mhttp._ws_ctl: WSProtocol's control frames and closing, out of mhttp.ws (board RAM: a
# def costs heap on MicroPython even from ROMFS, its bytecode too from .mpy files; a
# connection exchanging data messages never runs these):
#   _control      a received close frame (RFC 6455 §5.5.1)
#   send_close    starts the closing handshake (§7.1.2)
#   _check_open   the misuse check before sending
#   _frame        a control (or raw) frame's bytes, masked on a client
#   _queue        (a function) queues a frame for data_to_send()
# WSProtocol methods, bound on first use by mhttp._lazy (CPython binds them at import).
import os
from mhttp.ws import valid_close_code, utf8_decode, _err, encode_frame

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# mhttp.ws's values (test_ws_lazy.test_ws_ctl_constants_mirror_mhttp_ws checks them)
_OP_CLOSE = const(0x8)
_EV_CLOSE = const(5)
_ST_OPEN = const(0)
_ST_CLOSING = const(1)
_ST_CLOSED = const(2)
_CLOSE_NORMAL = const(1000)
_CLOSE_PROTOCOL_ERROR = const(1002)
_CLOSE_NO_STATUS = const(1005)
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
        _queue(self, self._frame(_OP_CLOSE, b"" if code == _CLOSE_NO_STATUS
                                 else code.to_bytes(2, "big"), True, 0))
    self.state = _ST_CLOSED
    self.close_code = code
    self.close_reason = reason
    # Nothing after a close frame is ever parsed (§5.5.1): free what is buffered.
    self._buf = b""
    self._pos = 0
    self._msg_parts = None
    return (_EV_CLOSE, code, reason)


def _queue(self, frame):
    # Appends frame to what data_to_send() returns (WSProtocol._out: None until needed).
    if self._out is None:
        self._out = []
    self._out.append(frame)


def _frame(self, op, payload, fin, rsv):
    if self.client:
        return encode_frame(op, payload, fin, rsv, os.urandom(4))
    return encode_frame(op, payload, fin, rsv, None)


def _check_open(self):
    if self.state != _ST_OPEN:
        raise _err(_M_SEND_CLOSING, _CLOSE_INTERNAL_ERROR)


def send_close(self, code=_CLOSE_NORMAL, reason=""):
    # Starts the closing handshake (§7.1.2): ST_OPEN -> ST_CLOSING.  code None sends
    # an empty close payload.
    _check_open(self)
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
    return self._frame(_OP_CLOSE, payload, True, 0)
