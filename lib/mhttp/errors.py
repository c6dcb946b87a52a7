# mhttp.errors: the one exception hierarchy.
#
#   Error                      base of everything mhttp raises on purpose
#     Timeout                  a blocking call ran past its timeout
#     ConnectionClosed         the peer went away (EOF or reset) mid-exchange
#     TLSError                 TLS could not be set up (no CA file, no ALPN, handshake)
#     ProtocolError            the peer (or the caller) broke a protocol rule
#       H1Error                HTTP/1.x; .status_hint is the 4xx/5xx a server answers
#       H2Error                HTTP/2, lua-http's h2_error shape: .name .code
#         H2ConnectionError      .description .message .stream_error .stream_id
#         H2StreamError
#       WSError                WebSocket; .close_code is the close code to send
#       CompressionError       HPACK (an H2ConnectionError with COMPRESSION_ERROR)
#
# Protocol cores raise these; drivers turn them into wire output (a 4xx response,
# RST_STREAM, GOAWAY, a close frame) and the caller sees the same exception.
# No exception chaining (MicroPython has none): put the detail in the message.
#
# RAM on boards: this module holds only what every HTTP/1.1 path needs.  The HTTP/2 part
# (H2Error and its subclasses, the RFC 9113 error codes and H2_ERRORS, h2_error_name)
# lives in mhttp._errors_h2, the WebSocket part (WSError, the CLOSE_* codes) and, on
# MicroPython, TLSError (no plain HTTP connection raises it; a class costs ~220 B of heap
# on a board, even from ROMFS) in mhttp._errors_more; each is loaded on first use through the module
# __getattr__ below (PEP 562; MicroPython has it too): `from mhttp.errors import
# H2StreamError` and `errors.CANCEL` work as before, and the classes are the same objects
# whichever way they are reached.


class Error(Exception):
    pass


class Timeout(Error):
    pass


class ConnectionClosed(Error):
    pass


class ProtocolError(Error):
    pass


if hasattr(b"", "translate"):
    # CPython: TLSError here (its port imports it with every connection); on MicroPython
    # it lives in mhttp._errors_more (the same class either way: that module takes it from
    # here on CPython).
    class TLSError(Error):
        pass


class H1Error(ProtocolError):
    # status_hint: the status a server answers with before closing (400 unless the
    # raise site knows better: 413, 414, 431, 501, 505).
    def __init__(self, msg, status_hint=400):
        super().__init__(msg)
        self.status_hint = status_hint


def __getattr__(name):
    if name == "__all__":     # `from ... import *` (mhttp._star)
        from mhttp._star import names
        return names(globals(), "TLSError")
    # Dunders (probes of the import machinery) and private names: none are reached
    # through here ("_" is a name MicroPython has built in; "__" would cost one more).
    if name[:1] == "_":
        raise AttributeError(name)
    # (__import__ with the dotted names, and the CLOSE_ prefix cut from a longer str: a
    # module name in an import statement and a str of up to 10 characters are interned
    # names, each one more on every path that loads this module)
    if name == "WSError" or name == "TLSError" or name[:6] == "CLOSE_NORMAL"[:6]:
        m = __import__("mhttp._errors_more", None, None, (name,))
    else:
        m = __import__("mhttp._errors_h2", None, None, (name,))
    try:
        return getattr(m, name)
    except AttributeError:
        raise AttributeError("module 'mhttp.errors' has no attribute %r" % (name,)) from None
