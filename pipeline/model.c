/* model.c: loading a model directory and predicting with it. Linear models
 * are collapsed at load from support vectors into one weight vector per
 * class pair, so prediction costs time in the paragraph's features, not in
 * the number of support vectors. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "model_internal.h"

static int fail(char *err, const char *fmt, const char *a, const char *b)
{
    snprintf(err, STANCE_ERRBUF, fmt, a, b);
    return STANCE_EMODEL;
}

static int parse_manifest(stance_model *m, const char *dir, char *err)
{
    cJSON *root = cJSON_Parse(m->manifest_text);
    const cJSON *v;
    int rc = STANCE_EMODEL;
    if (!root || !cJSON_IsObject(root)) {
        fail(err, "'%s/%s' is not valid JSON", dir, MODEL_MANIFEST);
        goto out;
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, "stance-model")) {
        fail(err, "'%s/%s' is not a stance model manifest", dir, MODEL_MANIFEST);
        goto out;
    }
    v = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!cJSON_IsNumber(v) || v->valuedouble != STANCE_MODEL_FORMAT) {
        snprintf(err, STANCE_ERRBUF,
                 "'%s' has model format version %g; this stance reads version %d",
                 dir, cJSON_IsNumber(v) ? v->valuedouble : 0.0, STANCE_MODEL_FORMAT);
        goto out;
    }
#define NEED(name, test)                                                      \
    v = cJSON_GetObjectItemCaseSensitive(root, name);                         \
    if (!(test)) {                                                            \
        fail(err, "'%s/manifest.json': missing or invalid '%s'", dir, name);  \
        goto out;                                                             \
    }
    NEED("field", cJSON_IsString(v) && v->valuestring[0]);
    if (!(m->field = strdup(v->valuestring))) {
        rc = STANCE_ENOMEM;
        goto out;
    }
    NEED("labels", cJSON_IsArray(v) && cJSON_GetArraySize(v) >= 2 &&
                       cJSON_GetArraySize(v) <= STANCE_MAX_LABELS);
    m->nlabels = (size_t)cJSON_GetArraySize(v);
    if (!(m->labels = calloc(m->nlabels, sizeof *m->labels))) {
        rc = STANCE_ENOMEM;
        goto out;
    }
    const cJSON *l;
    size_t i = 0;
    cJSON_ArrayForEach(l, v) {
        if (!cJSON_IsString(l)) {
            fail(err, "'%s/manifest.json': a label is not a string", dir, NULL);
            goto out;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(m->labels[j], l->valuestring)) {
                fail(err, "'%s/manifest.json': label '%s' appears twice", dir,
                     l->valuestring);
                goto out;
            }
        if (!(m->labels[i++] = strdup(l->valuestring))) {
            rc = STANCE_ENOMEM;
            goto out;
        }
    }
    NEED("ngram_config", cJSON_IsString(v) &&
                             !stance_ngram_config_parse(v->valuestring, &m->ngrams));
    NEED("no_punct", cJSON_IsBool(v));
    m->token_flags = cJSON_IsTrue(v) ? STANCE_TOK_NO_PUNCT : 0;
    NEED("weighting", cJSON_IsString(v) && (!strcmp(v->valuestring, "tfidf") ||
                                            !strcmp(v->valuestring, "binary")));
    m->weighting = strcmp(v->valuestring, "tfidf") ? STANCE_WEIGHT_BINARY
                                                    : STANCE_WEIGHT_TFIDF;
    NEED("kernel", cJSON_IsString(v) && (!strcmp(v->valuestring, "linear") ||
                                         !strcmp(v->valuestring, "rbf")));
    m->rbf = !strcmp(v->valuestring, "rbf");
    NEED("probability", cJSON_IsBool(v));
    m->probability = cJSON_IsTrue(v);
    NEED("vocab_size", cJSON_IsNumber(v) && v->valuedouble >= 0 &&
                           v->valuedouble < 1e9 &&
                           v->valuedouble == (double)(long)v->valuedouble);
    m->vocab_size = (size_t)v->valuedouble;
#undef NEED
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}

static int parse_vocab(stance_model *m, const char *dir, const stance_buf *text,
                       char *err)
{
    char *p = text->data, *end = text->data + text->len;
    size_t line = 0, lines = 0;
    /* count before allocating: vocab_size comes from a file too */
    for (const char *q = p; q < end && (q = memchr(q, '\n', (size_t)(end - q))); q++)
        lines++;
    if (text->len && end[-1] != '\n') {
        snprintf(err, STANCE_ERRBUF, "'%s/%s' is truncated (no newline at the end)",
                 dir, MODEL_VOCAB);
        return STANCE_EMODEL;
    }
    if (lines != m->vocab_size) {
        snprintf(err, STANCE_ERRBUF,
                 "'%s/%s' has %zu entries but the manifest says %zu", dir,
                 MODEL_VOCAB, lines, m->vocab_size);
        return STANCE_EMODEL;
    }
    if (!(m->idf = malloc((m->vocab_size ? m->vocab_size : 1) * sizeof *m->idf)))
        return STANCE_ENOMEM;
    m->vocab.sparse = 2; /* lookups mostly miss; a sparse table ends them fast */
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            snprintf(err, STANCE_ERRBUF, "'%s/%s' is truncated (no newline at the end)",
                     dir, MODEL_VOCAB);
            return STANCE_EMODEL;
        }
        *nl = '\0';
        line++;
        char *tab1 = strchr(p, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        char *num_end;
        unsigned long idx = tab1 ? strtoul(p, &num_end, 10) : 0;
        int bad = !tab2 || idx != line || num_end != tab1 || line > m->vocab_size;
        double idf = 0;
        if (!bad) {
            errno = 0;
            idf = strtod(tab1 + 1, &num_end);
            bad = num_end != tab2 || errno || !(idf > 0 && idf <= 1e15);
        }
        char *key = tab2 ? tab2 + 1 : NULL;
        size_t klen = key ? (size_t)(nl - key) : 0;
        if (!bad)
            bad = klen < 3 || key[1] != ':' ||
                  (key[0] != STANCE_NGRAM_WORD && key[0] != STANCE_NGRAM_CHAR);
        if (bad) {
            snprintf(err, STANCE_ERRBUF, "'%s/%s' line %zu is malformed", dir,
                     MODEL_VOCAB, line);
            return STANCE_EMODEL;
        }
        /* an n-gram the manifest's ngram_config cannot make means the
         * manifest and the vocabulary come from different models */
        int order = 1, lo = m->ngrams.word_min, hi = m->ngrams.word_max;
        if (key[0] == STANCE_NGRAM_CHAR) {
            order = 0;
            lo = m->ngrams.char_min;
            hi = m->ngrams.char_max;
        }
        for (const char *q = key + 2; q < nl; q++)
            order += key[0] == STANCE_NGRAM_CHAR ? (*q & 0xC0) != 0x80 : *q == ' ';
        if (!hi || order < lo || order > hi) {
            char cfg[STANCE_NGRAM_CONFIG_MAX];
            stance_ngram_config_format(&m->ngrams, cfg);
            snprintf(err, STANCE_ERRBUF,
                     "'%.80s/%s' line %zu: n-gram '%.30s' disagrees with the "
                     "manifest's ngram_config '%.20s'",
                     dir, MODEL_VOCAB, line, key, cfg);
            return STANCE_EMODEL;
        }
        uint32_t id;
        int added;
        if (stance_keymap_intern(&m->vocab, key[0], key + 2, klen - 2,
                                 stance_hash(key[0], key + 2, klen - 2), &id, &added))
            return STANCE_ENOMEM;
        if (!added) {
            snprintf(err, STANCE_ERRBUF, "'%s/%s' line %zu repeats a key", dir,
                     MODEL_VOCAB, line);
            return STANCE_EMODEL;
        }
        m->idf[id] = idf;
        if (key[0] == STANCE_NGRAM_CHAR && m->word_start < line - 1) {
            snprintf(err, STANCE_ERRBUF, "'%s/%s' line %zu: a character n-gram after word n-grams",
                     dir, MODEL_VOCAB, line);
            return STANCE_EMODEL;
        }
        if (key[0] == STANCE_NGRAM_CHAR)
            m->word_start = line;
        p = nl + 1;
    }
    if (line != m->vocab_size) {
        snprintf(err, STANCE_ERRBUF,
                 "'%s/%s' has %zu entries but the manifest says %zu", dir,
                 MODEL_VOCAB, line, m->vocab_size);
        return STANCE_EMODEL;
    }
    return 0;
}

int stance_read_file_at(int dirfd, const char *path, stance_buf *out)
{
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return STANCE_EIO;
    }
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (stance_buf_add(out, chunk, n)) {
            rc = STANCE_ENOMEM;
            break;
        }
    if (!rc && ferror(f))
        rc = STANCE_EIO;
    int e = errno;
    fclose(f);
    errno = e;
    if (!rc && !out->data)
        rc = stance_buf_grow(out, 0);
    return rc;
}

static int load_files(int dirfd, const char *dir, stance_model *m, int *vanished,
                      char *err);

/* The three files are read through one open directory, so a model that
 * `train` swaps in meanwhile cannot mix with the old one; if the old one's
 * files vanish under us, the new one is loaded instead. */
int stance_model_load(const char *dir, stance_model **out, char *err)
{
    stance_model *m = NULL;
    int rc = 0;
    *out = NULL;
    for (int attempt = 0; attempt < 4; attempt++) {
        int vanished = 0;
        err[0] = '\0';
        if (attempt)
            usleep(1000u << attempt);
        if (!(m = calloc(1, sizeof *m)))
            return STANCE_ENOMEM;
        int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0) {
            vanished = errno == ENOENT;
            snprintf(err, STANCE_ERRBUF, "cannot read model directory '%.200s': %s",
                     dir, strerror(errno));
            rc = STANCE_EMODEL;
        } else {
            rc = load_files(dirfd, dir, m, &vanished, err);
            close(dirfd);
        }
        if (!rc || !vanished)
            break;
        stance_model_free(&m);
    }
    if (!rc) {
        *out = m;
        m = NULL;
    }
    stance_model_free(&m);
    return rc;
}

static int load_files(int dirfd, const char *dir, stance_model *m, int *vanished,
                      char *err)
{
    stance_buf text = {0};
    int rc = 0;
    const char *files[] = {MODEL_MANIFEST, MODEL_VOCAB, MODEL_SVM};
    for (int f = 0; f < 3; f++) {
        stance_buf_reset(&text);
        rc = stance_read_file_at(dirfd, files[f], &text);
        if (rc == STANCE_EIO) {
            *vanished = errno == ENOENT;
            snprintf(err, STANCE_ERRBUF, "cannot read model file '%.200s/%s': %s", dir,
                     files[f], strerror(errno));
            rc = STANCE_EMODEL;
        } else if (!rc && memchr(text.data, '\0', text.len)) {
            snprintf(err, STANCE_ERRBUF, "'%.200s/%s' holds a NUL byte; not a model file",
                     dir, files[f]);
            rc = STANCE_EMODEL;
        }
        if (rc)
            goto out;
        if (f == 0) {
            if (!(m->manifest_text = strdup(text.data))) {
                rc = STANCE_ENOMEM;
                goto out;
            }
            rc = parse_manifest(m, dir, err);
        } else if (f == 1) {
            rc = parse_vocab(m, dir, &text, err);
        } else {
            rc = stance_svm_parse(text.data, text.len, m, err);
            if (rc == STANCE_EMODEL) {
                char why[STANCE_ERRBUF];
                snprintf(why, sizeof why, "%s", err);
                snprintf(err, STANCE_ERRBUF, "'%.100s/%s': %.120s", dir, MODEL_SVM, why);
            }
        }
        if (rc)
            goto out;
    }
out:
    stance_buf_release(&text);
    return rc;
}

void stance_model_free(stance_model **mp)
{
    stance_model *m = *mp;
    if (!m)
        return;
    free(m->manifest_text);
    free(m->field);
    for (size_t i = 0; m->labels && i < m->nlabels; i++)
        free(m->labels[i]);
    free(m->labels);
    stance_keymap_release(&m->vocab);
    free(m->idf);
    free(m->class_label);
    free(m->rho);
    free(m->prob_a);
    free(m->prob_b);
    free(m->w);
    if (m->svm) {
        for (int i = 0; i < m->svm->l; i++)
            free(m->svm->SV[i]);
        free(m->svm->SV);
        for (int i = 0; i + 1 < m->svm->nr_class; i++)
            free(m->svm->sv_coef[i]);
        free(m->svm->sv_coef);
        free(m->svm->label);
        free(m->svm->nSV);
        free(m->svm);
    }
    free(m);
    *mp = NULL;
}

const char *stance_model_field(const stance_model *m) { return m->field; }
size_t stance_model_label_count(const stance_model *m) { return m->nlabels; }
const char *stance_model_label(const stance_model *m, size_t i)
{
    return i < m->nlabels ? m->labels[i] : NULL;
}
const stance_ngram_config *stance_model_ngram_config(const stance_model *m)
{
    return &m->ngrams;
}
unsigned stance_model_token_flags(const stance_model *m) { return m->token_flags; }

int stance_model_same_features(const stance_model *a, const stance_model *b)
{
    const stance_keymap *va = &a->vocab, *vb = &b->vocab;
    return stance_ngram_config_equal(&a->ngrams, &b->ngrams) &&
           a->token_flags == b->token_flags && a->weighting == b->weighting &&
           a->vocab_size == b->vocab_size && a->word_start == b->word_start &&
           va->n == a->vocab_size && vb->n == b->vocab_size &&
           va->pool.len == vb->pool.len &&
           !memcmp(va->pool.data, vb->pool.data, va->pool.len) &&
           !memcmp(va->key_off, vb->key_off, va->n * sizeof *va->key_off) &&
           !memcmp(va->key_len, vb->key_len, va->n * sizeof *va->key_len) &&
           !memcmp(a->idf, b->idf, a->vocab_size * sizeof *a->idf);
}
size_t stance_model_vocab_size(const stance_model *m) { return m->vocab_size; }
const char *stance_model_manifest(const stance_model *m) { return m->manifest_text; }
int stance_model_has_probability(const stance_model *m) { return m->probability; }

typedef struct {
    const stance_model *m;
    stance_features *x;
} hit_ctx;

static int hit_one(void *ctx, int kind, const char *key, size_t len)
{
    hit_ctx *h = ctx;
    long id = stance_keymap_find(&h->m->vocab, kind, key, len,
                                 stance_hash(kind, key, len));
    return id < 0 ? 0 : stance_features_hit(h->x, (uint32_t)id, 1);
}

int stance_model_features_from_tokens(const stance_model *m,
                                      const stance_tokens *toks,
                                      stance_buf *scratch, stance_features *x)
{
    hit_ctx h = {m, x};
    x->nhits = 0;
    int rc = stance_ngrams_each(toks, &m->ngrams, scratch, hit_one, &h);
    if (rc)
        return rc;
    return stance_features_weigh(x, m->idf, m->vocab_size, m->weighting);
}

typedef struct {
    uint64_t hash;
    size_t off, len; /* in the tokens' text */
} cache_key;

struct stance_feature_cache {
    const stance_model *model; /* the cache is emptied for another model */
    cache_key *keys;           /* workspace: this paragraph's keys */
    size_t keys_cap;
    uint32_t *dense;           /* workspace: count by feature, kept zeroed */
    uint32_t *seen;            /* workspace: the features counted, in any order */
    stance_keymap tokens;      /* token -> entry */
    uint32_t *first, *count;   /* by entry: its hits in ids */
    size_t entries_cap;
    uint32_t *ids;
    size_t nids, ids_cap;
    stance_buf scratch;
};

/* Past these the cache starts over, which keeps memory flat on any input:
 * about 10 MB a model when every word is new (random text), while the
 * distinct words of ordinary news stay well inside. */
#define CACHE_MAX_TOKENS 65536
#define CACHE_MAX_IDS (1u << 20)

stance_feature_cache *stance_feature_cache_new(void)
{
    stance_feature_cache *c = calloc(1, sizeof *c);
    if (c)
        c->tokens.sparse = 2;
    return c;
}

void stance_feature_cache_free(stance_feature_cache **cp)
{
    stance_feature_cache *c = *cp;
    if (!c)
        return;
    stance_keymap_release(&c->tokens);
    free(c->keys);
    free(c->dense);
    free(c->seen);
    free(c->first);
    free(c->count);
    free(c->ids);
    stance_buf_release(&c->scratch);
    free(c);
    *cp = NULL;
}

typedef struct {
    const stance_model *m;
    stance_feature_cache *c;
} cache_fill;

static int cache_hit(void *ctx, int kind, const char *key, size_t len)
{
    cache_fill *f = ctx;
    long id = stance_keymap_find(&f->m->vocab, kind, key, len,
                                 stance_hash(kind, key, len));
    if (id < 0)
        return 0;
    if (STANCE_ARRAY_GROW(f->c->ids, f->c->ids_cap, f->c->nids + 1))
        return STANCE_ENOMEM;
    f->c->ids[f->c->nids++] = (uint32_t)id;
    return 0;
}

/* The entry of one token, computing its hits on first sight. */
static int cache_token(const stance_model *m, stance_feature_cache *c,
                       const char *tok, size_t len, uint64_t h, uint32_t *entry)
{
    long found = stance_keymap_find(&c->tokens, 't', tok, len, h);
    if (found >= 0) {
        *entry = (uint32_t)found;
        return 0;
    }
    if (c->tokens.n >= CACHE_MAX_TOKENS || c->nids >= CACHE_MAX_IDS) {
        stance_keymap_clear(&c->tokens);
        c->nids = 0;
    }
    int added;
    if (stance_keymap_intern(&c->tokens, 't', tok, len, h, entry, &added))
        return STANCE_ENOMEM;
    if (*entry >= c->entries_cap) {
        size_t cap = c->entries_cap ? c->entries_cap * 2 : 1024;
        uint32_t *first = realloc(c->first, cap * sizeof *first);
        if (!first)
            return STANCE_ENOMEM;
        c->first = first;
        uint32_t *count = realloc(c->count, cap * sizeof *count);
        if (!count)
            return STANCE_ENOMEM;
        c->count = count;
        c->entries_cap = cap;
    }
    size_t before = c->nids;
    cache_fill f = {m, c};
    const stance_ngram_config *cfg = &m->ngrams;
    int rc = 0;
    if (cfg->word_min == 1)
        rc = cache_hit(&f, STANCE_NGRAM_WORD, tok, len);
    if (!rc && cfg->char_max)
        rc = stance_char_ngrams_each(tok, len, cfg, &c->scratch, cache_hit, &f);
    if (rc)
        return rc;
    c->first[*entry] = (uint32_t)before;
    c->count[*entry] = (uint32_t)(c->nids - before);
    return 0;
}

int stance_model_features_cached(const stance_model *m,
                                 const stance_tokens *toks,
                                 stance_feature_cache *c, stance_features *x)
{
    int rc;
    if (c->model != m) {
        stance_keymap_clear(&c->tokens);
        c->nids = 0;
        free(c->dense);
        free(c->seen);
        c->dense = calloc(m->vocab_size + 1, sizeof *c->dense);
        c->seen = malloc((m->vocab_size + 1) * sizeof *c->seen);
        if (!c->dense || !c->seen)
            return STANCE_ENOMEM;
        c->model = m;
    }
    x->nhits = 0;
    size_t distinct = 0;
    const char *t = toks->text.data;
    /* Lookups are bound by memory latency, not work: hash every key first,
     * then prefetch each key's slot a few keys ahead so misses overlap. */
    enum { AHEAD = 8 };
    int lo = m->ngrams.word_min > 2 ? m->ngrams.word_min : 2;
    size_t nkeys = toks->n;
    for (int n = lo; m->ngrams.word_min && n <= m->ngrams.word_max; n++)
        nkeys += toks->n >= (size_t)n ? toks->n - (size_t)n + 1 : 0;
    if (STANCE_ARRAY_GROW(c->keys, c->keys_cap, nkeys + 1))
        return STANCE_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < toks->n; i++)
        c->keys[k++] = (cache_key){stance_hash('t', t + toks->start[i], toks->len[i]),
                                   toks->start[i], toks->len[i]};
    for (int n = lo; m->ngrams.word_min && n <= m->ngrams.word_max; n++)
        for (size_t i = 0; i + (size_t)n <= toks->n; i++) {
            size_t last = i + (size_t)n - 1;
            size_t len = toks->start[last] + toks->len[last] - toks->start[i];
            c->keys[k++] = (cache_key){
                stance_hash(STANCE_NGRAM_WORD, t + toks->start[i], len), toks->start[i], len};
        }
    for (size_t i = 0; i < nkeys; i++) {
        if (i + AHEAD < nkeys) {
            const stance_keymap *table = i + AHEAD < toks->n ? &c->tokens : &m->vocab;
            if (table->slots)
                __builtin_prefetch(&table->slots[c->keys[i + AHEAD].hash & table->mask]);
        }
        const cache_key *key = &c->keys[i];
        if (i < toks->n) {
            uint32_t e;
            if ((rc = cache_token(m, c, t + key->off, key->len, key->hash, &e))) {
                /* the counts must be zero for the next paragraph */
                for (size_t s = 0; s < distinct; s++)
                    c->dense[c->seen[s]] = 0;
                return rc;
            }
            /* counts go to a dense array, and each feature's first count
             * to the list of those seen */
            uint32_t cnt = c->count[e];
            const uint32_t *ids = c->ids + c->first[e];
            /* written always and kept when new: whether a count is a
             * feature's first is a coin toss the branch predictor loses */
            for (uint32_t j = 0; j < cnt; j++) {
                c->seen[distinct] = ids[j];
                distinct += c->dense[ids[j]]++ == 0;
            }
        } else {
            long id = stance_keymap_find(&m->vocab, STANCE_NGRAM_WORD, t + key->off, key->len,
                                         key->hash);
            if (id < 0)
                continue;
            if (c->dense[id]++ == 0)
                c->seen[distinct++] = (uint32_t)id;
        }
    }
    return stance_features_from_dense(x, c->dense, c->seen, distinct, m->idf, m->weighting);
}

int stance_model_features_from_refs(const stance_model *m,
                                    const stance_ngram_ref *refs, size_t n,
                                    stance_features *x)
{
    enum { AHEAD = 8 };
    x->nhits = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n)
            __builtin_prefetch(&m->vocab.slots[refs[i + AHEAD].hash & m->vocab.mask]);
        long id = stance_keymap_find(&m->vocab, refs[i].kind, refs[i].key, refs[i].len,
                                     refs[i].hash);
        if (id >= 0 && stance_features_hit(x, (uint32_t)id, refs[i].count))
            return STANCE_ENOMEM;
    }
    return stance_features_weigh(x, m->idf, m->vocab_size, m->weighting);
}

int stance_model_features_from_counts(const stance_model *m,
                                      const stance_ngram_counts *c,
                                      stance_features *x)
{
    x->nhits = 0;
    for (size_t i = 0; i < c->keys.n; i++) {
        const char *k = c->keys.pool.data + c->keys.key_off[i];
        size_t len = c->keys.key_len[i] - 1;
        long id = stance_keymap_find(&m->vocab, k[0], k + 1, len,
                                     stance_hash(k[0], k + 1, len));
        if (id >= 0 && stance_features_hit(x, (uint32_t)id, c->count[i]))
            return STANCE_ENOMEM;
    }
    return stance_features_weigh(x, m->idf, m->vocab_size, m->weighting);
}

/* tf is 1 + ln(count) of a 32-bit count at most */
#define MAX_TF 23.2

void stance_model_fix_point(stance_model *m)
{
    double max_idf = 1, max_w = 0;
    for (size_t f = 0; m->idf && m->weighting == STANCE_WEIGHT_TFIDF && f < m->vocab_size; f++)
        max_idf = fmax(max_idf, m->idf[f]);
    for (size_t i = 0; i < m->vocab_size * m->npairs; i++)
        max_w = fmax(max_w, fabs(m->w[i]));
    /* the largest sums a vector could reach, one term per feature of the
     * vocabulary at its largest value, must stay below 2^62 */
    double max_v = m->weighting == STANCE_WEIGHT_TFIDF ? MAX_TF * max_idf : 1;
    double terms = (double)(m->vocab_size ? m->vocab_size : 1);
    int e;
    frexp(terms * max_v * max_v, &e);
    m->fix_sq = ldexp(1, e > 62 - 52 ? 62 - e : 52);
    frexp(terms * max_v * (max_w > 0 ? max_w : 1), &e);
    m->fix_dot = ldexp(1, e > 62 - 52 ? 62 - e : 52);
}

/* What scales a block of x to unit length, given its sum of squares in
 * fixed point: 1 when x is normalized already; an empty block stays zero. */
static double block_scale(const stance_features *x, int64_t sumsq, double fix_sq)
{
    return x->raw && sumsq > 0 ? sqrt(fix_sq / (double)sumsq) : 1;
}

/* Each pair's decision value, from raw features (stance_model_normalize's
 * scaling done here: each block's sum divided by the block's length) or
 * from normalized ones. The sums are kept in 64-bit fixed point, which is
 * exact, so they do not depend on the order of the features: the fused
 * path can leave its features unsorted and still give the bits the
 * classify stage gives on sorted ones. Where a feature's block is chosen
 * by selects, not by indexing an array of sums, so that no sum waits on
 * the store of the one before. */
static void decision_values(const stance_model *m, const stance_features *x,
                            double *dec)
{
    size_t np = m->npairs, word_start = m->word_start;
    const double fix_sq = m->fix_sq, fix_dot = m->fix_dot;
    int64_t sq_char = 0, sq_word = 0;
    int64_t dot_char[STANCE_MAX_LABELS * (STANCE_MAX_LABELS - 1) / 2] = {0};
    int64_t dot_word[STANCE_MAX_LABELS * (STANCE_MAX_LABELS - 1) / 2] = {0};
    if (np == 3) {
        /* three labels, the common case: every sum in a register */
        int64_t c0 = 0, c1 = 0, c2 = 0, w0 = 0, w1 = 0, w2 = 0;
        for (size_t i = 0; i < x->n; i++) {
            if (i + 8 < x->n)
                __builtin_prefetch(m->w + (size_t)(x->index[i + 8] - 1) * 3);
            size_t f = (size_t)(x->index[i] - 1);
            const double *w = m->w + f * 3;
            double v = x->value[i];
            int64_t sq = (int64_t)(v * v * fix_sq);
            int64_t d0 = (int64_t)(v * w[0] * fix_dot);
            int64_t d1 = (int64_t)(v * w[1] * fix_dot);
            int64_t d2 = (int64_t)(v * w[2] * fix_dot);
            int word = f >= word_start;
            sq_word += word ? sq : 0;
            sq_char += word ? 0 : sq;
            w0 += word ? d0 : 0;
            w1 += word ? d1 : 0;
            w2 += word ? d2 : 0;
            c0 += word ? 0 : d0;
            c1 += word ? 0 : d1;
            c2 += word ? 0 : d2;
        }
        dot_char[0] = c0, dot_char[1] = c1, dot_char[2] = c2;
        dot_word[0] = w0, dot_word[1] = w1, dot_word[2] = w2;
    } else {
        for (size_t i = 0; i < x->n; i++) {
            size_t f = (size_t)(x->index[i] - 1);
            const double *w = m->w + f * np;
            double v = x->value[i];
            int word = f >= word_start;
            int64_t sq = (int64_t)(v * v * fix_sq);
            sq_word += word ? sq : 0;
            sq_char += word ? 0 : sq;
            for (size_t p = 0; p < np; p++) {
                int64_t d = (int64_t)(v * w[p] * fix_dot);
                dot_word[p] += word ? d : 0;
                dot_char[p] += word ? 0 : d;
            }
        }
    }
    double scale_char = block_scale(x, sq_char, fix_sq);
    double scale_word = block_scale(x, sq_word, fix_sq);
    for (size_t p = 0; p < np; p++)
        dec[p] = ((double)dot_char[p] * scale_char + (double)dot_word[p] * scale_word) /
                     fix_dot -
                 m->rho[p];
}

static double sigmoid(double dec, double a, double b)
{
    double f = dec * a + b;
    /* the two forms avoid overflow of exp on either side */
    return f >= 0 ? exp(-f) / (1.0 + exp(-f)) : 1.0 / (1.0 + exp(f));
}

void stance_couple_probabilities(size_t k, double **r, double *p)
{
    double Q[STANCE_MAX_LABELS][STANCE_MAX_LABELS], Qp[STANCE_MAX_LABELS];
    size_t max_iter = k > 100 ? k : 100;
    double eps = 0.005 / (double)k;
    for (size_t t = 0; t < k; t++) {
        p[t] = 1.0 / (double)k;
        Q[t][t] = 0;
        for (size_t j = 0; j < t; j++) {
            Q[t][t] += r[j][t] * r[j][t];
            Q[t][j] = Q[j][t];
        }
        for (size_t j = t + 1; j < k; j++) {
            Q[t][t] += r[j][t] * r[j][t];
            Q[t][j] = -r[j][t] * r[t][j];
        }
    }
    for (size_t iter = 0; iter < max_iter; iter++) {
        double pQp = 0;
        for (size_t t = 0; t < k; t++) {
            Qp[t] = 0;
            for (size_t j = 0; j < k; j++)
                Qp[t] += Q[t][j] * p[j];
            pQp += p[t] * Qp[t];
        }
        double max_error = 0;
        for (size_t t = 0; t < k; t++) {
            double e = fabs(Qp[t] - pQp);
            if (e > max_error)
                max_error = e;
        }
        if (max_error < eps)
            break;
        for (size_t t = 0; t < k; t++) {
            double diff = (-Qp[t] + pQp) / Q[t][t];
            p[t] += diff;
            pQp = (pQp + diff * (diff * Q[t][t] + 2 * Qp[t])) / (1 + diff) / (1 + diff);
            for (size_t j = 0; j < k; j++) {
                Qp[j] = (Qp[j] + diff * Q[t][j]) / (1 + diff);
                p[j] /= (1 + diff);
            }
        }
    }
}

int stance_model_predict(const stance_model *m, const stance_features *x,
                         stance_prediction *pred)
{
    size_t k = m->nlabels;
    double dec[STANCE_MAX_LABELS * (STANCE_MAX_LABELS - 1) / 2];
    double prob[STANCE_MAX_LABELS];
    memset(pred, 0, sizeof *pred);
    if (m->rbf) {
        /* libsvm's kernels need the normalized vector: from a copy, as x
         * may serve further models */
        stance_features y = {0};
        struct svm_node *nodes = malloc((x->n + 1) * sizeof *nodes);
        int rc = nodes && !stance_features_reserve_vector(&y, x->n) ? 0 : STANCE_ENOMEM;
        if (!rc) {
            memcpy(y.index, x->index, x->n * sizeof *y.index);
            memcpy(y.value, x->value, x->n * sizeof *y.value);
            y.n = x->n;
            y.raw = x->raw;
            rc = stance_features_normalize(&y, m->word_start);
        }
        if (!rc) {
            for (size_t i = 0; i < y.n; i++)
                nodes[i] = (struct svm_node){y.index[i], y.value[i]};
            nodes[y.n].index = -1;
            if (m->probability)
                svm_predict_probability(m->svm, nodes, prob);
            else
                svm_predict_values(m->svm, nodes, dec);
        }
        free(nodes);
        stance_features_release(&y);
        if (rc)
            return rc;
    } else {
        decision_values(m, x, dec);
    }
    size_t best = 0;
    if (m->probability) {
        if (!m->rbf) {
            double r_rows[STANCE_MAX_LABELS][STANCE_MAX_LABELS];
            double *r[STANCE_MAX_LABELS];
            for (size_t i = 0; i < k; i++)
                r[i] = r_rows[i];
            const double min_prob = 1e-7;
            size_t p = 0;
            for (size_t i = 0; i < k; i++)
                for (size_t j = i + 1; j < k; j++, p++) {
                    double s = sigmoid(dec[p], m->prob_a[p], m->prob_b[p]);
                    s = fmin(fmax(s, min_prob), 1 - min_prob);
                    r[i][j] = s;
                    r[j][i] = 1 - s;
                }
            if (k == 2) {
                prob[0] = r[0][1];
                prob[1] = r[1][0];
            } else {
                stance_couple_probabilities(k, r, prob);
            }
        }
        for (size_t i = 1; i < k; i++)
            if (prob[i] > prob[best])
                best = i;
        for (size_t i = 0; i < k; i++)
            pred->prob[m->class_label[i]] = prob[i];
    } else {
        int votes[STANCE_MAX_LABELS] = {0};
        size_t p = 0;
        for (size_t i = 0; i < k; i++)
            for (size_t j = i + 1; j < k; j++, p++)
                votes[dec[p] > 0 ? i : j]++;
        for (size_t i = 1; i < k; i++)
            if (votes[i] > votes[best])
                best = i;
        pred->prob[m->class_label[best]] = 1.0;
    }
    pred->label = (size_t)m->class_label[best];
    return 0;
}

/* Sign with which pair p's decision value counts toward libsvm class c:
 * +1 when c is the pair's first class, -1 when its second, 0 otherwise. */
static int pair_sign(size_t k, size_t p, size_t c)
{
    size_t q = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++, q++)
            if (q == p)
                return i == c ? 1 : j == c ? -1 : 0;
    return 0;
}

static size_t class_of_label(const stance_model *m, size_t label)
{
    for (size_t c = 0; c < m->nlabels; c++)
        if ((size_t)m->class_label[c] == label)
            return c;
    return 0;
}

/* Whether (value, feature) ranks before t: the larger value (or the more
 * negative, when !largest), then the lower feature, so the list does not
 * depend on the order features come in. */
static int ranks_before(double value, uint32_t feature, const stance_contribution *t,
                        int largest)
{
    if (value != t->contribution)
        return largest ? value > t->contribution : value < t->contribution;
    return feature < t->feature;
}

static void keep_top(stance_contribution *top, size_t *n, size_t k,
                     uint32_t feature, double value, int largest)
{
    /* insertion into a short sorted list; k is small */
    size_t i = *n;
    if (i == k) {
        if (!ranks_before(value, feature, &top[k - 1], largest))
            return;
        i = k - 1;
    } else {
        (*n)++;
    }
    while (i > 0 && ranks_before(value, feature, &top[i - 1], largest)) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = (stance_contribution){feature, value};
}

int stance_model_explain(const stance_model *m, const stance_features *x,
                         size_t label, size_t k, stance_contribution *toward,
                         size_t *n_toward, stance_contribution *against,
                         size_t *n_against, double *score, double *bias)
{
    if (m->rbf || label >= m->nlabels)
        return STANCE_EARG;
    size_t c = class_of_label(m, label);
    int sign[STANCE_MAX_LABELS * (STANCE_MAX_LABELS - 1) / 2];
    double dec[STANCE_MAX_LABELS * (STANCE_MAX_LABELS - 1) / 2];
    decision_values(m, x, dec);
    *bias = 0;
    *score = 0;
    for (size_t p = 0; p < m->npairs; p++) {
        sign[p] = pair_sign(m->nlabels, p, c);
        *bias -= sign[p] * m->rho[p];
        *score += sign[p] * dec[p];
    }
    /* a raw vector's values at unit length per block, as decision_values
     * scales them (a normalized vector's scales are 1) */
    int64_t sumsq[2] = {0, 0};
    for (size_t i = 0; i < x->n; i++)
        sumsq[(size_t)(x->index[i] - 1) >= m->word_start] +=
            (int64_t)(x->value[i] * x->value[i] * m->fix_sq);
    double scale[2] = {block_scale(x, sumsq[0], m->fix_sq),
                       block_scale(x, sumsq[1], m->fix_sq)};
    *n_toward = *n_against = 0;
    for (size_t i = 0; i < x->n; i++) {
        uint32_t f = (uint32_t)(x->index[i] - 1);
        const double *w = m->w + (size_t)f * m->npairs;
        double wsum = 0;
        for (size_t p = 0; p < m->npairs; p++)
            wsum += sign[p] * w[p];
        double contribution = x->value[i] * scale[f >= m->word_start] * wsum;
        if (contribution > 0 && k)
            keep_top(toward, n_toward, k, f, contribution, 1);
        else if (contribution < 0 && k)
            keep_top(against, n_against, k, f, contribution, 0);
    }
    return 0;
}

int stance_model_top_features(const stance_model *m, size_t label, size_t k,
                              stance_contribution *top, size_t *n)
{
    if (m->rbf || label >= m->nlabels)
        return STANCE_EARG;
    size_t c = class_of_label(m, label);
    int sign[STANCE_MAX_LABELS * (STANCE_MAX_LABELS - 1) / 2];
    for (size_t p = 0; p < m->npairs; p++)
        sign[p] = pair_sign(m->nlabels, p, c);
    *n = 0;
    for (size_t f = 0; f < m->vocab_size && k; f++) {
        double wsum = 0;
        for (size_t p = 0; p < m->npairs; p++)
            wsum += sign[p] * m->w[f * m->npairs + p];
        if (wsum > 0)
            keep_top(top, n, k, (uint32_t)f, wsum, 1);
    }
    return 0;
}

int stance_model_normalize(const stance_model *m, stance_features *x)
{
    return stance_features_normalize(x, m->word_start);
}

int stance_model_feature_key(const stance_model *m, uint32_t feature,
                             stance_buf *out)
{
    if (feature >= m->vocab.n)
        return STANCE_EARG;
    return stance_keymap_key(&m->vocab, feature, out);
}
