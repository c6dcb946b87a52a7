# mhttp._ws_rare: the rarely used parts of mhttp.ws, loaded on first use (board RAM: each
# def, class and string costs heap on MicroPython even from ROMFS; docs/internals.md).
#   utf8_extra_ok, _utf8_split   UTF-8 checks beyond bytes.decode(): non-ASCII text on
#                                MicroPython, text split across frames
#   send_frame, send_ping, send_pong   WSProtocol methods (bound by mhttp._lazy.bind)
#   deflate_available            mhttp.ws.deflate_available (module __getattr__)
#   _MPDeflater                  MicroPython's compressor, on firmware that can compress
#   star                         __all__ of mhttp.ws and mhttp.websocket (their __getattr__)
# mhttp.ws keeps every public name: these are reached through it.
from mhttp.ws import (MICROPYTHON, OP_PING, OP_PONG, CLOSE_PROTOCOL_ERROR, _err,
                      _mp_deflate_compress, _EMPTY_BLOCK)


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


def send_frame(self, opcode, payload, fin=True, rsv1=False):
    # One raw frame (no compression, no fragmentation bookkeeping): for tests and
    # for callers that manage messages themselves.
    self._check_open()
    if opcode >= 8 and (len(payload) > 125 or not fin):
        raise _err("control frames MUST have a payload of 125 bytes or less and FIN set",
                   CLOSE_PROTOCOL_ERROR)
    return self._frame(opcode, bytes(payload), fin, 0x40 if rsv1 else 0)


def send_ping(self, payload=b""):
    return self.send_frame(OP_PING, payload)


def send_pong(self, payload=b""):
    return self.send_frame(OP_PONG, payload)


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
