# mhttp.h2 against python-hyper's h2 (the reference peer), in memory, no sockets:
# our client protocol with h2's server-side H2Connection and the other way round.
import h2.config
import h2.connection
import h2.events
import h2.settings

from mhttp.h2 import (H2Protocol, EV_HEADERS, EV_DATA, EV_TRAILERS, EV_STREAM_RESET,
                      EV_PUSH_PROMISE, EV_PING_ACKED, EV_GOAWAY, EV_WINDOW_UPDATED,
                      EV_SETTINGS_ACKED, EV_CONNECTION_TERMINATED, ST_CLOSED)
from mhttp import h2_frames as F
from mhttp.errors import CANCEL, NO_ERROR, REFUSED_STREAM, PROTOCOL_ERROR

REQ = [(b":method", b"GET"), (b":scheme", b"https"), (b":path", b"/"),
       (b":authority", b"example.com"), (b"user-agent", b"mhttp-test")]
RESP = [(b":status", b"200"), (b"content-type", b"text/plain")]


def their(client_side, **kw):
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=client_side,
                                                             header_encoding=None, **kw))
    return c


def run(ours, theirs, on_ours=None, on_theirs=None, rounds=200):
    # Pumps bytes both ways until neither side has anything to send; returns all events.
    evs_o, evs_t = [], []
    for _ in range(rounds):
        a = ours.data_to_send()
        b = theirs.data_to_send()
        if not a and not b:
            return evs_o, evs_t
        if a:
            for e in theirs.receive_data(a):
                evs_t.append(e)
                if on_theirs:
                    on_theirs(e)
        if b:
            for e in ours.receive_data(b):
                evs_o.append(e)
                if on_ours:
                    on_ours(e)
    raise AssertionError("no quiescence in %d rounds" % rounds)


def connected_client(**kw):
    c = H2Protocol(client=True, **kw)
    s = their(False)
    c.initiate_connection()
    s.initiate_connection()
    run(c, s)
    assert c.settings_ack_pending_since is None
    return c, s


def connected_server(**kw):
    s = H2Protocol(client=False, **kw)
    c = their(True)
    c.initiate_connection()
    s.initiate_connection()
    run(s, c)
    assert s.settings_ack_pending_since is None
    return s, c


def test_our_client_their_server_get_and_large_body():
    c, s = connected_client(auto_ack=True)
    body = b"z" * 300000

    def on_theirs(e):
        if isinstance(e, h2.events.RequestReceived):
            s.send_headers(e.stream_id, RESP + [(b"content-length", b"%d" % len(body))])
            pending[e.stream_id] = body
        if isinstance(e, h2.events.WindowUpdated) or isinstance(e, h2.events.RequestReceived):
            for sid in list(pending):
                rest = pending[sid]
                n = min(len(rest), s.local_flow_control_window(sid), 16384)
                while n > 0:
                    s.send_data(sid, rest[:n], end_stream=(n == len(rest)))
                    rest = rest[n:]
                    n = min(len(rest), s.local_flow_control_window(sid), 16384)
                pending[sid] = rest
                if not rest:
                    del pending[sid]
    pending = {}
    c.send_headers(1, REQ, True)
    evs, _ = run(c, s, on_theirs=on_theirs)
    heads = [e for e in evs if e[0] == EV_HEADERS]
    data = [e for e in evs if e[0] == EV_DATA]
    assert heads[0][2].get(":status") == b"200"
    assert b"".join([e[2] for e in data]) == body and data[-1][4] is True
    assert c.stream_state(1) == ST_CLOSED


def test_our_client_their_server_post_trailers_continuation():
    c, s = connected_client()
    got = {}

    def on_theirs(e):
        if isinstance(e, h2.events.RequestReceived):
            got["headers"] = e.headers
        elif isinstance(e, h2.events.DataReceived):
            got["body"] = got.get("body", b"") + e.data
            s.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
        elif isinstance(e, h2.events.TrailersReceived):
            got["trailers"] = e.headers
            s.send_headers(e.stream_id, RESP)
            s.send_data(e.stream_id, b"done")
            s.send_headers(e.stream_id, [(b"x-sum", b"42")], end_stream=True)
    big = REQ + [(b"x-big", b"q" * 50000)]
    c.send_headers(1, big, False)
    body = b"p" * 100000
    sent = 0
    for _ in range(50):
        sent += c.send_data(1, body[sent:], True)
        evs, _ = run(c, s, on_theirs=on_theirs)
        if sent == len(body):
            break
    assert sent == len(body)
    assert dict(got["headers"])[b"x-big"] == b"q" * 50000
    assert got["body"] == body
    # the request ended with DATA END_STREAM; now a request with trailers
    c.send_headers(3, REQ, False)
    c.send_data(3, b"abc")
    c.send_headers(3, [(b"x-checksum", b"abc")], True)
    evs, _ = run(c, s, on_theirs=on_theirs)
    assert got["trailers"] == [(b"x-checksum", b"abc")]
    assert [e[0] for e in evs if e[1:2] == (3,)] == [EV_HEADERS, EV_DATA, EV_TRAILERS]


def test_their_server_push_and_ping_and_goaway():
    c, s = connected_client(settings={F.SETTINGS_ENABLE_PUSH: 1})
    c.send_headers(1, REQ, True)

    def on_theirs(e):
        if isinstance(e, h2.events.RequestReceived):
            s.push_stream(1, 2, [(b":method", b"GET"), (b":scheme", b"https"),
                                 (b":path", b"/app.js"), (b":authority", b"example.com")])
            s.send_headers(2, RESP)
            s.send_data(2, b"js", end_stream=True)
            s.send_headers(1, RESP, end_stream=True)
    evs, _ = run(c, s, on_theirs=on_theirs)
    pp = [e for e in evs if e[0] == EV_PUSH_PROMISE]
    assert pp and pp[0][1:3] == (1, 2) and pp[0][3].get(":path") == b"/app.js"
    assert (EV_DATA, 2, b"js", 2, True) in evs
    c.ping(b"12345678")
    evs, tev = run(c, s)
    assert (EV_PING_ACKED, b"12345678") in evs
    assert any([isinstance(e, h2.events.PingReceived) for e in tev])
    c.send_headers(3, REQ, False)
    run(c, s)
    s.close_connection(error_code=0, last_stream_id=1)
    evs, _ = run(c, s)
    assert evs == [(EV_GOAWAY, NO_ERROR, 1, b""), (EV_STREAM_RESET, 3, REFUSED_STREAM, True)]
    assert not c.can_open_stream()


def test_their_client_our_server_get_post_reset():
    s, c = connected_server(auto_ack=True)
    resp_body = b"r" * 200000
    out = {}

    def on_ours(e):
        if e[0] == EV_HEADERS:
            out[e[1]] = resp_body
            s.send_headers(e[1], RESP + [(b"content-length", b"%d" % len(resp_body))])
        if e[0] in (EV_HEADERS, EV_WINDOW_UPDATED):
            for sid in list(out):
                k = s.send_data(sid, out[sid], True)
                out[sid] = out[sid][k:]
                if not out[sid]:
                    del out[sid]
    body = {}

    def on_theirs(e):
        if isinstance(e, h2.events.DataReceived):
            body[e.stream_id] = body.get(e.stream_id, b"") + e.data
            c.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
    c.send_headers(1, REQ, end_stream=True)
    c.send_headers(3, [(b":method", b"POST")] + REQ[1:], end_stream=False)
    for i in range(0, 60000, 15000):
        c.send_data(3, b"u" * 15000, end_stream=(i == 45000))
    evs, tev = run(s, c, on_ours=on_ours, on_theirs=on_theirs)
    assert body[1] == resp_body and body[3] == resp_body
    posted = b"".join([e[2] for e in evs if e[0] == EV_DATA and e[1] == 3])
    assert posted == b"u" * 60000
    assert sum([1 for e in tev if isinstance(e, h2.events.StreamEnded)]) == 2
    # the client resets stream 5 mid-response; stream 7 still works
    c.send_headers(5, REQ, end_stream=True)
    run(s, c)
    c.reset_stream(5, error_code=CANCEL)
    c.send_headers(7, REQ, end_stream=True)
    evs, tev = run(s, c, on_ours=on_ours, on_theirs=on_theirs)
    assert (EV_STREAM_RESET, 5, CANCEL, True) in evs
    assert body[7] == resp_body


def test_their_client_our_server_bad_request_and_settings():
    s, c = connected_server()
    c.send_headers(1, REQ, end_stream=True)
    c.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 100000})
    evs, tev = run(s, c)
    assert [e[0] for e in evs if e[0] == EV_HEADERS] == [EV_HEADERS]
    assert any([isinstance(e, h2.events.SettingsAcknowledged) for e in tev])
    s.close_connection()
    _, tev = run(s, c)
    ct = [e for e in tev if isinstance(e, h2.events.ConnectionTerminated)]
    assert ct and ct[0].error_code == 0 and ct[0].last_stream_id == 1


def test_h2c_upgrade_with_their_client_and_their_server():
    # their client -> our server
    c = their(True)
    hdr = c.initiate_upgrade_connection()
    s = H2Protocol(client=False)
    s.initiate_upgrade_connection(hdr)
    s.send_headers(1, RESP)
    s.send_data(1, b"via upgrade", True)
    _, tev = run(s, c)
    data = [e for e in tev if isinstance(e, h2.events.DataReceived)]
    assert data and data[0].data == b"via upgrade"
    # our client -> their server
    ours = H2Protocol(client=True)
    hdr = ours.h2c_settings()
    srv = their(False)
    srv.initiate_upgrade_connection(hdr)
    ours.initiate_upgrade_connection()
    srv.send_headers(1, RESP)
    srv.send_data(1, b"back", end_stream=True)
    evs, _ = run(ours, srv)
    assert (EV_DATA, 1, b"back", 4, True) in evs


def test_their_protocol_error_reaches_us():
    # h2's server ends the connection (GOAWAY PROTOCOL_ERROR) on a request we should not
    # have sent (an uppercase field name); our core reports it and opens no more streams.
    import h2.exceptions
    c, s = connected_client()
    c.send_headers(1, REQ + [(b"X-Upper", b"1")], True)
    try:
        s.receive_data(c.data_to_send())
        raise AssertionError("h2 accepted an uppercase name")
    except h2.exceptions.ProtocolError:
        pass
    evs = c.receive_data(s.data_to_send())
    assert evs == [(EV_GOAWAY, PROTOCOL_ERROR, 1, b""), (EV_STREAM_RESET, 1, PROTOCOL_ERROR, True)]
    assert not c.can_open_stream()
