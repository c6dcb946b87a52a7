# mhttp._h1c_stream: H1Stream's rarely used methods (the 100 Continue, trailers,
# shutdown, lua-http's get_method, a body chunk that arrived before the
# response head), loaded on first use by mhttp._lazy.bind.
from mhttp.headers import Headers


def get_method(self):
    h = self.headers
    return h.get(b":method") if h is not None else None


def _push(self, chunk):
    if self._unget is None:
        self._unget = [chunk]
    else:
        self._unget.insert(0, chunk)


async def write_continue(self, timeout=None):
    self.continue_sent = True
    await self.conn._send([self.conn.p.send_continue()], timeout)


async def write_trailers(self, headers, timeout=None):
    if not isinstance(headers, Headers):
        headers = Headers(headers)
    await self.conn._send([self.conn.p.send_trailers(headers)], timeout)


def shutdown(self):
    # lua-http stream:shutdown: give up on the exchange; on HTTP/1 the connection is
    # then not reused.
    p = self.conn.p
    if not (p.our_done and p.their_done):
        p.keep_alive = False
