# Server.onerror, the three ways to give it (portable: pytest on CPython and
# `tools/micropython tools/mptest.py tests_host/core/test_server_onerror.py`):
#   mhttp.server.listen(onerror=f) / srv.onerror = f   f(server, stream, op, exc)
#   class MyServer(Server): def onerror(self, stream, op, exc)   a method: self is the server
# and a handler that raises (or has the wrong signature) does not stop the server: the
# error is printed by the default handler instead of vanishing.
import sys

from mhttp import server
from mhttp.server import Server

calls = []


def handler(srv, stream, op, exc):
    calls.append(("function", srv, stream, op, exc))


class MyServer(Server):
    def onerror(self, stream, op, exc):
        calls.append(("method", self, stream, op, exc))


def _report(srv, stream, op, exc):
    del calls[:]
    srv._report(stream, op, exc)
    return list(calls)


def test_option_and_attribute_are_called_with_the_server():
    exc = ValueError("x")
    srv = server.listen(lambda s, h: None, onerror=handler)
    assert _report(srv, "S", "onstream", exc) == [("function", srv, "S", "onstream", exc)]
    srv = Server(None)
    srv.onerror = handler
    assert _report(srv, "S", "onstream", exc) == [("function", srv, "S", "onstream", exc)]


def test_subclass_method_is_called_as_a_method():
    exc = KeyError("k")
    srv = MyServer(None)
    assert _report(srv, "S", "onstream", exc) == [("method", srv, "S", "onstream", exc)]
    # an instance attribute still wins over the class's method
    srv.onerror = handler
    assert _report(srv, "S", "accept", exc) == [("function", srv, "S", "accept", exc)]
    # and a plain function set on a subclass is a method too (Python's usual rule)
    class Other(Server):
        pass
    Other.onerror = lambda self, stream, op, exc: calls.append(("cls", self, op))
    o = Other(None)
    assert _report(o, None, "onstream", exc) == [("cls", o, "onstream")]


class _Out:
    # sys.stdout stand-in (print(..., file=) is not in MicroPython's subset everywhere)
    def __init__(self):
        self.parts = []

    def write(self, s):
        self.parts.append(s)
        return len(s)


def _printed(fn):
    out = _Out()
    old = sys.stdout
    try:
        sys.stdout = out
    except (AttributeError, TypeError):
        return None     # a runtime that cannot swap sys.stdout: not checked there
    try:
        print("probe")
        if not out.parts:
            return None     # assigned, but print does not write through it (a board)
        del out.parts[:]
        fn()
    finally:
        sys.stdout = old
    return "".join(out.parts)


def test_a_failing_handler_does_not_stop_the_server_and_is_reported():
    def bad(srv, stream, op, exc):
        raise RuntimeError("handler broke")

    srv = Server(None, onerror=bad)
    exc = ValueError("original")
    text = _printed(lambda: srv._report("S", "onstream", exc))
    if text is not None:
        # both the original error and the handler's own failure reach the default handler
        assert "ValueError" in text and "original" in text, text
        assert "RuntimeError" in text and "handler broke" in text, text
    else:
        srv._report("S", "onstream", exc)       # must not raise

    # a handler with the wrong signature: a TypeError, reported, not swallowed
    srv = Server(None, onerror=lambda srv, exc: None)
    text = _printed(lambda: srv._report("S", "onstream", exc))
    if text is not None:
        assert "TypeError" in text and "original" in text, text
