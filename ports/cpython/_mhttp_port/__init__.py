# CPython platform glue for mhttp (see ports/README.md).
