/* ngrams.c: word and character n-grams of a token list, and their exact
 * counts for one paragraph. One enumerator serves the readable `ngrams`
 * stage and the fused `label` path, so both see the same n-grams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void stance_ngram_config_default(stance_ngram_config *cfg)
{
    cfg->word_min = 1;
    cfg->word_max = 3;
    cfg->char_min = 2;
    cfg->char_max = 5;
}

static const char *parse_range(const char *s, int *lo, int *hi)
{
    char *end;
    long a = strtol(s, &end, 10), b = a;
    if (end == s)
        return NULL;
    if (*end == '-') {
        const char *t = end + 1;
        b = strtol(t, &end, 10);
        if (end == t)
            return NULL;
    }
    if (a < 1 || b < a || b > 16)
        return NULL;
    *lo = (int)a;
    *hi = (int)b;
    return end;
}

int stance_ngram_config_parse(const char *s, stance_ngram_config *cfg)
{
    stance_ngram_config c = {0, 0, 0, 0};
    int seen_w = 0, seen_c = 0;
    while (*s) {
        if (*s == ' ' || *s == ',') {
            s++;
            continue;
        }
        if (*s == 'w' && !seen_w) {
            seen_w = 1;
            s = parse_range(s + 1, &c.word_min, &c.word_max);
        } else if (*s == 'c' && !seen_c) {
            seen_c = 1;
            s = parse_range(s + 1, &c.char_min, &c.char_max);
        } else {
            return STANCE_EARG;
        }
        if (!s)
            return STANCE_EARG;
    }
    if (!seen_w && !seen_c)
        return STANCE_EARG;
    *cfg = c;
    return 0;
}

void stance_ngram_config_format(const stance_ngram_config *cfg, char *buf)
{
    int n = 0;
    buf[0] = '\0';
    if (cfg->word_max)
        n = snprintf(buf, STANCE_NGRAM_CONFIG_MAX, "w%d-%d", cfg->word_min,
                     cfg->word_max);
    if (cfg->char_max)
        snprintf(buf + n, STANCE_NGRAM_CONFIG_MAX - (size_t)n, "%sc%d-%d",
                 n ? " " : "", cfg->char_min, cfg->char_max);
}

int stance_ngram_config_equal(const stance_ngram_config *a,
                              const stance_ngram_config *b)
{
    return a->word_min == b->word_min && a->word_max == b->word_max &&
           a->char_min == b->char_min && a->char_max == b->char_max;
}

int stance_ngram_key_append(stance_buf *out, int kind, const char *key,
                            size_t len)
{
    char prefix[2] = {(char)kind, ':'};
    if (stance_buf_add(out, prefix, 2))
        return STANCE_ENOMEM;
    return stance_buf_add(out, key, len);
}

int stance_ngrams_each(const stance_tokens *toks,
                       const stance_ngram_config *cfg, stance_buf *scratch,
                       stance_ngram_fn fn, void *ctx)
{
    int rc = 0;
    const char *t = toks->text.data;
    for (int n = cfg->word_min; n && n <= cfg->word_max; n++) {
        for (size_t i = 0; i + (size_t)n <= toks->n; i++) {
            size_t last = i + (size_t)n - 1;
            rc = fn(ctx, STANCE_NGRAM_WORD, t + toks->start[i],
                    toks->start[last] + toks->len[last] - toks->start[i]);
            if (rc)
                return rc;
        }
    }
    for (size_t i = 0; cfg->char_max && i < toks->n; i++) {
        rc = stance_char_ngrams_each(t + toks->start[i], toks->len[i], cfg, scratch,
                                     fn, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

int stance_char_ngrams_each(const char *tok, size_t len,
                            const stance_ngram_config *cfg, stance_buf *scratch,
                            stance_ngram_fn fn, void *ctx)
{
    /* code point boundaries of "<token>"; long tokens (URLs) go to the heap */
    size_t local[256], *bounds = local, ncp = 0;
    int rc = 0;
    stance_buf_reset(scratch);
    if (stance_buf_grow(scratch, len + 2))
        return STANCE_ENOMEM;
    scratch->data[0] = '<';
    memcpy(scratch->data + 1, tok, len);
    scratch->data[len + 1] = '>';
    scratch->len = len + 2;
    scratch->data[scratch->len] = '\0';
    if (len + 3 > sizeof local / sizeof *local &&
        !(bounds = malloc((len + 3) * sizeof *bounds)))
        return STANCE_ENOMEM;
    const unsigned char *s = (const unsigned char *)scratch->data;
    for (size_t b = 0; b <= scratch->len; b++)
        if (b == scratch->len || (s[b] & 0xC0) != 0x80)
            bounds[ncp++] = b;
    ncp--; /* the last boundary is the end */
    for (size_t a = 0; a < ncp && !rc; a++)
        for (int n = cfg->char_min; n <= cfg->char_max && a + (size_t)n <= ncp; n++) {
            rc = fn(ctx, STANCE_NGRAM_CHAR, scratch->data + bounds[a],
                    bounds[a + (size_t)n] - bounds[a]);
            if (rc)
                break;
        }
    if (bounds != local)
        free(bounds);
    return rc;
}

static int count_one(void *ctx, int kind, const char *key, size_t len)
{
    stance_ngram_counts *c = ctx;
    uint32_t id;
    int added;
    if (stance_keymap_intern(&c->keys, kind, key, len,
                             stance_hash(kind, key, len), &id, &added))
        return STANCE_ENOMEM;
    if (added) {
        if (STANCE_ARRAY_GROW(c->count, c->count_cap, (size_t)id + 1))
            return STANCE_ENOMEM;
        c->count[id] = 0;
    }
    c->count[id]++;
    return 0;
}

int stance_ngram_count(const stance_tokens *toks, const stance_ngram_config *cfg,
                       stance_ngram_counts *out)
{
    stance_keymap_clear(&out->keys);
    return stance_ngrams_each(toks, cfg, &out->scratch, count_one, out);
}

typedef struct {
    uint64_t prefix;  /* the key's first 8 bytes, big-endian: most orders */
    const char *key;  /* kind byte + bytes: byte order equals readable order */
    uint32_t len, id;
} sort_key;

static int sort_key_cmp(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    if (x->prefix != y->prefix)
        return x->prefix < y->prefix ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = n > 8 ? memcmp(x->key + 8, y->key + 8, n - 8) : 0;
    if (c)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

/* Orders keys by their 8-byte prefixes with an LSD radix sort (the
 * comparison sort was most of this stage's time), then settles runs of
 * equal prefixes by comparing the rest. */
static int radix_sort_keys(sort_key *keys, size_t n)
{
    sort_key *tmp = malloc((n ? n : 1) * sizeof *tmp), *src = keys, *dst = tmp;
    if (!tmp)
        return STANCE_ENOMEM;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((src[i].prefix >> shift) & 0xFF) + 1]++;
        if (count[((src[0].prefix >> shift) & 0xFF) + 1] == n)
            continue; /* every key has the same byte here */
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].prefix >> shift) & 0xFF]++] = src[i];
        sort_key *t = src;
        src = dst;
        dst = t;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
    free(tmp);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && keys[j].prefix == keys[i].prefix)
            j++;
        if (j - i > 1)
            qsort(keys + i, j - i, sizeof *keys, sort_key_cmp);
        i = j;
    }
    return 0;
}

static char *put_uint(char *o, uint32_t v)
{
    char tmp[10];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n)
        *o++ = tmp[--n];
    return o;
}

int stance_ngram_counts_json(const stance_ngram_counts *c, stance_buf *out)
{
    const stance_keymap *m = &c->keys;
    sort_key *keys = malloc((m->n ? m->n : 1) * sizeof *keys);
    int rc = STANCE_ENOMEM;
    if (!keys)
        return rc;
    for (size_t i = 0; i < m->n; i++) {
        const unsigned char *k = (const unsigned char *)m->pool.data + m->key_off[i];
        uint64_t prefix = 0;
        for (size_t b = 0; b < 8; b++)
            prefix = prefix << 8 | (b < m->key_len[i] ? k[b] : 0);
        keys[i] = (sort_key){prefix, (const char *)k, m->key_len[i], (uint32_t)i};
    }
    if (radix_sort_keys(keys, m->n))
        goto out;
    if (stance_buf_addc(out, '{'))
        goto out;
    for (size_t i = 0; i < m->n; i++) {
        const char *k = keys[i].key;
        size_t len = keys[i].len - 1;
        int plain = 1;
        for (size_t b = 1; b <= len && plain; b++)
            plain = (unsigned char)k[b] >= 0x20 && k[b] != '"' && k[b] != '\\';
        /* ',' '"' 'w' ':' key '"' ':' count: room for all but an escaped key */
        if (stance_buf_grow(out, len + 16))
            goto out;
        char *o = out->data + out->len;
        if (i)
            *o++ = ',';
        if (plain) {
            *o++ = '"';
            *o++ = k[0];
            *o++ = ':';
            memcpy(o, k + 1, len);
            o += len;
            *o++ = '"';
            out->len = (size_t)(o - out->data);
        } else {
            char prefixed[2] = {k[0], ':'};
            stance_buf tmp = {0};
            out->len = (size_t)(o - out->data);
            int bad = stance_buf_add(&tmp, prefixed, 2) || stance_buf_add(&tmp, k + 1, len) ||
                      stance_buf_add_json_string(out, tmp.data, tmp.len) ||
                      stance_buf_grow(out, 12);
            stance_buf_release(&tmp);
            if (bad)
                goto out;
            o = out->data + out->len;
        }
        o = out->data + out->len;
        *o++ = ':';
        o = put_uint(o, c->count[keys[i].id]);
        out->len = (size_t)(o - out->data);
        out->data[out->len] = '\0';
    }
    if (stance_buf_addc(out, '}'))
        goto out;
    rc = 0;
out:
    free(keys);
    return rc;
}

void stance_ngram_counts_release(stance_ngram_counts *c)
{
    stance_keymap_release(&c->keys);
    free(c->count);
    stance_buf_release(&c->scratch);
    memset(c, 0, sizeof *c);
}
