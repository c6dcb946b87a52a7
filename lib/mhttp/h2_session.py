# mhttp.h2_session: H2Session, lua-resty-http2's callback-style session on top of
# mhttp.h2's H2Protocol (see docs/internals.md, "Session").  A module of its own so that
# boards load it only when used; `from mhttp.h2 import H2Session` still works (there it is
# a function that loads this module and returns the session).
from mhttp.errors import ProtocolError, NO_ERROR
from mhttp.h2 import (H2Protocol, EV_HEADERS, EV_DATA, EV_TRAILERS, EV_STREAM_RESET,
                      EV_WINDOW_UPDATED, ST_CLOSED, CONN_CLOSED)


class H2Session:
    # lua-resty-http2's protocol.session in sans-I/O form, callback style:
    #   s = H2Session(client=True)                       (same options as H2Protocol)
    #   sid = s.submit_request(headers, body=None, on_headers, on_data, on_trailers)
    #   s.submit_response(sid, headers, body=None)       (server; body sent as windows allow)
    #   s.submit_window_update(sid, n)                   acknowledge n consumed octets
    #   s.recv_frame(data) -> events                     feeds bytes, runs the callbacks
    #   s.frame_queue() -> bytes                         what to write (flush_queue: alias)
    #   s.close(code=NO_ERROR)
    #   s.request(headers, body, on_headers, on_data, on_trailers, send, recv, max_rounds)
    # Bodies larger than the windows are kept per stream and sent as WINDOW_UPDATEs come.
    # Callbacks: on_headers(stream_id, headers, end_stream), on_data(stream_id, data,
    # end_stream), on_trailers(stream_id, headers).  A server sets on_request(stream_id,
    # headers, end_stream) / on_request_data(stream_id, data, end_stream) attributes.
    def __init__(self, client=True, **kw):
        kw.setdefault("auto_ack", True)
        self.protocol = H2Protocol(client, **kw)
        self._cb = {}
        self._pending = {}
        self.done = {}      # stream_id -> (code or None) once the stream is finished
        self.on_request = None
        self.on_request_data = None
        self.protocol.initiate_connection()

    def submit_request(self, headers, body=None, on_headers=None, on_data=None,
                       on_trailers=None):
        p = self.protocol
        sid = p.get_next_available_stream_id()
        p.send_headers(sid, headers, end_stream=not body)
        self._cb[sid] = (on_headers, on_data, on_trailers)
        if body:
            self._queue(sid, body)
        return sid

    def submit_response(self, stream_id, headers, body=None):
        self.protocol.send_headers(stream_id, headers, end_stream=not body)
        if body:
            self._queue(stream_id, body)

    def submit_window_update(self, stream_id, n):
        self.protocol.acknowledge_received_data(n, stream_id)

    def _queue(self, sid, body):
        self._pending[sid] = body
        self._pump(sid)

    def _pump(self, sid):
        body = self._pending.get(sid)
        if body is None or self.protocol.stream_state(sid) >= ST_CLOSED:
            self._pending.pop(sid, None)
            return
        k = self.protocol.send_data(sid, body, True)
        if k == len(body):
            del self._pending[sid]
        else:
            self._pending[sid] = body[k:]

    def recv_frame(self, data):
        evs = self.protocol.receive_data(data)
        for ev in evs:
            t = ev[0]
            if t == EV_HEADERS or t == EV_DATA or t == EV_TRAILERS:
                sid = ev[1]
                cb = self._cb.get(sid)
                if t == EV_DATA:
                    if cb and cb[1]:
                        cb[1](sid, ev[2], ev[4])
                    elif not self.protocol.client and self.on_request_data:
                        self.on_request_data(sid, ev[2], ev[4])
                    if ev[4]:
                        self.done[sid] = None
                elif t == EV_HEADERS:
                    if cb and cb[0]:
                        cb[0](sid, ev[2], ev[3])
                    elif not self.protocol.client and self.on_request:
                        self.on_request(sid, ev[2], ev[3])
                    if ev[3]:
                        self.done[sid] = None
                else:
                    if cb and cb[2]:
                        cb[2](sid, ev[2])
                    self.done[sid] = None
            elif t == EV_STREAM_RESET:
                self.done[ev[1]] = ev[2]
                self._pending.pop(ev[1], None)
            elif t == EV_WINDOW_UPDATED:
                for sid in list(self._pending):
                    self._pump(sid)
        return evs

    def frame_queue(self):
        return self.protocol.data_to_send()

    flush_queue = frame_queue

    def close(self, code=NO_ERROR):
        self.protocol.close_connection(code)

    def request(self, headers, body=None, on_headers=None, on_data=None, on_trailers=None,
                send=None, recv=None, max_rounds=1000):
        # lua-resty-http2 client:request: submit, then write with send(bytes) and read with
        # recv() -> bytes (b"" at EOF) until the stream ends.  Returns the reset code, or
        # None on a clean end.
        sid = self.submit_request(headers, body, on_headers, on_data, on_trailers)
        for _ in range(max_rounds):
            out = self.frame_queue()
            if out:
                send(out)
            if sid in self.done:
                return self.done[sid]
            if self.protocol.state == CONN_CLOSED:
                raise ProtocolError("HTTP/2 connection closed")
            data = recv()
            if not data:
                raise ProtocolError("connection closed before the response ended")
            self.recv_frame(data)
        raise ProtocolError("request did not finish in %d rounds" % max_rounds)
