# Board RAM (MicroPython): importing mhttp.request gives the package's dict the 17-slot
# table a plain GET's modules fill (each module loaded is stored in it as mhttp.<name>),
# so that the first connection's set-up does not grow it (a 272 B table made at the
# tightest moment of the h1 client: its failing allocation from 31.5 to 32.5 KiB heaps
# from ROMFS), and leaves no scratch key behind.
import subprocess

from conftest import ROOT, require_micropython

SCRIPT = """
import gc
import mhttp.request
import mhttp
d = mhttp.__dict__
print(sorted(k for k in d if not isinstance(k, str)))
n = len(d)
k = n
gc.collect()
gc.disable()
a = gc.mem_alloc()
while k < 17:       # (no range object: only the dict may allocate here)
    d[k] = None
    k += 1
print(n, gc.mem_alloc() - a)
"""


def test_package_dict_has_room_for_the_client_path():
    r = subprocess.run([require_micropython(), "-c", SCRIPT], cwd=ROOT, capture_output=True,
                       timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    keys, grew = out.split("\n")[:2]
    assert keys == "[]", out
    n, grew = grew.split()
    assert int(n) < 17 and grew == "0", out
