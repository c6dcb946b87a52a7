# mhttp.h2 header validation (RFC 9113 §8.1-8.3): each malformed message is a stream
# error PROTOCOL_ERROR (RST_STREAM), and the next stream on the connection still works.
from mhttp.errors import PROTOCOL_ERROR
from mhttp.h2 import (H2Protocol, EV_HEADERS, EV_DATA, EV_STREAM_RESET, EV_TRAILERS)
from mhttp.h2_frames import data_pack, headers_pack
from _h2t import REQ, RESP, rst_of, RawClient, RawServer
from _t import raises

M = (b":method", b"GET")
S = (b":scheme", b"https")
P = (b":path", b"/")
A = (b":authority", b"example.com")

BAD_REQUESTS = [
    ("missing :method", [S, P, A]),
    ("missing :scheme", [M, P, A]),
    ("missing :path", [M, S, A]),
    ("empty :path", [M, S, (b":path", b""), A]),
    ("path not origin-form", [M, S, (b":path", b"index.html"), A]),
    ("duplicated :path", [M, S, P, P, A]),
    ("unknown pseudo", [M, S, P, A, (b":foo", b"x")]),
    (":status in request", [M, S, P, A, (b":status", b"200")]),
    ("pseudo after regular", [M, S, (b"accept", b"*/*"), P, A]),
    ("connection header", [M, S, P, A, (b"connection", b"keep-alive")]),
    ("keep-alive header", [M, S, P, A, (b"keep-alive", b"5")]),
    ("proxy-connection", [M, S, P, A, (b"proxy-connection", b"x")]),
    ("transfer-encoding", [M, S, P, A, (b"transfer-encoding", b"chunked")]),
    ("upgrade", [M, S, P, A, (b"upgrade", b"websocket")]),
    ("te gzip", [M, S, P, A, (b"te", b"gzip")]),
    ("uppercase name", [M, S, P, A, (b"X-Foo", b"1")]),
    ("space in name", [M, S, P, A, (b"x foo", b"1")]),
    ("colon in name", [M, S, P, A, (b"x:foo", b"1")]),
    ("DEL in name", [M, S, P, A, (b"x\x7f", b"1")]),
    ("high octet in name", [M, S, P, A, (b"x\xc3\xa9", b"1")]),
    ("CR in value", [M, S, P, A, (b"x", b"a\rb")]),
    ("LF in value", [M, S, P, A, (b"x", b"a\nb")]),
    ("NUL in value", [M, S, P, A, (b"x", b"a\x00b")]),
    ("leading space in value", [M, S, P, A, (b"x", b" a")]),
    ("trailing tab in value", [M, S, P, A, (b"x", b"a\t")]),
    ("host differs from :authority", [M, S, P, A, (b"host", b"other.com")]),
    ("CONNECT with :path", [(b":method", b"CONNECT"), A, P]),
    ("CONNECT without :authority", [(b":method", b"CONNECT")]),
    (":protocol without the setting", [(b":method", b"CONNECT"), (b":protocol", b"websocket"),
                                       S, P, A]),
    ("bad content-length", [M, S, P, A, (b"content-length", b"12a")]),
    ("two content-lengths", [M, S, P, A, (b"content-length", b"1"), (b"content-length", b"2")]),
]

GOOD_REQUESTS = [
    [M, S, P, A],
    [M, S, P],                                          # no authority to convey
    [M, S, P, A, (b"te", b"trailers"), (b"host", b"example.com")],
    [(b":method", b"OPTIONS"), S, (b":path", b"*"), A],
    [M, S, P, A, (b"x", b""), (b"x-q", b"a b\tc"), (b"#$%&'*+-.^_`|~", b"ok")],
    [(b":method", b"CONNECT"), (b":authority", b"example.com:443")],
]


def test_bad_requests_are_stream_errors_and_connection_goes_on():
    for name, hdrs in BAD_REQUESTS:
        rc = RawClient()
        evs = rc.send(rc.headers(1, hdrs, True))
        assert evs == [(EV_STREAM_RESET, 1, PROTOCOL_ERROR, False)], (name, evs)
        assert rst_of(rc.drain()) == [(1, PROTOCOL_ERROR)], name
        rc.roundtrip(3)


def test_method_must_be_a_token_and_path_vchars():
    # RFC 9113 §8.3.1: :method is a method token (RFC 9110 §9.1), :path an origin-form
    # target: no control character, space or DEL (mhttp.h1's request-line classes: it
    # answers 400 to the same).  A request line smuggled in :method, a space in :path:
    # RST_STREAM(PROTOCOL_ERROR), the handler never sees them; the connection goes on.
    from mhttp.errors import H2StreamError
    bad = [
        ("request line in :method", [(b":method", b"GET /other HTTP/1.1 X"), S, P, A], 66),
        ("CTL in :method", [(b":method", b"G\x01T"), S, P, A], 66),
        ("separator in :method", [(b":method", b"GE(T"), S, P, A], 66),
        ("space in :path", [M, S, (b":path", b"/a b"), A], 67),
        ("DEL in :path", [M, S, (b":path", b"/a\x7f"), A], 67),
        ("tab in :path", [M, S, (b":path", b"/a\tb"), A], 67),
        ("CTL in :path", [M, S, (b":path", b"/a\x01"), A], 67),
        ("non-ASCII in :path", [M, S, (b":path", b"/caf\xc3\xa9"), A], 67),
        ("space in * :path", [(b":method", b"OPTIONS"), S, (b":path", b"* "), A], 67),
        ("bad :method on CONNECT-like", [(b":method", b"CONNECT "), A], 66),
    ]
    for name, hdrs, n in bad:
        rc = RawClient()
        evs = rc.send(rc.headers(1, hdrs, True))
        assert evs == [(EV_STREAM_RESET, 1, PROTOCOL_ERROR, False)], (name, evs)
        assert rst_of(rc.drain()) == [(1, PROTOCOL_ERROR)], name
        rc.roundtrip(3)
        # which check refused it
        p = H2Protocol(client=False)
        from mhttp.h2 import _Stream
        e = None
        try:
            p._check_request([(k, v, False) for k, v in hdrs], _Stream(1, 3, 65535, 65535),
                             False)
        except H2StreamError as x:
            e = x
        assert e is not None and e.code == PROTOCOL_ERROR, name
        assert (":method" if n == 66 else ":path") in str(e), (name, str(e))
    # what stays allowed: every tchar in a method, the VCHARs in a path
    rc = RawClient()
    ok = [[(b":method", b"M-SEARCH"), S, P, A],
          [(b":method", b"!#$%&'*+-.^_`|~09az"), S, P, A],
          [M, S, (b":path", b"/a/b;c?d=e&f=%20#x!$'()*+,:@~[]{}|\\^`\"<>"), A]]
    sid = 1
    for hdrs in ok:
        evs = rc.send(rc.headers(sid, hdrs, True))
        assert evs[0][0] == EV_HEADERS, (hdrs, evs)
        sid += 2


def test_te_trailers_in_any_case():
    # RFC 9110 §10.1.4: transfer-coding names are case-insensitive; "trailers" is the
    # only te an HTTP/2 request may carry (RFC 9113 §8.2.2), in whatever case
    rc = RawClient()
    sid = 1
    for v in (b"trailers", b"Trailers", b"TRAILERS"):
        evs = rc.send(rc.headers(sid, [M, S, P, A, (b"te", v)], True))
        assert evs[0][:2] == (EV_HEADERS, sid), (v, evs)
        sid += 2
    for v in (b"gzip", b"trailers, gzip", b"Trailer"):
        evs = rc.send(rc.headers(sid, [M, S, P, A, (b"te", v)], True))
        assert evs == [(EV_STREAM_RESET, sid, PROTOCOL_ERROR, False)], (v, evs)
        assert rst_of(rc.drain()) == [(sid, PROTOCOL_ERROR)]
        sid += 2


def test_our_own_bad_fields_and_content_length_raise_before_queueing():
    # What a server's application sends wrong is its error, not the peer's (RFC 9113
    # §8.1.1, §8.2.1: the client would reset the stream as malformed, PROTOCOL_ERROR
    # blaming itself): send_headers / send_data raise ProtocolError and queue nothing,
    # and the driver answers 500 or resets with INTERNAL_ERROR (test_h2_connection)
    from mhttp.errors import ProtocolError, H2Error
    from mhttp.h2_frames import FRAME_DATA

    def fresh():
        rc = RawClient()
        rc.send(rc.headers(1, REQ, True))
        return rc
    for hdrs in ([(b":status", b"200"), (b"x-a", b"1\r\nx-b: 2")],
                 [(b":status", b"200"), (b"x-a", b"1\x00")],
                 [(b":status", b"200"), (b"content-length", b"5x")]):
        rc = fresh()
        e = raises(ProtocolError, rc.s.send_headers, 1, hdrs)
        assert not isinstance(e, H2Error), e
        assert rc.s.data_to_send() == b""
        rc.s.send_headers(1, [(b":status", b"500"), (b"content-length", b"0")], True)
        rc.drain()
        assert rc.decoded[0][1][0][:2] == (b":status", b"500"), rc.decoded
    cl5 = [(b":status", b"200"), (b"content-length", b"5")]
    # too many octets, at once or over two calls; too few at the end
    rc = fresh()
    rc.s.send_headers(1, cl5)
    e = raises(ProtocolError, rc.s.send_data, 1, b"abcdef", True)
    assert str(e) == "6 body bytes exceed the content-length (5 left)"
    assert [f[0] for f in rc.drain()] == [1]               # the HEADERS only
    assert rc.s.send_data(1, b"abc") == 3
    raises(ProtocolError, rc.s.send_data, 1, b"def")
    e = raises(ProtocolError, rc.s.send_data, 1, b"d", True)
    assert str(e) == "body ended 1 bytes short of the content-length"
    assert [(f[0], f[3]) for f in rc.drain()] == [(FRAME_DATA, b"abc")]
    assert rc.s.send_data(1, b"de", True) == 2
    assert [(f[0], f[1], f[3]) for f in rc.drain()] == [(FRAME_DATA, 1, b"de")]
    # ended on the HEADERS, or by trailers, short of it
    rc = fresh()
    raises(ProtocolError, rc.s.send_headers, 1, cl5, True)
    assert rc.s.data_to_send() == b""
    rc.s.send_headers(1, cl5)
    rc.s.send_data(1, b"abcd")
    raises(ProtocolError, rc.s.send_headers, 1, [(b"x-t", b"1")], True)
    rc.s.send_data(1, b"e")
    rc.s.send_headers(1, [(b"x-t", b"1")], True)
    assert rc.s.stream_state(1) == 6
    # past a window: the slow path keeps the count too
    from mhttp.h2_frames import settings_pack
    rc = RawClient()
    rc.send(settings_pack([(4, 3)]), rc.headers(1, REQ, True))      # INITIAL_WINDOW_SIZE 3
    rc.s.send_headers(1, cl5)
    assert rc.s.send_data(1, b"abcde", True) == 3
    raises(ProtocolError, rc.s.send_data, 1, b"de!", True)
    # a response to HEAD keeps its content-length without the octets
    rc = RawClient()
    rc.send(rc.headers(1, [(b":method", b"HEAD")] + REQ[1:], True))
    rc.s.send_headers(1, cl5, True)
    assert rc.s.stream_state(1) == 6


def test_good_requests_pass():
    rc = RawClient()
    sid = 1
    for hdrs in GOOD_REQUESTS:
        evs = rc.send(rc.headers(sid, hdrs, True))
        assert evs[0][0] == EV_HEADERS, (hdrs, evs)
        assert [f[:2] for f in evs[0][2]] == hdrs
        sid += 2


def test_validation_can_be_turned_off():
    rc = RawClient(validate=False)
    evs = rc.send(rc.headers(1, [M, (b"X-Up", b" v ")], True))
    assert evs[0][0] == EV_HEADERS


def test_trailer_rules():
    rc = RawClient()
    rc.send(rc.headers(1, REQ, False), data_pack(1, b"x"))
    evs = rc.send(rc.headers(1, [(b":path", b"/x")], True))
    assert evs == [(EV_STREAM_RESET, 1, PROTOCOL_ERROR, False)]
    rc.send(rc.headers(3, REQ, False), data_pack(3, b"x"))
    evs = rc.send(rc.headers(3, [(b"checksum", b"1")], False))
    assert evs == [(EV_STREAM_RESET, 3, PROTOCOL_ERROR, False)]
    rc.send(rc.headers(5, REQ, False))
    evs = rc.send(rc.headers(5, [(b"connection", b"close")], True))
    assert evs == [(EV_STREAM_RESET, 5, PROTOCOL_ERROR, False)]
    rc.send(rc.headers(7, REQ, False))
    evs = rc.send(rc.headers(7, [(b"checksum", b"1")], True))
    assert evs[0][0] == EV_TRAILERS


def test_content_length_must_match_data():
    CL = lambda n: REQ + [(b"content-length", b"%d" % n)]
    rc = RawClient()
    rc.send(rc.headers(1, CL(3), False))
    evs = rc.send(data_pack(1, b"abcd"))
    assert evs == [(EV_STREAM_RESET, 1, PROTOCOL_ERROR, False)]
    rc.send(rc.headers(3, CL(3), False))
    evs = rc.send(data_pack(3, b"ab", True))
    assert evs == [(EV_STREAM_RESET, 3, PROTOCOL_ERROR, False)]
    evs = rc.send(rc.headers(5, CL(3), True))
    assert evs == [(EV_STREAM_RESET, 5, PROTOCOL_ERROR, False)]
    rc.send(rc.headers(7, CL(3), False), data_pack(7, b"a"))
    evs = rc.send(rc.headers(7, [(b"t", b"1")], True))
    assert evs == [(EV_STREAM_RESET, 7, PROTOCOL_ERROR, False)]
    evs = rc.send(rc.headers(9, CL(3), False), data_pack(9, b"ab"), data_pack(9, b"c", True))
    assert [e[0] for e in evs] == [EV_HEADERS, EV_DATA, EV_DATA]
    rc.roundtrip(11)


def test_bad_responses():
    cases = [
        [(b"content-type", b"x")],                       # no :status
        [(b":status", b"200"), (b":status", b"200")],
        [(b":status", b"20")],
        [(b":status", b"abc")],
        # no class below 1xx (RFC 9110 §15): as mhttp.h1's status-line, not an interim
        # head the client would wait past for a final one
        [(b":status", b"099")],
        [(b":status", b"000")],
        [(b":status", b"1000")],
        [(b":status", b"101")],
        [(b":status", b"200"), (b":path", b"/")],
        [(b":status", b"200"), (b"transfer-encoding", b"chunked")],
        [(b":status", b"200"), (b"Content-Type", b"x")],
    ]
    for hdrs in cases:
        rs = RawServer()
        sid = rs.request()
        evs = rs.send(rs.headers(sid, hdrs, True))
        assert evs == [(EV_STREAM_RESET, sid, PROTOCOL_ERROR, False)], (hdrs, evs)
        rs.roundtrip()
    rs = RawServer()
    sid = rs.request()
    evs = rs.send(rs.headers(sid, [(b":status", b"100")], True))
    assert evs == [(EV_STREAM_RESET, sid, PROTOCOL_ERROR, False)]


def test_head_and_304_content_length_without_body():
    rs = RawServer()
    sid = rs.request([(b":method", b"HEAD")] + REQ[1:])
    evs = rs.send(rs.headers(sid, [(b":status", b"200"), (b"content-length", b"1000")], True))
    assert evs[0][0] == EV_HEADERS and evs[0][3] is True
    sid = rs.request()
    evs = rs.send(rs.headers(sid, [(b":status", b"304"), (b"content-length", b"1000")], True))
    assert evs[0][0] == EV_HEADERS
    sid = rs.request()
    evs = rs.send(rs.headers(sid, [(b":status", b"200"), (b"content-length", b"1000")], True))
    assert evs == [(EV_STREAM_RESET, sid, PROTOCOL_ERROR, False)]


def test_server_sends_no_content_for_head_204_304():
    # RFC 9110 §9.3.2 / §15.4.5, RFC 9113 §8.1.1: a response to HEAD, a 204 or a 304
    # carries no DATA octets; send_data drops the handler's bytes (as mhttp.h1 does) and
    # still ends the stream, with an empty DATA frame; content-length stays as given
    from mhttp.h2_frames import FRAME_DATA, FRAME_HEADERS
    head = [(b":method", b"HEAD")] + REQ[1:]
    for req, status in ((head, b"200"), (REQ, b"204"), (REQ, b"304")):
        rc = RawClient()
        rc.send(rc.headers(1, req, True))
        rc.s.send_headers(1, [(b":status", status), (b"content-length", b"5")])
        assert rc.s.send_data(1, b"he", False) == 2
        assert rc.s.send_data(1, b"llo" * 100, True) == 300
        fs = rc.drain()
        assert [(f[0], f[1], f[3]) for f in fs] == [(FRAME_HEADERS, 4, fs[0][3]),
                                                    (FRAME_DATA, 1, b"")], fs
        assert rc.decoded[0][1][1][:2] == (b"content-length", b"5")
        assert rc.s.stream_state(1) == 6        # closed
        rc.roundtrip(3)                         # the next GET has its body
    # a response ended on its HEADERS: nothing more
    rc = RawClient()
    rc.send(rc.headers(1, head, True))
    rc.s.send_headers(1, [(b":status", b"200"), (b"content-length", b"5")], True)
    assert [(f[0], f[1]) for f in rc.drain()] == [(FRAME_HEADERS, 5)]
    # a request to HEAD is held to its content-length as any request
    rc = RawClient()
    evs = rc.send(rc.headers(1, head + [(b"content-length", b"3")], True))
    assert evs == [(EV_STREAM_RESET, 1, PROTOCOL_ERROR, False)], evs


def test_client_refuses_data_on_a_response_without_content():
    # RFC 9113 §8.1.1: DATA octets on a response to HEAD, a 204 or a 304 make it
    # malformed: RST_STREAM(PROTOCOL_ERROR), not a body handed out
    head = [(b":method", b"HEAD")] + REQ[1:]
    for req, status in ((head, b"200"), (REQ, b"204"), (REQ, b"304")):
        rs = RawServer()
        sid = rs.request(req)
        evs = rs.send(rs.headers(sid, [(b":status", status), (b"content-length", b"5")], False),
                      data_pack(sid, b"hello", True))
        assert [e[0] for e in evs] == [EV_HEADERS, EV_STREAM_RESET], evs
        assert evs[1] == (EV_STREAM_RESET, sid, PROTOCOL_ERROR, False)
        assert rst_of(rs.drain()) == [(sid, PROTOCOL_ERROR)]
        rs.roundtrip()
        # an empty DATA frame ending it is fine, whatever its content-length says; so are
        # trailers
        sid = rs.request(req)
        evs = rs.send(rs.headers(sid, [(b":status", status), (b"content-length", b"5")], False),
                      data_pack(sid, b"", True))
        assert [e[0] for e in evs] == [EV_HEADERS, EV_DATA] and evs[1][2:] == (b"", 0, True)
        sid = rs.request(req)
        evs = rs.send(rs.headers(sid, [(b":status", status), (b"content-length", b"5")], False),
                      rs.headers(sid, [(b"x-t", b"1")], True))
        assert [e[0] for e in evs] == [EV_HEADERS, EV_TRAILERS], evs


def test_data_before_headers_on_reserved_and_after_1xx():
    rs = RawServer()
    sid = rs.request()
    rs.send(rs.headers(sid, [(b":status", b"100")], False))
    evs = rs.send(data_pack(sid, b"x"))
    assert evs == [(EV_STREAM_RESET, sid, PROTOCOL_ERROR, False)]
    rs.roundtrip()


def test_name_and_value_errors_say_which():
    # The last checks of a field list: the first invalid regular name is reported (before
    # any value), then a value with NUL, CR or LF (boards check field by field, CPython
    # over the joined names and values: same outcome).
    from mhttp.errors import H2StreamError
    from mhttp import h2
    p = H2Protocol(client=False)
    cases = [
        ([M, S, P, (b"x", b"a\rb"), (b"X-Foo", b"1")], "invalid field name b'X-Foo'"),
        ([M, S, P, (b"ok", b"1"), (b"b\xc3d", b"1"), (b"X", b"1")], "invalid field name b'b\\xc3d'"),
        ([M, S, P, (b"x", b"1"), (b"y", b"a\x00")], "field value with NUL, CR or LF"),
        ([M, S, (b":path", b"/\n")], "field value with NUL, CR or LF"),
    ]
    for hdrs, want in cases:
        st = h2._Stream(1, 3, 65535, 65535)
        try:
            p._check_fields([f + (False,) for f in hdrs], 0, st)
        except H2StreamError as e:
            assert want in str(e), (hdrs, str(e))
        else:
            raise AssertionError(hdrs)
    st = h2._Stream(1, 3, 65535, 65535)
    assert p._check_fields([f + (False,) for f in [M, S, P, (b"x", b"")]], 0, st) == {
        b":method": b"GET", b":scheme": b"https", b":path": b"/"}
