# mhttp._h1_text: the text of every exception the HTTP/1.1 core (mhttp.h1, _h1_server,
# _h1_client) raises, one line per code, imported by mhttp.h1._err on the first error.
#
# RAM on boards: these ~80 messages cost about 5 KB of heap as literals spread over the
# parser modules loaded as .mpy files (2 KB even executed in place from ROMFS); here they
# are one str constant that only a connection that meets an error loads.  A raise site
# reads `raise _err(N, args, status)  # text of line N`, the comment equal to line N below
# (tests_host/core/test_h1_errors.py checks).  Codes count lines from 0: add new
# messages at the end, never renumber.
text = (
    "obs-fold: a field line starts with whitespace (RFC 9112 §5.2: a server MUST "
    "reject a message containing obs-fold)\n"  # 0
    "field line without a colon: %r\n"  # 1
    "whitespace between field name and colon (RFC 9112 §5.1: a server MUST reject "
    "such a request)\n"  # 2
    "invalid field name %r\n"  # 3
    "unsupported HTTP version %r\n"  # 4
    "malformed HTTP version %r\n"  # 5
    "differing Content-Length values\n"  # 6
    "malformed Content-Length %r\n"  # 7
    "Content-Length %d exceeds the body limit %d\n"  # 8
    "Transfer-Encoding %r: chunked is not the final coding (RFC 9112 §6.3: the "
    "server MUST respond with 400)\n"  # 9
    "chunked applied more than once (RFC 9112 §7.1)\n"  # 10
    "unsupported transfer coding in %r\n"  # 11
    "receive_data after EOF\n"  # 12
    "header section larger than %d bytes\n"  # 13
    "bare CR or LF in the message head (RFC 9112 §2.2: CRLF only)\n"  # 14
    "control character in the message head\n"  # 15
    "more than %d header fields\n"  # 16
    "request-line longer than %d bytes\n"  # 17
    "status-line longer than %d bytes\n"  # 18
    "field line longer than %d bytes\n"  # 19
    "connection closed in the middle of a message head\n"  # 20
    "invalid request method %r\n"  # 21
    "bare LF in the message head (RFC 9112 §2.2: CRLF only)\n"  # 22
    "bare CR in the message head (RFC 9112 §2.2: CRLF only)\n"  # 23
    "more than one Host field (RFC 9112 §3.2: a server MUST respond with 400)\n"  # 24
    "body larger than %d bytes\n"  # 25
    "connection closed before the end of the body\n"  # 26
    "chunk-size line longer than %d bytes\n"  # 27
    "bare LF in a chunk-size line\n"  # 28
    "connection closed in the middle of a chunked body\n"  # 29
    "invalid chunk extension\n"  # 30
    "malformed chunk-size %r\n"  # 31
    "chunk-size too large\n"  # 32
    "connection closed in the middle of a chunk\n"  # 33
    "chunk data not followed by CRLF\n"  # 34
    "trailer section larger than %d bytes\n"  # 35
    "bare LF in the trailer section\n"  # 36
    "connection closed in the trailer section\n"  # 37
    "bare CR or LF in the trailer section\n"  # 38
    "control character in the trailer section\n"  # 39
    "more than %d trailer fields\n"  # 40
    "trailer field line longer than %d bytes\n"  # 41
    "invalid header name %r\n"  # 42
    "invalid characters (CR, LF, NUL, CTL) in the value of %r\n"  # 43
    "%d body bytes exceed the content-length (%d left)\n"  # 44
    "body ended %d bytes short of the content-length\n"  # 45
    "send_data in send state %d (no body may be sent now)\n"  # 46
    "trailers need a chunked body\n"  # 47
    "%r may not be sent as a trailer field (RFC 9110 §6.5.1)\n"  # 48
    "only a server sends 100 Continue\n"  # 49
    "100 Continue after the final response head\n"  # 50
    "start_next_cycle before both messages are complete\n"  # 51
    "start_next_cycle on a connection that must close\n"  # 52
    "invalid content-length %r\n"  # 53
    "end_stream with content-length %d and no body\n"  # 54
    "only transfer-encoding: chunked can be sent\n"  # 55
    "malformed request-line %r (RFC 9112 §3: method SP request-target SP HTTP-version)\n"  # 56
    "invalid request-target %r\n"  # 57
    "CONNECT needs an authority-form request-target\n"  # 58
    "asterisk-form request-target only with OPTIONS\n"  # 59
    "malformed request-target %r\n"  # 60
    "invalid authority in the request-target %r (RFC 9110 §4.2)\n"  # 61
    "invalid Host %r\n"  # 62
    "HTTP/1.1 request without Host (RFC 9112 §3.2: a server MUST respond with 400)\n"  # 63
    "both Content-Length and Transfer-Encoding (RFC 9112 §6.3: the request is to be "
    "treated as an error)\n"  # 64
    "Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1: the framing is faulty)\n"  # 65
    "response head already sent\n"  # 66
    "a response needs a :status of 100-599\n"  # 67
    "content-length and transfer-encoding in one response (RFC 9112 §6.2)\n"  # 68
    "malformed status-line %r\n"  # 69
    "malformed status code %r\n"  # 70
    "101 Switching Protocols to a request without Upgrade\n"  # 71
    "response with both Content-Length and Transfer-Encoding\n"  # 72
    "Content-Length %d exceeds the body limit\n"  # 73
    "request head already sent\n"  # 74
    "unknown pseudo-header %r\n"  # 75
    "invalid or missing :method\n"  # 76
    "invalid or missing :path (no spaces or CTLs allowed)\n"  # 77
    "invalid :authority %r\n"  # 78
    "an HTTP/1.1 request needs :authority or host\n"  # 79
    "101 before the end of the request body\n"  # 80
    "an HTTP/1.0 request body needs a content-length (no chunked coding)\n"  # 81
    "obs-fold continuing %r (only a field that does not steer framing may be folded)\n"  # 82
    "a CONNECT request with content (RFC 9110 §9.3.6: a CONNECT request message does "
    "not have content)\n"  # 83
)
