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
    if (!cfg->char_max)
        return 0;
    /* code point boundaries of "<token>", reused across tokens */
    size_t bounds_cap = 64;
    size_t *bounds = malloc(bounds_cap * sizeof *bounds);
    if (!bounds)
        return STANCE_ENOMEM;
    for (size_t i = 0; i < toks->n && !rc; i++) {
        stance_buf_reset(scratch);
        if (stance_buf_addc(scratch, '<') ||
            stance_buf_add(scratch, t + toks->start[i], toks->len[i]) ||
            stance_buf_addc(scratch, '>')) {
            rc = STANCE_ENOMEM;
            break;
        }
        const unsigned char *s = (const unsigned char *)scratch->data;
        size_t ncp = 0;
        for (size_t b = 0; b <= scratch->len; b++) {
            if (b < scratch->len && (s[b] & 0xC0) == 0x80)
                continue;
            if (ncp == bounds_cap) {
                size_t *nb = realloc(bounds, 2 * bounds_cap * sizeof *nb);
                if (!nb) {
                    rc = STANCE_ENOMEM;
                    break;
                }
                bounds = nb;
                bounds_cap *= 2;
            }
            bounds[ncp++] = b;
        }
        if (rc)
            break;
        ncp--; /* the last boundary is the end */
        for (size_t a = 0; a < ncp && !rc; a++)
            for (int n = cfg->char_min; n <= cfg->char_max && a + (size_t)n <= ncp;
                 n++) {
                rc = fn(ctx, STANCE_NGRAM_CHAR, scratch->data + bounds[a],
                        bounds[a + (size_t)n] - bounds[a]);
                if (rc)
                    break;
            }
    }
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
    const char *key; /* kind byte + bytes: byte order equals readable order */
    uint32_t len, id;
} sort_key;

static int sort_key_cmp(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

int stance_ngram_counts_json(const stance_ngram_counts *c, stance_buf *out)
{
    const stance_keymap *m = &c->keys;
    sort_key *keys = malloc((m->n ? m->n : 1) * sizeof *keys);
    stance_buf key = {0};
    int rc = STANCE_ENOMEM;
    if (!keys)
        return rc;
    for (size_t i = 0; i < m->n; i++)
        keys[i] = (sort_key){m->pool.data + m->key_off[i], m->key_len[i],
                             (uint32_t)i};
    qsort(keys, m->n, sizeof *keys, sort_key_cmp);
    if (stance_buf_addc(out, '{'))
        goto out;
    for (size_t i = 0; i < m->n; i++) {
        stance_buf_reset(&key);
        if ((i && stance_buf_addc(out, ',')) ||
            stance_keymap_key(m, keys[i].id, &key) ||
            stance_buf_add_json_string(out, key.data, key.len) ||
            stance_buf_addf(out, ":%u", c->count[keys[i].id]))
            goto out;
    }
    if (stance_buf_addc(out, '}'))
        goto out;
    rc = 0;
out:
    stance_buf_release(&key);
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
