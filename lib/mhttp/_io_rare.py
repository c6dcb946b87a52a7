# mhttp._io_rare: the parts of the I/O layer a routine exchange does not run, loaded on
# first use: the OSError -> mhttp.errors mapping (only a failed read or write reaches it),
# the texts of SocketIO's and the MicroPython port glue's own errors, SocketIO's rarely
# called methods (peername, localname, alpn, expire) and the millisecond clock for a bare
# checkout on CPython (no _mhttp_port on the path; a board always has its glue).  Board
# RAM: tables, texts and functions are heap objects even from ROMFS.
from mhttp.errors import Timeout, ConnectionClosed

# errnos that mean "the peer went away": EPIPE 32, ECONNABORTED 103 (Linux) / 53,
# ECONNRESET 104 (Linux) / 54, ENOTCONN 107 / 57, ESHUTDOWN 108, ETIMEDOUT keeps its own.
_GONE = (32, 53, 54, 57, 103, 104, 107, 108, 9)
_TIMEDOUT = (110, 60, 116)  # ETIMEDOUT (Linux, BSD), MicroPython's ETIMEDOUT on some ports
_EAGAIN = (11, 35)


def _oserror(e, what):
    # mhttp._io._oserror: the mhttp error for OSError e raised by `what` ("read", "write").
    if type(e).__name__ in ("timeout", "TimeoutError"):
        # CPython's socket.timeout is an OSError with no errno
        return Timeout("%s timed out" % what)
    n = e.args[0] if e.args else 0
    if not isinstance(n, int):
        n = getattr(e, "errno", 0) or 0
    if n in _TIMEDOUT or n in _EAGAIN:
        return Timeout("%s timed out" % what)
    if n in _GONE:
        return ConnectionClosed("connection closed by peer during %s (errno %d)" % (what, n))
    return ConnectionClosed("%s failed: %r" % (what, e))


import time as _time


def ticks_ms():
    return int(_time.monotonic() * 1000)


def ticks_diff(a, b):
    return a - b


def ticks_add(a, d):
    return a + d


# The I/O layer's own errors, by number (each raise site quotes its text): 0-4 are
# mhttp._io_socket's (SocketIO; 0-3 also mhttp._io_stream's StreamIO), 5-9 the MicroPython
# port glue's connect errors (ports/unix/_mhttp_port and _mhttp_aio number them from 0
# and add 5), 10 StreamIO's, 11 mhttp._io.run_blocking's.
# The functions here are named _err and _oserror like the callers' own: names a board has
# interned already.
_ERRORS = ("recv on a closed connection", "send on a closed connection",
           "read timed out after %ss", "write timed out after %ss", "read made no progress",
           "connect to %s:%s timed out after %ss", "TLS connection to %s:%s failed: %r",
           "connect to %s:%s failed: %r", "connect to %s:%s timed out",
           "TLS handshake with %s:%s failed: %r", "write failed: %r",
           "run_blocking: the coroutine suspended on %r (asyncio I/O under a blocking driver)")


def _err(n, a=None, b=None, c=None):
    # SocketIO's and StreamIO's (n < 5): a is the timeout; StreamIO's 10: a is the
    # exception; a connect error: a, b are host and port, c the timeout (5) or the
    # OSError (6, 7, 9); run_blocking's 11: a is what the coroutine suspended on.
    t = _ERRORS[n]
    if n == 11:
        from mhttp.errors import Error
        return Error(t % (a,))
    if n < 5:
        if n < 2:
            return ConnectionClosed(t)
        return Timeout(t % (a,) if n < 4 else t)
    if n == 10:
        return ConnectionClosed(t % (a,))
    if n == 9 and getattr(c, "args", None) and (c.args[0] == 110 or c.args[0] == 116):
        # the handshake timed out (ETIMEDOUT: the unix port's 110, some ports' 116):
        # Timeout, as a connect or read timeout (CPython's glue too)
        n = 8
        t = "TLS handshake with %s:%s timed out"
    t = t % ((a, b) if n == 8 else (a, b, c))
    if n == 7:
        t += _zone(a, c)
    if n == 6 or n == 9:
        from mhttp.errors import TLSError
        return TLSError(t)
    return Timeout(t) if n == 5 or n == 8 else ConnectionClosed(t)


def _zone(host, e):
    # What a failed connect to an IPv6 literal with a zone ("::1%lo", from
    # http://[::1%25lo]/) adds to its text when the resolver refused it (not an errno of
    # a connect: a getaddrinfo error).  glibc (and MicroPython's unix port over it) takes
    # an interface name as a zone only on a link-local address (fe80::/10) and only for
    # an interface that exists; anywhere else only a number (the interface's index).
    n = e.args[0] if e.args else 0
    host = str(host)
    z = host.find("%")
    if z < 0 or (isinstance(n, int) and n > 0):
        return ""
    return (" (IPv6 zone %r of %s: the system resolves an interface name as a zone only "
            "on a link-local address, fe80::/10, and only of an existing interface; "
            "give the interface's index instead, [%s%%25<index>] in a URI)"
            % (host[z + 1:], host[:z], host[:z]))


# mhttp._io_socket.SocketIO's rare methods (mhttp._lazy binds them on first use)

def peername(self):
    try:
        return self.sock.getpeername()
    except Exception:
        return self.addr


def localname(self):
    try:
        return self.sock.getsockname()
    except Exception:
        return None


def alpn(self):
    try:
        p = self.sock.selected_alpn_protocol()
    except Exception:
        return None
    return p.encode() if p else None


def expire(self):
    pass
