# mhttp._io._oserror (portable: pytest on CPython and
# `tools/micropython tools/mptest.py tests_host/core/test_io_errors.py`): an OSError from
# a socket read or write becomes mhttp.errors.Timeout or ConnectionClosed by errno; the
# tables and texts live in mhttp._io_rare, loaded by the first error (a plain GET does not
# load it: test_request_lazy).
from mhttp._io import _oserror
from mhttp.errors import Timeout, ConnectionClosed
from _t import MICROPYTHON


def _is(e, cls, text):
    assert type(e) is cls, (e, cls)
    assert str(e) == text, str(e)


def test_errno_mapping():
    for n in (110, 60, 116, 11, 35):
        _is(_oserror(OSError(n), "read"), Timeout, "read timed out")
    for n in (32, 53, 54, 57, 103, 104, 107, 108, 9):
        _is(_oserror(OSError(n), "write"), ConnectionClosed,
            "connection closed by peer during write (errno %d)" % n)
    e = OSError(22)
    _is(_oserror(e, "read"), ConnectionClosed, "read failed: %r" % (e,))
    e = OSError("no errno")
    _is(_oserror(e, "write"), ConnectionClosed, "write failed: %r" % (e,))


def test_timeout_type_without_errno():
    # CPython's socket.timeout / TimeoutError: an OSError with no errno
    class timeout(OSError):
        pass
    _is(_oserror(timeout(), "read"), Timeout, "read timed out")


def test_clock_fallback():
    # the bare-checkout clock (CPython without _mhttp_port): milliseconds, plain arithmetic
    import mhttp._io_rare as r
    a = 1000 if MICROPYTHON else r.ticks_ms()   # (a board has its glue's clock)
    assert isinstance(a, int) and r.ticks_diff(r.ticks_add(a, 5), a) == 5


def test_socket_io_error_texts():
    # SocketIO's own errors: texts in mhttp._io_rare (whose _err its raise sites import),
    # numbered at the raise sites
    from mhttp._io_rare import _err
    for n, cls, text in ((0, ConnectionClosed, "recv on a closed connection"),
                         (1, ConnectionClosed, "send on a closed connection"),
                         (2, Timeout, "read timed out after 1.5s"),
                         (3, Timeout, "write timed out after 1.5s"),
                         (4, Timeout, "read made no progress")):
        _is(_err(n, 1.5), cls, text)
    _is(_err(2, None), Timeout, "read timed out after Nones")    # (as before: no timeout given)


def test_run_blocking_refuses_a_coroutine_that_suspends():
    # its text in mhttp._io_rare (11), like the I/O layer's errors
    from mhttp._io import run_blocking
    from mhttp.errors import Error

    def g():
        yield 5
    e = None
    try:
        run_blocking(g())
    except Error as x:
        e = x
    _is(e, Error, "run_blocking: the coroutine suspended on 5 (asyncio I/O under a blocking driver)")


def test_socket_io_closed_raises():
    from mhttp._io import run_blocking
    from mhttp._io_socket import SocketIO

    class Sock:
        def recv_into(self, b):
            return 0

        def close(self):
            pass
    s = SocketIO(Sock(), 64)
    s.abort()
    e = None
    try:
        run_blocking(s.recv(1))
    except ConnectionClosed as x:
        e = x
    _is(e, ConnectionClosed, "recv on a closed connection")
    try:
        run_blocking(s.send([b"x"], 1))
    except ConnectionClosed as x:
        e = x
    _is(e, ConnectionClosed, "send on a closed connection")


def test_socket_io_abort_closes_the_socket_when_the_flag_cannot_be_set():
    # On a full board heap setting `closed` (an attribute-table entry) can raise
    # MemoryError: the abort after a failed read must still close the socket.
    from mhttp._io_socket import SocketIO
    from mhttp.h1_connection import H1Connection
    shut = []

    class Sock:
        def recv_into(self, b):
            return 0

        def close(self):
            shut.append(1)

    class Full(SocketIO):
        def __setattr__(self, name, value):
            if name == "closed":
                raise MemoryError
            object.__setattr__(self, name, value)
    s = Full(Sock(), 64)
    e = None
    try:
        s.abort()
    except MemoryError as x:
        e = x
    assert e is not None and shut == [1]
    # and H1Connection.abort reaches its I/O object before setting its own flag

    class FullConn(H1Connection):
        def __setattr__(self, name, value):
            if name == "closed":
                raise MemoryError
            object.__setattr__(self, name, value)
    c = FullConn(SocketIO(Sock(), 64), 0)
    e = None
    try:
        c.abort()
    except MemoryError as x:
        e = x
    assert e is not None and shut == [1, 1]


def test_raise_site_comments_match_the_table():
    # Each raise of mhttp._io_rare's `_err(N, ...)` in mhttp._io_socket (imported at the
    # raise site under a local's name: `from mhttp._io_rare import _err as mv`, then
    # `raise mv(N, ...)`) carries text N as its comment.
    if MICROPYTHON:
        return
    import os
    import re
    import mhttp._io_socket as m
    from mhttp._io_rare import _ERRORS
    seen = set()
    for line in open(m.__file__, encoding="utf-8").read().split("\n"):
        k = re.search(r"\braise \w+\((\d+)", line)
        if k is None or line.lstrip().startswith("def "):
            continue
        assert line.split("  # ", 1)[1] == _ERRORS[int(k.group(1))], line
        seen.add(int(k.group(1)))
    assert seen == set(range(5))
    assert os.path.basename(m.__file__) == "_io_socket.py"
    # and in mhttp._io_plain (SocketIO's reads without poll mode): 2
    import mhttp._io_plain as m
    seen = set()
    for line in open(m.__file__, encoding="utf-8").read().split("\n"):
        k = re.search(r"\braise \w+\((\d+)", line)
        if k is None or line.lstrip().startswith("def "):
            continue
        assert line.split("  # ", 1)[1] == _ERRORS[int(k.group(1))], line
        seen.add(int(k.group(1)))
    assert seen == {2}
    # and in mhttp._io_stream (StreamIO) with its recv and _send (mhttp._io_stream_more):
    # 0-3 and 10
    import mhttp._io_stream as m
    import mhttp._io_stream_more as m2
    seen = set()
    for line in (open(m.__file__, encoding="utf-8").read() + "\n" +
                 open(m2.__file__, encoding="utf-8").read()).split("\n"):
        k = re.search(r"\b_err\((\d+)", line)
        if k is None or line.lstrip().startswith("def "):
            continue
        assert line.split("  # ", 1)[1].strip() == _ERRORS[int(k.group(1))], line
        seen.add(int(k.group(1)))
    assert seen == {0, 1, 2, 3, 10}


def test_stream_io_error_texts():
    # StreamIO's own errors: the same texts and classes as before, from mhttp._io_rare
    from mhttp._io_stream import _err
    for n, cls, text in ((0, ConnectionClosed, "recv on a closed connection"),
                         (1, ConnectionClosed, "send on a closed connection"),
                         (2, Timeout, "read timed out after 1.5s"),
                         (3, Timeout, "write timed out after 1.5s")):
        _is(_err(n, 1.5), cls, text)
    _is(_err(10, OSError(5)), ConnectionClosed, "write failed: %r" % (OSError(5),))
    from mhttp._io import run_blocking
    from mhttp._io_stream import StreamIO

    class W:
        def close(self):
            pass
    s = StreamIO(object(), W())
    s.abort()
    for co, text in ((s.recv(1), "recv on a closed connection"),
                     (s.send([b"x"], 1), "send on a closed connection")):
        e = None
        try:
            run_blocking(co)
        except ConnectionClosed as x:
            e = x
        _is(e, ConnectionClosed, text)
    e = None
    try:
        s.recv_start(1)
    except ConnectionClosed as x:
        e = x
    _is(e, ConnectionClosed, "recv on a closed connection")


def test_connect_error_texts():
    # the MicroPython glue's connect errors (ports/unix/_mhttp_port and _mhttp_aio:
    # numbered from 0 there, _err(n + 5))
    from mhttp._io_rare import _err
    from mhttp.errors import TLSError
    e = OSError(111)
    for n, cls, text in ((0, Timeout, "connect to h:1 timed out after 2s"),
                         (1, TLSError, "TLS connection to h:1 failed: %r" % (e,)),
                         (2, ConnectionClosed, "connect to h:1 failed: %r" % (e,)),
                         (3, Timeout, "connect to h:1 timed out"),
                         (4, TLSError, "TLS handshake with h:1 failed: %r" % (e,))):
        _is(_err(n + 5, "h", 1, 2 if n == 0 else (None if n == 3 else e)), cls, text)


def test_zone_note_only_for_a_refused_lookup():
    # mhttp._io_rare's connect error (7): the zone note when the lookup of a zoned host
    # failed (CPython's gaierror, a negative number; MicroPython's "[addrinfo error -2]"),
    # not for a refused connect (an errno) nor a host without a zone.
    from mhttp._io_rare import _err
    note = "IPv6 zone 'lo' of ::1: the system resolves an interface name as a zone only"
    assert note in str(_err(7, "::1%lo", 1, OSError(-2, "Name or service not known")))
    assert note in str(_err(7, "::1%lo", 1, OSError("[addrinfo error -2]")))
    assert "zone" not in str(_err(7, "::1%lo", 1, OSError(111)))
    assert "zone" not in str(_err(7, "h.invalid", 1, OSError(-2)))


def test_a_zone_the_resolver_refuses_is_said_clearly():
    # http://[::1%25lo]/ connects to "::1%lo": glibc takes an interface name as a zone
    # only on a link-local address (and only of an existing interface), so the lookup
    # fails, "Name or service not known" (MicroPython's blocking opener let its bare
    # OSError('[addrinfo error -2]') out): a ConnectionClosed whose text says why, from
    # both openers of the port glue (CPython's, MicroPython's unix port); a refused
    # connect or a zone-less name gets no such note (test_zone_note_only_for_a_refused_lookup).
    import asyncio
    import _mhttp_port
    for host, z in (("::1%lo", "'lo' of ::1"), ("fe80::1%nosuch0", "'nosuch0' of fe80::1")):
        e = None
        try:
            _mhttp_port.open_connection_blocking(host, 1, None, None, None, 5)
        except ConnectionClosed as x:     # (anything else, a bare OSError, goes out)
            e = x
        assert type(e) is ConnectionClosed and "IPv6 zone " + z in str(e), repr(e)

        async def connect():
            try:
                io = await _mhttp_port.open_connection(host, 1, None, None, None, 5)
            except ConnectionClosed as x:
                return x
            io.abort()
        e = asyncio.run(connect())
        assert type(e) is ConnectionClosed and "IPv6 zone " + z in str(e), repr(e)


def test_refused_connect_raises_connection_closed():
    import _mhttp_port
    e = None
    try:
        _mhttp_port.open_connection_blocking("127.0.0.1", 1, None, None, None, 5)
    except ConnectionClosed as x:
        e = x
    assert type(e) is ConnectionClosed and str(e).startswith("connect to 127.0.0.1:1 failed: ")


def test_refused_async_connect_and_the_asyncio_glue_loaded_on_first_use():
    # A blocking connect does not load _mhttp_aio (MicroPython's asyncio half of the
    # glue: open_connection, start_server); _mhttp_port.open_connection loads it.
    import asyncio
    import sys
    import _mhttp_port
    if MICROPYTHON:
        sys.modules.pop("_mhttp_aio", None)
        try:
            _mhttp_port.open_connection_blocking("127.0.0.1", 1, None, None, None, 5)
        except ConnectionClosed:
            pass
        assert "_mhttp_aio" not in sys.modules


    async def connect():
        # (MicroPython's asyncio connect does not wait for the refusal: the io comes back)
        try:
            io = await _mhttp_port.open_connection("127.0.0.1", 1, None, None, None, 5)
        except ConnectionClosed as e:
            assert str(e).startswith("connect to 127.0.0.1:1 failed: "), e
            return "refused"
        io.abort()
        return type(io).__name__
    assert asyncio.run(connect()) in ("refused", "StreamIO")
    if MICROPYTHON:
        assert "_mhttp_aio" in sys.modules


def test_blocking_connect_refuses_alpn_on_micropython():
    # MicroPython's ssl has no ALPN: asking for it fails with TLSError before any connect
    # (port 1 would be refused: ConnectionClosed)
    if not MICROPYTHON:
        return
    import _mhttp_port
    from mhttp.errors import TLSError
    e = None
    try:
        _mhttp_port.open_connection_blocking("127.0.0.1", 1, None, None, [b"h2"], 5)
    except TLSError as x:
        e = x
    assert e is not None and str(e).startswith("ALPN [b'h2'] requested but"), e


def test_port_glue_raise_site_comments_match_the_table():
    if MICROPYTHON:
        return
    import os
    import re
    from mhttp._io_rare import _ERRORS
    here = os.path.dirname(os.path.abspath(__file__))
    ports = os.path.join(here, "..", "..", "ports", "unix")
    seen = set()
    # the blocking opener's sites in _mhttp_port, the asyncio openers' in _mhttp_aio
    text = "".join(open(os.path.join(ports, f), encoding="utf-8").read()
                   for f in ("_mhttp_port.py", "_mhttp_aio.py"))
    for line in text.split("\n"):
        k = re.search(r"\b_err\((\d+)", line)
        if k is None or line.lstrip().startswith("def "):
            continue
        assert line.split("  # ", 1)[1] == _ERRORS[int(k.group(1)) + 5], line
        seen.add(int(k.group(1)))
    assert seen == set(range(5))


class _Sock:
    # a connected socket as SocketIO sees one (recv_into: no poll mode)
    def __init__(self, data=b""):
        self.data = data
        self.sent = []

    def recv_into(self, b):
        n = len(self.data)
        b[:n] = self.data
        self.data = b""
        return n

    def send(self, mv):
        self.sent.append(bytes(mv))
        return len(mv)

    def settimeout(self, t):
        pass

    def close(self):
        pass

    def getpeername(self):
        return ("10.0.0.1", 80)

    def getsockname(self):
        return ("10.0.0.2", 5000)

    def selected_alpn_protocol(self):
        return "h2"


def test_socket_io_reads_and_writes_without_the_rare_module():
    import sys
    from mhttp._io import run_blocking
    from mhttp._io_socket import SocketIO
    saved = sys.modules.pop("mhttp._io_rare", None)
    try:
        s = SocketIO(_Sock(b"HTTP/1.1 200 OK\r\n"), 64)
        assert bytes(run_blocking(s.recv(1))) == b"HTTP/1.1 200 OK\r\n"
        run_blocking(s.send([b"GET / HTTP/1.1\r\n", b"\r\n"], 1))
        assert s.sock.sent == [b"GET / HTTP/1.1\r\n", b"\r\n"]
        s.abort()
        if MICROPYTHON:
            assert "mhttp._io_rare" not in sys.modules
    finally:
        if saved is not None:
            sys.modules["mhttp._io_rare"] = saved


def test_socket_io_rare_methods():
    # peername, localname, alpn (and expire) live in mhttp._io_rare, bound on first use
    from mhttp._io_socket import SocketIO

    class Bare:
        def close(self):
            pass
    s = SocketIO(_Sock(), 64)
    assert s.peername() == ("10.0.0.1", 80) and s.localname() == ("10.0.0.2", 5000)
    assert s.alpn() == b"h2" and s.expire() is None
    b = SocketIO(Bare(), 64, addr=("10.0.0.3", 8080))
    assert b.peername() == ("10.0.0.3", 8080) and b.localname() is None and b.alpn() is None
    e = None
    try:
        s.no_such_method
    except AttributeError as x:
        e = x
    assert e is not None
