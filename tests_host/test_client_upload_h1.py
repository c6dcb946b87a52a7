# The HTTP/1.1 client's async face (CPython) uploading to a server that answers as it
# reads (our server's /echo): go() writes the whole body before it reads the response, so
# once the response fills the TCP buffers such a server stops reading and both sides
# wait (was: Timeout "write timed out" for a 40 MiB POST; curl succeeds).  Now the
# response is read into the StreamReader while the body goes, up to the request's
# response_buffer (4 MiB by default), and read from there after; past the bound the
# Timeout says why.  (The blocking face and MicroPython's streams still write first:
# docs/internals.md.)
import asyncio
import time

import pytest

from _h2_util import start_app
from mhttp import request, errors

N = 40 << 20


@pytest.fixture(scope="module")
def ours():
    a = start_app("cpython")
    yield a
    out = a.stop()
    assert b"Traceback" not in out, out[-2000:]


def _run(port, rb, timeout):
    body = bytes(range(256)) * (N // 256)

    async def main():
        r = request.new_from_uri("http://127.0.0.1:%d/echo" % port)
        r.pool = False
        r.headers.upsert(b":method", b"POST")
        r.set_body(body)
        r.response_buffer = rb
        h, s = await r.go(timeout)
        assert s.connection.version == 1.1
        return h.get(b":status"), (await s.get_body_as_string(timeout)) == body
    return asyncio.run(main())


def test_h1_async_upload_to_an_echo_that_answers_as_it_reads(ours):
    assert _run(ours.port, 64 << 20, 20) == (b"200", True)


def test_h1_async_upload_past_response_buffer_times_out_saying_why(ours):
    t0 = time.time()
    with pytest.raises(errors.Timeout) as e:
        _run(ours.port, 1 << 20, 2)
    m = str(e.value)
    assert "write timed out" in m and "response_buffer 1048576" in m, m
    assert "response body is not being read while the request body is sent" in m, m
    assert time.time() - t0 < 6
