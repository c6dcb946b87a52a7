# mhttp.h2 H2Protocol: exchanges, stream states, flow control, SETTINGS, PING, GOAWAY,
# push, h2c upgrade, RFC 8441 and RFC 9218 (portable).
from mhttp.errors import (H2ConnectionError, H2StreamError, ProtocolError, NO_ERROR,
                          PROTOCOL_ERROR, FLOW_CONTROL_ERROR, STREAM_CLOSED, FRAME_SIZE_ERROR,
                          REFUSED_STREAM, CANCEL)
from mhttp.headers import Headers
from mhttp import h2
from mhttp.h2 import (H2Protocol, EV_HEADERS, EV_DATA, EV_TRAILERS, EV_STREAM_RESET,
                      EV_WINDOW_UPDATED, EV_SETTINGS_CHANGED, EV_SETTINGS_ACKED,
                      EV_PING_RECEIVED, EV_PING_ACKED, EV_GOAWAY, EV_PUSH_PROMISE, EV_PRIORITY,
                      EV_PRIORITY_UPDATE, EV_CONNECTION_TERMINATED, H2Session)
from mhttp import h2_frames as F
from mhttp.h2_frames import (PREFACE, data_pack, headers_pack, settings_pack, ping_pack,
                             window_update_pack, rst_stream_pack, priority_pack, goaway_pack,
                             continuation_pack, push_promise_pack, header_pack,
                             priority_update_pack)
from mhttp.hpack import Encoder
from _t import raises, feed_bytewise
from _h2t import (REQ, RESP, frames, kinds, goaway_of, rst_of, evtypes, RawClient, RawServer,
                  pair, pump, no_oom)


def get(c, s, body=b"hi", req=REQ):
    sid = c.get_next_available_stream_id()
    c.send_headers(sid, req, True)
    evs = pump(c, s)
    assert evs[0][0] == EV_HEADERS and evs[0][1] == sid and evs[0][3] is True
    s.send_headers(sid, RESP)
    s.send_data(sid, body, True)
    return sid, pump(s, c)


# -- exchanges -----------------------------------------------------------------------------

def test_get_exchange_events():
    c, s = pair()
    sid = c.get_next_available_stream_id()
    assert sid == 1
    c.send_headers(sid, REQ, True)
    evs = pump(c, s)
    assert len(evs) == 1
    t, i, hdrs, es = evs[0]
    assert (t, i, es) == (EV_HEADERS, 1, True)
    assert isinstance(hdrs, Headers) and hdrs.get(":path") == b"/"
    assert [f[:2] for f in hdrs] == REQ
    s.send_headers(1, RESP + [(b"content-length", b"5")])
    assert s.send_data(1, b"hello", True) == 5
    evs = pump(s, c)
    assert evtypes(evs) == [EV_HEADERS, EV_DATA]
    assert evs[0][2].get(":status") == b"200" and evs[0][3] is False
    assert evs[1] == (EV_DATA, 1, b"hello", 5, True)
    assert c.stream_state(1) == h2.ST_CLOSED and s.stream_state(1) == h2.ST_CLOSED
    assert c.get_next_available_stream_id() == 3
    assert c.open_outbound_streams == 0 and s.open_inbound_streams == 0


def test_bytewise_feeding_same_events():
    c, s = pair()
    c.send_headers(1, REQ, False)
    c.send_data(1, b"body", True)
    wire = c.data_to_send()
    s2 = H2Protocol(client=False)
    s2.initiate_connection()
    c2 = H2Protocol(client=True)
    c2.initiate_connection()
    pre = c2.data_to_send()
    evs = feed_bytewise(s2.receive_data, pre + wire)
    assert evtypes(evs) == [EV_SETTINGS_CHANGED, EV_HEADERS, EV_DATA]
    assert evs[2] == (EV_DATA, 1, b"body", 4, True)
    assert frames(s2.data_to_send())[-1][:2] == (F.FRAME_SETTINGS, F.FLAG_ACK)


def test_memoryview_reads_of_a_reused_buffer():
    # As MicroPython's StreamIO hands them: views of one receive buffer, overwritten by
    # the next read.  Frames are parsed in place; payloads, events and a partial frame's
    # remainder must be copies, untouched when the buffer is reused.
    c, s = pair()
    c.send_headers(1, REQ, False)
    c.send_data(1, b"first", False)
    c.send_data(1, b"second", True)
    wire = c.data_to_send()
    buf = bytearray(64)
    evs = []
    pos = 0
    while pos < len(wire):
        chunk = wire[pos:pos + 23]
        buf[:len(chunk)] = chunk
        got = s.receive_data(memoryview(buf)[:len(chunk)])
        buf[:] = b"\xff" * len(buf)            # the reader reuses its buffer
        evs.extend(got)
        pos += len(chunk)
    assert evtypes(evs) == [EV_HEADERS, EV_DATA, EV_DATA]
    assert [f[:2] for f in evs[0][2]] == REQ
    assert evs[1] == (EV_DATA, 1, b"first", 5, False)
    assert evs[2] == (EV_DATA, 1, b"second", 6, True)
    assert evs[1][2].__class__ is bytes and evs[2][2].__class__ is bytes
    s.send_headers(1, RESP)
    s.send_data(1, b"ok", True)
    evs = pump(s, c)
    assert evtypes(evs) == [EV_HEADERS, EV_DATA]
    # the client preface in a view too (a server's first read)
    c2 = H2Protocol(client=True)
    c2.initiate_connection()
    c2.send_headers(1, REQ, True)
    s2 = H2Protocol(client=False)
    s2.initiate_connection()
    evs = s2.receive_data(memoryview(bytearray(c2.data_to_send())))
    assert evtypes(evs) == [EV_SETTINGS_CHANGED, EV_HEADERS]


def test_request_body_and_trailers():
    c, s = pair()
    c.send_headers(1, [(b":method", b"POST")] + REQ[1:], False)
    c.send_data(1, b"abc")
    c.send_headers(1, [(b"x-checksum", b"1")], True)
    evs = pump(c, s)
    assert evtypes(evs) == [EV_HEADERS, EV_DATA, EV_TRAILERS]
    assert evs[2][1] == 1 and evs[2][2].get("x-checksum") == b"1"
    assert s.stream_state(1) == h2.ST_HALF_CLOSED_REMOTE
    # server trailers too
    s.send_headers(1, RESP)
    s.send_data(1, b"x")
    s.send_headers(1, [(b"grpc-status", b"0")], True)
    evs = pump(s, c)
    assert evtypes(evs) == [EV_HEADERS, EV_DATA, EV_TRAILERS]
    # trailers must end the stream (our side)
    c.send_headers(3, REQ, False)
    c.send_data(3, b"x")
    e = raises(H2StreamError, c.send_headers, 3, [(b"a", b"b")], False)
    assert e.code == PROTOCOL_ERROR


def test_informational_then_final():
    c, s = pair()
    c.send_headers(1, REQ, True)
    pump(c, s)
    s.send_headers(1, [(b":status", b"103"), (b"link", b"</a>; rel=preload")])
    s.send_headers(1, RESP, True)
    evs = pump(s, c)
    assert [(e[0], e[2].get(":status"), e[3]) for e in evs] == [
        (EV_HEADERS, b"103", False), (EV_HEADERS, b"200", True)]


def test_large_headers_split_into_continuation():
    c, s = pair()
    big = REQ + [(b"x-big", b"v" * 40000)]
    c.send_headers(1, big, True)
    wire = c.data_to_send()
    fs = frames(wire)
    assert kinds(fs) == [F.FRAME_HEADERS, F.FRAME_CONTINUATION, F.FRAME_CONTINUATION]
    assert fs[0][1] & F.FLAG_END_HEADERS == 0 and fs[2][1] & F.FLAG_END_HEADERS
    assert max([len(f[3]) for f in fs]) == 16384
    evs = no_oom(s.receive_data(wire))
    assert evs[0][0] == EV_HEADERS and evs[0][2].get("x-big") == b"v" * 40000


def test_unknown_frame_type_ignored_but_not_inside_header_block():
    rc = RawClient()
    assert rc.send(header_pack(3, 0xfa, 0, 0) + b"abc") == []
    assert rc.drain() == []
    rc.roundtrip(1)
    blk = rc.block()
    evs = rc.send(headers_pack(3, blk[:3], True, False), header_pack(0, 0xfa, 0, 3))
    assert evs[-1][0] == EV_CONNECTION_TERMINATED and evs[-1][1] == PROTOCOL_ERROR
    assert goaway_of(rc.drain()) == (1, PROTOCOL_ERROR)


def test_unknown_setting_ignored():
    rc = RawClient()
    evs = rc.send(settings_pack([(0x99, 5), (F.SETTINGS_MAX_CONCURRENT_STREAMS, 7)]))
    assert evs == [(EV_SETTINGS_CHANGED, [(3, 0x7fffffff, 7)])]
    assert kinds(rc.drain()) == [F.FRAME_SETTINGS]
    assert rc.s.remote_settings[3] == 7 and 0x99 not in rc.s.remote_settings


# -- preface -------------------------------------------------------------------------------

def test_bad_preface_and_first_frame():
    s = H2Protocol(client=False)
    s.initiate_connection()
    s.data_to_send()
    evs = s.receive_data(b"GET / HTTP/1.1\r\n")
    assert evs[0][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)
    assert goaway_of(frames(s.data_to_send())) == (0, PROTOCOL_ERROR)
    assert s.receive_data(PREFACE) == []
    s = H2Protocol(client=False)
    s.initiate_connection()
    evs = s.receive_data(PREFACE + ping_pack(b"12345678"))
    assert evs[0][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)
    c = H2Protocol(client=True)
    c.initiate_connection()
    evs = c.receive_data(window_update_pack(0, 1))
    assert evs[0][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


# -- the transition table -----------------------------------------------------------------

def test_transition_table_rfc_figure():
    T = h2._TRANSITIONS
    exp = [
        (h2.ST_IDLE, h2.SEND_HEADERS, h2.ST_OPEN), (h2.ST_IDLE, h2.RECV_HEADERS, h2.ST_OPEN),
        (h2.ST_IDLE, h2.SEND_PROMISED, h2.ST_RESERVED_LOCAL),
        (h2.ST_IDLE, h2.RECV_PROMISED, h2.ST_RESERVED_REMOTE),
        (h2.ST_RESERVED_LOCAL, h2.SEND_HEADERS, h2.ST_HALF_CLOSED_REMOTE),
        (h2.ST_RESERVED_REMOTE, h2.RECV_HEADERS, h2.ST_HALF_CLOSED_LOCAL),
        (h2.ST_OPEN, h2.SEND_END_STREAM, h2.ST_HALF_CLOSED_LOCAL),
        (h2.ST_OPEN, h2.RECV_END_STREAM, h2.ST_HALF_CLOSED_REMOTE),
        (h2.ST_OPEN, h2.SEND_RST_STREAM, h2.ST_RESET_LOCAL),
        (h2.ST_OPEN, h2.RECV_RST_STREAM, h2.ST_CLOSED),
        (h2.ST_HALF_CLOSED_LOCAL, h2.RECV_END_STREAM, h2.ST_CLOSED),
        (h2.ST_HALF_CLOSED_REMOTE, h2.SEND_END_STREAM, h2.ST_CLOSED),
        (h2.ST_CLOSED, h2.RECV_WINDOW_UPDATE, h2.ST_CLOSED),
        (h2.ST_RESET_LOCAL, h2.RECV_DATA, h2.ST_RESET_LOCAL),
    ]
    for s, i, n in exp:
        # one bytes row of 16 per state: the next state as an ASCII digit, "-" if missing
        assert T[s * 16 + i] - 48 == n, (h2.ST_NAMES[s], h2.IN_NAMES[i])
    missing = [
        (h2.ST_IDLE, h2.RECV_DATA, H2ConnectionError, PROTOCOL_ERROR),
        (h2.ST_IDLE, h2.RECV_RST_STREAM, H2ConnectionError, PROTOCOL_ERROR),
        (h2.ST_IDLE, h2.RECV_WINDOW_UPDATE, H2ConnectionError, PROTOCOL_ERROR),
        (h2.ST_RESERVED_REMOTE, h2.RECV_DATA, H2ConnectionError, PROTOCOL_ERROR),
        (h2.ST_HALF_CLOSED_REMOTE, h2.RECV_DATA, H2StreamError, STREAM_CLOSED),
        (h2.ST_HALF_CLOSED_REMOTE, h2.RECV_HEADERS, H2StreamError, STREAM_CLOSED),
        (h2.ST_CLOSED, h2.RECV_DATA, H2ConnectionError, STREAM_CLOSED),
        (h2.ST_HALF_CLOSED_LOCAL, h2.SEND_DATA, H2StreamError, STREAM_CLOSED),
        (h2.ST_FORGOTTEN, h2.RECV_HEADERS, H2ConnectionError, PROTOCOL_ERROR),
    ]
    assert len(T) == 9 * 16 and all(c == 45 or 48 <= c <= 56 for c in T)
    for s, i, cls, code in missing:
        assert T[s * 16 + i] == 45  # "-"
        e = h2._bad_transition(s, i, 9)
        assert isinstance(e, cls) and e.code == code
        assert h2.IN_NAMES[i] in e.message and h2.ST_NAMES[s] in e.message


def test_data_on_idle_stream_is_connection_error():
    rc = RawClient()
    evs = rc.send(data_pack(1, b"x"))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)
    assert goaway_of(rc.drain()) == (0, PROTOCOL_ERROR)


def test_rst_and_window_update_on_idle():
    for f in (rst_stream_pack(5, CANCEL), window_update_pack(5, 10)):
        rc = RawClient()
        evs = rc.send(f)
        assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


def test_data_on_half_closed_remote_is_stream_error():
    rc = RawClient()
    rc.send(rc.headers(1, REQ, True))
    evs = rc.send(data_pack(1, b"late"))
    assert evs == [(EV_STREAM_RESET, 1, STREAM_CLOSED, False)]
    assert rst_of(rc.drain()) == [(1, STREAM_CLOSED)]
    rc.roundtrip(3)


def test_data_on_closed_stream_is_connection_stream_closed():
    rc = RawClient()
    rc.roundtrip(1)
    assert rc.s.stream_state(1) == h2.ST_CLOSED
    # WINDOW_UPDATE, RST_STREAM and PRIORITY after close are tolerated (RFC 9113 §5.1)
    assert rc.send(window_update_pack(1, 5), rst_stream_pack(1, CANCEL)) == []
    assert rc.drain() == []
    evs = rc.send(data_pack(1, b"x"))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, STREAM_CLOSED)


def test_frames_after_our_reset_are_tolerated():
    rc = RawClient()
    rc.send(rc.headers(1, REQ, False))
    rc.s.reset_stream(1, CANCEL)
    assert rst_of(rc.drain()) == [(1, CANCEL)]
    assert rc.s.stream_state(1) == h2.ST_RESET_LOCAL
    evs = rc.send(data_pack(1, b"x" * 100), rc.headers(1, [(b"t", b"1")], True),
                  window_update_pack(1, 1), rst_stream_pack(1, CANCEL))
    assert evs == []
    rc.roundtrip(3)


def test_stream_ids_must_increase_and_be_odd():
    rc = RawClient()
    rc.roundtrip(5)
    evs = rc.send(rc.headers(3))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)
    rc = RawClient()
    evs = rc.send(rc.headers(2))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


def test_client_rejects_headers_on_idle_stream():
    rs = RawServer()
    evs = rs.send(rs.headers(1))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


def test_local_misuse_raises_without_output():
    c, s = pair()
    get(c, s)
    e = raises(H2StreamError, c.send_data, 1, b"x")
    assert e.code == STREAM_CLOSED and "SEND_DATA" in e.message and "closed" in e.message
    raises(H2StreamError, c.send_headers, 1, REQ)
    raises(H2StreamError, c.send_headers, 2, REQ)       # even id from a client
    raises(H2StreamError, s.send_headers, 7, RESP)      # server cannot open streams
    c.reset_stream(1)                                   # no-op on a closed stream
    assert c.data_to_send() == b""


# -- flow control ---------------------------------------------------------------------------

def test_send_data_respects_windows_and_frame_size():
    c, s = pair()
    c.send_headers(1, REQ, False)
    pump(c, s)
    body = b"x" * 70000
    assert c.local_flow_control_window(1) == 65535
    n = c.send_data(1, body, True, now=100)
    assert n == 65535
    fs = frames(c.data_to_send())
    assert [len(f[3]) for f in fs] == [16384, 16384, 16384, 16383]
    assert all([f[1] == 0 for f in fs])          # END_STREAM deferred
    assert c.local_flow_control_window(1) == 0
    assert c.blocked_streams() == [(1, 100)]
    # the server consumes it all; both windows reopen once half is acknowledged
    evs = s.receive_data(b"".join([F.data_pack(1, f[3]) for f in fs]))
    assert sum([e[3] for e in evs]) == 65535
    s.acknowledge_received_data(30000, 1)
    assert s.data_to_send() == b""               # below half of the window
    s.acknowledge_received_data(35535, 1)
    wu = frames(s.data_to_send())
    assert [(f[2], F.window_update_unpack(f[3])) for f in wu] == [(0, 65535), (1, 65535)]
    evs = c.receive_data(b"".join([F.window_update_pack(f[2], F.window_update_unpack(f[3]))
                                    for f in wu]))
    assert evs == [(EV_WINDOW_UPDATED, 0, 65535), (EV_WINDOW_UPDATED, 1, 65535)]
    assert c.blocked_streams() == []
    assert c.send_data(1, body[n:], True) == 70000 - 65535
    fs = frames(c.data_to_send())
    assert fs[-1][1] == F.FLAG_END_STREAM
    assert c.stream_state(1) == h2.ST_HALF_CLOSED_LOCAL


def test_send_data_padded():
    c, s = pair()
    c.send_headers(1, REQ, False)
    assert c.send_data(1, b"abc", True, pad=10) == 3
    wire = c.data_to_send()
    fs = frames(wire)
    assert fs[-1][:3] == (F.FRAME_DATA, F.FLAG_PADDED | F.FLAG_END_STREAM, 1)
    assert fs[-1][3] == b"\x0aabc" + b"\x00" * 10
    assert c.out_window == 65535 - 14
    evs = s.receive_data(wire)
    assert evs[-1] == (EV_DATA, 1, b"abc", 14, True)


def test_receive_window_exceeded():
    rc = RawClient()
    rc.send(rc.headers(1, REQ, False))
    # the peer ignores our stream window (65535) but stays in the connection window
    rc.s.update_settings({F.SETTINGS_INITIAL_WINDOW_SIZE: 100})
    rc.send(settings_pack(ack=True))
    rc.drain()
    rc.send(rc.headers(3, REQ, False))
    evs = rc.send(data_pack(3, b"x" * 101))
    assert evs == [(EV_STREAM_RESET, 3, FLOW_CONTROL_ERROR, False)]
    rc.roundtrip(5)
    # connection window: 65535 in total
    rc = RawClient()
    rc.send(rc.headers(1, REQ, False))
    big = b"y" * 16384
    evs = rc.send(*[data_pack(1, big) for _ in range(4)])
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, FLOW_CONTROL_ERROR)


def test_window_update_overflow_and_zero():
    rc = RawClient()
    rc.send(rc.headers(1, REQ, False))
    evs = rc.send(window_update_pack(1, 0x7fffffff))
    assert evs == [(EV_STREAM_RESET, 1, FLOW_CONTROL_ERROR, False)]
    rc.send(rc.headers(3, REQ, False))
    evs = rc.send(window_update_pack(3, 0))
    assert evs == [(EV_STREAM_RESET, 3, PROTOCOL_ERROR, False)]
    rc.roundtrip(5)
    evs = rc.send(window_update_pack(0, 0x7fffffff))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, FLOW_CONTROL_ERROR)
    rc = RawClient()
    evs = rc.send(window_update_pack(0, 0))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


def test_peer_initial_window_change_applies_to_open_streams():
    c, s = pair()
    c.send_headers(1, REQ, False)
    pump(c, s)
    c.send_data(1, b"z" * 1000)
    assert c.local_flow_control_window(1) == 64535
    evs = c.receive_data(settings_pack([(F.SETTINGS_INITIAL_WINDOW_SIZE, 2000)]))
    assert evs == [(EV_SETTINGS_CHANGED, [(4, 65535, 2000)])]
    assert c.local_flow_control_window(1) == 1000
    c.receive_data(settings_pack([(F.SETTINGS_INITIAL_WINDOW_SIZE, 0)]))
    assert c.local_flow_control_window(1) == -1000
    assert c.send_data(1, b"abc") == 0
    c.receive_data(window_update_pack(1, 5000))
    assert c.local_flow_control_window(1) == 4000
    evs = c.receive_data(settings_pack([(F.SETTINGS_INITIAL_WINDOW_SIZE, 0x7fffffff)]))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, FLOW_CONTROL_ERROR)


def test_our_initial_window_applies_on_ack():
    c, s = pair()
    c.send_headers(1, REQ, True)
    pump(c, s)
    s.update_settings({F.SETTINGS_INITIAL_WINDOW_SIZE: 1 << 20}, now=7)
    assert s.settings_ack_pending_since == 7
    pump(s, c)
    evs = pump(c, s)
    assert evs == [(EV_SETTINGS_ACKED, [(4, 65535, 1 << 20)])]
    assert s.settings_ack_pending_since is None
    c.send_headers(3, REQ, False)
    assert c.local_flow_control_window(3) == 65535     # connection window still 65535
    c.send_data(3, b"q" * 65535)
    evs = pump(c, s)
    assert sum([e[3] for e in evs if e[0] == EV_DATA]) == 65535


def test_auto_ack_and_connection_window_option():
    c, s = pair(auto_ack=True)
    c2 = H2Protocol(client=True, connection_window=1 << 24)
    c2.initiate_connection()
    fs = frames(c2.data_to_send()[24:])
    assert kinds(fs) == [F.FRAME_SETTINGS, F.FRAME_WINDOW_UPDATE]
    assert F.window_update_unpack(fs[1][3]) == (1 << 24) - 65535
    c.send_headers(1, REQ, False)
    c.send_data(1, b"a" * 40000)
    evs = pump(c, s)
    fs = frames(s.data_to_send())
    assert sorted([(f[2], F.window_update_unpack(f[3])) for f in fs]) == [(0, 32768), (1, 32768)]


# -- settings, ping ---------------------------------------------------------------------------

def test_settings_ack_and_deadline():
    c = H2Protocol(client=True)
    c.initiate_connection(now=12.5)
    assert c.settings_ack_pending_since == 12.5
    fs = frames(c.data_to_send()[24:])
    assert F.settings_unpack(fs[0][3]) == [(2, 0), (3, 100), (6, 65536)]
    c.receive_data(settings_pack([]))
    assert c.settings_ack_pending_since == 12.5
    evs = c.receive_data(settings_pack(ack=True))
    assert evs[0][0] == EV_SETTINGS_ACKED and c.settings_ack_pending_since is None
    assert c.local_settings[F.SETTINGS_MAX_CONCURRENT_STREAMS] == 100
    # an ACK nobody asked for
    evs = c.receive_data(settings_pack(ack=True))
    assert evs[0][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


def test_settings_invalid_values():
    cases = [([(F.SETTINGS_ENABLE_PUSH, 2)], PROTOCOL_ERROR),
             ([(F.SETTINGS_MAX_FRAME_SIZE, 100)], PROTOCOL_ERROR),
             ([(F.SETTINGS_MAX_FRAME_SIZE, 1 << 24)], PROTOCOL_ERROR),
             ([(F.SETTINGS_INITIAL_WINDOW_SIZE, 1 << 31)], FLOW_CONTROL_ERROR),
             ([(F.SETTINGS_ENABLE_CONNECT_PROTOCOL, 2)], PROTOCOL_ERROR)]
    for pairs, code in cases:
        rc = RawClient()
        evs = rc.send(settings_pack(pairs))
        assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, code), pairs
    rs = RawServer()
    evs = rs.send(settings_pack([(F.SETTINGS_ENABLE_PUSH, 1)]))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)
    rc = RawClient()
    evs = rc.send(header_pack(6, F.FRAME_SETTINGS, F.FLAG_ACK, 0) + b"\x00" * 6)
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, FRAME_SIZE_ERROR)
    rc = RawClient()
    evs = rc.send(header_pack(0, F.FRAME_SETTINGS, 0, 1))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)
    raises(ValueError, rc.s.update_settings, {F.SETTINGS_MAX_FRAME_SIZE: 10})


def test_peer_max_frame_size_used_for_sending():
    c, s = pair()
    c.receive_data(settings_pack([(F.SETTINGS_MAX_FRAME_SIZE, 20000)]))
    c.data_to_send()
    c.send_headers(1, REQ, False)
    c.data_to_send()
    c.send_data(1, b"m" * 30000)
    assert [len(f[3]) for f in frames(c.data_to_send())] == [20000, 10000]
    # and a frame above our own limit is FRAME_SIZE_ERROR
    rc = RawClient()
    rc.send(rc.headers(1, REQ, False))
    evs = rc.send(data_pack(1, b"m" * 16385))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, FRAME_SIZE_ERROR)


def test_ping_and_ack():
    c, s = pair()
    c.ping(b"abcdefgh")
    evs = pump(c, s)
    assert evs == [(EV_PING_RECEIVED, b"abcdefgh")]
    assert s.data_to_send() == ping_pack(b"abcdefgh", True)
    s.ping(b"12345678")
    assert pump(s, c) == [(EV_PING_RECEIVED, b"12345678")]
    assert pump(c, s) == [(EV_PING_ACKED, b"12345678")]
    rc = RawClient()
    evs = rc.send(header_pack(8, F.FRAME_PING, 0, 1) + b"x" * 8)
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


# -- GOAWAY ---------------------------------------------------------------------------------------

def test_graceful_goaway_server():
    rc = RawClient()
    rc.send(rc.headers(1, REQ, False))
    rc.s.close_connection()
    assert goaway_of(rc.drain()) == (1, NO_ERROR)
    assert rc.s.state == h2.CONN_CLOSING
    # a new stream is refused, stream 1 finishes
    evs = rc.send(rc.headers(3))
    assert evs == [(EV_STREAM_RESET, 3, REFUSED_STREAM, False)]
    assert rst_of(rc.drain()) == [(3, REFUSED_STREAM)]
    evs = rc.send(data_pack(1, b"end", True))
    assert evs == [(EV_DATA, 1, b"end", 3, True)]
    rc.s.send_headers(1, RESP, True)
    assert kinds(rc.drain()) == [F.FRAME_HEADERS]


def test_two_phase_shutdown():
    c, s = pair()
    s.start_graceful_shutdown()
    fs = frames(s.data_to_send())
    assert goaway_of(fs) == (0x7fffffff, NO_ERROR) and fs[1][0] == F.FRAME_PING
    c.receive_data(b"".join([F.header_pack(len(f[3]), f[0], f[1], f[2]) + f[3] for f in fs]))
    # after GOAWAY the client may not open streams
    assert not c.can_open_stream()
    evs = s.receive_data(c.data_to_send())
    assert evs[-1][0] == EV_PING_ACKED
    assert goaway_of(frames(s.data_to_send())) == (0, NO_ERROR)


def test_client_receives_goaway():
    rs = RawServer()
    a = rs.request()
    b = rs.request()
    evs = rs.send(goaway_pack(a, NO_ERROR, b"bye"))
    assert evs == [(EV_GOAWAY, NO_ERROR, 1, b"bye"), (EV_STREAM_RESET, 3, REFUSED_STREAM, True)]
    assert not rs.c.can_open_stream()
    e = raises(H2ConnectionError, rs.c.send_headers, 5, REQ, True)
    assert e.code == REFUSED_STREAM
    evs = rs.send(rs.headers(1, RESP, True))
    assert evs[0][:2] == (EV_HEADERS, 1)
    assert b == 3


def test_close_connection_with_error():
    c, s = pair()
    c.close_connection(PROTOCOL_ERROR, debug=b"no")
    assert goaway_of(frames(c.data_to_send())) == (0, PROTOCOL_ERROR)
    assert c.state == h2.CONN_CLOSED
    raises(ProtocolError, c.send_headers, 1, REQ)
    assert c.receive_data(ping_pack(b"x" * 8)) == []


# -- MAX_CONCURRENT_STREAMS ----------------------------------------------------------------------

def test_concurrency_limit_both_ways():
    rc = RawClient(settings={F.SETTINGS_MAX_CONCURRENT_STREAMS: 2})
    rc.send(rc.headers(1, REQ, False), rc.headers(3, REQ, False))
    evs = rc.send(rc.headers(5, REQ, True))
    assert evs == [(EV_STREAM_RESET, 5, REFUSED_STREAM, False)]
    assert rst_of(rc.drain()) == [(5, REFUSED_STREAM)]
    rc.send(data_pack(1, b"", True))
    rc.s.send_headers(1, RESP, True)
    rc.drain()
    rc.roundtrip(7)
    # client side: bounded by the server's limit
    rs = RawServer()
    rs.send(settings_pack([(F.SETTINGS_MAX_CONCURRENT_STREAMS, 1)]))
    assert rs.c.can_open_stream()
    sid = rs.request()
    assert not rs.c.can_open_stream()
    e = raises(H2StreamError, rs.c.send_headers, 3, REQ, True)
    assert e.code == REFUSED_STREAM
    rs.send(rs.headers(sid, RESP, True))
    assert rs.c.can_open_stream()


def test_concurrency_limit_holds_before_the_settings_ack():
    # RFC 9113 §5.1.2: the limit we ADVERTISED binds a client that never ACKs our SETTINGS
    # (it was enforced from the ACK only: any number of handlers ran concurrently)
    s = H2Protocol(client=False, settings={F.SETTINGS_MAX_CONCURRENT_STREAMS: 2})
    s.initiate_connection()
    s.data_to_send()
    enc = Encoder()
    s.receive_data(PREFACE + settings_pack([]))          # no ACK, ever
    s.data_to_send()
    evs = s.receive_data(headers_pack(1, enc.encode(REQ), False) +
                         headers_pack(3, enc.encode(REQ), False) +
                         headers_pack(5, enc.encode(REQ), True))
    assert [e[:2] for e in evs] == [(EV_HEADERS, 1), (EV_HEADERS, 3), (EV_STREAM_RESET, 5)]
    assert evs[2] == (EV_STREAM_RESET, 5, REFUSED_STREAM, False)
    assert rst_of(frames(s.data_to_send())) == [(5, REFUSED_STREAM)]
    # a limit raised by update_settings binds only once acknowledged (the smaller one)
    rc = RawClient(settings={F.SETTINGS_MAX_CONCURRENT_STREAMS: 1})
    rc.s.update_settings({F.SETTINGS_MAX_CONCURRENT_STREAMS: 5})
    rc.drain()
    rc.send(rc.headers(1, REQ, False))
    assert rc.send(rc.headers(3, REQ, False)) == [(EV_STREAM_RESET, 3, REFUSED_STREAM, False)]
    assert rst_of(rc.drain()) == [(3, REFUSED_STREAM)]
    rc.send(settings_pack(ack=True))
    assert rc.send(rc.headers(5, REQ, False))[0][:2] == (EV_HEADERS, 5)


def test_credit_held_back_goes_out_when_a_smaller_window_is_acked():
    # Our SETTINGS_INITIAL_WINDOW_SIZE lowered (a board's server: 4096) while a stream's
    # consumed octets wait for half of the old window: at the ACK the peer's window has
    # shrunk too (maybe below zero) and only that credit can reopen it, so it goes out
    # then (it waited for the next consumption, which never came: a stalled upload)
    from mhttp.h2_frames import FRAME_WINDOW_UPDATE, window_update_unpack
    s = H2Protocol(client=False, settings={F.SETTINGS_INITIAL_WINDOW_SIZE: 4096})
    s.initiate_connection()
    s.data_to_send()
    enc = Encoder()
    post = [(b":method", b"POST")] + REQ[1:]
    x = b"x" * 3000
    s.receive_data(PREFACE + settings_pack([]) + headers_pack(1, enc.encode(post), False) +
                   data_pack(1, x) + data_pack(1, x))
    s.acknowledge_received_data(6000, 1)        # under half of 65535: held back
    fs = frames(s.data_to_send())
    assert [f for f in fs if f[0] == FRAME_WINDOW_UPDATE and f[2] == 1] == []
    s.receive_data(settings_pack(ack=True))     # 4096 in effect: the stream's window is
    fs = frames(s.data_to_send())               # 65535 - 6000 - 61439 = -1904
    wu = [window_update_unpack(f[3]) for f in fs if f[0] == FRAME_WINDOW_UPDATE and f[2] == 1]
    assert wu == [6000], fs
    assert s._streams[1].in_window == 65535 - 6000 - 61439 + 6000


def test_stream_id_exhaustion_client():
    c, s = pair()
    c.send_headers(0x7fffffff, REQ, True)
    assert not c.can_open_stream()
    e = raises(H2ConnectionError, c.get_next_available_stream_id)
    assert "exhausted" in e.message
    evs = pump(c, s)
    assert evs[0][:2] == (EV_HEADERS, 0x7fffffff)


# -- push -----------------------------------------------------------------------------------------

def test_server_push():
    c, s = pair(client_settings={F.SETTINGS_ENABLE_PUSH: 1})
    c.send_headers(1, REQ, True)
    pump(c, s)
    pushed = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/style.css"),
              (b":authority", b"example.com")]
    pid = s.push_stream(1, pushed)
    assert pid == 2
    s.send_headers(1, RESP, True)
    s.send_headers(pid, RESP)
    s.send_data(pid, b"css", True)
    evs = pump(s, c)
    assert evs[0][:3] == (EV_PUSH_PROMISE, 1, 2)
    assert evs[0][3].get(":path") == b"/style.css"
    assert [(e[0], e[1]) for e in evs[1:]] == [(EV_HEADERS, 1), (EV_HEADERS, 2), (EV_DATA, 2)]
    assert evs[-1][2:] == (b"css", 3, True)
    assert c.stream_state(2) == h2.ST_CLOSED and s.stream_state(2) == h2.ST_CLOSED


def test_push_disabled():
    c, s = pair()          # the client's default: SETTINGS_ENABLE_PUSH=0
    c.send_headers(1, REQ, True)
    pump(c, s)
    raises(ProtocolError, s.push_stream, 1, REQ)
    rs = RawServer()
    sid = rs.request()
    evs = rs.send(push_promise_pack(sid, 2, rs.enc.encode(REQ)))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)
    rc = RawClient()
    evs = rc.send(push_promise_pack(1, 2, rc.block()))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


def test_push_promise_bad_request_is_stream_error():
    rs = RawServer(settings={F.SETTINGS_ENABLE_PUSH: 1})
    sid = rs.request()
    bad = [(b":method", b"POST"), (b":scheme", b"http"), (b":path", b"/"),
           (b":authority", b"a")]
    evs = rs.send(push_promise_pack(sid, 2, rs.enc.encode(bad)))
    assert evs == [(EV_STREAM_RESET, 2, PROTOCOL_ERROR, False)]
    evs = rs.send(rs.headers(sid, RESP, True))
    assert evs[0][:2] == (EV_HEADERS, sid)


# -- priority -------------------------------------------------------------------------------------

def test_priority_frames_and_rfc9218():
    rc = RawClient()
    evs = rc.send(priority_pack(9, 1, 200, True))
    assert evs == [(EV_PRIORITY, 9, 1, 200, True)]
    assert rc.s.stream_state(9) == h2.ST_IDLE
    evs = rc.send(rc.headers(1, REQ + [(b"priority", b"u=0, i")], True, priority=(0, 32, False)))
    assert evs[0] == (EV_PRIORITY, 1, 0, 32, False)
    assert evs[1][2].get("priority") == b"u=0, i"
    evs = rc.send(priority_update_pack(1, b"u=5"))
    assert evs == [(EV_PRIORITY_UPDATE, 1, b"u=5")]
    # a PRIORITY that depends on its own stream: a stream error (RFC 9113 §5.3.1), answered
    # with RST_STREAM on a stream that is not idle ...
    evs = rc.send(priority_pack(1, 1, 1))
    assert evs == [(EV_STREAM_RESET, 1, PROTOCOL_ERROR, False)]
    rc.roundtrip(3)
    # ... but RST_STREAM MUST NOT be sent for an idle stream (§6.4): there the stream error
    # is a connection error (§5.4.1), as nghttp2 and python-h2 make it
    evs = rc.send(priority_pack(9, 9, 1))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)
    assert EV_STREAM_RESET not in [e[0] for e in evs]
    rc = RawClient()
    evs = rc.send(header_pack(4, F.FRAME_PRIORITY, 0, 5) + b"\x00" * 4)     # wrong length
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, FRAME_SIZE_ERROR)
    assert EV_STREAM_RESET not in [e[0] for e in evs]
    rs = RawServer()
    evs = rs.send(priority_update_pack(1, b"u=1"))
    assert evs[-1][:2] == (EV_CONNECTION_TERMINATED, PROTOCOL_ERROR)


# -- RFC 8441 extended CONNECT ---------------------------------------------------------------------

WS = [(b":method", b"CONNECT"), (b":protocol", b"websocket"), (b":scheme", b"https"),
      (b":path", b"/chat"), (b":authority", b"example.com")]


def test_extended_connect():
    c, s = pair(server_settings={F.SETTINGS_ENABLE_CONNECT_PROTOCOL: 1})
    assert c.remote_settings[F.SETTINGS_ENABLE_CONNECT_PROTOCOL] == 1
    c.send_headers(1, WS, False)
    evs = pump(c, s)
    assert evs[0][:2] == (EV_HEADERS, 1) and evs[0][2].get(":protocol") == b"websocket"
    s.send_headers(1, RESP)
    c.send_data(1, b"\x81\x00")
    pump(s, c)
    assert pump(c, s) == [(EV_DATA, 1, b"\x81\x00", 2, False)]
    rc = RawClient()
    evs = rc.send(rc.headers(1, WS, False))
    assert evs == [(EV_STREAM_RESET, 1, PROTOCOL_ERROR, False)]
    rc.roundtrip(3)


def test_extended_connect_with_end_stream_is_refused():
    # RFC 8441 §4 / RFC 9113 §8.5: the tunnel's bytes from the client are the stream's
    # DATA; an extended CONNECT whose HEADERS end the stream could carry none: malformed,
    # RST_STREAM(PROTOCOL_ERROR) as the other malformed extended CONNECTs (it was handed
    # to the application, a WebSocket with a closed inbound side)
    rc = RawClient(settings={F.SETTINGS_ENABLE_CONNECT_PROTOCOL: 1})
    evs = rc.send(rc.headers(1, WS, True))
    assert evs == [(EV_STREAM_RESET, 1, PROTOCOL_ERROR, False)], evs
    assert rst_of(rc.drain()) == [(1, PROTOCOL_ERROR)]
    evs = rc.send(rc.headers(3, WS, False))
    assert evs[0][:2] == (EV_HEADERS, 3) and evs[0][3] is False
    rc.roundtrip(5)


def test_plain_connect():
    c, s = pair()
    c.send_headers(1, [(b":method", b"CONNECT"), (b":authority", b"example.com:443")], False)
    assert pump(c, s)[0][:2] == (EV_HEADERS, 1)
    c.send_headers(3, [(b":method", b"CONNECT"), (b":authority", b"e:1"), (b":path", b"/")])
    assert pump(c, s) == [(EV_STREAM_RESET, 3, PROTOCOL_ERROR, False)]


# -- h2c upgrade ----------------------------------------------------------------------------------

def test_h2c_upgrade_both_roles():
    c = H2Protocol(client=True)
    hdr = c.h2c_settings()
    assert b"=" not in hdr and b"+" not in hdr and b"/" not in hdr
    s = H2Protocol(client=False)
    s.initiate_upgrade_connection(hdr)
    assert s.remote_settings[F.SETTINGS_ENABLE_PUSH] == 0
    assert s.stream_state(1) == h2.ST_HALF_CLOSED_REMOTE
    c.initiate_upgrade_connection()
    assert c.stream_state(1) == h2.ST_HALF_CLOSED_LOCAL
    assert c.get_next_available_stream_id() == 3
    pump(c, s)
    pump(s, c)
    s.send_headers(1, RESP)
    s.send_data(1, b"upgraded", True)
    evs = pump(s, c)
    assert evtypes(evs) == [EV_SETTINGS_ACKED, EV_HEADERS, EV_DATA] or evtypes(evs) == [
        EV_HEADERS, EV_DATA]
    assert evs[-1] == (EV_DATA, 1, b"upgraded", 8, True)
    assert c.stream_state(1) == h2.ST_CLOSED
    raises(H2ConnectionError, H2Protocol(client=False).initiate_upgrade_connection, b"AAAA")


# -- lua-resty-http2 style session ---------------------------------------------------------------

def test_session_request_callbacks():
    srv = H2Session(client=False)
    cli = H2Session(client=True)
    body = b"b" * 100000

    def on_request(sid, headers, end_stream):
        srv.submit_response(sid, RESP, body)
    srv.on_request = on_request
    got = []

    def send(data):
        srv.recv_frame(data)

    def recv():
        return srv.frame_queue()

    res = cli.request(REQ, None, lambda sid, h, es: got.append(h.get(":status")),
                      lambda sid, d, es: got.append(len(d)), None, send, recv, 100)
    assert res is None
    assert got[0] == b"200" and sum(got[1:]) == 100000


def test_goaway_with_error_ends_every_stream():
    rs = RawServer()
    a = rs.request()
    b = rs.request()
    evs = rs.send(goaway_pack(b, PROTOCOL_ERROR, b"bad"))
    assert evs == [(EV_GOAWAY, PROTOCOL_ERROR, 3, b"bad"), (EV_STREAM_RESET, 1, PROTOCOL_ERROR, True),
                   (EV_STREAM_RESET, 3, PROTOCOL_ERROR, True)]
    assert rs.c.state == h2.CONN_CLOSED and rs.c.open_outbound_streams == 0
    assert rs.send(rs.headers(1)) == []


def test_client_tolerates_late_response_on_forgotten_stream():
    rs = RawServer(max_closed_streams=2)
    sids = []
    for i in range(6):
        sid = rs.request(end_stream=False)
        rs.c.reset_stream(sid, CANCEL)
        sids.append(sid)
    rs.drain()
    assert rs.c.stream_state(1) == h2.ST_FORGOTTEN
    assert rs.send(rs.headers(1, RESP, False), data_pack(1, b"late", True)) == []
    rs.roundtrip()
