# An h2c server connection whose reader fails while mhttp.errors is not loaded (a clean
# exchange does not load it: board RAM), and loading it fails too (a MemoryError: the
# heap is full), still ends: its error is set and the handler waiting for the body is
# woken with that error, instead of waiting forever (portable: pytest on CPython and
# `tools/micropython tools/mptest.py tests_host/core/test_h2_reader_end.py`).
import sys
import asyncio

import mhttp
from mhttp.h2 import H2Protocol
from mhttp.h2_connection import H2Connection
from mhttp.headers import Headers
from mhttp import _h2_server
from _srvio import ServerIO
# (a handler waiting for a body runs mhttp._h2_stream_rare, which imports mhttp.errors at
# its load: loaded here, before the test takes mhttp.errors away)
import mhttp._h2_stream_rare    # noqa: F401

try:
    import builtins
except ImportError:
    builtins = None


class _IO(ServerIO):
    def __init__(self, first, block):
        self.n = 0
        self.first = first
        self.block = block

    async def recv(self, timeout=None):
        await asyncio.sleep(0)
        self.n += 1
        if self.n == 1:
            return self.first
        self.block[0] = 2       # the next two imports of mhttp.errors fail
        raise MemoryError("in recv (raised on purpose by the test)")


def test_reader_memoryerror_without_errors_module_still_ends_the_connection():
    if builtins is None or not hasattr(builtins, "__import__"):
        return
    cli = H2Protocol(client=True)
    cli.initiate_connection()
    cli.send_headers(1, Headers(((b":method", b"POST"), (b":scheme", b"http"),
                                 (b":authority", b"t"), (b":path", b"/"))), False)
    first = cli.data_to_send()
    block = [0]
    orig = builtins.__import__

    def imp(name, *a):
        if block[0] > 0 and (name == "mhttp.errors" or (
                name == "mhttp" and len(a) > 2 and a[2] and "errors" in a[2])):
            block[0] -= 1
            raise MemoryError("no heap to import mhttp.errors (the test)")
        return orig(name, *a)

    saved = sys.modules.pop("mhttp.errors", None)
    had_attr = "errors" in mhttp.__dict__
    if had_attr:
        old_attr = mhttp.errors
        delattr(mhttp, "errors")
    res = []

    async def onstream(server, stream):
        await stream.get_headers()
        try:
            res.append(("chunk", await stream.get_next_chunk()))
        except BaseException as e:
            res.append(("error", type(e).__name__))

    async def main():
        c = H2Connection(_IO(first, block), True)
        await _h2_server.serve_connection(None, onstream, c)
        for _ in range(300):
            if res:
                break
            await asyncio.sleep(0.01)
        return c

    builtins.__import__ = imp
    try:
        c = asyncio.run(main())
    finally:
        builtins.__import__ = orig
        # no second copy of mhttp.errors was loaded meanwhile (its classes would differ
        # from the ones every other module holds)
        fresh = sys.modules.pop("mhttp.errors", None)
        if saved is not None:
            sys.modules["mhttp.errors"] = saved
        if had_attr:
            mhttp.errors = old_attr
    assert fresh is None, "mhttp.errors was loaded during the exchange"
    assert block[0] == 0, block          # both imports were refused
    assert type(c.error).__name__ == "MemoryError", repr(c.error)
    assert res == [("error", "MemoryError")], res
