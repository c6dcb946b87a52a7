# mhttp.h2 hardening: rapid reset, CONTINUATION floods, control-frame floods, HPACK
# bombs, stream-id exhaustion, stalled streams.  Each asserts the exact code, whether
# the connection goes on, and (for stream-level answers) that another stream completes.
from mhttp.errors import (H2ConnectionError, PROTOCOL_ERROR, ENHANCE_YOUR_CALM, CANCEL,
                          REFUSED_STREAM, COMPRESSION_ERROR)
from mhttp.h2 import (H2Protocol, EV_HEADERS, EV_DATA, EV_STREAM_RESET,
                      EV_CONNECTION_TERMINATED, EV_PING_RECEIVED, EV_SETTINGS_CHANGED)
from mhttp import h2_frames as F
from mhttp import h2
from mhttp.h2_frames import (data_pack, headers_pack, settings_pack, ping_pack,
                             window_update_pack, rst_stream_pack, priority_pack,
                             continuation_pack, priority_update_pack)
from _t import raises
from _h2t import REQ, RESP, frames, goaway_of, rst_of, RawClient, pair, pump


def calm(evs, rc):
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, ENHANCE_YOUR_CALM), evs[-3:]
    g = goaway_of(rc.drain())
    assert g is not None and g[1] == ENHANCE_YOUR_CALM
    # the connection is over: more input is ignored
    assert rc.send(rc.headers(0x7ffffff1)) == []
    return g


def test_rapid_reset_goaway():
    rc = RawClient(max_rapid_resets=10, rapid_reset_window=100)
    sid = 1
    for i in range(10):
        evs = rc.send(rc.headers(sid, REQ, False), rst_stream_pack(sid, CANCEL))
        assert evs[-1] == (EV_STREAM_RESET, sid, CANCEL, True)
        sid += 2
    assert rc.drain() == []
    evs = rc.send(rc.headers(sid, REQ, False), rst_stream_pack(sid, CANCEL))
    g = calm(evs, rc)
    assert g[0] == sid


def test_rapid_reset_budget_is_per_window_and_spares_answered_streams():
    rc = RawClient(max_rapid_resets=3, rapid_reset_window=10)
    sid = 1
    for rnd in range(5):
        # 3 early resets and 7 normal streams per window of 10 streams
        for i in range(3):
            rc.send(rc.headers(sid, REQ, False), rst_stream_pack(sid, CANCEL))
            sid += 2
        for i in range(7):
            rc.roundtrip(sid)
            sid += 2
    # a reset after our response started does not count
    for i in range(10):
        rc.send(rc.headers(sid, REQ, False))
        rc.s.send_headers(sid, RESP)
        evs = rc.send(rst_stream_pack(sid, CANCEL))
        assert evs == [(EV_STREAM_RESET, sid, CANCEL, True)]
        sid += 2
    rc.drain()
    rc.roundtrip(sid)


def test_made_you_reset_counts_our_resets():
    rc = RawClient(max_rapid_resets=5)
    sid = 1
    bad = REQ + [(b"connection", b"x")]
    for i in range(5):
        evs = rc.send(rc.headers(sid, bad))
        assert evs == [(EV_STREAM_RESET, sid, 1, False)]
        sid += 2
    calm(rc.send(rc.headers(sid, bad)), rc)


def test_continuation_flood_count():
    rc = RawClient(max_continuations=8)
    blk = rc.block()
    fs = [headers_pack(1, blk[:1], True, False)]
    for i in range(8):
        fs.append(continuation_pack(1, b"", False) if i < 7 else continuation_pack(1, blk[1:], True))
    evs = rc.send(*fs)
    assert evs[0][0] == EV_HEADERS
    fs = [headers_pack(3, b"", True, False)] + [continuation_pack(3, b"", False)] * 9
    calm(rc.send(*fs), rc)


def test_continuation_flood_bytes():
    rc = RawClient(max_header_block_bytes=20000)
    fs = [headers_pack(1, b"\x00" * 10000, True, False), continuation_pack(1, b"\x00" * 10001, False)]
    calm(rc.send(*fs), rc)


def test_empty_continuation_flood():
    rc = RawClient(max_empty_frames=5)
    fs = [headers_pack(1, b"", True, False)] + [continuation_pack(1, b"", False)] * 6
    calm(rc.send(*fs), rc)


def test_continuation_must_not_interleave():
    for bad in (data_pack(1, b"x"), ping_pack(b"x" * 8), continuation_pack(3, b"", True),
                headers_pack(3, b"", True, True)):
        rc = RawClient()
        blk = rc.block()
        evs = rc.send(headers_pack(1, blk[:2], False, False), bad)
        assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)
        assert goaway_of(rc.drain())[1] == PROTOCOL_ERROR
    rc = RawClient()
    evs = rc.send(continuation_pack(1, b"", True))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


def test_settings_flood():
    rc = RawClient(max_settings_flood=20)
    for i in range(19):     # the client's first SETTINGS counts too
        assert rc.send(settings_pack([]))[0][0] == EV_SETTINGS_CHANGED
    calm(rc.send(settings_pack([])), rc)


def test_ping_flood_and_refill():
    rc = RawClient(max_ping_flood=10)
    for rnd in range(5):
        for i in range(10):
            assert rc.send(ping_pack(b"p" * 8)) == [(EV_PING_RECEIVED, b"p" * 8)]
        rc.roundtrip(1 + 2 * rnd)      # real traffic refills the budget
    for i in range(10):
        rc.send(ping_pack(b"p" * 8))
    calm(rc.send(ping_pack(b"p" * 8)), rc)


def test_empty_data_flood():
    rc = RawClient(max_empty_frames=10)
    rc.send(rc.headers(1, REQ, False))
    for i in range(10):
        assert rc.send(data_pack(1, b""))[0] == (EV_DATA, 1, b"", 0, False)
    rc.send(data_pack(1, b"real"))
    for i in range(10):
        rc.send(data_pack(1, b""))
    calm(rc.send(data_pack(1, b"")), rc)


def test_priority_flood():
    rc = RawClient(max_priority_flood=50)
    for i in range(25):
        rc.send(priority_pack(1 + 2 * i, 0, 16))
        rc.send(priority_update_pack(1 + 2 * i, b"u=3"))
    calm(rc.send(priority_pack(99, 0, 16)), rc)


def test_window_update_flood():
    rc = RawClient(max_window_update_flood=30)
    for i in range(30):
        rc.send(window_update_pack(0, 1))
    calm(rc.send(window_update_pack(0, 1)), rc)


def test_rst_on_closed_streams_flood():
    rc = RawClient(max_window_update_flood=30)
    rc.roundtrip(1)
    for i in range(30):
        assert rc.send(rst_stream_pack(1, CANCEL)) == []
    calm(rc.send(rst_stream_pack(1, CANCEL)), rc)


A431 = [(b":status", b"431", False), (b"content-length", b"0", False)]


def test_hpack_bomb_header_list_too_large():
    # A request head over our SETTINGS_MAX_HEADER_LIST_SIZE: its block is decoded all the
    # same (HPACK state in step), no field past the limit kept (the bomb costs nothing),
    # and the server answers 431 itself (RFC 9113 §10.5.1); the application never sees
    # the stream, the connection goes on.  (It was RST_STREAM(ENHANCE_YOUR_CALM).)
    rc = RawClient(settings={F.SETTINGS_MAX_HEADER_LIST_SIZE: 4000})
    assert rc.s.local_settings[F.SETTINGS_MAX_HEADER_LIST_SIZE] == 4000
    # one 3000-octet entry in the dynamic table, then referenced by index, 2 and 1000 times
    evs = rc.send(rc.headers(1, REQ + [(b"x-big", b"b" * 3000)], True))
    assert evs[0][0] == EV_HEADERS
    for sid, n in ((3, 2), (5, 1000)):
        evs = rc.send(rc.headers(sid, REQ + [(b"x-big", b"b" * 3000)] * n, True))
        assert evs == [], evs
        fs = rc.drain()
        assert rst_of(fs) == [] and [f[2] for f in fs] == [sid], fs
        assert rc.decoded == [(sid, [(b":status", b"431", False), (b"content-length", b"0", False)])]
        assert fs[0][1] & 0x1      # END_STREAM: the stream is closed
        assert rc.s.stream_state(sid) == h2.ST_CLOSED
    rc.roundtrip(7)     # HPACK state is still in step


def test_header_list_too_large_on_a_request_with_a_body():
    # The request's body was still to come: after the 431 the server asks the client to
    # stop sending without error (RST_STREAM(NO_ERROR), RFC 9113 §8.1); the DATA already
    # on its way is dropped, the connection window given back, the connection goes on.
    rc = RawClient(settings={F.SETTINGS_MAX_HEADER_LIST_SIZE: 2000})
    evs = rc.send(rc.headers(1, REQ + [(b"x-big", b"b" * 3000)], False))
    assert evs == [], evs
    fs = rc.drain()
    assert rc.decoded == [(1, A431)], rc.decoded
    assert rst_of(fs) == [(1, 0)] and rc.s.stream_state(1) == h2.ST_RESET_LOCAL
    assert rc.send(data_pack(1, b"x" * 1000), data_pack(1, b"y", True)) == []
    rc.roundtrip(3)


def test_header_list_too_large_in_trailers_or_a_response_is_still_a_reset():
    # Trailers over the limit (the application has the stream already) and a response
    # head a client cannot take keep RST_STREAM(ENHANCE_YOUR_CALM).
    rc = RawClient(settings={F.SETTINGS_MAX_HEADER_LIST_SIZE: 2000})
    evs = rc.send(rc.headers(1, REQ, False))
    assert evs[0][0] == EV_HEADERS
    evs = rc.send(rc.headers(1, [(b"x-big", b"b" * 3000)], True))
    assert evs == [(EV_STREAM_RESET, 1, ENHANCE_YOUR_CALM, False)], evs
    assert rst_of(rc.drain()) == [(1, ENHANCE_YOUR_CALM)]
    rc.roundtrip(3)
    c, s = pair(client_settings={F.SETTINGS_MAX_HEADER_LIST_SIZE: 2000})
    c.send_headers(1, REQ, True)
    pump(c, s)
    s.send_headers(1, RESP + [(b"x-big", b"b" * 3000)], True)
    evs = c.receive_data(s.data_to_send())
    assert (EV_STREAM_RESET, 1, ENHANCE_YOUR_CALM, False) in evs, evs


def test_malformed_hpack_is_compression_error():
    rc = RawClient()
    evs = rc.send(headers_pack(1, b"\xff\xff\xff\xff\xff\x0f", True))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, COMPRESSION_ERROR)
    assert goaway_of(rc.drain()) == (0, COMPRESSION_ERROR)


def test_refused_stream_still_decodes_hpack():
    rc = RawClient(settings={F.SETTINGS_MAX_CONCURRENT_STREAMS: 1})
    rc.send(rc.headers(1, REQ + [(b"x-a", b"1")], False))
    evs = rc.send(rc.headers(3, REQ + [(b"x-b", b"2")], True))
    assert evs == [(EV_STREAM_RESET, 3, REFUSED_STREAM, False)]
    rc.send(data_pack(1, b"", True))
    rc.s.send_headers(1, RESP, True)
    rc.drain()
    evs = rc.roundtrip(5)
    assert evs[0][2].get("user-agent") == b"t"


def test_stream_id_exhaustion_server_side_peer():
    rc = RawClient()
    rc.roundtrip(0x7fffffff)
    # the client cannot go higher; a lower id is a PROTOCOL_ERROR
    evs = rc.send(rc.headers(0x7ffffffd))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


def test_stalled_streams_reported_with_since():
    c, s = pair()
    c.send_headers(1, REQ, True)
    c.send_headers(3, REQ, True)
    pump(c, s)
    s.send_headers(1, RESP)
    s.send_headers(3, RESP)
    assert s.send_data(1, b"a" * 70000, False, now=5) == 65535
    assert s.send_data(3, b"b" * 10, False, now=6) == 0
    assert s.blocked_streams() == [(1, 5), (3, 6)]
    # the driver resets the stalled stream 1; stream 3 goes on
    s.reset_stream(1, CANCEL)
    assert s.blocked_streams() == [(3, 6)]
    evs = pump(s, c)
    assert (EV_STREAM_RESET, 1, CANCEL, True) in evs
    c.acknowledge_received_data(65535, 1)
    evs = pump(c, s)
    assert s.blocked_streams() == []
    assert s.send_data(3, b"b" * 10, True) == 10
    evs = pump(s, c)
    assert evs[-1] == (EV_DATA, 3, b"b" * 10, 10, True)


def test_frames_on_many_old_streams_forgotten_are_tolerated():
    rc = RawClient(max_closed_streams=4)
    sid = 1
    for i in range(10):
        rc.send(rc.headers(sid, REQ, False))
        rc.s.reset_stream(sid, CANCEL)
        sid += 2
    rc.drain()
    # stream 1 is long forgotten: its late DATA is dropped, the connection goes on
    assert rc.send(data_pack(1, b"late"), window_update_pack(1, 1)) == []
    rc.roundtrip(sid)


def test_unknown_limit_option_rejected():
    raises(TypeError, H2Protocol, True, None, False, True, None, max_bogus=1)


def test_flood_counter_numbers_agree():
    # mhttp._h2_rare keeps its own const() copies of mhttp.h2's _FC_* (indexes into
    # H2Protocol._fc); on MicroPython the private consts are not module attributes.
    from mhttp import h2, _h2_rare
    for k in ("_FC_PING", "_FC_EMPTY", "_FC_PRIO", "_FC_WU", "_FC_RR_RESETS"):
        if hasattr(h2, k):
            assert getattr(h2, k) == getattr(_h2_rare, k), k
    rc = RawClient()
    assert len(rc.s._fc) == 8
