# tools/bundle.py reuses compiled .mpy files from build/mpy-cache, keyed by the source,
# the source name, the arch and the mpy-cross executable: a hit must give the very bytes
# mpy-cross gives, and a changed source, name or arch must never get a stale file.
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bundle  # noqa: E402


def _direct(src, name, tmp_path, arch=None, lines=False):
    out = str(tmp_path / "direct.mpy")
    subprocess.run([bundle.mpy_cross(), "-o", out, "-s", name]
                   + (["-march=" + arch] if arch else [])
                   + ([] if lines else ["-X", "no-source-lines"]) + [str(src)], check=True)
    with open(out, "rb") as f:
        return f.read()


def _cached(src, name, dst, arch=None):
    bundle._compile(str(src), str(dst), name, arch)
    with open(str(dst), "rb") as f:
        return f.read()


def test_hit_gives_mpy_cross_bytes_and_changes_miss(tmp_path, monkeypatch):
    monkeypatch.delenv("MHTTP_MPY_LINES", raising=False)
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



def test_line_numbers_left_out_unless_asked(tmp_path, monkeypatch):
    # the default bundle has no line-number tables (bytecode on a board's heap); the
    # MHTTP_MPY_LINES=1 build keeps them and is never served the other one from the cache
    src = tmp_path / "m.py"
    src.write_text("X = %r\n" % str(tmp_path) + "def f(a):\n    b = a + 1\n    return b\n" * 3)
    monkeypatch.delenv("MHTTP_MPY_LINES", raising=False)
    short = _cached(src, "m", tmp_path / "a.mpy")
    monkeypatch.setenv("MHTTP_MPY_LINES", "1")
    full = _cached(src, "m", tmp_path / "b.mpy")
    assert full == _direct(src, "m", tmp_path, lines=True)
    assert len(short) < len(full)
    monkeypatch.setenv("MHTTP_MPY_LINES", "0")
    assert _cached(src, "m", tmp_path / "c.mpy") == short
