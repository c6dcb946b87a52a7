# mhttp.stream_common: the stream helpers shared by the HTTP/1 and HTTP/2 stream drivers
# (lua-http http/stream_common.lua).  A stream class inherits StreamCommon and provides
# the primitives:
#   await get_headers(timeout)              await write_headers(headers, end_stream, timeout)
#   await get_next_chunk(timeout) -> bytes or None at the end of the body
#   unget(chunk)                            await write_chunk(data, end_stream, timeout)
# Everything here is written on top of those, once, for both protocols.
#
# Timeouts: each helper takes `timeout` (seconds, None = the stream's default) and applies
# it to every primitive call it makes (per chunk), not to the whole operation: a slow but
# steady peer is not cut off, a stalled one is.

from mhttp.errors import Error
from mhttp._lazy import bind

CHUNK = 4096

# The helpers a plain exchange does not run, to be moved to mhttp._stream_more and bound
# on first use (mhttp._lazy; one str: names only held in a tuple would be interned into
# the heap).  They are still defined below until every StreamCommon subclass's
# __getattr__ goes through rare_attr (h1_connection.H1Stream, h2_connection.H2Stream);
# request.ClientStream already binds them on itself (its get_next_chunk must run).
BODY = "get_body_chars get_body_until save_body_to_file each_chunk write_body_from_string " \
       "write_body_from_file"


def rare_attr(obj, name, modname, rare):
    # For a StreamCommon subclass's __getattr__ (it hides any StreamCommon.__getattr__):
    # the helpers in BODY, else the subclass's own rare methods, bind(obj, name, modname,
    # rare) (mhttp._lazy).
    if name in BODY.split():
        return bind(obj, name, "mhttp._stream_more", BODY)
    return bind(obj, name, modname, rare)


def __getattr__(name):
    # BodyTooLarge and EachChunk live in mhttp._stream_more (loaded when first raised or
    # used; `from mhttp.stream_common import BodyTooLarge` works as before).
    if name in ("BodyTooLarge", "EachChunk"):
        from mhttp import _stream_more
        return getattr(_stream_more, name)
    raise AttributeError(name)


class StreamCommon:
    # Subclasses set self._unget = None; get_next_chunk starts with _take_unget().

    def unget(self, chunk):
        # Puts bytes back in front of the body (lua-http stream:unget).
        if chunk:
            if self._unget is None:
                self._unget = [chunk]
            else:
                self._unget.append(chunk)

    def _take_unget(self):
        # The last piece put back, or None.
        u = self._unget
        if u:
            c = u.pop()
            if not u:
                self._unget = None
            return c
        return None

    async def get_body_as_string(self, timeout=None, max_size=None):
        # The whole (remaining) body as bytes.  max_size: raise BodyTooLarge past it.
        parts = []
        n = 0
        while True:
            c = await self.get_next_chunk(timeout)
            if c is None:
                break
            n += len(c)
            if max_size is not None and n > max_size:
                from mhttp._stream_more import BodyTooLarge
                raise BodyTooLarge("body larger than %d bytes" % max_size)
            parts.append(c)
        if len(parts) == 1:
            return parts[0]
        return b"".join(parts)

    async def get_body_chars(self, n, timeout=None):
        # Exactly n bytes of body (fewer only at the end of the body; None if none left).
        parts = []
        have = 0
        while have < n:
            c = await self.get_next_chunk(timeout)
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
        # without the pattern, returns what is left (None if nothing).
        if not plain:
            raise ValueError("get_body_until: only plain patterns are supported")
        if isinstance(pattern, str):
            pattern = pattern.encode()
        acc = b""
        while True:
            c = await self.get_next_chunk(timeout)
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
                from mhttp._stream_more import BodyTooLarge
                raise BodyTooLarge("pattern not found in %d bytes" % max_size)

    async def save_body_to_file(self, file, timeout=None):
        # Writes the body to a file object; returns the byte count.
        n = 0
        while True:
            c = await self.get_next_chunk(timeout)
            if c is None:
                return n
            file.write(c)
            n += len(c)

    def each_chunk(self, timeout=None):
        from mhttp._stream_more import EachChunk
        return EachChunk(self, timeout)

    async def write_body_from_string(self, data, timeout=None):
        if isinstance(data, str):
            data = data.encode()
        await self.write_chunk(data, True, timeout)

    async def write_body_from_file(self, file, count=None, timeout=None, chunk_size=CHUNK):
        # Sends `count` bytes (None: up to EOF) read from a file object, then ends the body.
        buf = bytearray(chunk_size)
        mv = memoryview(buf)
        left = count
        readinto = getattr(file, "readinto", None)
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
            await self.write_chunk(bytes(data), False, timeout)
        await self.write_chunk(b"", True, timeout)
