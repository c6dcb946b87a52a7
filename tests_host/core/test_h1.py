# mhttp.h1: the sans-I/O HTTP/1.x machine (portable: pytest and tools/mptest.py).
# Habit from h11's test_io.py: every reader is fed its input whole, then one byte at a
# time, then followed by the next pipelined message, and must give the same events.
from mhttp.h1 import (H1Protocol, CLIENT, SERVER, EV_HEADERS, EV_DATA, EV_TRAILERS,
                      EV_CLOSED)
from mhttp.headers import Headers
from mhttp.errors import H1Error, ProtocolError
from mhttp._reasons import reason
from _t import raises, events


def drain(p):
    return events(p, 10000, EV_CLOSED)


def norm(evs):
    # Events with adjacent EV_DATA merged (byte-wise feeding splits bodies), headers as
    # plain lists: comparable across feeding styles.
    out = []
    for ev in evs:
        if ev[0] == EV_DATA:
            if out and out[-1][0] == EV_DATA and not out[-1][2]:
                out[-1] = (EV_DATA, out[-1][1] + ev[1], ev[2])
                continue
            if not ev[1] and not ev[2]:
                continue
            out.append((EV_DATA, bytes(ev[1]), ev[2]))
        elif ev[0] == EV_HEADERS:
            out.append((EV_HEADERS, [(f[0], f[1]) for f in ev[1]], ev[2]))
        elif ev[0] == EV_TRAILERS:
            out.append((EV_TRAILERS, [(f[0], f[1]) for f in ev[1]]))
        else:
            out.append(ev)
    return out


def server_events(data, bytewise=False, **kw):
    p = H1Protocol(SERVER, **kw)
    if bytewise:
        evs = []
        for i in range(len(data)):
            p.receive_data(data[i:i + 1])
            evs.extend(drain(p))
    else:
        p.receive_data(data)
        evs = drain(p)
    return p, norm(evs)


def three_ways(data, expected, **kw):
    # whole, byte by byte, and followed by another (pipelined) request
    p, evs = server_events(data, **kw)
    assert evs == expected, (evs, expected)
    assert p.their_done
    p, evs = server_events(data, True, **kw)
    assert evs == expected, (evs, expected)
    p, evs = server_events(data + b"GET /next HTTP/1.1\r\nHost: n\r\n\r\n", **kw)
    assert evs == expected, (evs, expected)
    assert p.next_event() is None       # the next request waits for start_next_cycle
    p.send_headers([(b":status", b"204")])
    p.start_next_cycle()
    ev = p.next_event()
    assert ev[0] == EV_HEADERS and ev[1].get(":path") == b"/next" and ev[2] is True


GET = b"GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t/1\r\nAccept: */*\r\n\r\n"


def test_get_three_ways():
    three_ways(GET, [(EV_HEADERS, [(b":method", b"GET"), (b":path", b"/a?b=c"),
                                   (b":authority", b"example.com"), (b":scheme", b"http"),
                                   (b"user-agent", b"t/1"), (b"accept", b"*/*")], True)])


def test_header_values_trimmed_and_never_index():
    p, evs = server_events(b"GET / HTTP/1.1\r\nHost:h\r\nX-A: \t v w \t\r\nCookie: c=1\r\n"
                           b"X-Empty:\r\nAUTHORIZATION: Basic x\r\n\r\n")
    h = p._buf and None
    p = H1Protocol(SERVER)
    p.receive_data(b"GET / HTTP/1.1\r\nHost:h\r\nX-A: \t v w \t\r\nCookie: c=1\r\n"
                   b"X-Empty:\r\nAUTHORIZATION: Basic x\r\n\r\n")
    h = p.next_event()[1]
    assert h.get("x-a") == b"v w" and h.get("x-empty") == b""
    assert h.get(":authority") == b"h" and not h.has("host")
    assert [f[2] for f in h if f[0] in (b"cookie", b"authorization", b"x-a")] == \
        [False, True, True]


def test_post_content_length_three_ways():
    data = b"POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world"
    three_ways(data, [
        (EV_HEADERS, [(b":method", b"POST"), (b":path", b"/f"), (b":authority", b"h"),
                      (b":scheme", b"http"), (b"content-length", b"11")], False),
        (EV_DATA, b"hello world", True)])


def test_content_length_equal_duplicates_merged():
    data = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc"
    p, evs = server_events(data)
    assert evs[-1] == (EV_DATA, b"abc", True)


def test_content_length_list_reaches_the_application_as_one_value():
    # RFC 9110 §8.6: a list of identical values is replaced by the single value (the
    # application, a handler echoing it back say, sees one valid content-length field).
    for cl in (b"Content-Length: 5, 5\r\n", b"Content-Length: 5\r\ncontent-length: 5\r\n",
               b"Content-Length: 5,5\r\nX-A: 1\r\nContent-Length: 5\r\n"):
        data = b"POST /e HTTP/1.1\r\nHost: h\r\n" + cl + b"\r\nhello"
        for bytewise in (False, True):
            p, evs = server_events(data, bytewise)
            assert evs[0][0] == EV_HEADERS, evs
            h = [f for f in evs[0][1] if f[0] == b"content-length"]
            assert h == [(b"content-length", b"5")], (cl, h)
            assert evs[-1] == (EV_DATA, b"hello", True)
            # and it can be sent back as is
            out = p.send_headers([(b":status", b"200")] + h)
            assert b"\r\ncontent-length: 5\r\n" in out
    # a client reads a response's list the same way
    c = H1Protocol(CLIENT)
    c.send_headers([(b":method", b"GET"), (b":path", b"/"), (b":authority", b"h")], True)
    c.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok")
    evs = drain(c)
    assert [f[:2] for f in evs[0][1] if f[0] == b"content-length"] == [(b"content-length", b"2")]
    assert evs[1] == (EV_DATA, b"ok", True)
    # differing values are still a 400
    p = H1Protocol(SERVER)
    p.receive_data(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\nhello")
    assert raises(H1Error, p.next_event).status_hint == 400


def test_chunked_with_extensions_and_trailers_three_ways():
    data = (b"POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5;name=val\r\nhello\r\n"
            b"6 ; a ; b=\"q\"\r\n world\r\n"
            b"000\r\nX-Checksum: abc\r\nX-More:  1 \r\n\r\n")
    three_ways(data, [
        (EV_HEADERS, [(b":method", b"POST"), (b":path", b"/u"), (b":authority", b"h"),
                      (b":scheme", b"http"), (b"transfer-encoding", b"chunked")], False),
        (EV_DATA, b"hello world", False),
        (EV_TRAILERS, [(b"x-checksum", b"abc"), (b"x-more", b"1")])])


def test_chunked_no_trailers_three_ways():
    data = (b"PUT /u HTTP/1.1\r\nHost: h\r\ntransfer-encoding: Chunked\r\n\r\n"
            b"A\r\n0123456789\r\n1\r\nx\r\n0\r\n\r\n")
    three_ways(data, [
        (EV_HEADERS, [(b":method", b"PUT"), (b":path", b"/u"), (b":authority", b"h"),
                      (b":scheme", b"http"), (b"transfer-encoding", b"Chunked")], False),
        (EV_DATA, b"0123456789x", True)])


def test_chunked_last_data_carries_end_stream_when_all_here():
    p = H1Protocol(SERVER)
    p.receive_data(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"3\r\nabc\r\n0\r\n\r\n")
    assert p.next_event()[2] is False
    assert p.next_event() == (EV_DATA, b"abc", True)
    assert p.their_done and p.next_event() is None


def test_leading_empty_lines_ignored():
    three_ways(b"\r\n\r\n" + GET[:-2] + b"\r\n", server_events(GET)[1])


def test_pipelining_three_requests_one_receive():
    p = H1Protocol(SERVER)
    p.receive_data(b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
                   b"POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"
                   b"GET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    seen = []
    for i in range(3):
        evs = drain(p)
        assert evs[0][0] == EV_HEADERS
        seen.append(evs[0][1].get(":path"))
        if i == 1:
            assert evs[1] == (EV_DATA, b"hi", True)
        assert p.their_done and p.next_event() is None
        raises(ProtocolError, p.start_next_cycle)       # our response not sent yet
        out = p.send_headers([(":status", "200"), ("content-length", "2")])
        assert p.send_data(b"ok", True) == [b"ok"]
        if i < 2:
            assert p.keep_alive and b"connection" not in out
            p.start_next_cycle()
        else:
            assert not p.keep_alive and b"connection: close\r\n" in out
            raises(ProtocolError, p.start_next_cycle)
    assert seen == [b"/1", b"/2", b"/3"]


def test_http10_close_and_keep_alive():
    p = H1Protocol(SERVER)
    p.receive_data(b"GET / HTTP/1.0\r\n\r\n")
    ev = p.next_event()
    assert p.their_version == b"1.0" and not p.keep_alive and not ev[1].has(":authority")
    out = p.send_headers([(":status", "200")])
    assert out == b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n"     # close-delimited
    assert p.send_data(b"body", True) == [b"body"] and p.our_done
    p = H1Protocol(SERVER)
    p.receive_data(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
    p.next_event()
    assert p.keep_alive
    out = p.send_headers([(":status", "200"), ("content-length", "0")], True)
    assert out == b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n"
    p.start_next_cycle()


def test_http11_connection_close_request():
    p = H1Protocol(SERVER)
    p.receive_data(b"GET / HTTP/1.1\r\nHost: h\r\nConnection: TE, close\r\n\r\n")
    p.next_event()
    assert not p.keep_alive
    out = p.send_headers([(":status", "200")], True)
    assert out == b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


def test_request_target_forms():
    for line, key, val in ((b"OPTIONS * HTTP/1.1", ":path", b"*"),
                           (b"GET http://a.b/c HTTP/1.1", ":path", b"/c"),
                           (b"GET http://a.b/c HTTP/1.1", ":authority", b"a.b"),
                           (b"CONNECT a.b:443 HTTP/1.1", ":authority", b"a.b:443"),
                           (b"CONNECT [::1]:8080 HTTP/1.1", ":authority", b"[::1]:8080")):
        p = H1Protocol(SERVER)
        p.receive_data(line + b"\r\nHost: a.b:443\r\n\r\n")
        h = p.next_event()[1]
        assert h.get(key) == val
        if line.startswith(b"CONNECT"):
            assert not h.has(":path") and len(h.get_as_sequence(":authority")) == 1


def test_scheme_option():
    p = H1Protocol(SERVER, scheme="https")
    p.receive_data(GET)
    assert p.next_event()[1].get(":scheme") == b"https"


def test_expect_100_continue_server():
    p = H1Protocol(SERVER)
    p.receive_data(b"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
                   b"Content-Length: 3\r\n\r\n")
    assert p.next_event()[2] is False
    assert p.expect_continue
    assert p.next_event() is None
    assert p.send_continue() == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert not p.expect_continue
    p.receive_data(b"abc")
    assert p.next_event() == (EV_DATA, b"abc", True)
    # body bytes arriving without a 100 also clear it
    p = H1Protocol(SERVER)
    p.receive_data(b"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
                   b"Content-Length: 3\r\n\r\n")
    p.next_event()
    p.receive_data(b"a")
    p.next_event()
    assert not p.expect_continue
    # a final answer without 100: the client may or may not send the body -> no reuse
    p = H1Protocol(SERVER)
    p.receive_data(b"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
                   b"Content-Length: 3\r\n\r\n")
    p.next_event()
    out = p.send_headers([(":status", "417")], True)
    assert not p.keep_alive and b"connection: close" in out


def client_after(method=b"GET", headers=None, end_stream=True):
    c = H1Protocol(CLIENT)
    h = [(":method", method), (":path", "/"), (":authority", "h")] + (headers or [])
    c.send_headers(h, end_stream)
    return c


def test_client_100_and_103_then_final():
    c = client_after(b"POST", [("expect", "100-continue"), ("content-length", "2")], False)
    c.receive_data(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
                   b"Link: </s.css>; rel=preload\r\n\r\n")
    ev = c.next_event()
    assert ev[0] == EV_HEADERS and ev[1].get(":status") == b"100" and ev[2] is False
    ev = c.next_event()
    assert ev[1].get(":status") == b"103" and ev[1].get("link") == b"</s.css>; rel=preload"
    assert c.next_event() is None and not c.their_done
    c.send_data(b"ok", True)
    c.receive_data(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    ev = c.next_event()
    assert ev[1].get(":status") == b"201" and ev[2] is True and c.their_done


def test_client_bodiless_responses():
    for method, head in ((b"HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"),
                         (b"HEAD", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
                         (b"GET", b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"),
                         (b"GET", b"HTTP/1.1 204 No Content\r\n\r\n"),
                         (b"GET", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n")):
        c = client_after(method)
        c.receive_data(head + b"HTTP/1.1 200 OK\r\n")     # start of the next response
        ev = c.next_event()
        assert ev[0] == EV_HEADERS and ev[2] is True and c.their_done
        assert c.next_event() is None and c.keep_alive
        c.start_next_cycle()
        assert c.next_event() is None      # no request sent yet: nothing is parsed


def test_client_close_delimited_and_chunked_bytewise():
    for resp, body, ka in ((b"HTTP/1.1 200 OK\r\n\r\nabc", b"abc", False),
                           (b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc", b"abc", False),
                           (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
                            b"Content-Length: 3\r\n\r\nabc", b"abc", True),
                           (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"2\r\nab\r\n1;x\r\nc\r\n0\r\n\r\n", b"abc", True)):
        for bytewise in (False, True):
            c = client_after()
            evs = []
            if bytewise:
                for i in range(len(resp)):
                    c.receive_data(resp[i:i + 1])
                    evs.extend(drain(c))
            else:
                c.receive_data(resp)
                evs = drain(c)
            if not c.their_done:
                c.receive_data(b"")
                evs.extend(drain(c))
            evs = norm(evs)
            if evs[-1] == (EV_CLOSED,):
                evs.pop()
            assert evs[-1] == (EV_DATA, body, True), evs
            assert c.keep_alive is ka
    c = client_after()
    c.receive_data(b"HTTP/1.1 200 OK\r\n\r\nabc")
    drain(c)
    c.receive_data(b"")
    assert c.next_event() == (EV_DATA, b"", True)
    assert c.next_event() == (EV_CLOSED,)


def test_upgrade_101_both_sides():
    c = H1Protocol(CLIENT)
    req = c.send_headers([(":method", "GET"), (":path", "/ws"), (":authority", "h"),
                          ("connection", "Upgrade"), ("upgrade", "websocket")], True)
    s = H1Protocol(SERVER)
    s.receive_data(req + b"\x81\x00")           # client bytes right after the head
    h = s.next_event()[1]
    assert h.get("upgrade") == b"websocket"
    resp = s.send_headers([(":status", "101"), ("connection", "Upgrade"),
                           ("upgrade", "websocket")])
    assert resp.startswith(b"HTTP/1.1 101 Switching Protocols\r\n") and s.upgraded
    assert s.next_event() == (EV_DATA, b"\x81\x00", False)
    assert s.send_data(b"\x82\x01x") == [b"\x82\x01x"]
    c.receive_data(resp + b"\x82\x01x")
    ev = c.next_event()
    assert ev[1].get(":status") == b"101" and c.upgraded
    assert c.next_event() == (EV_DATA, b"\x82\x01x", False)
    assert c.send_data(b"raw") == [b"raw"]
    c.receive_data(b"")
    assert c.next_event() == (EV_DATA, b"", True)
    assert c.next_event() == (EV_CLOSED,)


def test_connect_tunnel_both_sides():
    c = H1Protocol(CLIENT)
    req = c.send_headers([(":method", "CONNECT"), (":authority", "a.b:443")], True)
    assert req == b"CONNECT a.b:443 HTTP/1.1\r\nhost: a.b:443\r\n\r\n"
    s = H1Protocol(SERVER)
    s.receive_data(req)
    ev = s.next_event()
    assert ev[1].get(":method") == b"CONNECT" and ev[2] is True
    resp = s.send_headers([(":status", "200")])
    assert resp == b"HTTP/1.1 200 OK\r\n\r\n" and s.upgraded
    c.receive_data(resp + b"\x16\x03\x01")
    assert c.next_event()[2] is False and c.upgraded
    assert c.next_event() == (EV_DATA, b"\x16\x03\x01", False)
    # a refused CONNECT is answered normally and the connection is not reused
    s = H1Protocol(SERVER)
    s.receive_data(req)
    s.next_event()
    s.send_headers([(":status", "403"), ("content-length", "0")], True)
    assert not s.upgraded and not s.keep_alive


def test_eof_between_and_inside_messages():
    p = H1Protocol(SERVER)
    p.receive_data(b"")
    assert p.next_event() == (EV_CLOSED,) and not p.keep_alive
    for partial in (b"GET / HTTP/1.1\r\nHo",
                    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab",
                    b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"):
        p = H1Protocol(SERVER)
        p.receive_data(partial)
        drain(p)
        p.receive_data(b"")
        e = raises(H1Error, drain, p)
        assert e.status_hint == 400
        raises(H1Error, p.next_event)           # dead afterwards
        assert not p.keep_alive
    c = H1Protocol(CLIENT)
    c.receive_data(b"")
    assert c.next_event() == (EV_CLOSED,)


def test_limits():
    e = raises(H1Error, server_events, b"GET /" + b"a" * 100 + b" HTTP/1.1\r\nHost: h\r\n\r\n",
               False, max_line=64)
    assert e.status_hint == 414
    # an unterminated over-long line is refused before the head completes
    p = H1Protocol(SERVER, max_line=64)
    p.receive_data(b"GET /" + b"a" * 70)
    assert raises(H1Error, p.next_event).status_hint == 414
    e = raises(H1Error, server_events, b"GET / HTTP/1.1\r\nHost: h\r\nX: " + b"a" * 70
               + b"\r\n\r\n", False, max_line=64)
    assert e.status_hint == 431
    e = raises(H1Error, server_events, b"GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n",
               False, max_headers=2)
    assert e.status_hint == 431
    server_events(b"GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n\r\n", False, max_headers=2)
    p = H1Protocol(SERVER, max_header_bytes=100)
    p.receive_data(b"GET / HTTP/1.1\r\nHost: h\r\n" + b"X: 1234567890\r\n" * 7)
    assert raises(H1Error, p.next_event).status_hint == 431
    # max_body: Content-Length at once, chunked as the sizes add up
    e = raises(H1Error, server_events, b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11"
               b"\r\n\r\n", False, max_body=10)
    assert e.status_hint == 413
    p = H1Protocol(SERVER, max_body=10)
    p.receive_data(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"5\r\nhello\r\n")
    assert len(drain(p)) == 2
    p.receive_data(b"6\r\n")
    assert raises(H1Error, p.next_event).status_hint == 413


def test_early_rejection_of_incomplete_garbage():
    for data in (b"\x16\x03\x01\x02\x00\x01", b"GET / HTTP/1.1\nHost: h\n",
                 b"GET / HTTP/1.1\r\nHost: h\rX", b"GET / HTTP/1.1\r\nX: \x00"):
        p = H1Protocol(SERVER)
        p.receive_data(data)
        assert raises(H1Error, p.next_event).status_hint == 400
    # the same prefixes, valid so far, only wait
    for data in (b"GE", b"GET / HTTP/1.1\r", b"GET / HTTP/1.1\r\nHost: h\r\n\r"):
        p = H1Protocol(SERVER)
        p.receive_data(data)
        assert p.next_event() is None


def test_send_request_framing():
    c = H1Protocol(CLIENT)
    out = c.send_headers(Headers([(":method", "GET"), (":scheme", "http"), (":path", "/x"),
                                  (":authority", "h:8080"), ("accept", "*/*")]), True)
    assert out == b"GET /x HTTP/1.1\r\nhost: h:8080\r\naccept: */*\r\n\r\n" and c.our_done
    c = H1Protocol(CLIENT)
    out = c.send_headers([(":method", "POST"), (":path", "/"), (":authority", "h")], True)
    assert out.endswith(b"content-length: 0\r\n\r\n")
    c = H1Protocol(CLIENT)
    c.send_headers([(":method", "PUT"), (":path", "/"), (":authority", "h"),
                    ("content-length", "5")])
    raises(ProtocolError, c.send_data, b"toolong")
    assert c.send_data(b"hel") == [b"hel"]
    raises(ProtocolError, c.send_data, b"l", True)       # one byte short
    c = H1Protocol(CLIENT)
    c.send_headers([(":method", "POST"), (":path", "/"), (":authority", "h")])
    data = b"x" * 300
    pieces = c.send_data(data)
    assert pieces == [b"12c\r\n", data, b"\r\n"] and pieces[1] is data
    assert c.send_data(b"", True) == [b"0\r\n\r\n"] and c.our_done
    raises(ProtocolError, c.send_data, b"more")
    c = H1Protocol(CLIENT)
    c.send_headers([(":method", "POST"), (":path", "/"), (":authority", "h")])
    assert c.send_trailers([("x-sum", "1")]) == b"0\r\nx-sum: 1\r\n\r\n" and c.our_done


def test_send_validation_no_injection():
    base = [(":method", "GET"), (":path", "/"), (":authority", "h")]
    for bad in ([("x-a", "v\r\nInjected: 1")], [("x-a", "v\nx")], [("x-a", "v\rx")],
                [("x-a", "a\x00")], [("x a", "v")], [("x-a\r\n", "v")], [("", "v")],
                [(":bogus", "v")]):
        c = H1Protocol(CLIENT)
        raises(ProtocolError, c.send_headers, base + bad, True)
    for bad in ([(":method", "G T"), (":path", "/"), (":authority", "h")],
                [(":method", "GET"), (":path", "/ HTTP/1.1\r\nX:"), (":authority", "h")],
                [(":method", "GET"), (":path", "/a b"), (":authority", "h")],
                [(":method", "GET"), (":path", "/"), (":authority", "h\r\nX: y")],
                [(":method", "GET"), (":path", "/")]):
        raises(ProtocolError, H1Protocol(CLIENT).send_headers, bad, True)
    s = H1Protocol(SERVER)
    s.receive_data(GET)
    s.next_event()
    raises(ProtocolError, s.send_headers, [(":status", "20")])
    raises(ProtocolError, s.send_headers, [("content-type", "x")])
    raises(ProtocolError, s.send_headers, [(":status", "200"), ("set-cookie", "a\r\nb")])


def test_send_response_framing_and_reasons():
    s = H1Protocol(SERVER)
    s.receive_data(GET)
    s.next_event()
    out = s.send_headers([(":status", "200"), ("content-type", "text/plain")])
    assert out == (b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n"
                   b"transfer-encoding: chunked\r\n\r\n")
    assert s.send_data(b"hi") == [b"2\r\n", b"hi", b"\r\n"]
    assert s.send_trailers([("x-t", "1")]) == b"0\r\nx-t: 1\r\n\r\n"
    s.start_next_cycle()
    s.receive_data(b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n")
    s.next_event()
    out = s.send_headers([(":status", "200"), ("content-length", "5")])
    assert out == b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n" and s.our_done
    assert s.send_data(b"hello", True) == []     # HEAD: the body is dropped
    s.start_next_cycle()
    s.receive_data(GET)
    s.next_event()
    assert s.send_headers([(":status", "599")], True) == \
        b"HTTP/1.1 599 \r\ncontent-length: 0\r\n\r\n"
    s.start_next_cycle()
    s.receive_data(GET)
    s.next_event()
    assert s.send_headers([(":status", "304")]) == b"HTTP/1.1 304 Not Modified\r\n\r\n"
    raises(ProtocolError, s.send_data, b"x")
    assert s.our_done
    assert reason(404) == b"Not Found" and reason(100) == b"Continue"
    assert reason(511) == b"Network Authentication Required" and reason(299) == b""
    assert reason(5) == b"" and reason(1000) == b""


def test_error_response_without_request():
    s = H1Protocol(SERVER)
    s.receive_data(b"BAD\x00\r\n\r\n")
    e = raises(H1Error, s.next_event)
    out = s.send_headers([(":status", b"%d" % e.status_hint), ("content-length", "0")], True)
    assert out == b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


def test_client_server_pair_in_memory():
    c = H1Protocol(CLIENT)
    s = H1Protocol(SERVER)
    for i in range(4):
        wire = c.send_headers([(":method", "POST"), (":path", "/n%d" % i),
                               (":authority", "h"), ("x-i", str(i))])
        for piece in (b"ab", b"", b"cde" * i):
            wire += b"".join(c.send_data(piece))
        wire += c.send_trailers([("x-trailer", "t%d" % i)]) if i % 2 else \
            b"".join(c.send_data(b"", True))
        s.receive_data(wire[:7])
        s.receive_data(wire[7:])
        evs = norm(drain(s))
        assert evs[0][1][1] == (b":path", b"/n%d" % i)
        assert evs[1] == (EV_DATA, b"ab" + b"cde" * i, not i % 2)
        if i % 2:
            assert evs[2] == (EV_TRAILERS, [(b"x-trailer", b"t%d" % i)])
        body = b"r" * (i * 1000)
        resp = s.send_headers([(":status", "200"), ("content-length", str(len(body)))],
                              not body)
        resp += b"".join(s.send_data(body, True)) if body else b""
        for k in range(0, len(resp), 100):
            c.receive_data(resp[k:k + 100])
        evs = norm(drain(c))
        assert evs[0][1][0] == (b":status", b"200")
        assert (evs[1][1] if body else b"") == body and c.their_done and s.their_done
        c.start_next_cycle()
        s.start_next_cycle()
    c.receive_data(b"")
    assert c.next_event() == (EV_CLOSED,)


def test_receive_bytearray_and_memoryview():
    p = H1Protocol(SERVER)
    p.receive_data(bytearray(GET[:10]))
    p.receive_data(memoryview(GET)[10:])
    assert p.next_event()[1].get(":authority") == b"example.com"


def test_memory_error_mid_parse_fails_the_message():
    # A MemoryError while a head is parsed (on a board: e.g. the first H1Error's import
    # of mhttp.errors running out of heap) leaves no half-parsed state behind: the same
    # MemoryError again at every later call, and no keep-alive (the read position was
    # already past the head: parsing on would read the next bytes as a new message).
    import mhttp.h1 as h1
    real = h1._err

    def boom(*args):
        raise MemoryError("memory allocation failed")
    p = client_after()
    p.receive_data(b"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\nHTTP/1.1 200 OK\r\n"
                   b"Content-Length: 0\r\n\r\n")
    h1._err = boom
    try:
        e = raises(MemoryError, p.next_event)
    finally:
        h1._err = real
    assert raises(MemoryError, p.next_event) is e
    assert not p.keep_alive
    # any other exception (not an H1Error) passes through as it is, the message not failed

    def other(*args):
        raise ValueError("other")
    q = client_after()
    q.receive_data(b"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n")
    h1._err = other
    try:
        raises(ValueError, q.next_event)
    finally:
        h1._err = real
    assert q.keep_alive
