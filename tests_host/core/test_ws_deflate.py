# mhttp.ws permessage-deflate (RFC 7692), portable.  On MicroPython the core inflates
# each message on its own (no context takeover) and compresses only when the firmware has
# MICROPY_PY_DEFLATE_COMPRESS; these tests check what each runtime can do.  Expectations
# follow the runtime's capabilities as the library probes them (deflate_available(), whose
# second item is mhttp.ws._mp_deflate_compress on MicroPython), not its name: the unix
# port 1.29 cannot compress, the wasm32 port 1.27 (and firmware built with
# MICROPY_PY_DEFLATE_COMPRESS) can, and then compresses each whole message into a stream
# of its own ending with a final block (RFC 7692 §7.2.3.4), so it asks for no context
# takeover on its side too and sends fragmented messages uncompressed.
import binascii
from mhttp.ws import (WSProtocol, PerMessageDeflate, encode_frame, server_handshake,
                      client_request, client_check_response, deflate_available, _parse_extensions,
                      OP_TEXT, OP_BINARY, OP_CONT, EV_MESSAGE, EV_CLOSE, ST_CLOSED, MICROPYTHON,
                      DEFAULT_WINDOW_BITS)
from mhttp.errors import WSError
from _t import raises, events

CAN_INFLATE, CAN_DEFLATE = deflate_available()
# a compressor that ends every message with a final block (MicroPython's DeflateIO)
MP_DEFLATE = MICROPYTHON and CAN_DEFLATE


def _frames(wire):
    # [(first byte, payload)] of unmasked or masked frames, one after another
    out = []
    while wire:
        n = wire[1] & 0x7f
        p = 2
        if n == 126:
            n = int.from_bytes(wire[2:4], "big")
            p = 4
        elif n == 127:
            n = int.from_bytes(wire[2:10], "big")
            p = 10
        key = None
        if wire[1] & 0x80:
            key = wire[p:p + 4]
            p += 4
        data = wire[p:p + n]
        if key is not None:
            data = bytes([data[i] ^ key[i & 3] for i in range(n)])
        out.append((wire[0], data))
        wire = wire[p + n:]
    return out


def client_pmd(params=None):
    # A client's negotiated extension as a server's response would produce it.
    if params is None:
        params = [(b"server_no_context_takeover", None), (b"server_max_window_bits", b"10")]
    return PerMessageDeflate().check_response(params)


def test_runtime_capabilities():
    assert CAN_INFLATE
    if not MICROPYTHON:
        assert CAN_DEFLATE


def test_rfc7692_7_2_3_1_single_and_fragmented():
    c = WSProtocol(client=True, extensions=[client_pmd()])
    c.receive_data(bytes([0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]))
    assert events(c) == [(EV_MESSAGE, "Hello", True)]
    c.receive_data(bytes([0x41, 0x03, 0xf2, 0x48, 0xcd]))
    assert events(c) == []
    c.receive_data(bytes([0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00]))
    assert events(c) == [(EV_MESSAGE, "Hello", True)]


def test_rfc7692_7_2_3_3_to_5_stored_bfinal_two_blocks():
    c = WSProtocol(client=True, extensions=[client_pmd()])
    c.receive_data(bytes([0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00]))
    c.receive_data(bytes([0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00]))
    c.receive_data(bytes([0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca,
                          0xc9, 0xc9, 0x07, 0x00]))
    assert events(c) == [(EV_MESSAGE, "Hello", True)] * 3


def test_rfc7692_7_2_3_2_context_takeover():
    if MICROPYTHON:
        # DeflateIO cannot carry context: we never negotiate it (checked below).
        e = raises(WSError, PerMessageDeflate().check_response, [(b"server_max_window_bits", b"10")])
        assert "context takeover" in str(e)
        return
    c = WSProtocol(client=True, extensions=[client_pmd([])])
    c.receive_data(bytes([0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]))
    c.receive_data(bytes([0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00]))
    assert events(c) == [(EV_MESSAGE, "Hello", True)] * 2


# 200000 zero bytes, raw deflate, sync-flushed, 00 00 ff ff stripped (211 bytes).
BOMB = binascii.unhexlify(
    b"ecc13101000000c2a0f54f6d067fa0" + b"00" * 193 + b"80d700")


def test_decompression_bomb_1009():
    assert len(BOMB) == 211
    c = WSProtocol(client=True, extensions=[client_pmd()], max_message_size=1000)
    c.receive_data(bytes([0xc2, 0x7e, 0x00, len(BOMB)]) + BOMB)
    e = raises(WSError, events, c)
    assert e.close_code == 1009 and "decompression bomb" in str(e)
    out = c.data_to_send()
    assert out[:2] == b"\x88\x82"
    assert c.state == ST_CLOSED


def test_decompression_bomb_inflates_under_a_large_limit():
    # the same message under a large enough limit inflates to its 200000 zeros (the bomb
    # is real; a board's heap cannot hold them: tests_device HOST_SIZED)
    c = WSProtocol(client=True, extensions=[client_pmd()], max_message_size=200000)
    c.receive_data(bytes([0xc2, 0x7e, 0x00, len(BOMB)]) + BOMB)
    assert events(c) == [(EV_MESSAGE, b"\x00" * 200000, False)]


def test_invalid_compressed_data_1002():
    c = WSProtocol(client=True, extensions=[client_pmd()])
    c.receive_data(bytes([0xc2, 0x03, 0xff, 0xff, 0xff]))
    e = raises(WSError, events, c)
    assert e.close_code == 1002
    assert c.data_to_send()[:2] == b"\x88\x82"


def test_compressed_text_with_bad_utf8_1007():
    # "\xff" in a stored block (00 01 00 fe ff ff), then the first byte of the flush block
    c = WSProtocol(client=True, extensions=[client_pmd()])
    c.receive_data(bytes([0xc1, 0x07, 0x00, 0x01, 0x00, 0xfe, 0xff, 0xff, 0x00]))
    e = raises(WSError, events, c)
    assert e.close_code == 1007


def _stored(data, final=False):
    # data as one stored deflate block (RFC 1951 §3.2.4), then (unless final) the header
    # byte of the sync flush's empty stored block, whose 00 00 ff ff the sender strips
    n = len(data)
    b = bytes([1 if final else 0]) + n.to_bytes(2, "little") + (n ^ 0xffff).to_bytes(2, "little")
    return b + data if final else b + data + b"\x00"


def test_many_messages_one_after_another():
    # Compressed messages in turn on one connection: sizes around the inflater's read
    # pieces (256 B on MicroPython) and well past them, messages that end with a final
    # block (every fourth: RFC 7692 §7.2.3.4), in fragments, or as Huffman codes; then a
    # bomb and bad data after them still fail the connection.
    hello = bytes([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
    for bad, code in ((BOMB, 1009), (b"\xff\xff\xff", 1002)):
        c = WSProtocol(client=True, extensions=[client_pmd()], max_message_size=5000)
        want = []
        sizes = (1, 255, 256, 257, 511, 512, 513, 753, 754, 1000, 3000, 5, 768, 4096, 2)
        for i in range(len(sizes)):
            # (one 256-byte period repeated: a list of 4096 ints is a 32 KB block on a
            # board's heap, which the esp32 virtual board could not always find)
            data = bytes([(j * 7 + i) & 255 for j in range(256)])
            data = (data * (sizes[i] // 256 + 1))[:sizes[i]]
            z = _stored(data, i % 4 == 3)
            if i % 5 == 4:
                c.receive_data(encode_frame(OP_BINARY, z[:3], False, 0x40)
                               + encode_frame(OP_CONT, z[3:-2], False)
                               + encode_frame(OP_CONT, z[-2:], True))
            else:
                c.receive_data(encode_frame(OP_BINARY, z, True, 0x40))
            c.receive_data(encode_frame(OP_TEXT, hello, True, 0x40))
            want.append((EV_MESSAGE, data, False))
            want.append((EV_MESSAGE, "Hello", True))
            assert events(c) == want[-2:], sizes[i]
        c.receive_data(encode_frame(OP_BINARY, bad, True, 0x40))
        e = raises(WSError, events, c)
        assert e.close_code == code


def test_inflated_size_at_the_limit():
    # A compressed message of exactly max_message_size bytes inflates, one byte more is
    # 1009 (the inflater reads up to the limit + 1 in pieces and stops at a short read:
    # limits at and around the pieces' edges, 256 B and 1 KiB on MicroPython).
    for limit in (1, 255, 256, 257, 1024, 4095, 4096, 4097, 5121):
        data = bytes([(j * 3) & 255 for j in range(256)])
        data = (data * (limit // 256 + 2))[:limit + 1]
        for n, ok in ((limit, True), (limit + 1, False)):
            c = WSProtocol(client=True, extensions=[client_pmd()], max_message_size=limit,
                           max_frame_size=1 << 20)
            c.receive_data(encode_frame(OP_BINARY, _stored(data[:n]), True, 0x40))
            if ok:
                assert events(c) == [(EV_MESSAGE, data[:n], False)], (limit, n)
            else:
                e = raises(WSError, events, c)
                assert e.close_code == 1009, (limit, n)


def _pair(cpmd_policy, spmd_policy):
    req = client_request(b"h", b"/", b"dGhlIHNhbXBsZSBub25jZQ==", pmd=cpmd_policy)
    resp, _, sexts = server_handshake(req, None, spmd_policy)
    _, cexts = client_check_response(resp, b"dGhlIHNhbXBsZSBub25jZQ==", None, cpmd_policy)
    assert len(sexts) == 1 and len(cexts) == 1
    return (WSProtocol(client=True, extensions=cexts, max_message_size=1 << 20),
            WSProtocol(client=False, extensions=sexts, max_message_size=1 << 20))


def test_compressed_messages_amid_others_in_one_read():
    # Whole compressed messages at the start, in the middle and at the end of one read
    # (MicroPython inflates them from the read itself, in place), then a bad one
    hello = bytes([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
    data = bytes([(j * 5) & 255 for j in range(300)])
    z = _stored(data)
    c = WSProtocol(client=True, extensions=[client_pmd()])
    c.receive_data(encode_frame(OP_TEXT, hello, True, 0x40) + encode_frame(OP_TEXT, b"plain")
                   + encode_frame(OP_BINARY, z, True, 0x40) + encode_frame(OP_BINARY, z[:3], False, 0x40)
                   + encode_frame(OP_CONT, z[3:], True) + encode_frame(OP_BINARY, z, True, 0x40))
    assert events(c) == [(EV_MESSAGE, "Hello", True), (EV_MESSAGE, "plain", True),
                         (EV_MESSAGE, data, False), (EV_MESSAGE, data, False),
                         (EV_MESSAGE, data, False)]
    c.receive_data(encode_frame(OP_BINARY, b"x", True) + encode_frame(OP_BINARY, b"\xff\xff\xff", True, 0x40))
    e = raises(WSError, events, c)
    assert e.close_code == 1002


def _big():
    # 10 KiB of compressible binary; 5 KiB on a board's heap (under 1 MB: tests_device),
    # where after the rest of this module one 10 KiB block is not always to be had (5 KiB
    # still takes the inflater past its 4 KiB of 256-byte reads, into 1 KiB ones)
    import gc
    gc.collect()
    small = hasattr(gc, "mem_alloc") and gc.mem_free() + gc.mem_alloc() < 1000000
    return bytes(range(256)) * (20 if small else 40)


def test_round_trips_both_directions():
    big = _big()
    for cpol, spol in ((PerMessageDeflate(), PerMessageDeflate()),
                       (PerMessageDeflate(client_no_context_takeover=True, server_no_context_takeover=True),
                        PerMessageDeflate()),
                       (PerMessageDeflate(server_max_window_bits=9, client_max_window_bits=9),
                        PerMessageDeflate(client_max_window_bits=10))):
        c, s = _pair(cpol, spol)
        for msg in (b"", b"a", b"abc" * 1000, big, "\u20ac" * 300):
            for _ in range(3):   # repeated, so context takeover is exercised
                wire = c.send_message(msg)
                if CAN_DEFLATE and len(msg) >= 32:
                    assert wire[0] & 0x40, "compressed message has RSV1"
                    if msg == b"abc" * 1000:
                        assert len(wire) < 200
                else:
                    assert not wire[0] & 0x40
                s.receive_data(wire)
                assert events(s) == [(EV_MESSAGE, msg, isinstance(msg, str))]
                s_wire = s.send_message(msg)
                assert bool(s_wire[0] & 0x40) == (CAN_DEFLATE and len(msg) >= 32)
                c.receive_data(s_wire)
                assert events(c) == [(EV_MESSAGE, msg, isinstance(msg, str))]


def test_fragmented_compressed_send():
    c, s = _pair(PerMessageDeflate(), PerMessageDeflate())
    wire = c.send_message(b"abc" * 100, fin=False) + c.send_message(b"xyz" * 100, fin=False) \
        + c.send_message(b"end", fin=True)
    s.receive_data(wire)
    assert events(s) == [(EV_MESSAGE, b"abc" * 100 + b"xyz" * 100 + b"end", False)]
    f = _frames(wire)
    assert [b & 0xbf for b, _ in f] == [0x02, 0x00, 0x80]   # binary, cont, cont + FIN
    assert not f[1][0] & 0x40 and not f[2][0] & 0x40        # RSV1 never on a continuation
    if CAN_DEFLATE and not MP_DEFLATE:
        assert wire[0] == 0x42     # RSV1 on the first frame only, no FIN
        assert len(f[0][1]) < 300
    else:
        # no compressor, or one that cannot flush mid-message: the whole message goes
        # out plain (RSV1 clear on its first frame: legal, RFC 7692 §6)
        assert wire[0] == 0x02 and f[0][1] == b"abc" * 100 and f[1][1] == b"xyz" * 100
    # a whole message after it is compressed when the runtime can compress
    wire = c.send_message(b"abc" * 100)
    assert wire[0] == (0xc2 if CAN_DEFLATE else 0x82)
    s.receive_data(wire)
    assert events(s) == [(EV_MESSAGE, b"abc" * 100, False)]


def test_compressor_that_ends_messages_keeps_to_no_context_takeover():
    # A client whose offer's client_no_context_takeover the server did not grant: a peer
    # that keeps context would read the next message past the end of a final block, so a
    # compressor that ends each message with one (MicroPython) sends plain messages then.
    base = [(b"server_no_context_takeover", None), (b"server_max_window_bits", b"10")]
    for granted in (False, True):
        params = base + [(b"client_no_context_takeover", None)] if granted else base
        neg = PerMessageDeflate().check_response(params)
        assert neg.client_no_context_takeover == granted
        c = WSProtocol(client=True, extensions=[neg])
        s = WSProtocol(client=False, extensions=[neg])
        for _ in range(2):
            wire = c.send_message(b"abc" * 100)
            assert bool(wire[0] & 0x40) == (CAN_DEFLATE and (granted or not MP_DEFLATE))
            s.receive_data(wire)
            assert events(s) == [(EV_MESSAGE, b"abc" * 100, False)]


def test_offer_strings():
    if MP_DEFLATE:
        # our compressor ends each message: no context takeover on our side either
        assert PerMessageDeflate().offer() == (b"permessage-deflate; server_no_context_takeover; "
                                               b"client_no_context_takeover; "
                                               b"server_max_window_bits=10; client_max_window_bits")
    elif MICROPYTHON:
        assert PerMessageDeflate().offer() == (b"permessage-deflate; server_no_context_takeover; "
                                               b"server_max_window_bits=10; client_max_window_bits")
    else:
        assert PerMessageDeflate().offer() == b"permessage-deflate; client_max_window_bits"
    assert PerMessageDeflate(server_max_window_bits=9, client_max_window_bits=12,
                             server_no_context_takeover=True, client_no_context_takeover=True).offer() \
        == (b"permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
            b"server_max_window_bits=9; client_max_window_bits=12")


def test_parse_extensions():
    assert _parse_extensions([b"permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\", "
                              b"x-foo", b"Permessage-Deflate"]) == [
        (b"permessage-deflate", [(b"client_max_window_bits", None), (b"server_max_window_bits", b"10")]),
        (b"x-foo", []), (b"permessage-deflate", [])]


def test_server_accept_responses():
    pol = PerMessageDeflate()
    value, neg = pol.accept([(b"client_max_window_bits", None)])
    if MICROPYTHON:
        # we cannot keep inflate context and ask for a small window; a compressor that
        # ends each message (MP_DEFLATE) declares no context takeover on our side
        assert value == (b"permessage-deflate; " + (b"server_no_context_takeover; " if MP_DEFLATE else b"")
                         + b"client_no_context_takeover; client_max_window_bits=10")
        assert neg.client_max_window_bits == 10 and neg.client_no_context_takeover
    else:
        assert value == b"permessage-deflate"
        assert neg.client_max_window_bits == 15 and not neg.client_no_context_takeover
    assert neg.server_no_context_takeover == MP_DEFLATE
    value, neg = pol.accept([(b"server_max_window_bits", b"9"), (b"client_max_window_bits", b"11"),
                             (b"server_no_context_takeover", None)])
    assert b"server_max_window_bits=9" in value and b"server_no_context_takeover" in value
    assert neg.server_max_window_bits == 9 and neg.server_no_context_takeover
    assert neg.client_max_window_bits == (10 if MICROPYTHON else 11)
    # refusals: unknown or duplicate parameters, bad window values
    for params in ([(b"x", None)], [(b"server_no_context_takeover", b"1")],
                   [(b"server_max_window_bits", b"16")], [(b"server_max_window_bits", b"7")],
                   [(b"server_max_window_bits", b"010")], [(b"server_max_window_bits", None)],
                   [(b"client_max_window_bits", b"x")],
                   [(b"server_no_context_takeover", None), (b"server_no_context_takeover", None)]):
        assert pol.accept(params) is None, params
    # a server that wants a small client window declines a client that cannot limit it
    assert PerMessageDeflate(client_max_window_bits=10).accept([]) is None


def test_server_picks_the_first_acceptable_offer():
    req = client_request(b"h", b"/", b"dGhlIHNhbXBsZSBub25jZQ==")
    req.append("sec-websocket-extensions", b"permessage-deflate; foo=1, x-other, "
                                           b"permessage-deflate; client_max_window_bits=12")
    resp, _, exts = server_handshake(req, None, PerMessageDeflate())
    assert len(exts) == 1
    assert exts[0].client_max_window_bits == (10 if MICROPYTHON else 12)
    assert resp.get("sec-websocket-extensions").startswith(b"permessage-deflate")


def test_client_check_response_refusals():
    pol = PerMessageDeflate(server_max_window_bits=10)
    for params in ([(b"foo", None)], [(b"server_max_window_bits", b"12")],
                   [(b"server_no_context_takeover", None)],      # window 10 not granted
                   [(b"server_max_window_bits", b"99"), (b"server_no_context_takeover", None)],
                   [(b"client_max_window_bits", None), (b"server_no_context_takeover", None),
                    (b"server_max_window_bits", b"10")],
                   [(b"server_no_context_takeover", None), (b"server_no_context_takeover", None),
                    (b"server_max_window_bits", b"10")]):
        e = raises(WSError, pol.check_response, params)
        assert e.close_code == 1002
    neg = pol.check_response([(b"server_max_window_bits", b"9"), (b"server_no_context_takeover", None),
                              (b"client_max_window_bits", b"11")])
    # our compressor keeps to DEFAULT_WINDOW_BITS (10 on MicroPython) unless told otherwise
    assert neg.server_max_window_bits == 9 and neg.client_max_window_bits == min(11, DEFAULT_WINDOW_BITS)


def test_client_compressor_window():
    # The client's compressor uses the window the server grants, capped by the policy's
    # client_max_window_bits, else by DEFAULT_WINDOW_BITS (15 on CPython; 10 on
    # MicroPython, whose DeflateIO allocates 2**bits bytes per compressed message).
    # Smaller than granted is always legal (RFC 7692 §7.1.2.2).
    base = [(b"server_no_context_takeover", None), (b"client_no_context_takeover", None),
            (b"server_max_window_bits", b"10")]
    for policy, granted, want in ((None, None, DEFAULT_WINDOW_BITS), (None, b"12", min(12, DEFAULT_WINDOW_BITS)),
                                  (9, None, 9), (12, b"11", 11), (12, None, 12), (True, None, DEFAULT_WINDOW_BITS)):
        params = base + ([(b"client_max_window_bits", granted)] if granted else [])
        neg = PerMessageDeflate(client_max_window_bits=policy).check_response(params)
        assert neg.client_max_window_bits == want, (policy, granted)
        c = WSProtocol(client=True, extensions=[neg])
        s = WSProtocol(client=False, extensions=[neg])
        msg = bytes(range(256)) * 20 + b"abc" * 500
        wire = c.send_message(msg)
        assert bool(wire[0] & 0x40) == CAN_DEFLATE
        s.receive_data(wire)
        assert events(s) == [(EV_MESSAGE, msg, False)]


def test_rsv1_message_without_deflate_is_1002_and_uncompressed_ok_with_it():
    c = WSProtocol(client=True)
    c.receive_data(bytes([0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]))
    assert raises(WSError, events, c).close_code == 1002
    c = WSProtocol(client=True, extensions=[client_pmd()])
    c.receive_data(encode_frame(OP_BINARY, b"plain", True, 0, None)
                   + encode_frame(OP_TEXT, b"pl", False, 0, None) + encode_frame(OP_CONT, b"ain", True, 0, None))
    assert events(c) == [(EV_MESSAGE, b"plain", False), (EV_MESSAGE, "plain", True)]
    c.receive_data(b"")
    assert events(c) == [(EV_CLOSE, 1006, "")]


def test_inflater_reads_into_a_lent_buffer():
    # MicroPython: mhttp.websocket's blocking client lends the inflater its I/O object's
    # read buffer (_Inflater.buf, a memoryview of a bytearray): a message read into it in
    # place gives the same messages, limits and errors as the pieces, for buffers smaller
    # and larger than the messages and than the limit + 1 (then the rest follows in
    # pieces), and the buffer is only scratch: each message is its own bytes object.
    if not MICROPYTHON:
        return
    hello = bytes([0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00])
    for size in (1, 255, 256, 257, 1024, 1536, 5000):
        for limit in (1, 256, 1024, 1536, 4096):
            c = WSProtocol(client=True, extensions=[client_pmd()], max_message_size=limit,
                           max_frame_size=1 << 20)
            lent = memoryview(bytearray(size))
            c._inflater.buf = lent
            got = []
            for n in (0, 1, limit - 1, limit, 255, 256, 257, 1024, 1536):
                if n < 0 or n > limit:
                    continue
                data = bytes([(j * 5 + n) & 255 for j in range(256)])
                data = (data * (n // 256 + 1))[:n]
                c.receive_data(encode_frame(OP_BINARY, _stored(data, n & 1 == 1), True, 0x40))
                want = [(EV_MESSAGE, data, False)]
                if limit >= 5:
                    c.receive_data(encode_frame(OP_TEXT, hello, True, 0x40))
                    want.append((EV_MESSAGE, "Hello", True))
                ev = events(c)
                assert ev == want, (size, limit, n)
                assert type(ev[0][1]) is bytes
                got.append(ev[0][1])
            # (earlier messages are not views of the lent buffer)
            assert got[-1] == got[-1][:] and all(type(m) is bytes for m in got)
            # one byte over the limit: 1009, whatever the buffer's size
            data = bytes([(j * 3) & 255 for j in range(256)])
            data = (data * (limit // 256 + 2))[:limit + 1]
            c.receive_data(encode_frame(OP_BINARY, _stored(data), True, 0x40))
            e = raises(WSError, events, c)
            assert e.close_code == 1009, (size, limit)
    # bad compressed data and the bomb, into a lent buffer
    for bad, code, limit in ((b"\xff\xff\xff", 1002, 4096), (BOMB, 1009, 1000),
                             (BOMB, 1009, 5000)):
        c = WSProtocol(client=True, extensions=[client_pmd()], max_message_size=limit)
        c._inflater.buf = memoryview(bytearray(1536))
        c.receive_data(encode_frame(OP_BINARY, bad, True, 0x40))
        e = raises(WSError, events, c)
        assert e.close_code == code
