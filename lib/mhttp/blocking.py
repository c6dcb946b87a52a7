# mhttp.blocking: the blocking face of mhttp's connection and stream objects, derived,
# never copied (DESIGN.md).
#
#   Blocking(obj) wraps a connection or stream built on a blocking I/O object (SocketIO,
#   whose coroutines never suspend).  Every method call goes to the wrapped object; when
#   the result is a coroutine it is run to completion with mhttp._io.run_blocking and its
#   value returned; a returned connection or stream is wrapped in turn.  Attributes read
#   through.  Iterating a wrapped stream yields its body chunks (get_next_chunk until
#   None).
#
# So `stream.get_body_as_string(5)` on a Blocking stream is exactly the async
# get_body_as_string run by run_blocking: one copy of the logic for both faces.
#
# RAM: one class and no other def at module level (each is heap on a board); a method
# call through the wrapper makes one small closure (no wrapper object per call),
# iteration is the wrapper's own __next__.
from mhttp._io import run_blocking


class Blocking:
    def __init__(self, obj):
        object.__setattr__(self, "_obj", obj)

    def __getattr__(self, name):
        v = getattr(self._obj, name)
        if callable(v) and not isinstance(v, type):
            def call(*a, **kw):
                r = v(*a, **kw)
                if hasattr(r, "send") and hasattr(r, "throw"):     # a coroutine: run it
                    r = run_blocking(r)
                if (hasattr(r, "get_next_chunk") or hasattr(r, "new_stream")) and \
                        not isinstance(r, Blocking):
                    return Blocking(r)
                return r
            return call
        if hasattr(v, "get_next_chunk") or hasattr(v, "new_stream"):
            return Blocking(v)
        return v

    def __setattr__(self, name, value):
        setattr(self._obj, name, value)

    def unwrap(self):
        return self._obj

    def __iter__(self):
        # the body chunks of a wrapped stream (get_next_chunk until None)
        return self

    def __next__(self):
        c = run_blocking(self._obj.get_next_chunk())
        if c is None:
            raise StopIteration
        return c

    def __repr__(self):
        # (two short str literals are interned names; "Blocking(%r)" would be a heap
        # object on a board, even from ROMFS)
        return "%s(%r)" % ("Blocking", self._obj)
