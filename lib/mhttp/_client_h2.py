# mhttp._client_h2: mhttp.client's HTTP/2 connection setup (prior knowledge or ALPN "h2":
# h2(); Upgrade: h2c: h2c_upgrade()), imported by mhttp.client only when a connection
# turns out to be HTTP/2, so that an HTTP/1.1 client does not load it; and the HTTP/2
# case of mhttp.request's pool bookkeeping (_reusable(), _release(), abort(): also whether
# a request the server did not process is sent again).


def h2(io, o, upgrade=None, initial_data=None):
    from mhttp.h2_connection import H2Connection
    return H2Connection(io, False, settings=o.get("h2_settings"), upgrade=upgrade,
                        initial_data=initial_data)


async def h2c_upgrade(io, o, host, port, timeout):
    # RFC 7540 §3.2: `OPTIONS *` with Upgrade: h2c; on 101 the connection speaks HTTP/2
    # (stream 1 holds the OPTIONS response, dropped); otherwise HTTP/1.1 goes on.
    from mhttp.h1 import CLIENT
    from mhttp.h1_connection import H1Connection
    from mhttp.headers import Headers
    from mhttp.h2 import H2Protocol
    from mhttp.request import to_authority
    c1 = H1Connection(io, CLIENT, 1.1)
    s = c1.new_stream()
    probe = H2Protocol(client=True, settings=o.get("h2_settings"))
    h = Headers(((b":method", b"OPTIONS"), (b":path", b"*"),
                 (b":authority", to_authority(host, port, "http")),
                 (b"connection", b"Upgrade, HTTP2-Settings"), (b"upgrade", b"h2c"),
                 (b"http2-settings", probe.h2c_settings())))
    await s.write_headers(h, True, timeout)
    r = await s.get_headers(timeout)
    while r is not None and r.get(b":status")[:1] == b"1" and r.get(b":status") != b"101":
        r = await s.get_headers(timeout)
    if r is None or r.get(b":status") != b"101":
        while (await s.get_next_chunk(timeout)) is not None:
            pass
        return c1
    p = c1.p
    left = p._buf[p._pos:]
    c2 = h2(io, o, b"OPTIONS", bytes(left) if left else None)
    c2.streams[1].discard = True
    await c2.connect(timeout)
    return c2


def _reusable(conn):
    # mhttp.request._reusable for a shared HTTP/2 connection: None once it failed, else
    # whether it can open another stream now.  After the peer's GOAWAY it opens none,
    # but the streams it has open finish (RFC 9113 §6.8): False while there are some
    # (the pool keeps it and does not abort it, a new request opens a new connection),
    # None once there are none.  (Named like its caller: a name the plain path interns
    # already.)
    if conn.error is not None:
        return None
    if conn.goaway is not None:
        return False if getattr(conn, "streams", None) else None
    return True if conn.can_open_stream() else False


def _release(self, end, conn, pool):
    # mhttp.request's ClientStream._release (self) for a stream of a shared HTTP/2
    # connection conn, from pool: end, the body was read to its end.
    if not end:
        self.stream.shutdown()  # RST_STREAM; the shared connection stays
    if pool and (getattr(conn, "closed", False) or _reusable(conn) is None):
        # (mhttp.request._reusable's None) its last stream after the peer's GOAWAY (or it failed): out of the pool and
        # closed now, not left open until evicted (Pool.get stops at the newest usable
        # entry and would not reach it)
        es = pool.entries
        for i in range(len(es)):
            if es[i][1] is conn:
                es.pop(i)
                break
        conn.abort()


def abort(conn, e, req, state):
    # mhttp.request's Request._go when an exchange on a shared HTTP/2 connection failed
    # with e: the connection is closed only when it failed itself, not for one stream's
    # error nor for a request it would not take after the peer's GOAWAY (the names error
    # and H2StreamError stay off the plain HTTP/1.1 path).  Returns True when the request
    # was not processed and can be sent again (RFC 9113 §8.7): refused
    # (RST_STREAM(REFUSED_STREAM), also a stream above a GOAWAY's last-stream-id) or
    # never sent (ConnectionClosed from new_stream or while waiting for a stream slot
    # after a GOAWAY), and its body can be produced again: a bytes-like, str, list,
    # tuple or seekable file body, or any body not read yet (state: mhttp._request_more's
    # _exchange_body; [False, True] once the body is being read).
    from mhttp.errors import H2StreamError, ConnectionClosed
    if isinstance(e, H2StreamError):
        if e.code != 7:     # REFUSED_STREAM
            return False
    elif conn.error is not None or conn.goaway is None or not isinstance(e, ConnectionClosed):
        if conn.error is not None:
            conn.abort()
        return False
    if state is None or len(state) < 2:
        return True
    from mhttp._request_more import body_replayable
    return body_replayable(req.body)


def early(stream):
    # mhttp._request_more's _exchange_body when the final response came before the request
    # body went out (a refusal instead of 100 Continue, RFC 9110 §10.1.1; or a complete
    # response and RST_STREAM(NO_ERROR) while it was being sent, RFC 9113 §8.1): the body
    # is not sent, the response stays readable, and the connection carries on.  Our side
    # ends with RST_STREAM(NO_ERROR) once the response is complete, now or when its end
    # arrives (H2Connection._forget_later), and not at all on a stream the server reset.
    if stream.out_done or stream.reset is not None or stream.conn.error is not None:
        return
    stream.out_done = True
    if stream.in_done:
        stream.conn._forget_later(stream)
