# mhttp._h1c_server: the server-only half of mhttp.h1_connection, loaded at a server's
# first request (mhttp._lazy.bind stores these functions on H1Connection / H1Stream as
# methods; a client never loads this module): reading the rest of a request head under
# header_timeout, the stream for a request head, the end of an exchange,
# H1Stream.finish_server, _out (a response head) and _left (the request body deadline),
# and http_date (with its clock check) for the Date field.
# http_date, MAX_DRAIN and MIN_CLOCK_YEAR stay importable from mhttp.h1_connection.
import time

from mhttp.errors import ConnectionClosed, ProtocolError
from mhttp.h1_connection import H1Stream

# The Server field's value (mhttp.h1_connection.SERVER_NAME too, through its module
# __getattr__; here, not there: a client does not carry it).
SERVER_NAME = b"mhttp"

# mhttp.h1's event kinds as private const()s (inlined by MicroPython's compiler: no
# module globals, so the module dict stays within 17 entries, 320 B on a board)
if hasattr(b"", "translate"):       # CPython
    def const(n):
        return n

_EV_HEADERS = const(1)      # mhttp.h1.EV_HEADERS
_EV_CLOSED = const(4)       # mhttp.h1.EV_CLOSED

# Bytes of an unread request body the server reads and drops after the handler so the
# connection can be reused; past this the connection is closed instead.
MAX_DRAIN = 65536

# [second, its Date value, the Date and Server lines of a head for it]
_date_cache = [None, None, None]

# RFC 9110 §6.6.1: an origin server without a clock giving a reasonable approximation of
# the current instant MUST NOT send Date.  A board without NTP (or RTC) counts from its
# epoch (2000 or 1970) at boot: a year before this one means the clock was never set.
MIN_CLOCK_YEAR = 2024


def http_date():
    # IMF-fixdate (RFC 9110 §5.6.7) of now, cached for the current second; None when the
    # clock is not set (see MIN_CLOCK_YEAR: the caller then sends no Date).  `time` is
    # imported at module level: on MicroPython an `import time` in a function searches
    # the filesystem for a time.py first (an extensible built-in), 8 us per response.
    t = int(time.time())
    if _date_cache[0] == t:
        return _date_cache[1]
    g = time.gmtime(t)
    d = None
    if g[0] >= MIN_CLOCK_YEAR:
        d = b"%s, %02d %s %d %02d:%02d:%02d GMT" % (
            b"MonTueWedThuFriSatSun"[g[6] * 3:g[6] * 3 + 3], g[2],
            b"JanFebMarAprMayJunJulAugSepOctNovDec"[(g[1] - 1) * 3:g[1] * 3], g[0], g[3], g[4],
            g[5])
    _date_cache[0] = t
    _date_cache[1] = d
    return d


async def _rest_of_head(self, p, io):
    from mhttp._io import ticks_ms, ticks_diff, ticks_add
    ht = self.header_timeout
    deadline = None if ht is None else ticks_add(ticks_ms(), int(ht * 1000))
    while True:
        if self._eof:
            from mhttp.h1_connection import _err
            raise _err(ConnectionClosed, 7)  # peer closed the connection mid-request
        t = None
        if deadline is not None:
            t = ticks_diff(deadline, ticks_ms()) / 1000
            if t <= 0:
                from mhttp.errors import Timeout
                from mhttp.h1_connection import _err
                raise _err(Timeout, 8, ht)  # request head not received within %ss
        data = await io.recv(t)
        if not data:
            self._eof = True
        p.receive_data(data)
        ev = p.next_event()
        if ev is not None:
            return ev


def end_exchange(self):
    # Server: the current request/response pair is complete; forget its stream (and
    # its headers: an idle keep-alive connection holds as little as possible) and get
    # the core ready for the next request.  False if the connection is not reusable.
    p = self.p
    if self.stream is not None:
        if not (p.our_done and p.their_done):
            from mhttp.errors import Error
            from mhttp.h1_connection import _err
            raise _err(Error, 9)  # the previous exchange is not finished
        self.stream = None
        if not p.keep_alive or p.upgraded:
            # (after a 101 the connection carried another protocol: it ends here; asking
            # the core for a next cycle raised, and loaded the error texts, every time)
            return False
        p.start_next_cycle()
    return p.keep_alive


def _incoming(self, data):
    # Server: the stream for a request head event (None for EV_CLOSED: the client
    # closed cleanly between requests).  mhttp.server reads the head itself (its
    # connection loop awaits io.recv directly: one coroutine frame less per idle
    # connection) and calls this.
    kind = data[0]
    if kind == _EV_CLOSED:
        return None
    if kind != _EV_HEADERS:
        from mhttp.h1_connection import _err
        raise _err(ProtocolError, 10, (kind,))  # expected a request head, got event %r
    self.requests += 1
    p = self.p
    if p.their_version[2] == 48:    # b"1.0" (mhttp.h1 gives b"1.0" or b"1.1")
        self.version = 1 / 1        # 1.0 (computed: a float constant is a heap object)
    s = H1Stream(self)
    s.headers = data[1]
    s._headers_pending = True
    if data[2]:
        s._in_done = True
    elif self.body_deadline is not None:
        from mhttp._io import ticks_ms, ticks_add
        s._body_end = ticks_add(ticks_ms(), int(self.body_deadline * 1000))
    self.stream = s
    return s


# -- H1Stream's server-only parts (bound like finish_server) --------------------------
def _out(self, headers, end_stream):
    # H1Stream.write_headers on a server: the serialised response head, Date and Server
    # added, or None when it is held back to go out with the first body bytes.
    conn = self.conn
    p = conn.p
    has_date = has_server = has_cl = False
    st = None
    for f in headers._l:
        n = f[0]
        if n == b":status":
            st = f[1]
        elif n == b"date":
            has_date = True
        elif n == b"server":
            has_server = True
        elif n == b"content-length":
            has_cl = True
    if st is None:
        from mhttp.errors import Error
        from mhttp.h1_connection import _err
        raise _err(Error, 6)  # write_headers: a response needs a :status field
    if conn.close_after:
        p.keep_alive = False    # the core then writes Connection: close
    final = not st or st[0] != 49 or st == b"101"     # (49: "1"; no constant for it)
    extra = None
    if final and not (has_date and has_server):
        # Date (RFC 9110 §6.6.1: only with a set clock, see http_date) and Server,
        # after the fields we were given (the core writes them into the head: no
        # second copy of it).
        d = None
        if not has_date:
            d = http_date()
        if d is not None:
            if not has_server:
                # (one tuple per second, not per response: board RAM)
                extra = _date_cache[2]
                if extra is None or extra[1] is not d:
                    extra = _date_cache[2] = (b"date: ", d, b"\r\nserver: ", SERVER_NAME,
                                              b"\r\n")
            else:
                extra = (b"date: ", d, b"\r\n")
        elif not has_server:
            extra = (b"server: ", SERVER_NAME, b"\r\n")
    data = p.send_headers(headers, end_stream, extra)
    if final:
        self.headers_sent = True
        self.status = st
        if has_cl and not end_stream and conn.hold_head:
            # Sent together with the first body bytes: one write, no Nagle stall.
            conn._held = data
            return None
    return data


def _left(self, timeout):
    # H1Stream.get_next_chunk's read timeout under the whole-body deadline (body_deadline,
    # server; _body_end is set by _incoming above, so a client never gets here): a read
    # waits at most what is left of it.  (A plain method: get_next_chunk's coroutine
    # frame keeps few slots.)
    from mhttp._io import ticks_ms, ticks_diff
    left = ticks_diff(self._body_end, ticks_ms()) / 1000
    if left <= 0:
        from mhttp.errors import Timeout
        from mhttp.h1_connection import _err
        # request body not complete within %ss
        raise _err(Timeout, 5, self.conn.body_deadline)
    return left if timeout is None or left < timeout else timeout


# -- server: after the handler ------------------------------------------------------
async def finish_server(self, max_drain=MAX_DRAIN):
    # Completes the exchange so the connection can carry the next request, or marks
    # it for closing.  Returns True when the connection can be reused.
    conn = self.conn
    p = conn.p
    if conn._held is not None:
        await conn.flush()
    if p.upgraded:
        return False
    if not p.our_done:
        if not self.headers_sent:
            # The handler answered nothing.
            # (appended, not Headers(((b":status", b"500"), ...)): a tuple of constants
            # is a heap object on a board, even from ROMFS, each inner one too)
            from mhttp.headers import Headers
            h = Headers()
            h.append(b":status", b"500")
            h.append(b"content-length", b"0")
            await self.write_headers(h, True)
        else:
            try:
                await self.write_chunk(b"", True)
            except ProtocolError:
                return False
    if not p.keep_alive:
        return False
    if not self._in_done and not p.their_done:
        if p.expect_continue and not self.continue_sent:
            # RFC 9110 §10.1.1: we answered without 100; the client may or may not
            # send the body now, so the connection cannot be reused safely.
            return False
        n = 0
        while True:
            c = await self.get_next_chunk(conn.body_timeout)
            if c is None:
                break
            n += len(c)
            if n > max_drain:
                return False
    return p.keep_alive and p.our_done and p.their_done
