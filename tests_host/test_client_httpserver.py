# mhttp.request / mhttp.client against CPython's http.server (ThreadingHTTPServer) and
# against raw sockets sending malformed responses.  CPython only.
import asyncio
import io

import pytest

from client_servers import start_http_server, stop_http_server, RawServer

import mhttp.request as request
import mhttp.client as client
from mhttp import errors
from mhttp.headers import Headers


@pytest.fixture
def srv():
    s = start_http_server()
    request.POOL.close_all()
    yield s
    request.POOL.close_all()
    stop_http_server(s)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


async def fetch(uri, method=None, body=None, **attrs):
    r = request.new_from_uri(uri)
    if method:
        r.headers.upsert(":method", method)
    if body is not None:
        r.set_body(body)
    for k in attrs:
        setattr(r, k, attrs[k])
    h, s = await r.go(10)
    return h, await s.get_body_as_string(10)


def bfetch(uri, method=None, body=None, **attrs):
    r = request.new_from_uri(uri)
    if method:
        r.headers.upsert(":method", method)
    if body is not None:
        r.set_body(body)
    for k in attrs:
        setattr(r, k, attrs[k])
    h, s = r.go_blocking(10)
    return h, s.get_body_as_string(10)


@pytest.mark.parametrize("face", ["async", "blocking"])
def test_get_hello(srv, face):
    if face == "async":
        h, b = run(fetch(srv.url + "/hello"))
    else:
        h, b = bfetch(srv.url + "/hello")
    assert h.get(":status") == b"200"
    assert h.get("content-type") == b"text/plain"
    assert b == b"hello"
    assert srv.log == [("GET", "/hello", 0)]


def test_head_and_keepalive_reuse(srv):
    async def go():
        out = []
        for path in ("/hello", "/big?n=5000", "/hello"):
            r = request.new_from_uri(srv.url + path)
            r.headers.upsert(":method", "HEAD")
            h, s = await r.go(10)
            out.append((h.get(":status"), h.get("content-length"), await s.get_body_as_string(5)))
        h, b = await fetch(srv.url + "/big?n=100000")
        out.append((h.get(":status"), len(b)))
        return out
    out = run(go())
    assert out == [(b"200", b"5", b""), (b"200", b"5000", b""), (b"200", b"5", b""), (b"200", 100000)]
    assert srv.conns == 1  # one connection carried all four


def test_blocking_reuse_and_pool_disabled(srv):
    for _ in range(3):
        assert bfetch(srv.url + "/hello")[1] == b"hello"
    assert srv.conns == 1
    for _ in range(2):
        assert bfetch(srv.url + "/hello", pool=False)[1] == b"hello"
    assert srv.conns == 3


def test_unread_body_is_not_reused(srv):
    async def go():
        r = request.new_from_uri(srv.url + "/big?n=300000")
        h, s = await r.go(10)
        c = await s.get_next_chunk(5)
        assert c
        s.shutdown()  # gave up mid-body: the connection is closed, not pooled
        assert request.POOL.count() == 0
        h, b = await fetch(srv.url + "/hello")
        return b
    assert run(go()) == b"hello"
    assert srv.conns == 2


@pytest.mark.parametrize("code", [301, 302, 303])
def test_redirect_post_becomes_get(srv, code):
    h, b = bfetch(srv.url + "/redir?code=%d&to=/echo" % code, "POST", b"payload")
    assert h.get(":status") == b"200"
    assert h.get("x-method") == b"GET"
    assert b == b""
    assert srv.log == [("POST", "/redir?code=%d&to=/echo" % code, 7), ("GET", "/echo", 0)]


@pytest.mark.parametrize("code", [307, 308])
def test_redirect_keeps_method_and_body(srv, code):
    body = io.BytesIO(b"z" * 5000)  # file-like: seeked back and resent whole
    h, b = run(fetch(srv.url + "/redir?code=%d&to=echo" % code, "PUT", body))
    assert h.get(":status") == b"200"
    assert h.get("x-method") == b"PUT"
    assert b == b"z" * 5000
    assert [x[2] for x in srv.log] == [5000, 5000]


def test_redirect_post301_keeps_post(srv):
    h, b = bfetch(srv.url + "/redir?code=301&to=/echo", "POST", b"abc", post301=True)
    assert h.get("x-method") == b"POST" and b == b"abc"


def test_redirect_not_followed_when_disabled(srv):
    h, b = bfetch(srv.url + "/redir?code=302&to=/hello", follow_redirects=False)
    assert h.get(":status") == b"302" and h.get("location") == b"/hello" and b == b"moved"


def test_redirect_loop_max_redirects(srv):
    e = pytest.raises(request.RedirectError, bfetch, srv.url + "/loop")
    assert "maximum redirects" in str(e.value)
    assert len(srv.log) == 6  # the first request and 5 redirects
    srv.log.clear()
    pytest.raises(request.RedirectError, bfetch, srv.url + "/loop", max_redirects=1)
    assert len(srv.log) == 2


def test_redirect_cross_origin_drops_authorization(srv):
    # 127.0.0.1 -> localhost is another origin (same server)
    to = "http://localhost:%d/headers" % srv.port
    h, b = bfetch("http://u:pw@127.0.0.1:%d/redir?code=302&to=%s" % (srv.port, to))
    assert h.get(":status") == b"200"
    assert b"authorization" not in b
    assert b"host: localhost:%d" % srv.port in b
    assert b"referer: http://127.0.0.1:%d/redir" % srv.port in b
    # same origin keeps it
    h, b = bfetch("http://u:pw@127.0.0.1:%d/redir?code=302&to=/headers" % srv.port)
    assert b"authorization: basic dTpwdw==" in b


def test_chunked_response_and_trailers(srv):
    async def go():
        h, s = await request.new_from_uri(srv.url + "/chunked").go(10)
        body = await s.get_body_as_string(5)
        return h, body, s.trailers if hasattr(s, "trailers") else None
    h, b, _ = run(go())
    assert h.get("transfer-encoding") == b"chunked"
    assert b == b"one,two,three"


def test_close_delimited_http10(srv):
    h, b = bfetch(srv.url + "/close10")
    assert h.get(":status") == b"200"
    assert b == b"until-close " * 1000
    assert request.POOL.count() == 0  # a close-delimited response ends its connection
    assert bfetch(srv.url + "/hello")[1] == b"hello"


def test_chunked_upload_from_iterator(srv):
    def gen():
        for i in range(5):
            yield b"part%d;" % i
    h, b = run(fetch(srv.url + "/echo", "POST", gen()))
    assert b == b"part0;part1;part2;part3;part4;"
    assert srv.last_chunks == 5
    assert h.get("x-expect") == b"100-continue"  # unknown length: lua-http expects 100


def test_expect_100_continue_and_no_100(srv):
    h, b = bfetch(srv.url + "/echo", "POST", b"q" * 4000)
    assert b == b"q" * 4000 and h.get("x-expect") == b"100-continue"
    assert srv.expects == ["/echo"]
    # a server that never answers 100: the body goes after expect_100_timeout
    import time
    t = time.time()
    h, b = bfetch(srv.url + "/no100", "POST", b"w" * 4000, expect_100_timeout=0.3)
    assert b == b"w" * 4000
    assert 0.25 < time.time() - t < 5


def test_expect_417_retried_without_expectation(srv):
    h, b = bfetch(srv.url + "/reject", "POST", b"r" * 3000)
    assert h.get(":status") == b"200"
    assert h.get("x-expect") == b"-"
    assert b == b"r" * 3000
    assert srv.expects == ["/reject"]
    assert [x[0] for x in srv.log] == ["POST"]  # the 417 came before the body was read


def test_small_body_has_no_expectation(srv):
    h, b = bfetch(srv.url + "/echo", "POST", b"tiny")
    assert h.get("x-expect") == b"-" and b == b"tiny"


def test_client_connect_low_level(srv):
    async def go():
        conn = await client.connect({"host": "127.0.0.1", "port": srv.port, "tls": False}, 5)
        assert conn.version == 1.1 and not conn.checktls()
        assert conn.peername()[1] == srv.port
        s = conn.new_stream()
        h = Headers([(":method", "GET"), (":scheme", "http"), (":authority", "x"), (":path", "/hello")])
        await s.write_headers(h, True, 5)
        rh = await s.get_headers(5)
        body = await s.get_body_as_string(5)
        await conn.close()
        return rh.get(":status"), body
    assert run(go()) == (b"200", b"hello")
    conn = client.connect_blocking(host="127.0.0.1", port=srv.port, tls=False, timeout=5)
    s = conn.new_stream()
    s.write_headers(Headers([(":method", "GET"), (":scheme", "http"), (":authority", "x"),
                             (":path", "/big?n=10")]), True, 5)
    assert s.get_headers(5).get(":status") == b"200"
    assert b"".join(list(s)) == b"x" * 10
    conn.close()


def test_client_connect_options_checked():
    with pytest.raises(TypeError):
        run(client.connect(host="127.0.0.1", port=1, tsl=False))
    with pytest.raises(ValueError):
        run(client.connect(port=1, tls=False))
    with pytest.raises(errors.ConnectionClosed):
        run(client.connect(host="127.0.0.1", port=1, tls=False, timeout=5))


def test_status_codes_passed_through(srv):
    for code in (200, 204, 404, 500):
        h, b = bfetch(srv.url + "/status?code=%d" % code)
        assert h.get(":status") == b"%d" % code
        assert b == (b"" if code == 204 else b"status body")


# ---- malformed responses: H1Error, never a crash or a hang --------------------------

MALFORMED = {
    "bad status line": b"HTTP/1.1 OK\r\n\r\n",
    "not http": b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
    "cl and te": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "two content-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    "oversized headers": b"HTTP/1.1 200 OK\r\n" + b"X-Big: " + b"a" * 70000 + b"\r\n\r\n",
    "bare lf": b"HTTP/1.1 200 OK\nContent-Length: 0\n\n",
    "space before colon": b"HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
}

MALFORMED_BODY = {
    "bad chunk size": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    "chunk without crlf": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
@pytest.mark.parametrize("face", ["async", "blocking"])
def test_malformed_response_head(name, face):
    raw = RawServer(MALFORMED[name])
    try:
        import time
        t = time.time()
        with pytest.raises(errors.H1Error):
            if face == "async":
                run(fetch(raw.url + "/", pool=False))
            else:
                bfetch(raw.url + "/", pool=False)
        assert time.time() - t < 4  # an error, not a wait for the timeout
    finally:
        raw.stop()


@pytest.mark.parametrize("name", sorted(MALFORMED_BODY))
def test_malformed_response_body(name):
    raw = RawServer(MALFORMED_BODY[name])
    try:
        r = request.new_from_uri(raw.url + "/")
        r.pool = False
        h, s = r.go_blocking(5)
        assert h.get(":status") == b"200"
        with pytest.raises(errors.H1Error):
            s.get_body_as_string(3)
    finally:
        raw.stop()


def test_truncated_body_is_an_error():
    raw = RawServer(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", close=True)
    try:
        r = request.new_from_uri(raw.url + "/")
        h, s = r.go_blocking(5)
        with pytest.raises(errors.H1Error) as e:
            s.get_body_as_string(3)
        assert "before the end of the body" in str(e.value)
        assert request.POOL.count() == 0
    finally:
        raw.stop()


def test_stray_bytes_after_response_not_reused():
    # a 204 must not have a body; bytes after it are not taken as the next response
    raw = RawServer(b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil")
    try:
        pool = request.Pool()
        for _ in range(2):
            r = request.new_from_uri(raw.url + "/")
            r.pool = pool
            h, s = r.go_blocking(5)
            assert h.get(":status") == b"204"
            assert s.get_body_as_string(3) == b""
        assert pool.reused == 0 and pool.count() == 0
    finally:
        raw.stop()


def test_silent_server_times_out():
    raw = RawServer(b"", hold=3)
    try:
        import time
        t = time.time()
        with pytest.raises(errors.Timeout):
            bfetch(raw.url + "/", pool=False) if False else request.new_from_uri(raw.url + "/").go_blocking(0.5)
        assert time.time() - t < 2.5
        t = time.time()
        with pytest.raises(errors.Timeout):
            run(request.new_from_uri(raw.url + "/").go(0.5))
        assert time.time() - t < 2.5
    finally:
        raw.stop()
