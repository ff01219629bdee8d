/* features.c: from n-gram hits to the weighted, normalized sparse vector
 * that libsvm sees. Training and prediction both weigh features here, so
 * a model sees at prediction exactly what it was trained on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

void stance_features_release(stance_features *f)
{
    free(f->index);
    free(f->value);
    free(f->hits);
    free(f->sort_tmp);
    memset(f, 0, sizeof *f);
}

int stance_features_reserve(stance_features *f, size_t more)
{
    size_t cap = f->hits_cap ? f->hits_cap : 1024;
    while (cap < f->nhits + more)
        cap *= 2;
    if (cap == f->hits_cap)
        return 0;
    uint64_t *h = realloc(f->hits, cap * sizeof *h);
    if (!h)
        return STANCE_ENOMEM;
    f->hits = h;
    f->hits_cap = cap;
    return 0;
}

int stance_features_hit(stance_features *f, uint32_t feature, uint32_t count)
{
    if (f->nhits == f->hits_cap) {
        size_t cap = f->hits_cap ? f->hits_cap * 2 : 1024;
        uint64_t *h = realloc(f->hits, cap * sizeof *h);
        if (!h)
            return STANCE_ENOMEM;
        f->hits = h;
        f->hits_cap = cap;
    }
    f->hits[f->nhits++] = ((uint64_t)feature << 32) | count;
    return 0;
}

/* LSD radix sort on the feature half of each hit; stable, so equal
 * features keep their order, and linear in the number of hits, which
 * matters on the fused path where qsort showed in profiles. */
static int sort_hits(stance_features *f, unsigned feature_bits)
{
    if (f->nhits < 2)
        return 0;
    if (f->sort_cap < f->nhits) {
        uint64_t *t = realloc(f->sort_tmp, f->nhits * sizeof *t);
        if (!t)
            return STANCE_ENOMEM;
        f->sort_tmp = t;
        f->sort_cap = f->nhits;
    }
    uint64_t *src = f->hits, *dst = f->sort_tmp;
    for (unsigned shift = 32; shift < 32 + feature_bits; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < f->nhits; i++)
            count[((src[i] >> shift) & 0xFF) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < f->nhits; i++)
            dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != f->hits) {
        /* the sorted copy becomes the hit buffer; capacities go with it */
        size_t cap = f->hits_cap;
        f->sort_tmp = f->hits;
        f->hits = src;
        f->hits_cap = f->sort_cap;
        f->sort_cap = cap;
    }
    return 0;
}

/* 1 + ln(count), from a table for the small counts nearly all are. */
static double tf_table[64];

static void tf_table_init(void)
{
    if (tf_table[1] == 0)
        for (int i = 1; i < 64; i++)
            tf_table[i] = 1.0 + log((double)i);
}

static inline double sublinear_tf(uint32_t count)
{
    return count < 64 ? tf_table[count] : 1.0 + log((double)count);
}

int stance_features_reserve_vector(stance_features *f, size_t n)
{
    if (f->cap >= n + 1)
        return 0;
    size_t cap = n + 1 > 2 * f->cap ? n + 1 : 2 * f->cap;
    int *index = realloc(f->index, cap * sizeof *index);
    if (!index)
        return STANCE_ENOMEM;
    f->index = index;
    double *value = realloc(f->value, cap * sizeof *value);
    if (!value)
        return STANCE_ENOMEM;
    f->value = value;
    f->cap = cap;
    return 0;
}

/* Scales the character block f->value[0..split) and the word block
 * [split..n) to unit length, given each block's sum of squares. */
static void scale_blocks(stance_features *f, size_t split, const double sumsq[2])
{
    size_t bounds[3] = {0, split, f->n};
    for (int b = 0; b < 2; b++) {
        if (!(sumsq[b] > 0))
            continue;
        double scale = 1.0 / sqrt(sumsq[b]);
        for (size_t i = bounds[b]; i < bounds[b + 1]; i++)
            f->value[i] *= scale;
    }
}

/* Character and word n-grams are normalized apart, so the far more
 * numerous character n-grams do not drown the words; the vocabulary puts
 * "c:" keys before "w:" keys, so one index splits the blocks. */
static void normalize_blocks(stance_features *f, size_t word_start)
{
    size_t split = 0;
    double sumsq[2] = {0, 0};
    while (split < f->n && (size_t)(f->index[split] - 1) < word_start) {
        sumsq[0] += f->value[split] * f->value[split];
        split++;
    }
    for (size_t i = split; i < f->n; i++)
        sumsq[1] += f->value[i] * f->value[i];
    scale_blocks(f, split, sumsq);
}

int stance_features_weigh(stance_features *f, const double *idf,
                          size_t vocab_size, stance_weighting weighting)
{
    unsigned bits = 8;
    while (bits < 32 && (vocab_size >> bits))
        bits += 8;
    if (sort_hits(f, bits))
        return STANCE_ENOMEM;
    tf_table_init();
    if (stance_features_reserve_vector(f, f->nhits))
        return STANCE_ENOMEM;
    f->n = 0;
    for (size_t i = 0; i < f->nhits;) {
        uint32_t feature = (uint32_t)(f->hits[i] >> 32);
        uint64_t count = 0;
        for (; i < f->nhits && (uint32_t)(f->hits[i] >> 32) == feature; i++)
            count += (uint32_t)f->hits[i];
        if (count > UINT32_MAX)
            count = UINT32_MAX;
        f->index[f->n] = (int)feature + 1;
        f->value[f->n] = weighting == STANCE_WEIGHT_BINARY
                             ? 1.0
                             : sublinear_tf((uint32_t)count) * idf[feature];
        f->n++;
    }
    f->nhits = 0;
    f->raw = 1;
    return 0;
}

int stance_features_finish(stance_features *f, const double *idf,
                           size_t vocab_size, size_t word_start,
                           stance_weighting weighting)
{
    int rc = stance_features_weigh(f, idf, vocab_size, weighting);
    return rc ? rc : stance_features_normalize(f, word_start);
}

typedef struct {
    int index;
    double value;
} feature_pair;

static int cmp_feature_pair(const void *a, const void *b)
{
    int x = ((const feature_pair *)a)->index, y = ((const feature_pair *)b)->index;
    return (x > y) - (x < y);
}

int stance_features_normalize(stance_features *f, size_t word_start)
{
    if (!f->raw)
        return 0;
    int sorted = 1;
    for (size_t i = 1; i < f->n && sorted; i++)
        sorted = f->index[i - 1] < f->index[i];
    if (!sorted) {
        /* only the slow paths get here (libsvm's kernels, exports of the
         * fused path's vectors); indices are distinct, so the order is total */
        feature_pair *pairs = malloc((f->n ? f->n : 1) * sizeof *pairs);
        if (!pairs)
            return STANCE_ENOMEM;
        for (size_t i = 0; i < f->n; i++)
            pairs[i] = (feature_pair){f->index[i], f->value[i]};
        qsort(pairs, f->n, sizeof *pairs, cmp_feature_pair);
        for (size_t i = 0; i < f->n; i++) {
            f->index[i] = pairs[i].index;
            f->value[i] = pairs[i].value;
        }
        free(pairs);
    }
    normalize_blocks(f, word_start);
    f->raw = 0;
    return 0;
}

int stance_features_from_dense(stance_features *f, uint32_t *dense, const uint32_t *ids,
                               size_t n, const double *idf, stance_weighting weighting)
{
    tf_table_init();
    if (stance_features_reserve_vector(f, n))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        uint32_t feature = ids[i];
        f->index[i] = (int)feature + 1;
        f->value[i] = weighting == STANCE_WEIGHT_BINARY
                          ? 1.0
                          : sublinear_tf(dense[feature]) * idf[feature];
        dense[feature] = 0;
    }
    f->n = n;
    f->nhits = 0;
    f->raw = 1;
    return 0;
}

int stance_features_libsvm(const stance_features *x, const char *label,
                           stance_buf *out)
{
    if (stance_buf_adds(out, label))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < x->n; i++)
        if (stance_buf_addf(out, " %d:%.17g", x->index[i], x->value[i]))
            return STANCE_ENOMEM;
    return stance_buf_addc(out, '\n');
}
