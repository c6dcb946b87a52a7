#!/usr/bin/env python3
# Host-side driver for the board server scenarios (CPython): CONNS keep-alive connections
# to 127.0.0.1:PORT, each sending REQS sequential `GET /` requests, all connections at
# once (one thread each).  Every response must be 200 with the body "Hello, World!";
# exit 0 when all CONNS*REQS responses arrived, 1 otherwise (the first failure printed).
# The server must keep every connection alive, unless MODE is "reconnect": then a
# response that does not keep the connection alive (microdot answers HTTP/1.0 and
# closes) makes that client open a new connection for its next request (counted).
# Bounded: the whole run gives up after TIMEOUT seconds (default 30).
#
#   .venv/bin/python tools/bench/board_h1_driver.py PORT CONNS REQS [TIMEOUT [MODE]]
import socket
import sys
import threading
import time

REQ = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: board-driver\r\n\r\n"
BODY = b"Hello, World!"


def read_response(s, buf, deadline):
    # -> (status, body, rest_of_buf, keep_alive); raises on EOF/timeout/bad framing.
    while b"\r\n\r\n" not in buf:
        if time.monotonic() > deadline:
            raise RuntimeError("timeout waiting for a head")
        d = s.recv(4096)
        if not d:
            raise RuntimeError("EOF before the response head (%d bytes buffered)" % len(buf))
        buf += d
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if parts[0] not in (b"HTTP/1.1", b"HTTP/1.0"):   # microdot answers 1.0, keeping alive
        raise RuntimeError("bad status line %r" % lines[0])
    status = int(parts[1])
    keep = parts[0] == b"HTTP/1.1"
    n = None
    for l in lines[1:]:
        k, _, v = l.partition(b":")
        kl = k.strip().lower()
        if kl == b"content-length":
            n = int(v.strip())
        elif kl == b"connection":
            keep = v.strip().lower() == b"keep-alive" or (keep and v.strip().lower() != b"close")
    if n is None:
        raise RuntimeError("no content-length in %r" % head)
    while len(buf) < n:
        if time.monotonic() > deadline:
            raise RuntimeError("timeout waiting for a body")
        d = s.recv(4096)
        if not d:
            raise RuntimeError("EOF inside the body")
        buf += d
    return status, buf[:n], buf[n:], keep


def connect(port, deadline):
    t_end = min(deadline, time.monotonic() + 10)
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.settimeout(max(0.5, deadline - time.monotonic()))
            return s
        except OSError:
            if time.monotonic() > t_end:
                raise
            time.sleep(0.05)


def client(port, reqs, deadline, results, i, reconnect):
    ok = conns = 0
    s = None
    try:
        buf = b""
        for _ in range(reqs):
            if s is None:
                s = connect(port, deadline)
                conns += 1
                buf = b""
            s.sendall(REQ)
            status, body, buf, keep = read_response(s, buf, deadline)
            if status != 200 or body != BODY:
                raise RuntimeError("got %d %r" % (status, body))
            ok += 1
            if not keep:
                if not reconnect:
                    raise RuntimeError("the server did not keep the connection alive")
                s.close()
                s = None
        results[i] = (ok, None, conns)
    except Exception as e:
        results[i] = (ok, "%s: %s" % (type(e).__name__, e), conns)
    finally:
        if s is not None:
            s.close()


def main(argv):
    port, conns, reqs = int(argv[0]), int(argv[1]), int(argv[2])
    timeout = float(argv[3]) if len(argv) > 3 else 30.0
    reconnect = len(argv) > 4 and argv[4] == "reconnect"
    deadline = time.monotonic() + timeout
    results = [(0, "not run", 0)] * conns
    ts = [threading.Thread(target=client, args=(port, reqs, deadline, results, i, reconnect),
                           daemon=True)
          for i in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(max(0.1, deadline - time.monotonic() + 1))
    total = sum(r[0] for r in results)
    errs = [r[1] for r in results if r[1]]
    print("driver: %d/%d responses on %d connections%s" % (
        total, conns * reqs, sum(r[2] for r in results),
        (", first error: " + errs[0]) if errs else ""))
    return 0 if total == conns * reqs and not errs else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
