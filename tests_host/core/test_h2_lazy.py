# Board RAM: the rarely used parts of HTTP/2 live in modules loaded on first use
# (mhttp._h2_rare, _h2_frames_more, _h2_conn_rare, _h2_stream_rare, _hpack_more, the
# server's _h2_server and the client's _h2_client).  A plain GET loads none of them but
# _h2_client, a plain server exchange none but _h2_server; each moved name still works
# (portable: pytest and tools/mptest.py).  The tests that need an asyncio client AND
# server in one heap are at the end of test_h2_connection.py (host-sized on boards).
import sys

import mhttp
from mhttp import h2, h2_frames, h2_connection, hpack
from mhttp.h2 import H2Protocol, EV_HEADERS
from mhttp.h2_connection import H2Connection, H2Stream
from mhttp.headers import Headers
from mhttp._io import run_blocking as _run_sync
from mhttp.errors import Timeout
from _t import raises, MICROPYTHON
from _srvio import ServerIO

# what only a client runs (mhttp._h2_client)
_P_CLIENT = " get_next_available_stream_id can_open_stream _open_local _check_response"
_C_CLIENT = " connect new_stream _start _read_once _check close"
_T_RARE = "dynamic_table insert_entry get_indexed_header"     # hpack._Table's, rare
_MODS = ("_h2_rare", "_h2_frames_more", "_h2_conn_rare", "_h2_stream_rare", "_hpack_more",
         "_h2_server", "_h2_client")


def _pristine():
    # As after a fresh import: no moved method stored on its class, no rare module loaded.
    # Only on MicroPython: CPython binds the rare methods at import (mhttp._lazy.settle),
    # so there the modules are loaded from the start (_loaded() is then not checked).
    if not MICROPYTHON:
        return
    for cls, names in ((H2Protocol, h2._RARE + _P_CLIENT),
                       (H2Connection, h2_connection._CONN_RARE + " serve" + _C_CLIENT),
                       (H2Stream, h2_connection._STREAM_RARE + " _open"),
                       (hpack.Encoder, _T_RARE), (hpack.Decoder, _T_RARE)):
        for n in names.split():
            if n in cls.__dict__:
                delattr(cls, n)
    if "_pings" in H2Connection.__dict__:      # set by mhttp._h2_conn_rare
        delattr(H2Connection, "_pings")
    for m in _MODS:
        sys.modules.pop("mhttp." + m, None)
        if m in mhttp.__dict__:
            delattr(mhttp, m)
    # (their code and tables collected now, before the test loads them again: from .mpy
    # files in a board's /lib, the modules' bytecode is heap, and the fresh copies found
    # no 2 KB run among the old ones' pieces on the virtual ESP32)
    import gc
    gc.collect()


def _loaded():
    return [m for m in _MODS if "mhttp." + m in sys.modules]


class _SmallIO:
    # Blocking I/O against an in-process sans-I/O H2Protocol server answering every GET
    # with 13 octets.
    blocking = True
    tls = False

    def __init__(self):
        self.srv = H2Protocol(client=False)
        self.srv.initiate_connection()
        self.inbox = []

    async def recv(self, timeout=None):
        if not self.inbox:
            raise Timeout("nothing to read")
        return self.inbox.pop(0)

    async def send(self, pieces, timeout=None):
        s = self.srv
        for ev in s.receive_data(b"".join([bytes(p) for p in pieces])):
            if ev[0] == EV_HEADERS and ev[3]:
                s.send_headers(ev[1], [(b":status", b"200"), (b"content-length", b"13")])
                s.send_data(ev[1], b"Hello, World!", True)
        d = s.data_to_send()
        if d:
            self.inbox.append(d)

    def abort(self):
        pass

    async def close(self):
        pass

    def peername(self):
        return None


def _req(path):
    return Headers(((b":method", b"GET"), (b":scheme", b"http"), (b":authority", b"t"),
                    (b":path", path)))


def test_blocking_client_get_loads_no_rare_or_server_module():
    _pristine()
    c = H2Connection(_SmallIO(), False)
    for i in range(3):
        st = c.new_stream()
        _run_sync(st.write_headers(_req(b"/"), True, 1))
        assert _run_sync(st.get_headers(1)).get(b":status") == b"200"
        body = b""
        while True:
            ch = _run_sync(st.get_next_chunk(1))
            if ch is None:
                break
            body += ch
        assert body == b"Hello, World!"
    _run_sync(c.close())
    assert not MICROPYTHON or (_loaded() == ["_h2_client"])


def test_server_exchange_loads_no_client_or_rare_module():
    # An h2c server connection (mhttp._h2_server.serve_connection, as mhttp.server runs
    # it) answering GETs: what only a client runs (mhttp._h2_client: stream opening, the
    # response check, connect / new_stream) stays unloaded, and so do the rare modules,
    # and mhttp.errors while the exchange runs (it is loaded at the connection's end, for
    # the ConnectionClosed every stream left then gets).  (mhttp.errors is hidden for the
    # test and the very same module put back after: other modules hold its classes.)
    import asyncio
    cli = H2Protocol(client=True)
    cli.initiate_connection()
    reqs = []
    for sid in (1, 3, 5):
        cli.send_headers(sid, _req(b"/%d" % sid), True)
        reqs.append(cli.data_to_send())
    _pristine()
    from mhttp import _h2_server

    class IO(ServerIO):
        def __init__(self):
            self.q = [reqs[0], reqs[1] + reqs[2]]
            self.out = []

        async def recv(self, timeout=None):
            await asyncio.sleep(0)
            if self.q:
                return self.q.pop(0)
            for i in range(50):         # (EOF once the three handlers answered)
                if len(done) == 3:
                    break
                await asyncio.sleep(0)
            return b""

    done = []
    errors_loaded = []

    async def onstream(server, stream):
        h = await stream.get_headers()
        await stream.write_headers(Headers(((b":status", b"200"),
                                            (b"content-length", b"2"))), False)
        await stream.write_chunk(b"0" + h.get(b":path")[1:], True)
        errors_loaded.append("mhttp.errors" in sys.modules)
        done.append(stream.id)

    async def main():
        io = IO()
        c = H2Connection(io, True)
        await _h2_server.serve_connection(None, onstream, c)
        return b"".join(io.out)

    saved = sys.modules.pop("mhttp.errors")
    try:
        out = asyncio.run(main())
    finally:
        sys.modules["mhttp.errors"] = saved
        mhttp.errors = saved
    assert not MICROPYTHON or errors_loaded == [False, False, False]   # (boards)
    assert not MICROPYTHON or (_loaded() == ["_h2_server"]), _loaded()
    got = {}
    for ev in cli.receive_data(out):
        if ev[0] == EV_HEADERS:
            assert ev[2].get(b":status") == b"200"
        elif ev[0] == h2.EV_DATA:
            got[ev[1]] = ev[2]
    assert got == {1: b"01", 3: b"03", 5: b"05"}


def test_moved_protocol_methods_still_work():
    _pristine()
    p = H2Protocol(client=True)
    assert not hasattr(p, "no_such_method")            # other names: AttributeError, no import
    assert not MICROPYTHON or (_loaded() == [])
    p.initiate_connection(1234)
    assert p.settings_ack_pending_since == 1234         # a property, from mhttp._h2_rare
    assert not MICROPYTHON or ("_h2_rare" in _loaded() and "_h2_conn_rare" not in _loaded())
    assert "settings_ack_pending_since" in H2Protocol.__dict__
    assert p.open_outbound_streams == 0 and p.open_inbound_streams == 0
    p.data_to_send()
    assert not MICROPYTHON or "_h2_client" not in _loaded()
    assert p.can_open_stream()                          # from mhttp._h2_client
    sid = p.get_next_available_stream_id()
    assert sid == 1 and not MICROPYTHON or "_h2_client" in _loaded()
    p.send_headers(sid, [(b":method", b"GET"), (b":scheme", b"http"), (b":authority", b"t"),
                         (b":path", b"/")], False)
    assert p.local_flow_control_window(sid) == 65535
    assert p.stream_state(sid) == h2.ST_OPEN
    p.ping(b"12345678")
    p.reset_stream(sid)
    assert p.stream_state(sid) == h2.ST_RESET_LOCAL
    out = p.data_to_send()
    assert b"12345678" in out and out[-13:-9] == b"\0\0\x04\x03"   # PING, then RST_STREAM
    assert p.blocked_streams() == []
    assert h2.SEND_HEADERS == 0 and h2.EV_NAMES[1] == "EV_HEADERS"
    # internal state is not a settable limit
    for k in ("state", "goaway_sent", "_inbuf", "no_such_limit"):
        raises(TypeError, H2Protocol, True, None, False, True, None, **{k: 1})
    assert H2Protocol(max_ping_flood=3).max_ping_flood == 3


def test_moved_frame_functions_still_work():
    _pristine()
    assert h2_frames.FRAME_NAMES[4] == "SETTINGS"
    assert not MICROPYTHON or ("_h2_frames_more" in _loaded())
    f = h2_frames.data_pack(3, b"abc", True)
    t, fl, sid, payload, end = h2_frames.parse_frame(f)
    assert (t, fl, sid, bytes(payload), end) == (0, 1, 3, b"abc", 12)
    from mhttp.h2_frames import ping_unpack, ping_pack
    assert ping_unpack(ping_pack(b"abcdefgh")[9:]) == b"abcdefgh"
    assert not hasattr(h2_frames, "no_such_pack_thing")


def test_moved_hpack_functions_still_work():
    _pristine()
    d = hpack.Decoder()
    assert d.insert_entry(b"x-a", b"1") and d.dynamic_table() == [(b"x-a", b"1")]
    assert not MICROPYTHON or ("_hpack_more" in _loaded())
    assert hpack.indexed(2) == b"\x82" and hpack.incr_indexed(1) == b"\x41"
    assert hpack.encode(b"abc") == b"\x82" + hpack.huffman_encode(b"abc")   # Huffman: 2 octets
    assert isinstance(hpack.new(100), hpack.Decoder)
    e = hpack.Encoder()
    assert e.insert_entry("x-b", "2") and e.dynamic_table() == [(b"x-b", b"2")]
    assert not hasattr(hpack, "no_such_name") and not hasattr(d, "no_such_method")


def test_moved_connection_and_stream_methods_still_work():
    _pristine()
    assert not MICROPYTHON or "_pings" not in H2Connection.__dict__
    assert h2_connection.is_preface_prefix(b"PRI * HT")
    assert not h2_connection.is_preface_prefix(b"GET / HT")
    assert h2_connection.UPGRADE_101.startswith(b"HTTP/1.1 101 ")
    hs = Headers(((b"connection", b"Upgrade, HTTP2-Settings"), (b"upgrade", b"h2c"),
                  (b"http2-settings", b"AAMAAABkAAQAAP__")))
    assert h2_connection.upgrade_request(hs) == b"AAMAAABkAAQAAP__"
    # not switched: HTTP/1.0, a Connection without HTTP2-Settings, a value not base64url
    assert h2_connection.upgrade_request(hs, b"1.0") is None
    assert h2_connection.upgrade_request(Headers(((b"connection", b"upgrade"), (b"upgrade", b"h2c"),
                                                  (b"http2-settings", b"AAMAAABk")))) is None
    assert h2_connection.upgrade_request(Headers(((b"connection", b"upgrade, http2-settings"),
                                                  (b"upgrade", b"h2c"),
                                                  (b"http2-settings", b"AAMA/ABk")))) is None
    io = _SmallIO()
    cli = H2Connection(io, False)
    srv = H2Connection(_SmallIO(), True)
    e = raises(Exception, srv.new_stream)            # texts from _h2_conn_rare.ERRORS
    assert "only a client connection opens streams" in str(e)
    e = raises(Exception, _run_sync, cli.new_stream().get_headers())
    assert "write the request head first" in str(e)
    _run_sync(cli.connect())
    assert isinstance(cli.peer_settings, dict) and cli.settings[4] == cli.p.local_settings[4]
    assert cli.can_open_stream() and not cli.checktls()
    assert _run_sync(cli.ping(1)) >= 0                # the sans-I/O peer answers the PING
    assert H2Connection._pings == () and cli._pings == []   # class default from _h2_conn_rare
    st = cli.new_stream()
    # defaults: StreamCommon's, and a pushed stream's fields from mhttp._h2_stream_rare
    assert st.headers is None and st.trailers is None and st._unget is None
    assert not MICROPYTHON or "_h2_stream_rare" not in _loaded()
    assert st.pushed == () and st.promised_by is None
    assert not MICROPYTHON or "_h2_stream_rare" in _loaded()
    assert st.connection is cli
    _run_sync(st.write_headers(_req(b"/"), False, 1))
    assert st.get_method() == b"GET"
    st.rst_stream()
    assert st.reset == (8, False)                     # CANCEL, by us
    assert io.srv.stream_state(st.id) == h2.ST_CLOSED
    cli.abort()
    assert not MICROPYTHON or ("_h2_conn_rare" in _loaded() and "_h2_stream_rare" in _loaded())


def test_cpython_binds_the_rare_methods_at_import():
    # A class with __getattr__ loses CPython's attribute specialisation: there the rare
    # methods are bound at import (mhttp._lazy.settle) and __getattr__ is gone.
    if MICROPYTHON:
        return
    for cls, names in ((H2Protocol, h2._RARE + _P_CLIENT),
                       (H2Connection, h2_connection._CONN_RARE + " serve" + _C_CLIENT),
                       (H2Stream, h2_connection._STREAM_RARE + " _open"),
                       (hpack._Table, _T_RARE)):
        assert "__getattr__" not in cls.__dict__, cls
        for n in names.split():
            assert n in cls.__dict__, (cls, n)



def test_cleartext_server_connection_does_not_ask_alpn():
    # A cleartext connection has no ALPN: _choose does not ask (io.alpn() is a rare
    # method of StreamIO, its module loaded on first use); a TLS one does.
    from mhttp import server, _server_h2

    class IO:
        asked = 0

        def alpn(self):
            IO.asked += 1
            return None

        async def recv(self, timeout=None):
            return b""          # the client sent nothing: no connection

    srv = server.Server(None)
    assert srv.tls is None
    assert _run_sync(_server_h2._choose(srv, IO())) is None
    assert IO.asked == 0
    srv.tls = object()          # (only tested against None)
    assert _run_sync(_server_h2._choose(srv, IO())) is None
    assert IO.asked == 1


def test_clean_exchange_loads_no_h2_error_class():
    # Board RAM: H2Error and its subclasses (mhttp._errors_h2, ~3 KB) are looked up at the
    # first error only (h2, h2_frames, hpack, _h2_server): fresh imports of the HTTP/2
    # modules and a clean GET, client and server protocol, never import them.  (The
    # modules are hidden for the test and the very same ones put back after: other
    # modules and tests hold their classes.)
    names = ("_errors_h2", "h2_frames", "hpack", "h2", "h2_connection")
    saved = {}
    for n in names:
        saved[n] = sys.modules.pop("mhttp." + n, None)
        if n in mhttp.__dict__:
            delattr(mhttp, n)
    try:
        from mhttp.h2_connection import H2Connection as C
        from mhttp.h2 import H2Protocol as P
        assert "mhttp._errors_h2" not in sys.modules
        io = _SmallIO()
        io.srv = P(client=False)
        io.srv.initiate_connection()
        c = C(io, False)
        for i in range(2):
            st = c.new_stream()
            _run_sync(st.write_headers(_req(b"/"), True, 1))
            assert _run_sync(st.get_headers(1)).get(b":status") == b"200"
            assert _run_sync(st.get_next_chunk(1)) == b"Hello, World!"
        _run_sync(c.close())
        assert "mhttp._errors_h2" not in sys.modules
    finally:
        for n in names:
            if saved[n] is not None:
                sys.modules["mhttp." + n] = saved[n]
                setattr(mhttp, n, saved[n])


def test_h2_error_names_still_served_by_the_modules():
    # The classes that h2, h2_frames and hpack imported before are still their attributes
    # (the very mhttp.errors objects), and the frame size errors are the same.
    from mhttp import errors
    assert h2.H2StreamError is errors.H2StreamError
    assert h2.H2ConnectionError is errors.H2ConnectionError
    assert h2.CompressionError is errors.CompressionError
    assert h2_frames.H2StreamError is errors.H2StreamError
    assert h2_frames.H2ConnectionError is errors.H2ConnectionError
    assert h2_frames.FRAME_SIZE_ERROR == errors.FRAME_SIZE_ERROR == 6
    assert hpack.CompressionError is errors.CompressionError
    e = raises(errors.H2StreamError, h2_frames.check_size, 0x2, 0, 4, 3)
    assert e.code == 6 and e.stream_id == 3 and e.stream_error
    e = raises(errors.H2ConnectionError, h2_frames.check_size, 0x6, 0, 7, 0)
    assert e.code == 6 and not e.stream_error and e.name == "FRAME_SIZE_ERROR"
    e = raises(errors.H2ConnectionError, h2_frames.window_update_unpack, b"abc")
    assert e.code == 6 and e.message == "WINDOW_UPDATE length 3 != 4"
