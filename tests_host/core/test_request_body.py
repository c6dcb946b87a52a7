# The body helpers of mhttp.stream_common used on a response stream of mhttp.request
# (portable: pytest on CPython and
# `tools/micropython tools/mptest.py tests_host/core/test_request_body.py`).  The rare
# helpers (get_body_chars, get_body_until, save_body_to_file, each_chunk, ...) live in
# mhttp._stream_more, bound on first use (mhttp._lazy); on a ClientStream they must still
# read through ClientStream.get_next_chunk, which hands the keep-alive connection back
# to the pool at the end of the body: each test reads the first response with one helper
# and checks that a second GET reuses the connection.  A plain GET (get_body_as_string)
# does not load mhttp._stream_more on MicroPython.
import io
import sys

import mhttp.request as request
import mhttp.stream_common as sc
from mhttp.h1_connection import H1Stream
from test_request_lazy import Peers, _ok, _run, _req
from _t import MICROPYTHON, raises

URI = "http://h.test/"


def _chunked(*parts):
    out = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"]
    for p in parts:
        out.append(("%x\r\n" % len(p)).encode() + p + b"\r\n")
    out.append(b"0\r\n\r\n")
    return b"".join(out)


def _reused_after(read, first=None):
    # GET, read the body with read(stream) (its result is returned), GET again: the second
    # request must go out on the first one's connection (released to the pool by the read).
    peers = Peers([first or _chunked(b"hello ", b"wor", b"ld"), _ok(b"two")])
    pool = request.Pool()

    def go():
        h, s = _req(URI, pool).go_blocking(5)
        got = read(s)
        assert len(pool.entries) == 1, "connection not released after the body was read"
        h2, s2 = _req(URI, pool).go_blocking(5)
        assert s2.get_body_as_string(5) == b"two"
        return got
    got = _run(peers, go)
    assert len(peers.opened) == 1 and pool.reused == 1
    return got


def test_get_body_as_string_releases():
    assert _reused_after(lambda s: s.get_body_as_string(5)) == b"hello world"


def test_get_body_chars_releases():
    def read(s):
        out = []
        while True:
            c = s.get_body_chars(4, 5)
            if c is None:
                return out
            out.append(c)
    assert _reused_after(read) == [b"hell", b"o wo", b"rld"]


def test_get_body_until_releases():
    def read(s):
        head = s.get_body_until(b"wo", True, True, 5)
        return head, s.get_body_until(b"zz", True, False, 5), s.get_body_until(b"zz")
    assert _reused_after(read) == (b"hello wo", b"rld", None)


def test_save_body_to_file_releases():
    f = io.BytesIO()
    assert _reused_after(lambda s: s.save_body_to_file(f, 5)) == 11
    assert f.getvalue() == b"hello world"


def test_iteration_releases():
    assert _reused_after(lambda s: b"|".join(list(s))) == b"hello |wor|ld"


def test_each_chunk_releases():
    # the asyncio face: `async for` over each_chunk(), then a second GET on the same loop
    import asyncio
    peers = Peers([_chunked(b"ab", b"cd"), _ok(b"two")])
    pool = request.Pool()

    async def go():
        h, s = await _req(URI, pool).go(5)
        got = []
        async for c in s.each_chunk(5):
            got.append(c)
        assert len(pool.entries) == 1
        h2, s2 = await _req(URI, pool).go(5)
        return got, await s2.get_body_as_string(5)
    assert _run(peers, lambda: asyncio.run(go())) == ([b"ab", b"cd"], b"two")
    assert len(peers.opened) == 1 and pool.reused == 1


def test_each_chunk_blocking_face_is_a_plain_iterator():
    # go_blocking's stream (mhttp.blocking): `for c in s.each_chunk(5):` reads the chunks
    # (lua-http: an iterator of chunks), and releases the connection at the end of the body
    assert _reused_after(lambda s: [c for c in s.each_chunk(5)]) == [b"hello ", b"wor", b"ld"]
    assert _reused_after(lambda s: list(s.each_chunk())) == [b"hello ", b"wor", b"ld"]


def test_body_too_large_not_pooled():
    peers = Peers([_chunked(b"hello ", b"world")])
    pool = request.Pool()

    def go():
        h, s = _req(URI, pool).go_blocking(5)
        raises(sc.BodyTooLarge, s.get_body_until, b"zz", True, False, 5, 8)
        assert pool.entries == []
        s.shutdown()
    _run(peers, go)
    assert peers.opened[0].closed


def test_rare_helpers_bound_where_expected():
    # MicroPython: bound on the class that asked; ClientStream's copy runs ClientStream's
    # get_next_chunk.  CPython: bound on StreamCommon at import, no __getattr__ there.
    names = sc.BODY.split()
    if MICROPYTHON:
        _reused_after(lambda s: s.get_body_chars(100, 5))
        # (or still defined on StreamCommon itself, until its subclasses all bind
        # through stream_common.rare_attr)
        assert "get_body_chars" in request.ClientStream.__dict__ or \
            "get_body_chars" in sc.StreamCommon.__dict__
    else:
        for n in names:
            assert n in sc.StreamCommon.__dict__, n
        assert "__getattr__" not in sc.StreamCommon.__dict__
    assert not hasattr(request.ClientStream(_FakeStream(), None, None), "no_such_name")


class _FakeStream:
    connection = None


def test_plain_get_does_not_load_stream_more():
    if not MICROPYTHON:
        return      # CPython binds the helpers at import (mhttp._lazy.settle)
    import mhttp
    names = sc.BODY.split()
    saved = sys.modules.pop("mhttp._stream_more", None)
    had = mhttp.__dict__.pop("_stream_more", None)
    for cls in (request.ClientStream, H1Stream):    # bound there by earlier tests
        for n in names:
            if n in cls.__dict__:
                delattr(cls, n)
    try:
        assert _reused_after(lambda s: s.get_body_as_string(5)) == b"hello world"
        assert "mhttp._stream_more" not in sys.modules
    finally:
        sys.modules.pop("mhttp._stream_more", None)
        if saved is not None:
            sys.modules["mhttp._stream_more"] = saved
            mhttp._stream_more = had if had is not None else saved
        for cls in (request.ClientStream, H1Stream):
            for n in names:
                if n in cls.__dict__:
                    delattr(cls, n)     # bound again from the module put back


def test_get_body_until_too_large_puts_the_bytes_back():
    # BodyTooLarge (no pattern within max_size) leaves the body as it was: the bytes read
    # are put back (unget), so the body can still be read whole, and read to its end it
    # hands the connection back to the pool (it used to lose the 11 bytes it had read)
    def read(s):
        raises(sc.BodyTooLarge, s.get_body_until, b"zz", True, False, 5, 8)
        return s.get_body_until(b"wo", True, True, 5), s.get_body_as_string(5)
    assert _reused_after(read) == (b"hello wo", b"rld")


class _Chunks(sc.StreamCommon):
    # A stream whose get_next_chunk hands out `items` one by one (an exception instance is
    # raised), after what was put back (unget).
    def __init__(self, items):
        self.items = list(items)

    def __getattr__(self, name):
        return sc.rare_attr(self, name, "", "")

    async def get_next_chunk(self, timeout=None):
        if self._unget:
            return self._take_unget()
        c = self.items.pop(0) if self.items else None
        if isinstance(c, Exception):
            raise c
        return c


def test_body_helpers_put_the_bytes_back_on_an_error():
    # A timeout (or any error) in the middle of get_body_until / get_body_chars: the bytes
    # already read go back in front of the body, in order, before what an earlier unget
    # left; the call made again (a longer timeout) gets them.
    from mhttp._io import run_blocking
    from mhttp.errors import Timeout
    s = _Chunks([b"ab", b"cd", Timeout("read timed out"), b"e|f", Timeout("again"),
                 b"gh"])
    s.unget(b"0")
    raises(Timeout, run_blocking, s.get_body_until(b"|"))
    assert run_blocking(s.get_body_until(b"|", True, True)) == b"0abcde|"
    raises(Timeout, run_blocking, s.get_body_chars(4))
    assert run_blocking(s.get_body_chars(4)) == b"fgh"
    assert run_blocking(s.get_body_chars(4)) is None
    s = _Chunks([b"xy", Timeout("t")])
    raises(Timeout, run_blocking, s.get_body_chars(3))
    assert s._unget == [b"xy"]


def test_a_stream_dropped_unread_is_never_reused():
    # lua-http's model: the response stream owns its connection until its body is read to
    # the end (then the pool takes it back) or stream:shutdown() releases it.  A stream
    # dropped unread leaves its connection out of the pool (the next GET opens another,
    # never one with a body still in it), closed when the garbage collector frees it;
    # shutdown() closes it at once.
    import gc
    peers = Peers([_chunked(b"hello ", b"world")], [_chunked(b"again")], [_ok(b"two")])
    pool = request.Pool()

    def go():
        h, s = _req(URI, pool).go_blocking(5)
        assert pool.entries == []
        del h, s
        gc.collect()
        h, s = _req(URI, pool).go_blocking(5)
        s.shutdown()
        assert pool.entries == [] and peers.opened[1].closed
        h, s = _req(URI, pool).go_blocking(5)
        return s.get_body_as_string(5)
    assert _run(peers, go) == b"two"
    assert len(peers.opened) == 3 and pool.reused == 0
