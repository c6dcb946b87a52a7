# The rarely used parts of mhttp.ws / mhttp.websocket live in modules loaded on first use
# (mhttp._ws_server, mhttp._ws_rare, mhttp._ws_more; board RAM).  These tests check that
# every public name still works through its usual module, on both runtimes (pytest and
# tools/mptest.py).  tests_host/test_ws_lazy_imports.py checks, in fresh interpreters, that
# a client exchanging binary messages does not load them.
from mhttp import websocket
from mhttp import ws as W
from mhttp.errors import ProtocolError, WSError
from mhttp._io import run_blocking
from _t import raises
from test_websocket_api import FakeStream


def test_handshake_error_is_one_class_everywhere():
    from mhttp.ws import HandshakeError
    from mhttp._ws_server import HandshakeError as H2
    from mhttp._ws_hserr import HandshakeError as H3
    assert HandshakeError is W.HandshakeError is websocket.HandshakeError is H2 is H3
    assert isinstance(W._hs_error("z", 426), HandshakeError)
    assert issubclass(HandshakeError, ProtocolError)
    e = HandshakeError("x", 426, [(b"sec-websocket-version", b"13")])
    assert e.status_hint == 426 and e.headers == [(b"sec-websocket-version", b"13")]
    assert HandshakeError("y").status_hint == 400


def test_module_getattr_names_and_misses():
    from mhttp.ws import server_handshake, _valid_key, deflate_available
    assert _valid_key(b"dGhlIHNhbXBsZSBub25jZQ==")
    assert not _valid_key(b"short")
    inf, dfl = deflate_available()
    assert inf in (True, False) and dfl in (True, False)
    h, chosen, exts = server_handshake(W.client_request(b"a.example", b"/", W.client_key()))
    assert h.get(b":status") == b"101" and chosen is None and exts == []
    for mod in (W, websocket):
        assert not hasattr(mod, "no_such_name")
    assert callable(websocket.new_from_stream) and callable(websocket.reject)
    assert callable(websocket.connect) and callable(websocket.connect_blocking)
    from mhttp.websocket import connect, connect_blocking    # noqa: F401
    # the __getattr__ bodies live in mhttp._ws_rare / _ws_more; a dunder miss (an import
    # asks for __path__) is answered without them, even while they are half imported
    for mod in (W, websocket):
        for name in ("__path__", "__no_such__"):
            raises(AttributeError, getattr, mod, name)
    assert W._hs_error(20, 426).status_hint == 426


def test_client_handshake_failure_raises_handshake_error():
    key = W.client_key()
    from mhttp.headers import Headers
    resp = Headers()
    resp.append(":status", b"200")
    e = raises(W.HandshakeError, W.client_check_response, resp, key)
    assert "101" in str(e) and e.status_hint == 0


def test_protocol_rare_methods_bound_on_first_use():
    p = W.WSProtocol(client=False)
    assert p.send_ping(b"hi") == b"\x89\x02hi"
    assert p.send_pong(b"") == b"\x8a\x00"
    assert p.send_frame(W.OP_BINARY, b"ab", False) == b"\x02\x02ab"
    assert "send_ping" in W.WSProtocol.__dict__      # stored on the class by _lazy.bind
    e = raises(WSError, p.send_frame, W.OP_PING, b"x" * 126)
    assert e.close_code == W.CLOSE_PROTOCOL_ERROR
    assert not hasattr(p, "no_such_method")
    c = W.WSProtocol(client=True)
    f = c.send_ping(b"abc")
    s = W.WSProtocol(client=False)
    s.receive_data(f)
    assert s.next_event() == (W.EV_PING, b"abc")


def test_control_frames_and_send_close_bound_on_first_use():
    # WSProtocol._control, send_close, _check_open live in mhttp._ws_close (bound by
    # mhttp._lazy on MicroPython, at import on CPython): close frames and the closing
    # handshake through them, both roles (pings and pongs are read by next_event itself)
    c = W.WSProtocol(client=True)
    s = W.WSProtocol(client=False)
    assert not hasattr(c, "_no_such_ctl")
    s.receive_data(c.send_ping(b"pi"))
    assert s.next_event() == (W.EV_PING, b"pi")
    pong = s.data_to_send()
    assert pong == b"\x8a\x02pi"
    c.receive_data(pong)
    assert c.next_event() == (W.EV_PONG, b"pi")
    s.receive_data(c.send_close(1001, "bye"))
    assert c.state == W.ST_CLOSING
    assert s.next_event() == (W.EV_CLOSE, 1001, "bye")
    for k in ("_control", "send_close", "_check_open"):
        assert k in W.WSProtocol.__dict__, k       # stored on the class
    assert s.state == W.ST_CLOSED and s.close_code == 1001
    echo = s.data_to_send()
    assert echo == b"\x88\x02\x03\xe9"
    c.receive_data(echo)
    assert c.next_event() == (W.EV_CLOSE, 1001, "")
    e = raises(WSError, c.send_message, b"late")             # _check_open's misuse error
    assert e.close_code == W.CLOSE_INTERNAL_ERROR
    e = raises(WSError, W.WSProtocol(client=False).send_close, 999)
    assert e.close_code == W.CLOSE_INTERNAL_ERROR
    q = W.WSProtocol(client=True)
    q.receive_data(b"\x88\x02\x03\xe7")                     # close code 999
    e = raises(WSError, q.next_event)
    assert e.close_code == W.CLOSE_PROTOCOL_ERROR


def test_pmd_accept_bound_on_first_use():
    r = W.PerMessageDeflate().accept([(b"client_max_window_bits", None)])
    assert r is not None
    value, neg = r
    assert value.startswith(b"permessage-deflate") and neg.negotiated
    assert W.PerMessageDeflate().accept([(b"bogus", None)]) is None
    assert not hasattr(W.PerMessageDeflate(), "no_such_method")


def test_utf8_checks():
    assert W.utf8_decode(b"plain ascii") == "plain ascii"
    assert W.utf8_decode("h\u00e9\u20ac".encode()) == "h\u00e9\u20ac"
    for bad in (b"\xc0\x80", b"\xed\xa0\x80", b"\xe0\x80\x80", b"\xf4\x90\x80\x80", b"\xff",
                b"a\x80"):
        assert W.utf8_decode(bad) is None, bad
    # text split across frames, the split inside a character
    p = W.WSProtocol(client=False)
    data = "\u00e9t\u00e9".encode()
    k = b"\x01\x02\x03\x04"
    p.receive_data(W.encode_frame(W.OP_TEXT, data[:1], False, 0, k)
                   + W.encode_frame(W.OP_CONT, data[1:], True, 0, k))
    assert p.next_event() == (W.EV_MESSAGE, "\u00e9t\u00e9", True)
    p = W.WSProtocol(client=False)
    p.receive_data(W.encode_frame(W.OP_TEXT, b"ok\xc0", False, 0, k))
    e = raises(WSError, p.next_event)
    assert e.close_code == W.CLOSE_INVALID_DATA


def _client(incoming):
    ws = websocket.WebSocket("client", False, blocking=True)
    st = FakeStream(incoming)
    st.connection.is_server = False
    ws._open(st, [], True)
    return ws, st


def _frames(st):
    s = W.WSProtocol(client=False)
    s.receive_data(b"".join(st.out))
    out = []
    while True:
        ev = s.next_event()
        if ev is None:
            return out
        out.append(ev)


def test_websocket_rare_methods():
    ws, st = _client([W.encode_frame(W.OP_BINARY, b"x"), W.encode_frame(W.OP_TEXT, b"y")])
    run_blocking(ws.send_ping(b"p"))
    run_blocking(ws.send_pong(b"q"))
    run_blocking(ws.send_frame("binary", b"raw"))
    run_blocking(ws.send(b"c", 9))            # a control opcode goes through send_frame
    assert _frames(st) == [(W.EV_PING, b"p"), (W.EV_PONG, b"q"), (W.EV_MESSAGE, b"raw", False),
                           (W.EV_PING, b"c")]
    assert [m for m in ws.each(1)] == [(b"x", "binary"), ("y", "text")]
    assert ws.close_code == W.CLOSE_ABNORMAL
    assert not hasattr(ws, "no_such_method")
    # the blocking face: each() (WebSocket.each through mhttp.blocking.Blocking) and
    # iteration give the plain iterator
    for it in (lambda b: b.each(1), lambda b: iter(b)):
        ws, st = _client([W.encode_frame(W.OP_BINARY, b"x"), W.encode_frame(W.OP_TEXT, b"y")])
        ws.timeout = 1
        b = websocket._blocking_class()(ws)
        i = it(b)
        assert type(i).__name__ == "_Iter" and i.ws is ws
        assert [m for m in i] == [(b"x", "binary"), ("y", "text")]
        assert ws.close_code == W.CLOSE_ABNORMAL


def test_websocket_answers_a_ping_through_flush_auto():
    # a ping from the server: the core queues the pong (in next_event itself), receive()
    # writes it with _flush_auto (a WebSocket method) and goes on to the message
    ws, st = _client([W.encode_frame(W.OP_PING, b"k"), W.encode_frame(W.OP_BINARY, b"m")])
    assert run_blocking(ws.receive(1)) == (b"m", "binary")
    assert _frames(st) == [(W.EV_PONG, b"k")]
    assert "_flush_auto" in websocket.WebSocket.__dict__


def test_websocket_abort():
    # abort (in mhttp._ws_more): the transport closes at once, no close frame
    ws, st = _client([W.encode_frame(W.OP_BINARY, b"x")])
    ws.abort()
    assert ws.ready_state == websocket.CLOSED and st.connection.aborted
    assert st.out == [] and run_blocking(ws.receive(1)) is None
    w = websocket.WebSocket("client")       # never connected: nothing to abort
    w.abort()
    assert w.ready_state == websocket.CLOSED


def test_websocket_failure_path():
    # _failed (in mhttp._ws_more): a masked frame from the server fails the connection
    ws, st = _client([W.encode_frame(W.OP_BINARY, b"x", True, 0, b"\x01\x02\x03\x04")])
    e = raises(WSError, run_blocking, ws.receive(1))
    assert e.close_code == W.CLOSE_PROTOCOL_ERROR == ws.close_code
    assert ws.ready_state == websocket.CLOSED and st.connection.aborted
    assert run_blocking(ws.receive(1)) is None


def test_no_heap_for_a_message_closes_with_1009():
    # A MemoryError while a message comes in (a board's heap: its buffers are the large
    # blocks) drops them and fails the connection with 1009 (RFC 6455 §7.4.1), the close
    # frame written, not a connection dropped without one.
    ws, st = _client([W.encode_frame(W.OP_BINARY, b"x" * 300)])
    p = ws.p

    def no_heap(data):
        raise MemoryError("memory allocation failed, allocating 15360 bytes")
    p.receive_data = no_heap
    e = raises(WSError, run_blocking, ws.receive(1))
    assert e.close_code == 1009 == ws.close_code
    assert str(e) == "no heap for the message being received (MemoryError)"
    assert ws.ready_state == websocket.CLOSED and st.connection.aborted
    assert _frames(st) == [(W.EV_CLOSE, 1009, "")]
    assert run_blocking(ws.receive(1)) is None


def test_error_texts_from_the_message_table():
    # mhttp.ws raises with message ids; the texts come from mhttp._ws_msg at the first error.
    from mhttp import _ws_msg, _ws_hs, _ws_open, _ws_gen, _ws_uri
    ids = [v for m in (W, websocket, _ws_hs, _ws_open, _ws_gen, _ws_uri)
           for k, v in m.__dict__.items()
           if k.startswith("_M_")]
    if ids:      # CPython (MicroPython inlines the const() ids: no module attributes)
        assert sorted(ids) == list(range(len(_ws_msg.MSG)))
    from mhttp import _ws_more
    assert _ws_msg.MSG[_ws_more._M_H2_NO_CONNECT].startswith("RFC 8441: the HTTP/2 server does not")
    e = raises(ValueError, websocket.parse_ws_uri, "ftp://x/")
    assert str(e) == "websocket: scheme must be ws or wss: 'ftp://x/'"
    e = raises(ValueError, websocket.parse_ws_uri, "ws://h:0/")
    assert str(e) == "websocket: bad port in 'ws://h:0/'"
    p = W.WSProtocol(client=True)
    p.receive_data(b"\xc2\x00")
    e = raises(WSError, p.next_event)
    assert str(e) == "RSV bits set without a negotiated extension" and e.close_code == 1002
    p = W.WSProtocol(client=True)
    p.receive_data(b"\x83\x00")
    assert str(raises(WSError, p.next_event)) == "unknown opcode 0x3"
    p = W.WSProtocol(client=True, max_frame_size=10)
    p.receive_data(b"\x82\x0b")
    assert str(raises(WSError, p.next_event)) == "frame of 11 bytes over max_frame_size 10"
    p = W.WSProtocol(client=True)
    p.receive_data(b"\x88\x02\x03\xec")
    assert str(raises(WSError, p.next_event)) == "invalid close code 1004 (\u00a77.4)"
    e = raises(WSError, W.WSProtocol().send_close, 1005)
    assert str(e) == "close code 1005 may not be sent (\u00a77.4)" and e.close_code == 1011
    from mhttp.headers import Headers
    resp = Headers()
    resp.append(":status", b"404")
    e = raises(W.HandshakeError, W.client_check_response, resp, W.client_key())
    assert str(e) == "\u00a74.1: the server answered b'404', not 101"


def test_public_constants_through_the_module():
    # OP_* / EV_* / ST_* / CLOSE_* are private const()s inside mhttp.ws (no globals on a
    # board); the public names come from its __getattr__ (CPython: plain globals).
    from mhttp.ws import OP_TEXT, EV_MESSAGE, ST_CLOSED, CLOSE_INTERNAL_ERROR
    assert (OP_TEXT, EV_MESSAGE, ST_CLOSED, CLOSE_INTERNAL_ERROR) == (1, 1, 2, 1011)
    want = {"OP_CONT": 0, "OP_TEXT": 1, "OP_BINARY": 2, "OP_CLOSE": 8, "OP_PING": 9,
            "OP_PONG": 10, "EV_MESSAGE": 1, "EV_FRAGMENT": 2, "EV_PING": 3, "EV_PONG": 4,
            "EV_CLOSE": 5, "ST_OPEN": 0, "ST_CLOSING": 1, "ST_CLOSED": 2,
            "CLOSE_NORMAL": 1000, "CLOSE_GOING_AWAY": 1001, "CLOSE_PROTOCOL_ERROR": 1002,
            "CLOSE_UNSUPPORTED_DATA": 1003, "CLOSE_NO_STATUS": 1005, "CLOSE_ABNORMAL": 1006,
            "CLOSE_INVALID_DATA": 1007, "CLOSE_POLICY_VIOLATION": 1008,
            "CLOSE_MESSAGE_TOO_BIG": 1009, "CLOSE_MANDATORY_EXTENSION": 1010,
            "CLOSE_INTERNAL_ERROR": 1011}
    for k in want:
        assert getattr(W, k) == want[k], k
    raises(AttributeError, getattr, W, "OP_NOPE")
    raises(AttributeError, getattr, W, "CLOSE_")
    raises(AttributeError, getattr, W, "1000")
    raises(AttributeError, getattr, W, "")
    raises(AttributeError, getattr, W, "OP_CONT=0 OP_TEXT")
    raises(AttributeError, getattr, W, "HandshakeError server_handshake")
    raises(AttributeError, getattr, W, "client_key accept_key")
    for k in want:                   # again: stored after the first read on MicroPython
        assert getattr(W, k) == want[k], k


def test_public_constant_reads_make_no_garbage():
    # MicroPython: a read of ws.EV_MESSAGE (say once per event) allocates nothing once
    # the name has been read (it once split the names str each time: ~3.8 KB a read).
    import gc
    if not hasattr(gc, "mem_alloc"):
        return
    x = W.EV_MESSAGE + W.CLOSE_INTERNAL_ERROR
    gc.collect()
    gc.disable()
    try:
        a = gc.mem_alloc()
        for i in range(100):
            x = W.EV_MESSAGE
            x = W.CLOSE_INTERNAL_ERROR
        b = gc.mem_alloc()
    finally:
        gc.enable()
    assert x == 1011
    assert b - a < 200, b - a


def _star(module):
    d = {}
    exec("from %s import *" % module, d)
    d.pop("__builtins__", None)
    return d


def test_star_import_gives_the_public_names():
    # `from mhttp.ws import *` and `from mhttp.websocket import *`: their __all__ is served
    # by the module __getattr__ (with the names it serves lazily), which CPython and
    # MicroPython 1.29 ask for.  MicroPython 1.27 reads only a real __all__ in the module
    # dict, else takes the dict's public names: there a star import gives the globals
    # (WSProtocol, encode_frame, ...) and not the lazy names (OP_*, EV_*, client_key, ...;
    # import those by name), README's known gaps.  A real __all__ would cost the ws client
    # ~2.3 KB (.mpy files) / 1.5 KB (ROMFS) of heap from import on (measured: the two
    # tuples, their interned names).  Which kind of runtime this is: a direct probe.
    import mhttp.ws
    import mhttp.websocket
    probe = _star("_star_probe")
    lazy_all = "served" in probe
    assert probe == ({"served": 1} if lazy_all else {"plain": 0})
    lazy = ("OP_TEXT", "EV_MESSAGE", "ST_OPEN", "CLOSE_NORMAL", "CLOSE_INTERNAL_ERROR",
            "client_key", "accept_key", "client_request", "client_check_response", "GUID")
    d = _star("mhttp.ws")
    for k in ("WSProtocol", "PerMessageDeflate", "encode_frame", "valid_close_code",
              "DEFAULT_MAX_SIZE") + (lazy if lazy_all else ()):
        assert k in d, k
    assert not [k for k in d if k[0] == "_"]
    if lazy_all:
        assert d["CLOSE_NORMAL"] == 1000 and d["OP_PONG"] == 10
    else:
        # the dict's public names, exactly (a constant read before is a global by now)
        g = mhttp.ws.__dict__
        assert sorted(d) == sorted(k for k in g if k[0] != "_")
        assert "client_key" not in d and "GUID" not in d
        for k in lazy:
            assert getattr(mhttp.ws, k) is not None, k     # served by name all the same
    d = _star("mhttp.websocket")
    # (the ready_state names are globals: in the star import without a lazy __all__ too)
    for k in ("WebSocket", "new_from_uri", "CONNECTING", "OPEN", "CLOSING", "CLOSED") + (
            ("parse_ws_uri",) if lazy_all else ()):
        assert k in d, k
    assert not [k for k in d if k[0] == "_"]
    if not lazy_all:
        g = mhttp.websocket.__dict__
        assert sorted(d) == sorted(k for k in g if k[0] != "_")
        assert "parse_ws_uri" not in d
        assert mhttp.websocket.parse_ws_uri


def test_permessage_deflate_methods_are_class_attributes():
    # params / offer / check_response / accept: methods of the class on both runtimes
    # (a subclass's super() call, PerMessageDeflate.params(obj), keyword arguments)
    P = W.PerMessageDeflate

    class Mine(P):
        def offer(self):
            return b"x" + super().offer()

    assert Mine().offer() == b"x" + P().offer()
    assert P.params(P()) == P().params()
    for n in ("params", "offer", "check_response", "accept"):
        assert hasattr(P, n), n
    got = P().check_response(params=[(b"server_no_context_takeover", None),
                                      (b"server_max_window_bits", b"10")])
    assert got.negotiated and got.server_max_window_bits == 10
    got = P().accept(params=[(b"client_max_window_bits", None)])
    assert got is not None and got[1].negotiated


def test_websocket_private_constants_match_the_core():
    # mhttp.websocket / mhttp._ws_more use their own const()s for the core's values
    # (CPython only: a const() is no global on MicroPython)
    if W.MICROPYTHON:
        return
    assert websocket._EV_MESSAGE == W.EV_MESSAGE
    assert websocket._EV_CLOSE == W.EV_CLOSE
    assert websocket._CLOSE_ABNORMAL == W.CLOSE_ABNORMAL
    assert websocket._ST_OPEN == W.ST_OPEN
    assert (W.OP_PING, W.OP_PONG) == (9, 10)    # mhttp._ws_more.send_ping / send_pong


def test_server_names_do_not_load_ws_more():
    # websocket.new_from_stream / reject come straight from mhttp._ws_server: a server
    # does not load mhttp._ws_more for them (MicroPython; CPython binds _ws_more's methods
    # at import anyway).
    import sys
    from mhttp import _ws_server
    if W.MICROPYTHON:
        sys.modules.pop("mhttp._ws_more", None)
    assert websocket.new_from_stream is _ws_server.new_from_stream
    assert websocket.reject is _ws_server.reject
    if W.MICROPYTHON:
        assert "mhttp._ws_more" not in sys.modules


def test_accept_refusal_answers_and_raises():
    # accept() checks the request again: a refusal there (here a second version field)
    # answers 426 and raises HandshakeError (mhttp._ws_server catches it through
    # ProtocolError: it does not import mhttp._ws_hserr until a refusal).
    from test_websocket_api import request
    st = FakeStream()
    ws = websocket.new_from_stream(st, request())
    ws.headers = request(extra=[(b"sec-websocket-version", b"8")])
    e = raises(W.HandshakeError, run_blocking, ws.accept())
    assert e.status_hint == 426
    assert ws.ready_state == websocket.CLOSED
    assert st.head.get(b":status") == b"426"
    assert st.head.get(b"sec-websocket-version") == b"13"


def test_ws_close_constants_mirror_mhttp_ws():
    # mhttp._ws_close and _ws_rare repeat mhttp.ws's private const() values they need
    # (opcodes, events, states, close codes, message ids; _ws_close mhttp.websocket's
    # ready_state values too): each
    # equals its module's own (CPython keeps them as module attributes; MicroPython
    # inlines them, nothing to compare there)
    from mhttp import _ws_close, _ws_rare
    rare = [(k, v) for k, v in _ws_rare.__dict__.items()
            if k[:1] == "_" and k[1:2].isupper() and isinstance(v, int)]
    mine = [(k, v) for k, v in _ws_close.__dict__.items()
            if k[:1] == "_" and k[1:2].isupper() and isinstance(v, int)]
    for k, v in mine + rare:
        if k in ("_CLOSING", "_CLOSED"):
            assert getattr(websocket, k[1:]) == v, k
        elif k == "_DRAIN_MAX":
            assert v == 1 << 20
        elif k in W.__dict__:
            assert W.__dict__[k] == v, k
        else:
            assert getattr(W, k[1:]) == v, k       # a public name (lazy) of mhttp.ws
    if W.__dict__.get("_OP_CLOSE") is not None:
        assert len(mine) >= 18 and len(rare) >= 9, (mine, rare)


def test_ready_state_names():
    # mhttp.websocket's ready_state values: public globals on every runtime (a star import
    # takes them, on MicroPython 1.27 too, and reading one loads nothing), private
    # const()s in the modules that set them (CPython keeps those as attributes: compared
    # there)
    assert (websocket.CONNECTING, websocket.OPEN, websocket.CLOSING, websocket.CLOSED) == \
        (0, 1, 2, 3)
    for k in ("CONNECTING", "OPEN", "CLOSING", "CLOSED"):
        assert k in websocket.__dict__, k
    if W.MICROPYTHON:
        return
    from mhttp import _ws_open, _ws_gen, _ws_server, _ws_close
    for m in (websocket, _ws_open, _ws_gen, _ws_server, _ws_close):
        for k in ("_CONNECTING", "_OPEN", "_CLOSING", "_CLOSED"):
            if k in m.__dict__:
                assert m.__dict__[k] == getattr(websocket, k[1:]), (m, k)


def test_error_names_of_the_websocket_modules():
    # mhttp.websocket's Error, Timeout, ConnectionClosed, ProtocolError and errors, and
    # mhttp.ws's errors: mhttp.errors' own objects, on MicroPython served by the module
    # __getattr__ (the modules import mhttp.errors only where they raise or match one:
    # board RAM), in a star import too where it asks for __all__
    import mhttp.errors as E
    import mhttp.ws
    import mhttp.websocket as W
    for n in ("Error", "Timeout", "ConnectionClosed", "ProtocolError", "WSError"):
        assert getattr(W, n) is getattr(E, n), n
    assert W.errors is E and mhttp.ws.errors is E
    probe = _star("_star_probe")
    if "served" in probe:
        d = _star("mhttp.websocket")
        for n in ("Error", "Timeout", "ConnectionClosed", "ProtocolError", "errors"):
            assert d[n] is getattr(W, n), n
        assert _star("mhttp.ws")["errors"] is E
    # once asked for, plain globals of the modules (no __getattr__ path, and no garbage,
    # per lookup: `except websocket.Timeout` runs at every timeout)
    for n in ("Error", "Timeout", "ConnectionClosed", "ProtocolError", "WSError", "errors"):
        assert n in W.__dict__, n
    assert "errors" in mhttp.ws.__dict__
