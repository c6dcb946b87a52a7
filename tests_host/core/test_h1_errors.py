# mhttp.h1's error texts live in mhttp._h1_text, loaded by the first error (portable:
# pytest and tools/mptest.py).
import sys

from mhttp.h1 import (H1Protocol, CLIENT, SERVER, EV_HEADERS, EV_DATA, EV_TRAILERS,
                      _err)
from mhttp.headers import Headers
from mhttp.errors import H1Error, ProtocolError
from _t import raises, events, MICROPYTHON, raise_sites


def _forget_text():
    sys.modules.pop("mhttp._h1_text", None)

# H1Protocol's methods in mhttp._h1_rare (the str in mhttp.h1's __getattr__ and settle()).
RARE = "send_trailers send_continue _bad_field_line _r_rare"


def _forget_rare():
    # Unbinds mhttp._h1_rare's methods (a previous test may have bound them) and forgets it.
    # Only on MicroPython: CPython binds them at import (see the end of mhttp.h1).
    if not MICROPYTHON:
        return
    for n in RARE.split():
        if n in H1Protocol.__dict__:
            delattr(H1Protocol, n)
    sys.modules.pop("mhttp._h1_rare", None)


def test_plain_exchange_loads_neither_texts_nor_rare_methods():
    _forget_text()
    _forget_rare()
    s = H1Protocol(SERVER)
    # (the second Host with a port: checked without mhttp._h1_rare too)
    s.receive_data(b"GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n"
                   b"POST /b HTTP/1.1\r\nHost: 192.168.4.1:8080\r\nContent-Length: 3\r\n\r\nab")
    ev = s.next_event()
    assert ev[0] == EV_HEADERS and ev[1].get(b":path") == b"/a"
    s.send_headers(Headers(((b":status", b"200"), (b"content-length", b"2"))))
    s.send_data(b"ok", True)
    s.start_next_cycle()
    evs = events(s)
    assert evs[0][0] == EV_HEADERS and evs[1] == (EV_DATA, b"ab", False)
    s.receive_data(b"c")
    assert events(s) == [(EV_DATA, b"c", True)]
    s.send_headers(Headers(((b":status", b"204"),)), True)
    s.start_next_cycle()
    c = H1Protocol(CLIENT)
    c.send_headers(Headers(((b":method", b"GET"), (b":path", b"/"), (b":authority", b"h"))),
                   True)
    c.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert events(c)[-1] == (EV_DATA, b"ok", True)
    assert "mhttp._h1_text" not in sys.modules
    assert "mhttp._h1_rare" not in sys.modules or not MICROPYTHON


def test_chunked_readers_loaded_on_first_use_then_called_directly():
    _forget_rare()
    s = H1Protocol(SERVER)
    s.receive_data(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"3\r\nabc\r\n")
    evs = events(s)
    assert evs[0][0] == EV_HEADERS and evs[1] == (EV_DATA, b"abc", False)
    assert "mhttp._h1_rare" in sys.modules
    from mhttp import _h1_rare
    assert H1Protocol.__dict__["_r_rare"] is _h1_rare._r_rare
    s.receive_data(b"0\r\n")                   # the last chunk apart from the empty trailer
    assert events(s) == []
    s.receive_data(b"\r\n")
    assert events(s) == [(EV_DATA, b"", True)]
    c = H1Protocol(CLIENT)
    c.send_headers(Headers(((b":method", b"GET"), (b":path", b"/"), (b":authority", b"h"))),
                   True)
    c.receive_data(b"HTTP/1.0 200 OK\r\n\r\nuntil close")
    assert events(c)[1] == (EV_DATA, b"until close", False)
    c.receive_data(b"")
    assert c.next_event() == (EV_DATA, b"", True)


def test_200_needs_no_reason_table():
    # The 200 status line is built in; another code loads mhttp._reasons (same bytes).
    sys.modules.pop("mhttp._reasons", None)
    from mhttp import _h1_server
    _h1_server._STATUS_LINES.clear()
    _h1_server._STATUS_LINES[200] = b"HTTP/1.1 200 OK\r\n"
    s = H1Protocol(SERVER)
    s.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    s.next_event()
    out = s.send_headers(Headers(((b":status", b"200"), (b"content-length", b"0"))), True)
    assert out == b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
    assert "mhttp._reasons" not in sys.modules
    s.start_next_cycle()
    s.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    s.next_event()
    out = s.send_headers(Headers(((b":status", b"404"), (b"content-length", b"0"))), True)
    assert out.startswith(b"HTTP/1.1 404 Not Found\r\n") and "mhttp._reasons" in sys.modules
    from mhttp._reasons import reason
    assert reason(200) == b"OK"


def test_head_in_parts_loads_its_checks_on_first_use():
    # A head that arrives whole never reaches _head_incomplete (mhttp._h1_rare); one in
    # parts does, and the checks still answer garbage at once.
    _forget_rare()
    s = H1Protocol(SERVER)
    s.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.next_event()[0] == EV_HEADERS and s.next_event() is None
    assert "mhttp._h1_rare" not in sys.modules or not MICROPYTHON
    s = H1Protocol(SERVER)
    s.receive_data(b"GET / HTTP/1.1\r\nHo")
    assert s.next_event() is None and "mhttp._h1_rare" in sys.modules
    s.receive_data(b"st: x\r\n\r\n")
    assert s.next_event()[0] == EV_HEADERS
    s = H1Protocol(SERVER)
    s.receive_data(b"GET / HTTP/1.1\nHost")
    assert str(raises(H1Error, s.next_event)).startswith("bare LF in the message head")
    s = H1Protocol(SERVER)
    s.receive_data(b"GET / HTTP/1.1\r\n")
    s.receive_data(b"")
    e = raises(H1Error, s.next_event)
    assert str(e) == "connection closed in the middle of a message head"


def test_rare_methods_bound_on_first_use():
    _forget_rare()
    s = H1Protocol(SERVER)
    s.receive_data(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                   b"Expect: 100-continue\r\n\r\n")
    assert events(s)[0][0] == EV_HEADERS and s.expect_continue
    assert s.send_continue() == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert "mhttp._h1_rare" in sys.modules and "send_continue" in H1Protocol.__dict__
    s.receive_data(b"1\r\na\r\n0\r\nX-T: 1\r\nContent-Type: y\r\n\r\n")
    evs = events(s)
    assert evs[0] == (EV_DATA, b"a", False) and evs[-1][0] == EV_TRAILERS
    assert list(evs[-1][1]) == [(b"x-t", b"1", False)]     # content-type dropped (§6.5.1)
    s.send_headers(Headers(((b":status", b"200"),)))
    assert s.send_trailers(Headers(((b"x-sum", b"9"),))) == b"0\r\nx-sum: 9\r\n\r\n"
    s.start_next_cycle()
    s.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n")
    e = raises(H1Error, s.next_event)
    assert str(e) == "invalid field name b'Bad Name'"
    for n in ("send_trailers", "send_continue", "_bad_field_line"):
        assert n in H1Protocol.__dict__, n
    assert not hasattr(s, "nope") and not hasattr(s, "send_trailer")


def test_cpython_binds_rare_methods_at_import():
    # A class with __getattr__ loses CPython's attribute specialisation (~2x slower self.x):
    # there the rare methods are bound at import and __getattr__ is gone.
    if MICROPYTHON:
        return
    import mhttp.h1 as h1
    assert "__getattr__" not in H1Protocol.__dict__
    # (a table of mhttp._lazy.bind: the module, then the names)
    assert open(h1.__file__, encoding="utf-8").read().count('"_h1_rare %s"' % RARE) == 2
    for n in RARE.split():
        assert n in H1Protocol.__dict__, n


def test_peer_error_text_status_and_class():
    _forget_text()
    s = H1Protocol(SERVER)
    s.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n")
    e = raises(H1Error, s.next_event)
    assert str(e).startswith("obs-fold: a field line starts with whitespace (RFC 9112 §5.2")
    assert e.status_hint == 400
    assert "mhttp._h1_text" in sys.modules
    s = H1Protocol(SERVER, max_header_bytes=100)
    s.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 200 + b"\r\n\r\n")
    e = raises(H1Error, s.next_event)
    assert str(e) == "header section larger than 100 bytes" and e.status_hint == 431
    s = H1Protocol(SERVER)
    s.receive_data(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n")
    e = raises(H1Error, s.next_event)
    assert str(e) == "unsupported HTTP version b'HTTP/2.0'" and e.status_hint == 505
    s = H1Protocol(SERVER, max_body=10)
    s.receive_data(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n")
    e = raises(H1Error, s.next_event)
    assert str(e) == "Content-Length 11 exceeds the body limit 10" and e.status_hint == 413


def test_own_side_error_is_a_protocol_error_not_h1error():
    s = H1Protocol(SERVER)
    s.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    s.next_event()
    s.send_headers(Headers(((b":status", b"200"), (b"content-length", b"2"))))
    e = raises(ProtocolError, s.send_data, b"abc")
    assert not isinstance(e, H1Error)
    assert str(e) == "3 body bytes exceed the content-length (2 left)"
    c = H1Protocol(CLIENT)
    e = raises(ProtocolError, c.send_headers, Headers(((b":path", b"/"),)))
    assert str(e) == "invalid or missing :method" and not isinstance(e, H1Error)


def test_every_code_has_a_line():
    from mhttp._h1_text import text
    lines = text.split("\n")
    assert lines[-1] == "" and "" not in lines[:-1]
    for n in range(len(lines) - 1):
        e = _err(n, None, 400)
        assert isinstance(e, H1Error) and str(e) == lines[n]
    assert str(_err(len(lines) - 2, None, None)) == lines[-2]


def test_raise_site_comments_match_the_table():
    # Each `_err(N, ...)` in the sources carries line N of the table as its comment (on
    # its own line or just above); keeps the sources readable and the table honest.
    if MICROPYTHON:
        return
    import os
    import mhttp.h1
    from mhttp._h1_text import text
    lines = text.split("\n")
    d = os.path.dirname(mhttp.h1.__file__)
    seen = 0
    paths = [os.path.join(d, f) for f in ("h1.py", "_h1_server.py", "_h1_client.py",
                                          "_h1_rare.py")]
    for f, i, n, comment in raise_sites(paths, r"\b_err\((\d+)"):
        assert comment == lines[n], (f, i, comment, lines[n])
        seen += 1
    assert seen >= len(lines) - 1


def test_halves_private_copies_agree():
    # _h1_server's private const()s repeat mhttp.h1's public EV_HEADERS and the classes
    # (CPython: the allowed sets from mhttp._h1_cpy, as in mhttp.h1).
    import mhttp.h1 as h1
    import mhttp._h1_server as srv
    if MICROPYTHON:
        assert not hasattr(srv, "_TOKEN") and not hasattr(srv, "_EV_HEADERS")
        return
    assert srv._EV_HEADERS == h1.EV_HEADERS
    for n in ("_TOKEN", "_VCHAR", "_HOST", "_bad"):
        assert getattr(srv, n) == getattr(h1, n), n


def test_state_consts_repeated_in_the_halves_agree():
    # The receive/send states are private consts (inlined on MicroPython, so only CPython
    # can read them as globals); the role halves repeat the ones they use.
    if MICROPYTHON:
        return
    import mhttp.h1 as h1
    import mhttp._h1_server as srv
    import mhttp._h1_client as cli
    import mhttp._h1_rare as rare
    names = [n for n in dir(h1) if n.startswith("_RS_") or n.startswith("_SS_")]
    assert len(names) == 17
    for m in (srv, cli, rare):
        mine = [n for n in dir(m) if n.startswith("_RS_") or n.startswith("_SS_")]
        assert mine
        for n in mine:
            assert getattr(m, n) == getattr(h1, n), (m.__name__, n)


def test_texts_unavailable_still_give_class_and_status():
    # With no heap left for mhttp._h1_text (or a deployment without it) the error keeps
    # its class and status hint; only the text is bare.
    import mhttp
    saved = sys.modules.pop("mhttp._h1_text", None)
    had = "_h1_text" in mhttp.__dict__
    if had:
        attr = mhttp._h1_text
        delattr(mhttp, "_h1_text")
    sys.modules["mhttp._h1_text"] = None          # makes the import fail
    try:
        e = _err(13, 100, 431)
        assert isinstance(e, H1Error) and e.status_hint == 431
        assert str(e) == "HTTP/1.1 error #13"
        e = _err(12, None, None)
        assert isinstance(e, ProtocolError) and not isinstance(e, H1Error)
    finally:
        del sys.modules["mhttp._h1_text"]
        if saved is not None:
            sys.modules["mhttp._h1_text"] = saved
        if had:
            setattr(mhttp, "_h1_text", attr)
    assert str(_err(13, 100, 431)) == "header section larger than 100 bytes"


def test_target_forms_other_than_origin_form_use_the_rare_module():
    _forget_rare()
    s = H1Protocol(SERVER)
    s.receive_data(b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
    assert s.next_event()[1].get(b":authority") == b"h"
    assert "mhttp._h1_rare" not in sys.modules or not MICROPYTHON
    s.send_headers(Headers(((b":status", b"204"), (b"content-length", b"0"))), True)
    assert "mhttp._h1_rare" in sys.modules       # a 204's content-length is dropped there
    s.start_next_cycle()
    s.receive_data(b"GET http://a.example:81/p HTTP/1.1\r\nHost: h\r\n\r\n")
    h = s.next_event()[1]
    assert list(h)[:4] == [(b":method", b"GET", False), (b":path", b"/p", False),
                           (b":scheme", b"http", False), (b":authority", b"a.example:81", False)]
    assert len(h) == 4 and s.absolute_target == b"http://a.example:81/p"   # Host ignored


def test_public_names_of_private_consts():
    # mhttp.h1's CLIENT, SERVER and EV_* are private const()s served by its module
    # __getattr__; the modules that use them repeat them, and the copies agree.
    import mhttp.h1 as h1
    assert (h1.CLIENT, h1.SERVER) == (0, 1)
    assert (h1.EV_HEADERS, h1.EV_DATA, h1.EV_TRAILERS, h1.EV_CLOSED) == (1, 2, 3, 4)
    from mhttp.h1 import EV_CLOSED, SERVER
    assert EV_CLOSED == 4 and SERVER == 1
    raises(AttributeError, getattr, h1, "EV_NOPE")
    raises(AttributeError, getattr, h1, "_EV_NOPE")
    import mhttp._h1_client as cli
    for n in ("_TOKEN", "_VCHAR", "_HOST"):
        # const()s on MicroPython (inlined: no global in mhttp.h1 nor in its client half,
        # which repeats them); on CPython the allowed sets, the same in both
        if MICROPYTHON:
            assert n not in h1.__dict__ and n not in cli.__dict__, n
        else:
            assert getattr(cli, n) == getattr(h1, n) and type(h1.__dict__[n]) is bytes, n
    if MICROPYTHON:
        return
    import mhttp._h1_rare as rare
    import mhttp._h1c_stream as cs
    for m, names in ((h1, "_CLIENT _SERVER _EV_HEADERS _EV_DATA _EV_TRAILERS _EV_CLOSED"),
                     (rare, "_SERVER _EV_DATA _EV_TRAILERS _EV_CLOSED"), (cs, "_EV_DATA")):
        for n in names.split():
            assert getattr(m, n) == getattr(h1, n[1:]), (m.__name__, n)
    for n in ("_TOKEN", "_VCHAR", "_HOST", "_VALUE", "_HEX"):
        assert isinstance(getattr(h1, n), bytes), n     # the allowed sets (mhttp._h1_cpy)
    for n in ("_TOKEN", "_HOST", "_VALUE", "_HEX"):
        assert getattr(rare, n) == getattr(h1, n), n
