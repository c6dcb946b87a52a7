# mhttp._h1c_text: the text of every exception mhttp.h1_connection raises, one entry per
# code, imported by mhttp.h1_connection._err on the first such error (a peer closing
# mid-message, a misuse of the API).
#
# RAM on boards: each str literal in a module costs a heap object even executed in place
# from ROMFS (~38 B; its size more as a .mpy file); here they cost nothing until an error
# needs one.  A raise site reads `raise _err(Class, N, data)  # text of entry N`, the
# comment equal to entry N below (tests_host/core/test_h1_connection.py checks).  Codes
# count from 0: add new texts at the end, never renumber.
text = (
    "peer closed the connection mid-message",  # 0
    "new_stream: only a client connection opens streams",  # 1
    "new_stream: the previous request/response is not finished (read the response body "
    "to the end first)",  # 2
    "connection is not reusable (keep-alive ended)",  # 3
    "peer closed the connection before a response",  # 4
    "request body not complete within %ss",  # 5
    "write_headers: a response needs a :status field",  # 6
    "peer closed the connection mid-request",  # 7
    "request head not received within %ss",  # 8
    "the previous exchange is not finished",  # 9
    "expected a request head, got event %r",  # 10
)
