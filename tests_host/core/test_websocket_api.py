# mhttp.websocket over an in-memory stream (portable: pytest and tools/mptest.py).  The
# fake stream plays the upgraded HTTP stream (get_next_chunk / write_chunk); the peer is
# the sans-I/O core (mhttp.ws.WSProtocol) on the other side.  The coroutines never
# suspend here, so mhttp._io.run_blocking drives them: the same code as on sockets.
from mhttp import websocket
from mhttp.ws import (WSProtocol, client_key, client_request, accept_key, EV_MESSAGE, EV_PONG,
                      EV_CLOSE, HandshakeError, encode_frame)
from mhttp.errors import WSError, ConnectionClosed, Error
from mhttp._io import run_blocking
from _t import raises


class FakeConn:
    version = 1.1
    is_server = True

    def __init__(self):
        self.aborted = False

    def abort(self):
        self.aborted = True


class FakeStream:
    def __init__(self, incoming=()):
        self.incoming = list(incoming)
        self.out = []
        self.head = None
        self.connection = FakeConn()

    async def get_next_chunk(self, timeout=None):
        if self.incoming:
            return self.incoming.pop(0)
        return None

    async def write_chunk(self, data, end_stream=False, timeout=None):
        self.out.append(bytes(data))

    async def write_headers(self, headers, end_stream=False, timeout=None):
        self.head = headers


def request(key=None, extra=None):
    h = client_request(b"example.com", b"/chat", key or client_key(), None, None)
    for f in extra or ():
        h.append(f[0], f[1])
    return h


def server(incoming, compression=True, max_message_size=None):
    key = client_key()
    st = FakeStream(incoming)
    ws = websocket.new_from_stream(st, request(key), compression=compression,
                                   max_message_size=max_message_size)
    run_blocking(ws.accept())
    assert st.head.get(b":status") == b"101"
    assert st.head.get(b"sec-websocket-accept") == accept_key(key)
    return ws, st


def peer_events(st):
    # What our server wrote, parsed by a client-side core.
    c = WSProtocol(client=True)
    c.receive_data(b"".join(st.out))
    out = []
    while True:
        ev = c.next_event()
        if ev is None:
            return out
        out.append(ev)


def cframe(op, payload, fin=True):
    return encode_frame(op, payload, fin, 0, b"\x01\x02\x03\x04")


def test_echo_text_and_binary():
    ws, st = server([cframe(1, "h\u00e9".encode()), cframe(2, b"\x00\xff"), cframe(8, b"\x03\xe8")])
    assert ws.ready_state == websocket.OPEN
    assert run_blocking(ws.receive()) == ("h\u00e9", "text")
    assert run_blocking(ws.receive()) == (b"\x00\xff", "binary")
    run_blocking(ws.send("t"))
    run_blocking(ws.send(b"b"))
    run_blocking(ws.send("as binary", "binary"))
    run_blocking(ws.send(b"as text", "text"))
    assert run_blocking(ws.receive()) is None          # the peer's close
    assert ws.close_code == 1000 and ws.ready_state == websocket.CLOSED
    assert st.connection.aborted
    evs = peer_events(st)
    assert evs[:4] == [(EV_MESSAGE, "t", True), (EV_MESSAGE, b"b", False),
                       (EV_MESSAGE, b"as binary", False), (EV_MESSAGE, "as text", True)]
    assert evs[4][0] == EV_CLOSE and evs[4][1] == 1000     # our echo
    assert raises(ConnectionClosed, run_blocking, ws.send("late"))


def test_fragmented_message_and_chunking():
    data = cframe(1, b"frag", False) + cframe(0, b"men", False) + cframe(0, b"ted")
    # delivered one byte at a time by the stream
    ws, st = server([data[i:i + 1] for i in range(len(data))])
    assert run_blocking(ws.receive()) == ("fragmented", "text")
    assert run_blocking(ws.receive()) is None
    assert ws.close_code == 1006                       # EOF without a close frame


def test_ping_answered_pong_dropped():
    ws, st = server([cframe(9, b"p1"), cframe(10, b"x"), cframe(1, b"after")])
    assert run_blocking(ws.receive()) == ("after", "text")
    evs = peer_events(st)
    assert evs == [(EV_PONG, b"p1")]


def test_iteration():
    ws, st = server([cframe(1, b"a"), cframe(1, b"b"), cframe(8, b"\x0f\xa0bye")])

    async def collect():
        out = []
        async for m in ws:
            out.append(m)
        return out
    assert run_blocking(collect()) == [("a", "text"), ("b", "text")]
    assert (ws.close_code, ws.close_reason) == (4000, "bye")


def test_violations_close_codes():
    cases = [
        (encode_frame(1, b"x", True, 0, None), 1002),            # unmasked from a client
        (cframe(3, b"x"), 1002),                                 # reserved opcode
        (cframe(1, b"\xff"), 1007),                              # bad UTF-8
        (cframe(2, b"y" * 200), 1009),                           # over max_message_size
    ]
    for data, code in cases:
        ws, st = server([data], max_message_size=100)
        e = raises(WSError, run_blocking, ws.receive())
        assert e.close_code == code
        assert ws.close_code == code and ws.ready_state == websocket.CLOSED
        assert st.connection.aborted
        evs = peer_events(st)
        assert evs[-1][0] == EV_CLOSE and evs[-1][1] == code
        assert run_blocking(ws.receive()) is None              # stays closed


def test_close_handshake_from_us():
    ws, st = server([cframe(1, b"in flight"), cframe(8, b"\x0f\xa1")])
    assert run_blocking(ws.close(4001, "done")) is True
    assert ws.close_code == 4001 and ws.ready_state == websocket.CLOSED
    evs = peer_events(st)
    assert evs == [(EV_CLOSE, 4001, "done")]
    # bad close codes are refused before anything is written
    ws, st = server([])
    raises(WSError, run_blocking, ws.close(1006))
    assert st.out == []


def test_close_without_wait_then_receive():
    ws, st = server([cframe(1, b"late reply"), cframe(8, b"\x03\xe8")])
    assert run_blocking(ws.close(1000, "", None, False)) is False
    assert ws.ready_state == websocket.CLOSING
    assert run_blocking(ws.receive()) == ("late reply", "text")
    assert run_blocking(ws.receive()) is None
    assert ws.close_code == 1000


def test_handshake_refused_and_reject():
    h = request()
    h.delete(b"upgrade")
    e = raises(HandshakeError, websocket.new_from_stream, FakeStream(), h)
    assert e.status_hint == 400
    h = request()
    h.upsert(b"sec-websocket-version", b"8")
    e = raises(HandshakeError, websocket.new_from_stream, FakeStream(), h)
    assert e.status_hint == 426
    st = FakeStream()
    run_blocking(websocket.reject(st, e))
    assert st.head.get(b":status") == b"426"
    assert st.head.get(b"sec-websocket-version") == b"13"
    assert st.out[0].startswith(b"426 ")


def test_subprotocol_and_extra_headers():
    key = client_key()
    h = client_request(b"h", b"/", key, ["a", "b"], None)
    st = FakeStream()
    ws = websocket.new_from_stream(st, h)
    run_blocking(ws.accept([(b"x-extra", b"1")], ["c", "b"]))
    assert ws.protocol == "b"
    assert st.head.get(b"sec-websocket-protocol") == b"b"
    assert st.head.get(b"x-extra") == b"1"


def test_parse_ws_uri():
    p = websocket.parse_ws_uri
    assert p("ws://h") == ("ws", None, "h", 80, "/")
    assert p("wss://Host:8443/a/b?c=d#f") == ("wss", None, "host", 8443, "/a/b?c=d")
    assert p("ws://[::1]:9/x") == ("ws", None, "::1", 9, "/x")
    assert p("ws://u:p@h/") == ("ws", "u:p", "h", 80, "/")
    assert p("https://h?q") == ("https", None, "h", 443, "/?q")
    for bad in ("ftp://h/", "ws://", "ws://h:0/", "ws://h:x/", "ws:/h", "ws://h /", "ws://[::1/",
                "", "ws://h/\x7f", "ws://h/\x01", "ws://h/\t", "\x00ws://h/", "ws://h/\x1f"):
        raises(ValueError, p, bad)
    # characters above DEL are not refused (the path stays a str; mhttp.h1 checks the
    # request target when the request is written); bytes are decoded as UTF-8
    assert p("ws://h/caf\u00e9\u0080") == ("ws", None, "h", 80, "/caf\u00e9\u0080")
    assert p(b"ws://h:1/\xc3\xa9") == ("ws", None, "h", 1, "/\u00e9")


def test_new_from_uri_authority():
    ws = websocket.new_from_uri("wss://example.com/x?y", ["p"])
    assert (ws.host, ws.port, ws.tls, ws.authority, ws.path) == (
        "example.com", 443, True, b"example.com", b"/x?y")
    assert ws.protocols == ["p"] and ws.ready_state == websocket.CONNECTING
    ws = websocket.new_from_uri("ws://[::1]:8080/")
    assert ws.authority == b"[::1]:8080"
    for uri, auth in (("ws://[::1]/", b"[::1]"), ("http://H:80/", b"h"), ("ws://h:443/", b"h:443"),
                      ("wss://h:80/", b"h:80"), ("ws://caf\u00e9.example:81", b"caf\xc3\xa9.example:81")):
        assert websocket.new_from_uri(uri).authority == auth, uri
    # credentials in the URI: an Authorization field after the extra ones (percent-decoded)
    ws = websocket.new_from_uri("ws://us%20er:p%40ss@h/", headers=[("x-a", "1")])
    assert ws.request_headers == [("x-a", "1"), (b"authorization", b"Basic dXMgZXI6cEBzcw==")]
    assert (ws.host, ws.path) == ("h", b"/")
    e = raises(Error, run_blocking, ws.receive())      # not connected yet
    assert "not connected" in str(e)
