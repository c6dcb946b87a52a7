# mhttp.request's pool under concurrent FIRST requests to an origin (one HTTP/2
# connection, counted on the server side; HTTP/1.1 still opens one per request), and the
# server's write_timeout on the asyncio-streams I/O path (the path MicroPython uses): a
# client that stops reading a large response is cut off within write_timeout + slack,
# while another client keeps being served.
import asyncio
import socket
import time

import pytest

from conftest import tls_files
from mhttp import request, errors
from mhttp import server as mserver
from mhttp.headers import Headers

N = 10


async def _app(server, stream):
    h = await stream.get_headers()
    path = h.get(b":path")
    while (await stream.get_next_chunk()) is not None:
        pass
    body = b"path=" + path
    await stream.write_headers(Headers(((b":status", b"200"),
                                        (b"content-length", b"%d" % len(body)))), False)
    await stream.write_chunk(body, True)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("pool-certs")
    tls_files(d)
    return [str(d / n) for n in ("ca.pem", "cert.pem", "key.pem")]


async def _first_requests(scheme, version, ca=None, tls=None, alpn=None, n=N):
    srv = mserver.Server(_app, host="127.0.0.1", port=0, tls=tls, alpn=alpn, idle_timeout=10)
    await srv.listen()
    port = srv.localname()[1]
    pool = request.Pool(max_per_key=2 * n, max_total=4 * n)

    async def one(i):
        r = request.new_from_uri("%s://127.0.0.1:%d/r%d" % (scheme, port, i))
        r.version = version
        r.pool = pool
        if ca:
            r.cafile = ca
        h, s = await r.go(10)
        body = await s.get_body_as_string(10)
        return h.get(b":status"), body, s.connection.version

    try:
        res = await asyncio.wait_for(asyncio.gather(*[one(i) for i in range(n)]), 30)
        return res, srv.accepted, pool
    finally:
        pool.close_all()
        await srv.close(2)


def _check(res, version):
    assert len(res) == N
    for i, (st, body, v) in enumerate(res):
        assert st == b"200"
        assert body == b"path=/r%d" % i
        assert v == version


def test_h2c_concurrent_first_requests_share_one_connection():
    res, accepted, pool = asyncio.run(_first_requests("http", 2))
    _check(res, 2)
    assert accepted == 1
    assert pool.reused == N - 1
    assert pool.pending == {}


@pytest.mark.parametrize("version", [2, None])
def test_tls_alpn_concurrent_first_requests_share_one_connection(certs, version):
    res, accepted, pool = asyncio.run(_first_requests("https", version, certs[0],
                                                      (certs[1], certs[2])))
    _check(res, 2)
    assert accepted == 1
    assert pool.pending == {}


def test_h1_concurrent_first_requests_open_their_own():
    res, accepted, pool = asyncio.run(_first_requests("http", 1.1))
    _check(res, 1.1)
    assert accepted == N


def test_tls_alpn_turns_out_h1_waiters_open_their_own(certs):
    # The server offers only http/1.1 by ALPN: the requests that waited for the first
    # connection find no HTTP/2 connection and open their own (no deadlock).
    res, accepted, pool = asyncio.run(_first_requests("https", None, certs[0],
                                                      (certs[1], certs[2]), ["http/1.1"]))
    _check(res, 1.1)
    assert accepted == N
    assert pool.pending == {}


def test_waiting_for_the_first_connection_is_bounded_by_the_timeout():
    # A listener that accepts but never answers the TLS handshake: the first request and
    # the ones waiting for it all end with Timeout, within their time limit.
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    port = ls.getsockname()[1]

    async def main():
        pool = request.Pool()

        async def one(i, t):
            r = request.new_from_uri("https://127.0.0.1:%d/r%d" % (port, i))
            r.version = 2
            r.pool = pool
            t0 = time.monotonic()
            try:
                await r.go(t)
            except errors.Timeout:
                return "timeout", time.monotonic() - t0
            except Exception as e:
                return repr(e), time.monotonic() - t0
            return "ok", time.monotonic() - t0

        res = await asyncio.wait_for(asyncio.gather(one(0, 3.0), one(1, 0.5), one(2, 0.5)), 10)
        return res, pool

    try:
        res, pool = asyncio.run(main())
    finally:
        ls.close()
    assert [r[0] for r in res] == ["timeout", "timeout", "timeout"], res
    assert res[1][1] < 1.5 and res[2][1] < 1.5, res   # the waiters' own limit, not 3 s
    assert res[0][1] < 4.5, res
    assert pool.pending == {}


# -- write_timeout on the streams path ---------------------------------------------------

BIG = 64 * 1024 * 1024
WRITE_TIMEOUT = 1.0


def _stalling_client_h2(port):
    # A raw HTTP/2 client (python-hyper h2) that opens its windows wide, asks for the big
    # response and then never reads.
    import h2.connection
    import h2.config
    c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    c.initiate_connection()
    c.update_settings({4: 2 ** 31 - 1})
    c.increment_flow_control_window(2 ** 31 - 1 - 65535)
    c.send_headers(1, [(":method", "GET"), (":scheme", "http"), (":path", "/big"),
                       (":authority", "127.0.0.1")], end_stream=True)
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(c.data_to_send())
    return s


def _stalling_client_h1(port):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(b"GET /big HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
    return s


@pytest.mark.parametrize("proto", ["h2", "h1"])
def test_streams_path_write_timeout_cuts_off_a_client_that_stops_reading(proto):
    log = []

    async def app(server, stream):
        h = await stream.get_headers()
        if h.get(b":path") != b"/big":
            await _app(server, stream)
            return
        await stream.write_headers(Headers(((b":status", b"200"),
                                            (b"content-length", b"%d" % BIG))), False)
        chunk = b"x" * 65536
        t0 = time.monotonic()
        sent = 0
        try:
            while sent < BIG:
                await stream.write_chunk(chunk, sent + len(chunk) >= BIG)
                sent += len(chunk)
        except Exception as e:
            log.append((e, time.monotonic() - t0, sent))
            raise
        log.append((None, time.monotonic() - t0, sent))

    async def main():
        srv = mserver.Server(app, host="127.0.0.1", port=0, streams=True,
                             write_timeout=WRITE_TIMEOUT, idle_timeout=30,
                             onerror=lambda *a: None)
        await srv.listen()
        port = srv.localname()[1]
        loop = asyncio.get_running_loop()
        mk = _stalling_client_h2 if proto == "h2" else _stalling_client_h1
        s = await loop.run_in_executor(None, mk, port)
        try:
            t0 = time.monotonic()
            # another client is served while the first one stalls
            r = request.new_from_uri("http://127.0.0.1:%d/other" % port)
            r.version = 2 if proto == "h2" else 1.1
            r.pool = False
            h, st = await r.go(5)
            assert h.get(b":status") == b"200"
            assert await st.get_body_as_string(5) == b"path=/other"
            me = s.getsockname()
            for _ in range(100):                 # bounded: 10 s
                if log and not [c for c in srv.conns if c.io.peername() == me]:
                    break
                await asyncio.sleep(0.1)
            gone = time.monotonic() - t0
            # and after it was cut off
            r = request.new_from_uri("http://127.0.0.1:%d/after" % port)
            r.version = 2 if proto == "h2" else 1.1
            r.pool = False
            h, st = await r.go(5)
            assert h.get(b":status") == b"200"
            assert await st.get_body_as_string(5) == b"path=/after"
            # the stalled client's socket was closed by the server: reading it now ends
            # (EOF or reset) well before the 64 MiB could arrive
            s.settimeout(5)
            n = 0
            for _ in range(100000):
                try:
                    d = s.recv(1 << 20)
                except ConnectionResetError:
                    break
                if not d:
                    break
                n += len(d)
            return gone, n
        finally:
            s.close()
            await srv.close(2)

    gone, n = asyncio.run(main())
    assert len(log) == 1, log
    e, took, sent = log[0]
    assert isinstance(e, errors.Timeout), log
    assert sent < BIG
    assert took < WRITE_TIMEOUT + 2.0, log
    assert gone < WRITE_TIMEOUT + 3.0
    assert n < BIG // 2
