# MicroPython port glue, TLS half (unix, and through _mhttp_mp the esp32 and rp2 glue):
# TLS contexts for mbedTLS (PEM read as DER) and the refusal of an ALPN offer this ssl
# module cannot make.  Imported only when TLS (or ALPN) is asked for: a cleartext client
# or server never loads it (board RAM: ~1.2 KB as a .mpy file, ~0.2 KB from ROMFS).
# _mhttp_port's client_tls_context and server_tls_context call these; tools/bundle.py compiles this file as _mhttp_tls.mpy on every
# MicroPython board.


def no_alpn(alpn):
    if alpn:
        from mhttp.errors import TLSError
        raise TLSError("ALPN %r requested but MicroPython's ssl module has no ALPN support "
                       "(use HTTP/1.1 over TLS, or h2c prior knowledge over cleartext)" % (alpn,))


def _der(x):
    # File name or bytes -> DER bytes.  This build's mbedTLS parses DER only ("invalid
    # key" / "invalid cert" on PEM), so a PEM file's first block is base64-decoded here.
    if isinstance(x, str):
        with open(x, "rb") as f:
            x = f.read()
    i = x.find(b"-----BEGIN")
    if i < 0:
        return x
    i = x.find(b"\n", i)
    j = x.find(b"-----END", i)
    if i < 0 or j < 0:
        return x
    from binascii import a2b_base64
    return a2b_base64(x[i + 1:j].replace(b"\r", b"").replace(b"\n", b""))


def client_tls_context(cafile=None, verify=True, alpn=None, certfile=None, keyfile=None):
    # MicroPython's ssl (mbedTLS) takes DER (PEM files are converted by _der); verification is on when a CA file
    # is given (there is no system trust store on a board).
    no_alpn(alpn)
    import ssl
    from mhttp.errors import TLSError
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        if cafile:
            ctx.load_verify_locations(cadata=_der(cafile))
            ctx.verify_mode = ssl.CERT_REQUIRED
        elif verify:
            raise TLSError("certificate verification asked for but no CA file given "
                           "(MicroPython has no system trust store): pass cafile=..., or verify=False")
        else:
            ctx.verify_mode = ssl.CERT_NONE
            # Unverified: the name is only the SNI, and an IP literal is none (RFC 6066
            # §3: not permitted in HostName; CPython sends none).  (A verifying context
            # keeps it: mbedTLS checks the certificate against that one name, IP
            # literals included, and refuses CERT_REQUIRED without it.)
            w = ctx.wrap_socket

            def wrap_socket(sock, *a, **kw):
                h = kw.get("server_hostname")
                if h and (":" in h or h.replace(".", "").isdigit()):
                    kw["server_hostname"] = None
                return w(sock, *a, **kw)
            ctx.wrap_socket = wrap_socket
        if certfile:
            ctx.load_cert_chain(_der(certfile), _der(keyfile))
    except (OSError, ValueError) as e:
        raise TLSError("TLS setup failed: %r" % (e,))
    return ctx


def server_tls_context(certfile, keyfile, alpn=None):
    # alpn is ignored on a server here (a client offering h2 then falls back to http/1.1).
    import ssl
    from mhttp.errors import TLSError
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(_der(certfile), _der(keyfile))
    except (OSError, ValueError) as e:
        raise TLSError("cannot load certificate %r / key %r: %r" % (certfile, keyfile, e))
    return ctx
