# Real peers for the client tests (CPython only): a ThreadingHTTPServer with the routes
# the client tests need, an aiohttp server in its own thread and loop, a raw-socket
# server that answers canned (malformed) bytes, and trustme certificates.
import asyncio
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

from conftest import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for p in (os.path.join(ROOT, "lib"), os.path.join(ROOT, "ports", "cpython")):
    if p not in sys.path:
        sys.path.insert(0, p)


def _read_chunked(rfile):
    out = []
    for _ in range(100000):
        line = rfile.readline(100)
        size = int(line.split(b";")[0].strip(), 16)
        if size == 0:
            while rfile.readline(1000) not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(out), len(out)
        out.append(rfile.read(size))
        rfile.readline(10)
    raise AssertionError("too many chunks")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.conns += 1

    def handle_expect_100(self):
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.expects.append(path)
        if path == "/reject":
            self.send_response_only(417)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False
        if path == "/no100":
            return True  # never answers 100: the client must send the body anyway
        return super().handle_expect_100()

    def _body(self):
        te = self.headers.get("Transfer-Encoding")
        if te and te.lower() == "chunked":
            body, n = _read_chunked(self.rfile)
            self.server.last_chunks = n
            return body
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n)

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 204 and status != 304:
            self.wfile.write(body)

    def _route(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        path = u.path
        body = b""
        if self.command in ("POST", "PUT", "DELETE") or self.headers.get("Content-Length") \
                or self.headers.get("Transfer-Encoding"):
            body = self._body()
        with self.server.lock:
            self.server.log.append((self.command, self.path, len(body)))
        if path == "/hello":
            return self._send(200, b"hello", [("Content-Type", "text/plain")])
        if path == "/big":
            n = int(q.get("n", ["0"])[0])
            return self._send(200, b"x" * n)
        if path in ("/echo", "/reject", "/no100"):
            return self._send(200, body, [("X-Method", self.command),
                                          ("X-Expect", self.headers.get("Expect") or "-")])
        if path == "/headers":
            out = "".join("%s: %s\n" % (k.lower(), v) for k, v in self.headers.items())
            return self._send(200, out.encode())
        if path == "/redir":
            code = int(q.get("code", ["302"])[0])
            to = q.get("to", ["/echo"])[0]
            return self._send(code, b"moved", [("Location", to)])
        if path == "/loop":
            return self._send(302, b"", [("Location", "/loop")])
        if path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if self.command != "HEAD":
                for part in (b"one,", b"two,", b"three"):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\nx-trailer: yes\r\n\r\n")
            return
        if path == "/close10":
            # An HTTP/1.0 response delimited by closing the connection.
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
            self.wfile.write(b"until-close " * 1000)
            self.close_connection = True
            return
        if path == "/status":
            return self._send(int(q["code"][0]), b"status body")
        return self._send(404, b"not found")

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _route


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, handler, tls_ctx=None):
        super().__init__(addr, handler)
        self.lock = threading.Lock()
        self.conns = 0
        self.log = []
        self.expects = []
        self.last_chunks = 0
        self.tls_ctx = tls_ctx

    def get_request(self):
        s, a = super().get_request()
        if self.tls_ctx is not None:
            s.settimeout(10)
            try:
                s = self.tls_ctx.wrap_socket(s, server_side=True)
            except (ssl.SSLError, OSError):
                s.close()
                raise
        return s, a

    def handle_error(self, request, client_address):
        pass


def start_http_server(tls_ctx=None):
    srv = HTTPServer(("127.0.0.1", 0), Handler, tls_ctx)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    srv.port = srv.server_address[1]
    srv.url = "%s://127.0.0.1:%d" % ("https" if tls_ctx else "http", srv.port)
    return srv


def stop_http_server(srv):
    srv.shutdown()
    srv.server_close()


# ---- aiohttp ------------------------------------------------------------------------

class AioServer:
    def __init__(self):
        self.peers = set()
        self.expects = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("aiohttp server did not start")
        self.url = "http://127.0.0.1:%d" % self.port

    def _run(self):
        from aiohttp import web
        asyncio.set_event_loop(self.loop)

        def peer(request):
            self.peers.add(request.transport.get_extra_info("peername"))

        async def big(request):
            peer(request)
            n = int(request.query.get("n", "0"))
            return web.Response(body=b"y" * n)

        async def echo(request):
            peer(request)
            data = await request.read()
            return web.Response(body=data, headers={"X-TE": request.headers.get("Transfer-Encoding", "-"),
                                                    "X-Len": str(len(data))})

        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_get("/big", big)
        app.router.add_post("/echo", echo)
        app.router.add_put("/echo", echo)

        async def default_expect(request):
            self.expects.append(request.path)
            if request.path == "/reject":
                raise web.HTTPExpectationFailed()
            if request.version == (1, 1) and request.headers.get("Expect", "").lower() == "100-continue":
                request.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

        app.router.add_route("POST", "/reject", echo, expect_handler=default_expect)
        app.router.add_route("POST", "/echo100", echo, expect_handler=default_expect)
        runner = web.AppRunner(app, access_log=None)
        self.loop.run_until_complete(runner.setup())
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        site = web.SockSite(runner, sock)
        self.loop.run_until_complete(site.start())
        self.runner = runner
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())
        self.loop.close()

    def stop(self):
        try:
            asyncio.run_coroutine_threadsafe(self.runner.shutdown(), self.loop).result(5)
        except Exception:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


# ---- raw canned responses -----------------------------------------------------------

class RawServer:
    # Accepts connections; for each, reads the request head and sends `reply` (bytes),
    # then keeps the socket open (hold seconds) so a client that waits for more hangs
    # until its own timeout, unless `close` is set.  Each request (head, and with
    # read_body its content-length body) is kept in self.reqs, in arrival order.
    def __init__(self, reply, close=False, hold=5, read_body=False, family=socket.AF_INET):
        self.reply = reply
        self.read_body = read_body
        self.reqs = []
        self.close = close
        self.hold = hold
        self.sock = socket.socket(family)
        self.sock.bind(("::1" if family != socket.AF_INET else "127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        end = time.time() + 60
        while self.running and time.time() < end:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        c.settimeout(5)
        buf = b""
        try:
            while b"\r\n\r\n" not in buf and len(buf) < 65536:
                d = c.recv(4096)
                if not d:
                    break
                buf += d
            if self.read_body:
                head = buf.partition(b"\r\n\r\n")[0].lower()
                i = head.find(b"\r\ncontent-length:")
                n = 0 if i < 0 else int(head[i + 17:].split(b"\r\n")[0])
                while len(buf) < len(head) + 4 + n:
                    d = c.recv(4096)
                    if not d:
                        break
                    buf += d
            self.reqs.append(buf)
            c.sendall(self.reply)
            if not self.close:
                t = time.time() + self.hold
                while self.running and time.time() < t:
                    time.sleep(0.05)
        except OSError:
            pass
        finally:
            c.close()

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.sock.close()


# ---- certificates -------------------------------------------------------------------

def make_certs(tmpdir):
    # -> (ca_pem_path, server_ssl_context, other_ca_pem_path)
    import trustme
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    ca_path = os.path.join(tmpdir, "ca.pem")
    ca.cert_pem.write_to_path(ca_path)
    other = trustme.CA()
    other_path = os.path.join(tmpdir, "other-ca.pem")
    other.cert_pem.write_to_path(other_path)
    cert_path = os.path.join(tmpdir, "server.pem")
    key_path = os.path.join(tmpdir, "server.key")
    cert.cert_chain_pems[0].write_to_path(cert_path)
    cert.private_key_pem.write_to_path(key_path)
    return ca_path, ctx, other_path, cert_path, key_path


# ---- our own server ----------------------------------------------------------------

def start_mhttp_server(extra=(), micropython=False):
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "lib"), os.path.join(ROOT, "ports", "cpython")])
    if micropython:
        cmd = [os.path.join(ROOT, "tools", "micropython"), "-m", "mhttp", "serve"]
    else:
        cmd = [sys.executable, "-m", "mhttp", "serve"]
    cmd += ["--host", "127.0.0.1", "--port", str(port)] + list(extra)
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            if p.poll() is not None:
                raise RuntimeError("mhttp serve exited: %r" % p.stdout.read())
            time.sleep(0.05)
    else:
        p.kill()
        raise RuntimeError("mhttp serve did not start")
    p.port = port
    return p


def stop_process(p):
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(5)
