# Helpers for tests_host/test_h2_*.py: start tests_host/_h2_app.py (CPython fast path,
# CPython asyncio streams, MicroPython unix port) or a peer server, and wait for it.
import os
import socket
import subprocess
import sys
import tempfile
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
            out = proc.output() if hasattr(proc, "output") else (
                proc.stdout.read() if proc.stdout else b"")
            raise RuntimeError("server exited: %s" % out[-2000:])
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not listen on %d" % port)


class Proc:
    # A server process whose output (stdout and stderr) goes to a temporary file, not a
    # pipe: nobody reads a pipe while the test runs, and a server that logs more than the
    # pipe holds (64 KiB of onerror lines) would block on its next write and stop serving.
    def __init__(self, argv, port, cwd=ROOT, env=ENV):
        self.port = port
        self.log = tempfile.TemporaryFile()
        self.p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=self.log,
                                  stderr=subprocess.STDOUT)
        try:
            wait_port(port, self)
        except Exception:
            self.stop()
            raise

    def poll(self):
        return self.p.poll()

    def output(self):
        self.log.seek(0)
        return self.log.read()

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
        if not self.log.closed:
            self._out = self.output()
            self.log.close()
        return self._out


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
