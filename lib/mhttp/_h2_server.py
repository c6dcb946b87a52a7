# mhttp._h2_server: what only a server runs of mhttp.h2_connection (private; a client
# never loads it): serve_connection (mhttp.h2_connection.serve_connection through that
# module's __getattr__), each request stream's task (_handle, started by _spawn), and the
# method H2Connection.serve (found here by the class's
# __getattr__, mhttp._lazy.bind, and stored on the class).  What only a failed
# handler or an unfinished response runs (_failed, H2Stream.finish_server) is in
# mhttp._h2_stream_rare: board RAM, ~0.8 KB of bytecode a clean exchange never runs.
import sys

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

_CPYTHON = sys.implementation.name == "cpython"
_NO_ERROR = const(0)
# Board RAM: sys and const leave the module dict once used: the module dict at 12 entries
# or fewer, its table 224 bytes, not 320
del sys, const


def _spawn(coro, server=None, stream=None):
    # Runs a coroutine as a task.  On CPython its first step runs right now (a handler
    # that answers without suspending costs no Task at all: None, see mhttp._h2_cpy);
    # MicroPython's coroutines cannot be stepped by hand portably, so they get a Task at
    # once.  With a server, the task is one of its handler tasks (server._h2tasks) until
    # it ends (MicroPython: the end of _start; CPython: see mhttp._h2_cpy.spawn).
    if _CPYTHON:
        from mhttp._h2_cpy import spawn
        return spawn(coro, server, stream)
    import asyncio
    t = asyncio.create_task(coro)
    if server is not None:
        s = getattr(server, "_h2tasks", None)      # (None: not an mhttp.server.Server)
        if s is not None:
            if s.__class__ is tuple:
                s = server._h2tasks = set()
            s.add(t)
    return t


def serve(self, onstream):
    # Server: runs the reader (the connection's own coroutine); onstream(stream) is
    # called for each new request stream, usually starting a handler via _spawn.
    # Board RAM: a plain function returning the reader's coroutine, so a connection
    # waits in one frame less (the stream-1 request of an `Upgrade: h2c` is handed to
    # onstream when this is called, i.e. when the caller starts serving).
    self.onstream = onstream
    st = getattr(self, "_upgrade_stream", None)    # (set by an h2c upgrade only)
    if st is not None:
        self._upgrade_stream = None
        self.requests += 1
        onstream(st)
    return self._read_loop()


def _close(stream):
    # finish_server's end, once the response is complete: the stream leaves the table.
    if not stream.in_done:
        stream.rst_stream(_NO_ERROR)
    elif stream.chunks or stream.conn.streams.get(stream.id) is stream:
        stream.conn._forget(stream)


def _failed(server, stream, e, done):
    # A handler's error (mhttp._h2_stream_rare._failed, loaded by the first one: board
    # RAM, a clean exchange never runs it).  Returns None, or the coroutine writing the
    # 408 / 500 response.  Without heap for that (its module's load, the response's
    # objects) the connection ends, as when _handle's frame could not be made (_run):
    # a MemoryError escaping here would leave a stream nobody answers or resets, and on
    # a board a handler task close() waits for.
    try:
        from mhttp._h2_stream_rare import _failed
        return _failed(server, stream, e, done)
    except MemoryError:
        stream.conn.io.abort()
        return None


async def _handle(server, onstream, stream):
    # One request stream on a server: the handler, then the completion of the response.
    # Board RAM: one try level, the error handling in _failed: the frame every in-flight
    # stream holds is 256 bytes, not 288 (64-bit unix port, ROMFS).
    done = False
    try:
        r = onstream(server, stream)
        if r is not None and hasattr(r, "send"):
            await r
        r = None
        done = True
        if stream.out_done and stream.reset is None and stream.conn.error is None:
            # the handler completed its response: finish_server's end without its
            # coroutine frame (board RAM: ~130 bytes per stream)
            _close(stream)
        else:
            await stream.finish_server()
    except Exception as e:
        r = _failed(server, stream, e, done)
    if r is not None:
        try:
            await r         # the error response (408 / 500)
            # then the stream ends as after a handler's response: a request body still
            # coming (a stalled one: the 408) is refused with RST_STREAM(NO_ERROR), and
            # the stream leaves the table (a left one kept the connection from idling)
            _close(stream)
            r = stream.conn     # (no new local: this frame is per stream, board RAM)
            if not r.streams and not r.idle and not r._batch and r.p._cont is None:
                # the last stream: the reader, waiting since streams were open
                # (H2Connection._read_loop: then a timeout is only a turn), is woken to
                # wait a whole idle_timeout from now (never from inside its dispatch,
                # _batch: a handler run by hand, CPython)
                r = getattr(r.io, "expire", None)   # (an I/O object may lack it)
                if r is not None:
                    r()
        except Exception as e:
            _failed(server, stream, e, True)


async def _start(server, onstream, stream):
    # What a new stream's task holds until it first runs.  Board RAM: a coroutine frame
    # with a try block is ~100 bytes larger (64-bit unix port: 224 bytes for _handle,
    # 128 for this one), and a batch of new streams creates all its tasks at once
    # (h2load -m 10: ten, while the reader dispatches); _handle's frame is made when the
    # task runs, mostly one at a time (by _run: no try block here).
    onstream = _run(server, onstream, stream)
    if onstream is not None:
        await onstream
    # The task ended (as mhttp._h2_cpy.ended on CPython): it leaves server._h2tasks
    # (close() waits until that is empty and no connection is left), and when the server
    # is closing the connection (close_after) and this was its last stream, the
    # connection's reader, waiting for bytes, is woken to send the final GOAWAY and end
    # (H2Connection._read_loop).  (Inline, no function of its own: board RAM.)
    if server is None:
        return
    onstream = getattr(server, "_h2tasks", None)
    if onstream:
        onstream.discard(__import__("asyncio").current_task())
        if not onstream and server._closing and not server.conns:
            server._closing.set()
    onstream = stream.conn
    if onstream.close_after and not onstream.streams:
        onstream.io.expire()


def _run(server, onstream, stream):
    # _handle's coroutine, or None when there is no heap for its frame: then the
    # connection ends (its transport aborted: the reader wakes, every stream gets the
    # error), as when that frame was made in the reader and failed there; a stream
    # nobody answers or resets must not be left behind.  (A plain function: its try
    # block costs no heap.)
    try:
        return _handle(server, onstream, stream)
    except MemoryError:
        stream.conn.io.abort()
        return None


def serve_connection(server, onstream, conn):
    # Runs an accepted HTTP/2 connection for mhttp.server: every request stream gets
    # onstream(server, stream) as its own task (see _spawn).  Returns the coroutine to
    # await (the connection's reader: no frame of its own while the connection lives).
    def handler(stream):
        if server is not None:
            server.requests += 1
        _spawn((_handle if _CPYTHON else _start)(server, onstream, stream), server, stream)
    return conn.serve(handler)
