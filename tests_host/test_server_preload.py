# mhttp.server's preload_h1 option on the MicroPython unix port: by default listen() loads
# the HTTP/1 driver and the server halves of it and of the core (unfragmented heap);
# preload_h1=False leaves them unloaded (so an HTTP/2 server fits a small board, see
# tools/demo.py) and they load at the first HTTP/1 request, which is still served.
from conftest import free_port, run_micropython

SCRIPT = r'''
import sys, asyncio, socket
from mhttp import server
from mhttp.headers import Headers

async def onstream(srv, stream):
    await stream.get_headers()
    await stream.write_headers(Headers([(":status", "200"), ("content-length", "2")]), False)
    await stream.write_chunk(b"ok", True)

async def main(preload, port):
    srv = server.listen(onstream, host="127.0.0.1", port=port, preload_h1=preload)
    await srv.listen()
    # (the server halves of both are one module, mhttp._h1_server)
    print("LOADED_AT_LISTEN", "mhttp.h1_connection" in sys.modules,
          "mhttp._h1_server" in sys.modules)
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await w.drain()
    data = b""
    for _ in range(50):
        c = await asyncio.wait_for(r.read(1024), 5)
        if not c:
            break
        data += c
    print("RESPONSE", data.split(b"\r\n")[0].decode(), data.endswith(b"\r\n\r\nok"))
    print("LOADED_AFTER", "mhttp.h1_connection" in sys.modules)
    w.close()
    await srv.close(1)

asyncio.run(main(%s, %d))
'''


def run(preload):
    r = run_micropython(["-c", SCRIPT % (preload, free_port())], timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    return out


def test_default_preloads_h1_at_listen():
    out = run("True")
    assert "LOADED_AT_LISTEN True True" in out, out
    assert "RESPONSE HTTP/1.1 200 OK True" in out, out


def test_preload_h1_false_loads_it_at_first_request():
    out = run("False")
    assert "LOADED_AT_LISTEN False False" in out, out
    assert "RESPONSE HTTP/1.1 200 OK True" in out, out
    assert "LOADED_AFTER True" in out, out


H2_ONLY = r'''
import sys, asyncio
from mhttp import server
from mhttp.headers import Headers
done = asyncio.Event()

async def onstream(srv, stream):
    await stream.get_headers()
    await stream.write_headers(Headers([(":status", "200"), ("content-length", "2")]), False)
    await stream.write_chunk(b"ok", True)
    done.set()

async def main(port):
    srv = server.listen(onstream, host="127.0.0.1", port=port, preload_h1=False)
    await srv.listen()
    print("READY", flush=True) if sys.implementation.name != "micropython" else print("READY")
    await asyncio.wait_for(done.wait(), 20)
    await asyncio.sleep(0.2)
    print("H1_LOADED", "mhttp.h1" in sys.modules, "mhttp.h1_connection" in sys.modules)
    await srv.close(1)

asyncio.run(main(%d))
'''


def test_preload_h1_false_h2_requests_never_load_h1():
    # A server that expects HTTP/2 clients (preload_h1=False) answers h2c requests
    # without ever loading mhttp.h1: the checks of :method and :path (RFC 9113 §8.3.1)
    # have their own byte loop on a board (mhttp.h1 is ~9 KiB of heap from .mpy files).
    import shutil
    import subprocess
    from conftest import command_on
    port = free_port()
    cmd, env = command_on("micropython", ["-c", H2_ONLY % port])
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert p.stdout.readline().strip() == b"READY"
        curl = shutil.which("curl")
        assert curl, "curl is needed (make test installs it)"
        r = subprocess.run([curl, "-s", "--http2-prior-knowledge",
                            "http://127.0.0.1:%d/a?b" % port], capture_output=True, timeout=20)
        assert r.stdout == b"ok", r
        out = p.communicate(timeout=30)[0].decode()
    finally:
        p.kill()
    assert "H1_LOADED False False" in out, out
