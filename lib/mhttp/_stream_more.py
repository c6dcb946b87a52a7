# mhttp._stream_more: the two classes of mhttp.stream_common that a plain exchange never
# needs (each one costs ~220 B of heap on MicroPython even from ROMFS): BodyTooLarge,
# raised past a body size limit, and EachChunk, each_chunk()'s iterator.  Reached as
# mhttp.stream_common.BodyTooLarge / EachChunk too (that module's __getattr__).
from mhttp.errors import Error


class BodyTooLarge(Error):
    pass


class EachChunk:
    # `async for chunk in stream.each_chunk():` (a class, not an async generator: MicroPython
    # cannot `async for` over async generators).
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
