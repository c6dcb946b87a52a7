# mhttp._server_h1rare: the steps of an HTTP/1 server exchange a plain keep-alive GET
# does not take, loaded on first use through mhttp._h1_server's module __getattr__ (so
# mhttp.h1_connection's lazy binding, which names mhttp._h1_server, finds them there):
# _rest_of_head (a request head that came in more than one read), _left (the request
# body deadline, for body reads) and H1Stream.finish_server (a handler that left the
# response or the request body unfinished).  Board RAM: a module loaded from a .mpy
# file keeps the bytecode of every function on the heap, run or not (~0.7 KB here).
# Functions take the connection or the stream as `self`, as in mhttp._h1_server.
# (MAX_DRAIN and MIN_CLOCK_YEAR are mhttp._h1_server's public names, served from here by
# its module __getattr__: see there)

# Bytes of an unread request body the server reads and drops after the handler so the
# connection can be reused; past this the connection is closed instead.
MAX_DRAIN = 65536

# RFC 9110 §6.6.1: the year before which a clock counts as never set (a board without
# NTP or RTC counts from its epoch, 2000 or 1970, at boot): mhttp._h1_server.http_date
# sends no Date then.  (Its own const(), _MIN_CLOCK_YEAR, holds the same value.)
MIN_CLOCK_YEAR = 2024


async def _rest_of_head(self, p, io):
    from mhttp._io import ticks_ms, ticks_diff, ticks_add
    ht = self.header_timeout
    deadline = None if ht is None else ticks_add(ticks_ms(), int(ht * 1000))
    while True:
        if self._eof:
            from mhttp.errors import ConnectionClosed
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
            # (ints: Headers.append writes them as b"500" and b"0", without two bytes
            # constants here)
            h = Headers()
            h.append(b":status", 500)
            h.append(b"content-length", 0)
            await self.write_headers(h, True)
        else:
            try:
                await self.write_chunk(b"", True)
            except Exception as e:
                # (mhttp.errors imported here: a plain server does not load it, board RAM)
                from mhttp.errors import ProtocolError
                if not isinstance(e, ProtocolError):
                    raise
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
