# mhttp._server_accept: a MicroPython server's accept loop (the unix, esp32 and rp2 port
# glue's start_server: ports/unix/_mhttp_port.py loads this module at the first
# start_server, so an asyncio client never carries it).  It is asyncio's own accept loop
# (asyncio.stream's start_server and Server._serve) written out, over a lean stream
# object per connection, Stream: the part of asyncio's Stream that
# mhttp._io_stream.StreamIO uses, the same code, in one object with the connection's
# StreamIO.  (Stream, Server, _serve and the argument names are names MicroPython has
# already: no new interned names.)  Board RAM: a server never imports asyncio.stream
# (~1.9 KB), and a connection has no Stream info dict (~100 B each) nor a second object.
# MicroPython only (asyncio.core's I/O queue); CPython's port serves with its own code.
import asyncio

from mhttp._io_stream import StreamIO

# (sys and _mhttp_port are imported where they are used, not kept as globals: a module
# dict of up to 8 entries takes 128 B on a board, of 9-10 160 B)


class Stream(StreamIO):
    # An accepted connection: its StreamIO and, in the same object, what StreamIO uses of
    # asyncio's Stream (the same code) over the accepted socket s (e: the peer's address,
    # where Stream has {"peername": addr}); reader and writer are the object itself.
    # Board RAM: one object and one attribute table per connection, not two (~64 B each).
    out_buf = b""
    transport = None    # (StreamIO.abort asks; answered here, not by __getattr__)
    # (the getter: StreamIO.__iter__, which returns the object itself: no function of
    # its own, board RAM)
    reader = writer = property(StreamIO.__iter__)

    # The connection's task runs this object as its coroutine (asyncio's core calls
    # send(None) and throw(e): see _go), not Server._on_connection's coroutine: an idle
    # keep-alive connection then holds no coroutine frame (board RAM, 256 B each on the
    # unix port).  g: the coroutine of the connection's current turn (cb(io), then one
    # cb(io, conn, True) per wake-up), None while it waits for its next request; c: the
    # connection while it waits (None otherwise).  buf (the receive buffer all the
    # server's connections share), reaper and cb (the server's _on_connection) are
    # class attributes of the server's own subclass (start_server): each connection's
    # attribute table holds six slots (s, e, deadline, task, g, c), 96 B.
    cb = None

    def __init__(self, s, e, buf=None, tls=False):
        self.s = s
        self.e = e
        if buf is not None:
            self.buf = buf
        if tls:
            self.tls = tls
        # (set now, with the rest: the attribute table is sized once, at accept, rather
        # than grown by the first read in the middle of a request's objects)
        self.deadline = None
        self.task = None
        self.g = None if self.cb is None else self.cb(self)
        self.c = None

    def send(self, pieces, timeout=None):
        # StreamIO.send (a write); asyncio's core resuming the connection's task: None
        if pieces is not None:
            return StreamIO.send(self, pieces, timeout)
        self._go(None)

    def throw(self, e, *args):
        # asyncio's core throwing into the connection's task (the Reaper's cancel, a
        # close(), ...).  With self.g and self.c None (a turn awaiting this object, see
        # _go) e goes on to the awaiting frame (as StreamIO.throw).
        if self.g is None and self.c is None:
            raise e
        self._go(e)

    def _go(self, e):
        # One step of the connection's task: of its current turn g, or, while the
        # connection waits for its next request (the last turn left it in self.c and
        # set the poller on this object's socket), of a new turn, which reads at once
        # (self.task is set: see StreamIO.__next__) or raises e where its read would
        # be.  (self.g None while g runs: a throw reaching this object from g's own
        # await goes on into g.)  A turn that ends is run by next(g, self), not
        # g.send(None): no StopIteration made when it ends, which could fail for want
        # of heap and end the task with its connection left open.
        g = self.g
        if g is None:
            g = self.c
            self.c = None
            try:
                g = self.cb(self, g, True if e is None else e)
            except MemoryError:
                # No heap for it: the connection (still g) ends, as Server._end ends
                # one (the server's, a class attribute of its H1Connection class).
                g._end(g, self)
                return
            e = None
        self.g = None
        if e is None:
            if next(g, self) is not self:
                self.g = g
            elif self.c is None:
                raise StopIteration     # the connection is over: so is its task
            return
        try:
            g.throw(e)
            self.g = g
        except StopIteration:
            if self.c is None:
                raise

    def __getattr__(self, name):
        # The rest of asyncio's Stream, which only code in a module loaded on first use
        # calls (drain: StreamIO._send; readinto: recv, TLS; get_extra_info: peername;
        # wait_closed: close): mhttp._io_stream_more (board RAM: their bytecode is not
        # on the heap of a plain server; not StreamIO's __getattr__: an asyncio client's
        # StreamIO has none of them); anything else as StreamIO.
        # (one str, a table for mhttp._lazy.bind: board RAM, a str constant is a heap
        # object even from ROMFS)
        t = "_io_stream_more drain readinto get_extra_info wait_closed"
        if name in t.split():
            from mhttp._lazy import bind
            return bind(self, name, t, None)
        return StreamIO.__getattr__(self, name)

    def write(self, buf):
        if not self.out_buf:
            # try to send at once
            ret = self.s.write(buf)
            if ret == len(buf):
                return
            if ret is not None:
                buf = buf[ret:]
        self.out_buf += buf

class Server:
    # The listening handle: close(), await wait_closed(), .sockname (as asyncio's
    # Server, whose _serve loop is _serve below).
    def close(self):
        self.state = True
        self.task.cancel()

    async def wait_closed(self):
        await self.task


def _serve(srv, s, k, tls, reaper):
    # asyncio's accept loop (a generator: the server's task), building each connection's
    # Stream (its StreamIO) itself, of the server's class k (see start_server); the io
    # is its own task's coroutine, which runs cb(io) (see Stream), and cb closes the io
    # (whose abort() also leaves the reaper) when it is done.  One receive buffer for
    # all the server's connections (board RAM): a connection's recv result is consumed
    # (copied by the protocol core) before its task awaits again, see
    # mhttp._io_stream.StreamIO.
    srv.state = False
    while True:
        try:
            yield asyncio.core._io_queue.queue_read(s)
        except asyncio.CancelledError as e:
            # cancelled: by close() (return), or with its parent task (propagate)
            s.close()
            if srv.state:
                return
            raise e
        try:
            s2, addr = s.accept()
        except:  # noqa: E722  (as asyncio: a failed accept is ignored)
            continue
        if tls:
            try:
                s2 = tls.wrap_socket(s2, server_side=True, do_handshake_on_connect=False)
            except OSError as e:
                import sys
                sys.print_exception(e)
                s2.close()
                continue
        s2.setblocking(False)
        try:
            s2.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY
        except Exception:
            pass
        io = None
        try:
            io = k(s2, addr, None, bool(tls))
            if reaper is not None:
                reaper.add(io)
            asyncio.create_task(io)     # (io runs cb(io) as its first turn, see Stream)
        except MemoryError:
            # No RAM for one more connection: drop it (its fd too), keep serving the rest.
            # (Not io.abort(): nothing started, and the flag abort sets could take the
            # heap that is missing.)
            if io is not None and reaper is not None:
                reaper.remove(io)
            s2.close()
        io = s2 = addr = None    # (this frame keeps no connection alive)


def start_server(cb, host, port, tls=None, backlog=16, reaper=None, bufsize=None):
    # cb(io) is run as its own task per accepted connection (see _serve and Stream:
    # an HTTP/1 connection's by turns, cb(io, conn, data)).  Binds as
    # asyncio.start_server does; returns that coroutine (await it).  Its body is
    # mhttp._server_setup.start_server (set-up code, dropped from a board's heap once
    # Server.listen is done: see there).
    # (an import statement: the name, interned anyway, is no str constant, board RAM)
    from mhttp import _server_setup
    return _server_setup.start_server(cb, host, port, tls, backlog, reaper, bufsize)
