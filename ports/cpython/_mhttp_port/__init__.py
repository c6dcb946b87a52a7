# CPython platform glue for mhttp (see ports/README.md; the interface is listed at the top
# of ports/unix/_mhttp_port.py).
#
# The server side here is CPython's fast path: an asyncio.Protocol (ProtocolIO) whose
# data_received drives the connection coroutine by hand (coro.send), so a request that
# completes without suspending costs no Task, no Future and one write syscall.  Only when
# the coroutine awaits a real asyncio future (a handler sleeping, a full send buffer) is the
# rest of that step handed to a Task (_Resume); when it is back to waiting for bytes the
# Task ends and data_received drives it again.  The coroutine code is the same portable
# driver code that runs on MicroPython over asyncio streams.
import asyncio
import os
import socket
import time

NAME = "cpython"
HAS_ALPN = True
DEFAULT_BUFSIZE = 65536


def ticks_ms():
    return int(time.monotonic() * 1000)


def ticks_diff(a, b):
    return a - b


def ticks_add(a, d):
    return a + d


def urandom(n):
    return os.urandom(n)


def _alpn_list(alpn):
    if not alpn:
        return None
    return [a.decode() if isinstance(a, (bytes, bytearray)) else a for a in alpn]


def client_tls_context(cafile=None, verify=True, alpn=None, certfile=None, keyfile=None):
    import ssl
    from mhttp.errors import TLSError
    try:
        ctx = ssl.create_default_context(cafile=cafile)
        if not verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if certfile:
            ctx.load_cert_chain(certfile, keyfile)
        if alpn:
            ctx.set_alpn_protocols(_alpn_list(alpn))
    except (OSError, ssl.SSLError) as e:
        raise TLSError("TLS setup failed: %r" % (e,))
    return ctx


def server_tls_context(certfile, keyfile, alpn=None):
    import ssl
    from mhttp.errors import TLSError
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as e:
        raise TLSError("cannot load certificate %r / key %r: %r" % (certfile, keyfile, e))
    if alpn:
        ctx.set_alpn_protocols(_alpn_list(alpn))
    return ctx


def _ctx(tls, alpn):
    if tls is True:
        return client_tls_context(alpn=alpn)
    if tls and alpn:
        tls.set_alpn_protocols(_alpn_list(alpn))
    return tls or None


async def open_connection(host, port, tls=None, server_hostname=None, alpn=None, timeout=None,
                          bufsize=DEFAULT_BUFSIZE):
    import ssl
    from mhttp._io_stream import StreamIO
    from mhttp.errors import Timeout, ConnectionClosed, TLSError
    ctx = _ctx(tls, alpn)
    kw = {"limit": max(bufsize, 65536)}
    if ctx is not None:
        kw["ssl"] = ctx
        kw["server_hostname"] = server_hostname or host
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port, **kw), timeout)
    except asyncio.TimeoutError:
        raise Timeout("connect to %s:%s timed out after %ss" % (host, port, timeout))
    except ssl.SSLError as e:
        raise TLSError("TLS connection to %s:%s failed: %s" % (host, port, e))
    except OSError as e:
        from mhttp._io_rare import _zone
        raise ConnectionClosed("connect to %s:%s failed: %s%s" % (host, port, e,
                                                                  _zone(host, e)))
    return StreamIO(r, w, bufsize, tls=ctx is not None)


def open_connection_blocking(host, port, tls=None, server_hostname=None, alpn=None, timeout=None,
                             bufsize=DEFAULT_BUFSIZE):
    import ssl
    from mhttp._io_socket import SocketIO
    from mhttp.errors import Timeout, ConnectionClosed, TLSError
    ctx = _ctx(tls, alpn)
    try:
        s = socket.create_connection((host, port), timeout)
    except socket.timeout:
        raise Timeout("connect to %s:%s timed out after %ss" % (host, port, timeout))
    except OSError as e:
        from mhttp._io_rare import _zone
        raise ConnectionClosed("connect to %s:%s failed: %s%s" % (host, port, e,
                                                                  _zone(host, e)))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if ctx is not None:
        try:
            s = ctx.wrap_socket(s, server_hostname=server_hostname or host)
        except ssl.SSLError as e:
            s.close()
            raise TLSError("TLS handshake with %s:%s failed: %s" % (host, port, e))
        except socket.timeout:
            s.close()
            raise Timeout("TLS handshake with %s:%s timed out after %ss" % (host, port, timeout))
        except OSError as e:
            s.close()
            raise ConnectionClosed("TLS handshake with %s:%s failed: %s" % (host, port, e))
    return SocketIO(s, bufsize, tls=ctx is not None)


# Seconds a closed transport may keep flushing what it still holds for a peer that reads
# slowly; then it is aborted (a peer that never reads would otherwise keep the socket
# and its buffer for good: asyncio's close() waits for the buffer to drain).
CLOSE_LINGER = 30


def close_transport(transport, stalled=False):
    # Closes an asyncio transport: at once (abort, buffered bytes dropped) when a write
    # already timed out, else after flushing, for at most CLOSE_LINGER seconds.
    try:
        if stalled:
            transport.abort()
            return
        transport.close()
        if transport.get_write_buffer_size():
            asyncio.get_running_loop().call_later(CLOSE_LINGER, transport.abort)
    except Exception:
        pass



# ---------------------------------------------------------------------------------------
# Server fast path: asyncio.Protocol + hand-driven coroutine.

class _WaitData:
    # Awaited by ProtocolIO.recv when no bytes are buffered.  Driven by hand it yields the
    # _WAIT sentinel (data_received resumes it); inside a Task it yields a real Future.
    __slots__ = ("io",)

    def __init__(self, io):
        self.io = io

    def __await__(self):
        io = self.io
        if io.task is None:
            yield _WAIT
        else:
            fut = io.loop.create_future()
            io.waiter = fut
            try:
                yield from fut
            finally:
                io.waiter = None


class _Wait:
    pass


_WAIT = _Wait()
_ENDED = _Wait()   # ProtocolIO._advance: the coroutine returned or raised


class _Resume:
    # Continues a hand-driven coroutine inside a Task after it yielded an asyncio future.
    def __init__(self, io, first):
        self.io = io
        self.first = first

    def __await__(self):
        io = self.io
        coro = io.coro
        y = self.first
        while True:
            if y is _WAIT:
                # Back to waiting for bytes: if they came meanwhile, go on; else end the
                # Task and let data_received drive the coroutine again.
                if io.buf or io.eof or io.error is not None:
                    exc, io.error = io.error, None
                    y = io._advance(coro, exc)
                    if y is _ENDED:
                        return
                    continue
                io.task = None
                io.flush()
                return
            try:
                yield y
            except BaseException as e:
                y = io._advance(coro, e)
            else:
                y = io._advance(coro, None)
            if y is _ENDED:
                return


async def _resume(io, first):
    await _Resume(io, first)


class ProtocolIO(asyncio.Protocol):
    # The _io interface (recv/send/close/peername/localname/alpn/deadline/expire) on an
    # asyncio transport.  cb(io) is started on connection_made.
    HIGH_WATER = 256 * 1024
    corks = True   # writes are buffered until the coroutine suspends (see flush)

    def __init__(self, cb, loop, reaper, tls):
        self.cb = cb
        self.loop = loop
        self.reaper = reaper
        self.tls = tls
        self.transport = None
        self.buf = []
        self.nbuf = 0
        self.eof = False
        self.error = None
        self.coro = None
        self.task = None
        self.waiter = None
        self.out = []
        self.closed = False
        self.deadline = None
        self.paused_reading = False
        self.paused_writing = False
        self.drain_waiter = None
        self.timed_out = False
        self.write_stalled = False  # a write timed out: the peer is not reading
        self.driving = False        # the connection coroutine is running (_advance)

    # -- asyncio.Protocol -------------------------------------------------------------
    def connection_made(self, transport):
        self.transport = transport
        try:
            transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except Exception:
            pass
        if self.reaper is not None:
            self.reaper.ios.add(self)
        self.coro = self.cb(self)
        self._step(None)

    def data_received(self, data):
        self.buf.append(data)
        self.nbuf += len(data)
        if self.nbuf > self.HIGH_WATER and not self.paused_reading:
            self.paused_reading = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self):
        self.eof = True
        self._wake()
        return True  # keep the transport half-open: we may still answer

    def connection_lost(self, exc):
        self.closed = True
        self.eof = True
        if exc is not None and self.error is None:
            from mhttp.errors import ConnectionClosed
            self.error = ConnectionClosed("connection lost: %s" % (exc,))
        d = self.drain_waiter
        if d is not None and not d.done():
            from mhttp.errors import ConnectionClosed
            d.set_exception(ConnectionClosed("connection lost while writing"))
        self._wake()
        if self.reaper is not None:
            self.reaper.ios.discard(self)

    def pause_writing(self):
        self.paused_writing = True

    def resume_writing(self):
        self.paused_writing = False
        d = self.drain_waiter
        if d is not None and not d.done():
            d.set_result(None)

    # -- driving --------------------------------------------------------------------
    def _wake(self):
        if self.coro is None:
            return
        if self.task is None:
            if self.eof or self.error is not None or self.buf:
                exc, self.error = self.error, None
                self._step(exc)
        else:
            w = self.waiter
            if w is not None and not w.done():
                exc, self.error = self.error, None
                if exc is not None:
                    w.set_exception(exc)
                else:
                    w.set_result(None)

    def _advance(self, coro, exc):
        # One step of the connection coroutine (exc thrown in, else resumed): what it
        # yielded, or _ENDED once it returned (_finished) or raised (_crashed).
        # driving: True while the coroutine runs here, so that send() knows a write made
        # outside that step (another task's: a broadcast to a WebSocket) has nobody to
        # flush it at the step's end.
        self.driving = True
        try:
            return coro.throw(exc) if exc is not None else coro.send(None)
        except StopIteration:
            self._finished()
        except BaseException as e:
            self._crashed(e)
        finally:
            self.driving = False
        return _ENDED

    def _step(self, exc):
        y = self._advance(self.coro, exc)
        if y is _ENDED:
            return
        self.flush()
        if y is not _WAIT:
            # A real asyncio future: continue in a Task until it waits for bytes again.
            self.task = self.loop.create_task(_resume(self, y))

    def _finished(self):
        self.flush()
        self.coro = None
        self.task = None
        self.abort()

    def _crashed(self, e):
        self.coro = None
        self.task = None
        self.abort()
        if not isinstance(e, (Exception, asyncio.CancelledError)):
            raise e

    def expire(self):
        from mhttp.errors import Timeout
        self.deadline = None
        if self.coro is None:
            return
        self.timed_out = True
        self.error = Timeout("timed out")
        if self.task is None:
            exc, self.error = self.error, None
            self._step(exc)
        else:
            self._wake()

    # -- the _io interface ------------------------------------------------------------
    async def recv(self, timeout=None):
        if not self.buf:
            if self.eof:
                if self.error is not None:
                    e, self.error = self.error, None
                    raise e
                return b""
            if timeout is not None:
                self.deadline = ticks_ms() + int(timeout * 1000)
            try:
                await _WaitData(self)
            finally:
                self.deadline = None
            if not self.buf:
                return b""
        buf = self.buf
        data = buf[0] if len(buf) == 1 else b"".join(buf)
        self.buf = []
        self.nbuf = 0
        if self.paused_reading:
            self.paused_reading = False
            try:
                self.transport.resume_reading()
            except Exception:
                pass
        return data

    def flush(self):
        out = self.out
        if out and not self.closed:
            self.out = []
            self.transport.write(out[0] if len(out) == 1 else b"".join(out))

    def send_nowait(self, pieces):
        # Buffers pieces if that needs no waiting; False: use `await send(...)`.
        # (Only inside the connection coroutine's hand-driven step: its end flushes.)
        if self.closed or self.paused_writing or self.task is not None or not self.driving:
            return False
        out = self.out
        out += pieces
        if len(out) > 64:
            self.flush()
        return True

    async def send(self, pieces, timeout=None):
        if self.closed:
            from mhttp.errors import ConnectionClosed
            raise ConnectionClosed("send on a closed connection")
        out = self.out
        out += pieces
        # Corked only while the hand-driven step runs (flushed when it suspends); a write
        # from anywhere else -- the coroutine inside a Task, another task -- goes now.
        if self.task is not None or len(out) > 64 or not self.driving:
            self.flush()
        if self.paused_writing:
            from mhttp.errors import Timeout
            self.flush()
            d = self.drain_waiter = self.loop.create_future()
            try:
                if timeout is None:
                    await d
                else:
                    try:
                        await asyncio.wait_for(d, timeout)
                    except asyncio.TimeoutError:
                        self.write_stalled = True
                        raise Timeout("write timed out after %ss" % timeout)
            finally:
                self.drain_waiter = None

    def abort(self):
        if not self.closed:
            self.flush()
            self.closed = True
            close_transport(self.transport, self.write_stalled)

    def shutdown_write(self):
        # Half-close after what was written (FIN); False on TLS or a closed transport.
        if self.closed:
            return False
        self.flush()
        try:
            if self.transport.can_write_eof():
                self.transport.write_eof()
                return True
        except Exception:
            pass
        return False

    async def close(self):
        self.abort()

    def peername(self):
        return self.transport.get_extra_info("peername")

    def localname(self):
        return self.transport.get_extra_info("sockname")

    def alpn(self):
        so = self.transport.get_extra_info("ssl_object")
        if so is None:
            return None
        p = so.selected_alpn_protocol()
        return p.encode() if p else None


class _Server:
    def __init__(self, srv):
        self.srv = srv
        s = srv.sockets[0].getsockname() if srv.sockets else None
        self.sockname = s

    def close(self):
        self.srv.close()

    async def wait_closed(self):
        await self.srv.wait_closed()


async def start_server(cb, host, port, tls=None, backlog=128, reaper=None, bufsize=DEFAULT_BUFSIZE,
                       streams=False, timeout=None):
    # cb(io) is a coroutine function run per accepted connection.  streams=True uses
    # asyncio streams (the MicroPython code path) instead of the Protocol fast path.
    # timeout: a TLS handshake's bound in seconds (asyncio's ssl_handshake_timeout, 60 s
    # when None; mhttp.server passes its header_timeout).
    loop = asyncio.get_running_loop()
    kw = {}
    if tls is not None and timeout:
        kw["ssl_handshake_timeout"] = timeout
    if streams:
        from mhttp._io_stream import StreamIO

        async def on_conn(r, w):
            io = StreamIO(r, w, bufsize, tls=tls is not None)
            if reaper is not None:
                reaper.add(io)
            try:
                await cb(io)
            finally:
                if reaper is not None:
                    reaper.remove(io)
                io.abort()

        srv = await asyncio.start_server(on_conn, host, port, ssl=tls, backlog=backlog,
                                         limit=max(bufsize, 65536), **kw)
        return _Server(srv)
    srv = await loop.create_server(lambda: ProtocolIO(cb, loop, reaper, tls is not None),
                                   host, port, ssl=tls, backlog=backlog, **kw)
    return _Server(srv)
