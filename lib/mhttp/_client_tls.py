# mhttp._client_tls: mhttp.client's TLS set-up (the ssl context for the options, the
# ALPN offer), imported by mhttp.client.connect only for a TLS connection, so that a
# cleartext client does not load it.  tls_context is public as mhttp.client.tls_context.
from mhttp import errors


def tls_context(o):
    # The ssl context for options o, or None for cleartext.
    tls = o.get("tls", True)
    ctx = o.get("ctx")
    if ctx is None and tls is not True and tls not in (False, None):
        ctx = tls  # lua-http: tls may be the context itself
    if ctx is not None:
        return ctx
    if not tls:
        return None
    import _mhttp_port
    verify = o.get("verify", True) and not o.get("insecure", False)
    return _mhttp_port.client_tls_context(o.get("cafile"), verify, None)


def tls_setup(o, version, alpn):
    # -> (ctx, alpn) for connect's options o (tls or ctx given) and HTTP version (None,
    # 1.0, 1.1 or 2): ALPN offers h2 when HTTP/2 may be spoken and the runtime's TLS has
    # ALPN; version 2 without ALPN is a TLSError (MicroPython: use h2c).
    ctx = tls_context(o)
    if ctx is not None and alpn is None and version in (None, 2):
        import _mhttp_port
        if getattr(_mhttp_port, "HAS_ALPN", False):
            alpn = ["h2"] if version == 2 else ["h2", "http/1.1"]
        elif version == 2:
            raise errors.TLSError("HTTP/2 over TLS needs ALPN, which the TLS of this runtime "
                                  "(%s) does not have: use h2c (http:// with version=2) or "
                                  "HTTP/1.1" % _mhttp_port.NAME)
    return ctx, alpn
