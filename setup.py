# Build shim for the one thing pyproject.toml cannot say on every setuptools version: the
# optional C extension _mhttp_port._speedups (WebSocket masking, see its source).  It is
# optional=True: without a compiler or Python headers the build prints a warning and the
# install still succeeds; mhttp.ws then masks in pure Python.  Everything else (metadata,
# packages) is in pyproject.toml.
from setuptools import Extension, setup

setup(ext_modules=[Extension("_mhttp_port._speedups",
                             ["ports/cpython/_mhttp_port/_speedups.c"],
                             optional=True)])
