# mhttp._io_stream_more: StreamIO.recv and _send (send()'s awaitable when a write must
# wait to drain or has failed, and a client's writes), loaded on first use by
# mhttp._lazy.bind.  A plain HTTP/1 server's connection reads by recv_start (see there)
# and its responses leave in one write that MicroPython's Stream sends at once, so it
# never loads this module (board RAM: the bytecode of a function from a .mpy file is on
# the heap whether it runs or not, ~0.6 KB here).
import asyncio

from mhttp._io_stream import _err, ticks_ms, ticks_add


async def recv(self, timeout=None):
    if self.closed:
        raise _err(0)   # recv on a closed connection
    if self.reaper is None:
        try:
            return await self._timed(self._read(), timeout, "read")
        except OSError as e:
            from mhttp._io_rare import _oserror
            raise _oserror(e, "read")
    # With a Reaper (a server): no wait_for task, read directly (the Reaper cancels
    # us when late).  The task is recorded even without a timeout, so that expire()
    # (a server closing its idle connections) can always wake it.  One try level
    # and self._read inlined: this frame is part of every idle connection (board RAM).
    if timeout is not None:
        self.deadline = ticks_add(ticks_ms(), int(timeout * 1000))
    self.task = asyncio.current_task()
    mv = self.buf
    try:
        if mv is not None:
            n = await self.reader.readinto(mv)
            while n is None:   # MicroPython TLS: no application data yet
                n = await self.reader.readinto(mv)
            return mv[:n] if n else b""
        return await self.reader.read(self.bufsize)
    except asyncio.CancelledError:
        if getattr(self, "_expired", False):
            self._expired = False
            raise _err(2, timeout)  # read timed out after %ss
        raise
    except OSError as e:
        from mhttp._io_rare import _oserror
        raise _oserror(e, "read")
    finally:
        self.deadline = None
        self.task = None


async def _send(self, pieces, timeout):
    # send()'s awaitable: without a Reaper (a client) the whole write (_timed,
    # _write); with one, the drain of what send() wrote (pieces None; the Reaper
    # cancels us when late, as in recv), or the error of its failed write (pieces).
    if self.closed:
        raise _err(1)   # send on a closed connection
    reaper = self.reaper
    try:
        if reaper is None:
            await self._timed(self._write(pieces), timeout, "write")
            return
        if pieces is not None:
            raise pieces
        if timeout is not None:
            self.deadline = ticks_add(ticks_ms(), int(timeout * 1000))
        self.task = asyncio.current_task()
        await self.writer.drain()
    except asyncio.CancelledError:
        if getattr(self, "_expired", False):
            self._expired = False
            self._stalled = True     # the peer stopped reading: abort() drops the rest
            raise _err(3, timeout)  # write timed out after %ss
        raise
    except OSError as e:
        from mhttp._io_rare import _oserror
        raise _oserror(e, "write")
    except Exception as e:
        # CPython raises ConnectionResetError/BrokenPipeError (OSError subclasses,
        # caught above) or RuntimeError/AttributeError once the transport is gone.
        # (Error and Timeout imported here: at most 12 module globals, MicroPython's
        # dict of up to 12 entries takes 224 B, of 13-17 320 B; and a plain server
        # does not load mhttp.errors, board RAM)
        from mhttp.errors import Error, Timeout
        if isinstance(e, Timeout):
            self._stalled = True
            raise
        if isinstance(e, Error):
            raise
        raise _err(10, e)   # write failed: %r
    finally:
        if reaper is not None:
            self.deadline = None
            self.task = None


# -- the accept loop's Stream (mhttp.server.Stream): the rest of asyncio's Stream ------
def get_extra_info(self, v):
    if v == "peername":
        e = self.e
        if type(e) is int:
            # (a sockaddr_in packed by Stream.__init__: the same bytes again)
            v = e
            e = bytearray(16)
            e[0] = 2
            e[2:8] = v.to_bytes(6, "big")
        return e
    raise KeyError(v)


async def wait_closed(self):
    self.s.close()


def readinto(self, buf):
    yield asyncio.core._io_queue.queue_read(self.s)
    return self.s.readinto(buf)


def drain(self):
    if not self.out_buf:
        yield from asyncio.sleep_ms(0)     # (drain always yields)
        return
    mv = memoryview(self.out_buf)
    off = 0
    while off < len(mv):
        yield asyncio.core._io_queue.queue_write(self.s)
        ret = self.s.write(mv[off:])
        if ret is not None:
            off += ret
    self.out_buf = b""
