# mhttp._client_err: mhttp.client's error texts, loaded by the first error (board RAM: on
# MicroPython a str constant is a heap object, even from ROMFS, so the texts stay out of
# mhttp.client, which a WebSocket or TLS client keeps loaded).  Each raise site in
# mhttp.client quotes its text; tests_host/core/test_request_client_errors.py checks the
# pairs and the classes.
from mhttp import errors


def _err(n, arg=None):
    # The exception for mhttp.client's error n (arg: the value its text formats).
    if n == 0:
        return TypeError("mhttp.client.connect: unknown option %r" % (arg,))
    if n == 1:
        return ValueError("mhttp.client.connect: a host is needed")
    if n == 2:
        return ValueError("unknown HTTP version %r" % (arg,))
    return errors.ProtocolError("version=2: the server did not agree to h2 by ALPN")
