/* record.c: one JSON-lines record. Records are parsed with cJSON to read
 * the fields a stage needs, but written back from the raw bytes of the
 * input line, so every field the stage does not own passes through
 * unchanged, numbers and key order included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

#define MAX_DEPTH 512

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static long u_escape(const char *p, const char *end)
{
    if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
        return -1;
    long v = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Scans a string starting at the opening quote; returns the byte after the
 * closing quote, or NULL with err set. */
static const char *scan_string(const char *p, const char *end, char *err)
{
    for (p++; p < end; p++) {
        if (*p == '"')
            return p + 1;
        if (*p != '\\')
            continue;
        if (p + 1 < end && p[1] == 'u') {
            long v = u_escape(p, end);
            if (v == 0) {
                snprintf(err, STANCE_ERRBUF, "string holds a \\u0000 escape (NUL)");
                return NULL;
            }
            if (v >= 0xD800 && v <= 0xDBFF) {
                long lo = u_escape(p + 6, end);
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    snprintf(err, STANCE_ERRBUF, "lone surrogate escape \\u%04lx", v);
                    return NULL;
                }
                p += 6;
            } else if (v >= 0xDC00 && v <= 0xDFFF) {
                snprintf(err, STANCE_ERRBUF, "lone surrogate escape \\u%04lx", v);
                return NULL;
            }
        }
        p++;
    }
    snprintf(err, STANCE_ERRBUF, "invalid JSON: unterminated string");
    return NULL;
}

/* Finds the top-level members of an object line and checks what cJSON
 * does not: nesting depth, NUL and lone-surrogate escapes, UTF-8. */
static int scan_members(stance_record *r, char *err)
{
    const char *p = r->raw, *end = r->raw + r->raw_len;
    int depth = 0;
    const char *key = NULL, *key_end = NULL, *value = NULL;
    r->nmembers = 0;
    if (stance_utf8_invalid_count(r->raw, r->raw_len)) {
        snprintf(err, STANCE_ERRBUF, "invalid UTF-8");
        return STANCE_EDATA;
    }
    for (; p < end; p++) {
        char c = *p;
        if (c == '"') {
            const char *s = p;
            p = scan_string(p, end, err);
            if (!p)
                return STANCE_EDATA;
            if (depth == 1 && !value) {
                key = s;
                key_end = p;
            }
            p--;
        } else if (c == ':' && depth == 1 && !value) {
            value = p + 1;
        } else if (c == '{' || c == '[') {
            if (++depth > MAX_DEPTH) {
                snprintf(err, STANCE_ERRBUF, "nested deeper than %d levels",
                         MAX_DEPTH);
                return STANCE_EDATA;
            }
        } else if ((c == ',' && depth == 1) || ((c == '}' || c == ']') && depth == 1)) {
            if (key && value) {
                if (r->nmembers == RECORD_MAX_MEMBERS) {
                    snprintf(err, STANCE_ERRBUF, "more than %d fields",
                             RECORD_MAX_MEMBERS);
                    return STANCE_EDATA;
                }
                r->members[r->nmembers++] = (record_member){
                    (size_t)(key - r->raw), (size_t)(key_end - r->raw),
                    (size_t)(p - r->raw)};
            }
            key = key_end = value = NULL;
            if (c != ',')
                depth--;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return 0;
}

/* Decodes the JSON string at p (opening quote) into r->unescaped; returns
 * the byte after the closing quote or NULL. Only called on strings that
 * scan_string accepted, so escapes are well formed and never \u0000. */
static const char *unescape(stance_record *r, const char *p, const char *end)
{
    for (p++; p < end && *p != '"'; p++) {
        char c = *p;
        if (c != '\\') {
            if (stance_buf_addc(&r->unescaped, c))
                return NULL;
            continue;
        }
        c = *++p;
        const char *simple = strchr("\"\\/bfnrt", c);
        if (simple && c) {
            static const char out[] = "\"\\/\b\f\n\r\t";
            if (stance_buf_addc(&r->unescaped, out[simple - "\"\\/bfnrt"]))
                return NULL;
            continue;
        }
        long v = u_escape(p - 1, end);
        p += 4;
        if (v >= 0xD800 && v <= 0xDBFF) {
            long lo = u_escape(p + 1, end);
            v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
        }
        char enc[4];
        if (stance_buf_add(&r->unescaped, enc, stance_utf8_encode((int32_t)v, enc)))
            return NULL;
    }
    return p < end ? p + 1 : NULL;
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Reads an "ngrams" value of the form {"w:...": N, ...} into r->ngrams;
 * returns 0 when the value has any other shape (cJSON then takes it). */
static int read_ngrams(stance_record *r, const char *p, const char *end)
{
    char err[STANCE_ERRBUF];
    r->nngrams = 0;
    stance_buf_reset(&r->unescaped);
    p = skip_ws(p, end);
    if (p == end || *p != '{')
        return 0;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}')
        return skip_ws(p + 1, end) == end;
    for (;;) {
        if (p == end || *p != '"')
            return 0;
        const char *q = scan_string(p, end, err);
        if (!q)
            return 0;
        const char *key = p + 1;
        size_t len = (size_t)(q - p) - 2;
        int escaped = memchr(key, '\\', len) != NULL;
        if (escaped) {
            size_t at = r->unescaped.len;
            if (!unescape(r, p, end))
                return 0;
            /* an offset for now: the buffer may still move */
            key = (const char *)(uintptr_t)at;
            len = r->unescaped.len - at;
        }
        p = skip_ws(q, end);
        if (p == end || *p != ':')
            return 0;
        p = skip_ws(p + 1, end);
        uint64_t count = 0;
        const char *d = p;
        while (p < end && *p >= '0' && *p <= '9' && count <= UINT32_MAX)
            count = count * 10 + (uint64_t)(*p++ - '0');
        if (p == d || *d == '0' || count > UINT32_MAX ||
            (p < end && (*p == '.' || *p == 'e' || *p == 'E')))
            return 0;
        if (STANCE_ARRAY_GROW(r->ngrams, r->ngrams_cap, r->nngrams + 1))
            return 0;
        /* hash is 1 for now when key is an offset into r->unescaped */
        r->ngrams[r->nngrams++] = (stance_ngram_ref){key, len, escaped, (uint32_t)count, 0};
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}')
            break;
        return 0;
    }
    /* resolve offsets, check prefixes and hash, now that keys are still */
    for (size_t i = 0; i < r->nngrams; i++) {
        stance_ngram_ref *g = &r->ngrams[i];
        if (g->hash)
            g->key = r->unescaped.data + (uintptr_t)g->key;
        if (g->len < 3 || g->key[1] != ':' ||
            (g->key[0] != STANCE_NGRAM_WORD && g->key[0] != STANCE_NGRAM_CHAR))
            return 0;
        g->kind = g->key[0];
        g->key += 2;
        g->len -= 2;
        g->hash = stance_hash(g->kind, g->key, g->len);
    }
    return skip_ws(p + 1, end) == end;
}

int stance_record_parse(stance_record *r, char *line, size_t len, char *err)
{
    cJSON_Delete(r->root);
    r->root = NULL;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
                   line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    size_t lead = 0;
    while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
        lead++;
    r->raw = line + lead;
    r->raw_len = len - lead;
    line[len] = '\0';
    if (r->raw_len == 0 || r->raw[0] != '{') {
        snprintf(err, STANCE_ERRBUF, r->raw_len && strchr("[\"0123456789-tfn", r->raw[0])
                                         ? "JSON value is not an object"
                                         : "invalid JSON: expected an object");
        return STANCE_EDATA;
    }
    int rc = scan_members(r, err);
    if (rc)
        return rc;
    const char *parse_end = NULL;
    const char *text = r->raw;
    size_t text_len = r->raw_len;
    r->ngrams_fast = 0;
    for (size_t i = 0; i < r->nmembers; i++) {
        const record_member *m = &r->members[i];
        if (m->key_end - m->key != 8 || memcmp(r->raw + m->key, "\"ngrams\"", 8))
            continue;
        const char *v = skip_ws(r->raw + m->key_end, r->raw + m->value_end);
        if (v < r->raw + m->value_end && *v == ':' &&
            read_ngrams(r, v + 1, r->raw + m->value_end)) {
            stance_buf_reset(&r->light);
            if (stance_buf_add(&r->light, r->raw, (size_t)(v + 1 - r->raw)) ||
                stance_buf_adds(&r->light, "{}") ||
                stance_buf_add(&r->light, r->raw + m->value_end,
                               r->raw_len - m->value_end))
                return STANCE_ENOMEM;
            r->ngrams_fast = 1;
            text = r->light.data;
            text_len = r->light.len;
        }
        break;
    }
    r->root = cJSON_ParseWithLengthOpts(text, text_len, &parse_end, 0);
    if (!r->root && r->ngrams_fast) {
        /* report the error where it is in the line as given */
        r->ngrams_fast = 0;
        text = r->raw;
        text_len = r->raw_len;
        r->root = cJSON_ParseWithLengthOpts(text, text_len, &parse_end, 0);
    }
    if (!r->root) {
        const char *at = cJSON_GetErrorPtr();
        if (at >= r->raw && at <= r->raw + r->raw_len)
            snprintf(err, STANCE_ERRBUF, "invalid JSON at byte %zu",
                     (size_t)(at - r->raw) + lead + 1);
        else
            snprintf(err, STANCE_ERRBUF, "invalid JSON");
        return STANCE_EDATA;
    }
    if ((size_t)(parse_end - text) != text_len) {
        parse_end = r->raw + r->raw_len - (text_len - (size_t)(parse_end - text));
        /* old Mac line ends put every record on one "line" */
        const char *cr = memchr(parse_end, '\r', r->raw_len - (size_t)(parse_end - r->raw));
        snprintf(err, STANCE_ERRBUF,
                 cr ? "invalid JSON: a lone carriage return at byte %zu; JSON lines "
                      "end with LF or CRLF"
                    : "invalid JSON: extra text at byte %zu",
                 (size_t)((cr ? cr : parse_end) - r->raw) + lead + 1);
        return STANCE_EDATA;
    }
    if (!cJSON_IsObject(r->root)) {
        snprintf(err, STANCE_ERRBUF, "JSON value is not an object");
        return STANCE_EDATA;
    }
    for (size_t i = 0; i < r->nmembers; i++)
        for (size_t j = 0; j < i; j++) {
            const record_member *a = &r->members[i], *b = &r->members[j];
            if (a->key_end - a->key == b->key_end - b->key &&
                !memcmp(r->raw + a->key, r->raw + b->key, a->key_end - a->key)) {
                snprintf(err, STANCE_ERRBUF, "duplicate key %.*s",
                         (int)(a->key_end - a->key > 64 ? 64 : a->key_end - a->key),
                         r->raw + a->key);
                return STANCE_EDATA;
            }
        }
    return 0;
}

const char *stance_record_string(const stance_record *r, const char *field,
                                 int *present)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(r->root, field);
    if (present)
        *present = v != NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int member_named(const stance_record *r, const record_member *m,
                        const char *const *drop)
{
    size_t n = m->key_end - m->key - 2;
    for (; *drop; drop++)
        if (strlen(*drop) == n && !memcmp(r->raw + m->key + 1, *drop, n))
            return 1;
    return 0;
}

int stance_record_open(const stance_record *r, const char *const *drop,
                       stance_buf *out, int *has_members)
{
    int any = 0, dropping = 0;
    for (size_t i = 0; drop && i < r->nmembers; i++)
        dropping |= member_named(r, &r->members[i], drop);
    if (!dropping) {
        /* nothing to drop: the object's bytes up to its closing brace */
        size_t n = r->nmembers ? r->members[r->nmembers - 1].value_end : 1;
        while (n > 1 && strchr(" \t", r->raw[n - 1]))
            n--;
        *has_members = r->nmembers > 0;
        return stance_buf_add(out, r->raw, n);
    }
    if (stance_buf_addc(out, '{'))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < r->nmembers; i++) {
        const record_member *m = &r->members[i];
        if (drop && member_named(r, m, drop))
            continue;
        const char *s = r->raw + m->key;
        size_t n = m->value_end - m->key;
        /* keep the member's own spacing, but not trailing blanks */
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if ((any && stance_buf_addc(out, ',')) || stance_buf_add(out, s, n))
            return STANCE_ENOMEM;
        any = 1;
    }
    *has_members = any;
    return 0;
}

void stance_record_release(stance_record *r)
{
    cJSON_Delete(r->root);
    r->root = NULL;
    free(r->ngrams);
    r->ngrams = NULL;
    r->nngrams = r->ngrams_cap = 0;
    stance_buf_release(&r->light);
    stance_buf_release(&r->unescaped);
}
