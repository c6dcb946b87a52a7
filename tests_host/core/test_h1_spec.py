# RFC 9112 / RFC 9110 conformance points of the h1 core found by review: response
# framing order, Transfer-Encoding without final chunked on responses, no chunked to
# HTTP/1.0, no Content-Length on 1xx/204, absolute-form targets, prohibited trailer
# fields, unasked 101.  Portable (pytest and tools/mptest.py).
from mhttp.h1 import (H1Protocol, CLIENT, SERVER, EV_HEADERS, EV_DATA, EV_TRAILERS,
                      EV_CLOSED)
from mhttp.errors import H1Error, ProtocolError
from _t import raises, events

REQ = [(":method", "GET"), (":path", "/"), (":authority", "h")]


def client(method=b"GET", extra=()):
    c = H1Protocol(CLIENT)
    c.send_headers([(b":method", method), (b":path", b"/"), (b":authority", b"h")]
                   + list(extra), True)
    return c


def feed_all(c, raw, bytewise=False):
    evs = []
    for ch in ([raw[i:i + 1] for i in range(len(raw))] if bytewise else [raw]):
        c.receive_data(ch)
        evs.extend(events(c, 1000, EV_CLOSED))
    return evs


def server(req):
    s = H1Protocol(SERVER)
    s.receive_data(req)
    ev = s.next_event()
    assert ev[0] == EV_HEADERS
    return s


def body_of(evs):
    return b"".join(e[1] for e in evs if e[0] == EV_DATA)


# ---- 1. RFC 9112 §6.3 items 1-2 come before Content-Length / Transfer-Encoding ----

def test_bodiless_responses_ignore_bad_framing_fields():
    cases = (
        (b"HEAD", b"200 OK", b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        (b"HEAD", b"200 OK", b"Transfer-Encoding: gzip\r\n"),
        (b"HEAD", b"200 OK", b"Content-Length: 99999999999\r\n"),
        (b"GET", b"204 No Content", b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        (b"GET", b"304 Not Modified", b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        (b"GET", b"304 Not Modified", b"Transfer-Encoding: x, chunked, gzip\r\n"),
    )
    for bytewise in (False, True):
        for method, status, fields in cases:
            c = client(method)
            raw = b"HTTP/1.1 " + status + b"\r\n" + fields + b"\r\n"
            # the next response on the same connection follows at once
            evs = feed_all(c, raw, bytewise)
            assert len(evs) == 1 and evs[0][0] == EV_HEADERS and evs[0][2] is True, \
                (method, status, fields, evs)
            assert c.their_done and c.keep_alive, (method, status, fields)
            c.start_next_cycle()
            c.send_headers(REQ, True)
            c.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            assert body_of(events(c)) == b"ok"


def test_bodiless_responses_content_length_checked_and_collapsed():
    # RFC 9110 §8.6: the Content-Length of a response to HEAD or of a 204/304 does not
    # frame it (RFC 9112 §6.3 items 1-2: no body either way) but is a field a caller
    # reads (a HEAD's: the size of the resource): checked and collapsed as on any
    # response (audit2 finding 2: "5, 5", "5, 6", "-1", "abc" reached the caller as sent).
    ok = (
        (b"HEAD", b"200 OK", b"Content-Length: 5, 5\r\n"),
        (b"HEAD", b"200 OK", b"Content-Length: 5\r\ncontent-length: 5\r\n"),
        (b"GET", b"204 No Content", b"Content-Length: 7,7\r\n"),
        (b"GET", b"304 Not Modified", b"Content-Length: 5 , 5\r\nTransfer-Encoding: chunked\r\n"),
    )
    bad = (
        (b"HEAD", b"200 OK", b"Content-Length: abc\r\n"),
        (b"HEAD", b"200 OK", b"Content-Length: 5\r\nContent-Length: 6\r\n"),
        (b"GET", b"204 No Content", b"Content-Length: -1\r\n"),
        (b"GET", b"304 Not Modified", b"Content-Length: 5, 6\r\n"),
        (b"GET", b"304 Not Modified", b"Content-Length: 1,2\r\n"),
        (b"HEAD", b"404 Not Found", b"Content-Length: \r\n"),
    )
    for bytewise in (False, True):
        for method, status, fields in ok:
            c = client(method)
            evs = feed_all(c, b"HTTP/1.1 " + status + b"\r\n" + fields + b"\r\n", bytewise)
            assert len(evs) == 1 and evs[0][0] == EV_HEADERS and evs[0][2] is True, evs
            h = [f[:2] for f in evs[0][1] if f[0] == b"content-length"]
            assert len(h) == 1 and h[0][1].isdigit(), (method, status, fields, h)
            assert c.their_done and c.keep_alive
            c.start_next_cycle()
            c.send_headers(REQ, True)
            c.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            assert body_of(events(c)) == b"ok"
        for method, status, fields in bad:
            c = client(method)
            e = raises(H1Error, feed_all, c, b"HTTP/1.1 " + status + b"\r\n" + fields + b"\r\n",
                       bytewise)
            assert "Content-Length" in str(e) and not c.keep_alive, (fields, e)
            # the same field on a response with a body: the same error
            c2 = client()
            e2 = raises(H1Error, feed_all, c2, b"HTTP/1.1 200 OK\r\n" + fields + b"\r\n",
                        bytewise)
            assert str(e2) == str(e)


def test_cl_te_still_rejected_on_responses_with_a_body():
    for status in (b"200 OK", b"404 Not Found", b"500 Internal Server Error"):
        c = client()
        c.receive_data(b"HTTP/1.1 " + status + b"\r\nContent-Length: 5\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        e = raises(H1Error, c.next_event)
        assert "Content-Length" in str(e) and not c.keep_alive
    c = client()
    c.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n")
    raises(H1Error, c.next_event)


# ---- 2. RFC 9112 §6.3 item 4: a response's TE without final chunked: read until close ----

def test_response_te_not_chunked_is_close_delimited():
    for te in (b"gzip", b"chunked, gzip", b"identity", b"xchunked"):
        for bytewise in (False, True):
            c = client()
            raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: " + te + b"\r\n\r\n0\r\n\r\nrest"
            evs = feed_all(c, raw, bytewise)
            assert evs[0][0] == EV_HEADERS and evs[0][2] is False
            assert not c.keep_alive and not c.their_done
            c.receive_data(b"")
            evs += events(c, 100, EV_CLOSED)
            assert body_of(evs) == b"0\r\n\r\nrest", (te, evs)
            assert c.their_done and evs[-2:] == [(EV_DATA, b"", True), (EV_CLOSED,)]


def test_response_te_not_chunked_respects_max_body():
    c = H1Protocol(CLIENT, max_body=4)
    c.send_headers(REQ, True)
    c.receive_data(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n12345")
    c.next_event()
    assert raises(H1Error, events, c).status_hint == 413


def test_request_te_not_chunked_still_400():
    for te in (b"gzip", b"chunked, gzip", b"xchunked"):
        s = H1Protocol(SERVER)
        s.receive_data(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + te
                       + b"\r\n\r\n0\r\n\r\n")
        assert raises(H1Error, s.next_event).status_hint == 400


def test_response_te_chunked_twice_or_unknown_before_chunked_rejected():
    for te in (b"chunked, chunked", b"gzip, chunked", b""):
        c = client()
        c.receive_data(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: " + te + b"\r\n\r\n0\r\n\r\n")
        raises(H1Error, c.next_event)


# ---- 3. RFC 9112 §6.1: no chunked to an HTTP/1.0 client ----

def test_no_chunked_to_http10_even_if_handler_asks():
    for req in (b"GET / HTTP/1.0\r\n\r\n",
                b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"):
        s = server(req)
        head = s.send_headers([(":status", "200"), ("transfer-encoding", "chunked"),
                               ("x-a", "1")])
        assert b"transfer-encoding" not in head.lower() and b"x-a: 1\r\n" in head
        assert head.endswith(b"connection: close\r\n\r\n") and not s.keep_alive
        assert b"".join(s.send_data(b"hello")) == b"hello"       # raw, not a chunk
        assert b"".join(s.send_data(b"!", True)) == b"!" and s.our_done
        raises(ProtocolError, s.send_trailers, [("x-t", "1")])
    # ended at once: content-length 0, and keep-alive may stay
    s = server(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    head = s.send_headers([(":status", "200"), ("transfer-encoding", "chunked")], True)
    assert b"transfer-encoding" not in head and b"content-length: 0\r\n" in head
    assert s.our_done
    # HTTP/1.1 client: the handler's chunked is used
    s = server(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    head = s.send_headers([(":status", "200"), ("transfer-encoding", "chunked")])
    assert b"transfer-encoding: chunked\r\n" in head and s.keep_alive
    assert b"".join(s.send_data(b"hi", True)) == b"2\r\nhi\r\n0\r\n\r\n"


def test_http10_head_response_drops_te():
    s = server(b"HEAD / HTTP/1.0\r\n\r\n")
    head = s.send_headers([(":status", "200"), ("transfer-encoding", "chunked")])
    assert b"transfer-encoding" not in head and s.our_done


def test_our_response_with_cl_and_te_refused():
    s = server(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    raises(ProtocolError, s.send_headers, [(":status", "200"), ("content-length", "2"),
                                           ("transfer-encoding", "chunked")])


# ---- 4. RFC 9110 §8.6: no Content-Length (nor Transfer-Encoding) on 1xx and 204 ----

def test_no_content_length_on_1xx_and_204():
    s = server(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    h = s.send_headers([(":status", "103"), ("content-length", "0"), ("link", "</a>"),
                        ("transfer-encoding", "chunked")])
    assert h == b"HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n", h
    h = s.send_headers([(":status", "204"), (b"Content-Length", b"0"), ("x-a", "1"),
                        ("content-length", "0")])
    assert h == b"HTTP/1.1 204 No Content\r\nx-a: 1\r\n\r\n", h
    assert s.our_done and s.keep_alive
    # 304 keeps what the handler gave (it describes the selected representation)
    s = server(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    h = s.send_headers([(":status", "304"), ("content-length", "42")])
    assert h == b"HTTP/1.1 304 Not Modified\r\ncontent-length: 42\r\n\r\n", h
    assert s.our_done
    # 101: no content-length either
    s = server(b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n")
    h = s.send_headers([(":status", "101"), ("upgrade", "x"), ("connection", "upgrade"),
                        ("content-length", "0")])
    assert b"content-length" not in h and s.upgraded


def test_no_framing_fields_on_2xx_to_connect():
    # RFC 9110 §9.3.6: a server MUST NOT send Transfer-Encoding or Content-Length in a
    # 2xx response to CONNECT; what the handler writes next is tunnel bytes, unframed.
    for fields in ([("content-length", "13")], [("transfer-encoding", "chunked")],
                   [("Content-Length", "13"), ("x-a", "1")]):
        s = server(b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n")
        h = s.send_headers([(":status", "200")] + fields)
        assert h.startswith(b"HTTP/1.1 200 OK\r\n") and h.endswith(b"\r\n\r\n"), h
        assert b"content-length" not in h.lower() and b"transfer-encoding" not in h.lower(), h
        assert s.upgraded and s.our_done
        assert s.send_data(b"Hello, World!") == [b"Hello, World!"]
        s.receive_data(b"\x16\x03\x01")
        assert s.next_event() == (EV_DATA, b"\x16\x03\x01", False)
    # a refusal (not 2xx) keeps its framing and closes
    s = server(b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n")
    h = s.send_headers([(":status", "403"), ("content-length", "2")])
    assert b"\r\ncontent-length: 2\r\n" in h and not s.upgraded and not s.keep_alive


def test_no_101_before_the_request_body_is_read():
    # RFC 9110 §7.8: the new protocol starts after the request message; a 101 while the
    # body is unread would hand the body bytes to the new protocol.
    for body in (b"Content-Length: 3\r\n\r\nabc", b"Transfer-Encoding: chunked\r\n\r\n"
                 b"3\r\nabc\r\n0\r\n\r\n"):
        s = server(b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: x\r\nConnection: upgrade\r\n"
                   + body)
        e = raises(ProtocolError, s.send_headers, [(":status", "101"), ("upgrade", "x")])
        assert "101" in str(e) and not s.upgraded
        # read, then switch
        while not s.their_done:
            s.next_event()
        h = s.send_headers([(":status", "101"), ("upgrade", "x")])
        assert h.startswith(b"HTTP/1.1 101 ") and s.upgraded


# ---- 5. RFC 9112 §3.2.2: absolute-form ----

def test_connect_request_with_content_refused():
    # RFC 9110 §9.3.6: "A CONNECT request message does not have content" (a server MAY
    # reject one that has): a Content-Length or Transfer-Encoding giving it content is a
    # 400 (audit2 finding 3: the first tunnel bytes were read as its body); an empty one
    # ("Content-Length: 0") gives it none and is accepted.
    head = b"CONNECT a.b:443 HTTP/1.1\r\nHost: a.b:443\r\n"
    for fields, tail in ((b"Content-Length: 5\r\n", b"\x16\x03\x01\x02\x00REST"),
                         (b"Content-Length: 5, 5\r\n", b"\x16\x03\x01\x02\x00REST"),
                         (b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n"),
                         (b"Transfer-Encoding: chunked\r\n", b"")):
        for bytewise in (False, True):
            s = H1Protocol(SERVER)
            raw = head + fields + b"\r\n" + tail
            e = raises(H1Error, feed_all, s, raw, bytewise)
            assert e.status_hint == 400 and "CONNECT" in str(e), (fields, e)
            assert not s.keep_alive
            # the error answer closes the connection
            out = s.send_headers([(b":status", b"400"), (b"content-length", b"0")], True)
            assert b"connection: close" in out.lower()
    s = H1Protocol(SERVER)
    s.receive_data(head + b"Content-Length: 0\r\n\r\n\x16\x03")
    ev = s.next_event()
    assert ev[0] == EV_HEADERS and ev[2] is True
    assert s.send_headers([(b":status", b"200")]) == b"HTTP/1.1 200 OK\r\n\r\n"
    assert s.next_event() == (EV_DATA, b"\x16\x03", False)
    # mhttp's own CONNECT (the h1 client core, mhttp.request.new_connect) carries neither
    c = H1Protocol(CLIENT)
    req = c.send_headers([(":method", "CONNECT"), (":authority", "a.b:443")], True)
    assert b"content-length" not in req.lower() and b"transfer-encoding" not in req.lower()
    from mhttp.request import new_connect
    h = new_connect("http://proxy:8080", b"a.b:443").headers
    assert h.get(b"content-length") is None and h.get(b"transfer-encoding") is None


def test_absolute_form_target():
    cases = (
        (b"GET http://a.example:81/p/q?x=1 HTTP/1.1", b"/p/q?x=1", b"a.example:81", b"http"),
        (b"GET HTTPS://B.example HTTP/1.1", b"/", b"B.example", b"https"),
        (b"GET http://a.example?x HTTP/1.1", b"/?x", b"a.example", b"http"),
        (b"OPTIONS http://a.example HTTP/1.1", b"*", b"a.example", b"http"),
        (b"GET http://[::1]:8080/ HTTP/1.1", b"/", b"[::1]:8080", b"http"),
    )
    for line, path, auth, scheme in cases:
        s = H1Protocol(SERVER)
        s.receive_data(line + b"\r\nHost: other.example\r\n\r\n")
        h = s.next_event()[1]
        assert h.get(":path") == path, (line, h.get(":path"))
        assert h.get(":authority") == auth and len(h.get_as_sequence(":authority")) == 1
        assert h.get(":scheme") == scheme
        assert not h.has("host")
        assert s.absolute_target == line.split(b" ")[1]
        s.send_headers([(":status", "200")], True)
        # the next (origin-form) request forgets it
        s.start_next_cycle()
        s.receive_data(b"GET /n HTTP/1.1\r\nHost: h2.example\r\n\r\n")
        h = s.next_event()[1]
        assert s.absolute_target is None and h.get(":authority") == b"h2.example"
        assert h.get(":scheme") == b"http"


def test_absolute_form_host_rules():
    # Host is still required on HTTP/1.1 (and still validated) ...
    s = H1Protocol(SERVER)
    s.receive_data(b"GET http://a.example/ HTTP/1.1\r\n\r\n")
    assert raises(H1Error, s.next_event).status_hint == 400
    s = H1Protocol(SERVER)
    s.receive_data(b"GET http://a.example/ HTTP/1.1\r\nHost: a b\r\n\r\n")
    raises(H1Error, s.next_event)
    # ... but not on HTTP/1.0, where the target gives the authority
    s = H1Protocol(SERVER)
    s.receive_data(b"GET http://a.example/x HTTP/1.0\r\n\r\n")
    h = s.next_event()[1]
    assert h.get(":authority") == b"a.example" and h.get(":path") == b"/x"
    # bad authorities: empty, userinfo, bad characters
    for t in (b"http:///x", b"http://u@a.example/", b"http://a\"b/", b"http://?x"):
        s = H1Protocol(SERVER)
        s.receive_data(b"GET " + t + b" HTTP/1.1\r\nHost: h\r\n\r\n")
        assert raises(H1Error, s.next_event).status_hint == 400, t


# ---- 6. RFC 9110 §6.5.1: prohibited trailer fields ----

def test_prohibited_trailer_fields_dropped_on_receipt():
    for role in (SERVER, CLIENT):
        tr = (b"0\r\nX-Sum: 1\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\n"
              b"Host: evil\r\nConnection: close\r\nContent-Type: text/evil\r\n"
              b"Authorization: x\r\nX-Other: 2\r\n\r\n")
        if role == SERVER:
            p = H1Protocol(SERVER)
            raw = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n"
        else:
            p = client()
            raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n"
        for bytewise in (False, True):
            if bytewise:
                p = H1Protocol(SERVER) if role == SERVER else client()
            evs = feed_all(p, raw + tr, bytewise)
            t = [e for e in evs if e[0] == EV_TRAILERS]
            assert len(t) == 1
            assert [(f[0], f[1]) for f in t[0][1]] == [(b"x-sum", b"1"), (b"x-other", b"2")]
            assert p.their_done and p.keep_alive


def test_send_trailers_refuses_prohibited_fields():
    bad = ([(":status", "200")], [(b":path", b"/")], [("Content-Length", "1")],
           [("x-a", "1"), ("transfer-encoding", "chunked")], [(b"host", b"h")],
           [("trailer", "x")], [("connection", "close")])
    for fields in bad:
        s = server(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        s.send_headers([(":status", "200")])
        raises(ProtocolError, s.send_trailers, fields)
        assert not s.our_done
        assert s.send_trailers([("x-ok", "1")]) == b"0\r\nx-ok: 1\r\n\r\n"
    c = H1Protocol(CLIENT)
    c.send_headers([(":method", "POST"), (":path", "/"), (":authority", "h")])
    raises(ProtocolError, c.send_trailers, [("content-length", "5")])
    raises(ProtocolError, c.send_trailers, [(":authority", "x")])


# ---- 7. an unasked 101 ----

def test_client_refuses_101_without_upgrade_request():
    for bytewise in (False, True):
        c = client()
        e = raises(H1Error, feed_all, c, b"HTTP/1.1 101 Switching Protocols\r\n"
                   b"Upgrade: websocket\r\nConnection: upgrade\r\n\r\n\x81\x00", bytewise)
        assert "101" in str(e) and not c.upgraded and not c.keep_alive
    # asked for: accepted
    c = client(extra=[(b"connection", b"upgrade"), (b"upgrade", b"websocket")])
    evs = feed_all(c, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                   b"Connection: upgrade\r\n\r\n\x81\x00")
    assert evs[0][1].get(":status") == b"101" and c.upgraded
    assert evs[1] == (EV_DATA, b"\x81\x00", False)
    # the Upgrade of an earlier request on the connection does not count
    c = client(extra=[("Upgrade", "websocket")])
    feed_all(c, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    c.start_next_cycle()
    c.send_headers(REQ, True)
    c.receive_data(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
    raises(H1Error, c.next_event)
    # other 1xx are still fine
    c = client()
    evs = feed_all(c, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1"
                   b"\r\n\r\nx")
    assert [e[0] for e in evs] == [EV_HEADERS, EV_HEADERS, EV_DATA]
