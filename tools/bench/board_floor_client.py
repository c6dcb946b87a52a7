# Board RAM reference scenario (MicroPython unix port, under tools/heapmin.py): the FLOOR of
# any HTTP/1.1 client on this port, not a client anyone should use: a bare socket sends N
# keep-alive GETs and reads each 13-byte answer (no parsing beyond the blank line, no
# validation, no limits, no timeouts).  The heap an mhttp client spends beyond it is the
# price of mhttp.  Peer: tools/bench/board_h1_peer.py PORT.
#
#   .venv/bin/python tools/bench/board_h1_peer.py 8099 &
#   .venv/bin/python tools/heapmin.py tools/bench/board_floor_client.py -- 8099 100
#
# Measured 2026-11-22: 12.0 KiB (100 GETs).
import sys
import socket

PORT = int(sys.argv[1])
N = int(sys.argv[2])
s = socket.socket()
s.connect(socket.getaddrinfo("127.0.0.1", PORT)[0][-1])
for i in range(N):
    s.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(512)
    head, _, body = data.partition(b"\r\n\r\n")
    while len(body) < 13:
        body += s.recv(512)
    if body != b"Hello, World!":
        raise SystemExit("bad body %r" % body)
s.close()
print("floor client: %d GETs" % N)
