# mhttp.ws frames and the closing handshake (RFC 6455 §5, §7), portable.
# Every rule a peer can break is checked for the exact close code it earns and the exact
# close frame the core queues.
from mhttp.ws import (WSProtocol, encode_frame, mask, OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE,
                      OP_PING, OP_PONG, EV_MESSAGE, EV_FRAGMENT, EV_PING, EV_PONG, EV_CLOSE,
                      ST_OPEN, ST_CLOSING, ST_CLOSED, PerMessageDeflate)
from mhttp.errors import WSError
from _t import raises, events

K = b"\x37\xfa\x21\x3d"


def cf(op, payload, fin=True, rsv=0):
    # A client frame (masked with K), as a server receives it.
    return encode_frame(op, payload, fin, rsv, K)


def sf(op, payload, fin=True, rsv=0):
    return encode_frame(op, payload, fin, rsv, None)


def unmask_client_frame(b):
    # Parses one masked client frame of <126 bytes -> (b0, payload).
    assert b[1] & 0x80, b
    n = b[1] & 0x7F
    assert n < 126 and len(b) == 6 + n, b
    return b[0], mask(b[6:], b[2:6])


def expect_fail(p, data, code, bytewise=False, stop_at=None):
    # Feeds data; next_event must raise WSError(code), the core must queue a close frame
    # with that code, go CLOSED and stay dead.  With bytewise, the error must come at byte
    # stop_at (1-based) exactly, not earlier and not later.
    err = None
    if bytewise:
        for i in range(len(data)):
            p.receive_data(data[i:i + 1])
            try:
                events(p)
            except WSError as e:
                err = e
                if stop_at is not None:
                    assert i + 1 == stop_at, (i + 1, stop_at)
                break
        assert err is not None, "no error raised"
    else:
        p.receive_data(data)
        err = raises(WSError, events, p)
    assert err.close_code == code, (err.close_code, code, str(err))
    out = p.data_to_send()
    if p.client:
        b0, payload = unmask_client_frame(out)
        assert b0 == 0x88
        assert payload == code.to_bytes(2, "big")
    else:
        assert out == b"\x88\x02" + code.to_bytes(2, "big"), out
    assert p.state == ST_CLOSED
    assert p.error is err
    p.receive_data(sf(OP_TEXT, b"more"))
    assert p.next_event() is None
    assert p.data_to_send() == b""
    return err


# -- encoding --------------------------------------------------------------------------

def test_rfc6455_5_7_examples():
    # RFC 6455 §5.7, byte for byte.
    assert sf(OP_TEXT, b"Hello") == bytes([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
    assert cf(OP_TEXT, b"Hello") == bytes([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f,
                                           0x4d, 0x51, 0x58])
    assert sf(OP_TEXT, b"Hel", False) + sf(OP_CONT, b"lo") == bytes(
        [0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f])
    assert sf(OP_PING, b"Hello") == bytes([0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
    assert cf(OP_PONG, b"Hello") == bytes([0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f,
                                           0x4d, 0x51, 0x58])
    assert sf(OP_BINARY, b"\x00" * 256)[:4] == bytes([0x82, 0x7E, 0x01, 0x00])
    assert sf(OP_BINARY, b"\x00" * 65536)[:10] == bytes([0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])


def test_rfc6455_examples_parsed():
    c = WSProtocol(client=True)
    c.receive_data(bytes([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x01, 0x03, 0x48, 0x65, 0x6c,
                          0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x80, 0x02, 0x6c, 0x6f]))
    assert events(c) == [(EV_MESSAGE, "Hello", True), (EV_PING, b"Hello"), (EV_MESSAGE, "Hello", True)]
    b0, payload = unmask_client_frame(c.data_to_send())
    assert b0 == 0x8A and payload == b"Hello"
    s = WSProtocol(client=False)
    s.receive_data(bytes([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]))
    assert events(s) == [(EV_MESSAGE, "Hello", True)]


def test_mask_matches_bytewise_xor():
    data = bytes(range(256)) * 3 + b"\x00\x00\x07"
    for n in (0, 1, 2, 3, 4, 5, 125, 126, 770, len(data)):
        d = data[:n]
        want = bytes([d[i] ^ K[i % 4] for i in range(n)])
        assert mask(d, K) == want
        assert mask(mask(d, K), K) == d
    # leading zero bytes survive the big-integer trick
    assert mask(b"\x37\xfa\x21\x3d\x00", K) == b"\x00\x00\x00\x00\x37"


def _xor(d, key):
    # The bytewise reference (a bytearray: no list of ints on a small heap).
    out = bytearray(len(d))
    for i in range(len(d)):
        out[i] = d[i] ^ key[i & 3]
    return bytes(out)


def _pattern(n, mul=1, add=0):
    # bytes([(i * mul + add) & 0xFF for i in range(n)]), without a list of n ints (8 bytes
    # each on a 64-bit MicroPython: 0.5 MB for 64 KiB, more than a board's heap).
    period = bytes([(i * mul + add) & 0xFF for i in range(256)])
    return (period * (n // 256 + 1))[:n]


def test_mask_across_the_size_classes():
    # CPython switches from the big-integer XOR to strided lanes above 512 bytes; both
    # must give the bytewise result for every length mod 4, from bytes, bytearray and
    # memoryview sources, and leave the source untouched.
    src = bytes([(i * 7 + 3) & 0xFF for i in range(4100)])
    for key in (K, b"\x00\x00\x00\x00", b"\xff\x00\xff\x01"):
        for n in (508, 509, 510, 511, 512, 513, 514, 515, 516, 600, 601, 1000, 4099):
            d = src[:n]
            want = _xor(d, key)
            assert mask(d, key) == want, (key, n)
            assert mask(bytearray(d), key) == want, (key, n)
            assert mask(memoryview(src)[1:n + 1], key) == _xor(src[1:n + 1], key), (key, n)
            assert d == src[:n]


def test_masked_frames_across_the_size_classes_whole_and_in_pieces():
    # Client frames of every size class, checked on the wire (header, key, bytewise
    # masked payload) and parsed by a server whole, one piece after another at awkward
    # cuts (the receive buffer is then a bytearray and the key a slice of it), and
    # preceded by the tail of an earlier frame.
    sizes = (0, 3, 125, 126, 512, 513, 515, 4099, 65535, 65536)
    payloads = [_pattern(n, 13, n) for n in sizes]
    wire = b""
    for payload in payloads:
        n = len(payload)
        f = encode_frame(OP_BINARY, payload, True, 0, K)
        hl = 2 if n < 126 else (4 if n < 65536 else 10)
        assert len(f) == hl + 4 + n
        assert f[hl:hl + 4] == K
        assert f[hl + 4:] == _xor(payload, K), n
        wire += f
    want = [(EV_MESSAGE, p, False) for p in payloads]
    s = WSProtocol(client=False, max_message_size=1 << 17)
    s.receive_data(wire)
    assert events(s) == want
    for cut in (7, 513, 4096, 65537):
        s = WSProtocol(client=False, max_message_size=1 << 17)
        got = []
        for i in range(0, len(wire), cut):
            s.receive_data(wire[i:i + cut])
            got += events(s)
        assert got == want, cut
    # bytearray and memoryview pieces are accepted as well
    s = WSProtocol(client=False, max_message_size=1 << 17)
    s.receive_data(bytearray(wire[:1000]))
    s.receive_data(memoryview(wire)[1000:])
    assert events(s) == want


def _small_heap():
    # A board (tests_device): under 1 MB of Python heap.
    import gc
    gc.collect()
    return hasattr(gc, "mem_alloc") and gc.mem_free() + gc.mem_alloc() < 1000000


def test_client_send_message_masks_every_size_class():
    # 20000 bytes (4000 on a board's heap: the same 16-bit length form and strided lanes)
    for n in (1, 511, 513, 516, 4000 if _small_heap() else 20000):
        payload = _pattern(n, 5)
        c = WSProtocol(client=True, max_message_size=1 << 17)
        s = WSProtocol(client=False, max_message_size=1 << 17)
        f = c.send_message(bytearray(payload))
        assert isinstance(f, bytes)
        hl = 2 if n < 126 else 4
        key = f[hl:hl + 4]
        assert f[hl + 4:] == _xor(payload, key)
        s.receive_data(f)
        ev = events(s)
        assert ev == [(EV_MESSAGE, payload, False)] and isinstance(ev[0][1], bytes)


def test_length_forms_round_trip():
    for n in (0, 1, 125, 126, 127, 65535, 65536, 70000):
        payload = _pattern(n)
        c = WSProtocol(client=True, max_message_size=1 << 20)
        s = WSProtocol(client=False, max_message_size=1 << 20)
        s.receive_data(c.send_message(payload))
        assert events(s) == [(EV_MESSAGE, payload, False)]
        c.receive_data(s.send_message(payload))
        assert events(c) == [(EV_MESSAGE, payload, False)]
    assert len(WSProtocol(client=False).send_message(b"x" * 125)) == 127
    assert len(WSProtocol(client=False).send_message(b"x" * 126)) == 130
    assert len(WSProtocol(client=False).send_message(b"x" * 65536)) == 65546
    assert len(WSProtocol(client=True).send_message(b"x" * 65535)) == 65535 + 8


def test_client_keys_are_random_and_server_frames_unmasked():
    c = WSProtocol(client=True)
    a = c.send_message(b"same")
    b = c.send_message(b"same")
    assert a[1] == 0x84 and b[1] == 0x84
    assert a[2:6] != b[2:6]
    assert WSProtocol(client=False).send_message("hi") == b"\x81\x02hi"
    assert WSProtocol(client=False).send_message(b"hi") == b"\x82\x02hi"
    assert WSProtocol(client=False).send_message(b"hi", text=True) == b"\x81\x02hi"


def test_send_fragmented_message():
    s = WSProtocol(client=False)
    out = s.send_message("Hel", fin=False) + s.send_message("lo", fin=True)
    assert out == bytes([0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f])
    c = WSProtocol(client=True)
    c.receive_data(out)
    assert events(c) == [(EV_MESSAGE, "Hello", True)]


# -- header rules ----------------------------------------------------------------------

def test_non_minimal_16_bit_length_is_1002():
    bad = bytes([0x82, 0xFE, 0x00, 0x7D]) + K + b"\x00" * 125
    expect_fail(WSProtocol(client=False), bad, 1002)
    expect_fail(WSProtocol(client=False), bad, 1002, True, 4)


def test_non_minimal_64_bit_length_is_1002():
    bad = bytes([0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) + K
    expect_fail(WSProtocol(client=False), bad, 1002, True, 10)
    bad = bytes([0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 5]) + b"hello"
    expect_fail(WSProtocol(client=True), bad, 1002)


def test_64_bit_length_with_msb_is_1002():
    bad = bytes([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1]) + K
    expect_fail(WSProtocol(client=False, max_frame_size=1 << 62), bad, 1002, True, 10)


def test_server_refuses_unmasked_frames_1002():
    expect_fail(WSProtocol(client=False), sf(OP_TEXT, b"hi"), 1002, True, 2)


def test_client_refuses_masked_frames_1002():
    expect_fail(WSProtocol(client=True), cf(OP_TEXT, b"hi"), 1002, True, 2)


def test_rsv_bits_without_extension_1002():
    for rsv in (0x40, 0x20, 0x10, 0x70):
        expect_fail(WSProtocol(client=False), cf(OP_TEXT, b"hi", True, rsv), 1002, True, 2)


def test_rsv_rules_with_deflate_negotiated():
    pmd = PerMessageDeflate().accept([(b"client_max_window_bits", None)])[1]
    # RSV2 / RSV3 stay reserved
    expect_fail(WSProtocol(client=False, extensions=[pmd]), cf(OP_TEXT, b"hi", True, 0x20), 1002)
    # RSV1 on a control frame
    expect_fail(WSProtocol(client=False, extensions=[pmd]), cf(OP_PING, b"", True, 0x40), 1002)
    # RSV1 on a continuation frame
    p = WSProtocol(client=False, extensions=[pmd])
    expect_fail(p, cf(OP_BINARY, b"a", False) + cf(OP_CONT, b"b", True, 0x40), 1002)


def test_unknown_opcodes_1002():
    for op in (3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF):
        expect_fail(WSProtocol(client=False), cf(op, b""), 1002, True, 1 + 1)


def test_control_frame_too_long_1002():
    bad = bytes([0x89, 0xFE, 0x00, 0x7E]) + K + b"\x00" * 126
    expect_fail(WSProtocol(client=False), bad, 1002, True, 2)


def test_fragmented_control_frame_1002():
    for op in (OP_PING, OP_PONG, OP_CLOSE):
        expect_fail(WSProtocol(client=False), cf(op, b"", False), 1002, True, 2)


def test_continuation_without_start_1002():
    expect_fail(WSProtocol(client=False), cf(OP_CONT, b"x"), 1002, True, 2)
    p = WSProtocol(client=False)
    p.receive_data(cf(OP_TEXT, b"done"))
    assert events(p) == [(EV_MESSAGE, "done", True)]
    expect_fail(p, cf(OP_CONT, b"x"), 1002)


def test_new_data_frame_while_fragmented_1002():
    for op in (OP_TEXT, OP_BINARY):
        p = WSProtocol(client=False)
        p.receive_data(cf(OP_TEXT, b"a", False))
        assert events(p) == []
        expect_fail(p, cf(op, b"b"), 1002, True, 2)


# -- fragmentation and control frames --------------------------------------------------

def test_fragments_with_interleaved_control_frames():
    data = (cf(OP_BINARY, b"one ", False) + cf(OP_PING, b"p1") + cf(OP_CONT, b"two ", False)
            + cf(OP_PONG, b"q") + cf(OP_PING, b"") + cf(OP_CONT, b"three", True))
    for bytewise in (False, True):
        p = WSProtocol(client=False)
        if bytewise:
            evs = []
            for i in range(len(data)):
                p.receive_data(data[i:i + 1])
                evs.extend(events(p))
        else:
            p.receive_data(data)
            evs = events(p)
        assert evs == [(EV_PING, b"p1"), (EV_PONG, b"q"), (EV_PING, b""),
                       (EV_MESSAGE, b"one two three", False)]
        assert p.data_to_send() == b"\x8a\x02p1\x8a\x00"


def test_text_split_inside_characters():
    s = "h\u00e9llo \u20ac \U0001f600!"
    b = s.encode()
    for cut in range(1, len(b)):
        p = WSProtocol(client=False)
        p.receive_data(cf(OP_TEXT, b[:cut], False) + cf(OP_CONT, b[cut:]))
        assert events(p) == [(EV_MESSAGE, s, True)]


def test_stream_mode_fragments():
    s = "\u20ac\u20ac"
    b = s.encode()
    p = WSProtocol(client=False, stream=True)
    p.receive_data(cf(OP_TEXT, b[:2], False) + cf(OP_CONT, b[2:5], False) + cf(OP_CONT, b[5:]))
    assert events(p) == [(EV_FRAGMENT, "", True, False), (EV_FRAGMENT, "\u20ac", True, False),
                         (EV_FRAGMENT, "\u20ac", True, True)]
    p.receive_data(cf(OP_BINARY, b"ab", False) + cf(OP_CONT, b"c"))
    assert events(p) == [(EV_FRAGMENT, b"ab", False, False), (EV_FRAGMENT, b"c", False, True)]


def test_ping_answer_from_server_and_client_side():
    s = WSProtocol(client=False)
    s.receive_data(cf(OP_PING, b"x" * 125))
    assert events(s) == [(EV_PING, b"x" * 125)]
    assert s.data_to_send() == b"\x8a\x7d" + b"x" * 125
    c = WSProtocol(client=True)
    c.receive_data(sf(OP_PING, b"abc"))
    assert events(c) == [(EV_PING, b"abc")]
    b0, payload = unmask_client_frame(c.data_to_send())
    assert b0 == 0x8A and payload == b"abc"
    n = WSProtocol(client=False, auto_pong=False)
    n.receive_data(cf(OP_PING, b"z"))
    assert events(n) == [(EV_PING, b"z")]
    assert n.data_to_send() == b""


# -- UTF-8 -----------------------------------------------------------------------------

BAD_UTF8 = (b"\xff", b"\x80", b"\xc0\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xed\xa0\x80",
            b"\xed\xbf\xbf", b"\xf0\x80\x80\x80", b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80",
            b"\xf8\x88\x80\x80\x80", b"a\xe2\x82", b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80")


def test_invalid_utf8_single_frame_1007():
    for bad in BAD_UTF8:
        expect_fail(WSProtocol(client=False), cf(OP_TEXT, bad), 1007)


def test_valid_utf8_edges():
    for good in (b"", b"\x7f", b"\xc2\x80", b"\xdf\xbf", b"\xe0\xa0\x80", b"\xed\x9f\xbf",
                 b"\xee\x80\x80", b"\xef\xbf\xbf", b"\xf0\x90\x80\x80", b"\xf4\x8f\xbf\xbf"):
        p = WSProtocol(client=False)
        p.receive_data(cf(OP_TEXT, good))
        assert events(p) == [(EV_MESSAGE, good.decode(), True)]


def test_invalid_utf8_found_at_the_fragment_where_it_starts():
    # Fragment 2 holds the bad byte; fragment 3 is never sent: the error must come anyway.
    for bad in (b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90"):
        p = WSProtocol(client=False)
        p.receive_data(cf(OP_TEXT, b"fine ", False))
        assert events(p) == []
        expect_fail(p, cf(OP_CONT, b"ok" + bad, False), 1007)


def test_invalid_prefix_at_fragment_end_detected_early():
    # "\xf4\x90" can never start a valid character: no need to wait for the next frame.
    p = WSProtocol(client=False)
    expect_fail(p, cf(OP_TEXT, b"abc\xf4\x90", False), 1007)
    p = WSProtocol(client=False)
    expect_fail(p, cf(OP_TEXT, b"abc\xe0\x9f", False), 1007)
    # a valid prefix waits for its continuation
    p = WSProtocol(client=False)
    p.receive_data(cf(OP_TEXT, b"abc\xf0\x9f", False))
    assert events(p) == []
    p.receive_data(cf(OP_CONT, b"\x98\x80"))
    assert events(p) == [(EV_MESSAGE, "abc\U0001f600", True)]


def test_incomplete_character_at_message_end_1007():
    p = WSProtocol(client=False)
    p.receive_data(cf(OP_TEXT, b"abc\xe2\x82", False))
    assert events(p) == []
    expect_fail(p, cf(OP_CONT, b""), 1007)


def test_binary_is_not_utf8_checked():
    p = WSProtocol(client=False)
    p.receive_data(cf(OP_BINARY, b"\xff\xfe"))
    assert events(p) == [(EV_MESSAGE, b"\xff\xfe", False)]


# -- sizes -----------------------------------------------------------------------------

def test_frame_over_max_frame_size_1009_from_the_header():
    p = WSProtocol(client=False, max_frame_size=200, max_message_size=1000)
    hdr = bytes([0x82, 0xFE, 0x00, 0xC9]) + K     # 201 bytes announced, none sent
    expect_fail(p, hdr, 1009, True, 4)
    p = WSProtocol(client=False, max_frame_size=100, max_message_size=1000)
    expect_fail(p, bytes([0x82, 0xE5]), 1009, True, 2)   # 101 in the 7-bit form
    p = WSProtocol(client=False, max_frame_size=200, max_message_size=1000)
    p.receive_data(cf(OP_BINARY, b"x" * 200))
    assert events(p) == [(EV_MESSAGE, b"x" * 200, False)]


def test_message_over_max_message_size_1009():
    p = WSProtocol(client=False, max_frame_size=100, max_message_size=250)
    p.receive_data(cf(OP_BINARY, b"x" * 100, False) + cf(OP_CONT, b"x" * 100, False))
    assert events(p) == []
    expect_fail(p, cf(OP_CONT, b"x" * 51), 1009)
    p = WSProtocol(client=False, max_frame_size=100, max_message_size=250)
    p.receive_data(cf(OP_BINARY, b"x" * 100, False) + cf(OP_CONT, b"x" * 100, False)
                   + cf(OP_CONT, b"x" * 50))
    assert events(p) == [(EV_MESSAGE, b"x" * 250, False)]


def test_client_side_limit_emits_masked_close():
    p = WSProtocol(client=True, max_message_size=10)
    expect_fail(p, sf(OP_BINARY, b"x" * 11), 1009)


# -- closing handshake -----------------------------------------------------------------

def test_peer_close_is_echoed():
    p = WSProtocol(client=False)
    p.receive_data(cf(OP_CLOSE, b"\x03\xe8bye"))
    assert events(p) == [(EV_CLOSE, 1000, "bye")]
    assert p.data_to_send() == b"\x88\x02\x03\xe8"
    assert p.state == ST_CLOSED and p.close_code == 1000 and p.close_reason == "bye"
    assert raises(WSError, p.send_message, b"x")
    assert raises(WSError, p.send_close)
    # nothing after the close is parsed
    p.receive_data(cf(OP_TEXT, b"late"))
    assert p.next_event() is None


def test_empty_close_is_1005_and_echoed_empty():
    c = WSProtocol(client=True)
    c.receive_data(sf(OP_CLOSE, b""))
    assert events(c) == [(EV_CLOSE, 1005, "")]
    b0, payload = unmask_client_frame(c.data_to_send())
    assert b0 == 0x88 and payload == b""


def test_we_close_first():
    s = WSProtocol(client=False)
    assert s.send_close(1001, "away") == b"\x88\x06\x03\xe9away"
    assert s.state == ST_CLOSING
    assert raises(WSError, s.send_message, b"x")
    assert raises(WSError, s.send_ping)
    # data still arriving before the peer's close is delivered; pings are not answered
    s.receive_data(cf(OP_BINARY, b"in flight") + cf(OP_PING, b"p") + cf(OP_CLOSE, b"\x03\xe9"))
    assert events(s) == [(EV_MESSAGE, b"in flight", False), (EV_PING, b"p"), (EV_CLOSE, 1001, "")]
    assert s.data_to_send() == b""
    assert s.state == ST_CLOSED
    assert WSProtocol(client=False).send_close(None) == b"\x88\x00"
    assert WSProtocol(client=False).send_close() == b"\x88\x02\x03\xe8"


def test_valid_close_codes_accepted():
    for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                 3000, 3999, 4000, 4999):
        p = WSProtocol(client=False)
        p.receive_data(cf(OP_CLOSE, code.to_bytes(2, "big")))
        assert events(p) == [(EV_CLOSE, code, "")]
        assert p.data_to_send() == b"\x88\x02" + code.to_bytes(2, "big")


def test_invalid_close_codes_1002():
    for code in (0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535):
        expect_fail(WSProtocol(client=False), cf(OP_CLOSE, code.to_bytes(2, "big")), 1002)


def test_close_payload_of_one_byte_1002():
    expect_fail(WSProtocol(client=False), cf(OP_CLOSE, b"\x03"), 1002)


def test_close_reason_invalid_utf8_1007():
    expect_fail(WSProtocol(client=False), cf(OP_CLOSE, b"\x03\xe8\xff"), 1007)
    expect_fail(WSProtocol(client=False), cf(OP_CLOSE, b"\x03\xe8\xed\xa0\x80"), 1007)


def test_send_close_refuses_unsendable_codes():
    for code in (999, 1004, 1005, 1006, 1015, 2000, 5000):
        e = raises(WSError, WSProtocol(client=False).send_close, code)
        assert "may not be sent" in str(e)
    assert raises(WSError, WSProtocol(client=False).send_close, 1000, "x" * 124)
    assert raises(WSError, WSProtocol(client=False).send_close, None, "why")
    p = WSProtocol(client=False)
    assert len(p.send_close(1000, "x" * 123)) == 127


def test_send_frame_checks_control_frames():
    p = WSProtocol(client=False)
    assert raises(WSError, p.send_frame, OP_PING, b"x" * 126)
    assert raises(WSError, p.send_frame, OP_PING, b"x", False)
    assert p.send_frame(OP_TEXT, b"x", False, True) == b"\x41\x01x"
    assert p.send_ping(b"a") == b"\x89\x01a"
    assert p.send_pong(b"b") == b"\x8a\x01b"


def test_eof_without_close_is_1006():
    p = WSProtocol(client=False)
    p.receive_data(cf(OP_BINARY, b"abc")[:3])
    p.receive_data(b"")
    assert events(p) == [(EV_CLOSE, 1006, "")]
    assert p.state == ST_CLOSED
    assert p.data_to_send() == b""


def test_bytewise_session_equals_whole():
    data = (cf(OP_TEXT, "\u20ac".encode() * 50) + cf(OP_BINARY, b"\x00" * 300, False)
            + cf(OP_PING, b"pp") + cf(OP_CONT, b"\x01" * 70000) + cf(OP_PONG, b"")
            + cf(OP_CLOSE, b"\x0f\xa0done"))
    whole = WSProtocol(client=False, max_message_size=1 << 20)
    whole.receive_data(data)
    want = events(whole)
    assert [e[0] for e in want] == [EV_MESSAGE, EV_PING, EV_MESSAGE, EV_PONG, EV_CLOSE]
    assert want[2] == (EV_MESSAGE, b"\x00" * 300 + b"\x01" * 70000, False)
    assert want[4] == (EV_CLOSE, 4000, "done")
    step = WSProtocol(client=False, max_message_size=1 << 20)
    got = []
    for i in range(0, len(data), 1 if len(data) < 2000 else 1):
        step.receive_data(data[i:i + 1])
        got.extend(events(step))
    assert got == want
    assert step.data_to_send() == whole.data_to_send() == b"\x8a\x02pp\x88\x02\x0f\xa0"


def test_client_server_joined_in_memory():
    c = WSProtocol(client=True)
    s = WSProtocol(client=False)
    s.receive_data(c.send_message("hi") + c.send_ping(b"1"))
    assert events(s) == [(EV_MESSAGE, "hi", True), (EV_PING, b"1")]
    c.receive_data(s.data_to_send() + s.send_message(b"\x00\x01"))
    assert events(c) == [(EV_PONG, b"1"), (EV_MESSAGE, b"\x00\x01", False)]
    s.receive_data(c.send_close(1000, "done"))
    assert c.state == ST_CLOSING
    assert events(s) == [(EV_CLOSE, 1000, "done")]
    c.receive_data(s.data_to_send())
    assert events(c) == [(EV_CLOSE, 1000, "")]
    assert c.state == ST_CLOSED and s.state == ST_CLOSED
    assert c.data_to_send() == b""
    assert ST_OPEN == 0
