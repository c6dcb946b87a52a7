# mhttp._reasons: reason phrases (RFC 9110 §15 and the registered extras), packed into one
# bytes literal "\n<code><phrase>" so that a board keeps one object (in flash when frozen)
# instead of a dict of a few dozen str.  reason(status) -> bytes, b"" when unknown.

_T = (b"\n100Continue\n101Switching Protocols\n102Processing\n103Early Hints"
      b"\n200OK\n201Created\n202Accepted\n203Non-Authoritative Information\n204No Content"
      b"\n205Reset Content\n206Partial Content\n207Multi-Status\n208Already Reported"
      b"\n226IM Used"
      b"\n300Multiple Choices\n301Moved Permanently\n302Found\n303See Other"
      b"\n304Not Modified\n305Use Proxy\n307Temporary Redirect\n308Permanent Redirect"
      b"\n400Bad Request\n401Unauthorized\n402Payment Required\n403Forbidden"
      b"\n404Not Found\n405Method Not Allowed\n406Not Acceptable"
      b"\n407Proxy Authentication Required\n408Request Timeout\n409Conflict\n410Gone"
      b"\n411Length Required\n412Precondition Failed\n413Content Too Large"
      b"\n414URI Too Long\n415Unsupported Media Type\n416Range Not Satisfiable"
      b"\n417Expectation Failed\n418I'm a teapot\n421Misdirected Request"
      b"\n422Unprocessable Content\n423Locked\n424Failed Dependency\n425Too Early"
      b"\n426Upgrade Required\n428Precondition Required\n429Too Many Requests"
      b"\n431Request Header Fields Too Large\n451Unavailable For Legal Reasons"
      b"\n500Internal Server Error\n501Not Implemented\n502Bad Gateway"
      b"\n503Service Unavailable\n504Gateway Timeout\n505HTTP Version Not Supported"
      b"\n506Variant Also Negotiates\n507Insufficient Storage\n508Loop Detected"
      b"\n510Not Extended\n511Network Authentication Required\n")


def reason(status):
    # The reason phrase of an int status code, as bytes (b"" if unregistered).
    if not 100 <= status <= 999:
        return b""
    i = _T.find(b"\n%d" % status)
    if i < 0:
        return b""
    return _T[i + 4:_T.find(b"\n", i + 4)]
