# WebSocket masking (RFC 6455 §5.3), the same checks against every implementation this
# runtime has: mhttp.ws's pure-Python functions (_py_*) always, and the native module when
# it loads (CPython: the C extension _mhttp_port._speedups; MicroPython: the viper module
# _mhttp_ws_native).  Portable: pytest and tools/mptest.py on MicroPython (and the boards).
import sys
import mhttp.ws as ws
from mhttp.ws import WSProtocol, EV_MESSAGE
from _t import raises, MICROPYTHON

KEYS = (b"\x37\xfa\x21\x3d", b"\x00\x00\x00\x00", b"\x00\xff\x00\x80", b"\xff\x00\x00\x01")


def _native():
    try:
        if MICROPYTHON:
            import _mhttp_ws_native as m
        else:
            from _mhttp_port import _speedups as m
    except (ImportError, SyntaxError, ValueError):
        return None
    return m


def impls():
    # (name, mask, mask_frame, unmask) for each implementation present.
    out = [("python", ws._py_mask, ws._py_mask_frame, ws._py_unmask)]
    m = _native()
    if m is not None:
        if MICROPYTHON:
            out.append(("viper", m.mask, m.mask_frame, m.unmask))
        else:
            out.append(("c", m.mask,
                        lambda h, key, p: m.mask(p, key, h + key),
                        lambda buf, s, e, key: m.mask(memoryview(buf)[s:e], key)))
    return out


def _xor(d, key, phase=0):
    # The bytewise reference.
    out = bytearray(len(d))
    for i in range(len(d)):
        out[i] = d[i] ^ key[(i + phase) & 3]
    return bytes(out)


def _big():
    # 64 KiB, or 8 KiB on a small heap (a board: source, reference and results coexist).
    if MICROPYTHON:
        import gc
        gc.collect()
        if gc.mem_free() + gc.mem_alloc() < 1000000:
            return 8192
    return 65536


def _src(n):
    # Filled in place: a list of n ints first would take 8n bytes (128 KiB for a board's
    # 8 KiB payload, on a 64-bit port) and, on a board, fail where the payload fits.
    b = bytearray(n)
    for i in range(n):
        b[i] = (i * 7 + 3) & 0xFF
    return bytes(b)


def test_every_length_0_to_2048_every_input_type():
    src = _src(2051)
    for key in KEYS:
        want = _xor(src, key)           # want[:n] is the mask of src[:n]
        want1 = _xor(src[1:], key)      # an odd start inside a buffer
        for name, mask, _, _ in impls():
            for n in range(2049):
                d = src[:n]
                assert mask(d, key) == want[:n], (name, key, n)
                assert mask(bytearray(d), key) == want[:n], (name, key, n)
                assert mask(memoryview(src)[1:n + 1], key) == want1[:n], (name, key, n)
            assert src == _src(2051), name   # the source is never touched


def test_large_payload_every_implementation():
    n = _big()
    src = _src(n + 3)
    key = b"\x00\x9c\x00\x01"
    want = _xor(src[3:], key)
    for name, mask, _, _ in impls():
        assert mask(memoryview(src)[3:], key) == want, name
        assert mask(mask(src[3:], key), key) == src[3:], name
        r = mask(bytearray(src[3:]), key)
        assert type(r) is bytes and r == want, name


def test_result_is_bytes_and_empty_payload():
    for name, mask, mask_frame, unmask in impls():
        for d in (b"", b"a", bytes(5), bytes(700)):
            r = mask(d, b"\x01\x02\x03\x04")
            assert type(r) is bytes and len(r) == len(d), name
        assert mask_frame(b"\x82\x80", b"\x01\x02\x03\x04", b"") == b"\x82\x80\x01\x02\x03\x04"
        assert unmask(b"abcdef", 3, 3, b"\x01\x02\x03\x04") == b"", name


def test_mask_frame_and_unmask_match_the_reference():
    src = _src(4200)
    for key in KEYS:
        for name, _, mask_frame, unmask in impls():
            for n in (0, 1, 3, 4, 5, 7, 8, 9, 125, 126, 511, 512, 513, 1000, 4099):
                for h in (b"\x82", b"\x82\xfe\x10\x03", b"\x82\xff" + bytes(8)):
                    f = mask_frame(h, key, src[:n])
                    # (the native module's frame is its bytearray, written as it is by a
                    # blocking client; mhttp.ws.encode_frame gives bytes of it)
                    assert type(f) is (bytearray if name == "viper" else bytes), name
                    assert f == h + key + _xor(src[:n], key), (name, n, len(h))
                    # unmask at every alignment, from bytes and from a bytearray buffer,
                    # with the key given as a slice of that buffer (as the parser does)
                    for buf in (f, bytearray(f)):
                        s = len(h) + 4
                        k = buf[len(h):s]
                        got = unmask(buf, s, s + n, k)
                        assert type(got) is bytes and got == src[:n], (name, n, len(h))


def test_native_mask_into_in_place_with_offsets():
    m = _native()
    if m is None:
        return
    src = _src(300)
    for key in KEYS:
        for off in range(9):
            for n in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200):
                b = bytearray(src[:off + n])
                m.mask_into(b, key, off)
                assert bytes(b[:off]) == src[:off], (off, n)
                assert bytes(b[off:]) == _xor(src[off:off + n], key), (key, off, n)
                # a memoryview of a bytearray, starting off bytes into it
                b = bytearray(src[:off + n + 2])
                m.mask_into(memoryview(b)[off:off + n], key, 0)
                assert bytes(b[off:off + n]) == _xor(src[off:off + n], key), (key, off, n)
                assert bytes(b[off + n:]) == src[off + n:off + n + 2]


def test_native_rejects_bad_keys_and_offsets():
    m = _native()
    if m is None:
        return
    for bad in (b"", b"\x01\x02\x03", b"\x01\x02\x03\x04\x05"):
        raises(ValueError, m.mask_into, bytearray(10), bad, 0)
        raises(ValueError, m.mask, b"abcdefgh", bad)
    raises(ValueError, m.mask_into, bytearray(10), b"\x01\x02\x03\x04", 11)
    raises(ValueError, m.mask_into, bytearray(10), b"\x01\x02\x03\x04", -1)
    b = bytearray(b"0123456789")
    m.mask_into(b, b"\x01\x02\x03\x04", 10)          # offset == len: nothing to do
    assert b == bytearray(b"0123456789")


def test_chosen_masking_interoperates_with_pure_python():
    # A client frame built by whatever mhttp.ws picked parses to the payload with the
    # pure-Python unmask, and the other way round; then a whole WSProtocol round trip.
    src = _src(3000)
    key = b"\x9a\x00\x31\x07"
    for n in (0, 5, 125, 126, 600, 3000):
        f = ws._mask_frame(b"\x82\x7e", key, src[:n])
        assert f == ws._py_mask_frame(b"\x82\x7e", key, src[:n])
        assert ws._py_unmask(f, 6, 6 + n, f[2:6]) == src[:n]
        assert ws._unmask(bytearray(f), 6, 6 + n, f[2:6]) == src[:n]
    c = WSProtocol(client=True)
    s = WSProtocol(client=False)
    for n in (0, 1, 125, 126, 4097):
        s.receive_data(c.send_message(src[:n]))
        assert s.next_event() == (EV_MESSAGE, src[:n], False)


def test_mask_impl_names_what_runs():
    assert ws.MASK_IMPL in ("c", "viper", "python")
    if ws.MASK_IMPL == "python":
        assert ws.mask is ws._py_mask and ws._unmask is ws._py_unmask
    else:
        assert _native() is not None
        assert ws.MASK_IMPL == ("viper" if MICROPYTHON else "c")
    if MICROPYTHON and ws.MASK_IMPL == "viper":
        assert sys.byteorder == "little"


def test_public_frames_are_bytes_whatever_masks():
    # encode_frame and send_message return bytes on every runtime and with every masking;
    # the internal WSProtocol._send gives the same frame (on MicroPython with the native
    # masking, its bytearray: what the blocking face writes over HTTP/1.1; with a buffer
    # lent, MicroPython, a view of the buffer when the frame fits in it, else as without)
    src = _src(1500)
    key = b"\x11\x22\x33\x44"
    for n in (0, 5, 125, 126, 1024, 1500):
        f = ws.encode_frame(2, src[:n], True, 0, key)
        assert type(f) is bytes and f == ws._py_mask_frame(f[:len(f) - n - 4], key, src[:n])
        assert type(ws.encode_frame(2, src[:n], True, 0, None)) is bytes
        c = WSProtocol(client=True)
        m = c.send_message(src[:n])
        assert type(m) is bytes
        c2 = WSProtocol(client=True)
        r = c2._send(src[:n], None, True, None)
        assert type(r) in (bytes, bytearray)
        assert type(r) is bytes or ws.MASK_IMPL == "viper"
        s = WSProtocol(client=False)
        s.receive_data(m)
        s.receive_data(r)
        assert s.next_event() == (EV_MESSAGE, src[:n], False)
        assert s.next_event() == (EV_MESSAGE, src[:n], False)
        if MICROPYTHON:
            for size in (1536, 512):
                buf = memoryview(bytearray(size))
                r = WSProtocol(client=True)._send(src[:n], None, True, buf)
                hl = 2 if n < 126 else 4
                if ws.MASK_IMPL == "viper" and hl + 4 + n <= size:
                    assert type(r) is memoryview and len(r) == hl + 4 + n
                    buf[len(r):] = b"\xee" * (size - len(r))   # (the rest is not its)
                s = WSProtocol(client=False)
                s.receive_data(bytes(r))
                assert s.next_event() == (EV_MESSAGE, src[:n], False)
