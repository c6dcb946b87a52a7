# mhttp._h2_cpy: CPython-only fast path for mhttp.h2's field-name check, imported only
# when sys.implementation.name == "cpython" (MicroPython's bytes has no translate, and a
# board would only carry the table); and mhttp.h2_connection's CPython task helpers (cont,
# spawn),
# its write-buffer check for writers without out_buf (drain) and a response's Date field
# (_dated), and the check of a server's own response fields (own_fields).
# RFC 9113 §8.2.1: no 0x00-0x20, 0x41-0x5a (uppercase), 0x7f-0xff, no colon.
_TOKEN_BAD = bytes([c for c in range(256)
                    if c <= 0x20 or 0x41 <= c <= 0x5a or c >= 0x7f or c == 0x3a])


def bad_names(headers):
    # mhttp.h2's check of a field list: the first invalid regular field name, True when
    # a value holds NUL, CR or LF, else None.  One translate over the joined names.
    names = [f[0] for f in headers if f[0][:1] != b":"]
    blob = b"".join(names)
    if len(blob.translate(None, _TOKEN_BAD)) != len(blob):
        for n in names:
            if len(n.translate(None, _TOKEN_BAD)) != len(n):
                return n
    blob = b"".join([f[1] for f in headers])
    if b"\r" in blob or b"\n" in blob or b"\x00" in blob:
        return True
    return None


def own_fields(l):
    # mhttp.h2's check of a server's own response fields (H2Protocol.send_headers) at C
    # speed: False when a value holds NUL, CR or LF (the caller's field-by-field loop then
    # says which), else the content-length's value (bytes) or None.  (The loop took ~3 us
    # of a response's ~28 in bench_h2_server; this ~0.6.)
    vals = [f[1] for f in l]
    blob = b"".join(vals)
    if b"\r" in blob or b"\n" in blob or b"\x00" in blob:
        return False
    names = [f[0] for f in l]
    k = names.count(b"content-length")
    if k == 1:
        return vals[names.index(b"content-length")]
    return None if not k else False     # (several: checked one by one, the last kept)


class _Cont:
    # CPython: continues, inside a Task, a coroutine whose first step already ran by hand
    # and yielded the asyncio future `first` (see _spawn).
    def __init__(self, coro, first):
        self.coro = coro
        self.first = first

    def __await__(self):
        coro = self.coro
        y = self.first
        while True:
            try:
                yield y
            except BaseException as e:
                try:
                    y = coro.throw(e)
                except StopIteration as s:
                    return s.value
                continue
            try:
                y = coro.send(None)
            except StopIteration as s:
                return s.value


def drain(w):
    # mhttp.h2_connection._must_drain for a writer without out_buf (CPython's
    # StreamWriter): True (w.drain() would wait) above the transport's high-water mark.
    t = getattr(w, "transport", None)
    if t is None:
        return True
    try:
        return t.get_write_buffer_size() > t.get_write_buffer_limits()[1]
    except Exception:
        return True


def _dated(l):
    # mhttp.h2_connection's response fields l with a Date field added when l has none
    # and the clock is set (RFC 9110 §6.6.1: an origin server with a clock sends Date).
    for f in l:
        if f[0] == b"date":
            return l
    # (mhttp.h1_connection's public name; the function lives in mhttp._h1_server)
    from mhttp.h1_connection import http_date
    d = http_date()     # None: the clock is unset (not plausible)
    if d:
        l = list(l)
        l.append((b"date", d))
    return l


async def cont(coro, first):
    return await _Cont(coro, first)


def spawn(coro, server, stream):
    # mhttp._h2_server._spawn on CPython: the coroutine's first step now; None when that
    # finished it, else the Task that continues it.  With a server, the Task is one of its
    # handler tasks (server._h2tasks, see mhttp.server.Server.close) and ended (below) its
    # done callback; not when that first step began the server's
    # close() (a handler awaiting close() is not waited for: it would wait for itself).
    import asyncio
    closing = getattr(server, "_closing", None)
    try:
        y = coro.send(None)
    except StopIteration:
        return None
    t = asyncio.get_event_loop().create_task(cont(coro, y))
    if server is not None:
        t.add_done_callback(lambda t: ended(server, stream, t))
        s = getattr(server, "_h2tasks", None)      # (None: not an mhttp.server.Server)
        if s is not None and (closing or not server._closing):
            if s.__class__ is tuple:
                s = server._h2tasks = set()
            s.add(t)
    return t


def ended(server, stream, task):
    # A handler task of server ended (its done callback; MicroPython: the end of
    # mhttp._h2_server._start): it leaves server._h2tasks (close() waits until that is
    # empty and no connection is left), and when the server is closing the connection
    # (close_after) and this was its last stream, the connection's reader, waiting for
    # bytes, is woken to send the final GOAWAY and end (H2Connection._read_loop).  Never
    # from inside the reader (c._batch: a handler run by hand in its dispatch).
    t = getattr(server, "_h2tasks", None)
    if t:
        t.discard(task)
        if not t and server._closing and not server.conns:
            server._closing.set()
    c = stream.conn
    if c.close_after and not c.streams and not c._batch:
        c.io.expire()
