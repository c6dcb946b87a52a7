# Helpers for tests_host/test_h2_*.py: start tests_host/_h2_app.py (CPython fast path,
# CPython asyncio streams, MicroPython unix port) or a peer server, and wait for it.
import os
import socket
import subprocess
import sys
import time

from conftest import free_port  # noqa: F401 (re-exported to the h2 tests)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.path.join(ROOT, ".venv", "bin", "python")
if not os.path.exists(PY):
    PY = sys.executable
MP = os.path.join(ROOT, "tools", "micropython")
APP = os.path.join(ROOT, "tests_host", "_h2_app.py")
ENV = dict(os.environ)
ENV["PYTHONPATH"] = os.path.join(ROOT, "lib") + os.pathsep + os.path.join(ROOT, "ports", "cpython")


def wait_port(port, proc=None, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited: %s" % proc.stdout.read()[-2000:])
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not listen on %d" % port)


class Proc:
    def __init__(self, argv, port, cwd=ROOT, env=ENV):
        self.port = port
        self.p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        try:
            wait_port(port, self.p)
        except Exception:
            self.stop()
            raise

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(5)
        out = self.p.stdout.read() if self.p.stdout else b""
        return out


def start_app(kind, extra=()):
    port = free_port()
    if kind == "micropython":
        argv = [MP, APP, str(port)]
    else:
        argv = [PY, APP, str(port)]
        if kind == "streams":
            argv.append("--streams")
    return Proc(argv + list(extra), port)


def run(argv, timeout=60, **kw):
    return subprocess.run(argv, cwd=ROOT, capture_output=True, timeout=timeout, **kw)
