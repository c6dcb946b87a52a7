# mhttp.server's Stream and start_server: a MicroPython server's accept loop (the
# unix/esp32/rp2 port glue's start_server), asyncio's own written out over a lean stream per connection (its Stream)
# instead of asyncio.stream.  Checked on the MicroPython unix port: an asyncio client does
# not load it; its Stream answers get_extra_info as asyncio's Stream does; a response far
# larger than the socket's send buffer (the write/drain out_buf path) and a large upload
# arrive intact while a slow reader stalls the writer; close() stops accepting and
# wait_closed() returns.
from conftest import free_port, run_micropython

CLIENT = r'''
import sys, asyncio
import _mhttp_port

async def main():
    try:
        await _mhttp_port.open_connection("127.0.0.1", 1, timeout=2)
    except Exception as e:
        print("CONNECT", type(e).__name__)
    print("LOADED", "mhttp.server" in sys.modules)

asyncio.run(main())
'''


def test_asyncio_client_does_not_load_the_accept_loop():
    r = run_micropython(["-c", CLIENT], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    assert "LOADED False" in out, out


SERVER = r'''
import sys, asyncio, socket
from mhttp import server
from mhttp.headers import Headers
from asyncio.stream import Stream
from mhttp.server import Stream as LeanStream

# get_extra_info: the same answers as asyncio's Stream over the same socket and address
s = socket.socket()
a = b"\x02\x00\x1f\x90\x7f\x00\x00\x01" + bytes(8)
for st in (Stream(s, {"peername": a}), LeanStream(s, a)):
    r = [st.get_extra_info("peername") == a]
    for k in ("sockname", "ssl_object"):
        try:
            st.get_extra_info(k)
            r.append("no error")
        except KeyError:
            r.append("KeyError")
    print("INFO", r)
# the unix port's accept gives a sockaddr_in (a bytearray), kept packed in a small int
# (board RAM): get_extra_info gives the same bytes back, a bytearray again
ba = bytearray(a)
st = LeanStream(s, ba)
x = st.get_extra_info("peername")
print("PACKED", type(st.e) is int, type(x) is bytearray, x == ba, bytes(x) == a)
s.close()

BIG = 4 << 20
PORT = %d

# count the writes the socket did not take whole (the out_buf / drain path)
partial = [0]
_write = LeanStream.write

def write(self, buf):
    _write(self, buf)
    if self.out_buf:
        partial[0] += 1

LeanStream.write = write

async def onstream(srv, stream):
    h = await stream.get_headers()
    if h.get(b":method") == b"POST":
        n = 0
        while True:
            c = await stream.get_next_chunk()
            if c is None:
                break
            n += len(c)
        peer = stream.connection.peername()
        body = b"%%d %%s" %% (n, str(peer is not None).encode())
        await stream.write_headers(Headers([(":status", "200"),
                                            ("content-length", str(len(body)))]), False)
        await stream.write_chunk(body, True)
        return
    await stream.write_headers(Headers([(":status", "200"),
                                        ("content-length", str(BIG))]), False)
    chunk = bytes(range(256)) * 256          # 64 KiB
    for i in range(BIG // len(chunk)):
        await stream.write_chunk(chunk, False)
    await stream.write_chunk(b"", True)

async def slow_get():
    # (a small receive buffer, set before connecting: with the kernel's autotuning a
    # loopback socket can take in the whole response, and no write of the server's would
    # stall; SO_RCVBUF is 8 on Linux, a name MicroPython's socket module lacks)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, 8, 16384)
    s.connect(socket.getaddrinfo("127.0.0.1", PORT)[0][-1])
    s.setblocking(False)
    r = w = Stream(s)
    w.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await w.drain()
    data = b""
    while b"\r\n\r\n" not in data:
        data += await r.read(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    n = len(body)
    ok = body == (bytes(range(256)) * 16)[:n]
    for i in range(100000):
        if n >= BIG:
            break
        await asyncio.sleep_ms(1)            # a slow reader: the server's writes stall
        c = await r.read(16384)
        if not c:
            break
        ok = ok and c == (bytes(range(256)) * 65)[n %% 256:n %% 256 + len(c)]
        n += len(c)
    w.close()
    print("GET", head.split(b"\r\n")[0].decode(), n == BIG, ok)

async def post():
    r, w = await asyncio.open_connection("127.0.0.1", PORT)
    size = 300000
    w.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %%d\r\n\r\n" %% size)
    blk = b"x" * 10000
    for i in range(size // len(blk)):
        w.write(blk)
        await w.drain()
    data = b""
    for i in range(1000):
        c = await r.read(4096)
        if not c:
            break
        data += c
        if data.endswith(b"True") or data.endswith(b"False"):
            break
    w.close()
    print("POST", data.split(b"\r\n\r\n", 1)[1].decode())

def probe():
    # a blocking connect (asyncio's open_connection here does not report a refusal)
    s = socket.socket()
    try:
        s.connect(socket.getaddrinfo("127.0.0.1", PORT)[0][-1])
        return "accepting"
    except OSError:
        return "refused"
    finally:
        s.close()

async def main():
    srv = server.listen(onstream, host="127.0.0.1", port=PORT, http2=False)
    await srv.listen()
    print("ACCEPT", isinstance(srv._serve, server.Stream.Server))
    await slow_get()
    print("PARTIAL", partial[0] > 0)
    await post()
    print("OPEN", probe())
    await srv.close(2)
    print("CLOSED", probe())

asyncio.run(main())
'''


def test_accept_loop_streams_big_bodies_both_ways_and_closes():
    r = run_micropython(["-c", SERVER % free_port()], timeout=120)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    lines = out.split("\n")
    assert lines[0] == "INFO [True, 'KeyError', 'KeyError']", out
    assert lines[1] == lines[0], out
    assert lines.pop(2) == "PACKED True True True True", out
    assert lines[2] == "ACCEPT True", out
    assert lines[3] == "GET HTTP/1.1 200 OK True True", out
    assert lines[4] == "PARTIAL True", out
    assert lines[5] == "POST 300000 True", out
    assert lines[6:8] == ["OPEN accepting", "CLOSED refused"], out


V6 = r'''
import asyncio, socket
from mhttp import server

async def onstream(srv, stream):
    await stream.get_headers()
    await stream.write_headers([(b":status", b"200"), (b"content-length", b"2")], False)
    await stream.write_chunk(b"v6", True)

async def main():
    srv = server.listen(onstream, host="::1", port=%d)
    await srv.listen()
    print("LISTEN ok")
    ai = socket.getaddrinfo("::1", %d)[0]
    c = socket.socket(ai[0])
    c.connect(ai[-1])
    c.setblocking(False)
    c.send(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    got = b""
    for _ in range(200):
        try:
            d = c.recv(4096)
        except OSError:
            d = None
        if d == b"":
            break
        if d:
            got += d
        await asyncio.sleep_ms(10)
    c.close()
    print("GOT", got.split(b"\r\n")[0].decode(), got.endswith(b"\r\n\r\nv6"))
    await srv.close()

asyncio.run(main())
'''


def test_accept_loop_listens_on_ipv6():
    # The listening socket takes the host's address family (an IPv4 socket cannot bind
    # "::1": OSError EAFNOSUPPORT, as the first version of this loop did).
    port = free_port()
    r = run_micropython(["-c", V6 % (port, port)], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    assert "LISTEN ok" in out and "GOT HTTP/1.1 200 OK True" in out, out


SEND = r'''
import gc, asyncio
from mhttp.server import Stream
from mhttp._io_stream import Reaper
from mhttp.errors import ConnectionClosed

class Sock:
    # takes every write whole, or raises `fail`
    def __init__(self, fail=None):
        self.fail = fail
        self.out = b""
    def write(self, b):
        if self.fail is not None:
            raise self.fail
        if self.out is not None:
            self.out += b
        return len(b)
    def close(self):
        self.fail = OSError(9)

def io_for(sock):
    io = Stream(sock, b"peer", memoryview(bytearray(64)))
    Reaper(1).add(io)
    return io

async def main():
    # the socket takes it all: written by send() itself, the awaitable a no-op
    s = Sock()
    io = io_for(s)
    co = io.send([b"head ", memoryview(b"and body")], 5)
    print("WRITTEN", s.out, io.out_buf)
    await co
    s.out = None
    p = [b"x" * 40, b"y" * 13]
    gc.collect()
    gc.disable()
    a = gc.mem_alloc()
    await io.send(p, 5)
    b = gc.mem_alloc()
    gc.enable()
    print("SENT", b - a)
    # a failed write: its error raised when awaited, mapped as every write error
    io = io_for(Sock(fail=OSError(32)))
    co = io.send([b"x"], 5)
    try:
        await co
    except ConnectionClosed as e:
        print("FAILED", type(e).__name__)
    s = Sock()
    io = io_for(s)
    io.abort()
    print("ABORTED", io.closed, s.fail is not None)
    co = io.send([b"x"], 5)
    try:
        await co
    except ConnectionClosed as e:
        print("CLOSED", e)
    # pieces that cannot be joined (a MemoryError on a board, here a TypeError): the
    # call returns, the await raises the write's error
    io = io_for(Sock())
    co = io.send([b"x", 5], 5)
    print("CALLED")
    try:
        await co
    except ConnectionClosed as e:
        print("JOINFAIL", type(e).__name__)

asyncio.run(main())
'''


def test_send_writes_at_once_and_raises_when_awaited():
    # StreamIO.send over the accept loop's Stream: the write is made by send() itself
    # (what is awaited is then a no-op coroutine, one 64 B frame; the drain of what the
    # socket did not take: test_accept_loop_streams_big_bodies_both_ways_and_closes);
    # errors still come out of the await, as before.
    r = run_micropython(["-c", SEND], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    lines = out.split("\n")
    assert lines[0] == "WRITTEN b'head and body' b''", out
    # the joined bytes and the flush() coroutine: 192 B (448 B with the coroutine send()
    # it replaced: its 320 B frame, and a list for the join)
    assert lines[1].startswith("SENT ") and int(lines[1][5:]) <= 192, out
    assert lines[2] == "FAILED ConnectionClosed", out
    assert lines[3] == "ABORTED True True", out      # abort() closed the socket
    assert lines[4] == "CLOSED send on a closed connection", out
    assert lines[5:7] == ["CALLED", "JOINFAIL ConnectionClosed"], out


FULL_HEAP = r'''
import sys, asyncio, socket, micropython
from mhttp import server
from mhttp.headers import Headers
from mhttp._io_stream import Reaper
import mhttp.server as A

PORT, PORT2 = %d, %d

# 1. StreamIO.abort on the accept loop's Stream (six attributes: its table is full) on a
# full heap: the socket is closed all the same.
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(socket.getaddrinfo("127.0.0.1", PORT)[0][-1])
ls.listen(1)
c = socket.socket()
c.connect(socket.getaddrinfo("127.0.0.1", PORT)[0][-1])
s2, addr = ls.accept()
io = A.Stream(s2, addr)
r = None
micropython.heap_lock()
try:
    io.abort()
    r = "returned"
except MemoryError:
    r = "MemoryError"
micropython.heap_unlock()
c.settimeout(2)
try:
    got = c.recv(10)
    print("ABORT", r, "EOF" if got == b"" else got)
except OSError as e:
    print("ABORT", r, "socket still open" if e.args[0] in (11, 110) else "reset")
c.close()
ls.close()

# 2. No heap for one more connection (its Reaper entry fails): that connection is
# dropped (EOF) without allocating, and the accept loop goes on serving the next.
state = [0]
_add = Reaper.add
_remove = Reaper.remove
def add(self, io):
    if state[0] == 1:
        state[0] = 2
        micropython.heap_lock()
        raise MemoryError
    return _add(self, io)
def remove(self, io):
    if state[0] == 2:
        state[0] = 3
        micropython.heap_unlock()
    return _remove(self, io)
Reaper.add = add
Reaper.remove = remove

async def app(srv, stream):
    await stream.get_headers()
    await stream.write_headers(Headers([(":status", "200"), ("content-length", "2")]), False)
    await stream.write_chunk(b"ok", True)

async def get():
    r, w = await asyncio.open_connection("127.0.0.1", PORT2)
    w.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await w.drain()
    try:
        d = await asyncio.wait_for(r.read(200), 2)
        res = d.split(b"\r\n")[0].decode() if d else "EOF"
    except asyncio.TimeoutError:
        res = "no answer"
    except OSError:
        res = "EOF"
    w.close()
    return res

async def main():
    srv = server.Server(app, host="127.0.0.1", port=PORT2, http2=False)
    await srv.listen()
    print("FIRST", await get())
    state[0] = 1
    print("DROPPED", await get(), state[0])
    print("THIRD", await get())
    await srv.close(1)

asyncio.run(main())
'''


def test_full_heap_abort_and_refused_connection_close_their_socket():
    # On a board heap the end of a connection must not need heap: StreamIO.abort closes
    # the socket before it sets its flag (on the accept loop's Stream a seventh
    # attribute, a table that grows), and a connection the accept loop has no RAM for
    # is closed without abort(); the accept loop keeps serving.
    ports = (free_port(), free_port())
    r = run_micropython(["-c", FULL_HEAP % ports], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    lines = out.split("\n")
    assert lines[0] == "ABORT returned EOF", out
    assert lines[1:4] == ["FIRST HTTP/1.1 200 OK", "DROPPED EOF 3", "THIRD HTTP/1.1 200 OK"], out
