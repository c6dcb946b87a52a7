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


def test_several_servers_keep_their_own_settings():
    # The first server's settings (buffer, Reaper, callback) are class attributes of
    # mhttp.server.Stream itself, a later server's of a class of its own while the first
    # one holds Stream (board RAM: a class less for the usual single server, see
    # mhttp._server_setup.start_server): two servers at once, each with its buffer size
    # and handler, a keep-alive connection of the first across the second's start, the
    # first's pause() and resume() (its old connection goes on), and after the first's
    # close() Stream is free again (its buffer not kept) and taken by the next server.
    p1, p2, p3 = free_port(), free_port(), free_port()
    script = r'''
import asyncio, _mhttp_port
from mhttp import server
from mhttp.server import Stream
from mhttp.headers import Headers

def handler(tag):
    async def onstream(srv, stream):
        await stream.get_headers()
        io = stream.conn.io
        out = b"%%s %%d %%s" %% (tag, len(io.buf), type(io) is Stream)
        await stream.write_headers(Headers([(":status", "200"),
                                            ("content-length", str(len(out)))]), False)
        await stream.write_chunk(out, True)
    return onstream

async def get(io):
    await io.send([b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"], 5)
    d = b""
    while not (d.endswith(b"True") or d.endswith(b"False")):
        d += bytes(await io.recv(5))
    return d.split(b"\r\n\r\n", 1)[1].decode()

async def main():
    a = server.listen(handler(b"A"), host="127.0.0.1", port=%d, bufsize=48, http2=False)
    await a.listen()
    ca = await _mhttp_port.open_connection("127.0.0.1", %d)
    print("1", await get(ca))
    b = server.listen(handler(b"B"), host="127.0.0.1", port=%d, bufsize=64, http2=False)
    await b.listen()
    cb = await _mhttp_port.open_connection("127.0.0.1", %d)
    print("2", await get(cb), await get(ca))
    a.pause()
    await asyncio.sleep_ms(20)
    print("3", await get(ca), await get(cb))
    await a.resume()
    ca2 = await _mhttp_port.open_connection("127.0.0.1", %d)
    print("4", await get(ca2), await get(ca), await get(cb))
    ca.abort()
    ca2.abort()
    await a.close(1)
    print("5", Stream.cb is None, Stream.buf is None, await get(cb))
    c = server.listen(handler(b"C"), host="127.0.0.1", port=%d, bufsize=80, http2=False)
    await c.listen()
    cc = await _mhttp_port.open_connection("127.0.0.1", %d)
    print("6", await get(cc), await get(cb))
    cb.abort()
    cc.abort()
    await b.close(1)
    await c.close(1)
    print("7", Stream.cb is None, Stream.buf is None)
asyncio.run(main())
''' % (p1, p1, p2, p2, p1, p3, p3)
    r = run_micropython(["-c", script], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    lines = [l for l in out.split("\n") if l[:1].isdigit()]
    assert lines == ["1 A 48 True", "2 B 64 False A 48 True", "3 A 48 True B 64 False",
                     "4 A 48 True A 48 True B 64 False", "5 True True B 64 False",
                     "6 C 80 True B 64 False", "7 True True"], out
