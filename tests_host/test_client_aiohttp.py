# mhttp.request against aiohttp's server: keep-alive reuse counted on the server side,
# 1 MiB bodies both ways, chunked upload from an iterator, Expect: 100-continue and 417.
# CPython only.
import asyncio
import hashlib

import pytest

from client_servers import AioServer

import mhttp.request as request

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def aio():
    s = AioServer()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def fresh_pool(aio):
    request.POOL.close_all()
    aio.peers.clear()
    aio.expects.clear()
    yield
    request.POOL.close_all()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def _req(url, method=None, body=None):
    r = request.new_from_uri(url)
    if method:
        r.headers.upsert(":method", method)
    if body is not None:
        r.set_body(body)
    return r


def test_keepalive_reuse_counted_by_server(aio):
    async def go():
        sizes = []
        for i in range(10):
            h, s = await _req(aio.url + "/big?n=%d" % (i * 1000)).go(10)
            sizes.append(len(await s.get_body_as_string(10)))
        return sizes
    assert run(go()) == [i * 1000 for i in range(10)]
    assert len(aio.peers) == 1
    aio.peers.clear()
    for i in range(5):
        h, s = _req(aio.url + "/big?n=10").go_blocking(10)
        assert s.get_body_as_string(10) == b"y" * 10
    assert len(aio.peers) == 1


def test_one_mib_download_both_faces(aio):
    async def go():
        h, s = await _req(aio.url + "/big?n=%d" % MiB).go(10)
        return h, await s.get_body_as_string(10)
    h, b = run(go())
    assert h.get("content-length") == b"%d" % MiB and b == b"y" * MiB
    h, s = _req(aio.url + "/big?n=%d" % MiB).go_blocking(10)
    n = 0
    for c in s:
        n += len(c)
    assert n == MiB


def test_one_mib_upload_content_length(aio):
    data = bytes(range(256)) * (MiB // 256)
    h, s = _req(aio.url + "/echo", "POST", data).go_blocking(10)
    back = s.get_body_as_string(10)
    assert h.get("x-len") == b"%d" % MiB and h.get("x-te") == b"-"
    assert hashlib.sha256(back).digest() == hashlib.sha256(data).digest()


def test_chunked_upload_from_iterator(aio):
    def gen():
        for i in range(64):
            yield bytes([i]) * 16384  # 1 MiB in 64 chunks
    async def go():
        h, s = await _req(aio.url + "/echo", "PUT", gen()).go(10)
        return h, await s.get_body_as_string(10)
    h, back = run(go())
    assert h.get("x-te") == b"chunked"
    assert len(back) == MiB and back[:16384] == b"\0" * 16384 and back[-1:] == b"\x3f"


def test_expect_100_continue(aio):
    h, s = _req(aio.url + "/echo100", "POST", b"e" * 5000).go_blocking(10)
    assert s.get_body_as_string(10) == b"e" * 5000
    assert aio.expects == ["/echo100"]


def test_expect_417_retried(aio):
    # aiohttp answers 417 from its expect handler; the request goes again without
    # the expectation (and then the handler is not asked)
    h, s = _req(aio.url + "/reject", "POST", b"f" * 5000).go_blocking(10)
    assert h.get(":status") == b"200"
    assert s.get_body_as_string(10) == b"f" * 5000
    assert aio.expects == ["/reject"]
