# Bad HTTP/1.x input as plain literals, shared by the h1 core tests (tests_host/core/
# test_h1*.py) and the live-server tests, which send each request raw to a server on both
# runtimes and expect the status.  Every entry is a *complete* message (head ended by a
# blank line, body sent in full) so a server can answer at once, with default limits
# (max_line=8190, max_header_bytes=16384, max_headers=100, no max_body).
#
# BAD_REQUESTS: (name, raw_request_bytes, expected_status)
# BAD_REQUESTS_MAX_BODY_1024: the same shape, for a server built with max_body=1024
# BAD_RESPONSES: (name, request_method, raw_response_bytes): a client must raise H1Error
#
# Smuggling entries (CL.TE, TE.CL, TE.TE obfuscations) carry a second request after the
# first: a correct server answers the error and never serves that second request.

H = b"Host: example.com\r\n"
SMUG = b"GET /admin HTTP/1.1\r\nHost: example.com\r\n\r\n"

BAD_REQUESTS = [
    # ---- request-line ----
    ("empty_method", b" / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("leading_space", b" GET / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("method_paren", b"G(T / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("method_nul", b"G\x00T / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("method_del", b"GET\x7f / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("method_obs_text", b"G\xc3\x89T / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("method_slash", b"GE/T / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("double_space", b"GET  / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("tab_separator", b"GET\t/ HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("tab_before_version", b"GET /\tHTTP/1.1\r\n" + H + b"\r\n", 400),
    ("trailing_space", b"GET / HTTP/1.1 \r\n" + H + b"\r\n", 400),
    ("http09_no_version", b"GET /\r\n" + H + b"\r\n", 400),
    ("only_method", b"GET\r\n" + H + b"\r\n", 400),
    ("four_parts", b"GET /a b HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("version_lowercase", b"GET / http/1.1\r\n" + H + b"\r\n", 400),
    ("version_no_dot", b"GET / HTTP/11\r\n" + H + b"\r\n", 400),
    ("version_letter", b"GET / HTTP/1.x\r\n" + H + b"\r\n", 400),
    ("version_extra", b"GET / HTTP/1.1.1\r\n" + H + b"\r\n", 400),
    ("version_two_digit_major", b"GET / HTTP/10.1\r\n" + H + b"\r\n", 400),
    ("version_garbage", b"GET / FOO/1.1\r\n" + H + b"\r\n", 400),
    ("version_2", b"GET / HTTP/2.0\r\n" + H + b"\r\n", 505),
    ("version_3", b"GET / HTTP/3.0\r\n" + H + b"\r\n", 505),
    ("version_09", b"GET / HTTP/0.9\r\n" + H + b"\r\n", 505),
    ("target_nul", b"GET /a\x00b HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("target_del", b"GET /a\x7fb HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("target_obs_text", b"GET /caf\xc3\xa9 HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("target_relative", b"GET index.html HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("target_asterisk_get", b"GET * HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("target_bad_scheme", b"GET h@p://x/ HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("target_no_scheme", b"GET ://x/ HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("connect_origin_form", b"CONNECT / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("connect_no_port", b"CONNECT example.com HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("connect_userinfo", b"CONNECT u@example.com:443 HTTP/1.1\r\n" + H + b"\r\n", 400),
    # an authority-form target is a uri-host ":" port as Host is (the same check):
    ("connect_two_colons", b"CONNECT a:b:443 HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("connect_unclosed_bracket", b"CONNECT [::1:443 HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("connect_stray_bracket", b"CONNECT x]y:443 HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("connect_bracket_inside", b"CONNECT a[b]c:443 HTTP/1.1\r\n" + H + b"\r\n", 400),
    # RFC 9110 §9.3.6: a CONNECT request message does not have content (what follows its
    # head is the tunnel's: a front-end that reads it so would see the server take the
    # first tunnel bytes as a body)
    ("connect_content_length", b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
     b"Content-Length: 5\r\n\r\n\x16\x03\x01\x02\x00", 400),
    ("connect_chunked", b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n5\r\n\x16\x03\x01\x02\x00\r\n0\r\n\r\n", 400),
    ("request_line_too_long", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + H + b"\r\n", 414),
    ("bare_lf_everywhere", b"GET / HTTP/1.1\nHost: example.com\n\n", 400),
    ("bare_lf_request_line", b"GET / HTTP/1.1\nHost: example.com\r\n\r\n", 400),
    ("bare_cr_request_line", b"GET / HTTP/1.1\rHost: example.com\r\n\r\n", 400),
    ("leading_bare_lf", b"\nGET / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("tls_client_hello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 40
     + b"\r\n\r\n", 400),
    ("h2_preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
    # ---- Host (RFC 9112 §3.2) ----
    ("missing_host", b"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400),
    ("two_hosts", b"GET / HTTP/1.1\r\n" + H + H + b"\r\n", 400),
    ("two_hosts_differ", b"GET / HTTP/1.1\r\nHost: a.com\r\nhost: b.com\r\n\r\n", 400),
    ("host_space", b"GET / HTTP/1.1\r\nHost: a b.com\r\n\r\n", 400),
    ("host_slash", b"GET / HTTP/1.1\r\nHost: a.com/x\r\n\r\n", 400),
    ("host_at", b"GET / HTTP/1.1\r\nHost: user@a.com\r\n\r\n", 400),
    ("host_comma_list", b"GET / HTTP/1.1\r\nHost: a.com, b.com\r\n\r\n", 400),
    # Host = uri-host [":" port], port = *DIGIT (RFC 9112 §3.2, RFC 3986 §3.2)
    ("host_port_letters", b"GET / HTTP/1.1\r\nHost: x:abc\r\n\r\n", 400),
    ("host_empty_name_port", b"GET / HTTP/1.1\r\nHost: :80\r\n\r\n", 400),
    ("host_colon_only", b"GET / HTTP/1.1\r\nHost: :\r\n\r\n", 400),
    ("absolute_form_empty_host", b"GET http://:80/ HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("host_port_digits_letter", b"GET / HTTP/1.1\r\nHost: x:8a\r\n\r\n", 400),
    ("host_two_ports", b"GET / HTTP/1.1\r\nHost: a.com:80:81\r\n\r\n", 400),
    ("host_ipv6_unclosed", b"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
    ("host_ipv6_junk_after", b"GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400),
    ("host_ipv6_port_letter", b"GET / HTTP/1.1\r\nHost: [::1]:8a\r\n\r\n", 400),
    ("host_ipv6_not_hex", b"GET / HTTP/1.1\r\nHost: [g::1]\r\n\r\n", 400),
    ("host_ipv6_empty", b"GET / HTTP/1.1\r\nHost: []\r\n\r\n", 400),
    ("host_stray_bracket", b"GET / HTTP/1.1\r\nHost: a]\r\n\r\n", 400),
    ("host_bracket_inside", b"GET / HTTP/1.1\r\nHost: a[::1]\r\n\r\n", 400),
    ("absolute_form_port_letters", b"GET http://a.example:8a/ HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("host_ipv6_port_ok", b"GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", None),
    ("host_ipv4_port_ok", b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n", None),
    ("host_empty_port_ok", b"GET / HTTP/1.1\r\nHost: a.com:\r\n\r\n", None),
    ("host_ipvfuture_ok", b"GET / HTTP/1.1\r\nHost: [v1.a:b]\r\n\r\n", None),
    # ---- field syntax ----
    ("obs_fold_space", b"GET / HTTP/1.1\r\n" + H + b"X-A: 1\r\n 2\r\n\r\n", 400),
    ("obs_fold_tab", b"GET / HTTP/1.1\r\n" + H + b"X-A: 1\r\n\t2\r\n\r\n", 400),
    ("first_line_folded", b"GET / HTTP/1.1\r\n Host: example.com\r\n\r\n", 400),
    ("space_before_colon", b"GET / HTTP/1.1\r\nHost : example.com\r\n\r\n", 400),
    ("tab_before_colon", b"GET / HTTP/1.1\r\n" + H + b"X-A\t: 1\r\n\r\n", 400),
    ("no_colon", b"GET / HTTP/1.1\r\n" + H + b"X-A 1\r\n\r\n", 400),
    ("no_colon_known_name", b"GET / HTTP/1.1\r\n" + H + b"accept\r\n\r\n", 400),
    ("empty_name", b"GET / HTTP/1.1\r\n" + H + b": 1\r\n\r\n", 400),
    ("name_space", b"GET / HTTP/1.1\r\n" + H + b"X A: 1\r\n\r\n", 400),
    ("name_paren", b"GET / HTTP/1.1\r\n" + H + b"X(A): 1\r\n\r\n", 400),
    ("name_at", b"GET / HTTP/1.1\r\n" + H + b"@x: 1\r\n\r\n", 400),
    ("name_obs_text", b"GET / HTTP/1.1\r\n" + H + b"X-\xc3\xa9: 1\r\n\r\n", 400),
    ("name_nul", b"GET / HTTP/1.1\r\n" + H + b"X\x00A: 1\r\n\r\n", 400),
    ("value_nul", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x00b\r\n\r\n", 400),
    ("value_ctl_01", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x01b\r\n\r\n", 400),
    ("value_vt", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x0bb\r\n\r\n", 400),
    ("value_ff", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x0cb\r\n\r\n", 400),
    ("value_esc", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x1bb\r\n\r\n", 400),
    ("value_del", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\x7fb\r\n\r\n", 400),
    ("value_bare_cr", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\rb\r\n\r\n", 400),
    ("value_bare_lf", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\nX-B: b\r\n\r\n", 400),
    ("header_bare_lf_end", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\n\r\n", 400),
    ("head_ends_lf_crlf", b"GET / HTTP/1.1\r\n" + H + b"\n\r\n", 400),
    ("cr_cr_lf", b"GET / HTTP/1.1\r\n" + H + b"X-A: a\r\r\n\r\n", 400),
    # ---- limits ----
    ("field_line_too_long", b"GET / HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 9000 + b"\r\n\r\n",
     431),
    ("too_many_fields", b"GET / HTTP/1.1\r\n" + H
     + b"".join(b"X-%d: v\r\n" % i for i in range(101)) + b"\r\n", 431),
    ("header_section_too_big", b"GET / HTTP/1.1\r\n" + H
     + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 400) for i in range(45)) + b"\r\n", 431),
    ("cookie_too_big", b"GET / HTTP/1.1\r\n" + H
     + b"".join(b"Cookie: c%d=%s\r\n" % (i, b"x" * 4000) for i in range(5)) + b"\r\n", 431),
    # ---- Content-Length (RFC 9112 §6.3, RFC 9110 §8.6) ----
    ("cl_plus", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: +5\r\n\r\nhello", 400),
    ("cl_minus", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\n", 400),
    ("cl_hex", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 0x5\r\n\r\nhello", 400),
    ("cl_space_inside", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5 5\r\n\r\nhello", 400),
    ("cl_differing_list", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5, 6\r\n\r\nhello",
     400),
    ("cl_differing_fields", b"POST / HTTP/1.1\r\n" + H
     + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400),
    ("cl_empty", b"POST / HTTP/1.1\r\n" + H + b"Content-Length:\r\n\r\n", 400),
    ("cl_letters", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: five\r\n\r\n", 400),
    ("cl_float", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5.0\r\n\r\nhello", 400),
    ("cl_exponent", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5e0\r\n\r\nhello", 400),
    ("cl_underscore", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 1_0\r\n\r\nhellohello",
     400),
    ("cl_trailing_junk", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5a\r\n\r\nhello", 400),
    ("cl_nbsp", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: \xc2\xa05\r\n\r\nhello", 400),
    ("cl_huge", b"POST / HTTP/1.1\r\n" + H
     + b"Content-Length: 99999999999999999999999\r\n\r\n", 400),
    ("cl_empty_list_member", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 5,\r\n\r\nhello",
     400),
    # ---- CL.TE / TE.CL ----
    ("cl_te", b"POST / HTTP/1.1\r\n" + H
     + b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUG, 400),
    ("te_cl", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
     400),
    ("cl_te_zero", b"POST / HTTP/1.1\r\n" + H
     + b"Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    # ---- TE.TE obfuscations (RFC 9112 §6.1, §6.3) ----
    ("te_xchunked", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + SMUG, 400),
    ("te_chunked_identity", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400),
    ("te_identity", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: identity\r\n\r\n", 400),
    ("te_gzip_only", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n", 400),
    ("te_gzip_chunked", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
    ("te_two_fields_gzip_chunked", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
    ("te_chunked_twice", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_two_fields_chunked", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_chunked_then_x", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n", 400),
    ("te_space_before_colon", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_tab_before_colon", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_folded", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_empty", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding:\r\n\r\n", 400),
    ("te_quoted", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n", 400),
    ("te_chunk", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunk\r\n\r\n0\r\n\r\n", 400),
    ("te_param", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n", 400),
    ("te_vt_suffix", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\x0b\r\n\r\n0\r\n\r\n", 400),
    ("te_nul_suffix", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\x00\r\n\r\n0\r\n\r\n", 400),
    ("te_underscore_name", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer_Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", None),
    ("te_http10", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("te_http10_with_cl", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
     b"Content-Length: 5\r\n\r\n0\r\n\r\n", 400),
    # ---- chunked body (RFC 9112 §7.1) ----
    ("chunk_size_garbage", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\ng\r\n0\r\n\r\n", 400),
    ("chunk_size_0x", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_size_plus", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_size_minus", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_size_empty", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_size_underscore", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n1_0\r\n" + b"a" * 16 + b"\r\n0\r\n\r\n", 400),
    ("chunk_size_space_inside", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5 5\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_size_trailing_space", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_size_leading_space", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_size_overflow", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_size_overflow_wrap", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_size_bare_lf", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400),
    ("chunk_size_bare_cr", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n", 400),
    ("chunk_data_too_long", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n", 400),
    ("chunk_data_bare_lf", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n", 400),
    ("chunk_data_short", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n8\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_ext_ctl", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;a=\x01\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_ext_nul", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;\x00\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_ext_bare_lf", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;a=b\nhello\r\n0\r\n\r\n", 400),
    # chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ) (RFC 9112 §7.1.1)
    ("chunk_ext_quote_unclosed", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;a=\"x\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_ext_quoted_crlf", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;a=\"x\r\n\"\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_ext_bare_quote", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;\"\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_ext_space_in_value", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;a=b c\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_ext_empty", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;;\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_ext_no_name", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;=1\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_ext_no_value", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;a=\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk_ext_last_chunk", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0;a b\r\n\r\n", 400),
    ("chunk_ext_quoted_ok", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5 ; a = \"x \\\" ; y\" ;b\r\nhello\r\n0;c=d\r\n\r\n",
     None),
    ("chunk_line_too_long", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n5;" + b"a" * 5000 + b"\r\nhello\r\n0\r\n\r\n", 400),
    ("last_chunk_bare_lf", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n0\n\r\n", 400),
    ("last_chunk_no_crlf_then_request", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n0\r\nGET / HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("trailer_obs_fold", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n 2\r\n\r\n", 400),
    ("trailer_bad_name", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX T: 1\r\n\r\n", 400),
    ("trailer_space_before_colon", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX-T : 1\r\n\r\n", 400),
    ("trailer_value_nul", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: a\x00\r\n\r\n", 400),
    ("trailer_bare_lf", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\n\r\n", 400),
]

# "te_underscore_name" is valid HTTP (Transfer_Encoding is just another field name; the
# body is framed by Content-Length) and is listed for the record of what a proxy might
# confuse; it is dropped from the bad corpus below.
GOOD_LOOKALIKES = [e for e in BAD_REQUESTS if e[2] is None]
BAD_REQUESTS = [e for e in BAD_REQUESTS if e[2] is not None]

BAD_REQUESTS_MAX_BODY_1024 = [
    ("cl_over_max_body", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 1025\r\n\r\n"
     + b"a" * 1025, 413),
    ("chunk_over_max_body", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n401\r\n" + b"a" * 1025 + b"\r\n0\r\n\r\n", 413),
    ("chunks_sum_over_max_body", b"POST / HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\n\r\n"
     + b"200\r\n" + b"a" * 512 + b"\r\n" + b"200\r\n" + b"a" * 512 + b"\r\n"
     + b"1\r\na\r\n0\r\n\r\n", 413),
]

BAD_RESPONSES = [
    ("status_bare_lf", b"GET", b"HTTP/1.1 200 OK\nContent-Length: 0\n\n"),
    ("status_two_digits", b"GET", b"HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n"),
    ("status_letters", b"GET", b"HTTP/1.1 2xx OK\r\nContent-Length: 0\r\n\r\n"),
    ("status_leading_zero", b"GET", b"HTTP/1.1 099 X\r\nContent-Length: 0\r\n\r\n"),
    ("status_version_bad", b"GET", b"HTTP/1.x 200 OK\r\nContent-Length: 0\r\n\r\n"),
    ("status_version_2", b"GET", b"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
    ("status_no_code", b"GET", b"HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
    ("status_double_space", b"GET", b"HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n"),
    ("reason_ctl", b"GET", b"HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n"),
    ("not_http", b"GET", b"SSH-2.0-OpenSSH_9.6\r\n\r\n"),
    ("cl_te", b"GET", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("cl_differing", b"GET", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
     b"Content-Length: 6\r\n\r\nhello"),
    ("cl_plus", b"GET", b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello"),
    # (Transfer-Encoding not ending in chunked alone is read until close, RFC 9112 §6.3
    # item 4; with a Content-Length too it stays an error.)
    ("te_xchunked_cl", b"GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n"
     b"Content-Length: 5\r\n\r\nhello"),
    ("te_chunked_twice", b"GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked"
     b"\r\n\r\n0\r\n\r\n"),
    ("te_gzip_chunked", b"GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
     b"0\r\n\r\n"),
    # (an obs-fold in a regular field is joined, RFC 9112 §5.2: test_request_h1_client;
    # one that would continue the status-line or a framing field is refused)
    ("obs_fold_after_status", b"GET", b"HTTP/1.1 200 OK\r\n X-A: 1\r\nContent-Length: 0\r\n\r\n"),
    ("obs_fold_cl", b"GET", b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 0\r\n\r\n0123456789"),
    ("obs_fold_te", b"GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,\r\n chunked\r\n\r\n"
     b"0\r\n\r\n"),
    ("obs_fold_connection", b"GET", b"HTTP/1.1 200 OK\r\nConnection: keep-alive,\r\n\tclose\r\n"
     b"Content-Length: 0\r\n\r\n"),
    ("space_before_colon", b"GET", b"HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n"),
    ("value_nul", b"GET", b"HTTP/1.1 200 OK\r\nX-A: \x00\r\nContent-Length: 0\r\n\r\n"),
    ("bad_chunk", b"GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
    ("chunk_ext_quote_unclosed", b"GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5;a=\"x\r\n\"\r\nhello\r\n0\r\n\r\n"),
    ("chunk_ext_space_in_value", b"GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
     b"\r\n\r\n5;a=b c\r\nhello\r\n0\r\n\r\n"),
    ("chunk_no_crlf", b"GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"2\r\nabcd\r\n0\r\n\r\n"),
    ("too_many_fields", b"GET", b"HTTP/1.1 200 OK\r\n"
     + b"".join(b"X-%d: v\r\n" % i for i in range(101)) + b"\r\n"),
    ("cl_short_then_eof", b"GET", b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"),
]
