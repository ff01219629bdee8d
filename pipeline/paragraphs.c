/* paragraphs.c: finds the paragraphs of an article file and cleans their
 * text, keeping byte offsets into the original so each paragraph can be
 * found again. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

size_t stance_utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    int32_t v;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2; v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3; v = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;      /* overlong */
        if (c == 0xED) hi = 0x9F;      /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4; v = c & 0x07;
        if (c == 0xF0) lo = 0x90;      /* overlong */
        if (c == 0xF4) hi = 0x8F;      /* above U+10FFFF */
    } else {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i < need; i++) {
        if (i >= n) {
            *cp = -1;
            return i;
        }
        unsigned char t = s[i];
        if (i == 1 ? (t < lo || t > hi) : (t < 0x80 || t > 0xBF)) {
            *cp = -1;
            return i;
        }
        v = (v << 6) | (t & 0x3F);
    }
    *cp = v;
    return need;
}

size_t stance_utf8_encode(int32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

int stance_array_grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > ((size_t)-1 / 2) / elem)
            return STANCE_ENOMEM;
        c *= 2;
    }
    void *p = realloc(*ptr, c * elem);
    if (!p)
        return STANCE_ENOMEM;
    *ptr = p;
    *cap = c;
    return 0;
}

size_t stance_utf8_invalid_count(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t bad = 0;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        int32_t cp;
        i += stance_utf8_decode(p + i, len - i, &cp);
        bad += cp < 0;
    }
    return bad;
}

static int is_blank_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

typedef struct {
    size_t start, end; /* trimmed content; start == end for a blank line */
    size_t number;
    size_t width;      /* in code points */
} line_span;

int stance_split_paragraphs(const char *text, size_t len, stance_layout layout,
                            stance_span **spans, size_t *n)
{
    const unsigned char *p = (const unsigned char *)text;
    line_span *lines = NULL;
    size_t nlines = 0, lines_cap = 0;
    stance_span *out = NULL;
    size_t nout = 0, out_cap = 0;
    int rc = STANCE_ENOMEM;
    size_t i = 0, number = 0, widest = 0;

    *spans = NULL;
    *n = 0;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        i = 3;
    while (i < len) {
        size_t s = i, width = 0;
        while (i < len && p[i] != '\n' && p[i] != '\r') {
            width += (p[i] & 0xC0) != 0x80;
            i++;
        }
        size_t e = i;
        if (i < len && p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
            i += 2;
        else if (i < len)
            i++;
        number++;
        while (s < e && is_blank_byte(p[s]))
            s++;
        while (e > s && is_blank_byte(p[e - 1]))
            e--;
        if (width > widest)
            widest = width;
        if (STANCE_ARRAY_GROW(lines, lines_cap, nlines + 1))
            goto out;
        lines[nlines++] = (line_span){s, e, number, width};
    }

    if (layout == STANCE_LAYOUT_AUTO) {
        /* hard-wrapped text: blank lines between blocks, and inside blocks
         * every line but the last filled close to the wrap width; a short
         * heading line followed by a paragraph is not a wrap */
        int has_blank = 0;
        size_t inner = 0, full = 0, run = 0;
        for (size_t k = 0; k < nlines; k++) {
            if (lines[k].start == lines[k].end) {
                has_blank = has_blank || run > 0;
                run = 0;
                continue;
            }
            run++;
            if (k + 1 < nlines && lines[k + 1].start != lines[k + 1].end) {
                inner++;
                full += lines[k].width * 10 >= widest * 6;
            }
        }
        layout = has_blank && inner && full * 10 >= inner * 8 &&
                         widest <= STANCE_WRAP_WIDTH
                     ? STANCE_LAYOUT_BLOCKS
                     : STANCE_LAYOUT_LINES;
    }

    for (size_t k = 0; k < nlines; k++) {
        if (lines[k].start == lines[k].end)
            continue;
        stance_span sp = {lines[k].start, lines[k].end, lines[k].number};
        if (layout == STANCE_LAYOUT_BLOCKS)
            while (k + 1 < nlines && lines[k + 1].start != lines[k + 1].end)
                sp.end = lines[++k].end;
        if (STANCE_ARRAY_GROW(out, out_cap, nout + 1))
            goto out;
        out[nout++] = sp;
    }
    *spans = out;
    *n = nout;
    out = NULL;
    rc = 0;
out:
    free(out);
    free(lines);
    return rc;
}

int stance_clean_text(const char *src, size_t len, stance_buf *out,
                      size_t *n_invalid)
{
    const unsigned char *p = (const unsigned char *)src;
    size_t bad = 0;
    int pending_space = 0;
    size_t base = out->len;

    /* cleaned text is never longer than 3 bytes per input byte (U+FFFD) */
    if (stance_buf_grow(out, len * 3))
        return STANCE_ENOMEM;
    char *o = out->data + out->len;
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        int32_t cp;
        size_t k;
        if (c < 0x80) {
            cp = c;
            k = 1;
        } else {
            k = stance_utf8_decode(p + i, len - i, &cp);
        }
        i += k;
        int space = (cp >= 0 && cp < 0x20) || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
                    cp == ' ' || cp == 0xA0;
        if (space) {
            pending_space = 1;
            continue;
        }
        if (pending_space && (size_t)(o - out->data) > base)
            *o++ = ' ';
        pending_space = 0;
        if (cp < 0) {
            bad++;
            o += stance_utf8_encode(0xFFFD, o);
        } else if (k == 1) {
            *o++ = (char)c;
        } else {
            memcpy(o, p + i - k, k);
            o += k;
        }
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    if (n_invalid)
        *n_invalid = bad;
    return 0;
}
