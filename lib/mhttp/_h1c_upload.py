# mhttp._h1c_upload: an HTTP/1.x request body that is sent while the response is read and
# held (mhttp._request_more._exchange_body; private).
#
# go() writes the whole request body before it reads the response.  A server that
# answers as it reads (an echo, a proxy) stops reading the body once its answer fills
# the TCP buffers, and both sides would wait for each other: the upload would end with
# "write timed out".  So while the body goes out, the response bytes that arrive are read
# and held, up to the request's response_buffer (None: RESPONSE_BUFFER, 4 MiB on
# CPython, 16 KiB on a board); once the body is written, the connection's reads return
# the held bytes first (the start of what it reads) and the response is parsed from them
# as from any read.  Past the bound nothing more is read, the write times out as before,
# and why() gives the Timeout that says why.  The same holding catches a server that
# answers early and closes (a 413 before the body was read): the write fails
# (ConnectionClosed, EPIPE or ECONNRESET), and the response it sent is still read.
#
# How each I/O object holds (Hold.__init__):
#   - SocketIO (mhttp._io_socket, the blocking face, CPython and MicroPython): its send is
#     replaced for the upload by Hold.send, which writes without blocking and, while a
#     write would block, waits on poll (select.select where there is no poll) for the
#     socket to be writable or readable, and reads what is readable;
#   - StreamIO over MicroPython's asyncio Stream (it reads only when asked): a task
#     reads while the body is written (MicroPython's poller keeps one reader and one
#     writer per socket);
#   - StreamIO over CPython's asyncio streams: its StreamReader reads by itself, pausing
#     its transport past twice its limit: that limit is raised for the upload.
# Without select (some CircuitPython builds) or on another I/O object, nothing is held:
# the upload is written as before.
#
# Board RAM: a module of its own, loaded only by a request with a body on HTTP/1.x; a
# plain GET (and every server) never loads it.
import mhttp._io as _io

# The default response_buffer for HTTP/1.x (mhttp.request's Request.response_buffer),
# as HTTP/2's (mhttp._h2_client_more.RESPONSE_BUFFER): a few MiB on CPython, small on a
# board (its RAM).
RESPONSE_BUFFER = 4 << 20 if hasattr(b"", "translate") else 16384


def _again(e):
    # Whether OSError e means "not now" on a socket that does not block: EAGAIN (11
    # Linux, 35 BSD), or CPython ssl's SSLWantReadError / SSLWantWriteError.
    n = e.args[0] if e.args else 0
    return n == 11 or n == 35 or type(e).__name__[:7] == "SSLWant"


class Hold:
    # The holding of one upload on H1Connection conn's I/O object, up to limit bytes
    # (None: RESPONSE_BUFFER).  held: the bytes read (a b"" last when the server closed);
    # n: their count; kind: how this I/O object holds (0: nothing; 1: SocketIO, p: the
    # poll object waited on, MicroPython's SocketIO's own or one made here; 2:
    # MicroPython's asyncio Stream, task: the reading task; 3: CPython's StreamReader,
    # old: its limit to restore).

    def __init__(self, conn, limit):
        io = self.io = conn.io
        self.held = []
        self.n = 0
        self.eof = False
        self.kind = 0
        self.task = None
        self.limit = RESPONSE_BUFFER if limit is None else limit
        r = getattr(io, "reader", None)
        if r is not None:
            old = getattr(r, "_limit", None)
            if old is not None and hasattr(r, "_maybe_resume_transport"):
                # CPython's StreamReader: read by its transport, paused past 2 * _limit
                self.kind = 3
                self.old = old
                if self.limit // 2 > old:
                    r._limit = self.limit // 2
                    r._maybe_resume_transport()
            elif getattr(r, "s", None) is not None and getattr(io, "buf", None) is not None:
                import asyncio
                self.kind = 2
                self.task = asyncio.create_task(self.pull_task())
            return
        if getattr(io, "recv_into", None) is None or getattr(io, "sock", None) is None:
            return
        try:
            import select
        except ImportError:
            return
        self.p = io.poll
        if io.poll is None:
            # CPython (or CircuitPython): a socket with a timeout, made non-blocking for
            # the upload (SocketIO.settimeout sets it again on the next read or write)
            try:
                self.p = select.poll()
                self.p.register(io.raw, select.POLLOUT)
            except Exception:       # (no poll, or not for this socket: select.select)
                self.p = None
                if not hasattr(select, "select"):
                    return
            io.settimeout(0)
        self.kind = 1
        io.send = self.send

    # -- SocketIO -------------------------------------------------------------------
    async def send(self, pieces, timeout):
        # SocketIO.send during the upload: every piece written; while a write would block,
        # the response read and held (pull) and the socket waited on (wait).
        io = self.io
        if io.closed:
            from mhttp._io_rare import _err
            raise _err(1)   # send on a closed connection
        s = io.sock
        w = s.send if io.poll is None else s.write
        start = _io.ticks_ms()
        for p in pieces:
            mv = memoryview(p)
            while len(mv):
                try:
                    n = w(mv)
                except OSError as e:
                    if not _again(e):
                        raise _io._oserror(e, "write")
                    n = None
                if n:
                    mv = mv[n:]
                elif not self.pull():
                    self.wait(start, timeout)

    def pull(self):
        # Reads what has arrived (without waiting) into held, within the bound; True
        # when something was read (or the end of the response).
        io = self.io
        mv = io.buf
        got = False
        while not self.eof and self.n < self.limit:
            try:
                k = io.recv_into(mv)
            except OSError as e:
                if _again(e):
                    return got
                raise _io._oserror(e, "read")
            if k is None:
                return got      # (MicroPython: nothing yet)
            self.got(mv, k)
            got = True
        return got

    def got(self, mv, k):
        # k bytes read into mv (0: the server closed)
        if k:
            self.held.append(bytes(mv[:k]))
            self.n += k
        else:
            self.held.append(b"")
            self.eof = True

    def wait(self, start, timeout):
        # Waits until the socket is writable, or readable while there is room to hold;
        # Timeout ("write timed out after %ss") once timeout seconds passed since start.
        import select
        io = self.io
        left = -1
        if timeout is not None:
            left = int(timeout * 1000) - _io.ticks_diff(_io.ticks_ms(), start)
            if left <= 0:
                from mhttp._io_rare import _err
                raise _err(3, timeout)  # write timed out after %ss
        rd = not self.eof and self.n < self.limit
        p = self.p
        if p is None:
            s = io.raw
            select.select([s] if rd else [], [s], [], None if left < 0 else left / 1000)
            return
        p.modify(io.raw, select.POLLOUT | select.POLLIN if rd else select.POLLOUT)
        if hasattr(p, "ipoll"):
            p.ipoll(left)   # (MicroPython: no list of results made)
        else:
            p.poll(left)

    # -- MicroPython's asyncio Stream ---------------------------------------------------
    async def pull_task(self):
        # Reads the response while the body is written (kind 2), until the bound, the
        # end of the response, a failed read (the write fails too: the error is its) or
        # done()'s cancel.
        io = self.io
        r = io.reader
        mv = io.buf
        try:
            while not self.eof and self.n < self.limit:
                k = await r.readinto(mv)
                if k is not None:       # (None: TLS, no application data yet)
                    self.got(mv, k)
        except Exception:
            pass

    # -- the end of the upload ----------------------------------------------------------
    def why(self, x):
        # The Timeout x of a write during the upload, or, when the response filled the
        # bound, the Timeout that says so.
        if self.kind == 3:
            r = self.io.reader
            n = len(r._buffer)
            lim = 2 * r._limit
        else:
            n = self.n
            lim = self.limit
        if self.kind == 0 or n < lim:
            return x
        from mhttp.errors import Timeout
        return Timeout("%s, with %d bytes of the response held unread (response_buffer "
                       "%d): the server answers as it reads, and the response body is "
                       "not being read while the request body is sent" % (x, n, lim))

    def done(self):
        # The upload ended (written, failed or timed out): the I/O object as it was, and
        # what was held returned first by its reads (recv below).
        io = self.io
        k = self.kind
        if k == 1:
            del io.send
        elif k == 2:
            self.task.cancel()
        elif k == 3:
            r = io.reader
            r._limit = self.old
            if r._exception is not None and r._buffer:
                # the transport failed (the write's error): CPython's StreamReader would
                # raise it before what it holds, the response the server sent first
                self.held.append(bytes(r._buffer))
                del r._buffer[:]
        if self.held:
            self.i = 0
            io.recv = self.recv

    async def recv(self, timeout):
        # The I/O object's recv after the upload: the held bytes, then its own again.
        io = self.io
        h = self.held
        i = self.i
        if i < len(h):
            c = h[i]
            h[i] = None     # (each piece freed once the connection has it)
            self.i = i + 1
            return c
        del io.recv
        self.held = None
        return await io.recv(timeout)
