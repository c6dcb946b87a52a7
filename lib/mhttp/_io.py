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
#   io.tls                         True on a TLS connection
#   io.deadline / io.expire()      used by a Reaper (below): one timer task per server
#                                  instead of one timer per read
#
# recv/send raise mhttp.errors.Timeout when the timeout (seconds, None = no limit) runs
# out and mhttp.errors.ConnectionClosed when the peer reset the connection.
#
# Three implementations:
#   StreamIO   over asyncio streams: CPython asyncio and MicroPython asyncio share the
#              StreamReader/StreamWriter API (MicroPython: readinto into one preallocated
#              bytearray per connection).
#   SocketIO   over a blocking socket (settimeout per operation).  Its coroutines never
#              suspend, so run_blocking(coro) drives them with coro.send(None): that is how
#              the blocking face of every driver is derived from the one async copy.
#   (CPython's server fast path, an asyncio.Protocol driving the same coroutines by hand,
#    lives in ports/cpython/_mhttp_port.)
#
# OSError is matched by errno number (MicroPython has no ConnectionResetError &c.).

from mhttp.errors import Timeout, ConnectionClosed, Error

try:
    from _mhttp_port import ticks_ms, ticks_diff, ticks_add
except ImportError:  # running from a bare checkout on CPython
    import time as _time

    def ticks_ms():
        return int(_time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b

    def ticks_add(a, d):
        return a + d

# errnos that mean "the peer went away": EPIPE 32, ECONNABORTED 103 (Linux) / 53,
# ECONNRESET 104 (Linux) / 54, ENOTCONN 107 / 57, ESHUTDOWN 108, ETIMEDOUT keeps its own.
_GONE = (32, 53, 54, 57, 103, 104, 107, 108, 9)
_TIMEDOUT = (110, 60, 116)  # ETIMEDOUT (Linux, BSD), MicroPython's ETIMEDOUT on some ports
_EAGAIN = (11, 35)

DEFAULT_BUFSIZE = 4096


def _oserror(e, what):
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


class _Cancelled(Exception):
    pass


def _cancelled_error():
    import asyncio
    return asyncio.CancelledError


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
    # holds what a connection actually changed.
    deadline = None
    task = None
    _expired = False
    closed = False
    _stalled = False
    tls = False
    reaper = None

    def __init__(self, reader, writer, bufsize=DEFAULT_BUFSIZE, reaper=None, tls=False,
                 buf=None):
        self.reader = reader
        self.writer = writer
        self.bufsize = bufsize
        if reaper is not None:
            self.reaper = reaper
        if tls:
            self.tls = tls
        if hasattr(reader, "readinto"):     # MicroPython only
            self._mv = memoryview(bytearray(bufsize)) if buf is None else buf
        else:
            self._mv = None

    # -- timeouts -------------------------------------------------------------------
    def expire(self):
        # Called by the Reaper when self.deadline has passed: wakes the waiting call.
        self.deadline = None
        if self.task is not None:
            self._expired = True
            self.task.cancel()

    async def _timed(self, aw, timeout, what):
        import asyncio
        if self.reaper is not None:
            # The task is recorded even without a timeout, so that expire() (a server
            # closing its idle connections) can always wake it.
            if timeout is not None:
                self.deadline = ticks_add(ticks_ms(), int(timeout * 1000))
            self.task = asyncio.current_task()
            try:
                return await aw
            except asyncio.CancelledError:
                if self._expired:
                    self._expired = False
                    raise Timeout("%s timed out after %ss" % (what, timeout))
                raise
            finally:
                self.deadline = None
                self.task = None
        if timeout is None:
            return await aw
        try:
            return await asyncio.wait_for(aw, timeout)
        except asyncio.TimeoutError:
            raise Timeout("%s timed out after %ss" % (what, timeout))

    # -- reading ----------------------------------------------------------------------
    async def _read(self):
        mv = self._mv
        if mv is not None:
            n = await self.reader.readinto(mv)
            while n is None:
                # MicroPython, non-blocking TLS: readable socket but no application data
                # yet (handshake or a partial record): wait again.
                n = await self.reader.readinto(mv)
            return mv[:n] if n else b""
        return await self.reader.read(self.bufsize)

    async def recv(self, timeout=None):
        if self.closed:
            raise ConnectionClosed("recv on a closed connection")
        try:
            if self.reaper is None and timeout is not None:
                return await self._timed(self._read(), timeout, "read")
            # No wait_for task: read directly (the Reaper, if any, cancels us when late).
            import asyncio
            if timeout is not None:
                self.deadline = ticks_add(ticks_ms(), int(timeout * 1000))
            self.task = asyncio.current_task()
            try:
                mv = self._mv
                if mv is not None:
                    n = await self.reader.readinto(mv)
                    while n is None:   # MicroPython TLS: no application data yet
                        n = await self.reader.readinto(mv)
                    return mv[:n] if n else b""
                return await self.reader.read(self.bufsize)
            except asyncio.CancelledError:
                if self._expired:
                    self._expired = False
                    raise Timeout("read timed out after %ss" % timeout)
                raise
            finally:
                self.deadline = None
                self.task = None
        except OSError as e:
            raise _oserror(e, "read")

    # -- writing ----------------------------------------------------------------------
    async def _write(self, pieces):
        w = self.writer
        if len(pieces) == 1:
            data = pieces[0]
        else:
            data = b"".join([bytes(p) if isinstance(p, memoryview) else p for p in pieces])
        if isinstance(data, memoryview):
            data = bytes(data)
        w.write(data)
        await w.drain()

    async def send(self, pieces, timeout=None):
        if self.closed:
            raise ConnectionClosed("send on a closed connection")
        try:
            if self.reaper is not None:
                # Inline (no _timed/_write coroutine frames per write): the Reaper cancels
                # us when late, as in recv.
                import asyncio
                if timeout is not None:
                    self.deadline = ticks_add(ticks_ms(), int(timeout * 1000))
                self.task = asyncio.current_task()
                try:
                    # self._write inlined (one coroutine frame less per write)
                    w = self.writer
                    if len(pieces) == 1:
                        data = pieces[0]
                    else:
                        data = b"".join([bytes(p) if isinstance(p, memoryview) else p
                                         for p in pieces])
                    if isinstance(data, memoryview):
                        data = bytes(data)
                    w.write(data)
                    await w.drain()
                except asyncio.CancelledError:
                    if self._expired:
                        self._expired = False
                        raise Timeout("write timed out after %ss" % timeout)
                    raise
                finally:
                    self.deadline = None
                    self.task = None
            else:
                await self._timed(self._write(pieces), timeout, "write")
        except Timeout:
            self._stalled = True     # the peer stopped reading: abort() drops the rest
            raise
        except OSError as e:
            raise _oserror(e, "write")
        except Exception as e:
            # CPython raises ConnectionResetError/BrokenPipeError (OSError subclasses,
            # caught above) or RuntimeError/AttributeError once the transport is gone.
            if isinstance(e, Error):
                raise
            raise ConnectionClosed("write failed: %r" % (e,))

    # -- closing & names --------------------------------------------------------------
    def abort(self):
        if self.closed:
            return
        self.closed = True
        t = getattr(self.writer, "transport", None)
        if t is not None:
            # CPython: close() alone would keep flushing to a peer that never reads.
            from _mhttp_port import close_transport
            close_transport(t, self._stalled)
            return
        try:
            self.writer.close()
        except Exception:
            pass
        # MicroPython's Stream.close() does nothing (its wait_closed() closes the socket).
        s = getattr(self.writer, "s", None)
        if s is not None:
            try:
                s.close()
            except Exception:
                pass

    def shutdown_write(self):
        # Half-close (FIN after what was written); False where the stream cannot.
        w = self.writer
        try:
            if w.can_write_eof():
                w.write_eof()
                return True
        except Exception:
            pass
        return False

    async def close(self):
        if self.closed:
            return
        self.abort()
        try:
            await self.writer.wait_closed()
        except Exception:
            pass

    def peername(self):
        try:
            return self.writer.get_extra_info("peername")
        except Exception:
            return None

    def localname(self):
        try:
            return self.writer.get_extra_info("sockname")
        except Exception:
            return None

    def alpn(self):
        try:
            so = self.writer.get_extra_info("ssl_object")
        except Exception:
            return None
        if so is None:
            return None
        p = so.selected_alpn_protocol()
        return p.encode() if p else None


class SocketIO:
    # Over a blocking socket (CPython socket or ssl socket, MicroPython socket, CircuitPython
    # socketpool socket).  Coroutine methods never suspend: drive them with run_blocking.

    # Board RAM: defaults on the class (an instance's dict holds what differs).
    deadline = None
    closed = False
    tls = False
    addr = None
    _poll = None
    _timeout = -1

    def __init__(self, sock, bufsize=DEFAULT_BUFSIZE, tls=False, addr=None, raw=None):
        self.sock = sock
        # MicroPython's SSLSocket has no settimeout: timeouts go on the socket it wraps.
        self._raw = raw if raw is not None and not hasattr(sock, "settimeout") else sock
        self._mv = memoryview(bytearray(bufsize))
        # Not readinto: MicroPython's socket.readinto follows the "no short reads" policy
        # (it blocks until the whole buffer is full), so it would hang on a short reply.
        self._recv_into = getattr(sock, "recv_into", None)
        if self._recv_into is None and self._raw is sock and hasattr(sock, "readinto"):
            # MicroPython plain socket: no recv_into, and recv(n) allocates n fresh bytes
            # on every read (the 2 KiB block that was the failing allocation of the h1
            # client at its smallest heap, with the buffer above unused).  readinto on a
            # non-blocking socket reads what has arrived into the buffer; waits go
            # through poll, as for TLS below.
            import select
            sock.setblocking(False)
            self._recv_into = sock.readinto
            self._poll = select.poll()
            self._poll.register(sock, select.POLLIN)
        if tls:
            self.tls = tls
        if addr is not None:
            self.addr = addr
        if self._raw is not sock:
            # MicroPython TLS: reads on an SSLSocket over a socket with a timeout never
            # deliver (measured on 1.29: ETIMEDOUT although the reply had arrived), so the
            # SSLSocket is made non-blocking and waits go through select.poll on the raw
            # socket (a None/EAGAIN read means "no whole record yet"; data mbedTLS already
            # decrypted is returned at once, so poll never sleeps on buffered bytes).
            import select
            sock.setblocking(False)
            self._poll = select.poll()
            self._poll.register(raw, select.POLLIN)

    def _settimeout(self, timeout):
        if self._poll is not None:
            return
        if timeout != self._timeout:
            self._raw.settimeout(timeout)
            self._timeout = timeout

    def _wait(self, start, timeout, what, out):
        # poll mode: waits until the raw socket is readable (writable if out), or raises
        # Timeout once `timeout` seconds have passed since `start` (ticks_ms).
        import select
        left = -1
        if timeout is not None:
            left = int(timeout * 1000) - ticks_diff(ticks_ms(), start)
            if left <= 0:
                raise Timeout("%s timed out after %ss" % (what, timeout))
        self._poll.modify(self._raw, select.POLLOUT if out else select.POLLIN)
        self._poll.poll(left)

    async def _recv_polled(self, timeout):
        start = ticks_ms()
        for _ in range(1000000):
            try:
                n = self._recv_into(self._mv)
            except OSError as e:
                if e.args and e.args[0] in _EAGAIN:
                    n = None
                else:
                    raise _oserror(e, "read")
            if n is not None:
                return self._mv[:n] if n else b""
            self._wait(start, timeout, "read", False)
        raise Timeout("read made no progress")

    async def _send_polled(self, pieces, timeout):
        start = ticks_ms()
        s = self.sock
        for p in pieces:
            mv = memoryview(p)
            while len(mv):
                try:
                    n = s.write(mv)
                except OSError as e:
                    if e.args and e.args[0] in _EAGAIN:
                        n = None
                    else:
                        raise _oserror(e, "write")
                if not n:
                    self._wait(start, timeout, "write", True)
                    continue
                mv = mv[n:]

    def expire(self):
        pass

    async def recv(self, timeout=None):
        if self.closed:
            raise ConnectionClosed("recv on a closed connection")
        if self._poll is not None:
            return await self._recv_polled(timeout)
        self._settimeout(timeout)
        try:
            if self._recv_into is not None:
                n = self._recv_into(self._mv)
                k = 0
                while n is None and k < 64:
                    # MicroPython's SSLSocket returns None when a TLS record carried no
                    # application data (a TLS 1.3 session ticket): read again.
                    k += 1
                    n = self._recv_into(self._mv)
                if n is None:  # MicroPython non-blocking socket with nothing to read
                    raise Timeout("read timed out after %ss" % timeout)
                return self._mv[:n] if n else b""
            return self.sock.recv(len(self._mv))
        except OSError as e:
            raise _oserror(e, "read")
        except Exception as e:  # CPython socket.timeout is an OSError subclass; others
            if isinstance(e, Error):
                raise
            if type(e).__name__ in ("timeout", "TimeoutError"):
                raise Timeout("read timed out after %ss" % timeout)
            raise

    async def send(self, pieces, timeout=None):
        if self.closed:
            raise ConnectionClosed("send on a closed connection")
        if self._poll is not None:
            return await self._send_polled(pieces, timeout)
        self._settimeout(timeout)
        s = self.sock
        try:
            for p in pieces:
                mv = memoryview(p)
                while len(mv):
                    n = s.send(mv)
                    if n is None:
                        n = 0
                    mv = mv[n:]
        except OSError as e:
            raise _oserror(e, "write")

    def abort(self):
        if self.closed:
            return
        self.closed = True
        try:
            self.sock.close()
        except Exception:
            pass

    async def close(self):
        self.abort()

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


def run_blocking(coro):
    # Drives a coroutine whose awaits never suspend (everything under it does blocking
    # I/O) to completion and returns its result.  A coroutine that does suspend (an
    # asyncio call slipped in) is an error, reported instead of spinning.
    try:
        while True:
            y = coro.send(None)
            coro.close()
            raise Error("run_blocking: the coroutine suspended on %r (asyncio I/O under a blocking driver)" % (y,))
    except StopIteration as e:
        return e.value if e.args else None


class Reaper:
    # One timer for many I/O objects: every `period` seconds, each registered io whose
    # io.deadline (a ticks_ms value) has passed gets io.expire().  Cheaper than an
    # asyncio.wait_for task per read (MicroPython) or a TimerHandle per read (CPython).

    def __init__(self, period=0.25):
        self.period = period
        self.ios = set()
        self.task = None
        self.running = False

    def add(self, io):
        self.ios.add(io)
        io.reaper = self

    def remove(self, io):
        self.ios.discard(io)

    def sweep(self):
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

    async def run(self):
        import asyncio
        self.running = True
        ms = int(self.period * 1000)
        try:
            while self.running:
                await asyncio.sleep_ms(ms) if hasattr(asyncio, "sleep_ms") else await asyncio.sleep(self.period)
                self.sweep()
        except _cancelled_error():
            pass

    def start(self):
        import asyncio
        if self.task is None:
            self.task = asyncio.create_task(self.run())

    def stop(self):
        self.running = False
        if self.task is not None:
            try:
                self.task.cancel()
            except Exception:
                pass
            self.task = None
