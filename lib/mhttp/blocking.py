# mhttp.blocking: the blocking face of mhttp's connection and stream objects, derived,
# never copied (DESIGN.md).
#
#   Blocking(obj) wraps a connection or stream built on a blocking I/O object (SocketIO,
#   whose coroutines never suspend).  Every method call goes to the wrapped object; when
#   the result is a coroutine it is run to completion with mhttp._io.run_blocking and its
#   value returned; a returned connection or stream is wrapped in turn.  Attributes read
#   through.  Iterating a wrapped stream yields its body chunks (get_next_chunk until
#   None), as does `for c in stream.each_chunk(timeout):` (mhttp._stream_more.EachChunk
#   is a plain iterator too, each read run by run_blocking).
#
# So `stream.get_body_as_string(5)` on a Blocking stream is exactly the async
# get_body_as_string run by run_blocking: one copy of the logic for both faces.
#
# Board RAM: the class lives in mhttp._io_socket (SocketIO's module, which every blocking
# connection loads): mhttp.request's go_blocking takes it from there, so a blocking client
# does not load this module too (a module costs its object, its dict and its name).  This
# module is its public name; the class is the same object either way.
from mhttp._io import run_blocking  # noqa: F401 (as before: mhttp.blocking.run_blocking)
from mhttp._io_socket import Blocking  # noqa: F401
