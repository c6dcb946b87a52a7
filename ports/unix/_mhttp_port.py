# MicroPython unix port platform glue for mhttp (see ports/README.md).
#
# What lib/mhttp asks of a port:
#   ticks_ms() ticks_diff(a, b) ticks_add(a, d)   millisecond clock
#   urandom(n)                                     random bytes
#   HAS_ALPN                                       optional, read with getattr(..., False):
#                                                  not set here (mbedTLS build without ALPN;
#                                                  board RAM: one interned name less)
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
from gc import mem_alloc, mem_free

NAME = "micropython-unix"
# The receive buffer per connection, sized to the heap: in a board-sized heap (under
# 480 KiB usable: `-X heapsize=` up to ~486K, as in tools/heapmin.py's board RAM runs)
# the 1 KiB the esp32 and rp2 glue set, so the unix port measures what a board runs;
# 2 KiB in a desktop's heap (2 MiB by default).  (h1 client, 100 GETs from ROMFS:
# 33024 -> 32256 B.)
DEFAULT_BUFSIZE = 1024 if mem_alloc() + mem_free() < 491520 else 2048
del mem_alloc, mem_free


# TLS contexts: the code (mbedTLS set-up, PEM -> DER, the ALPN refusal) is in _mhttp_tls,
# loaded only when TLS is used (board RAM: ~0.8 KB from ROMFS, ~1.5 KB as a .mpy file).
# (Plain functions, not a module __getattr__: the esp32/rp2 glue re-exports this module
# with `import *`, which on MicroPython asks __getattr__ for __all__ and fails.)
# Their arguments are passed on as given (client_tls_context(cafile=None, verify=True,
# alpn=None, certfile=None, keyfile=None), server_tls_context(certfile, keyfile,
# alpn=None): the defaults are _mhttp_tls's): a function with default arguments takes
# 64-96 B of a board's heap, one without 32.
def client_tls_context(*args, **kw):
    import _mhttp_tls
    return _mhttp_tls.client_tls_context(*args, **kw)


def server_tls_context(*args, **kw):
    import _mhttp_tls
    return _mhttp_tls.server_tls_context(*args, **kw)


def open_connection(*args, **kw):
    # asyncio's half of the glue is _mhttp_aio (open_connection), loaded by the first
    # call: a blocking client does not carry it (board RAM).  This returns its
    # coroutine (await it as before).
    import _mhttp_aio
    return _mhttp_aio.open_connection(*args, **kw)


def start_server(*args, **kw):
    # The server's accept loop, mhttp.server's start_server, loaded by the first server: it
    # returns that coroutine (await it as before).  Directly, not through _mhttp_aio: a
    # server never carries the client opener (board RAM: its module and names, ~0.45
    # KB from ROMFS, ~0.9 KB as a .mpy file).  (The module named by a str, not an import
    # statement: a client does not intern its name.)
    m = "mhttp.server"
    return __import__(m, None, None, (m,)).start_server(*args, **kw)


def open_connection_blocking(host, port, tls=None, server_hostname=None, alpn=None, timeout=None,
                             bufsize=None):
    import socket
    from mhttp._io_socket import SocketIO
    if alpn:
        # no ALPN here: the TLS half refuses it (TLSError) before making anything
        client_tls_context(None, True, alpn)
    s = None
    try:
        # (the name looked up inside: a name or a zone the resolver refuses is the same
        # ConnectionClosed as a refused connect, not a bare OSError)
        ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
        s = socket.socket(ai[0], ai[1], ai[2])
        s.settimeout(timeout)
        s.connect(ai[-1])
    except OSError as e:
        if s:
            s.close()
        # The connect errors' texts (quoted at each raise site) live in mhttp._io_rare
        # (numbered from 0 here, from 5 there), loaded by the first error (board RAM: no
        # helper here, a def is heap on a board).  ETIMEDOUT (110), MicroPython's on some
        # ports (116): compared one by one (a tuple of constants is a heap object on a
        # board, even from ROMFS).
        from mhttp._io_rare import _err
        n = e.args[0] if e.args else 0
        if n == 110 or n == 116:
            raise _err(3 + 5, host, port, None)  # connect to %s:%s timed out
        raise _err(2 + 5, host, port, e)  # connect to %s:%s failed: %r
    raw = s
    if tls:
        if tls is True:
            tls = client_tls_context(verify=False)
        try:
            s = tls.wrap_socket(s, server_hostname=server_hostname or host)
        except (OSError, ValueError) as e:  # mbedTLS verification failures are ValueError
            s.close()
            from mhttp._io_rare import _err
            raise _err(4 + 5, host, port, e)  # TLS handshake with %s:%s failed: %r
    if not bufsize:
        # the receive buffer size, looked up at call time: a board's glue (ports/esp32,
        # rp2) re-exports this function and sets its own DEFAULT_BUFSIZE in `_mhttp_port`
        import _mhttp_port
        bufsize = _mhttp_port.DEFAULT_BUFSIZE
    return SocketIO(s, bufsize, bool(tls), ai[-1], raw)   # (tls, addr, raw)
