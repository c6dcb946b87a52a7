# A raw WebSocket server on loopback for the client tests (test_ws_tunnel, test_ws_head):
# in a thread, it reads each connection's request head, computes Sec-WebSocket-Accept
# from its key and hands (socket, head, accept) to answer(), which writes what the test
# needs (a 101 with odd fields, frames in the same write, a refusal, nothing...).
import base64
import contextlib
import hashlib
import socket
import threading

from conftest import free_port

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _serve(port, answer, ready, stop):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(4)
    ls.settimeout(0.2)
    ready.set()
    try:
        while not stop.is_set():
            try:
                c, _ = ls.accept()
            except socket.timeout:
                continue
            with c:
                c.settimeout(10)
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    d = c.recv(4096)
                    if not d:
                        break
                    head += d
                key = b""
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"sec-websocket-key:"):
                        key = line.split(b":", 1)[1].strip()
                answer(c, head, base64.b64encode(hashlib.sha1(key + GUID).digest()))
    finally:
        ls.close()


@contextlib.contextmanager
def served(answer):
    # the server in a thread while the block runs: -> its port
    port = free_port()
    ready, stop = threading.Event(), threading.Event()
    t = threading.Thread(target=_serve, args=(port, answer, ready, stop), daemon=True)
    t.start()
    assert ready.wait(10)
    try:
        yield port
    finally:
        stop.set()
        t.join(10)
