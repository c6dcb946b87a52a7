# Client TLS (CPython): trustme certificates, verification on by default, cafile,
# verify=False, the CLI's -k / --cacert, and our own server over TLS.
import asyncio
import os
import subprocess
import sys

import pytest

from client_servers import (start_http_server, stop_http_server, make_certs, ROOT,
                            start_mhttp_server, stop_process)

import mhttp.request as request
import mhttp.client as client
from mhttp import errors


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(str(tmp_path_factory.mktemp("certs")))


@pytest.fixture
def tls_srv(certs):
    s = start_http_server(certs[1])
    request.POOL.close_all()
    yield s
    request.POOL.close_all()
    stop_http_server(s)


def _get(url, **attrs):
    r = request.new_from_uri(url)
    for k in attrs:
        setattr(r, k, attrs[k])
    h, s = r.go_blocking(10)
    return h, s.get_body_as_string(10)


def test_untrusted_certificate_is_a_tls_error(tls_srv):
    # the system store does not know the trustme CA: verification must fail, clearly
    with pytest.raises(errors.TLSError) as e:
        _get(tls_srv.url + "/hello")
    assert "CERTIFICATE_VERIFY_FAILED" in str(e.value) or "certificate verify failed" in str(e.value)
    with pytest.raises(errors.TLSError):
        asyncio.run(request.new_from_uri(tls_srv.url + "/hello").go(10))


def test_wrong_ca_is_a_tls_error(tls_srv, certs):
    with pytest.raises(errors.TLSError):
        _get(tls_srv.url + "/hello", cafile=certs[2])


def test_cafile_verifies(tls_srv, certs):
    h, b = _get(tls_srv.url + "/hello", cafile=certs[0])
    assert h.get(":status") == b"200" and b == b"hello"

    async def go():
        r = request.new_from_uri(tls_srv.url + "/big?n=200000")
        r.cafile = certs[0]
        h, s = await r.go(10)
        return await s.get_body_as_string(10), s.connection.checktls()
    b, tls = asyncio.run(go())
    assert b == b"x" * 200000 and tls is True


def test_hostname_checked(tls_srv, certs):
    # the certificate is for 127.0.0.1 and localhost; SNI / hostname "wrong.example" fails
    r = request.new_from_uri(tls_srv.url + "/hello")
    r.cafile = certs[0]
    r.sendname = "wrong.example"
    with pytest.raises(errors.TLSError):
        r.go_blocking(10)


def test_insecure_skips_verification(tls_srv):
    h, b = _get(tls_srv.url + "/hello", verify=False)
    assert b == b"hello"


def test_given_context(tls_srv, certs):
    import ssl
    ctx = ssl.create_default_context(cafile=certs[0])
    h, b = _get(tls_srv.url + "/hello", ctx=ctx)
    assert b == b"hello"
    conn = client.connect_blocking(host="127.0.0.1", port=tls_srv.port, ctx=ctx, timeout=5)
    assert conn.checktls() is True
    conn.close()


def test_redirect_https_keeps_cafile(tls_srv, certs):
    h, b = _get(tls_srv.url + "/redir?code=302&to=/hello", cafile=certs[0])
    assert b == b"hello"


def _cli(*args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "lib"), os.path.join(ROOT, "ports", "cpython")])
    return subprocess.run([sys.executable, "-m", "mhttp", "get"] + list(args), cwd=ROOT, env=env,
                          capture_output=True, timeout=30)


def test_cli_tls(tls_srv, certs):
    r = _cli(tls_srv.url + "/hello")
    assert r.returncode == 60, r.stderr
    assert b"certificate" in r.stderr.lower()
    r = _cli("-k", tls_srv.url + "/hello")
    assert r.returncode == 0 and r.stdout == b"hello"
    r = _cli("--cacert", certs[0], tls_srv.url + "/hello")
    assert r.returncode == 0 and r.stdout == b"hello"


def test_our_server_over_tls(certs):
    p = start_mhttp_server(["--cert", certs[3], "--key", certs[4]])
    try:
        url = "https://127.0.0.1:%d" % p.port
        h, b = _get(url + "/", cafile=certs[0])
        assert h.get(":status") == b"200" and b == b"Hello, World!"
        r = request.new_from_uri(url + "/echo")
        r.cafile = certs[0]
        r.headers.upsert(":method", "POST")
        r.set_body(b"t" * 100000)
        h, s = r.go_blocking(10)
        assert s.get_body_as_string(10) == b"t" * 100000
        with pytest.raises(errors.TLSError):
            _get(url + "/")
    finally:
        stop_process(p)


SNI_SCRIPT = r'''
import sys
from mhttp import request, errors
port, stalled, ca = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for host, verify in (("localhost", 1), ("127.0.0.1", 0), ("localhost", 0)):
    r = request.new_from_uri("https://%s:%d/" % (host, port))
    if verify:
        r.cafile = ca
    else:
        r.verify = False
    h, st = r.go_blocking(10)
    print("GOT", host, verify, h.get(":status"), st.get_body_as_string(10))
r = request.new_from_uri("https://127.0.0.1:%d/" % stalled)
r.verify = False
try:
    r.go_blocking(1)
    print("STALLED none")
except errors.Timeout as e:
    print("STALLED Timeout")
except Exception as e:
    print("STALLED other %r" % (e,))
'''


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_sni_and_handshake_timeout(certs, runtime, tmp_path):
    # No SNI for an IP literal (RFC 6066 §3) where the name is not verified (MicroPython's
    # mbedTLS verifies against the one name it also sends as SNI: a verifying context
    # keeps it); a host name's is sent.  A TLS server that never answers the handshake:
    # errors.Timeout (as a connect or read timeout) on both runtimes, not ConnectionClosed
    # (CPython) or TLSError (MicroPython).
    import socket
    import ssl
    import threading
    from conftest import require_micropython, run_on
    if runtime == "micropython":
        require_micropython()
    names = []
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs[3], certs[4])
    ctx.sni_callback = lambda so, name, c: names.append(name)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    ls.settimeout(20)
    stall = socket.socket()
    stall.bind(("127.0.0.1", 0))
    stall.listen(8)

    def serve():
        for i in range(3):
            try:
                c, a = ls.accept()
                s = ctx.wrap_socket(c, server_side=True)
                s.settimeout(5)
                s.recv(1000)
                s.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                s.close()
            except Exception:
                pass
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        path = str(tmp_path / "sni.py")
        with open(path, "w") as f:
            f.write(SNI_SCRIPT)
        r = run_on(runtime, [path, str(ls.getsockname()[1]), str(stall.getsockname()[1]),
                             certs[0]], timeout=60)
        out = r.stdout.decode()
        assert r.returncode == 0, out + r.stderr.decode()
        assert out.count("GOT") == 3 and out.count(" b'ok'") == 3, out
        assert names == ["localhost", None, "localhost"], names
        assert "STALLED Timeout" in out, out
    finally:
        t.join(10)
        ls.close()
        stall.close()
