# mhttp._ws_cpy: the CPython-only half of mhttp.ws: pure-Python masking tuned for CPython,
# the C masking wrappers, and the zlib inflater / deflater of permessage-deflate.
# mhttp.ws imports it at import time on CPython only; MicroPython never loads it (board
# RAM: no function objects, names or strings for code that cannot run there).  See
# mhttp.ws, "masking" and "permessage-deflate", for the theory.
import sys
from mhttp import errors   # errors.WSError (mhttp._errors_more): loaded at the first error

CLOSE_PROTOCOL_ERROR = 1002
CLOSE_MESSAGE_TOO_BIG = 1009
_EMPTY_BLOCK = b"\x00\x00\xff\xff"


_SMALL = 512
_ORDER = sys.byteorder
_XOR = [None] * 256   # 256-byte XOR tables, built on first use, one per key byte


def _table(c):
    t = _XOR[c]
    if t is None:
        t = _XOR[c] = bytes([j ^ c for j in range(256)])
    return t


def _mask_lanes(b, start, key):
    # Masks the bytearray b in place from start to its end (a zero key byte leaves
    # its lane as it is).
    for i in range(4):
        c = key[i]
        if c:
            s = start + i
            b[s::4] = b[s::4].translate(_table(c))


def _mask_int(data, key):
    n = len(data)
    k = key * ((n >> 2) + 1)
    if len(k) != n:
        k = k[:n]
    return (int.from_bytes(data, _ORDER) ^ int.from_bytes(k, _ORDER)).to_bytes(n, _ORDER)


def _py_mask(data, key):
    # data: bytes-like (memoryview included); key: 4 bytes.  Returns bytes.
    n = len(data)
    if not n:
        return b""
    if n <= _SMALL:
        return _mask_int(data, key)
    b = bytearray(data)
    _mask_lanes(b, 0, key)
    return bytes(b)


def _py_mask_frame(h, key, payload):
    # The frame: header h, key, masked payload; one copy of the payload.
    n = len(payload)
    if n > _SMALL:
        b = bytearray(h)
        b += key
        b += payload
        _mask_lanes(b, len(h) + 4, key)
        return bytes(b)
    if not n:
        return h + key
    k = key * ((n >> 2) + 1)
    if len(k) != n:
        k = k[:n]
    return h + key + (int.from_bytes(payload, _ORDER)
                      ^ int.from_bytes(k, _ORDER)).to_bytes(n, _ORDER)


def _py_unmask(buf, start, end, key):
    # The unmasked payload buf[start:end] as bytes; key: 4 bytes-like.
    n = end - start
    if n > _SMALL:
        b = bytearray(memoryview(buf)[start:end])
        _mask_lanes(b, 0, key)
        return bytes(b)
    if not n:
        return b""
    k = key * ((n >> 2) + 1)
    if len(k) != n:
        k = k[:n]
    return (int.from_bytes(buf[start:end], _ORDER)
            ^ int.from_bytes(k, _ORDER)).to_bytes(n, _ORDER)


def masking(native):
    # (MASK_IMPL, mask, _mask_frame, _unmask) for mhttp.ws: the C extension's when
    # `native` (_mhttp_port._speedups) is there, else the pure-Python functions above.
    if native is None:
        return ("python", _py_mask, _py_mask_frame, _py_unmask)
    c_mask = native.mask

    def mask(data, key):
        # data: bytes-like (memoryview included); key: 4 bytes-like.  Returns bytes.
        return c_mask(data, key)

    def mask_frame(h, key, payload):
        return c_mask(payload, key, h + key)

    def unmask(buf, start, end, key):
        if end - start > _SMALL:
            return c_mask(memoryview(buf)[start:end], key)
        return c_mask(buf[start:end], key)
    return ("c", mask, mask_frame, unmask)


class _ZInflater:
    # CPython: one zlib decompressobj, kept across messages with context takeover.
    def __init__(self, wbits, takeover):
        import zlib
        self._zlib = zlib
        self._wbits = wbits
        self._takeover = takeover
        self._d = zlib.decompressobj(-wbits)

    def _run(self, data, limit):
        try:
            out = self._d.decompress(data, limit + 1)
        except self._zlib.error as e:
            raise errors.WSError("invalid compressed data: %s" % e, CLOSE_PROTOCOL_ERROR)
        if len(out) > limit:
            raise errors.WSError("decompression bomb: message over max_message_size",
                                 CLOSE_MESSAGE_TOO_BIG)
        return out

    def feed(self, data, limit):
        return self._run(data, limit)

    def finish(self, limit):
        out = self._run(_EMPTY_BLOCK, limit)
        if self._d.eof:
            # The sender ended its stream with BFINAL: a new stream starts next message.
            self._d = self._zlib.decompressobj(-self._wbits)
        elif not self._takeover:
            self._d = self._zlib.decompressobj(-self._wbits)
        return out


class _ZDeflater:
    def __init__(self, wbits, takeover, level, min_size):
        import zlib
        self._zlib = zlib
        self._args = (level, zlib.DEFLATED, -wbits)
        self._takeover = takeover
        self._min = min_size
        self._c = zlib.compressobj(level, zlib.DEFLATED, -wbits)

    def wants(self, data, fin):
        return not fin or len(data) >= self._min

    def compress(self, data, fin):
        z = self._zlib
        out = self._c.compress(data) + self._c.flush(z.Z_SYNC_FLUSH)
        if fin:
            if out[-4:] == _EMPTY_BLOCK:
                out = out[:-4]
            if not self._takeover:
                self._c = z.compressobj(*self._args)
        return out


def update(g):
    # mhttp.ws's CPython-only globals, put into g (its globals()) at the end of its import
    # (board RAM: their names are never interned on MicroPython): the masking functions
    # (the C extension _mhttp_port._speedups unless g["_native"] is None: MHTTP_PURE), the
    # zlib inflater / deflater as _Inflater / _Deflater, the public constants, and the
    # negotiation methods and handshake helpers bound at import.
    native = g["_native"]
    if native is not None:
        try:
            from _mhttp_port import _speedups as native
        except (ImportError, SyntaxError, ValueError):
            native = None
    g["_native"] = native
    g["MASK_IMPL"], g["mask"], g["_mask_frame"], g["_unmask"] = masking(native)
    g["_py_mask"], g["_py_mask_frame"], g["_py_unmask"] = _py_mask, _py_mask_frame, _py_unmask
    g["_Inflater"], g["_Deflater"] = _ZInflater, _ZDeflater
    from mhttp._ws_rare import _PUBLIC
    t = _PUBLIC.replace("=", " ").split()
    for i in range(0, len(t), 2):
        g[t[i]] = int(t[i + 1])
    # When a program imports mhttp._ws_server or mhttp._ws_hs before mhttp.ws (they import
    # it), they are only half made at this point: these stay bound on first use then.
    try:
        from mhttp._ws_server import pmd_accept
        from mhttp import _ws_hs as h
        p = g["PerMessageDeflate"]
        p.accept = pmd_accept
        p.offer = h.offer
        p.params = h.params
        p.check_response = h.check_response
        for k in ("client_key accept_key client_request client_check_response "
                  "_parse_extensions _wbits _b64 _list _bb _hs_error GUID").split():
            g[k] = getattr(h, k)
    except (ImportError, AttributeError):
        pass
