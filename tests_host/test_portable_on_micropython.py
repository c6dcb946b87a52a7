# Runs every portable test module (tests_host/core/test_*.py) on the MicroPython unix
# port through tools/mptest.py: the same files pytest runs on CPython.
import glob
import os

import pytest

from conftest import ROOT, run_micropython

CORE = sorted(glob.glob(os.path.join(ROOT, "tests_host", "core", "test_*.py")))


@pytest.mark.parametrize("path", CORE, ids=[os.path.basename(p) for p in CORE])
def test_core_on_micropython(path):
    r = run_micropython(["tools/mptest.py", os.path.relpath(path, ROOT)], timeout=300)
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    assert r.returncode == 0, out
    assert " passed, 0 failed" in out, out
