# Optional native WebSocket masking for MicroPython (RFC 6455 §5.3), imported by mhttp.ws
# with `except (ImportError, SyntaxError, ValueError)`: a firmware without the native
# emitter fails this module's import with SyntaxError (source) or ValueError "incompatible
# .mpy arch" (a bundle compiled for another CPU), and mhttp.ws then masks in pure Python.
# STYLE.md §3: native code lives in its own module in ports/.
#
# Where it comes from: the unix port has ports/unix on MICROPYPATH (tools/micropython);
# tools/bundle.py compiles it for esp32 (-march=xtensawin) and rp2 (-march=armv6m) into
# _mhttp_ws_native.mpy beside the port glue.
#
#   mask_into(buf, key, offset)     buf[offset:] ^= key repeated, in place; buf: bytearray
#                                   (or a memoryview of one), key: 4 bytes-like
#   mask(data, key) -> bytes        data XOR key repeated
#   mask_frame(h, key, payload[, buf])  h + key + masked payload (a client frame), a
#                                   bytearray, or a view of buf (a writable memoryview of a
#                                   bytearray) when the frame fits in it
#   unmask(buf, start, end, key)    buf[start:end] unmasked, as bytes
#
# The loop XORs aligned 32-bit words (ESP32's Xtensa and the RP2040's Cortex-M0+ fault on
# unaligned word access): single bytes up to the first 4-aligned address, then words with
# the key rotated to that phase, then the 0..3 trailing bytes.  The key word is assembled
# little-endian; on a big-endian CPU the module refuses to load (ImportError).
import sys
import micropython

if sys.byteorder != "little":
    raise ImportError("_mhttp_ws_native: little-endian CPUs only")


@micropython.viper
def mask_into(buf, key, offset: int):
    if int(len(key)) != 4:
        raise ValueError("mask key must be 4 bytes")
    size = int(len(buf))
    if offset < 0 or offset > size:
        raise ValueError("offset outside the buffer")
    n = size - offset
    k = ptr8(key)
    base = int(ptr8(buf)) + offset
    p = ptr8(base)
    i = 0
    while i < n and ((base + i) & 3) != 0:
        p[i] = p[i] ^ k[i & 3]
        i += 1
    words = (n - i) >> 2
    if words > 0:
        j = i & 3
        kw = (uint(k[j]) | (uint(k[(j + 1) & 3]) << 8) | (uint(k[(j + 2) & 3]) << 16)
              | (uint(k[(j + 3) & 3]) << 24))
        q = ptr32(base + i)
        w = 0
        quads = words & ~3
        while w < quads:
            q[w] = q[w] ^ kw
            q[w + 1] = q[w + 1] ^ kw
            q[w + 2] = q[w + 2] ^ kw
            q[w + 3] = q[w + 3] ^ kw
            w += 4
        while w < words:
            q[w] = q[w] ^ kw
            w += 1
        i += words << 2
    while i < n:
        p[i] = p[i] ^ k[i & 3]
        i += 1


def mask(data, key):
    b = bytearray(data)
    mask_into(b, key, 0)
    return bytes(b)


def mask_frame(h, key, payload, buf=None):
    # One bytearray of the frame's final size (growing one by += would allocate and copy
    # again: board RAM, fragmentation), or the first bytes of buf (mhttp.ws._encode: a
    # blocking client's idle read buffer; board RAM, no frame-sized block per message).
    hl = len(h)
    b = hl + 4 + len(payload)
    b = bytearray(b) if buf is None or b > len(buf) else buf[:b]
    b[0:hl] = h
    b[hl:hl + 4] = key
    b[hl + 4:] = payload
    mask_into(b, key, hl + 4)
    # the bytearray itself (mhttp.ws.encode_frame returns bytes of it; a blocking client
    # writes it as it is: board RAM, no frame-sized copy per message)
    return b


def unmask(buf, start, end, key):
    b = bytearray(memoryview(buf)[start:end])
    mask_into(b, key, 0)
    return bytes(b)
