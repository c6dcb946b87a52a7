# mhttp._h1_client, the client half of H1Protocol (portable: pytest on CPython and
# `tools/micropython tools/mptest.py tests_host/core/test_request_h1_client.py`).
# Board RAM shaped some of its code: mhttp.h1's names are read as attributes of the
# module (a small module dict), and the methods that say "content-length: 0" and the
# HTTP/1.0 test each read one constant instead of several bytes objects.  These tests pin
# that the behaviour is the one of the plain comparisons (the pseudo-header names too:
# one constant there cost CPython 1.3 us per request head, so they stayed comparisons).
import sys

import mhttp.h1 as h1
from mhttp.h1 import H1Protocol, CLIENT, EV_HEADERS
from mhttp.errors import ProtocolError
from _t import raises

MICROPYTHON = sys.implementation.name == "micropython"


def test_consts_agree_with_h1():
    # _h1_client repeats mhttp.h1's EV_HEADERS as a private const (inlined on MicroPython:
    # no global there); the states are checked by test_h1_errors.
    import mhttp._h1_client as cli
    if MICROPYTHON:
        assert not hasattr(cli, "_EV_HEADERS")
        return
    assert cli._EV_HEADERS == h1.EV_HEADERS
    assert cli.h1 is h1


def _head(fields, end=True, method=b"GET"):
    p = H1Protocol(CLIENT)
    return p, p.send_headers([(b":method", method)] + fields, end)


def test_pseudo_headers():
    base = [(b":scheme", b"http"), (b":authority", b"a.example"), (b":path", b"/x")]
    p, out = _head(base)
    assert out == b"GET /x HTTP/1.1\r\nhost: a.example\r\n\r\n"
    p, out = _head(base + [(b":protocol", b"websocket")])
    assert out == b"GET /x HTTP/1.1\r\nhost: a.example\r\n\r\n"
    p, out = _head([(":path", "/y"), (":authority", "b.example")])     # str names
    assert out == b"GET /y HTTP/1.1\r\nhost: b.example\r\n\r\n"
    # anything else that starts with ":" is unknown: parts, run-ons, joins, case, ":"
    for bad in (b":", b":m", b":metho", b":methods", b":ethod", b":path:scheme",
                b":method:", b":pat", b":authorit", b":schemes", b":protocol:",
                b":Method", b":status", b":method:path:authority:scheme:protocol:"):
        p = H1Protocol(CLIENT)
        e = raises(ProtocolError, p.send_headers, base + [(bad, b"v")], True)
        assert "unknown pseudo-header" in str(e), bad


def test_request_line_and_host_field():
    # :authority becomes the host field right after the request line (one constant holds
    # both ends: " HTTP/1.1\r\nhost: "); a host field given is kept as given, in its
    # place, and :authority is then not written; neither is an error.
    p, out = _head([(b":authority", b"a.example:8080"), (b":path", b"/p?q")])
    assert out == b"GET /p?q HTTP/1.1\r\nhost: a.example:8080\r\n\r\n"
    p, out = _head([(b":path", b"/"), (b"x-a", b"1"), (b"host", b"h.example")])
    assert out == b"GET / HTTP/1.1\r\nx-a: 1\r\nhost: h.example\r\n\r\n"
    p, out = _head([(b":authority", b"a.example"), (b":path", b"/"), (b"host", b"h.example")])
    assert out == b"GET / HTTP/1.1\r\nhost: h.example\r\n\r\n"
    e = raises(ProtocolError, H1Protocol(CLIENT).send_headers,
               [(b":method", b"GET"), (b":path", b"/")], True)
    assert "needs :authority or host" in str(e)
    e = raises(ProtocolError, H1Protocol(CLIENT).send_headers,
               [(b":method", b"GET"), (b":path", b"/"), (b":authority", b"a b")], True)
    assert "invalid :authority" in str(e)


def test_content_length_zero_for_post_put_patch_only():
    base = [(b":authority", b"a"), (b":path", b"/")]
    for m in (b"POST", b"PUT", b"PATCH"):
        p, out = _head(base, True, m)
        assert out == m + b" / HTTP/1.1\r\nhost: a\r\ncontent-length: 0\r\n\r\n", m
    for m in (b"GET", b"HEAD", b"DELETE", b"OPTIONS", b"P", b"PO", b"OST", b"POS",
              b"POSTPUT", b"PUTPATCH", b"PATC", b"ATCH", b"T", b"UT", b"post", b"put",
              b"PATCHX", b"XPUT"):
        p, out = _head(base, True, m)
        assert out == m + b" / HTTP/1.1\r\nhost: a\r\n\r\n", m


def test_http10_request_line_keep_alive_and_no_chunked():
    # mhttp.client's version=1.0 (mhttp._h1_rare._http10): "HTTP/1.0" on the request line
    # (RFC 9112 §2.3), host field given or not; the connection closes after the exchange
    # unless keep-alive was asked; a body of unknown length (chunked) is refused.
    from mhttp._h1_rare import _http10

    def head10(fields, end=True, method=b"POST"):
        p = H1Protocol(CLIENT)
        _http10(p)
        return p, p.send_headers([(b":method", method)] + fields, end)
    p, out = head10([(b":authority", b"a:1"), (b":path", b"/p"), (b"content-length", b"3")],
                    False)
    assert out == b"POST /p HTTP/1.0\r\nhost: a:1\r\ncontent-length: 3\r\n\r\n"
    assert not p.keep_alive
    assert p.send_data(b"abc", True) == [b"abc"]
    p, out = head10([(b":path", b"/HTTP/1.1"), (b"host", b"h"), (b"x-v", b" HTTP/1.1")],
                    True, b"GET")
    assert out == b"GET /HTTP/1.1 HTTP/1.0\r\nhost: h\r\nx-v:  HTTP/1.1\r\n\r\n"
    p, out = head10([(b":authority", b"a"), (b":path", b"/")])    # empty POST
    assert out == b"POST / HTTP/1.0\r\nhost: a\r\ncontent-length: 0\r\n\r\n"
    p, out = head10([(b":authority", b"a"), (b":path", b"/"),
                     (b"Connection", b"x, Keep-Alive")], True, b"GET")
    assert out.startswith(b"GET / HTTP/1.0\r\n") and p.keep_alive
    p = H1Protocol(CLIENT)
    _http10(p)
    e = raises(ProtocolError, p.send_headers,
               [(b":method", b"POST"), (b":authority", b"a"), (b":path", b"/")], False)
    assert "HTTP/1.0 request body needs a content-length" in str(e)
    # the HTTP/1.1 protocol is unchanged
    p, out = _head([(b":authority", b"a"), (b":path", b"/")])
    assert out == b"GET / HTTP/1.1\r\nhost: a\r\n\r\n" and p.keep_alive


def _response(raw, method=b"GET"):
    p = H1Protocol(CLIENT)
    p.send_headers([(b":method", method), (b":authority", b"a"), (b":path", b"/")], True)
    p.receive_data(raw)
    ev = p.next_event()
    assert ev[0] == EV_HEADERS
    return p


def test_response_obs_fold_joined_with_one_space():
    # RFC 9112 §5.2: a user agent replaces each obs-fold with SP before interpreting the
    # value (one SP; the folded line's own leading/trailing whitespace goes); never for a
    # line after the status-line or a framing field (mhttp.h1 acted on those already).
    from mhttp.errors import H1Error
    raw = (b"HTTP/1.1 200 OK\r\nX-Long: part one\r\n  part two \r\n\tthree\r\n"
           b"Set-Cookie: a=1;\r\n b=2\r\nX-E:\r\n e\r\nX-W: w\r\n \t\r\n"
           b"Content-Length: 2\r\n\r\nok")
    for step in (len(raw), 1):
        p = H1Protocol(CLIENT)
        p.send_headers([(b":method", b"GET"), (b":authority", b"a"), (b":path", b"/")], True)
        for i in range(0, len(raw), step):
            p.receive_data(raw[i:i + step])
        ev = p.next_event()
        h = ev[1]
        assert h.get("x-long") == b"part one part two three"
        assert h.get("set-cookie") == b"a=1; b=2"
        assert h.get("x-e") == b"e" and h.get("x-w") == b"w"
        assert h.get("content-length") == b"2" and len(list(h)) == 6
        assert p.next_event()[1] == b"ok" and p.keep_alive
    for raw, name in ((b"HTTP/1.1 200 OK\r\n x: 1\r\n\r\n", "b':status'"),
                      (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 0\r\n\r\n", "content-length"),
                      (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,\r\n chunked\r\n\r\n",
                       "transfer-encoding"),
                      (b"HTTP/1.1 200 OK\r\nConnection: x,\r\n\tclose\r\n\r\n", "connection")):
        p = H1Protocol(CLIENT)
        p.send_headers([(b":method", b"GET"), (b":authority", b"a"), (b":path", b"/")], True)
        p.receive_data(raw)
        e = raises(H1Error, p.next_event)
        assert str(e).startswith("obs-fold continuing") and name in str(e), (raw, str(e))
        assert not p.keep_alive
    # a server still refuses any obs-fold (request smuggling)
    p = H1Protocol(h1.SERVER)
    p.receive_data(b"GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n")
    e = raises(H1Error, p.next_event)
    assert "a server MUST reject a message containing obs-fold" in str(e)
    assert e.status_hint == 400
    # the folded head stays bounded by the head limits
    p = H1Protocol(CLIENT, max_header_bytes=60)
    p.send_headers([(b":method", b"GET"), (b":authority", b"a"), (b":path", b"/")], True)
    p.receive_data(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 20 + b"\r\n " + b"b" * 30 + b"\r\n\r\n")
    e = raises(H1Error, p.next_event)
    assert "larger than 60 bytes" in str(e)


def test_keep_alive_by_version_and_connection():
    for raw, keep in ((b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", True),
                      (b"HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n", False),
                      (b"HTTP/1.0 200 OK\r\nconnection: keep-alive\r\n"
                       b"content-length: 0\r\n\r\n", True),
                      (b"HTTP/1.0 200 OK\r\nconnection: x, close\r\n"
                       b"content-length: 0\r\n\r\n", False),
                      (b"HTTP/1.0 200 OK\r\nconnection: x\r\ncontent-length: 0\r\n\r\n",
                       False),
                      (b"HTTP/1.1 200 OK\r\nconnection: x\r\ncontent-length: 0\r\n\r\n",
                       True),
                      (b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
                       False),
                      (b"HTTP/1.2 200 OK\r\ncontent-length: 0\r\n\r\n", True)):
        assert _response(raw).keep_alive is keep, raw


def test_send_request_field_names_overlapping_its_lookup_words():
    # send_request finds the names it acts on (:method ... upgrade) and the methods sent
    # with content-length: 0 (POST PUT PATCH) in one bytes constant: a name made of those
    # words, with spaces, is still an invalid field name (ProtocolError), never an
    # IndexError past the constant's end
    from mhttp.h1 import H1Protocol
    from mhttp.errors import ProtocolError
    base = [(b":method", b"GET", False), (b":path", b"/", False), (b":authority", b"a", False)]
    for n in (b"PATCH ", b"PUT PATCH ", b"upgrade POST PUT PATCH ", b" :method",
              b":method :path", b"host upgrade", b" "):
        e = raises(ProtocolError, H1Protocol(CLIENT).send_headers, base + [(n, b"x", False)], True)
        assert repr(n)[1:] in str(e) or n[:1] == b":", (n, str(e))
    # the words themselves, lowercase, are ordinary field names
    out = H1Protocol(CLIENT).send_headers(base + [(b"post", b"1", False), (b"patch", b"2", False)],
                                          True)
    assert out == b"GET / HTTP/1.1\r\nhost: a\r\npost: 1\r\npatch: 2\r\n\r\n", out


def test_words_after_the_lookup_words_are_never_matched():
    # _h1_client._W carries, after the words send_request looks up, HEAD, CONNECT,
    # close, keep-alive, "content-length: 0\r\n", "," and " \t" between "|": as field
    # names and as methods they are ordinary ones (no content-length: 0 for them, no
    # lookup word matched), and a name that would run to the constant's end is no
    # IndexError.
    base = [(b":authority", b"a"), (b":path", b"/")]
    for m in (b"HEAD", b"CONNECT", b"close", b"keep-alive", b"|HEAD|", b"HEAD|CONNECT",
              b"|", b"PATCH|", b"|PUT"):
        if m == b"CONNECT":
            continue    # (CONNECT: below)
        p, out = _head(base, True, m)
        assert out == m + b" / HTTP/1.1\r\nhost: a\r\n\r\n", m
    g = [(b":method", b"GET", False), (b":path", b"/", False), (b":authority", b"a", False)]
    for n in (b"head", b"connect", b"close", b"keep-alive", b"content-lengt", b"0", b"|"):
        out = H1Protocol(CLIENT).send_headers(g + [(n, b"1", False)], True)
        assert out == b"GET / HTTP/1.1\r\nhost: a\r\n" + n + b": 1\r\n\r\n", n
    for n in (b"0\r\n|,|\t", b"\t", b",", b"|\t", b"\r\n|"):
        raises(ProtocolError, H1Protocol(CLIENT).send_headers, g + [(n, b"x", False)], True)
    # a request's own connection: close (any case, among other tokens) ends keep-alive
    for v, keep in ((b"close", False), (b"x, Close", False), (b" close ,y", False),
                    (b"closed", True), (b"keep-alive", True)):
        p = H1Protocol(CLIENT)
        p.send_headers(g + [(b"connection", v, False)], True)
        assert p.keep_alive is keep, v


def test_head_and_connect_responses():
    # A response to HEAD has no body whatever its content-length says; a 2xx to CONNECT
    # is a tunnel (the methods compared in place in _h1_client._W); other methods with
    # those letters are ordinary.
    p = _response(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n", b"HEAD")
    assert p.their_done and not p.upgraded
    for m in (b"HEA", b"HEADX", b"XHEAD", b"EAD"):
        p = _response(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n", m)
        assert not p.their_done, m
    p = H1Protocol(CLIENT)
    p.send_headers([(b":method", b"CONNECT"), (b":authority", b"h:443")], True)
    assert p.our_done
    p.receive_data(b"HTTP/1.1 200 OK\r\n\r\n")
    assert p.next_event()[0] == EV_HEADERS and p.upgraded and p.their_done
    p = H1Protocol(CLIENT)
    p.send_headers([(b":method", b"CONNECT"), (b":authority", b"h:443")], True)
    p.receive_data(b"HTTP/1.1 407 No\r\ncontent-length: 0\r\n\r\n")
    assert p.next_event()[0] == EV_HEADERS and not p.upgraded
    for m in (b"CONNEC", b"CONNECTX", b"XCONNECT"):
        p = _response(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", m)
        assert not p.upgraded, m
