# mhttp._errors_more: the HTTP/2 and WebSocket half of mhttp.errors, imported on first
# use by mhttp.errors.__getattr__ (an HTTP/1.1-only board never loads it).  Import these
# names from mhttp.errors, as before; this module is an implementation detail.
from mhttp.errors import ProtocolError

# RFC 9113 §7 error codes: (name, description), indexed by code.
H2_ERRORS = (
    ("NO_ERROR", "Graceful shutdown"),
    ("PROTOCOL_ERROR", "Protocol error detected"),
    ("INTERNAL_ERROR", "Implementation fault"),
    ("FLOW_CONTROL_ERROR", "Flow-control limits exceeded"),
    ("SETTINGS_TIMEOUT", "Settings not acknowledged"),
    ("STREAM_CLOSED", "Frame received for closed stream"),
    ("FRAME_SIZE_ERROR", "Frame size incorrect"),
    ("REFUSED_STREAM", "Stream not processed"),
    ("CANCEL", "Stream cancelled"),
    ("COMPRESSION_ERROR", "Compression state not updated"),
    ("CONNECT_ERROR", "TCP connection error for CONNECT method"),
    ("ENHANCE_YOUR_CALM", "Processing capacity exceeded"),
    ("INADEQUATE_SECURITY", "Negotiated TLS parameters not acceptable"),
    ("HTTP_1_1_REQUIRED", "Use HTTP/1.1 for the request"),
)

NO_ERROR = 0x0
PROTOCOL_ERROR = 0x1
INTERNAL_ERROR = 0x2
FLOW_CONTROL_ERROR = 0x3
SETTINGS_TIMEOUT = 0x4
STREAM_CLOSED = 0x5
FRAME_SIZE_ERROR = 0x6
REFUSED_STREAM = 0x7
CANCEL = 0x8
COMPRESSION_ERROR = 0x9
CONNECT_ERROR = 0xA
ENHANCE_YOUR_CALM = 0xB
INADEQUATE_SECURITY = 0xC
HTTP_1_1_REQUIRED = 0xD


def h2_error_name(code):
    if 0 <= code < len(H2_ERRORS):
        return H2_ERRORS[code][0]
    return "UNKNOWN_ERROR_0x%x" % code


class H2Error(ProtocolError):
    # lua-http h2_error: name, code, description, message, stream_error.
    stream_error = False

    def __init__(self, code, message=None, stream_id=0):
        self.code = code
        self.error_code = code
        self.name = h2_error_name(code)
        self.description = H2_ERRORS[code][1] if 0 <= code < len(H2_ERRORS) else "Unknown error"
        self.message = message or self.description
        self.stream_id = stream_id
        super().__init__("%s: %s" % (self.name, self.message))


class H2ConnectionError(H2Error):
    # Answered with GOAWAY(code); the connection ends.
    stream_error = False


class H2StreamError(H2Error):
    # Answered with RST_STREAM(stream_id, code); other streams go on.
    stream_error = True

    def __init__(self, code, message=None, stream_id=0):
        super().__init__(code, message, stream_id)


class CompressionError(H2ConnectionError):
    # RFC 7541 §2.3.3 / RFC 9113 §4.3: a header block that cannot be decoded.
    def __init__(self, message=None):
        super().__init__(COMPRESSION_ERROR, message)


# RFC 6455 §7.4.1 close codes used by the WebSocket core.
CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_NO_STATUS = 1005
CLOSE_ABNORMAL = 1006
CLOSE_INVALID_DATA = 1007
CLOSE_POLICY_VIOLATION = 1008
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_MANDATORY_EXTENSION = 1010
CLOSE_INTERNAL_ERROR = 1011


class WSError(ProtocolError):
    def __init__(self, msg, close_code=CLOSE_PROTOCOL_ERROR):
        super().__init__(msg)
        self.close_code = close_code
