# mhttp.stream_common: the stream helpers shared by the HTTP/1 and HTTP/2 stream drivers
# (lua-http http/stream_common.lua).  A stream class inherits StreamCommon and provides
# the primitives:
#   await get_headers(timeout)              await write_headers(headers, end_stream, timeout)
#   await get_next_chunk(timeout) -> bytes or None at the end of the body
#   unget(chunk)                            await write_chunk(data, end_stream, timeout)
# Everything here is written on top of those, once, for both protocols.
#
# Timeouts: each helper takes `timeout` (seconds) and makes it a deadline for the whole
# call, as lua-http does: every primitive call it makes gets what is left of it (left()
# below), so a peer that trickles a byte at a time, or sends an endless body, cannot hold
# the call past it.  timeout None: the stream's defaults, per primitive call (a server's
# body_timeout is per read).

from mhttp._lazy import bind, settle
# the clock straight from the port, as mhttp._io takes it (a plain h2c server exchange
# does not load mhttp._io: test_h2_server_ram)
try:
    from _mhttp_port import ticks_ms, ticks_diff
except ImportError:  # a bare checkout on CPython (mhttp._io: mhttp._io_rare's)
    from mhttp._io import ticks_ms, ticks_diff

# The helpers a plain exchange does not run live in mhttp._stream_more, bound on first use
# (mhttp._lazy; one str: names only held in a tuple would be interned into the heap).
BODY = "get_body_chars get_body_until save_body_to_file each_chunk write_body_from_string " \
       "write_body_from_file"


def left(start, timeout, write=False):
    # What is left of `timeout` seconds (None: no limit) since `start` (ticks_ms) for the
    # next primitive call of a helper whose timeout bounds the whole call; Timeout once
    # nothing is.  (No float made while no millisecond has passed: the usual case on a
    # plain exchange, whose head and body are in the buffer already.)
    # timeout 0 is "never wait": every read may still take what has arrived (a body
    # already in the socket is read whole), the I/O layer raises Timeout when nothing has.
    if not timeout:
        return timeout
    ms = ticks_diff(ticks_ms(), start)
    if ms <= 0:
        return timeout
    ms = timeout * 1000 - ms
    if ms <= 0:
        from mhttp._io_rare import _err
        raise _err(3 if write else 2, timeout)     # read/write timed out after %ss
    return ms / 1000


def __getattr__(name):
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(globals())
    # BodyTooLarge and EachChunk live in mhttp._stream_more (loaded when first raised or
    # used; `from mhttp.stream_common import BodyTooLarge` works as before).
    if name == "BodyTooLarge" or name == "EachChunk":   # (no tuple constant: RAM)
        from mhttp import _stream_more
        return getattr(_stream_more, name)
    raise AttributeError(name)


def rare_attr(obj, name, modname, rare):
    # What every StreamCommon subclass's __getattr__ returns: the helpers in BODY, else
    # the subclass's own rare methods, bind(obj, name, modname, rare) (mhttp._lazy).
    # (a table of one group, made on a miss, see mhttp._lazy.bind: "_stream_more" is an
    # interned name, imported as such by __getattr__ above, not a str constant, a heap
    # object on a board even from ROMFS)
    if name in BODY.split():
        return bind(obj, name, "_stream_more" + " " + BODY, None)
    if name in "unget _take_unget checktls localname peername".split():
        # (StreamCommon's too, in mhttp._stream_more: a plain exchange never puts a
        # chunk back nor asks for addresses: lua-http's checktls, localname, peername,
        # the connection's; not in BODY, which mhttp.request's ClientStream binds on
        # itself: its other names go to the driver's stream)
        return bind(obj, name, "_stream_more" + " " + "unget _take_unget checktls "
                    "localname peername", None)
    return bind(obj, name, modname, rare)


class StreamCommon:
    # get_next_chunk starts with _take_unget() when self._unget is set.  unget,
    # _take_unget, get_body_chars, get_body_until, save_body_to_file,
    # each_chunk, write_body_from_string, write_body_from_file and lua-http's
    # checktls, localname and peername (the connection's) are in
    # mhttp._stream_more (BODY, and rare_attr's second list): a subclass's __getattr__ reaches them
    # through rare_attr (every subclass has one; StreamCommon itself has none, a def
    # less in every program).

    # Defaults every stream has (board RAM: here, not in each subclass's table; H1Stream
    # keeps 16 entries, a 17-slot table on MicroPython, not 19 in 23 slots)
    headers = None      # the peer's head
    trailers = None
    _unget = None

    async def get_body_as_string(self, timeout=None, max_size=None):
        # The whole (remaining) body as bytes.  max_size: raise BodyTooLarge past it.
        parts = []
        n = 0
        start = ticks_ms()      # (timeout: a deadline for the whole call, see left)
        while True:
            c = await self.get_next_chunk(left(start, timeout))
            if c is None:
                break
            n += len(c)
            if max_size is not None and n > max_size:
                # BodyTooLarge: body larger than %d bytes (made in mhttp._stream_more:
                # a str constant is a heap object on a board)
                from mhttp import _stream_more     # (one interned module name: as below)
                raise _stream_more._too_large(max_size)
            parts.append(c)
        if len(parts) == 1:
            return parts[0]
        return b"".join(parts)


# CPython: the helpers bound now, no __getattr__ (mhttp._lazy.settle)
settle(StreamCommon, "_stream_more" + " " + BODY, None)
settle(StreamCommon, "_stream_more" + " " + "unget _take_unget checktls localname peername",
       None)
