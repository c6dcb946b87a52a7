# mhttp._io_stream_rare: StreamIO's methods a server does not use (half-close, close,
# names, ALPN, and a client's reads and writes without a Reaper: asyncio.wait_for per
# timed call), loaded on first use by mhttp._lazy.bind.  A server's connections read
# and write inline in recv/send (their Reaper enforces the timeouts) and close with
# abort().
import asyncio

from mhttp.errors import Timeout


async def _timed(self, aw, timeout, what):
    # Without a Reaper (a client): asyncio.wait_for when there is a timeout.
    if timeout is None:
        return await aw
    try:
        return await asyncio.wait_for(aw, timeout)
    except asyncio.TimeoutError:
        raise Timeout("%s timed out after %ss" % (what, timeout))


async def _read(self):
    mv = self.buf
    if mv is not None:
        n = await self.reader.readinto(mv)
        while n is None:
            # MicroPython, non-blocking TLS: readable socket but no application data
            # yet (handshake or a partial record): wait again.
            n = await self.reader.readinto(mv)
        return mv[:n] if n else b""
    return await self.reader.read(self.bufsize)


async def _write(self, pieces):
    w = self.writer
    if len(pieces) == 1:
        data = pieces[0]
    else:
        data = b"".join([bytes(p) if isinstance(p, memoryview) else p for p in pieces])
    if isinstance(data, memoryview):
        data = bytes(data)
    w.write(data)
    if getattr(w, "out_buf", True):    # (see StreamIO.send)
        await w.drain()


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
