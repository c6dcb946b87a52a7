# mhttp._h2_client_more: steps of mhttp.h2_connection's client streams that only some
# exchanges need (private), reached as mhttp.h2_connection._cerr(16 + i, args), F[i]:
#   - hold: a request body waits for window while its response comes (a server that
#     answers as it reads: an echo, a proxy): window granted for the response DATA the
#     stream holds, within its response_buffer; stalled: the Timeout past it, saying why;
#   - end_early: a request whose body was never sent (a final response came first,
#     mhttp._client_h2's early) ends our side once that response is complete;
#   - kept: RST_STREAM(NO_ERROR) after a complete response keeps what is unread.
# Board RAM: a module of its own, loaded by the first of these; a plain exchange (and
# every server) never does.
import sys

# A client stream's response_buffer (H2Stream.response_buffer, set per stream, e.g. by
# mhttp.request's Request.response_buffer): the bytes of response body it may hold
# unread while its request body waits for window.  A server that answers as it reads
# stops once its response fills our receive window and then stops reading the request
# body: both sides would wait for each other.  So while the body waits, the DATA that
# arrived on its stream is granted window (WINDOW_UPDATE) as long as the bytes held stay
# within this bound (the server may then send up to a receive window more); past it the
# write fails with Timeout as before, saying why.  Small on a board (its RAM), a few MiB
# on CPython.
RESPONSE_BUFFER = 4 << 20 if sys.implementation.name == "cpython" else 16384
del sys


def _held(self):
    # (bytes held, the stream's bound)
    lim = getattr(self, "response_buffer", None)
    if lim is None:
        lim = RESPONSE_BUFFER
    n = 0
    for c in self.chunks:
        n += len(c[0])
    return n, lim


def hold(self):
    # H2Stream._write_rest while its body waits for window and response DATA is held
    # (self.chunks, a client stream): grants window for it within the stream's
    # response_buffer; True when a WINDOW_UPDATE is queued.  get_next_chunk grants
    # nothing for those bytes again.
    n, lim = _held(self)
    if n > lim:
        return False
    p = self.conn.p
    ch = self.chunks
    for i in range(len(ch)):
        c = ch[i]
        if c[1]:
            p.acknowledge_received_data(c[1], self.id)
            ch[i] = (c[0], 0)
    return bool(p._out)


def stalled(a):
    # The Timeout of H2Stream._write_rest stalled while its stream holds response bytes
    # (a: (stream, timeout)).
    from mhttp.errors import Timeout
    self = a[0]
    n, lim = _held(self)
    return Timeout("stream %s stalled: no WINDOW_UPDATE within %ss, %d bytes of its "
                   "response held unread (response_buffer %d): the server answers as it "
                   "reads, and the response body is not being read while the request "
                   "body is sent" % (self.id, a[1], n, lim))


def end_early(self):
    # H2Connection._forget_later for a client stream whose request body was never sent
    # (mhttp._client_h2's early): its response is complete, our side ends with
    # RST_STREAM(NO_ERROR) (RFC 9113 §8.1; an empty END_STREAM would contradict the
    # content-length sent, §8.1.1).
    conn = self.conn
    conn.p.reset_stream(self.id, 0)
    self.reset = (0, False)
    conn._kick()


def kept(a):
    # H2Connection._dispatch: RST_STREAM(NO_ERROR) from the server on a client's stream
    # (a: (connection, event)).  After a complete response (RFC 9113 §8.1: "clients MUST
    # NOT discard responses" for it) what is unread stays to be read, acknowledged on the
    # connection as it is; otherwise the stream is forgotten as any reset one.
    conn, ev = a
    st = conn.streams.get(ev[1])
    if st is None:
        return
    st.reset = (ev[2], ev[3])
    st._wake()
    ch = st.chunks
    if st.in_done:
        st.chunks = ()
    conn._forget(st)
    if st.in_done:
        st.chunks = ch


F = (hold, end_early, stalled, kept)
