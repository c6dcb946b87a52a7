# mhttp.request / mhttp.client: what goes on the wire, checked against raw sockets that
# record each request (client_servers.RawServer).  CPython only; the pure logic of each
# case is in tests_host/core (portable).
import asyncio
import io

from client_servers import RawServer

import mhttp.request as request
import mhttp.client as client
from mhttp.headers import Headers

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def _go(r, face):
    if face == "async":
        async def go():
            h, s = await r.go(10)
            return h, await s.get_body_as_string(10)
        return asyncio.run(asyncio.wait_for(go(), 20))
    h, s = r.go_blocking(10)
    return h, s.get_body_as_string(10)


def _lines(req):
    return req.partition(b"\r\n\r\n")[0].split(b"\r\n")


def test_set_body_file_sent_from_its_start():
    # lua-http's set_body(file): the file is seek'd to its start, then sent; the
    # content-length counts it from there too (it counted from the read position).
    raw = RawServer(OK, close=True, read_body=True)
    try:
        for face in ("blocking", "async"):
            f = io.BytesIO(b"0123456789")
            f.read(3)
            w = io.BytesIO()
            w.write(b"written, not rewound")
            for body, want in ((f, b"0123456789"), (w, b"written, not rewound")):
                request.POOL.close_all()
                r = request.new_from_uri(raw.url + "/up")
                r.headers.upsert(":method", "PUT")
                r.set_body(body)
                h, b = _go(r, face)
                assert (h.get(":status"), b) == (b"200", b"ok")
                head, _, sent = raw.reqs[-1].partition(b"\r\n\r\n")
                assert b"content-length: %d" % len(want) in head.split(b"\r\n")
                assert sent == want
    finally:
        raw.stop()
        request.POOL.close_all()


def test_http10_request_line_on_the_wire():
    # version=1.0 (Request.version, client.connect's option): the request line says
    # HTTP/1.0 (RFC 9112 §2.3), as conn.version does; a body of unknown length is
    # gathered and sent with a content-length (HTTP/1.0 has no chunked coding).
    raw = RawServer(OK, close=True, read_body=True)
    try:
        for face in ("blocking", "async"):
            request.POOL.close_all()
            r = request.new_from_uri(raw.url + "/p")
            r.version = 1.0
            r.expect_100_timeout = 0.05
            r.headers.upsert(":method", "POST")
            r.set_body(iter([b"ab", b"c"]))
            h, b = _go(r, face)
            assert (h.get(":status"), b) == (b"200", b"ok")
            lines = _lines(raw.reqs[-1])
            assert lines[0] == b"POST /p HTTP/1.0"
            assert b"content-length: 3" in lines
            assert not any(x.startswith(b"transfer-encoding") for x in lines)
            assert raw.reqs[-1].endswith(b"\r\n\r\nabc")
            request.POOL.close_all()
            r = request.new_from_uri(raw.url + "/g")
            r.version = "1.0"
            _go(r, face)
            assert _lines(raw.reqs[-1])[0] == b"GET /g HTTP/1.0"
        conn = client.connect_blocking(host="127.0.0.1", port=raw.port, tls=False,
                                       version=1.0, timeout=5)
        assert conn.version == 1.0
        s = conn.new_stream()
        s.write_headers(Headers([(":method", "GET"), (":scheme", "http"),
                                 (":authority", "x"), (":path", "/low")]), True, 5)
        assert s.get_headers(5).get(":status") == b"200"
        conn.close()
        assert _lines(raw.reqs[-1])[:2] == [b"GET /low HTTP/1.0", b"host: x"]
        # version 1.1 (default) unchanged
        request.POOL.close_all()
        _go(request.new_from_uri(raw.url + "/d"), "blocking")
        assert _lines(raw.reqs[-1])[0] == b"GET /d HTTP/1.1"
    finally:
        raw.stop()
        request.POOL.close_all()


def test_redirect_to_another_authority_sends_its_host():
    # A host field set by the user names the first target: after a redirect to another
    # authority the request says the new one (RFC 9110 §7.2), not the old field.
    b = RawServer(OK, close=True)
    a = RawServer(b"HTTP/1.1 302 Found\r\nLocation: http://localhost:%d/next\r\n"
                  b"Content-Length: 0\r\n\r\n" % b.port, close=True)
    try:
        for face in ("blocking", "async"):
            request.POOL.close_all()
            r = request.new_from_uri(a.url + "/")
            r.headers.append("host", "vhost.example")
            h, body = _go(r, face)
            assert (h.get(":status"), body) == (b"200", b"ok")
            assert b"host: vhost.example" in _lines(a.reqs[-1])
            lines = _lines(b.reqs[-1])
            assert lines[0] == b"GET /next HTTP/1.1"
            assert [x for x in lines if x.startswith(b"host:")] == [b"host: localhost:%d" % b.port]
    finally:
        a.stop()
        b.stop()
        request.POOL.close_all()


def test_obs_fold_response_read_by_the_client():
    # RFC 9112 §5.2: a user agent replaces an obs-fold with SP (it refused the response).
    raw = RawServer(b"HTTP/1.1 200 OK\r\nX-Long: part one\r\n  part two\r\n"
                    b"Content-Length: 2\r\n\r\nok", close=True)
    try:
        for face in ("blocking", "async"):
            request.POOL.close_all()
            h, b = _go(request.new_from_uri(raw.url + "/"), face)
            assert (h.get(":status"), h.get("x-long"), b) == (b"200", b"part one part two", b"ok")
    finally:
        raw.stop()
        request.POOL.close_all()


def test_ipv6_zone_connects_and_is_not_sent():
    # RFC 6874: http://[::1%25<zone>]:port/ connects to ::1%<zone> (the zone decoded) and
    # sends Host: [::1]:port (a client MUST NOT send the zone).  (glibc takes an interface
    # name as a zone only for link-local addresses: ::1 gets lo's index.)
    import socket
    raw = RawServer(OK, close=True, family=socket.AF_INET6)
    try:
        for face in ("blocking", "async"):
            request.POOL.close_all()
            r = request.new_from_uri("http://[::1%%25%d]:%d/z" % (socket.if_nametoindex("lo"),
                                                                  raw.port))
            h, b = _go(r, face)
            assert (h.get(":status"), b) == (b"200", b"ok")
            assert _lines(raw.reqs[-1])[:2] == [b"GET /z HTTP/1.1", b"host: [::1]:%d" % raw.port]
    finally:
        raw.stop()
        request.POOL.close_all()


MP_SCRIPT = r'''
import io
import sys
import mhttp.request as request
port, port6, zone = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
f = io.BytesIO(b"0123456789")
f.read(3)
r = request.new_from_uri("http://127.0.0.1:%d/f" % port)
r.headers.upsert(":method", "PUT")
r.set_body(f)
h, s = r.go_blocking(10)
print("F", r.headers.get("content-length"), h.get("x-long"), s.get_body_as_string(10))
r = request.new_from_uri("http://127.0.0.1:%d/v" % port)
r.version = 1.0
h, s = r.go_blocking(10)
print("V", s.get_body_as_string(10))
r = request.new_from_uri("http://[::1%%25%s]:%d/z" % (zone, port6))
print("Z", r.host, r.headers.get(":authority"))
h, s = r.go_blocking(10)
print("Z", s.get_body_as_string(10))
'''


def test_same_on_micropython(tmp_path):
    # the five fixes above on the MicroPython unix port (its getaddrinfo takes a zone)
    import socket
    from conftest import run_micropython
    fold = (b"HTTP/1.1 200 OK\r\nX-Long: part one\r\n  part two\r\n"
            b"Content-Length: 2\r\n\r\nok")
    raw = RawServer(fold, close=True, read_body=True)
    raw6 = RawServer(OK, close=True, family=socket.AF_INET6)
    path = str(tmp_path / "mp_wire.py")
    with open(path, "w") as fh:
        fh.write(MP_SCRIPT)
    try:
        r = run_micropython([path, str(raw.port), str(raw6.port),
                             str(socket.if_nametoindex("lo"))], timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        assert r.stdout.decode().splitlines() == [
            "F b'10' b'part one part two' b'ok'", "V b'ok'",
            "Z ::1%%%d b'[::1]:%d'" % (socket.if_nametoindex("lo"), raw6.port), "Z b'ok'"]
        assert raw.reqs[0].endswith(b"\r\n\r\n0123456789")
        assert b"content-length: 10" in _lines(raw.reqs[0])
        assert _lines(raw.reqs[1])[0] == b"GET /v HTTP/1.0"
        assert _lines(raw6.reqs[0])[1] == b"host: [::1]:%d" % raw6.port
    finally:
        raw.stop()
        raw6.stop()
