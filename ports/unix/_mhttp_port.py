# MicroPython unix port platform glue for mhttp (see ports/README.md).
#
# What lib/mhttp asks of a port:
#   ticks_ms() ticks_diff(a, b) ticks_add(a, d)   millisecond clock
#   urandom(n)                                     random bytes
#   HAS_ALPN                                       False here (mbedTLS build without ALPN)
#   client_tls_context(cafile, verify, alpn, certfile, keyfile)
#   server_tls_context(certfile, keyfile, alpn)
#   await open_connection(host, port, tls, server_hostname, alpn, timeout) -> _io.StreamIO
#   open_connection_blocking(...)                                         -> _io.SocketIO
#   await start_server(cb, host, port, tls, backlog, reaper) -> server handle with
#       .close(), await .wait_closed(), .sockname;  cb(io) is a coroutine function
#       whose coroutine owns the io (it calls io.abort() when done).
#   DEFAULT_BUFSIZE                                receive buffer per connection
from time import ticks_ms, ticks_diff, ticks_add
from os import urandom

NAME = "micropython-unix"
HAS_ALPN = False
DEFAULT_BUFSIZE = 2048


# TLS contexts: the code (mbedTLS set-up, PEM -> DER, the ALPN refusal) is in _mhttp_tls,
# loaded only when TLS is used (board RAM: ~0.8 KB from ROMFS, ~1.5 KB as a .mpy file).
# (Plain functions, not a module __getattr__: the esp32/rp2 glue re-exports this module
# with `import *`, which on MicroPython asks __getattr__ for __all__ and fails.)
def client_tls_context(cafile=None, verify=True, alpn=None, certfile=None, keyfile=None):
    import _mhttp_tls
    return _mhttp_tls.client_tls_context(cafile, verify, alpn, certfile, keyfile)


def server_tls_context(certfile, keyfile, alpn=None):
    import _mhttp_tls
    return _mhttp_tls.server_tls_context(certfile, keyfile, alpn)


def _bufsize(n):
    # The receive buffer size, looked up at call time: a board's glue (ports/esp32, rp2)
    # re-exports these functions and sets its own DEFAULT_BUFSIZE in `_mhttp_port`.
    if n:
        return n
    import _mhttp_port
    return _mhttp_port.DEFAULT_BUFSIZE


def _err(n, host, port, x=None):
    # The connect error numbered n (its text is quoted at each raise site): the texts
    # live in mhttp._io_rare (from 5 there), loaded by the first error (board RAM).
    from mhttp._io_rare import _err as f
    return f(n + 5, host, port, x)


async def open_connection(host, port, tls=None, server_hostname=None, alpn=None, timeout=None,
                          bufsize=None):
    import asyncio
    from mhttp._io_stream import StreamIO
    if alpn or tls is True:
        import _mhttp_tls
        _mhttp_tls.no_alpn(alpn)
        if tls is True:
            tls = client_tls_context(verify=False)
    try:
        if timeout is None:
            r, w = await asyncio.open_connection(host, port, tls or None, server_hostname or host)
        else:
            r, w = await asyncio.wait_for(
                asyncio.open_connection(host, port, tls or None, server_hostname or host), timeout)
    except asyncio.TimeoutError:
        raise _err(0, host, port, timeout)  # connect to %s:%s timed out after %ss
    except OSError as e:
        if tls:
            raise _err(1, host, port, e)  # TLS connection to %s:%s failed: %r
        raise _err(2, host, port, e)  # connect to %s:%s failed: %r
    return StreamIO(r, w, _bufsize(bufsize), tls=bool(tls))


def open_connection_blocking(host, port, tls=None, server_hostname=None, alpn=None, timeout=None,
                             bufsize=None):
    import socket
    from mhttp._io_socket import SocketIO
    if alpn:
        import _mhttp_tls
        _mhttp_tls.no_alpn(alpn)
    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    s = socket.socket(ai[0], ai[1], ai[2])
    s.settimeout(timeout)
    try:
        s.connect(ai[-1])
    except OSError as e:
        s.close()
        if e.args and e.args[0] in (110, 116):
            raise _err(3, host, port)  # connect to %s:%s timed out
        raise _err(2, host, port, e)  # connect to %s:%s failed: %r
    raw = s
    if tls:
        if tls is True:
            tls = client_tls_context(verify=False)
        try:
            s = tls.wrap_socket(s, server_hostname=server_hostname or host)
        except (OSError, ValueError) as e:  # mbedTLS verification failures are ValueError
            s.close()
            raise _err(4, host, port, e)  # TLS handshake with %s:%s failed: %r
    return SocketIO(s, _bufsize(bufsize), tls=bool(tls), addr=ai[-1], raw=raw)


async def _nothing():
    pass


async def start_server(cb, host, port, tls=None, backlog=16, reaper=None, bufsize=None):
    # cb(io) is run as its own task per accepted connection; it closes the io (whose
    # abort() also leaves the reaper) when it is done.  One receive buffer for all the
    # server's connections (board RAM): a connection's recv result is consumed (copied
    # by the protocol core) before its task awaits again, see mhttp._io_stream.StreamIO.
    import asyncio
    from mhttp._io_stream import StreamIO
    bufsize = _bufsize(bufsize)
    shared = memoryview(bytearray(bufsize))

    def on_conn(r, w):
        # A plain function returning the connection's coroutine (asyncio makes the
        # task): no wrapper coroutine frame kept alive per connection (board RAM).
        try:
            w.s.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY
        except Exception:
            pass
        try:
            io = StreamIO(r, w, bufsize, tls=bool(tls), buf=shared)
            if reaper is not None:
                reaper.add(io)
        except MemoryError:
            # No RAM for one more connection: drop it (its fd too), keep serving the rest.
            w.close()
            s = getattr(w, "s", None)
            if s is not None:
                s.close()
            return _nothing()
        return cb(io)

    srv = await asyncio.start_server(on_conn, host, port, backlog, tls or None)
    # The handle is asyncio's own Server (close(), await wait_closed()) with .sockname set
    # on it (no wrapper class: board RAM).  MicroPython sockets have no getsockname(): the
    # port we asked for is the port we got (port 0 is not supported here: pick a free
    # port before starting).
    srv.sockname = (host, port)
    return srv
