# RFC 8441 extended CONNECT at the HTTP/2 core (portable): a :protocol request is a stream
# error PROTOCOL_ERROR unless the server sent SETTINGS_ENABLE_CONNECT_PROTOCOL=1, and an
# extended CONNECT needs :scheme, :path and :authority (RFC 8441 §4); a well-formed one
# reaches the server as a request that mhttp.ws.server_handshake answers with 200.
from mhttp.h2 import H2Protocol, EV_HEADERS, EV_STREAM_RESET
from mhttp import h2_frames as F
from mhttp import ws as W

BASE = [(b":method", b"CONNECT"), (b":protocol", b"websocket"), (b":scheme", b"http"),
        (b":path", b"/ws"), (b":authority", b"example"), (b"sec-websocket-version", b"13")]


def exchange(enable, headers):
    s = H2Protocol(client=False,
                   settings={F.SETTINGS_ENABLE_CONNECT_PROTOCOL: 1} if enable else {})
    c = H2Protocol(client=True)
    s.initiate_connection()
    c.initiate_connection()
    for _ in range(3):
        c.receive_data(s.data_to_send())
        s.receive_data(c.data_to_send())
    sid = c.get_next_available_stream_id()
    c.send_headers(sid, headers)
    return sid, s.receive_data(c.data_to_send())


def without(name):
    return [h for h in BASE if h[0] != name]


def test_extended_connect_accepted_when_enabled():
    sid, evs = exchange(True, BASE)
    assert len(evs) == 1 and evs[0][0] == EV_HEADERS and evs[0][1] == sid
    resp, chosen, exts = W.server_handshake(evs[0][2])
    assert resp.get(":status") == b"200"


def test_protocol_without_server_setting_is_reset():
    sid, evs = exchange(False, BASE)
    assert [(e[0], e[1], e[2], e[3]) for e in evs] == [(EV_STREAM_RESET, sid, 1, False)]


def test_extended_connect_needs_scheme_path_authority():
    for name in (b":path", b":scheme", b":authority"):
        sid, evs = exchange(True, without(name))
        assert [(e[0], e[1], e[2]) for e in evs] == [(EV_STREAM_RESET, sid, 1)], name
