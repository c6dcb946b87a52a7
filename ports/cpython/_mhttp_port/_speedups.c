/* _mhttp_port._speedups: optional C fast path for WebSocket masking (RFC 6455 §5.3).
 *
 * Built by setup.py as an optional extension: when no compiler is at hand the install
 * still succeeds and mhttp.ws keeps its pure-Python masking (MHTTP_PURE=1 forces that
 * path even when this module is built; mhttp.ws.MASK_IMPL tells which one runs).
 *
 *   mask(data, key, head=b"") -> bytes
 *       head + (data XOR key repeated); data: any contiguous buffer, key: 4 bytes-like.
 *       head lets a client build a whole frame (header + key + masked payload) in one
 *       allocation and one pass over the payload.
 *   mask_into(buf, key, offset=0) -> None
 *       buf[offset:] ^= key repeated, in place; buf: a writable contiguous buffer
 *       (bytearray, memoryview of one); key[0] applies to buf[offset].
 *
 * Octet i of the result is data[i] ^ key[i % 4].  The loop XORs 8 bytes at a time with
 * the key repeated to 64 bits; loads and stores go through memcpy, which compilers turn
 * into plain (unaligned-safe) word moves, so any start address and length is fine, and
 * the 0..7 trailing bytes are done one at a time.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static void
xor_mask(unsigned char *dst, const unsigned char *src, Py_ssize_t n, const unsigned char *key)
{
    unsigned char k8[8];
    uint64_t k;
    Py_ssize_t i = 0;

    for (int j = 0; j < 8; j++)
        k8[j] = key[j & 3];
    memcpy(&k, k8, 8);
    for (; i + 32 <= n; i += 32) {
        uint64_t a, b, c, d;
        memcpy(&a, src + i, 8);
        memcpy(&b, src + i + 8, 8);
        memcpy(&c, src + i + 16, 8);
        memcpy(&d, src + i + 24, 8);
        a ^= k; b ^= k; c ^= k; d ^= k;
        memcpy(dst + i, &a, 8);
        memcpy(dst + i + 8, &b, 8);
        memcpy(dst + i + 16, &c, 8);
        memcpy(dst + i + 24, &d, 8);
    }
    for (; i + 8 <= n; i += 8) {
        uint64_t a;
        memcpy(&a, src + i, 8);
        a ^= k;
        memcpy(dst + i, &a, 8);
    }
    for (; i < n; i++)
        dst[i] = src[i] ^ k8[i & 7];
}

static int
get_key(PyObject *obj, unsigned char key[4])
{
    Py_buffer kb;
    if (PyObject_GetBuffer(obj, &kb, PyBUF_SIMPLE) < 0)
        return -1;
    if (kb.len != 4) {
        PyErr_Format(PyExc_ValueError, "mask key must be 4 bytes, got %zd", kb.len);
        PyBuffer_Release(&kb);
        return -1;
    }
    memcpy(key, kb.buf, 4);
    PyBuffer_Release(&kb);
    return 0;
}

static PyObject *
speedups_mask(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"data", "key", "head", NULL};
    PyObject *data_obj, *key_obj, *head_obj = NULL;
    Py_buffer db, hb;
    unsigned char key[4];
    PyObject *out;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|O:mask", kwlist,
                                     &data_obj, &key_obj, &head_obj))
        return NULL;
    if (get_key(key_obj, key) < 0)
        return NULL;
    if (PyObject_GetBuffer(data_obj, &db, PyBUF_C_CONTIGUOUS) < 0)
        return NULL;
    hb.buf = NULL;
    hb.len = 0;
    if (head_obj != NULL && PyObject_GetBuffer(head_obj, &hb, PyBUF_C_CONTIGUOUS) < 0) {
        PyBuffer_Release(&db);
        return NULL;
    }
    if (db.len > PY_SSIZE_T_MAX - hb.len) {
        PyErr_NoMemory();
        out = NULL;
        goto done;
    }
    out = PyBytes_FromStringAndSize(NULL, hb.len + db.len);
    if (out != NULL) {
        unsigned char *p = (unsigned char *)PyBytes_AS_STRING(out);
        if (hb.len)
            memcpy(p, hb.buf, hb.len);
        xor_mask(p + hb.len, (const unsigned char *)db.buf, db.len, key);
    }
done:
    if (head_obj != NULL)
        PyBuffer_Release(&hb);
    PyBuffer_Release(&db);
    return out;
}

static PyObject *
speedups_mask_into(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"buf", "key", "offset", NULL};
    PyObject *buf_obj, *key_obj;
    Py_ssize_t offset = 0;
    Py_buffer bb;
    unsigned char key[4];

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|n:mask_into", kwlist,
                                     &buf_obj, &key_obj, &offset))
        return NULL;
    if (get_key(key_obj, key) < 0)
        return NULL;
    if (PyObject_GetBuffer(buf_obj, &bb, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0)
        return NULL;
    if (offset < 0 || offset > bb.len) {
        PyErr_Format(PyExc_ValueError, "offset %zd outside the buffer (length %zd)",
                     offset, bb.len);
        PyBuffer_Release(&bb);
        return NULL;
    }
    {
        unsigned char *p = (unsigned char *)bb.buf + offset;
        xor_mask(p, p, bb.len - offset, key);
    }
    PyBuffer_Release(&bb);
    Py_RETURN_NONE;
}

static PyMethodDef speedups_methods[] = {
    {"mask", (PyCFunction)(void (*)(void))speedups_mask, METH_VARARGS | METH_KEYWORDS,
     "mask(data, key, head=b'') -> head + data XOR key (RFC 6455 masking)"},
    {"mask_into", (PyCFunction)(void (*)(void))speedups_mask_into, METH_VARARGS | METH_KEYWORDS,
     "mask_into(buf, key, offset=0): buf[offset:] XOR key, in place"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT, "_mhttp_port._speedups",
    "Optional C fast paths for mhttp (WebSocket masking).", -1, speedups_methods
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&speedups_module);
}
