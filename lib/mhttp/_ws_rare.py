# mhttp._ws_rare: the rarely used parts of mhttp.ws, loaded on first use (board RAM: each
# def, class and string costs heap on MicroPython even from ROMFS; docs/internals.md).
#   utf8_extra_ok, _utf8_split   UTF-8 checks beyond bytes.decode(): non-ASCII text on
#                                MicroPython, text split across frames
#   send_frame, send_ping, send_pong, _fail, _frame, _check_open   WSProtocol methods
#                                (mhttp._lazy.bind; on CPython, mhttp._ws_close's _control
#                                and send_close are settled from here too)
#   deflate_available            mhttp.ws.deflate_available (module __getattr__)
#   _MPDeflater                  MicroPython's compressor, on firmware that can compress
#   star                         __all__ of mhttp.ws and mhttp.websocket (their __getattr__)
#   ws_attr, _PUBLIC, _HS        mhttp.ws's module __getattr__ and the tables it reads
# mhttp.ws keeps every public name: these are reached through it.
try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# mhttp.ws's public constants (its module __getattr__ serves them on MicroPython; CPython
# makes them globals there), " NAME=value ", and the names of mhttp._ws_hs it serves.
# Defined before the import of mhttp.ws below: when this module is imported first, mhttp.ws
# runs from that import and reads _PUBLIC from this half-made module (CPython).
_PUBLIC = (" OP_CONT=0 OP_TEXT=1 OP_BINARY=2 OP_CLOSE=8 OP_PING=9 OP_PONG=10 "
           "EV_MESSAGE=1 EV_FRAGMENT=2 EV_PING=3 EV_PONG=4 EV_CLOSE=5 ST_OPEN=0 "
           "ST_CLOSING=1 ST_CLOSED=2 CLOSE_NORMAL=1000 CLOSE_GOING_AWAY=1001 "
           "CLOSE_PROTOCOL_ERROR=1002 CLOSE_UNSUPPORTED_DATA=1003 "
           "CLOSE_NO_STATUS=1005 CLOSE_ABNORMAL=1006 CLOSE_INVALID_DATA=1007 "
           "CLOSE_POLICY_VIOLATION=1008 CLOSE_MESSAGE_TOO_BIG=1009 "
           "CLOSE_MANDATORY_EXTENSION=1010 CLOSE_INTERNAL_ERROR=1011 ")

_HS = (" client_key accept_key client_request client_check_response _parse_extensions _wbits "
       "_b64 _list _bb _hs_error GUID ")

import os  # noqa: E402
from mhttp.ws import MICROPYTHON, _err, _mp_deflate_compress, encode_frame  # noqa: E402
if not MICROPYTHON:
    # CPython: mhttp.ws binds WSProtocol's rare methods at import in one settle(), from
    # this module: mhttp._ws_close's too (MicroPython binds them from there, on first use)
    # (a program that imports mhttp._ws_close first finds it half made here: then
    # WSProtocol binds them lazily, as on MicroPython)
    try:
        from mhttp._ws_close import _control, send_close  # noqa: F401
    except ImportError:
        pass

_EMPTY_BLOCK = b"\x00\x00\xff\xff"

_OP_CLOSE = const(0x8)
_OP_PING = const(0x9)
_OP_PONG = const(0xA)
_ST_OPEN = const(0)
_ST_CLOSED = const(2)
_CLOSE_PROTOCOL_ERROR = const(1002)
_CLOSE_ABNORMAL = const(1006)
_CLOSE_INTERNAL_ERROR = const(1011)
_M_SEND_CLOSING = const(20)     # (mhttp._ws_msg's id)


def ws_attr(name):
    # mhttp.ws's module __getattr__.  (Names as padded str constants searched with find():
    # a tuple of names would intern each one.)
    import mhttp.ws as ws
    k = " " + name + " "
    if name == "__all__":
        # `from mhttp.ws import *`: the public globals, constants and _ws_hs functions
        return star(ws.__dict__, _PUBLIC.replace("=", " ").split()[::2] + _HS.split() +
                    ([] if "errors" in ws.__dict__ else ["errors"]))
    elif " " in name:
        raise AttributeError(name)
    elif name == "HandshakeError":
        from mhttp import _ws_hserr as m
    elif k in " server_handshake _valid_key ":
        from mhttp import _ws_server as m
    elif k in _HS:
        from mhttp import _ws_hs as m
    elif name == "deflate_available":
        return deflate_available
    elif name == "errors":
        # mhttp.errors (a global on CPython; MicroPython's mhttp.ws imports it where it
        # raises: board RAM, see mhttp.ws._is)
        from mhttp import errors
        setattr(ws, name, errors)   # (a global once asked for, as the constants below)
        return errors
    elif name[:4] == "_py_" and MICROPYTHON:
        # _py_mask, _py_mask_frame, _py_unmask: the pure-Python masking
        # (mhttp._ws_pymask's mask, mask_frame, unmask; see mhttp.ws, "masking")
        m = __import__("mhttp._ws_pymask", None, None, ("mask",))
        return getattr(m, name[4:])
    else:
        # a public constant (MicroPython): " NAME=value " in _PUBLIC, stored as a global
        # of mhttp.ws once read, so that later reads do not come here
        i = _PUBLIC.find(" " + name + "=")
        if i < 0:
            raise AttributeError(name)
        i += len(name) + 2
        v = int(_PUBLIC[i:_PUBLIC.find(" ", i)])
        setattr(ws, name, v)
        return v
    return getattr(m, name)


# -- UTF-8 -----------------------------------------------------------------------------
# MicroPython's decoder accepts overlong forms, surrogates and code points over U+10FFFF:
# look for the lead bytes that can start one (a C-speed find per byte value).  Only
# needed when the text has a non-ASCII byte (mhttp.ws.utf8_decode checks that first).


def utf8_extra_ok(b):
    for c in (b"\xc0", b"\xc1", b"\xf5", b"\xf6", b"\xf7"):
        if b.find(c) >= 0:
            return False
    for c, lo, hi in ((b"\xe0", 0xA0, 0xBF), (b"\xed", 0x80, 0x9F),
                      (b"\xf0", 0x90, 0xBF), (b"\xf4", 0x80, 0x8F)):
        i = b.find(c)
        while i >= 0:
            if i + 1 < len(b):
                x = b[i + 1]
                if x < lo or x > hi:
                    return False
            i = b.find(c, i + 1)
    return True


def _utf8_split(b):
    # Splits b into (complete, tail) where tail is an incomplete last character (0-3
    # bytes) that is a valid prefix so far.  Returns None if the tail can never be valid.
    n = len(b)
    i = n - 1
    stop = n - 4 if n >= 4 else -1
    while i > stop:
        c = b[i]
        if c & 0xC0 != 0x80:
            break
        i -= 1
    else:
        return (b, b"")  # only continuation bytes (or nothing): let decode judge
    c = b[i]
    if c < 0x80:
        return (b, b"")
    if 0xC2 <= c <= 0xDF:
        need = 2
    elif 0xE0 <= c <= 0xEF:
        need = 3
    elif 0xF0 <= c <= 0xF4:
        need = 4
    else:
        return None
    have = n - i
    if have >= need:
        return (b, b"")
    if have >= 2:
        x = b[i + 1]
        if ((c == 0xE0 and x < 0xA0) or (c == 0xED and x > 0x9F)
                or (c == 0xF0 and x < 0x90) or (c == 0xF4 and x > 0x8F)):
            return None
    return (b[:i], b[i:])


# -- WSProtocol: raw frames --------------------------------------------------------------


def _frame(self, op, payload, fin, rsv):
    # WSProtocol._frame: a frame's bytes, masked on a client (send_frame's, _fail's).
    if self.client:
        return encode_frame(op, payload, fin, rsv, os.urandom(4))
    return encode_frame(op, payload, fin, rsv, None)


def _check_open(self):
    # WSProtocol._check_open: the misuse check before sending.
    if self.state != _ST_OPEN:
        raise _err(_M_SEND_CLOSING, _CLOSE_INTERNAL_ERROR)


def send_frame(self, opcode, payload, fin=True, rsv1=False):
    # One raw frame (no compression, no fragmentation bookkeeping): for tests and
    # for callers that manage messages themselves.
    self._check_open()
    if opcode >= 8 and (len(payload) > 125 or not fin):
        raise _err("control frames MUST have a payload of 125 bytes or less and FIN set",
                   _CLOSE_PROTOCOL_ERROR)
    return self._frame(opcode, bytes(payload), fin, 0x40 if rsv1 else 0)


def _fail(self, msg, code, arg=None):
    # WSProtocol._fail: the WSError for message id msg (close code `code`); the first one
    # fails the connection (RFC 6455 §7.1.7): a close frame carrying code is queued unless
    # a close was already sent, the protocol is closed (1006) and its buffers freed.
    e = _err(msg, code, arg)
    if self.error is None:
        self.error = e
        if self.state == _ST_OPEN:
            # (queued for data_to_send(): WSProtocol._out is None until needed)
            if self._out is None:
                self._out = []
            self._out.append(self._frame(_OP_CLOSE, code.to_bytes(2, "big"), True, 0))
        self.state = _ST_CLOSED
        self.close_code = _CLOSE_ABNORMAL
        self._buf = b""
        self._pos = 0
        self._msg_parts = None
    return e


def send_ping(self, payload=b""):
    return self.send_frame(_OP_PING, payload)


def send_pong(self, payload=b""):
    return self.send_frame(_OP_PONG, payload)


# -- permessage-deflate ------------------------------------------------------------------


def star(g, names):
    # __all__ for `from mhttp.ws import *` / `from mhttp.websocket import *` (MicroPython
    # asks the module __getattr__ for it): the public names among a module's globals g and
    # the names it serves lazily, the set CPython's star import gives.
    return [n for n in list(g) + names if n[0] != "_"]


def deflate_available():
    # (can inflate, can deflate) on this runtime.
    if MICROPYTHON:
        try:
            import deflate  # noqa: F401
        except ImportError:
            return (False, False)
        return (True, _mp_deflate_compress())
    try:
        import zlib  # noqa: F401
    except ImportError:
        return (False, False)
    return (True, True)


class _MPDeflater:
    # MicroPython with MICROPY_PY_DEFLATE_COMPRESS: a fresh DeflateIO per message; its
    # close() ends the stream with a final block, which RFC 7692 §7.2.3.4 permits; the
    # peer must not keep context from it (we negotiated our side's no_context_takeover).
    def __init__(self, wbits, min_size):
        self._wbits = wbits
        self._min = min_size

    def wants(self, data, fin):
        return fin and len(data) >= self._min

    def compress(self, data, fin):
        import deflate
        import io
        b = io.BytesIO()
        d = deflate.DeflateIO(b, deflate.RAW, self._wbits)
        d.write(data)
        d.close()
        out = b.getvalue()
        if out[-4:] == _EMPTY_BLOCK:
            out = out[:-4]
        return out
