/* buf.c: the growable byte buffer every stage builds its output in, so a
 * record reaches stdout whole or not at all. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stance.h"

const char *stance_strerror(int err)
{
    switch (err) {
    case STANCE_OK: return "success";
    case STANCE_ENOMEM: return "out of memory";
    case STANCE_EIO: return "input/output error";
    case STANCE_EDATA: return "invalid data";
    case STANCE_EMODEL: return "invalid model";
    case STANCE_EARG: return "invalid argument";
    case STANCE_ESTRICT: return "invalid UTF-8";
    default: return "unknown error";
    }
}

int stance_buf_grow(stance_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need < b->len)
        return STANCE_ENOMEM;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > (size_t)-1 / 2)
            return STANCE_ENOMEM;
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        return STANCE_ENOMEM;
    p[b->len] = '\0'; /* a first allocation must hold "" too */
    b->data = p;
    b->cap = cap;
    return 0;
}

int stance_buf_add(stance_buf *b, const void *p, size_t n)
{
    if (stance_buf_grow(b, n))
        return STANCE_ENOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int stance_buf_addc(stance_buf *b, char c)
{
    if (b->len + 1 >= b->cap && stance_buf_grow(b, 1))
        return STANCE_ENOMEM;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return 0;
}

int stance_buf_adds(stance_buf *b, const char *s)
{
    return stance_buf_add(b, s, strlen(s));
}

int stance_buf_addf(stance_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[128];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return STANCE_EARG;
    if ((size_t)n < sizeof small)
        return stance_buf_add(b, small, (size_t)n);
    if (stance_buf_grow(b, (size_t)n))
        return STANCE_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int stance_buf_add_json_string(stance_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* worst case every byte becomes \u00XX */
    if (stance_buf_grow(b, n * 6 + 2))
        return STANCE_ENOMEM;
    char *o = b->data + b->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
            *o++ = 'u'; *o++ = '0'; *o++ = '0';
            *o++ = hex[c >> 4]; *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return 0;
}

void stance_buf_reset(stance_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void stance_buf_release(stance_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
