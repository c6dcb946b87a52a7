# mhttp._io: the I/O objects the drivers (h1_connection, h2_connection) sit on.
#
# An I/O object moves bytes and nothing else.  Its interface (all a driver may use):
#
#   await io.recv(timeout)        -> bytes-like, b"" at EOF; valid until the next recv,
#                                  and on a MicroPython server (one receive buffer
#                                  shared by all connections) only until the caller
#                                  awaits anything: consume or copy it first
#   await io.send(pieces, timeout)   pieces: list of bytes-like, written in order
#   await io.close()               (io.abort() closes without waiting)
#   io.peername(), io.localname()  address tuples or None where the runtime cannot say
#   io.alpn()                      the ALPN protocol agreed on (bytes) or None
#   io.tls                         true on a TLS connection (True; MicroPython's accept loop:
#                                  the accepted socket, see mhttp.server.Stream._serve)
#   io.deadline / io.expire()      used by a Reaper (below): one timer task per server
#                                  instead of one timer per read
#
# recv/send raise mhttp.errors.Timeout when the timeout (seconds, None = no limit) runs
# out and mhttp.errors.ConnectionClosed when the peer reset the connection.
#
# Three implementations, each in its own module (a scenario loads only the one it runs;
# `from mhttp._io import StreamIO` still works, through the module __getattr__ below):
#   StreamIO   (mhttp._io_stream, with the Reaper) over asyncio streams: CPython asyncio
#              and MicroPython asyncio share the StreamReader/StreamWriter API
#              (MicroPython: readinto into one preallocated bytearray per connection).
#   SocketIO   (mhttp._io_socket) over a blocking socket (settimeout per operation).  Its
#              coroutines never suspend, so run_blocking(coro) drives them with
#              coro.send(None): that is how the blocking face of every driver is derived
#              from the one async copy.
#   (CPython's server fast path, an asyncio.Protocol driving the same coroutines by hand,
#    lives in ports/cpython/_mhttp_port.)
#
# OSError is matched by errno number (MicroPython has no ConnectionResetError &c.).


try:
    from _mhttp_port import ticks_ms, ticks_diff, ticks_add
except ImportError:  # running from a bare checkout on CPython (mhttp._io_rare)
    from mhttp._io_rare import ticks_ms, ticks_diff, ticks_add

DEFAULT_BUFSIZE = 4096


# str or bytes in, the same kind out (mhttp.util's convention, and mhttp.request's URI
# parsing): here, in the module every program loads, so that neither of them needs the
# other (board RAM: mhttp.util without the client, the client without mhttp.util).
def _in(x):
    # -> (bytes, was_str)
    if isinstance(x, str):
        return x.encode(), True
    if isinstance(x, bytes):
        return x, False
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x), False
    from mhttp._util_ip import _bad
    raise _bad(0, type(x).__name__)     # TypeError: expected bytes or str, got %s


def _out(b, s):
    # s: the input was a str (then so is the result)
    if not s:
        return b
    try:
        return b.decode()
    except UnicodeError:
        from mhttp._util_ip import _bad
        raise _bad(1)   # result is not valid UTF-8; pass bytes to get raw octets


def run_blocking(coro):
    # Drives a coroutine whose awaits never suspend (everything under it does blocking
    # I/O) to completion and returns its result.  A coroutine that does suspend (an
    # asyncio call slipped in) is an error, reported instead of spinning.
    # (Two slots, coro reused: on MicroPython a frame of at most 11 words stays on the C
    # stack, a larger one takes a heap block, here for the whole of every blocking call:
    # 192 B of a board's heap while a response is parsed.)
    try:
        y = coro.send(None)
    except StopIteration as coro:
        return coro.value if coro.args else None
    coro.close()
    # Error: run_blocking: the coroutine suspended on %r (asyncio I/O under a blocking
    # driver) (its text in mhttp._io_rare: a str constant is a heap object on a board,
    # even from ROMFS)
    from mhttp._io_rare import _err as coro
    raise coro(11, y)


def __getattr__(name):
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(globals())
    # PEP 562 (MicroPython too): the I/O classes live in modules loaded on first use.
    # _oserror(e, name): the mhttp error (Timeout or ConnectionClosed) for OSError e
    # raised by the operation `name` ("read", "write"): mhttp._io_rare's, with the errno
    # tables and texts, loaded by the first one (board RAM: no def here, and this
    # module's dict holds ten entries, a table of 160 B on a board, not eleven in 192).
    if name == "_oserror":
        from mhttp._io_rare import _oserror
        return _oserror
    if name == "SocketIO":
        from mhttp._io_socket import SocketIO
        return SocketIO
    if name in "StreamIO Reaper".split():   # (one str: a tuple of names is 3 heap objects)
        return getattr(__import__("mhttp._io_stream", None, None, (name,)), name)
    raise AttributeError(name)
