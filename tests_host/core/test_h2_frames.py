# mhttp.h2_frames: every frame type packed and parsed, sizes, padding (portable).
from mhttp.errors import (H2ConnectionError, H2StreamError, FRAME_SIZE_ERROR, PROTOCOL_ERROR,
                          CANCEL, NO_ERROR, ENHANCE_YOUR_CALM)
from mhttp import h2_frames as F
from _t import raises


def one(data, max_size=16384):
    r = F.parse_frame(data, 0, max_size)
    assert r is not None and r[4] == len(data)
    return r[:4]


def test_header_pack_unpack_and_reserved_bit():
    h = F.header_pack(0x123456, F.FRAME_HEADERS, 0x25, 7)
    assert h == b"\x12\x34\x56\x01\x25\x00\x00\x00\x07"
    assert F.header_unpack(h) == (0x123456, 1, 0x25, 7)
    # RFC 9113 §4.1: the reserved bit is ignored on receipt
    assert F.header_unpack(b"\x00\x00\x00\x00\x00\x80\x00\x00\x03") == (0, 0, 0, 3)
    assert F.header_unpack(h[:8]) is None
    assert F.header_unpack(b"xx" + h, 2) == (0x123456, 1, 0x25, 7)


def test_data_plain_and_padded():
    f = F.data_pack(1, b"hello", True)
    assert f == b"\x00\x00\x05\x00\x01\x00\x00\x00\x01hello"
    t, fl, sid, p = one(f)
    assert (t, fl, sid) == (F.FRAME_DATA, F.FLAG_END_STREAM, 1)
    assert F.data_unpack(fl, p) == (b"hello", 0)
    f = F.data_pack(3, b"abc", False, pad=4)
    assert f == b"\x00\x00\x08\x00\x08\x00\x00\x00\x03\x04abc\x00\x00\x00\x00"
    t, fl, sid, p = one(f)
    assert F.data_unpack(fl, p) == (b"abc", 5)


def test_padding_too_long_is_protocol_error():
    # Pad Length 5 with only 4 octets after it
    e = raises(H2ConnectionError, F.data_unpack, F.FLAG_PADDED, b"\x05abcd")
    assert e.code == PROTOCOL_ERROR
    e = raises(H2ConnectionError, F.headers_unpack, F.FLAG_PADDED, b"\x01")
    assert e.code == PROTOCOL_ERROR
    e = raises(H2ConnectionError, F.data_unpack, F.FLAG_PADDED, b"")
    assert e.code == FRAME_SIZE_ERROR
    # padding equal to the rest is fine only when it leaves the Pad Length octet itself
    assert F.data_unpack(F.FLAG_PADDED, b"\x03\x00\x00\x00") == (b"", 4)


def test_headers_with_priority_and_padding():
    f = F.headers_pack(5, b"BLOCK", end_stream=True, end_headers=True, priority=(3, 16, True),
                       pad=2)
    t, fl, sid, p = one(f)
    assert t == F.FRAME_HEADERS and sid == 5
    assert fl == F.FLAG_END_STREAM | F.FLAG_END_HEADERS | F.FLAG_PRIORITY | F.FLAG_PADDED
    assert F.headers_unpack(fl, p) == (b"BLOCK", (3, 16, True))
    f = F.headers_pack(1, b"B", end_headers=False)
    t, fl, sid, p = one(f)
    assert fl == 0 and F.headers_unpack(fl, p) == (b"B", None)


def test_priority():
    f = F.priority_pack(3, 1, 256, False)
    assert f == b"\x00\x00\x05\x02\x00\x00\x00\x00\x03\x00\x00\x00\x01\xff"
    t, fl, sid, p = one(f)
    assert F.priority_unpack(p) == (1, 256, False)
    assert F.priority_unpack(F.priority_pack(3, 9, 1, True)[9:]) == (9, 1, True)
    e = raises(H2StreamError, F.check_size, F.FRAME_PRIORITY, 0, 4, 3)
    assert e.code == FRAME_SIZE_ERROR and e.stream_id == 3


def test_rst_stream():
    f = F.rst_stream_pack(7, CANCEL)
    assert f == b"\x00\x00\x04\x03\x00\x00\x00\x00\x07\x00\x00\x00\x08"
    assert F.rst_stream_unpack(one(f)[3]) == CANCEL
    e = raises(H2ConnectionError, F.parse_frame, b"\x00\x00\x03\x03\x00\x00\x00\x00\x01abc")
    assert e.code == FRAME_SIZE_ERROR


def test_settings_and_ack():
    f = F.settings_pack([(F.SETTINGS_MAX_CONCURRENT_STREAMS, 100), (0x99, 7)])
    assert f == (b"\x00\x00\x0c\x04\x00\x00\x00\x00\x00" b"\x00\x03\x00\x00\x00\x64"
                 b"\x00\x99\x00\x00\x00\x07")
    assert F.settings_unpack(one(f)[3]) == [(3, 100), (0x99, 7)]
    assert F.settings_pack({4: 1, 1: 2}) == F.settings_pack([(1, 2), (4, 1)])
    ack = F.settings_pack(ack=True)
    assert ack == b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"
    e = raises(H2ConnectionError, F.check_size, F.FRAME_SETTINGS, F.FLAG_ACK, 6, 0)
    assert e.code == FRAME_SIZE_ERROR
    e = raises(H2ConnectionError, F.check_size, F.FRAME_SETTINGS, 0, 7, 0)
    assert e.code == FRAME_SIZE_ERROR


def test_push_promise():
    f = F.push_promise_pack(1, 2, b"REQ", pad=1)
    t, fl, sid, p = one(f)
    assert t == F.FRAME_PUSH_PROMISE and sid == 1 and fl == F.FLAG_END_HEADERS | F.FLAG_PADDED
    assert F.push_promise_unpack(fl, p) == (2, b"REQ")
    e = raises(H2ConnectionError, F.push_promise_unpack, 0, b"\x00\x00")
    assert e.code == FRAME_SIZE_ERROR


def test_ping():
    f = F.ping_pack(b"12345678", ack=True)
    assert f == b"\x00\x00\x08\x06\x01\x00\x00\x00\x0012345678"
    assert F.ping_unpack(one(f)[3]) == b"12345678"
    raises(ValueError, F.ping_pack, b"short")
    e = raises(H2ConnectionError, F.parse_frame, b"\x00\x00\x07\x06\x00\x00\x00\x00\x001234567")
    assert e.code == FRAME_SIZE_ERROR


def test_goaway():
    f = F.goaway_pack(5, ENHANCE_YOUR_CALM, b"calm")
    assert f == b"\x00\x00\x0c\x07\x00\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x0bcalm"
    assert F.goaway_unpack(one(f)[3]) == (5, ENHANCE_YOUR_CALM, b"calm")
    assert F.goaway_unpack(F.goaway_pack(0, NO_ERROR)[9:]) == (0, 0, b"")
    e = raises(H2ConnectionError, F.check_size, F.FRAME_GOAWAY, 0, 7, 0)
    assert e.code == FRAME_SIZE_ERROR


def test_window_update():
    f = F.window_update_pack(0, 0x7fffffff)
    assert f == b"\x00\x00\x04\x08\x00\x00\x00\x00\x00\x7f\xff\xff\xff"
    assert F.window_update_unpack(one(f)[3]) == 0x7fffffff
    # reserved bit ignored
    assert F.window_update_unpack(b"\x80\x00\x00\x01") == 1
    e = raises(H2ConnectionError, F.check_size, F.FRAME_WINDOW_UPDATE, 0, 5, 1)
    assert e.code == FRAME_SIZE_ERROR


def test_continuation():
    f = F.continuation_pack(3, b"more", end_headers=True)
    assert f == b"\x00\x00\x04\x09\x04\x00\x00\x00\x03more"
    t, fl, sid, p = one(f)
    assert F.continuation_unpack(fl, p) == b"more"
    assert one(F.continuation_pack(3, b"", False))[1] == 0


def test_priority_update():
    f = F.priority_update_pack(5, b"u=1, i")
    t, fl, sid, p = one(f)
    assert (t, sid) == (F.FRAME_PRIORITY_UPDATE, 0)
    assert F.priority_update_unpack(p) == (5, b"u=1, i")
    e = raises(H2ConnectionError, F.priority_update_unpack, b"\x00\x00")
    assert e.code == FRAME_SIZE_ERROR


def test_unknown_type_parses():
    f = F.header_pack(3, 0xfa, 0xff, 9) + b"xyz"
    assert one(f) == (0xfa, 0xff, 9, b"xyz")


def test_frame_too_large_and_partial():
    big = F.data_pack(1, b"x" * 16385)
    e = raises(H2ConnectionError, F.parse_frame, big)
    assert e.code == FRAME_SIZE_ERROR
    assert F.parse_frame(big, 0, 1 << 20)[4] == len(big)
    f = F.data_pack(1, b"abcdef")
    for i in range(len(f)):
        assert F.parse_frame(f[:i]) is None
    two = f + F.ping_pack(b"\x00" * 8)
    r = F.parse_frame(two)
    assert r[4] == len(f) and F.parse_frame(two, r[4])[0] == F.FRAME_PING


def test_size_error_texts():
    # FRAME_SIZE_ERROR texts come from mhttp._h2_frames_more.SIZE_ERRORS at the first
    # error: each raise site's number and the text quoted above it agree, and the
    # exceptions carry the formatted text, the code and the stream (PRIORITY only).
    from mhttp import _h2_frames_more as M
    e = raises(H2StreamError, F.check_size, F.FRAME_PRIORITY, 0, 4, 7)
    assert e.code == FRAME_SIZE_ERROR and e.stream_id == 7
    assert "PRIORITY frame length 4 != 5 (RFC 9113 §6.3)" in str(e)
    cases = ((F.check_size, (F.FRAME_RST_STREAM, 0, 5, 1), "RST_STREAM frame length 5 != 4"),
             (F.check_size, (F.FRAME_SETTINGS, 1, 6, 0), "SETTINGS ACK with a payload MUST"),
             (F.check_size, (F.FRAME_SETTINGS, 0, 7, 0), "SETTINGS length 7 not a multiple of 6 (§6.5)"),
             (F.check_size, (F.FRAME_PING, 0, 9, 0), "PING length 9 != 8"),
             (F.check_size, (F.FRAME_GOAWAY, 0, 7, 0), "GOAWAY length 7 < 8 (§6.8)"),
             (F.check_size, (F.FRAME_WINDOW_UPDATE, 0, 3, 0), "WINDOW_UPDATE length 3 != 4 (§6.9)"),
             (F.settings_unpack, (b"\x00" * 5,), "SETTINGS length 5 not a multiple of 6"),
             (F.goaway_unpack, (b"\x00" * 7,), "GOAWAY length 7 < 8"),
             (F.window_update_unpack, (b"\x00" * 5,), "WINDOW_UPDATE length 5 != 4"))
    for fn, args, text in cases:
        e = raises(H2ConnectionError, fn, *args)
        assert e.code == FRAME_SIZE_ERROR and text in str(e), (text, str(e))
    path = getattr(F, "__file__", "")
    if not path.endswith(".py"):
        return
    with open(path) as f:
        lines = f.read().split("\n")
    seen = []
    for i, line in enumerate(lines):
        k = line.find("raise _size_error(")
        if k < 0:
            continue
        n = int(line[k + 18:].split(",")[0].split(")")[0])
        assert lines[i - 1].strip() == "# " + M.SIZE_ERRORS[n], (n, lines[i - 1])
        seen.append(n)
    assert sorted(seen) == list(range(len(M.SIZE_ERRORS))), seen
