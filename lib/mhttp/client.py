# mhttp.client: lua-http's http.client in Python idiom: obtain a connection to an HTTP
# server.
#
#   import mhttp.client
#   conn = await mhttp.client.connect({"host": "example.com", "port": 443, "tls": True})
#   stream = conn.new_stream()
#   await stream.write_headers(headers, True)
#   ...
#   conn = mhttp.client.connect_blocking(host="127.0.0.1", port=8080, tls=False)
#   # the same connection, its coroutine methods run for you (mhttp.blocking)
#
# connect(options=None, timeout=None, **kw) is a coroutine; options is a dict and/or
# keyword arguments:
#   host (str), port (int; default 443 with TLS, else 80)
#   tls (bool or an ssl context; default True, as lua-http's negotiate)
#   ctx                  an ssl.SSLContext to use (implies tls)
#   cafile               a CA bundle for the default context (MicroPython has no system
#                        store: a TLS connection there needs cafile, or verify=False)
#   verify (default True) / insecure (default False): certificate verification
#   sendname / server_hostname   SNI name (default: host; SNI is always sent)
#   version              None: HTTP/2 when the server agrees by ALPN over TLS (CPython),
#                        else HTTP/1.1; 1.1 / 1.0: HTTP/1.x only (1.0: requests say
#                        HTTP/1.0, no chunked body, no reuse); 2: HTTP/2 only (ALPN "h2"
#                        over TLS; prior knowledge on http://, or Upgrade: h2c with
#                        h2c_upgrade=True).  MicroPython's TLS has no ALPN: version=2 over
#                        TLS raises TLSError there (use h2c).
#   h2c_upgrade (bool)   with version=2 on cleartext: an `OPTIONS *` request with
#                        `Upgrade: h2c` first; HTTP/2 on 101, else HTTP/1.1 goes on
#   h2_settings          {SETTINGS_*: value} for the HTTP/2 connection (e.g. enable push)
#   blocking (bool)      use the blocking-socket I/O object: the coroutine then never
#                        suspends and can be driven by mhttp._io.run_blocking (which is
#                        what connect_blocking does)
#   timeout              the connect + TLS handshake time limit in seconds (also the
#                        positional `timeout`)
# It returns a connected connection object (mhttp.h1_connection for HTTP/1.x).
#
# TLS: certificate verification is on by default everywhere.  CPython uses the system
# CAs (or cafile, or the given context); MicroPython uses cafile and raises TLSError with
# a clear message when none is given and verification is on.  The TLS contexts come from
# the port glue (_mhttp_port.client_tls_context), so boards can differ there.
#
# RAM on boards: the HTTP/2 paths (prior knowledge, ALPN h2, Upgrade: h2c) live in
# mhttp._client_h2, imported only when a connection turns out to be HTTP/2, and the TLS
# set-up (tls_context, the ALPN offer) in mhttp._client_tls, imported for TLS only
# (tls_context stays reachable here through the module __getattr__).  The error texts
# live in mhttp._client_err, loaded by the first error (each raise site quotes its
# text); connect_async is served by the module __getattr__.

# The option names, one str between spaces (a tuple would be a heap object and intern
# each name on a board).
_KNOWN = " host port tls ctx cafile verify insecure sendname server_hostname version " \
         "h2_settings blocking timeout family bufsize alpn h2c_upgrade "


def _options(options, kw):
    # The options as one dict: the caller's own dict when there are no keyword options
    # (connect only reads it: no copy, which on a board is heap while connecting).
    if not kw and type(options) is dict:
        o = options
    else:
        o = {}
        if options:
            for k in options:
                o[k] = options[k]
        for k in kw:
            o[k] = kw[k]
    for k in o:
        # (a name holds no space: then " name " is in _KNOWN exactly when it is one)
        if not isinstance(k, str) or " " in k or (" %s " % k) not in _KNOWN:
            from mhttp._client_err import _err
            raise _err(0, k)     # TypeError: mhttp.client.connect: unknown option %r
    if not o.get("host"):
        from mhttp._client_err import _err
        raise _err(1)    # ValueError: mhttp.client.connect: a host is needed
    return o


def __getattr__(name):
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(globals(), "connect_async")
    if name == "tls_context":
        from mhttp._client_tls import tls_context
        return tls_context
    if name == "connect_async":     # the same as connect (options as a dict)
        return connect
    raise AttributeError(name)


def _version(v):
    # 1.1, 1.0 or 2 for the version option.  (The floats are computed, not literals: a
    # float constant is a heap object on a board, even from ROMFS; 11 / 10 is the float
    # 1.1, and 1.0 and 2.0 equal the ints 1 and 2.)
    if v is None or v == "1.1" or v == 11 / 10:
        return 11 / 10
    if v == 1 or v == "1.0":
        return 1 / 1
    if v == 2 or v == "2":
        return 2
    from mhttp._client_err import _err
    raise _err(2, v)     # ValueError: unknown HTTP version %r


async def connect(options=None, timeout=None, **kw):
    o = _options(options, kw)
    if timeout is None:
        timeout = o.get("timeout")
    import _mhttp_port
    vo = o.get("version")
    version = None if vo is None else _version(vo)
    ctx = None
    alpn = o.get("alpn")
    if o.get("tls", True) or o.get("ctx") is not None:
        from mhttp._client_tls import tls_setup
        ctx, alpn = tls_setup(o, version, alpn)
    host = o["host"]
    port = o.get("port")
    if port is None:
        port = 443 if ctx is not None else 80
    port = int(port)
    sni = o.get("server_hostname") or o.get("sendname")
    if not isinstance(sni, str):
        sni = None  # True / False / None: the host (SNI is always sent)
    args = {}
    if o.get("bufsize"):
        args["bufsize"] = o["bufsize"]
    if o.get("blocking"):
        io = _mhttp_port.open_connection_blocking(host, port, ctx, sni, alpn, timeout, **args)
    else:
        io = await _mhttp_port.open_connection(host, port, ctx, sni, alpn, timeout, **args)
    if version == 2 and ctx is None and o.get("h2c_upgrade"):
        from mhttp._client_h2 import h2c_upgrade
        return await h2c_upgrade(io, o, host, port, timeout)
    return negotiate(io, o, version)


async def _open(req, blocking, timeout, pool=None, key=None):
    # mhttp.request.Request._open for a request with TLS, a context or a version (a plain
    # http:// request opens its own connection without loading this module).  An HTTP/2
    # connection goes into the pool under key: shared by every request to this origin.
    conn = await connect({
        "host": req.host, "port": req.port, "tls": bool(req.tls), "ctx": req.ctx,
        "sendname": req.sendname, "version": req.version, "cafile": req.cafile,
        "verify": req.verify, "h2_settings": req.h2_settings, "blocking": blocking,
        "h2c_upgrade": req.h2c_upgrade}, timeout)
    if getattr(conn, "version", 1) == 2 and pool:
        pool.put(key, conn)
    elif blocking and pool:
        import _mhttp_port
        if _mhttp_port.DEFAULT_BUFSIZE == 2048 and hasattr(pool, "_evict"):
            # the unix port in a desktop's heap: its sockets have no finaliser
            # (mhttp._client_lease, see mhttp.request.Request._open)
            pool._evict(conn, None)
    return conn


def negotiate(io, options, version):
    # Picks the protocol driver for a connected I/O object.  The HTTP/2 seam: when
    # mhttp.h2_connection exists, version 2 (or ALPN "h2" from io.alpn()) goes there.
    # (ALPN asked only with TLS: on a cleartext connection io.alpn() is None anyway, and
    # asking loads the I/O object's rare half, mhttp._io_rare: board RAM.)
    tls = getattr(io, "tls", False)
    if (tls and io.alpn() == b"h2") or (version == 2 and not tls):
        from mhttp._client_h2 import h2
        return h2(io, options)
    if version == 2:
        io.abort()
        from mhttp._client_err import _err
        raise _err(3)    # ProtocolError: version=2: the server did not agree to h2 by ALPN
    from mhttp.h1_connection import H1Connection
    if version is None:
        return H1Connection(io, 0)      # mhttp.h1.CLIENT, HTTP/1.1
    conn = H1Connection(io, 0, version)
    if version == 1:
        # 1.0 (an int here: a float constant is a heap object on a board): its requests
        # say HTTP/1.0 (mhttp._h1_rare; the HTTP/1.1 path carries nothing for it)
        from mhttp._h1_rare import _http10
        _http10(conn.p)
    return conn


def connect_blocking(options=None, timeout=None, **kw):
    # connect() on blocking sockets, run to completion; the connection is wrapped in
    # mhttp.blocking.Blocking, so its methods (and its streams' methods) block.
    from mhttp._io import run_blocking
    from mhttp.blocking import Blocking
    kw["blocking"] = True     # (kw is this call's own dict)
    return Blocking(run_blocking(connect(_options(options, kw), timeout)))

