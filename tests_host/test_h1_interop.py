# mhttp.h1 against h11 (CPython only): we parse what h11 writes, h11 parses what we write.
import h11
import pytest

from mhttp.h1 import H1Protocol, CLIENT, SERVER, EV_HEADERS, EV_DATA, EV_CLOSED

from _t import events


def drain(p):
    return events(p, 1000, EV_CLOSED)


def h11_events(conn):
    out = []
    for _ in range(1000):
        ev = conn.next_event()
        if ev is h11.NEED_DATA or ev is h11.PAUSED:
            return out
        out.append(ev)
    raise AssertionError("too many events")


def body_of(evs):
    return b"".join(bytes(e[1]) for e in evs if e[0] == EV_DATA)


@pytest.mark.parametrize("framing", ["length", "chunked", "none"])
def test_h11_client_to_our_server(framing):
    hc = h11.Connection(h11.CLIENT)
    headers = [("Host", "example.com"), ("User-Agent", "h11"), ("X-Multi", "a"),
               ("X-Multi", "b")]
    body = b"payload-" * 50
    if framing == "length":
        headers.append(("Content-Length", str(len(body))))
    elif framing == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
    method = "GET" if framing == "none" else "POST"
    wire = hc.send(h11.Request(method=method, target="/p?q=1", headers=headers))
    if framing != "none":
        wire += hc.send(h11.Data(data=body[:100])) + hc.send(h11.Data(data=body[100:]))
    wire += hc.send(h11.EndOfMessage())
    s = H1Protocol(SERVER)
    s.receive_data(wire)
    evs = drain(s)
    h = evs[0][1]
    assert h.get(":method") == method.encode() and h.get(":path") == b"/p?q=1"
    assert h.get(":authority") == b"example.com"
    assert h.get_as_sequence("x-multi") == [b"a", b"b"]
    assert body_of(evs) == (b"" if framing == "none" else body)
    assert s.their_done
    # our response, parsed by h11
    resp = s.send_headers([(":status", "200"), ("content-type", "text/plain"),
                           ("set-cookie", "a=1"), ("set-cookie", "b=2")])
    resp += b"".join(s.send_data(b"hello "))
    resp += b"".join(s.send_data(b"world"))
    resp += s.send_trailers([("x-digest", "abc")])
    hc.receive_data(resp)
    hev = h11_events(hc)
    assert isinstance(hev[0], h11.Response) and hev[0].status_code == 200
    assert hev[0].reason == b"OK"
    assert [v for n, v in hev[0].headers if n == b"set-cookie"] == [b"a=1", b"b=2"]
    assert b"".join(e.data for e in hev if isinstance(e, h11.Data)) == b"hello world"
    assert isinstance(hev[-1], h11.EndOfMessage)
    assert list(hev[-1].headers) == [(b"x-digest", b"abc")]
    s.start_next_cycle()
    hc.start_next_cycle()


@pytest.mark.parametrize("framing", ["length", "chunked", "close", "head", "204"])
def test_our_client_to_h11_server(framing):
    c = H1Protocol(CLIENT)
    method = "HEAD" if framing == "head" else "PUT"
    req = c.send_headers([(":method", method), (":path", "/up"), (":authority", "h:81"),
                          ("accept", "*/*")], framing == "head")
    if framing != "head":
        req += b"".join(c.send_data(b"x" * 1000)) + b"".join(c.send_data(b"", True))
    hs = h11.Connection(h11.SERVER)
    hs.receive_data(req)
    hev = h11_events(hs)
    assert isinstance(hev[0], h11.Request) and hev[0].method == method.encode()
    assert hev[0].target == b"/up" and (b"host", b"h:81") in list(hev[0].headers)
    if framing != "head":
        assert b"".join(e.data for e in hev if isinstance(e, h11.Data)) == b"x" * 1000
    assert isinstance(hev[-1], h11.EndOfMessage)
    body = b"response body"
    status = 204 if framing == "204" else 200
    headers = []
    if framing in ("length", "head"):
        headers.append(("Content-Length", str(len(body))))
    if framing == "close":
        headers.append(("Connection", "close"))
    out = hs.send(h11.Response(status_code=status, headers=headers))
    if framing not in ("head", "204"):
        out += hs.send(h11.Data(data=body))
    out += hs.send(h11.EndOfMessage())
    c.receive_data(out)
    if framing == "close":
        c.receive_data(b"")
    evs = drain(c)
    assert evs[0][0] == EV_HEADERS and evs[0][1].get(":status") == b"%d" % status
    if framing in ("head", "204"):
        assert evs[0][2] is True and body_of(evs) == b""
    else:
        assert body_of(evs) == body
    assert c.their_done
    assert c.keep_alive is (framing != "close")


def test_h11_100_continue_and_pipelining():
    # h11 as a client sends Expect: 100-continue; we answer 100, read the body, respond;
    # two requests pipelined in one write are served one after the other.
    hc = h11.Connection(h11.CLIENT)
    wire = hc.send(h11.Request(method="POST", target="/1", headers=[
        ("Host", "h"), ("Expect", "100-continue"), ("Content-Length", "3")]))
    s = H1Protocol(SERVER)
    s.receive_data(wire)
    assert drain(s)[0][0] == EV_HEADERS and s.expect_continue
    hc.receive_data(s.send_continue())
    ev = hc.next_event()
    assert isinstance(ev, h11.InformationalResponse) and ev.status_code == 100
    s.receive_data(hc.send(h11.Data(data=b"abc")) + hc.send(h11.EndOfMessage()))
    assert body_of(drain(s)) == b"abc"
    hc.receive_data(s.send_headers([(":status", "200"), ("content-length", "0")], True))
    assert isinstance(hc.next_event(), h11.Response)
    s.start_next_cycle()


def test_h11_parses_our_requests_with_trailers():
    c = H1Protocol(CLIENT)
    wire = c.send_headers([(":method", "POST"), (":path", "/t"), (":authority", "h")])
    wire += b"".join(c.send_data(b"abc")) + c.send_trailers([("x-t", "1")])
    hs = h11.Connection(h11.SERVER)
    hs.receive_data(wire)
    hev = h11_events(hs)
    assert isinstance(hev[1], h11.Data) and hev[1].data == b"abc"
    assert list(hev[2].headers) == [(b"x-t", b"1")]
