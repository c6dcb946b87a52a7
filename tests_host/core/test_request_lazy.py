# mhttp.request's pay-for-what-you-use split (portable: pytest on CPython and
# `tools/micropython tools/mptest.py tests_host/core/test_request_lazy.py`): a plain GET
# (blocking face, pooled keep-alive connection) loads none of the modules that hold the
# rare paths (LAZY: mhttp._request_more, _client_h2, _client_tls, _util_ip, util, ...), and
# every moved feature still works through mhttp.request: redirects, 100-continue, file
# and iterator bodies, the 417 retry, the retry on a stale pooled connection, clone,
# to_uri, new_connect, RedirectError, Pool.count/close_all.  The connections are real
# H1Connections over a scripted in-memory I/O object (the port glue's open_connection /
# open_connection_blocking replaced for the test: a plain http:// request opens its
# connection without mhttp.client), so everything above the socket runs as in use.
import io
import sys

import _mhttp_port
import mhttp.request as request
import mhttp._io_socket    # noqa: F401 (Blocking's module; on CPython its settle() loads
                           # mhttp._io_rare at import, before the check below)
from mhttp.h1 import CLIENT
from mhttp.h1_connection import H1Connection
from _t import raises, ScriptIO

# mhttp.request's names served by its module __getattr__ from mhttp._request_more
NAMES = ("RedirectError", "body_length", "body_replayable", "new_connect", "EXPECT_THRESHOLD",
         "FILE_CHUNK")
LAZY = ("mhttp._request_more", "mhttp._client_h2", "mhttp._client_tls", "mhttp._util_ip",
        "mhttp.util", "mhttp._util_path", "mhttp._util_date", "mhttp.client", "mhttp._io_rare",
        "mhttp.blocking")    # (go_blocking takes Blocking from mhttp._io_socket)




class Peers:
    # Stands in for the port glue's connection openers: each new connection gets the
    # next script (options: what was asked, as a dict); connect stands in for
    # mhttp.client.connect (a request with TLS or a version goes through it).
    def __init__(self, *scripts):
        self.ios = [ScriptIO(s) for s in scripts]
        self.opened = []
        self.options = []

    def _next(self, options):
        self.options.append(options)
        io_ = self.ios.pop(0)
        self.opened.append(io_)
        return io_

    def open_connection_blocking(self, host, port, tls=None, server_hostname=None, alpn=None,
                                 timeout=None):
        return self._next({"host": host, "port": port, "tls": tls, "sni": server_hostname,
                           "alpn": alpn, "blocking": True})

    async def open_connection(self, host, port, tls=None, server_hostname=None, alpn=None,
                              timeout=None):
        return self._next({"host": host, "port": port, "tls": tls, "sni": server_hostname,
                           "alpn": alpn, "blocking": False})

    async def connect(self, options=None, timeout=None, **kw):
        return H1Connection(self._next(options), CLIENT, 1.1)


def _ok(body=b"hello", extra=b""):
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def _run(peers, fn):
    real = (_mhttp_port.open_connection_blocking, _mhttp_port.open_connection)
    _mhttp_port.open_connection_blocking = peers.open_connection_blocking
    _mhttp_port.open_connection = peers.open_connection
    try:
        return fn()
    finally:
        _mhttp_port.open_connection_blocking, _mhttp_port.open_connection = real


def _req(uri, pool=None):
    r = request.new_from_uri(uri)
    r.pool = request.Pool() if pool is None else pool
    return r


def _get(r, timeout=5):
    h, s = r.go_blocking(timeout)
    return h.get(b":status"), s.get_body_as_string(timeout), s


def test_plain_get_loads_no_rare_module():
    # Take the rare modules and everything bound from them out of reach, then GET twice.
    saved = {}
    for n in LAZY:
        if n in sys.modules:
            saved[n] = sys.modules.pop(n)
    bound = {}
    for cls, names in ((request.Request, request._RARE.split()),
                       (request.Pool, ("count", "close_all"))):
        for n in names:
            if n in cls.__dict__:
                bound[cls, n] = cls.__dict__[n]
                delattr(cls, n)
    cached = {}
    for n in NAMES:
        if n in request.__dict__:
            cached[n] = request.__dict__.pop(n)
    try:
        peers = Peers([_ok(b"one"), _ok(b"two")])
        pool = request.Pool()

        def two_gets():
            out = []
            for i in range(2):
                out.append(_get(_req("http://h.test:8080/p?q=%d" % i, pool))[:2])
            return out
        assert _run(peers, two_gets) == [(b"200", b"one"), (b"200", b"two")]
        assert pool.reused == 1 and len(peers.opened) == 1
        assert peers.options == [{"host": "h.test", "port": 8080, "tls": None, "sni": None,
                                  "alpn": None, "blocking": True}]
        wire = peers.opened[0].wire()
        assert wire.startswith(b"GET /p?q=0 HTTP/1.1\r\n")
        assert b"GET /p?q=1 HTTP/1.1\r\n" in wire and b"\r\nhost: h.test:8080\r\n" in wire.lower()
        loaded = [n for n in LAZY if n in sys.modules]
        assert loaded == [], loaded
    finally:
        # put back the modules and bindings of before (and drop any made meanwhile)
        import mhttp
        for n in LAZY:
            sys.modules.pop(n, None)
            short = n[6:]
            if n in saved:
                sys.modules[n] = saved[n]
                setattr(mhttp, short, saved[n])
            elif short in mhttp.__dict__:
                delattr(mhttp, short)
        for cls, names in ((request.Request, request._RARE.split()),
                           (request.Pool, ("count", "close_all"))):
            for n in names:
                if n in cls.__dict__:
                    delattr(cls, n)
        for (cls, n), f in bound.items():
            setattr(cls, n, f)
        for n in NAMES:
            request.__dict__.pop(n, None)
        for n, v in cached.items():
            request.__dict__[n] = v


def test_plain_gets_on_one_connection_import_no_errors_module():
    # mhttp.h1_connection and mhttp._h1_client import mhttp.errors only to raise (board
    # RAM: a program that sees no error need not load its classes and names; mhttp._io
    # and mhttp.h1 still import it at load).  Two GETs on one pooled connection with
    # mhttp.errors out of sys.modules: none of them imports it again (the second
    # request's new_stream did).
    import mhttp
    saved = sys.modules.pop("mhttp.errors")
    try:
        peers = Peers([_ok(b"one"), _ok(b"two")])
        pool = request.Pool()

        def two_gets():
            return [_get(_req("http://h.test/", pool))[:2] for i in range(2)]
        assert _run(peers, two_gets) == [(b"200", b"one"), (b"200", b"two")]
        assert pool.reused == 1
        assert "mhttp.errors" not in sys.modules
    finally:
        sys.modules["mhttp.errors"] = saved
        mhttp.errors = saved


def test_module_names_reached_lazily_are_the_same_objects():
    import mhttp._request_more as more
    assert request.RedirectError is more.RedirectError
    import mhttp.errors
    assert issubclass(request.RedirectError, mhttp.errors.Error)
    assert request.body_length is more.body_length
    assert request.body_replayable(b"x") and request.new_connect is more.new_connect
    assert request.EXPECT_THRESHOLD == 1024 and request.FILE_CHUNK == 16384
    for n in NAMES:
        assert getattr(request, n) is getattr(more, n), n
    raises(AttributeError, getattr, request, "no_such_name")
    assert not hasattr(request.Request("h", 80, False, None), "no_such_method")


def test_rare_class_defaults_come_from_request_more():
    # expect_100_timeout, max_redirects, post301, post302 and proxy: defined in
    # mhttp._request_more, bound on Request (at import on CPython, on first read on
    # MicroPython); an instance's own value still wins, the class's stays.
    import mhttp._request_more as more
    r = request.Request("h", 80, False, None)
    assert (r.expect_100_timeout, r.max_redirects, r.post301, r.post302, r.proxy) == \
        (1, 5, False, False, None)
    for n in ("expect_100_timeout", "max_redirects", "post301", "post302", "proxy"):
        assert n in request._RARE.split() and getattr(request.Request, n) == getattr(more, n)
    r.max_redirects = 2
    assert r.max_redirects == 2 and request.Request("h", 80, False, None).max_redirects == 5
    assert r.follow_redirects is True and r.h2c_upgrade is False and r.h2_settings is None


def test_rare_class_default_set_on_the_class_before_any_read_wins():
    # Request.post302 = True before any request has read post302 (on MicroPython the
    # lazy binding then never runs for it): every request sees the class's value
    had = "post302" in request.Request.__dict__
    old = request.Request.__dict__.get("post302")
    request.Request.post302 = True
    try:
        r = request.Request("h", 80, False, None)
        assert r.post302 is True and r.max_redirects == 5
        assert request.Request.post302 is True
    finally:
        if had:
            request.Request.post302 = old
        else:
            del request.Request.post302


def test_client_h2_pool_helpers():
    # The HTTP/2 cases of the pool bookkeeping (mhttp._client_h2, loaded only for h2).
    from mhttp._client_h2 import _reusable, abort
    from mhttp.errors import H2StreamError, ProtocolError

    class Conn:
        def __init__(self, error=None, goaway=None, can=True):
            self.error, self.goaway, self.can, self.aborted = error, goaway, can, 0

        def can_open_stream(self):
            return self.can

        def abort(self):
            self.aborted += 1
    assert _reusable(Conn()) is True and _reusable(Conn(can=False)) is False
    assert _reusable(Conn(error=1)) is None and _reusable(Conn(goaway=1)) is None
    r = request.Request("h", 80, False, None)
    c = Conn()
    assert abort(c, ProtocolError("x"), r, None) is False
    assert c.aborted == 0           # the connection itself has not failed
    c = Conn(error=ProtocolError("x"))
    assert abort(c, H2StreamError(8, "x", 1), r, None) is False
    assert c.aborted == 0           # one stream's error: the shared connection stays
    assert abort(c, ProtocolError("x"), r, None) is False
    assert c.aborted == 1
    # whether the request was not processed (RFC 9113 §8.7) and may be sent again:
    # refused (REFUSED_STREAM 7), or not sent after a GOAWAY (ConnectionClosed while the
    # connection itself is fine); the connection is not aborted for it
    from mhttp.errors import ConnectionClosed
    c = Conn()
    assert abort(c, H2StreamError(7, "x", 1), r, None) is True
    c = Conn(goaway=(0, 1, b""))
    assert abort(c, ConnectionClosed("no new stream"), r, None) is True
    assert abort(c, H2StreamError(7, "x", 3), r, [False]) is True
    assert c.aborted == 0
    # ConnectionClosed without a GOAWAY (e.g. no response head): not known unprocessed
    c = Conn()
    assert abort(c, ConnectionClosed("x"), r, None) is False and c.aborted == 0
    # a connection that failed itself: aborted, not known unprocessed
    c = Conn(error=ConnectionClosed("eof"), goaway=(0, 1, b""))
    assert abort(c, ConnectionClosed("eof"), r, None) is False and c.aborted == 1
    # a body already being read ([False, True]): only one that can be produced again
    c = Conn()
    for body, again in ((b"ab", True), ("ab", True), ([b"a"], True),
                        (iter([b"a"]), False), (lambda: None, False)):
        r.body = body
        assert abort(c, H2StreamError(7, "x", 1), r, [False, True]) is again
        assert abort(c, H2StreamError(7, "x", 1), r, [False]) is True   # not read yet


def test_pooled_connection_keeps_no_finished_stream():
    # Board RAM: a connection back in the pool does not keep its finished exchange's
    # stream (and the response head it holds) alive; the next request on it starts the
    # next cycle all the same, and an unfinished one still cannot be followed by another.
    peers = Peers([_ok(b"one"), _ok(b"two")])
    pool = request.Pool()

    def run():
        h, s = _req("http://h.test/", pool).go_blocking(5)
        conn = s.unwrap().stream.conn
        assert conn.stream is s.unwrap().stream     # the body is not read yet
        assert pool.entries == []
        raises(Exception, conn.new_stream)          # the previous response is not finished
        body = s.get_body_as_string(5)
        assert conn.stream is None and pool.entries[0][1] is conn
        assert s.get_next_chunk() is None and s.headers.get(b":status") == b"200"
        h2, s2 = _req("http://h.test/", pool).go_blocking(5)
        assert s2.unwrap().stream.conn is conn and conn.stream is s2.unwrap().stream
        return body, s2.get_body_as_string(5)
    assert _run(peers, run) == (b"one", b"two")
    assert pool.reused == 1 and len(peers.opened) == 1
    assert peers.opened[0].wire().count(b"GET / HTTP/1.1\r\n") == 2


def test_pooled_connection_keeps_its_first_key_and_entry():
    # Board RAM: a connection handed out by the pool and put back under an equal key goes
    # back as the very entry (and key) its first request made, not as new objects per
    # request (which outlived each request, scattered amid its garbage).  A stream of
    # the module's POOL does not store the pool (two attributes, not three); the key
    # keeps the request's own host str when it is lowercase already.
    peers = Peers([_ok(b"one"), _ok(b"two"), _ok(b"three"), _ok(b"four")])
    pool = request.Pool()

    def run():
        r = _req("http://h.test/", pool)
        _get(r)
        e = pool.entries[0]
        assert e[0][1] is r.host and pool.value is None
        _get(_req("http://h.test/", pool))
        assert len(pool.entries) == 1 and pool.entries[0] is e and pool.reused == 1
        # a stream that goes back to another pool than the one it came from: a new entry
        r3 = _req("http://h.test/", pool)
        h, s = r3.go_blocking(5)
        assert pool.value is e and s.unwrap().pool is pool
        other = request.Pool()
        s.unwrap().pool = other
        assert s.get_body_as_string(5) == b"three"
        assert pool.entries == [] and pool.get(e[0]) is None and pool.value is None
        assert other.entries[0] is not e and other.entries[0][0] == e[0]
        assert other.entries[0][1] is e[1]
        # a connection closed instead of put back is not kept alive by its pool's entry
        h, s = _req("http://h.test/", other).go_blocking(5)
        assert other.value is not None
        s.unwrap().shutdown()
        assert other.value is None and other.entries == []
        return True
    assert _run(peers, run)
    assert len(peers.opened) == 1
    # the default pool: not stored on the stream (a class default, None: POOL)
    assert request.ClientStream.pool is None
    r = request.new_from_uri("http://H.Test/")
    assert r.host == "h.test"


def test_pool_of_another_kind_and_a_subclass_own_get():
    # Request.pool may be any object with get(key) and put(key, conn) (no Pool.value):
    # a response that closes its connection is released without touching .value.  And a
    # Pool subclass whose get() hands out a connection of its own (not through Pool.get,
    # so .value still holds another request's entry) files it under its own key, never
    # under that other request's: the next request to the first origin is not sent to
    # the second one.
    class MyPool:
        def __init__(self):
            self.entries = []

        def get(self, key):
            return None

        def put(self, key, conn):
            self.entries.append((key, conn))

    peers = Peers([_ok(b"bye", b"Connection: close\r\n")])

    def run1():
        h, s = _req("http://a.test/", MyPool()).go_blocking(5)
        return s.get_body_as_string(5)
    assert _run(peers, run1) == b"bye"

    class Sticky(request.Pool):
        mine = None

        def get(self, key):
            if key[1] == "b.test" and self.mine is not None:
                c = self.mine
                self.mine = None
                return c
            return request.Pool.get(self, key)

    peers = Peers([_ok(b"A1"), _ok(b"A2"), _ok(b"A3")], [_ok(b"B1"), _ok(b"B2"), _ok(b"B3")])

    def run2():
        sp = Sticky()
        _get(_req("http://a.test/", sp))                # connection A pooled in sp
        side = request.Pool()
        _get(_req("http://b.test/", side))              # connection B pooled elsewhere
        sp.mine = side.entries.pop()[1]
        ha, sa = _req("http://a.test/", sp).go_blocking(5)    # A again: sp.value is A's
        hb, sb = _req("http://b.test/", sp).go_blocking(5)    # B, from Sticky's own get
        assert sa.get_body_as_string(5) == b"A2" and sb.get_body_as_string(5) == b"B2"
        assert sorted(e[0][1] for e in sp.entries) == ["a.test", "b.test"]
        for e in sp.entries:
            assert (e[0][1] == "b.test") == (e[1].io is peers.opened[1])
        h, s = _req("http://a.test/", sp).go_blocking(5)
        return s.get_body_as_string(5)
    assert _run(peers, run2) == b"A3"


def test_headers_still_served_by_mhttp_request():
    # mhttp.request imports mhttp.headers where it uses it (board RAM), and still serves
    # Headers as a module attribute and to star imports.
    from mhttp.headers import Headers
    assert request.Headers is Headers
    g = {}
    exec("from mhttp.request import *", g)
    assert g["Headers"] is Headers and "Request" in g and "POOL" in g


def test_go_blocking_wraps_in_mhttp_blocking_blocking():
    # go_blocking takes Blocking from mhttp._io_socket (board RAM: mhttp.blocking is not
    # loaded by a blocking request); it is the very class mhttp.blocking names, and the
    # wrapped stream iterates its body.
    import mhttp.blocking
    assert mhttp.blocking.Blocking is mhttp._io_socket.Blocking
    peers = Peers([_ok(b"body")])

    def run():
        h, s = _req("http://h.test/").go_blocking(5)
        assert isinstance(s, mhttp.blocking.Blocking)
        return h.get(b":status"), b"".join(list(s))
    assert _run(peers, run) == (b"200", b"body")


def test_redirect_followed_on_the_same_connection():
    peers = Peers([b"HTTP/1.1 302 Found\r\nLocation: /b?x=1\r\nContent-Length: 3\r\n\r\nabc",
                   _ok(b"at b")])
    r = _req("http://h.test/a")
    st, body, s = _run(peers, lambda: _get(r))
    assert (st, body) == (b"200", b"at b")
    assert len(peers.opened) == 1 and r.pool.reused == 1
    wire = peers.opened[0].wire()
    assert b"GET /b?x=1 HTTP/1.1\r\n" in wire and b"referer: http://h.test/a\r\n" in wire.lower()


def test_redirect_limit_raises_redirect_error():
    loop = b"HTTP/1.1 302 Found\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n"
    peers = Peers([loop, loop, loop])
    r = _req("http://h.test/a")
    r.max_redirects = 2
    e = _run(peers, lambda: raises(request.RedirectError, r.go_blocking, 5))
    assert "maximum redirects" in str(e)
    r = _req("http://h.test/a")
    r.follow_redirects = False
    peers = Peers([loop])
    assert _run(peers, lambda: _get(r))[0] == b"302"


def test_expect_100_continue_body_sent_after_interim():
    peers = Peers([b"HTTP/1.1 100 Continue\r\n\r\n", _ok(b"got it")])
    r = _req("http://h.test/up")
    r.headers.upsert(b":method", b"PUT")
    r.set_body(b"z" * 3000)
    assert r.headers.get(b"expect") == b"100-continue"
    assert _run(peers, lambda: _get(r))[:2] == (b"200", b"got it")
    wire = peers.opened[0].wire()
    assert b"content-length: 3000\r\n" in wire.lower() and wire.endswith(b"z" * 3000)


def test_417_retried_without_the_expectation():
    peers = Peers([b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n"],
                  [_ok(b"fine")])
    r = _req("http://h.test/up")
    r.headers.upsert(b":method", b"POST")
    r.set_body(io.BytesIO(b"f" * 2000))
    assert _run(peers, lambda: _get(r))[:2] == (b"200", b"fine")
    assert len(peers.opened) == 2
    assert b"expect:" in peers.opened[0].wire().lower()
    second = peers.opened[1].wire()
    assert b"expect:" not in second.lower() and second.endswith(b"f" * 2000)


def test_iterator_body_is_chunked():
    peers = Peers([b"HTTP/1.1 100 Continue\r\n\r\n" + _ok(b"ok")])
    r = _req("http://h.test/up")
    r.headers.upsert(b":method", b"POST")
    r.set_body(iter([b"ab", "c", b""]))
    assert _run(peers, lambda: _get(r))[:2] == (b"200", b"ok")
    wire = peers.opened[0].wire()
    assert b"transfer-encoding: chunked\r\n" in wire.lower()
    assert wire.endswith(b"2\r\nab\r\n1\r\nc\r\n0\r\n\r\n")


def test_stale_pooled_connection_is_replaced_for_a_get():
    peers = Peers([_ok(b"first")], [_ok(b"second")])    # the first then hits EOF
    pool = request.Pool()

    def go():
        a = _get(_req("http://h.test/", pool))[:2]
        b = _get(_req("http://h.test/", pool))[:2]
        return a, b
    assert _run(peers, go) == ((b"200", b"first"), (b"200", b"second"))
    assert len(peers.opened) == 2 and peers.opened[0].closed
    assert pool.count() == 1
    pool.close_all()
    assert pool.count() == 0 and peers.opened[1].closed


def test_clone_to_uri_new_connect():
    r = request.new_from_uri("http://u:p%40w@h.test:81/a?b#frag")
    assert r.headers.get(b":path") == b"/a?b"
    assert r.headers.get(b"authorization") == b"basic dTpwQHc="
    c = r.clone()
    c.headers.upsert(b":path", b"/other")
    assert r.to_uri() == "http://h.test:81/a?b" and c.to_uri() == "http://h.test:81/other"
    assert r.to_uri(True) == "http://u:p%40w@h.test:81/a?b"
    n = request.new_connect("http://proxy.test:3128", "t.test:443")
    assert n.headers.get(b":method") == b"CONNECT" and n.to_uri() == "http://t.test:443"
    r = request.new_from_uri("http://[::1]:8080/")       # IPv6 literal: mhttp._util_ip
    assert r.host == "::1" and r.headers.get(b":authority") == b"[::1]:8080"
    raises(ValueError, request.new_from_uri, "http://[::g]/")


def test_tls_or_version_goes_through_client_connect():
    # A plain http:// request opens its connection with the port glue directly; one with
    # a version (or TLS, or a context) is mhttp.client.connect's, with the request's options.
    import mhttp.client as client
    peers = Peers([_ok(b"via client")])
    r = _req("http://h.test:81/v")
    r.version = 1.1
    real = client.connect
    client.connect = peers.connect
    try:
        assert _run(peers, lambda: _get(r))[:2] == (b"200", b"via client")
    finally:
        client.connect = real
    o = peers.options[0]
    assert (o["host"], o["port"], o["tls"], o["version"], o["blocking"]) == ("h.test", 81,
                                                                             False, 1.1, True)


def test_plain_async_get_opens_with_the_port_glue():
    import asyncio
    peers = Peers([_ok(b"async")])

    async def go():
        h, s = await _req("http://h.test/").go(5)
        return h.get(b":status"), await s.get_body_as_string(5)
    assert _run(peers, lambda: asyncio.run(go())) == (b"200", b"async")
    assert peers.options[0]["blocking"] is False and peers.options[0]["port"] == 80


def test_async_pool_keyed_by_event_loop():
    # An asyncio connection belongs to the loop it was opened on: on CPython two
    # asyncio.run() calls are two loops and do not share it; MicroPython has one loop.
    import asyncio
    from _t import MICROPYTHON
    peers = Peers([_ok(b"one"), _ok(b"two")], [_ok(b"three")])
    pool = request.Pool()
    loops = []      # kept alive: a freed loop's id could be a later loop's

    async def go():
        loops.append(asyncio.get_event_loop())
        h, s = await _req("http://h.test/", pool).go(5)
        return await s.get_body_as_string(5)
    got = _run(peers, lambda: [asyncio.run(go()), asyncio.run(go())])
    if MICROPYTHON:
        assert got == [b"one", b"two"] and len(peers.opened) == 1 and pool.reused == 1
    else:
        assert got == [b"one", b"three"] and len(peers.opened) == 2 and pool.reused == 0


def test_error_texts_kept_in_request_more():
    # mhttp.request's error texts live in mhttp._request_more._err (loaded by the first
    # error); each raise site quotes its class and text.
    from mhttp.errors import ConnectionClosed
    e = raises(ValueError, request.new_from_uri, "ftp://h/")
    assert str(e) == "scheme not valid: 'ftp'"

    class Conn:
        # a driver whose stream ends without a response head (get_headers: None)
        aborted = False

        def new_stream(self):
            return self

        async def write_headers(self, headers, end_stream, timeout=None):
            pass

        async def get_headers(self, timeout=None):
            return None

        def abort(self):
            self.aborted = True
    conn = Conn()

    async def opener(pool, key, deadline, blocking):
        return conn
    r = _req("http://h/")
    r._open = opener        # a fresh connection: no retry
    e = raises(ConnectionClosed, r.go_blocking, 5)
    assert str(e) == "connection closed before a response arrived" and conn.aborted
    if sys.implementation.name == "micropython":
        return
    import os
    import mhttp._request_more as more
    d = os.path.dirname(request.__file__)
    seen = 0
    for f in ("request.py", "_request_more.py"):
        src = open(os.path.join(d, f)).read().split("\n")
        for i, line in enumerate(src):
            # (raise _err(n), or raise __import__(...)._err(n) where a local would cost)
            if "raise _err(" not in line and not ("raise __import__(" in line and
                                                   "._err(" in line):
                continue
            comment = line.split("  # ")[1] if "  # " in line else src[i - 1].strip()[2:]
            cls, text = comment.strip().split(": ", 1)
            n = int(line.split("_err(")[-1].split(")")[0].split(",")[0])
            got = more._err(n, "x")
            assert type(got).__name__ == cls and str(got) == text.replace("%r", "'x'"), \
                (f, i + 1)
            seen += 1
    assert seen == 3
