# lua-http's http.stream_common: stream:checktls(), stream:localname() and
# stream:peername() are the stream's connection's (so a server's handler reads the
# client's address from its stream), on HTTP/1 and HTTP/2 streams, client and server;
# and connection.type is "client" or "server" on both connection classes.
# (portable: pytest on CPython and
# `tools/micropython tools/mptest.py tests_host/core/test_stream_conn_api.py`)
from mhttp.h1 import CLIENT, SERVER
from mhttp.h1_connection import H1Connection, H1Stream
from mhttp.h2_connection import H2Connection, H2Stream
from mhttp._io import run_blocking
from _t import ScriptIO


class _AddrIO(ScriptIO):
    # an I/O object with its two addresses (the _io contract's peername / localname)
    blocking = True

    def __init__(self, chunks=(), tls=False):
        super().__init__(chunks)
        self.tls = tls

    def peername(self):
        return ("10.0.0.2", 40000)

    def localname(self):
        return ("10.0.0.1", 443)

    def alpn(self):
        return None


def _check(s, tls):
    assert s.checktls() is tls
    assert s.peername() == ("10.0.0.2", 40000)
    assert s.localname() == ("10.0.0.1", 443)
    c = s.conn
    assert (s.checktls(), s.peername(), s.localname()) == \
        (c.checktls(), c.peername(), c.localname())


def test_h1_client_stream_wraps_its_connection():
    for tls in (False, True):
        c = H1Connection(_AddrIO(tls=tls), CLIENT)
        assert c.type == "client" and not c.is_server
        _check(c.new_stream(), tls)


def test_h1_server_stream_wraps_its_connection():
    io = _AddrIO([b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"], True)
    c = H1Connection(io, SERVER)
    assert c.type == "server" and c.is_server
    s = run_blocking(c.get_next_incoming_stream())
    assert isinstance(s, H1Stream)
    _check(s, True)


def test_h2_streams_wrap_their_connection():
    for server in (False, True):
        c = H2Connection(_AddrIO(), server)
        assert c.type == ("server" if server else "client") and c.is_server is server
        _check(H2Stream(c, 1), False)
