# The module-level names of mhttp.h2_connection and mhttp.hpack that their __getattr__
# (PEP 562) serves from the rare modules (mod_attr in mhttp._h2_conn_rare and
# mhttp._hpack_more: board RAM, the names are str constants there), and mhttp.h2's:
# each still answers as before, unknown names and __path__ raise AttributeError, and a
# plain server exchange (mhttp._server_h2 -> mhttp._h2_server.serve_connection) does not
# go through them (portable: pytest and tools/mptest.py).
import sys

import mhttp.errors as E
from mhttp import h2, h2_connection, hpack
from _t import raises, MICROPYTHON


def test_h2_names():
    assert h2.Encoder is hpack.Encoder and h2.Decoder is hpack.Decoder
    for n in ("H2ConnectionError", "H2StreamError", "CompressionError", "ProtocolError"):
        assert getattr(h2, n) is getattr(E, n), n
    assert h2.EV_HEADERS == 1 and h2.SEND_HEADERS == 0 and h2.RECV_PRIORITY == 13
    assert h2.ST_CLOSED == 6 and h2.CONN_CLOSED == 2 and h2.EV_NAMES[1]
    assert "ping" in h2._RARE.split() and "_send_data_slow" in h2._RARE.split()
    from mhttp.h2_session import H2Session
    assert h2.H2Session is H2Session
    for n in ("EV_NOPE", "SEND_", "no_such_name", "H2Sess"):
        raises(AttributeError, getattr, h2, n)
    assert "Encoder" in h2.__all__ and "ProtocolError" in h2.__all__


def test_h2_connection_names():
    for n in ("ProtocolError", "Error", "Timeout", "ConnectionClosed"):
        assert getattr(h2_connection, n) is getattr(E, n), n
    from mhttp.stream_common import StreamCommon
    from mhttp import _h2_conn_rare, _h2_server
    assert h2_connection.StreamCommon is StreamCommon
    assert "checktls" in h2_connection._CONN_RARE.split()
    assert "rst_stream" in h2_connection._STREAM_RARE.split()
    assert h2_connection.is_preface_prefix(b"PRI * HTTP/2.0\r")
    assert not h2_connection.is_preface_prefix(b"GET / HTTP/1.1")
    assert h2_connection.upgrade_request is _h2_conn_rare.upgrade_request
    assert h2_connection.UPGRADE_101.startswith(b"HTTP/1.1 101 ")
    assert h2_connection.serve_connection is _h2_server.serve_connection
    for n in ("no_such_name", "__path__", "Err", "Error Timeout", " Error"):
        raises(AttributeError, getattr, h2_connection, n)
    assert "ConnectionClosed" in h2_connection.__all__


def test_hpack_names():
    from mhttp import _hpack_more, _hpack_tables
    assert hpack.DEFAULT_TABLE_SIZE == 4096 and hpack.STATIC_COUNT == 61
    assert hpack.DEFAULT_MAX_HEADER_LIST_SIZE == 65536
    assert hpack.HeaderListTooLarge is _hpack_more.HeaderListTooLarge
    assert hpack.CompressionError is E.CompressionError
    assert hpack.new is _hpack_more.new and hpack.encode is _hpack_more.encode
    assert hpack.STATIC is _hpack_tables.STATIC and hpack.HUFF_TREE is _hpack_tables.HUFF_TREE
    for n in ("no_such_name", "__path__", "STAT", "DEFAULT", "indexed incr_indexed",
              "STATIC SNAMES", "new "):
        raises(AttributeError, getattr, hpack, n)
    assert "HUFF_LEN" in hpack.__all__


def test_wait_reasons_in_timeout_texts():
    # a stream's waits name what they waited for by number (mhttp._h2_conn_rare.WAITS)
    from mhttp.h2_connection import _cerr
    e = _cerr(0, (0, 5))
    assert isinstance(e, E.Timeout) and str(e) == "waiting for headers timed out after 5s"
    assert str(_cerr(0, (1, 2))) == "reading body timed out after 2s"
    assert str(_cerr(0, (2, 1))) == "waiting for flow-control window timed out after 1s"
    assert str(_cerr(0, ("ping", 1))) == "ping timed out after 1s"


def test_server_path_does_not_use_the_module_getattr():
    # mhttp._server_h2 takes serve_connection from mhttp._h2_server: no rare module
    if not MICROPYTHON:
        return
    from mhttp import _server_h2
    saved = sys.modules.pop("mhttp._h2_conn_rare", None)
    try:
        class S:
            onstream = None

        class C:
            def serve(self, handler):
                return "served"
        assert _server_h2._serve_h2(S(), C()) == "served"
        assert "mhttp._h2_conn_rare" not in sys.modules
    finally:
        if saved is not None:
            sys.modules["mhttp._h2_conn_rare"] = saved


def test_protocol_options_refused_as_before():
    # goaway_sent / goaway_received are state, not options (tested by their prefix)
    from mhttp.h2 import H2Protocol
    for k in ("goaway_sent", "goaway_received", "_next_id", "no_such_limit"):
        e = raises(TypeError, H2Protocol, False, None, **{k: 1})
        assert str(e) == "H2Protocol: unknown option %r" % (k,), str(e)
    assert H2Protocol(False, max_ping_flood=5).max_ping_flood == 5
