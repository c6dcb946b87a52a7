# mhttp.ws against real sans-I/O peers, in memory (no sockets): wsproto's WSConnection
# and websockets' ServerProtocol / ClientProtocol.  Full opening handshakes (with
# permessage-deflate negotiated for real or not), then messages both ways: text and
# binary, 0 B to 16 MiB, whole and fragmented, compressed and not; then the closing
# handshake.  CPython only.

import pytest

from mhttp.headers import Headers
from mhttp.ws import (WSProtocol, PerMessageDeflate, client_key, client_request, server_handshake,
                      client_check_response, EV_MESSAGE, EV_CLOSE, EV_PONG, ST_CLOSED)

import wsproto
import wsproto.connection
import wsproto.events as wev
from wsproto.extensions import PerMessageDeflate as WPDeflate
from websockets.client import ClientProtocol
from websockets.server import ServerProtocol
from websockets.extensions.permessage_deflate import (ClientPerMessageDeflateFactory,
                                                      ServerPerMessageDeflateFactory)
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri

import _t
from _ws_peers import BIG, payload

SIZES = (0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20)


def events(p):
    return _t.events(p, 10000)


# -- HTTP/1.1 heads, just enough for the handshake (the h1 core is tested elsewhere) ----

def serialize_request(h):
    lines = [b"GET " + h.get(":path") + b" HTTP/1.1", b"host: " + h.get(":authority")]
    for n, v, _ in h:
        if n[:1] != b":":
            lines.append(n + b": " + v)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def serialize_response(h):
    lines = [b"HTTP/1.1 " + h.get(":status") + b" Switching Protocols"]
    for n, v, _ in h:
        if n[:1] != b":":
            lines.append(n + b": " + v)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def parse_head(data):
    head, sep, rest = data.partition(b"\r\n\r\n")
    assert sep, data
    lines = head.split(b"\r\n")
    first = lines[0].split(b" ", 2)
    h = Headers()
    if first[0].startswith(b"HTTP/"):
        h.append(":status", first[1])
    else:
        h.append(":method", first[0])
        h.append(":path", first[1])
    for ln in lines[1:]:
        n, _, v = ln.partition(b":")
        n = n.strip().lower()
        if n == b"host":
            h.append(":authority", v.strip())
        else:
            h.append(n, v.strip())
    return h, rest


# -- peers -------------------------------------------------------------------------------

class WsprotoPeer:
    def __init__(self, server, compress):
        self.conn = wsproto.WSConnection(wsproto.ConnectionType.SERVER if server
                                         else wsproto.ConnectionType.CLIENT)
        self.compress = compress

    def feed(self, data):
        self.conn.receive_data(data)
        return list(self.conn.events())

    def messages(self, data):
        out = []
        cur = None
        for ev in self.feed(data):
            if isinstance(ev, wev.Message):
                cur = ev.data if cur is None else cur + ev.data
                if ev.message_finished:
                    out.append(cur)
                    cur = None
            elif isinstance(ev, wev.Ping):
                self.pending = self.conn.send(ev.response())
            elif isinstance(ev, wev.CloseConnection):
                out.append(("close", ev.code, ev.reason))
                if self.conn.state == wsproto.connection.ConnectionState.REMOTE_CLOSING:
                    self.pending = self.conn.send(ev.response())
        assert cur is None
        return out

    def send(self, msg, fin=True):
        return self.conn.send(wev.Message(data=msg, message_finished=fin))


class WebsocketsPeer:
    def __init__(self, proto):
        self.p = proto

    def messages(self, data):
        self.p.receive_data(data)
        out = []
        cur = None
        for f in self.p.events_received():
            if f.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
                d = f.data
                if f.opcode == Opcode.TEXT or (f.opcode == Opcode.CONT and isinstance(cur, str)):
                    d = d.decode()
                cur = d if cur is None else cur + d
                if f.fin:
                    out.append(cur)
                    cur = None
            elif f.opcode == Opcode.CLOSE:
                out.append(("close", self.p.close_rcvd.code, self.p.close_rcvd.reason))
        self.pending = b"".join(self.p.data_to_send())
        return out

    def send(self, msg, fin=True, first=True):
        if not first:
            self.p.send_continuation(msg.encode() if isinstance(msg, str) else msg, fin)
        elif isinstance(msg, str):
            self.p.send_text(msg.encode(), fin)
        else:
            self.p.send_binary(msg, fin)
        return b"".join(self.p.data_to_send())


def connect_to_wsproto_server(compress):
    # Our client, wsproto server.
    key = client_key()
    pmd = PerMessageDeflate() if compress else None
    req = client_request(b"localhost", b"/chat", key, ["chat"], pmd)
    peer = WsprotoPeer(True, compress)
    evs = peer.feed(serialize_request(req))
    assert isinstance(evs[0], wev.Request)
    assert evs[0].subprotocols == ["chat"]
    resp = peer.conn.send(wev.AcceptConnection(subprotocol="chat",
                                               extensions=[WPDeflate()] if compress else []))
    head, rest = parse_head(resp)
    proto, exts = client_check_response(head, key, ["chat"], pmd)
    assert proto == b"chat" and len(exts) == (1 if compress else 0)
    return WSProtocol(client=True, max_message_size=BIG, extensions=exts), peer


def wsproto_client_to_us(compress):
    # wsproto client, our server.
    peer = WsprotoPeer(False, compress)
    data = peer.conn.send(wev.Request(host="localhost", target="/x", subprotocols=["a", "b"],
                                      extensions=[WPDeflate()] if compress else []))
    req, _ = parse_head(data)
    resp, proto, exts = server_handshake(req, ["b"], PerMessageDeflate() if compress else None)
    assert proto == b"b" and len(exts) == (1 if compress else 0)
    evs = peer.feed(serialize_response(resp))
    assert isinstance(evs[0], wev.AcceptConnection) and evs[0].subprotocol == "b"
    assert len(evs[0].extensions) == (1 if compress else 0)
    return WSProtocol(client=False, max_message_size=BIG, extensions=exts), peer


def connect_to_websockets_server(compress):
    key = client_key()
    pmd = PerMessageDeflate() if compress else None
    req = client_request(b"localhost", b"/", key, None, pmd)
    sp = ServerProtocol(extensions=[ServerPerMessageDeflateFactory()] if compress else None,
                        max_size=BIG)
    sp.receive_data(serialize_request(req))
    request = sp.events_received()[0]
    response = sp.accept(request)
    assert response.status_code == 101, response.body
    sp.send_response(response)
    head, rest = parse_head(b"".join(sp.data_to_send()))
    proto, exts = client_check_response(head, key, None, pmd)
    assert len(exts) == (1 if compress else 0)
    return WSProtocol(client=True, max_message_size=BIG, extensions=exts), WebsocketsPeer(sp)


def websockets_client_to_us(compress):
    cp = ClientProtocol(parse_uri("ws://localhost/"),
                        extensions=[ClientPerMessageDeflateFactory()] if compress else None,
                        max_size=BIG)
    request = cp.connect()
    cp.send_request(request)
    req, _ = parse_head(b"".join(cp.data_to_send()))
    resp, proto, exts = server_handshake(req, None, PerMessageDeflate() if compress else None)
    assert len(exts) == (1 if compress else 0)
    cp.receive_data(serialize_response(resp))
    r = cp.events_received()[0]
    assert r.status_code == 101 and cp.handshake_exc is None, cp.handshake_exc
    return WSProtocol(client=False, max_message_size=BIG, extensions=exts), WebsocketsPeer(cp)


SETUPS = {
    "wsproto-server": connect_to_wsproto_server,
    "wsproto-client": wsproto_client_to_us,
    "websockets-server": connect_to_websockets_server,
    "websockets-client": websockets_client_to_us,
}


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "deflate"])
@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_messages_both_ways(setup, compress):
    us, peer = SETUPS[setup](compress)
    saw_rsv1 = [False, False]
    for n in SIZES:
        for text in (False, True):
            msg = payload(n, text)
            # us -> peer
            wire = us.send_message(msg, text=text)
            saw_rsv1[0] |= bool(wire[0] & 0x40)
            got = peer.messages(wire)
            assert len(got) == 1 and got[0] == msg, (setup, n, text)
            # peer -> us, fed in pieces
            wire = peer.send(msg)
            saw_rsv1[1] |= bool(wire[0] & 0x40)
            evs = []
            step = max(1, len(wire) // 7)
            for i in range(0, len(wire), step):
                us.receive_data(wire[i:i + step])
                evs.extend(events(us))
            assert evs == [(EV_MESSAGE, msg, text)], (setup, n, text)
    assert saw_rsv1 == [compress, compress]
    # closing handshake started by us
    assert peer.messages(us.send_close(1000, "bye")) == [("close", 1000, "bye")]
    us.receive_data(peer.pending)
    evs = events(us)
    assert evs[-1][0] == EV_CLOSE and evs[-1][1] == 1000
    assert us.state == ST_CLOSED


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "deflate"])
@pytest.mark.parametrize("setup", sorted(SETUPS))
def test_fragmented_and_ping(setup, compress):
    us, peer = SETUPS[setup](compress)
    for text in (False, True):
        parts = [payload(n, text) for n in (1000, 0, 70000, 5)]
        whole = ("" if text else b"").join(parts)
        wire = b"".join(us.send_message(p, text=text, fin=(i == len(parts) - 1))
                        for i, p in enumerate(parts))
        assert peer.messages(wire) == [whole]
        if isinstance(peer, WsprotoPeer):
            wire = b"".join(peer.send(p, i == len(parts) - 1) for i, p in enumerate(parts))
        else:
            wire = b"".join(peer.send(p, i == len(parts) - 1, i == 0) for i, p in enumerate(parts))
        us.receive_data(wire)
        assert events(us) == [(EV_MESSAGE, whole, text)]
    # our ping is answered by the peer
    peer.messages(us.send_ping(b"are you there"))
    us.receive_data(peer.pending)
    assert events(us) == [(EV_PONG, b"are you there")]
    # the peer closes; we echo; the peer accepts our echo
    if isinstance(peer, WsprotoPeer):
        wire = peer.conn.send(wev.CloseConnection(code=4001, reason="done"))
    else:
        peer.p.send_close(4001, "done")
        wire = b"".join(peer.p.data_to_send())
    us.receive_data(wire)
    assert events(us) == [(EV_CLOSE, 4001, "done")]
    echo = us.data_to_send()
    got = peer.messages(echo)
    assert got == [] or got[0][1] == 4001


def test_protocol_errors_reach_the_peer_as_close_codes():
    # wsproto sends a frame with a bad UTF-8 text payload; we answer 1007 and it sees 1007.
    us, peer = connect_to_wsproto_server(False)
    bad = Frame(Opcode.TEXT, b"ok\xff").serialize(mask=False, extensions=[])
    us.receive_data(bad)
    with pytest.raises(Exception) as ei:
        events(us)
    assert ei.value.close_code == 1007
    got = peer.messages(us.data_to_send())
    assert got == [("close", 1007, "")]
