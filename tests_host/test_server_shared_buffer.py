# The MicroPython server reads every connection into one receive buffer shared by the
# whole server (board RAM, see mhttp._io.StreamIO and ports/unix start_server): what a
# recv returned must be consumed before the task awaits again.  Here several clients send
# their requests in small interleaved fragments (heads, content-length and chunked
# bodies, a pipelined second request) to a MicroPython server with a 16-byte buffer,
# which echoes each body: every answer must carry exactly its own connection's bytes.
# Also: the board glue's DEFAULT_BUFSIZE is the one used when none is given (looked up
# at call time, not bound when the unix glue was imported).
import socket
import subprocess
import time

from conftest import ROOT, free_port, require_micropython, run_micropython

SERVER = r'''
import asyncio, sys
from mhttp import server
from mhttp.headers import Headers

async def onstream(srv, stream):
    h = await stream.get_headers()
    body = await stream.get_body_as_string(5)
    out = h.get(b":path") + b"|" + body
    await stream.write_headers(Headers([(":status", "200"),
                                        ("content-length", str(len(out)))]), False)
    await stream.write_chunk(out, True)

async def main(port):
    srv = server.listen(onstream, host="127.0.0.1", port=port, bufsize=16, http2=False)
    await srv.listen()
    print("READY")
    await srv.loop(60)

asyncio.run(main(%d))
'''


def _requests(i):
    # Two pipelined requests per connection: a content-length body, then a chunked one.
    b1 = (b"conn%d-" % i) * (20 + 7 * i)
    b2 = [(b"c%d" % i) * (3 + k) for k in range(4)]
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in b2) + b"0\r\n\r\n"
    wire = (b"POST /a%d HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (i, len(b1), b1)
            + b"POST /b%d HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" % i
            + chunked)
    return wire, [b"/a%d|" % i + b1, b"/b%d|" % i + b"".join(b2)]


def _read_responses(s, n, deadline):
    buf = b""
    out = []
    while len(out) < n:
        while b"\r\n\r\n" not in buf:
            assert time.monotonic() < deadline, "timeout waiting for a head"
            d = s.recv(4096)
            assert d, "EOF before a response head"
            buf += d
        head, _, buf = buf.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 "), head
        cl = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
        n_body = int(cl[0].split(b":")[1])
        while len(buf) < n_body:
            assert time.monotonic() < deadline, "timeout waiting for a body"
            d = s.recv(4096)
            assert d, "EOF inside a body"
            buf += d
        out.append(buf[:n_body])
        buf = buf[n_body:]
    return out


def test_interleaved_connections_get_their_own_bytes():
    port = free_port()
    proc = subprocess.Popen([require_micropython(), "-c", SERVER % port], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    socks = []
    try:
        assert proc.stdout.readline().strip() == b"READY"
        deadline = time.monotonic() + 30
        n = 5
        wires = []
        expect = []
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            socks.append(s)
            w, e = _requests(i)
            wires.append(w)
            expect.append(e)
        # Round-robin 7-byte fragments: the server's reads alternate between connections.
        pos = [0] * n
        for _ in range(2000):
            if all(pos[i] >= len(wires[i]) for i in range(n)):
                break
            for i in range(n):
                if pos[i] < len(wires[i]):
                    socks[i].sendall(wires[i][pos[i]:pos[i] + 7])
                    pos[i] += 7
            time.sleep(0.002)
        for i in range(n):
            assert _read_responses(socks[i], 2, deadline) == expect[i]
    finally:
        for s in socks:
            s.close()
        proc.kill()
        proc.wait(10)


def test_board_default_bufsize_is_looked_up_at_call_time():
    # A board's glue re-exports the unix glue's functions and sets its own
    # DEFAULT_BUFSIZE: changing _mhttp_port.DEFAULT_BUFSIZE after import must size the
    # buffers of connections opened afterwards (server: the shared buffer; clients).
    port = free_port()
    script = r'''
import asyncio, socket, _mhttp_port
from mhttp import server
from mhttp.headers import Headers
_mhttp_port.DEFAULT_BUFSIZE = 512
sizes = []
async def onstream(srv, stream):
    await stream.get_headers()
    sizes.append(len(stream.conn.io.buf))
    await stream.write_headers(Headers([(":status", "204")]), True)
async def main():
    srv = server.listen(onstream, host="127.0.0.1", port=%d, http2=False)
    await srv.listen()
    io = await _mhttp_port.open_connection("127.0.0.1", %d)
    await io.send([b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"], 5)
    d = await io.recv(5)
    print("CLIENT", len(io.buf), bytes(d[:12]))
    io.abort()
    b = _mhttp_port.open_connection_blocking("127.0.0.1", %d, timeout=5)
    print("BLOCKING", len(b.buf))
    b.abort()
    await srv.close(1)
    print("SERVER", sizes)
asyncio.run(main())
''' % (port, port, port)
    r = run_micropython(["-c", script], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    assert "CLIENT 512 b'HTTP/1.1 204'" in out, out
    assert "BLOCKING 512" in out, out
    assert "SERVER [512]" in out, out


def test_unix_default_bufsize_follows_the_heap():
    # The unix glue sizes its receive buffer to the heap: a board-sized heap (under 480
    # KiB usable, as in tools/heapmin.py's board RAM runs) gets the 1 KiB esp32 and rp2 set,
    # a desktop's heap 2 KiB; and the glue leaves no helper names behind.
    code = ("import _mhttp_port as p; print('SIZE', p.DEFAULT_BUFSIZE, "
            "hasattr(p, 'mem_alloc') or hasattr(p, 'mem_free'))")
    for heap, want in ((None, "SIZE 2048 False"), ("96K", "SIZE 1024 False"),
                       ("448K", "SIZE 1024 False"), ("512K", "SIZE 2048 False")):
        r = run_micropython(["-c", code], timeout=30, heap=heap)
        assert r.returncode == 0, r.stderr.decode()
        assert r.stdout.decode().split("\n")[0].strip() == want, (heap, r.stdout)
