# tools/bundle.py reuses compiled .mpy files from build/mpy-cache, keyed by the source,
# the source name, the arch and the mpy-cross executable: a hit must give the very bytes
# mpy-cross gives, and a changed source, name or arch must never get a stale file.
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bundle  # noqa: E402


def _direct(src, name, tmp_path, arch=None):
    out = str(tmp_path / "direct.mpy")
    subprocess.run([bundle.mpy_cross(), "-o", out, "-s", name]
                   + (["-march=" + arch] if arch else []) + [str(src)], check=True)
    with open(out, "rb") as f:
        return f.read()


def _cached(src, name, dst, arch=None):
    bundle._compile(str(src), str(dst), name, arch)
    with open(str(dst), "rb") as f:
        return f.read()


def test_hit_gives_mpy_cross_bytes_and_changes_miss(tmp_path):
    src = tmp_path / "m.py"
    # a source no other test compiles (the pid and path make it unique to this run)
    src.write_text("X = %r\ndef f(a):\n    return a + 1\n" % str(tmp_path))
    first = _cached(src, "m", tmp_path / "a.mpy")
    again = _cached(src, "m", tmp_path / "b.mpy")     # from the cache
    assert first == again == _direct(src, "m", tmp_path)
    # another source name: a different file (the name is inside the .mpy)
    assert _cached(src, "other", tmp_path / "c.mpy") == _direct(src, "other", tmp_path)
    assert _cached(src, "other", tmp_path / "c.mpy") != first
    # a changed source, same name and size class: a different file, not the cached one
    src.write_text("X = %r\ndef f(a):\n    return a + 2\n" % str(tmp_path))
    changed = _cached(src, "m", tmp_path / "d.mpy")
    assert changed != first
    assert changed == _direct(src, "m", tmp_path)
    # another arch: native code, not the bytecode file
    src.write_text("@micropython.viper\ndef f(a: int) -> int:\n    return a + 1\n")
    x64 = _cached(src, "m", tmp_path / "e.mpy", "x64")
    assert x64 == _direct(src, "m", tmp_path, "x64")
    assert _cached(src, "m", tmp_path / "f.mpy", "armv6m") == _direct(src, "m", tmp_path,
                                                                         "armv6m") != x64

