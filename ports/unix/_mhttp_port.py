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


def _no_alpn(alpn):
    if alpn:
        from mhttp.errors import TLSError
        raise TLSError("ALPN %r requested but MicroPython's ssl module has no ALPN support "
                       "(use HTTP/1.1 over TLS, or h2c prior knowledge over cleartext)" % (alpn,))


def _der(x):
    # File name or bytes -> DER bytes.  This build's mbedTLS parses DER only ("invalid
    # key" / "invalid cert" on PEM), so a PEM file's first block is base64-decoded here.
    if isinstance(x, str):
        with open(x, "rb") as f:
            x = f.read()
    i = x.find(b"-----BEGIN")
    if i < 0:
        return x
    i = x.find(b"\n", i)
    j = x.find(b"-----END", i)
    if i < 0 or j < 0:
        return x
    from binascii import a2b_base64
    return a2b_base64(x[i + 1:j].replace(b"\r", b"").replace(b"\n", b""))


def client_tls_context(cafile=None, verify=True, alpn=None, certfile=None, keyfile=None):
    # MicroPython's ssl (mbedTLS) takes DER (PEM files are converted by _der); verification is on when a CA
    # file is given (there is no system trust store on a board).
    _no_alpn(alpn)
    import ssl
    from mhttp.errors import TLSError
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        if cafile:
            ctx.load_verify_locations(cadata=_der(cafile))
            ctx.verify_mode = ssl.CERT_REQUIRED
        elif verify:
            raise TLSError("certificate verification asked for but no CA file given "
                           "(MicroPython has no system trust store): pass cafile=..., or verify=False")
        else:
            ctx.verify_mode = ssl.CERT_NONE
        if certfile:
            ctx.load_cert_chain(_der(certfile), _der(keyfile))
    except (OSError, ValueError) as e:
        raise TLSError("TLS setup failed: %r" % (e,))
    return ctx


def server_tls_context(certfile, keyfile, alpn=None):
    # alpn is ignored on a server here (a client offering h2 then falls back to http/1.1).
    import ssl
    from mhttp.errors import TLSError
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(_der(certfile), _der(keyfile))
    except (OSError, ValueError) as e:
        raise TLSError("cannot load certificate %r / key %r: %r" % (certfile, keyfile, e))
    return ctx


def _bufsize(n):
    # The receive buffer size, looked up at call time: a board's glue (ports/esp32, rp2)
    # re-exports these functions and sets its own DEFAULT_BUFSIZE in `_mhttp_port`.
    if n:
        return n
    import _mhttp_port
    return _mhttp_port.DEFAULT_BUFSIZE


async def open_connection(host, port, tls=None, server_hostname=None, alpn=None, timeout=None,
                          bufsize=None):
    import asyncio
    from mhttp._io_stream import StreamIO
    from mhttp.errors import Timeout, ConnectionClosed, TLSError
    _no_alpn(alpn)
    if tls is True:
        tls = client_tls_context(verify=False)
    try:
        if timeout is None:
            r, w = await asyncio.open_connection(host, port, tls or None, server_hostname or host)
        else:
            r, w = await asyncio.wait_for(
                asyncio.open_connection(host, port, tls or None, server_hostname or host), timeout)
    except asyncio.TimeoutError:
        raise Timeout("connect to %s:%s timed out after %ss" % (host, port, timeout))
    except OSError as e:
        if tls:
            raise TLSError("TLS connection to %s:%s failed: %r" % (host, port, e))
        raise ConnectionClosed("connect to %s:%s failed: %r" % (host, port, e))
    return StreamIO(r, w, _bufsize(bufsize), tls=bool(tls))


def open_connection_blocking(host, port, tls=None, server_hostname=None, alpn=None, timeout=None,
                             bufsize=None):
    import socket
    from mhttp._io_socket import SocketIO
    from mhttp.errors import ConnectionClosed, TLSError, Timeout
    _no_alpn(alpn)
    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    s = socket.socket(ai[0], ai[1], ai[2])
    s.settimeout(timeout)
    try:
        s.connect(ai[-1])
    except OSError as e:
        s.close()
        if e.args and e.args[0] in (110, 116):
            raise Timeout("connect to %s:%s timed out" % (host, port))
        raise ConnectionClosed("connect to %s:%s failed: %r" % (host, port, e))
    raw = s
    if tls:
        if tls is True:
            tls = client_tls_context(verify=False)
        try:
            s = tls.wrap_socket(s, server_hostname=server_hostname or host)
        except (OSError, ValueError) as e:  # mbedTLS verification failures are ValueError
            s.close()
            raise TLSError("TLS handshake with %s:%s failed: %r" % (host, port, e))
    return SocketIO(s, _bufsize(bufsize), tls=bool(tls), addr=ai[-1], raw=raw)


class _Server:
    def __init__(self, srv, sockname):
        self.srv = srv
        self.sockname = sockname

    def close(self):
        self.srv.close()

    async def wait_closed(self):
        await self.srv.wait_closed()


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
    # MicroPython sockets have no getsockname(): the port we asked for is the port we got
    # (port 0 is not supported here: pick a free port before starting).
    return _Server(srv, (host, port))
