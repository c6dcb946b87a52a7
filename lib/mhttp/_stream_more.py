# mhttp._stream_more: what of mhttp.stream_common a plain exchange never runs (on
# MicroPython each def costs ~70 B of heap and each class ~220 B, even from ROMFS):
#   - StreamCommon's rare helpers (stream_common.BODY), written as methods (`self` first)
#     and bound on first use by mhttp._lazy: get_body_chars, get_body_until,
#     save_body_to_file, each_chunk, write_body_from_string, write_body_from_file, and
#     unget and _take_unget (a plain exchange never puts a chunk back), and checktls,
#     localname and peername (lua-http's stream_common: the stream's connection's);
#   - BodyTooLarge, raised past a body size limit, and EachChunk, each_chunk()'s iterator,
#     reached as mhttp.stream_common.BodyTooLarge / EachChunk too (module __getattr__).
from mhttp.errors import Error
# (stream_common.left, a deadline's time left, and its clock are imported where used:
# mhttp.stream_common binds this module's helpers as it loads, so a module-level import
# would be circular)

CHUNK = 4096


class BodyTooLarge(Error):
    pass


def _too_large(n):
    # StreamCommon.get_body_as_string's error past its max_size n
    return BodyTooLarge("body larger than %d bytes" % n)


class EachChunk:
    # `async for chunk in stream.each_chunk():` (a class, not an async generator: MicroPython
    # cannot `async for` over async generators); on the blocking face (mhttp.blocking,
    # a stream on blocking sockets) `for chunk in stream.each_chunk():`, each read run
    # by mhttp._io.run_blocking.
    def __init__(self, stream, timeout):
        self.stream = stream
        self.timeout = timeout

    def __aiter__(self):
        return self

    async def __anext__(self):
        c = await self.stream.get_next_chunk(self.timeout)
        if c is None:
            raise StopAsyncIteration
        return c

    def __iter__(self):
        return self

    def __next__(self):
        from mhttp._io import run_blocking
        c = run_blocking(self.stream.get_next_chunk(self.timeout))
        if c is None:
            raise StopIteration
        return c


def unget(self, chunk):
    # Puts bytes back in front of the body (lua-http stream:unget).
    if chunk:
        if self._unget is None:
            self._unget = [chunk]
        else:
            self._unget.append(chunk)


def _take_unget(self):
    # The last piece put back, or None (a stream's get_next_chunk calls it when _unget
    # is set).
    u = self._unget
    if u:
        c = u.pop()
        if not u:
            self._unget = None
        return c
    return None


def checktls(self):
    # lua-http stream:checktls(), localname(), peername(): the connection's (a server's
    # handler reads the client's address from its stream)
    return self.conn.checktls()


def localname(self):
    return self.conn.localname()


def peername(self):
    return self.conn.peername()


async def get_body_chars(self, n, timeout=None):
    # Exactly n bytes of body (fewer only at the end of the body; None if none left).
    # An error (a timeout) puts what was read back (unget): the stream is as before the
    # call, where lua-http's drops it.
    parts = []
    have = 0
    from mhttp.stream_common import left as _left, ticks_ms
    t0 = ticks_ms()     # (timeout: a deadline for the whole call, stream_common.left)
    while have < n:
        try:
            c = await self.get_next_chunk(_left(t0, timeout))
        except BaseException:
            if parts:
                self.unget(b"".join(parts))
            raise
        if c is None:
            break
        need = n - have
        if len(c) > need:
            self.unget(c[need:])
            c = c[:need]
        parts.append(c)
        have += len(c)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else b"".join(parts)


async def get_body_until(self, pattern, plain=True, include_pattern=False, timeout=None,
                         max_size=65536):
    # Body bytes up to `pattern` (bytes; `plain` is lua-http's flag and only plain
    # patterns are supported).  The rest stays in the stream.  At the end of the body
    # without the pattern, returns what is left (None if nothing).  BodyTooLarge (no
    # pattern within max_size bytes) or another error (a timeout) puts what was read
    # back (unget): the stream is as before the call (lua-http's drops it on an error),
    # so the body can still be read, or the call made again.
    if not plain:
        raise ValueError("get_body_until: only plain patterns are supported")
    if isinstance(pattern, str):
        pattern = pattern.encode()
    acc = b""
    from mhttp.stream_common import left as _left, ticks_ms
    t0 = ticks_ms()
    while True:
        try:
            c = await self.get_next_chunk(_left(t0, timeout))
        except BaseException:
            self.unget(acc)     # (b"": nothing put back)
            raise
        if c is None:
            return acc if acc else None
        start = len(acc) - len(pattern) + 1
        if start < 0:
            start = 0
        acc = acc + c
        i = acc.find(pattern, start)
        if i >= 0:
            end = i + len(pattern)
            if end < len(acc):
                self.unget(acc[end:])
            return acc[:end] if include_pattern else acc[:i]
        if len(acc) > max_size:
            self.unget(acc)
            raise BodyTooLarge("pattern not found in %d bytes" % max_size)


async def save_body_to_file(self, file, timeout=None):
    # Writes the body to a file object; returns the byte count.
    n = 0
    from mhttp.stream_common import left as _left, ticks_ms
    t0 = ticks_ms()
    while True:
        c = await self.get_next_chunk(_left(t0, timeout))
        if c is None:
            return n
        file.write(c)
        n += len(c)


def each_chunk(self, timeout=None):
    return EachChunk(self, timeout)


async def write_body_from_string(self, data, timeout=None):
    if isinstance(data, str):
        data = data.encode()
    await self.write_chunk(data, True, timeout)


async def write_body_from_file(self, file, timeout=None, count=None, chunk_size=CHUNK):
    # Sends `count` bytes (None: up to EOF) read from a file object, then ends the body.
    # (lua-http's stream:write_body_from_file(file, timeout): the timeout second, a
    # deadline for the whole call; count, ours, a keyword after it)
    buf = bytearray(chunk_size)
    mv = memoryview(buf)
    left = count
    readinto = getattr(file, "readinto", None)
    from mhttp.stream_common import left as _left, ticks_ms
    t0 = ticks_ms()     # (timeout: a deadline for the whole call, stream_common.left)
    while left is None or left > 0:
        want = chunk_size if left is None or left > chunk_size else left
        if readinto is not None:
            n = readinto(mv[:want])
            data = mv[:n] if n else b""
        else:
            data = file.read(want)
            n = len(data)
        if not n:
            if left is not None:
                raise Error("write_body_from_file: file ended %d bytes short" % left)
            break
        if left is not None:
            left -= n
        await self.write_chunk(bytes(data), False, _left(t0, timeout, True))
    await self.write_chunk(b"", True, _left(t0, timeout, True))
