# mhttp._ws_pymask: WebSocket masking (RFC 6455 §5.3) in pure Python for MicroPython, the
# same functions as the native module _mhttp_ws_native (ports/unix/_mhttp_ws_native.py),
# which mhttp.ws uses instead where the firmware can run it.  Loaded by mhttp.ws only
# when there is no native masking (no native emitter, an .mpy for another CPU,
# MHTTP_PURE=1), or when a program reads mhttp.ws._py_mask, _py_mask_frame or _py_unmask
# (these functions, served by mhttp.ws's module __getattr__: the tests check both
# implementations).  Board RAM: a board that runs the native masking keeps none of this
# code (mhttp.ws from ROMFS: 4 defs and their names less).  CPython has its own pure
# Python, tuned for it, in mhttp._ws_cpy.
#
#   mask(data, key) -> bytes        data XOR key repeated
#   mask_frame(h, key, payload)     h + key + masked payload (a client frame), bytes
#   unmask(buf, start, end, key)    buf[start:end] unmasked, as bytes
#
# Big-integer XORs against the repeated key (int.from_bytes), ~7x faster than a byte loop
# on the unix port (it has no step slices), 256 bytes at a time in place in the one
# bytearray that becomes the frame or payload (_mask_into): a 1 KiB frame once allocated
# ~6 payload-sized integers and copies, which fragmented a board's heap over a thousand
# messages.


def _mask_into(b, start, key, data):
    # Masks b from start to its end: a big-integer XOR per 256-byte piece (memoryview
    # in), so a frame of any size needs only ~3 x 256 bytes of temporaries besides b
    # itself (board RAM: no payload-sized integers, no fragmentation).  Pieces start
    # at multiples of 4 from start, so the key lines up in each one.  data None: in
    # place (b a bytearray, slice assignment of the same length); else data is a list
    # each masked piece is appended to (b any bytes-like: the frame is then one join
    # of the pieces, not a bytearray and its bytes copy, two frame-sized blocks at
    # once; board RAM).  (data: a name MicroPython has built in, board RAM.)
    end = len(b)
    n = end - start
    if n <= 0:
        return
    c = 256 if n > 256 else (n + 3) & ~3
    k = int.from_bytes(bytes(key) * (c >> 2), "big")
    mv = memoryview(b)
    i = start
    while i < end:
        if end - i < c:
            k >>= (c - end + i) << 3
            c = end - i
        n = (int.from_bytes(mv[i:i + c], "big") ^ k).to_bytes(c, "big")
        if data is None:
            b[i:i + c] = n
        else:
            data.append(n)
        i += c


def mask(data, key):
    # data: bytes-like (memoryview included); key: 4 bytes-like.  Returns bytes.
    if not len(data):
        return b""
    b = bytearray(data)
    _mask_into(b, 0, key, None)
    return bytes(b)


def mask_frame(h, key, payload, buf=None):
    # The frame: header h, key, masked payload: one join of h, the key and the
    # masked pieces (board RAM: the frame is the only frame-sized block).  (buf: the
    # native module's, a buffer it may mask into; not used here)
    b = [h, bytes(key)]
    _mask_into(payload, 0, key, b)
    return b"".join(b)


def unmask(buf, start, end, key):
    # The unmasked payload buf[start:end] as bytes; key: 4 bytes-like.
    if end <= start:
        return b""
    b = bytearray(memoryview(buf)[start:end])
    _mask_into(b, 0, key, None)
    return bytes(b)
