# Portable tests of mhttp.h1_connection and mhttp.stream_common over a scripted in-memory
# I/O object, driven by mhttp._io.run_blocking (the blocking face).  Run by pytest and by
# `tools/micropython tools/mptest.py tests_host/core/test_h1_connection.py`.
from _t import raises, ScriptIO, TIMEOUT, raise_sites
from mhttp._io import run_blocking
from mhttp.h1 import SERVER, CLIENT
from mhttp.h1_connection import H1Connection, error_response
from mhttp.headers import Headers
from mhttp.errors import H1Error, ConnectionClosed, Timeout
from mhttp.stream_common import BodyTooLarge




def _resp(status, body=b"", extra=()):
    l = [(":status", status), ("content-length", str(len(body)))]
    l.extend(extra)
    return Headers(l)


def _answer(stream, status, body):
    run_blocking(stream.write_headers(_resp(status, body, [("date", "x"), ("server", "t")]), False))
    run_blocking(stream.write_chunk(body, True))


def test_pipelined_requests_answered_in_order():
    io = ScriptIO([b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHo",
                   b"st: h\r\n\r\n", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    h = run_blocking(s.get_headers())
    assert h.get(":path") == b"/a" and h.get(":authority") == b"h"
    assert run_blocking(s.get_headers()) is h   # asked again before the body: same head
    assert run_blocking(s.get_next_chunk()) is None
    _answer(s, "200", b"A")
    assert run_blocking(s.finish_server())
    s = run_blocking(c.get_next_incoming_stream())
    assert run_blocking(s.get_headers()).get(":path") == b"/b"
    _answer(s, "200", b"B")
    assert run_blocking(s.finish_server())
    assert run_blocking(c.get_next_incoming_stream()) is None     # clean EOF
    w = io.wire()
    assert w.count(b"HTTP/1.1 200 OK\r\n") == 2
    assert w.index(b"\r\n\r\nA") < w.index(b"\r\n\r\nB")
    assert c.requests == 2 and c.version == 1.1


def test_http10_request_sets_version_and_interim_heads_are_not_final():
    # An HTTP/1.0 request: the connection's version is the float 1.0 (mhttp._h1_server
    # computes it), its response closes; a 1xx head other than 101 is not the final one.
    io = ScriptIO([b"GET /a HTTP/1.0\r\n\r\n", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    assert run_blocking(s.get_headers()).get(":path") == b"/a"
    assert c.version == 1.0 and type(c.version) is float
    run_blocking(s.write_headers(Headers([(":status", "103"), ("link", "</s>")]), False))
    assert not s.headers_sent and s.status is None
    _answer(s, "200", b"A")
    assert s.headers_sent and s.status == b"200"
    w = io.wire()
    assert w.startswith(b"HTTP/1.1 103 ") and b"\r\n\r\nA" in w


def test_date_server_added_and_100_continue_on_first_read():
    io = ScriptIO([b"POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n",
                   b"hello", b" world", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    assert io.sent == []                        # nothing before the handler reads
    assert run_blocking(s.get_body_chars(3)) == b"hel"
    assert io.sent == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    assert run_blocking(s.get_body_until(b"wo", True, True)) == b"lo wo"
    assert run_blocking(s.get_body_as_string()) == b"rld"
    run_blocking(s.write_headers(_resp("204"), True))
    head = io.sent[-1]
    assert head.startswith(b"HTTP/1.1 204 No Content\r\n")
    assert b"\r\ndate: " in head and b" GMT\r\n" in head and b"\r\nserver: mhttp\r\n" in head
    assert run_blocking(s.finish_server())


class _Clock:
    # Stands in for the `time` module h1_connection reads the clock from.
    def __init__(self, t, tm):
        self.t = t
        self.tm = tm

    def time(self):
        return self.t

    def gmtime(self, t=None):
        return self.tm


def _with_clock(clock, fn):
    import mhttp._h1_server as m   # (http_date and its clock: the server-only half)
    saved = m.time
    m.time = clock
    m._date_cache[0] = None
    try:
        return fn()
    finally:
        m.time = saved
        m._date_cache[0] = None


def _serve_one():
    io = ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    run_blocking(s.write_headers(_resp("204"), True))
    return io.sent[-1]


def test_date_only_with_a_set_clock():
    # RFC 9110 §6.6.1: no Date from a server whose clock was never set (a board without
    # NTP counts from 2000 or 1970); Server is sent either way.
    unset = _Clock(86400 * 3, (2000, 1, 4, 0, 0, 1, 1, 4))
    head = _with_clock(unset, _serve_one)
    assert b"\r\ndate:" not in head and b"\r\nserver: mhttp\r\n" in head
    head = _with_clock(unset, lambda: error_response(400))
    assert b"\r\ndate:" not in head and b"\r\nserver: mhttp\r\n" in head
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n") and head.endswith(b"\r\n\r\n400 Bad Request\n")
    last = _Clock(1704067199, (2023, 12, 31, 23, 59, 59, 6, 365))
    assert b"\r\ndate:" not in _with_clock(last, _serve_one)
    ok = _Clock(1718000000, (2024, 6, 10, 6, 13, 20, 0, 162))
    head = _with_clock(ok, _serve_one)
    assert b"\r\ndate: Mon, 10 Jun 2024 06:13:20 GMT\r\nserver: mhttp\r\n" in head
    head = _with_clock(ok, lambda: error_response(503))
    assert b"\r\ndate: Mon, 10 Jun 2024 06:13:20 GMT\r\nserver: mhttp\r\n" in head


def test_answer_without_reading_body_drains_or_closes():
    body = b"x" * 100
    io = ScriptIO([b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n", body,
                   b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    _answer(s, "200", b"ok")
    assert run_blocking(s.finish_server())          # 100 bytes drained: reusable
    s = run_blocking(c.get_next_incoming_stream())
    assert run_blocking(s.get_headers()).get(":method") == b"GET"
    # past max_drain the connection is not reused
    io = ScriptIO([b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n", body, b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    _answer(s, "200", b"ok")
    assert not run_blocking(s.finish_server(10))
    # Expect: 100-continue answered without 100: not reusable
    io = ScriptIO([b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    _answer(s, "417", b"")
    assert not run_blocking(s.finish_server())
    assert b"HTTP/1.1 100" not in io.wire()


def test_handler_without_answer_gets_500_and_unfinished_chunked_is_ended():
    io = ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    assert run_blocking(s.finish_server())
    w = io.wire()
    assert w.startswith(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n"), w
    assert w.endswith(b"\r\nserver: mhttp\r\n\r\n") and w.count(b"\r\n") == 5, w
    io = ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    run_blocking(s.write_headers(Headers([(":status", "200")]), False))
    run_blocking(s.write_chunk(b"abc", False))
    assert run_blocking(s.finish_server())
    assert io.wire().endswith(b"3\r\nabc\r\n0\r\n\r\n")


def test_bad_head_raises_h1error_with_status():
    io = ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n"])
    c = H1Connection(io, SERVER)
    e = raises(H1Error, run_blocking, c.get_next_incoming_stream())
    assert e.status_hint == 400
    r = error_response(e.status_hint)
    assert r.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"\r\nconnection: close\r\n" in r
    io = ScriptIO([b"GET / HTTP/1.1\r\nHo"])       # EOF mid-head
    c = H1Connection(io, SERVER)
    raises((ConnectionClosed, H1Error), run_blocking, c.get_next_incoming_stream())


def test_header_timeout_after_first_byte():
    io = ScriptIO([b"GET / HTTP/1.1\r\n", TIMEOUT])
    c = H1Connection(io, SERVER, header_timeout=5)
    raises(Timeout, run_blocking, c.get_next_incoming_stream())


def test_client_stream_unget_each_chunk_and_max_size():
    io = ScriptIO([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
                   b"6\r\n world\r\n0\r\nX-T: 1\r\n\r\n"])
    c = H1Connection(io, CLIENT)
    s = c.new_stream()
    run_blocking(s.write_headers(Headers([(":method", "GET"), (":path", "/"), (":authority", "h"),
                                          (":scheme", "http")]), True))
    assert io.wire() == b"GET / HTTP/1.1\r\nhost: h\r\n\r\n"
    h = run_blocking(s.get_headers())
    assert h.get(":status") == b"200"
    c1 = run_blocking(s.get_next_chunk())
    assert c1 == b"hello"
    s.unget(c1)

    async def collect():
        out = []
        async for ch in s.each_chunk():
            out.append(bytes(ch))
        return out
    assert run_blocking(collect()) == [b"hello", b" world"]
    t = run_blocking(s.get_headers())
    assert t.get("x-t") == b"1"
    # max_size
    io = ScriptIO([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"])
    c = H1Connection(io, CLIENT)
    s = c.new_stream()
    run_blocking(s.write_headers(Headers([(":method", "GET"), (":path", "/"), (":authority", "h"),
                                          (":scheme", "http")]), True))
    run_blocking(s.get_headers())
    e = raises(BodyTooLarge, run_blocking, s.get_body_as_string(None, 5))
    assert str(e) == "body larger than 5 bytes", str(e)    # (its text: _stream_more)


def test_write_body_from_file_and_string():
    import io as _io_mod
    io = ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    run_blocking(s.write_headers(_resp("200", b"x" * 10), False))
    run_blocking(s.write_body_from_file(_io_mod.BytesIO(b"0123456789abc"), None, 10))
    assert io.wire().endswith(b"\r\n\r\n0123456789")
    # lua-http's write_body_from_file(file, timeout): the second argument is a timeout (a
    # ported call's 5 sends the whole file), count a keyword
    io = ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    run_blocking(s.write_headers(Headers([(":status", "200")]), False))
    run_blocking(s.write_body_from_file(_io_mod.BytesIO(b"0123456789"), 5))
    assert io.wire().endswith(b"a\r\n0123456789\r\n0\r\n\r\n"), io.wire()
    io = ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    run_blocking(s.write_headers(_resp("200", b"x" * 4), False))
    run_blocking(s.write_body_from_file(_io_mod.BytesIO(b"0123456789"), count=4))
    assert io.wire().endswith(b"\r\n\r\n0123")
    io = ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    run_blocking(s.write_headers(Headers([(":status", "200")]), False))
    run_blocking(s.write_body_from_string("héllo"))
    assert io.wire().endswith(b"6\r\nh\xc3\xa9llo\r\n0\r\n\r\n")


def test_tunnel_after_101():
    io = ScriptIO([b"GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\nraw1",
                   b"raw2", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    assert run_blocking(s.get_next_chunk()) is None       # the request had no body
    run_blocking(s.write_headers(Headers([(":status", "101"), ("upgrade", "x"),
                                          ("connection", "upgrade")]), False))
    assert run_blocking(s.get_next_chunk()) == b"raw1"
    assert run_blocking(s.get_next_chunk()) == b"raw2"
    run_blocking(s.write_chunk(b"\x00\xffbytes", False))
    assert io.wire().endswith(b"\r\n\r\n\x00\xffbytes")
    assert run_blocking(s.get_next_chunk()) is None
    assert not run_blocking(s.finish_server())


def test_rare_methods_loaded_on_first_use():
    # Methods moved out of h1_connection / stream_common / _io (board RAM: mhttp._lazy
    # and module __getattr__) work as before, and the names stay importable.
    import mhttp.stream_common as sc
    import mhttp._stream_more as sm
    import mhttp._io as _io
    import mhttp._io_stream as ios
    import mhttp._io_socket as isock
    import mhttp.h1_connection as hc
    assert sc.BodyTooLarge is sm.BodyTooLarge and sc.EachChunk is sm.EachChunk
    assert issubclass(sc.BodyTooLarge, hc.Error)
    assert _io.StreamIO is ios.StreamIO and _io.Reaper is ios.Reaper
    assert _io.SocketIO is isock.SocketIO
    assert b"400 Bad Request" in hc.error_response(400)
    raises(AttributeError, getattr, sc, "nope")
    raises(AttributeError, getattr, _io, "nope")
    io = ScriptIO([b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n", b""])
    c = H1Connection(io, SERVER)
    assert not hasattr(c, "nope")
    s = run_blocking(c.get_next_incoming_stream())
    assert not c.checktls() and c.alpn() is None
    assert c.peername() == ("127.0.0.1", 1) and c.localname() == ("127.0.0.1", 2)
    run_blocking(c.connect())
    assert s.connection is c and s.get_method() == b"GET"
    assert not hasattr(s, "nope")
    run_blocking(s.write_continue())
    assert io.sent[-1] == b"HTTP/1.1 100 Continue\r\n\r\n"
    run_blocking(s.write_headers(Headers([(":status", "200")]), False))
    run_blocking(s.write_chunk(b"abc"))
    run_blocking(s.write_trailers(Headers([("x-t", "1")])))
    assert io.wire().endswith(b"3\r\nabc\r\n0\r\nx-t: 1\r\n\r\n")
    s.shutdown()
    c.shutdown()
    assert not c.p.keep_alive
    run_blocking(c.close())
    assert c.closed and io.closed


def test_server_half_lazy_and_client_does_not_load_it():
    # The server-only half (in mhttp._h1_server with mhttp.h1's, board RAM) keeps its
    # public names importable from h1_connection, and a client's exchange never loads it.
    import sys
    import mhttp.h1_connection as hc
    import mhttp._h1_server as hs
    assert hc.http_date is hs.http_date
    assert hc.MAX_DRAIN == hs.MAX_DRAIN == 65536
    assert hc.MIN_CLOCK_YEAR == hs.MIN_CLOCK_YEAR
    assert hc.SERVER_NAME == hs.SERVER_NAME == b"mhttp"
    raises(AttributeError, getattr, hc, "end_exchange")
    saved = sys.modules.pop("mhttp._h1_server")
    try:
        io = ScriptIO([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                       b"HTTP/1.1 204 No Content\r\n\r\n"])
        c = H1Connection(io, CLIENT)
        for i in range(2):
            s = c.new_stream()
            run_blocking(s.write_headers(Headers([(":method", "GET"), (":path", "/"),
                                                  (":authority", "h"), (":scheme", "http")]),
                                         True))
            run_blocking(s.get_headers())
            run_blocking(s.get_body_as_string())
        assert "mhttp._h1_server" not in sys.modules
    finally:
        sys.modules["mhttp._h1_server"] = saved
    # and a server connection's exchange, end and finish_server work from it
    io = ScriptIO([b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    run_blocking(s.write_headers(_resp("200", b"hi"), False))
    run_blocking(s.write_chunk(b"hi", True))
    assert run_blocking(s.finish_server()) and c.end_exchange()
    assert c.stream is None and b"\r\nserver: mhttp\r\n" in io.wire()


def test_error_texts_loaded_by_the_first_error_with_their_class():
    # h1_connection's exception texts live in mhttp._h1c_text (board RAM); a plain client
    # and server exchange never load it; each error keeps its class and text.
    import sys
    import mhttp.h1_connection as hc
    from mhttp.errors import Error
    saved = sys.modules.pop("mhttp._h1c_text", None)
    try:
        io = ScriptIO([b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"])
        c = H1Connection(io, CLIENT)
        s = c.new_stream()
        run_blocking(s.write_headers(Headers([(":method", "GET"), (":path", "/"),
                                              (":authority", "h"), (":scheme", "http")]), True))
        run_blocking(s.get_headers())
        assert run_blocking(s.get_body_as_string()) == b"ok"
        io = ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", b""])
        c2 = H1Connection(io, SERVER)
        s2 = run_blocking(c2.get_next_incoming_stream())
        _answer(s2, "200", b"hi")
        assert run_blocking(s2.finish_server())
        assert "mhttp._h1c_text" not in sys.modules
        # misuses and a peer that went away: the class and text they always had
        e = raises(Error, H1Connection(ScriptIO([]), SERVER).new_stream)
        assert str(e) == "new_stream: only a client connection opens streams"
        assert "mhttp._h1c_text" in sys.modules
        c = H1Connection(ScriptIO([b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nok", b""]),
                         CLIENT)
        s = c.new_stream()
        run_blocking(s.write_headers(Headers([(":method", "GET"), (":path", "/"),
                                              (":authority", "h"), (":scheme", "http")]), True))
        run_blocking(s.get_headers())
        e = raises(Error, c.new_stream)
        assert str(e) == ("new_stream: the previous request/response is not finished (read "
                          "the response body to the end first)")
        e = hc._err(ConnectionClosed, 0)
        assert type(e) is ConnectionClosed and str(e) == "peer closed the connection mid-message"
        c = H1Connection(ScriptIO([b""]), CLIENT)
        s = c.new_stream()
        run_blocking(s.write_headers(Headers([(":method", "GET"), (":path", "/"),
                                              (":authority", "h"), (":scheme", "http")]), True))
        e = raises(ConnectionClosed, run_blocking, s.get_headers())
        assert str(e) == "peer closed the connection before a response"
        e = raises(Error, run_blocking, s.write_headers(Headers([(":method", "GET")]), True))
        c = H1Connection(ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"]), SERVER)
        s = run_blocking(c.get_next_incoming_stream())
        e = raises(Error, run_blocking, s.write_headers(Headers([("x", "1")]), True))
        assert str(e) == "write_headers: a response needs a :status field"
        assert str(hc._err(Timeout, 5, 2.5)) == "request body not complete within 2.5s"
        assert type(hc._err(ConnectionClosed, 3)) is ConnectionClosed
        assert str(hc._err(ConnectionClosed, 3)) == "connection is not reusable (keep-alive ended)"
        # no heap left for the texts (or a deployment without them): same class, bare text
        sys.modules["mhttp._h1c_text"] = None
        e = hc._err(ConnectionClosed, 4)
        assert type(e) is ConnectionClosed and str(e) == "#4"
    finally:
        sys.modules.pop("mhttp._h1c_text", None)
        if saved is not None:
            sys.modules["mhttp._h1c_text"] = saved


def test_error_raise_site_comments_match_the_texts():
    # Each `_err(Class, N, ...)` in h1_connection (and its server half in _h1_server and
    # _server_h1rare, which use the same _err) carries entry N of mhttp._h1c_text as its
    # comment (on its line or just above), and every entry is used.
    import sys
    if sys.implementation.name != "cpython":
        return
    import mhttp.h1_connection as hc
    import mhttp._h1_server as hs
    import mhttp._server_h1rare as hr
    from mhttp._h1c_text import text
    seen = set()
    for f, i, n, comment in raise_sites((hc.__file__, hs.__file__, hr.__file__),
                                        r"\b_err\(\w+, (\d+)"):
        assert comment == text[n], (f, i, comment, text[n])
        seen.add(n)
    assert seen == set(range(len(text)))


def test_h1_names_still_importable_and_private_copies_agree():
    # h1_connection keeps mhttp.h1's CLIENT, SERVER and EV_* reachable (module
    # __getattr__), and its private const() copies agree with them.
    import mhttp.h1 as h1
    import mhttp.h1_connection as hc
    for n in ("CLIENT", "SERVER", "EV_HEADERS", "EV_DATA", "EV_TRAILERS", "EV_CLOSED"):
        assert getattr(hc, n) == getattr(h1, n)
    from mhttp.h1_connection import EV_DATA, CLIENT as C
    assert EV_DATA == h1.EV_DATA and C == h1.CLIENT
    import sys
    if sys.implementation.name == "cpython":   # MicroPython inlines the const()s
        for n in ("CLIENT", "SERVER", "EV_HEADERS", "EV_DATA", "EV_TRAILERS", "EV_CLOSED"):
            assert hc.__dict__["_" + n] == getattr(h1, n)
        import mhttp._h1_server as hs      # (its own copies of two of them)
        for n in ("EV_HEADERS", "EV_CLOSED"):
            assert hs.__dict__["_" + n] == getattr(h1, n)
    # lua-http's connection.type (H2Connection's too), per connection (on MicroPython a
    # property bound to the class on first use: a client that never reads it interns
    # neither name)
    assert H1Connection(ScriptIO([]), h1.CLIENT).type == "client"
    assert H1Connection(ScriptIO([]), h1.SERVER).type == "server"
    assert H1Connection(ScriptIO([]), h1.CLIENT).type == "client"
    raises(AttributeError, getattr, hc, "EV_NOPE")


def test_tunnel_reader_is_rare_and_ends_at_eof():
    # Reading after an upgrade lives in mhttp._h1c_stream (_tunnel); a close mid-tunnel
    # ends it (None, then None again).
    import sys
    import mhttp.h1_connection as hc
    assert "_tunnel_eof" not in hc.H1Stream.__dict__
    io = ScriptIO([b"CONNECT h:1 HTTP/1.1\r\nHost: h:1\r\n\r\nab", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    run_blocking(s.write_headers(Headers([(":status", "200")]), False))
    assert c.p.upgraded
    assert run_blocking(s.get_next_chunk()) == b"ab"
    assert "mhttp._h1c_stream" in sys.modules
    assert run_blocking(s.get_next_chunk()) is None
    assert run_blocking(s.get_next_chunk()) is None


def test_end_exchange_after_an_upgrade_ends_the_connection_quietly():
    # A WebSocket (or any 101 tunnel) over HTTP/1.1 closes cleanly: both sides done, the
    # connection not reusable.  end_exchange says so (False) without asking the core for
    # a next cycle (which raised, and loaded the error texts, on every clean close).
    io = ScriptIO([b"GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\nraw1",
                   b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    run_blocking(s.get_next_chunk())
    run_blocking(s.write_headers(Headers([(":status", "101"), ("upgrade", "x"),
                                          ("connection", "upgrade")]), False))
    assert run_blocking(s.get_next_chunk()) == b"raw1"
    assert run_blocking(s.get_next_chunk()) is None
    run_blocking(s.write_chunk(b"bye", True))
    assert c.p.our_done and c.p.their_done and c.p.upgraded
    assert c.end_exchange() is False
    assert c.stream is None


def test_server_connection_sizes_its_attribute_table_at_set_up():
    # Board RAM: a server connection sets the fields its exchanges write at construction
    # (MicroPython: the attribute table takes its final size then, not step by step in
    # the middle of its first request), and a plain exchange adds none; a client
    # connection does not carry them.
    io = ScriptIO([b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n", b""])
    c = H1Connection(io, SERVER)
    want = sorted(c.__dict__)
    assert [n for n in ("idle", "requests", "stream") if n in want] == ["idle", "requests",
                                                                        "stream"]
    assert c.idle is False and c.requests == 0 and c.stream is None
    assert ("_held" in want) == c.hold_head
    s = run_blocking(c.get_next_incoming_stream())
    run_blocking(s.get_headers())
    _answer(s, "200", b"A")
    assert run_blocking(s.finish_server())
    c.idle = True
    assert sorted(c.__dict__) == want
    cl = H1Connection(ScriptIO([]), CLIENT)
    assert "idle" not in cl.__dict__ and "requests" not in cl.__dict__


def test_handler_that_answers_nothing_gets_a_500_with_content_length_0():
    io = ScriptIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", b""])
    c = H1Connection(io, SERVER)
    s = run_blocking(c.get_next_incoming_stream())
    assert run_blocking(s.finish_server())
    assert io.wire().startswith(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n")
    assert s.status == b"500"
