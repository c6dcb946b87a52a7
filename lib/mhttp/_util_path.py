# mhttp._util_path: mhttp.util.resolve_relative_path (RFC 3986 §5.2), in a module of its
# own so that only a program that resolves relative references (a redirect with a
# relative Location) loads it.  Public through mhttp.util; see its opening comment.
from mhttp._io import _in, _out


def _remove_dot_segments(path):
    # RFC 3986 §5.2.4, on bytes.
    out = []  # output segments, each starting with "/" (or the first may not)
    inp = path
    while inp:
        if inp.startswith(b"../"):
            inp = inp[3:]
        elif inp.startswith(b"./"):
            inp = inp[2:]
        elif inp.startswith(b"/./"):
            inp = inp[2:]
        elif inp == b"/.":
            inp = b"/"
        elif inp.startswith(b"/../"):
            inp = inp[3:]
            if out:
                out.pop()
        elif inp == b"/..":
            inp = b"/"
            if out:
                out.pop()
        elif inp == b"." or inp == b"..":
            inp = b""
        else:
            j = inp.find(b"/", 1)
            if j < 0:
                j = len(inp)
            out.append(inp[:j])
            inp = inp[j:]
    return b"".join(out)


def _split_pqf(b):
    # path?query#fragment -> (path, query or None, fragment or None); query and fragment
    # keep their "?" / "#".
    frag = None
    h = b.find(b"#")
    if h >= 0:
        frag = b[h:]
        b = b[:h]
    q = b.find(b"?")
    query = None
    if q >= 0:
        query = b[q:]
        b = b[:q]
    return b, query, frag


def resolve_relative_path(orig_path, relative_path):
    # Resolves relative_path against orig_path the way RFC 3986 §5.2.2 resolves a
    # reference that has no scheme or authority: an absolute relative_path replaces the
    # path, a relative one is merged with orig_path's directory (§5.2.3), and dot
    # segments are removed (§5.2.4).  Either may carry a "?query" (and relative_path a
    # "#fragment"): an empty relative_path keeps orig_path with its query, "?q" keeps its
    # path.  Returns the kind of relative_path.
    rel, was_str = _in(relative_path)
    base, _ = _in(orig_path)
    bpath, bquery, _bfrag = _split_pqf(base)
    rpath, rquery, rfrag = _split_pqf(rel)
    if not rpath:
        path = bpath
        query = rquery if rquery is not None else bquery
    else:
        query = rquery
        if rpath.startswith(b"/"):
            path = _remove_dot_segments(rpath)
        else:
            k = bpath.rfind(b"/")
            merged = bpath[:k + 1] + rpath if k >= 0 else rpath
            path = _remove_dot_segments(merged)
            if path[:1] == b"/" and merged[:1] != b"/":
                # a rootless base (out of RFC 3986's scope, whose bases are absolute
                # URIs) stays rootless, as lua-http's: "a/b" + "../../g" -> "g", where
                # §5.2.4's steps give "/g"
                path = path[1:]
    r = path
    if query is not None:
        r += query
    if rfrag is not None:
        r += rfrag
    return _out(r, was_str)
