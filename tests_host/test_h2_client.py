# Our HTTP/2 client (mhttp.client / mhttp.request / h2_connection, async and blocking
# faces) against nghttpd (h2c and TLS+ALPN, large files), hypercorn (h2c and TLS, large
# body, trailers) and our own server (concurrency on one connection, pooling, push,
# RFC 8441 tunnel, flow-control stall, stream reset); and the MicroPython unix port's
# `mhttp get --http2-prior-knowledge`.
import asyncio
import hashlib
import os

import pytest

from conftest import require, run_micropython, tls_files
from _h2_util import start_app, Proc, free_port, PY, ROOT, run
from mhttp import client, request, errors
from mhttp.headers import Headers
from mhttp.h2_frames import SETTINGS_ENABLE_PUSH, SETTINGS_ENABLE_CONNECT_PROTOCOL


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("h2c-certs")
    tls_files(d)
    return [str(d / n) for n in ("ca.pem", "cert.pem", "key.pem")]


@pytest.fixture(scope="module")
def docroot(tmp_path_factory):
    d = tmp_path_factory.mktemp("docroot")
    data = os.urandom(3 * 1024 * 1024 + 123)
    with open(str(d / "big.bin"), "wb") as f:
        f.write(data)
    with open(str(d / "index.html"), "wb") as f:
        f.write(b"Hello, World!")
    return str(d), data


@pytest.fixture(scope="module")
def nghttpd(docroot, certs):
    exe = require("nghttpd")
    p1, p2 = free_port(), free_port()
    a = Proc([exe, "--no-tls", "-d", docroot[0], str(p1)], p1)
    b = Proc([exe, "-d", docroot[0], str(p2), certs[2], certs[1]], p2)
    yield p1, p2
    a.stop()
    b.stop()


@pytest.fixture
def ours():
    a = start_app("cpython")
    request.POOL.close_all()
    yield a
    request.POOL.close_all()
    out = a.stop()
    assert b"Traceback" not in out, out[-2000:]


def _req(url, **attrs):
    r = request.new_from_uri(url)
    for k in attrs:
        setattr(r, k, attrs[k])
    return r


# -- nghttpd ---------------------------------------------------------------------------

def test_nghttpd_prior_knowledge_blocking_and_async(nghttpd, docroot):
    port = nghttpd[0]
    h, s = _req("http://127.0.0.1:%d/big.bin" % port, version=2, pool=False).go_blocking(30)
    assert h.get(b":status") == b"200" and s.connection.version == 2
    body = s.get_body_as_string(30)
    assert body == docroot[1]

    async def main():
        c = await client.connect(host="127.0.0.1", port=port, tls=False, version=2)
        assert c.version == 2

        async def one(path):
            st = c.new_stream()
            await st.write_headers(Headers(((b":method", b"GET"), (b":scheme", b"http"),
                                            (b":authority", b"127.0.0.1"), (b":path", path))),
                                   True, 10)
            hh = await st.get_headers(10)
            return hh.get(b":status"), await st.get_body_as_string(30)
        rs = await asyncio.gather(one(b"/big.bin"), one(b"/index.html"), one(b"/missing"),
                                  one(b"/big.bin"))
        await c.close()
        return rs
    rs = asyncio.run(main())
    assert rs[0] == (b"200", docroot[1]) and rs[3] == (b"200", docroot[1])
    assert rs[1] == (b"200", b"Hello, World!")
    assert rs[2][0] == b"404"


def test_nghttpd_tls_alpn(nghttpd, docroot, certs):
    port = nghttpd[1]
    for version in (None, 2):
        h, s = _req("https://localhost:%d/big.bin" % port, version=version, cafile=certs[0],
                    pool=False).go_blocking(30)
        assert s.connection.version == 2 and s.connection.alpn() == b"h2"
        assert hashlib.sha256(s.get_body_as_string(30)).digest() == \
            hashlib.sha256(docroot[1]).digest()


def test_micropython_cli_get_against_nghttpd(nghttpd):
    r = run_micropython(["-m", "mhttp", "get", "-i", "--http2-prior-knowledge",
                         "http://127.0.0.1:%d/index.html" % nghttpd[0]], timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"HTTP/2 200") and r.stdout.endswith(b"Hello, World!")


def test_micropython_h2_over_tls_is_a_clear_error():
    code = ("import mhttp.client, mhttp.errors\n"
            "try:\n"
            "    mhttp.client.connect_blocking(host='127.0.0.1', port=1, tls=True, version=2, verify=False)\n"
            "except mhttp.errors.TLSError as e:\n"
            "    print('TLSError', e)\n")
    r = run_micropython(["-c", code], timeout=30)
    assert r.stdout.startswith(b"TLSError HTTP/2 over TLS needs ALPN"), r.stdout + r.stderr


# -- hypercorn ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hypercorn(certs):
    p1, p2 = free_port(), free_port()
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tests_host"))
    base = [PY, "-m", "hypercorn", "--log-level", "warning", "_h2_asgi:app"]
    a = Proc(base + ["--bind", "127.0.0.1:%d" % p1], p1, env=env)
    b = Proc(base + ["--bind", "127.0.0.1:%d" % p2, "--certfile", certs[1], "--keyfile",
                     certs[2]], p2, env=env)
    yield p1, p2
    a.stop()
    b.stop()


def test_hypercorn_h2c_and_tls_large_body_and_trailers(hypercorn, certs):
    expect = (b"0123456789" * 200001)[:2000000]
    for url, kw in (("http://127.0.0.1:%d" % hypercorn[0], {"version": 2}),
                    ("https://localhost:%d" % hypercorn[1], {"cafile": certs[0]})):
        h, s = _req(url + "/big?n=2000000", pool=False, **kw).go_blocking(30)
        assert s.connection.version == 2
        assert h.get(b":status") == b"200"
        assert s.get_body_as_string(30) == expect
        r = _req(url + "/trailers", pool=False, **kw)
        r.headers.append(b"te", b"trailers")   # hypercorn sends trailers only then
        h, s = r.go_blocking(30)
        assert s.get_body_as_string(30) == b"body"
        t = s.get_headers(10)
        assert t is not None and t.get(b"x-trail") == b"yes"


# -- our own server ----------------------------------------------------------------------

def _stats(port):
    h, s = _req("http://127.0.0.1:%d/stats" % port, version=1.1, pool=False).go_blocking(10)
    d = {}
    for kv in s.get_body_as_string(10).split():
        k, v = kv.split(b"=")
        d[k.decode()] = int(v)
    return d


def test_many_concurrent_requests_one_connection(ours):
    before = _stats(ours.port)["accepted"]

    async def main():
        # the first request opens the connection; the next 60 share it, concurrently
        h, s = await _req("http://127.0.0.1:%d/" % ours.port, version=2).go(10)
        assert await s.get_body_as_string(10) == b"Hello, World!"

        async def one(i):
            h, s = await _req("http://127.0.0.1:%d/%s" % (ours.port, "slow" if i % 3 == 0 else
                                                          "big?n=%d" % (i * 1000)),
                              version=2).go(20)
            return s.connection, await s.get_body_as_string(20)
        rs = await asyncio.gather(*[one(i) for i in range(1, 61)])
        conns = set([id(r[0]) for r in rs])
        for i, r in zip(range(1, 61), rs):
            assert r[1] == (b"slow" if i % 3 == 0 else (b"0123456789" * 10000)[:i * 1000])
        request.POOL.close_all()
        return conns
    t0 = __import__("time").time()
    conns = asyncio.run(main())
    assert len(conns) == 1
    # 20 "slow" requests of 0.3 s each ran concurrently, not one after another
    assert __import__("time").time() - t0 < 5
    assert _stats(ours.port)["accepted"] == before + 2    # our h2 connection + this probe


def test_blocking_pool_reuses_h2_connection(ours):
    conns = []
    for i in range(5):
        h, s = _req("http://127.0.0.1:%d/big?n=%d" % (ours.port, 70000 + i), version=2).go_blocking(10)
        assert len(s.get_body_as_string(10)) == 70000 + i
        conns.append(s.connection.unwrap() if hasattr(s.connection, "unwrap") else s.connection)
    assert all(c is conns[0] for c in conns)


def test_h2c_upgrade_client(ours):
    h, s = _req("http://127.0.0.1:%d/echo" % ours.port, version=2, h2c_upgrade=True,
                pool=False).go_blocking(10)
    assert s.connection.version == 2


def test_post_large_body_echo(ours):
    data = os.urandom(700000)
    r = _req("http://127.0.0.1:%d/echo" % ours.port, version=2, pool=False)
    r.headers.upsert(b":method", b"POST")
    r.set_body(data)
    h, s = r.go_blocking(30)
    assert s.get_body_as_string(30) == data


def _get_headers(port, path, method=b"GET"):
    return Headers(((b":method", method), (b":scheme", b"http"),
                    (b":authority", b"127.0.0.1:%d" % port), (b":path", path)))


def test_server_push_received_and_refused(ours):
    async def main(push):
        settings = {SETTINGS_ENABLE_PUSH: 1} if push else None
        c = await client.connect(host="127.0.0.1", port=ours.port, tls=False, version=2,
                                 h2_settings=settings)
        st = c.new_stream()
        await st.write_headers(_get_headers(ours.port, b"/push"), True, 10)
        h = await st.get_headers(10)
        body = await st.get_body_as_string(10)
        pushed = None
        if push:
            ps = await c.get_next_incoming_stream(10)
            ph = await ps.get_headers(10)
            pushed = (ps.request_headers.get(b":path"), ph.get(b":status"),
                      await ps.get_body_as_string(10), ps.promised_by == st.id)
        await c.close()
        return h.get(b":status"), body, pushed
    assert asyncio.run(main(True)) == (b"200", b"push=ok", (b"/pushed", b"200", b"pushed body", True))
    assert asyncio.run(main(False)) == (b"200", b"push=refused", None)


def test_extended_connect_tunnel_raw_bytes(ours):
    async def main():
        c = await client.connect(host="127.0.0.1", port=ours.port, tls=False, version=2)
        st = c.new_stream()
        h = Headers(((b":method", b"CONNECT"), (b":protocol", b"websocket"), (b":scheme", b"http"),
                     (b":authority", b"127.0.0.1"), (b":path", b"/chat")))
        await st.write_headers(h, False, 10)
        r = await st.get_headers(10)
        assert c.peer_settings[SETTINGS_ENABLE_CONNECT_PROTOCOL] == 1
        out = []
        for piece in (b"hello", b"\x00\x01binary\xff", b"x" * 100000):
            await st.write_chunk(piece, False, 10)
            got = b""
            while len(got) < len(piece):
                got += await st.get_next_chunk(10)
            out.append(got)
        await st.write_chunk(b"", True, 10)
        end = await st.get_next_chunk(10)
        await c.close()
        return r.get(b":status"), out, end
    status, out, end = asyncio.run(main())
    assert status == b"200"
    assert out == [b"HELLO", b"\x00\x01BINARY\xff", b"X" * 100000]
    assert end is None


def test_stalled_stream_times_out_and_reset_keeps_connection(ours):
    async def main():
        c = await client.connect(host="127.0.0.1", port=ours.port, tls=False, version=2)
        st = c.new_stream()
        await st.write_headers(_get_headers(ours.port, b"/hold", b"POST"), False, 10)
        with pytest.raises(errors.Timeout) as e:
            await st.write_chunk(b"z" * 2000000, False, 0.5)   # > the 1 MiB windows
        assert "stalled" in str(e.value)
        st.shutdown()                                          # RST_STREAM CANCEL
        st2 = c.new_stream()
        await st2.write_headers(_get_headers(ours.port, b"/"), True, 10)
        h = await st2.get_headers(10)
        b = await st2.get_body_as_string(10)
        rtt = await c.ping(5)
        await c.close()
        return h.get(b":status"), b, rtt
    status, body, rtt = asyncio.run(main())
    assert (status, body) == (b"200", b"Hello, World!")
    assert 0 <= rtt < 5


def test_micropython_cli_get_against_our_server(ours):
    r = run_micropython(["-m", "mhttp", "get", "--http2-prior-knowledge",
                         "http://127.0.0.1:%d/big?n=100000" % ours.port], timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == (b"0123456789" * 10000)
    r = run_micropython(["-m", "mhttp", "get", "-i", "--http2",
                         "http://127.0.0.1:%d/" % ours.port], timeout=60)
    assert r.stdout.startswith(b"HTTP/2 200") and r.stdout.endswith(b"Hello, World!"), r.stdout
