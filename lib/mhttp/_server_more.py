# mhttp._server_more: mhttp.server.Server's rarely used methods, loaded on first use by
# mhttp._lazy.bind (a plain HTTP/1 server that is started with listen() and stopped with
# close() never loads them): localname, pause/resume, loop/serve_forever/run, a failed
# handler's answer, the error response with its lingering close, and the default onerror.
import sys

import _mhttp_port as _port
from mhttp.errors import Error

# Lingering close after an error response: at most this many bytes or milliseconds, and
# LINGER_READ seconds of silence ends it.
LINGER_BYTES = 1 << 20
LINGER_MS = 2000
LINGER_READ = 0.5


def default_onerror(server, ctx, op, exc):
    print("mhttp.server: error in %s: %r" % (op, exc))
    if hasattr(sys, "print_exception"):
        sys.print_exception(exc)
    else:
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)


def localname(self):
    # (host, port) the server listens on.
    if self._serve is None:
        return None
    return self._serve.sockname


def pause(self):
    # Stops accepting new connections (the listening socket is closed: on MicroPython when
    # its accept task next runs); connections already open keep being served, an HTTP/2
    # one its new streams too (no GOAWAY: that is close()).  resume() listens again on
    # the same port.
    if self._serve is not None:
        name = self._serve.sockname
        if name:
            self.port = name[1]
        self._serve.close()
        self._srv_paused = self._serve
        self._serve = None


async def resume(self):
    if self._serve is None and not self._closing:
        self._serve = await _port.start_server(self._on_connection, self.host, self.port, self.tls,
                                            self.backlog, self.reaper, self.bufsize)


async def loop(self, timeout=None):
    # Serves until close() (or `timeout` seconds).
    import asyncio
    if self._serve is None and not self._closing:
        await self.listen()
    if timeout is None:
        await self._stopper.wait()
    else:
        try:
            await asyncio.wait_for(self._stopper.wait(), timeout)
        except asyncio.TimeoutError:
            pass


serve_forever = loop


def run(self):
    # Blocking: listen and serve until close() is called from a handler/task.
    import asyncio
    asyncio.run(self.loop())


async def _onstream_failed(self, io, stream, e):
    # The handler raised e (not ConnectionClosed): bad body framing from the client is
    # its 4xx, a Timeout 408, anything else 500 and onerror; the error response (and
    # its lingering close) when no head was sent yet.  The connection then ends.
    from mhttp.errors import H1Error, Timeout
    if isinstance(e, H1Error):
        status = e.status_hint
    elif isinstance(e, Timeout):
        status = 408
    else:
        status = 500
        self._report(stream, "onstream", e)
    if not stream.headers_sent:
        await self._error_close(io, status)


async def _error_close(self, io, status, write_timeout=None):
    # A Connection: close error response, then a bounded lingering close (RFC 9112
    # §9.6): what the client is still sending (an over-limit upload, a header bomb)
    # is read and dropped for a moment, so that closing with unread bytes does not
    # reset the connection before the client has read the response.  Our side is
    # half-closed first, so a client reading to EOF is not kept waiting.  status None:
    # no response, only the lingering close (an HTTP/2 connection after our final GOAWAY).
    from mhttp._io import ticks_ms, ticks_diff
    try:
        if status is not None:
            from mhttp.h1_connection import error_response
            await io.send([error_response(status)], write_timeout or self.write_timeout)
        try:
            sw = io.shutdown_write      # may load _io_stream_rare: MemoryError possible
        except Exception:
            sw = None
        if sw is None or not sw():
            return    # no half-close here (MicroPython sockets, TLS): just close
        t0 = ticks_ms()
        n = 0
        while n < LINGER_BYTES and ticks_diff(ticks_ms(), t0) < LINGER_MS:
            d = await io.recv(LINGER_READ)
            if not d:
                break
            n += len(d)
    except Error:
        pass
