# mhttp._io_stream: StreamIO (an I/O object over asyncio streams) and the Reaper (one
# timer for the timeouts of many I/O objects).  The interface is described in mhttp._io;
# a blocking client never loads this module.
import asyncio

from mhttp._lazy import bind, settle
# (the clock from the port, not through mhttp._io: a server never loads that module,
# board RAM ~0.5 KB from ROMFS; its OSError mapping, mhttp._io_rare._oserror, is imported
# where an OSError is met)
try:
    from _mhttp_port import ticks_ms, ticks_diff, ticks_add
except ImportError:  # running from a bare checkout on CPython (as mhttp._io)
    from mhttp._io_rare import ticks_ms, ticks_diff, ticks_add


def _err(n, a=None):
    # The exception numbered n (its text is quoted at each raise site): the texts live in
    # mhttp._io_rare with SocketIO's, loaded by the first one (board RAM: a str constant
    # is a heap object even from ROMFS).
    from mhttp._io_rare import _err as f
    return f(n, a)


class StreamIO:
    # Over an asyncio (reader, writer) pair.  reaper: optional Reaper enforcing timeouts
    # (server side); without it each timed call goes through asyncio.wait_for.
    # buf: a memoryview of a receive buffer to read into (MicroPython), default one of
    # `bufsize` bytes per connection.  A server passes one buffer shared by all its
    # connections (board RAM: 1-2 KiB saved per connection): what recv returns is then
    # only valid until the caller's next await, which the drivers honour (the h1 and h2
    # cores copy what they are fed before anything else runs).
    #
    # Board RAM: the attributes below are class defaults, so an instance's dict only
    # holds what a connection actually changed.  _expired and _stalled (set by a
    # timeout) are read with getattr(..., False) where a timeout is handled, and bufsize
    # is an instance's only where it is read (CPython: no readinto): no class defaults,
    # the class's dict holds 23 entries, a 368 B table instead of 464 B.
    deadline = None
    task = None
    closed = False
    tls = False
    reaper = None
    buf = None
    corks = False        # (probed by the drivers: answered here, not by __getattr__)
    send_nowait = None

    def __init__(self, reader, writer, bufsize=4096, reaper=None, tls=False,
                 buf=None):
        self.reader = reader
        self.writer = writer
        if reaper is not None:
            self.reaper = reaper
        if tls:
            self.tls = tls
        if hasattr(reader, "readinto"):     # MicroPython only
            self.buf = memoryview(bytearray(bufsize)) if buf is None else buf
        else:
            self.bufsize = bufsize          # (read(bufsize): CPython)

    def __getattr__(self, name):
        # recv and _send (a read or a write's wait that a plain HTTP/1 server's
        # connection does not make: it reads by recv_start, and its responses leave in
        # one write): mhttp._io_stream_more; shutdown_write, close, peername,
        # localname, alpn, and the reads and writes without a Reaper (a client's:
        # _timed, _read, _write): mhttp._io_stream_rare.
        # (one table, mhttp._lazy.bind: board RAM, one str constant, not three)
        return bind(self, name, "_io_stream_more recv _send;_io_stream_rare shutdown_write "
                    "close peername localname alpn _timed _read _write", None)

    # -- timeouts -------------------------------------------------------------------
    def expire(self):
        # Called by the Reaper when self.deadline has passed: wakes the waiting call.
        self.deadline = None
        if self.task is not None:
            self._expired = True
            self.task.cancel()

    # -- reading ----------------------------------------------------------------------
    def recv_start(self, timeout):
        # A server's idle read without a recv() frame (board RAM: an idle keep-alive
        # connection then waits in its task's frame alone, ~300 B less each; on
        # MicroPython's accept loop a turn takes only its first step, __next__ below,
        # and the connection waits in no frame: mhttp.server.Stream): the
        # awaitable of one read, under the Reaper (a server's StreamIO always has one).
        # The caller awaits it (MicroPython TLS: a None result means no application
        # data yet: it awaits self.reader.readinto(self.buf) again), then passes the
        # result to recv_got.  A CancelledError with self._expired set is the timeout,
        # an OSError a dead connection: the caller ends the connection on either.
        # Over a MicroPython asyncio Stream (one with its socket in .s) the awaitable
        # is this StreamIO itself (__next__ below), not Stream.readinto's coroutine.
        if self.closed:
            raise _err(0)   # recv on a closed connection
        if timeout is not None:
            self.deadline = ticks_add(ticks_ms(), int(timeout * 1000))
        mv = self.buf
        if mv is None:
            self.task = asyncio.current_task()
            return self.reader.read(self.bufsize)
        if getattr(self.reader, "s", None) is None:
            self.task = asyncio.current_task()
            return self.reader.readinto(mv)
        self.task = None        # (the first __next__ sets it)
        return self

    def __iter__(self):
        # (MicroPython: `await io` runs io.__next__ until it raises StopIteration)
        return self

    def __next__(self):
        # What Stream.readinto does, without its coroutine frame: wait in asyncio's
        # poller until the socket is readable (task set: the wait began), then read.
        # Always waits once first, as Stream.readinto does: a client that keeps
        # requests coming does not starve the other connections.
        s = self.reader.s
        if self.task is None:
            self.task = asyncio.current_task()
        else:
            n = s.readinto(self.buf)
            if n is not None:
                raise StopIteration(n)
        asyncio.core._io_queue.queue_read(s)

    def throw(self, e, *args):
        # (MicroPython: an exception thrown into the task while it waits here -- the
        # Reaper's cancel -- goes on to the awaiting frame; without this method the
        # lookup would reach __getattr__)
        raise e

    def recv_got(self, n):
        # What recv_start's read returned -> what recv() would have returned.
        self.deadline = None
        self.task = None
        mv = self.buf
        if mv is None:
            return n
        return mv[:n] if n else b""

    # -- writing ----------------------------------------------------------------------
    def send(self, pieces, timeout=None):
        # -> an awaitable: `await io.send(pieces, timeout)`.  With a Reaper (a server)
        # the write is made here, at once; what is awaited is _send's wait for the
        # writer to drain, or, when MicroPython's Stream.write sent it all (nothing left
        # in its out_buf), flush(), a coroutine with nothing to do: a 64 B frame per
        # response instead of _send's 320 B (board RAM).  A failed write's error is
        # raised by _send too, when awaited.  MicroPython's drain() always yields, even
        # with nothing left to send: going on without yielding, a suspended response
        # does not hold its handler's frames (ten concurrent requests, ~1 KiB each); the
        # next read yields anyway.
        if self.closed or self.reaper is None:
            return self._send(pieces, timeout)
        try:
            # (the join and the copy too: a failure of theirs, a MemoryError on a board,
            # is the write's error, raised by _send when awaited, as any write error)
            if len(pieces) == 1:
                data = pieces[0]
            else:
                try:
                    data = b"".join(pieces)
                except TypeError:
                    # MicroPython: a memoryview piece.  (A loop, not a comprehension: its
                    # code object costs heap even from ROMFS.)
                    data = []
                    for p in pieces:
                        data.append(bytes(p) if isinstance(p, memoryview) else p)
                    data = b"".join(data)
            if isinstance(data, memoryview):
                data = bytes(data)
            w = self.writer
            w.write(data)
        except Exception as e:
            return self._send(e, timeout)
        if getattr(w, "out_buf", True):
            return self._send(None, timeout)
        return self.flush()

    async def flush(self):
        # (the awaitable of a write already done: see send)
        pass

    # -- closing ----------------------------------------------------------------------
    def abort(self):
        if self.closed:
            return
        if self.reaper is not None:
            self.reaper.remove(self)    # a server connection leaves its Reaper here
        w = self.writer
        t = getattr(w, "transport", None)
        if t is not None:
            # CPython: close() alone would keep flushing to a peer that never reads.
            self.closed = True
            from _mhttp_port import close_transport
            close_transport(t, getattr(self, "_stalled", False))
            return
        if w is not self:       # (the accept loop's Stream is its own writer: no close())
            try:
                w.close()
            except Exception:
                pass
        # MicroPython's Stream.close() does nothing (its wait_closed() closes the socket).
        s = getattr(w, "s", None)
        if s is not None:
            try:
                s.close()
            except Exception:
                pass
        # The flag last: on the accept loop's Stream it is a seventh attribute, a table
        # grown (128 B) on a heap an abort often finds full (no heap for a turn): the
        # socket is closed and out of the Reaper all the same, and without the flag a
        # second abort only closes it again.
        try:
            self.closed = True
        except MemoryError:
            pass

# CPython: bound now, no __getattr__ (the list written out, as in __getattr__: a global
# would be one more interned name)
settle(StreamIO, "_io_stream_more recv _send;_io_stream_rare shutdown_write "
       "close peername localname alpn _timed _read _write", None)


class Reaper:
    # One timer for many I/O objects: every `timeout` seconds, each registered io whose
    # io.deadline (a ticks_ms value) has passed gets io.expire().  Cheaper than an
    # asyncio.wait_for task per read (MicroPython) or a TimerHandle per read (CPython).
    # timeout: the period in seconds, state: running (names MicroPython has built in:
    # board RAM, a new name costs an interned entry); ios: the registered ios.

    def __init__(self, timeout=None):
        # (None: 0.25 s, computed: a float constant is a heap object on a board, and
        # mpy-cross folds 1 / 4 into one)
        self.timeout = float(1) / 4 if timeout is None else timeout
        self.ios = set()
        self.task = None
        self.state = False

    def add(self, io):
        self.ios.add(io)
        if io.reaper is not self:       # (a class attribute of a server's Stream class)
            io.reaper = self

    def remove(self, io):
        self.ios.discard(io)

    async def run(self):
        self.state = True
        ms = int(self.timeout * 1000)
        try:
            while self.state:
                if hasattr(asyncio, "sleep_ms"):
                    await asyncio.sleep_ms(ms)
                else:
                    await asyncio.sleep(self.timeout)
                # each io past its deadline expires
                now = ticks_ms()
                late = None
                for io in self.ios:
                    d = io.deadline
                    if d is not None and ticks_diff(now, d) >= 0:
                        if late is None:
                            late = []
                        late.append(io)
                if late:
                    for io in late:
                        io.expire()
                late = None
        except asyncio.CancelledError:
            pass

    def start(self):
        if self.task is None:
            self.task = asyncio.create_task(self.run())

    def stop(self):
        self.state = False
        if self.task is not None:
            try:
                self.task.cancel()
            except Exception:
                pass
            self.task = None
