/* train.c: from labelled n-gram counts to a model directory: vocabulary
 * selection, TF-IDF weighting, libsvm C-SVC with class weights (one SVM per
 * pair of labels, or per label against the rest), seeded stratified
 * cross-validation (folds and grid points run in parallel processes), Platt
 * scaling, and an atomic write of the result. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "model_internal.h"

struct stance_trainset {
    stance_keymap dict;   /* every n-gram seen */
    uint32_t *df;         /* by dict id */
    size_t df_cap;
    uint64_t *entries;    /* (dict id << 32 | count), docs back to back */
    size_t nentries, entries_cap;
    size_t *doc_start;    /* by doc, into entries; one extra at the end */
    size_t *doc_label;    /* by doc, index into label_names */
    size_t ndocs, docs_cap;
    char **label_names;   /* in order of first appearance */
    size_t nlabels;
};

void stance_train_options_default(stance_train_options *o)
{
    memset(o, 0, sizeof *o);
    o->field = "stance";
    stance_ngram_config_default(&o->ngrams);
    o->weighting = STANCE_WEIGHT_TFIDF;
    o->min_df = 2;
    o->C = 1;
    o->balanced = 1;
    o->probability = 1;
    o->seed = 1;
    o->cache_mb = 200;
    o->gram_mb = 2048;
    o->jobs = 1;
}

stance_loss stance_train_loss(const stance_train_options *o)
{
    if (o->loss != STANCE_LOSS_DEFAULT)
        return o->loss;
    return o->kernel_rbf ? STANCE_LOSS_HINGE : STANCE_LOSS_SQUARED_HINGE;
}

stance_multiclass stance_train_multiclass(const stance_train_options *o)
{
    if (o->multiclass != STANCE_MULTICLASS_DEFAULT)
        return o->multiclass;
    return stance_train_loss(o) == STANCE_LOSS_SQUARED_HINGE ? STANCE_MULTICLASS_OVR
                                                             : STANCE_MULTICLASS_OVO;
}

int stance_train_options_check(const stance_train_options *o, char *err)
{
    /* each record's class weight rides on its squared-hinge term, the same
     * in every label's problem; the hinge has no such term */
    if (o->multiclass == STANCE_MULTICLASS_OVR &&
        stance_train_loss(o) != STANCE_LOSS_SQUARED_HINGE) {
        snprintf(err, STANCE_ERRBUF, "one-vs-rest needs the squared hinge loss "
                 "(and so the linear kernel)");
        return STANCE_EARG;
    }
    /* the squared hinge enters as a term of each record's own (see
     * set_self_terms), which an RBF kernel would mix into every distance */
    if (o->kernel_rbf && o->loss == STANCE_LOSS_SQUARED_HINGE) {
        snprintf(err, STANCE_ERRBUF, "the squared hinge loss needs the linear kernel");
        return STANCE_EARG;
    }
    return 0;
}

double stance_train_gram_mb(size_t n)
{
    /* n rows of n + 2 libsvm nodes: the row's number, n kernel values, the
     * terminator */
    return (double)n * (double)(n + 2) * sizeof(struct svm_node) / 1048576.0;
}

int stance_train_uses_gram(const stance_train_options *o, size_t n)
{
    return !o->kernel_rbf && stance_train_gram_mb(n) <= o->gram_mb;
}

int stance_trainset_new(const stance_train_options *o, stance_trainset **ts)
{
    (void)o;
    *ts = calloc(1, sizeof **ts);
    if (!*ts)
        return STANCE_ENOMEM;
    (*ts)->doc_start = calloc(1, sizeof *(*ts)->doc_start);
    return (*ts)->doc_start ? 0 : STANCE_ENOMEM;
}

size_t stance_trainset_size(const stance_trainset *ts) { return ts->ndocs; }

void stance_trainset_free(stance_trainset **tsp)
{
    stance_trainset *ts = *tsp;
    if (!ts)
        return;
    stance_keymap_release(&ts->dict);
    free(ts->df);
    free(ts->entries);
    free(ts->doc_start);
    free(ts->doc_label);
    for (size_t i = 0; i < ts->nlabels; i++)
        free(ts->label_names[i]);
    free(ts->label_names);
    free(ts);
    *tsp = NULL;
}

int stance_trainset_add(stance_trainset *ts, const stance_ngram_counts *c,
                        const char *label)
{
    size_t li = 0;
    while (li < ts->nlabels && strcmp(ts->label_names[li], label))
        li++;
    if (li == ts->nlabels) {
        if (ts->nlabels == STANCE_MAX_LABELS)
            return STANCE_EDATA;
        char **names = realloc(ts->label_names, (ts->nlabels + 1) * sizeof *names);
        if (!names)
            return STANCE_ENOMEM;
        ts->label_names = names;
        if (!(names[ts->nlabels] = strdup(label)))
            return STANCE_ENOMEM;
        ts->nlabels++;
    }
    if (ts->ndocs + 2 > ts->docs_cap) {
        size_t cap = ts->docs_cap ? ts->docs_cap * 2 : 256;
        size_t *st = realloc(ts->doc_start, cap * sizeof *st);
        if (!st)
            return STANCE_ENOMEM;
        ts->doc_start = st;
        size_t *lb = realloc(ts->doc_label, cap * sizeof *lb);
        if (!lb)
            return STANCE_ENOMEM;
        ts->doc_label = lb;
        ts->docs_cap = cap;
    }
    if (STANCE_ARRAY_GROW(ts->entries, ts->entries_cap, ts->nentries + c->keys.n))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < c->keys.n; i++) {
        const char *k = c->keys.pool.data + c->keys.key_off[i];
        size_t len = c->keys.key_len[i] - 1;
        uint32_t id;
        int added;
        if (stance_keymap_intern(&ts->dict, k[0], k + 1, len,
                                 stance_hash(k[0], k + 1, len), &id, &added))
            return STANCE_ENOMEM;
        if (added) {
            if (STANCE_ARRAY_GROW(ts->df, ts->df_cap, (size_t)id + 1))
                return STANCE_ENOMEM;
            ts->df[id] = 0;
        }
        ts->df[id]++;
        ts->entries[ts->nentries++] = ((uint64_t)id << 32) | c->count[i];
    }
    ts->doc_label[ts->ndocs] = li;
    ts->doc_start[++ts->ndocs] = ts->nentries;
    return 0;
}

/* ---- the training run ---------------------------------------------------- */

typedef struct {
    const stance_trainset *ts;
    const stance_train_options *o;
    size_t nlabels;
    char **labels;          /* sorted; label index = libsvm label */
    size_t *doc_class;      /* by doc: sorted label index */
    size_t *label_count;
    int64_t *feature_of;    /* by dict id: feature index or -1 */
    uint32_t *vocab_ids;    /* by feature: dict id */
    size_t vocab_size;
    size_t word_start;      /* first word n-gram feature */
    double *idf;
    struct svm_problem prob;
    struct svm_node *node_pool;
    /* what libsvm is given: prob.x itself, or the rows of the precomputed
     * linear kernel (prob_gram.x) */
    const struct svm_problem *fit;
    struct svm_problem prob_gram;
    struct svm_node *gram;
    int squared_hinge;
    int one_vs_rest;
    double *gram_diag;      /* K(i,i) without the squared hinge's term */
} run;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
    const stance_keymap *m;
    uint32_t id;
} dict_ref;

static const stance_keymap *sort_dict;
static const uint32_t *sort_df;

/* Character n-grams first, then word n-grams (the blocks normalized
 * apart); within each, the most frequent first, so the features nearly
 * every paragraph has share a few cache lines of each table indexed by
 * feature, and prediction waits on memory less; ties in byte order of the
 * keys, so the vocabulary does not depend on the order records arrived in. */
static int cmp_dict_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const char *kx = sort_dict->pool.data + sort_dict->key_off[x];
    const char *ky = sort_dict->pool.data + sort_dict->key_off[y];
    if (kx[0] != ky[0])
        return kx[0] == STANCE_NGRAM_CHAR ? -1 : 1;
    if (sort_df[x] != sort_df[y])
        return sort_df[x] > sort_df[y] ? -1 : 1;
    size_t lx = sort_dict->key_len[x], ly = sort_dict->key_len[y];
    int c = memcmp(kx, ky, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

static int select_vocab(run *r)
{
    const stance_trainset *ts = r->ts;
    size_t n = ts->dict.n;
    r->feature_of = malloc((n ? n : 1) * sizeof *r->feature_of);
    r->vocab_ids = malloc((n ? n : 1) * sizeof *r->vocab_ids);
    if (!r->feature_of || !r->vocab_ids)
        return STANCE_ENOMEM;
    r->vocab_size = 0;
    for (size_t i = 0; i < n; i++) {
        r->feature_of[i] = -1;
        if (ts->df[i] >= (uint32_t)r->o->min_df)
            r->vocab_ids[r->vocab_size++] = (uint32_t)i;
    }
    sort_dict = &ts->dict;
    sort_df = ts->df;
    qsort(r->vocab_ids, r->vocab_size, sizeof *r->vocab_ids, cmp_dict_id);
    r->idf = malloc((r->vocab_size ? r->vocab_size : 1) * sizeof *r->idf);
    if (!r->idf)
        return STANCE_ENOMEM;
    for (size_t f = 0; f < r->vocab_size; f++) {
        uint32_t id = r->vocab_ids[f];
        r->feature_of[id] = (int64_t)f;
        if (ts->dict.pool.data[ts->dict.key_off[id]] == STANCE_NGRAM_CHAR)
            r->word_start = f + 1;
        /* smoothed idf, as if one extra document held every n-gram; written
         * with %.17g so the value read back from vocab.tsv is identical */
        char buf[32];
        snprintf(buf, sizeof buf, "%.17g",
                 log((1.0 + (double)ts->ndocs) / (1.0 + ts->df[id])) + 1.0);
        r->idf[f] = strtod(buf, NULL);
    }
    return 0;
}

static int build_problem(run *r)
{
    const stance_trainset *ts = r->ts;
    stance_features x = {0};
    /* with the squared hinge, room after each record's features for its own
     * coordinate (set_self_terms) */
    size_t terminators = r->squared_hinge ? 2 : 1;
    size_t pool_len = 0, pool_cap = ts->nentries + terminators * ts->ndocs;
    int rc = STANCE_ENOMEM;
    r->node_pool = malloc(pool_cap * sizeof *r->node_pool);
    r->prob.x = malloc(ts->ndocs * sizeof *r->prob.x);
    r->prob.y = malloc(ts->ndocs * sizeof *r->prob.y);
    if (!r->node_pool || !r->prob.x || !r->prob.y)
        goto out;
    r->prob.l = (int)ts->ndocs;
    size_t *offsets = malloc(ts->ndocs * sizeof *offsets);
    if (!offsets)
        goto out;
    for (size_t d = 0; d < ts->ndocs; d++) {
        x.nhits = 0;
        for (size_t e = ts->doc_start[d]; e < ts->doc_start[d + 1]; e++) {
            int64_t f = r->feature_of[ts->entries[e] >> 32];
            if (f >= 0 && stance_features_hit(&x, (uint32_t)f, (uint32_t)ts->entries[e])) {
                free(offsets);
                goto out;
            }
        }
        if (stance_features_finish(&x, r->idf, r->vocab_size, r->word_start, r->o->weighting)) {
            free(offsets);
            goto out;
        }
        offsets[d] = pool_len;
        for (size_t i = 0; i < x.n; i++)
            r->node_pool[pool_len++] = (struct svm_node){x.index[i], x.value[i]};
        for (size_t t = 0; t < terminators; t++)
            r->node_pool[pool_len++] = (struct svm_node){-1, 0};
        r->prob.y[d] = (double)r->doc_class[d];
    }
    for (size_t d = 0; d < ts->ndocs; d++)
        r->prob.x[d] = r->node_pool + offsets[d];
    free(offsets);
    rc = 0;
out:
    stance_features_release(&x);
    return rc;
}

/* Documents are laid side by side this many at a time, one cache line of
 * doubles per feature. */
#define GRAM_LANES 8
typedef double gram_pair __attribute__((vector_size(2 * sizeof(double))));

/* The linear kernel of every pair of documents, computed once, in libsvm's
 * precomputed-kernel layout (row i: {0, i+1}, then K(i,j) at index j+1).
 * Without it libsvm recomputes each sparse dot product in every label pair,
 * Platt fold, CV fold and grid point: 96% of training time.
 *
 * Each entry adds the products in ascending feature order, as libsvm's dot()
 * does, and skips only exact zeros, so the kernel values, and so the trained
 * model, are bit-identical to training on the sparse vectors. The features
 * of a block of documents get compact slots, so the table being read stays
 * in cache (a table over the whole vocabulary does not). */
static int compute_gram(run *r)
{
    size_t n = r->ts->ndocs, width = n + 2, dim = r->vocab_size + 1;
    size_t most = 0; /* nonzeros of the largest document */
    for (size_t i = 0; i < n; i++) {
        size_t nnz = 0;
        while (r->prob.x[i][nnz].index != -1)
            nnz++;
        most = nnz > most ? nnz : most;
    }
    int32_t *slot = malloc(dim * sizeof *slot);
    /* a block's features: at most GRAM_LANES documents' worth of slots */
    double *lanes_of = malloc((GRAM_LANES * most + 1) * GRAM_LANES * sizeof *lanes_of);
    int rc = STANCE_ENOMEM;
    r->gram = malloc(n * width * sizeof *r->gram);
    r->prob_gram.x = malloc(n * sizeof *r->prob_gram.x);
    if (!slot || !lanes_of || !r->gram || !r->prob_gram.x)
        goto out;
    for (size_t f = 0; f < dim; f++)
        slot[f] = -1;
    r->prob_gram.l = r->prob.l;
    r->prob_gram.y = r->prob.y;
    for (size_t i = 0; i < n; i++) {
        struct svm_node *row = r->gram + i * width;
        row[0] = (struct svm_node){0, (double)(i + 1)};
        row[n + 1] = (struct svm_node){-1, 0};
        r->prob_gram.x[i] = row;
    }
    for (size_t i0 = 0; i0 < n; i0 += GRAM_LANES) {
        size_t lanes = n - i0 < GRAM_LANES ? n - i0 : GRAM_LANES, nslots = 0;
        for (size_t k = 0; k < lanes; k++)
            for (const struct svm_node *p = r->prob.x[i0 + k]; p->index != -1; p++) {
                if (slot[p->index] < 0) {
                    slot[p->index] = (int32_t)nslots;
                    memset(lanes_of + nslots++ * GRAM_LANES, 0,
                           GRAM_LANES * sizeof *lanes_of);
                }
                lanes_of[(size_t)slot[p->index] * GRAM_LANES + k] = p->value;
            }
        for (size_t j = i0; j < n; j++) {
            /* lane-wise vector arithmetic: each lane's sum keeps its order;
             * named vectors, so the sums stay in registers */
            gram_pair a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
            for (const struct svm_node *p = r->prob.x[j]; p->index != -1; p++) {
                int32_t s = slot[p->index];
                if (s < 0)
                    continue;
                const double *d = lanes_of + (size_t)s * GRAM_LANES;
                gram_pair v = {p->value, p->value}, d0, d1, d2, d3;
                memcpy(&d0, d, sizeof d0);
                memcpy(&d1, d + 2, sizeof d1);
                memcpy(&d2, d + 4, sizeof d2);
                memcpy(&d3, d + 6, sizeof d3);
                a0 += d0 * v;
                a1 += d1 * v;
                a2 += d2 * v;
                a3 += d3 * v;
            }
            double acc[GRAM_LANES];
            memcpy(acc, &a0, sizeof a0);
            memcpy(acc + 2, &a1, sizeof a1);
            memcpy(acc + 4, &a2, sizeof a2);
            memcpy(acc + 6, &a3, sizeof a3);
            for (size_t k = 0; k < lanes; k++) {
                r->gram[(i0 + k) * width + j + 1] = (struct svm_node){(int)(j + 1), acc[k]};
                r->gram[j * width + i0 + k + 1] = (struct svm_node){(int)(i0 + k + 1), acc[k]};
            }
        }
        for (size_t k = 0; k < lanes; k++)
            for (const struct svm_node *p = r->prob.x[i0 + k]; p->index != -1; p++)
                slot[p->index] = -1;
    }
    r->fit = &r->prob_gram;
    if (r->squared_hinge) {
        r->gram_diag = malloc(n * sizeof *r->gram_diag);
        if (!r->gram_diag)
            goto out;
        for (size_t i = 0; i < n; i++)
            r->gram_diag[i] = r->gram[i * width + i + 1].value;
    }
    rc = 0;
out:
    free(slot);
    free(lanes_of);
    return rc;
}

/* A model trained on the precomputed kernel names its support vectors by
 * row; written out, it must be the linear model over the documents' own
 * sparse vectors, as readers of svm.model expect. */
static void gram_model_to_linear(const run *r, struct svm_model *model)
{
    for (int i = 0; i < model->l; i++)
        model->SV[i] = r->prob.x[model->sv_indices[i] - 1];
    model->param.kernel_type = LINEAR;
}

static void quiet_libsvm(const char *s) { (void)s; }


static double class_weight(const run *r, size_t label)
{
    if (!r->o->balanced)
        return 1;
    return (double)r->ts->ndocs / ((double)r->nlabels * (double)r->label_count[label]);
}

/* Where record d's own coordinate goes: just past its features. */
static struct svm_node *self_node(const run *r, size_t d)
{
    struct svm_node *p = r->prob.x[d];
    while (p->index != -1 && (size_t)p->index <= r->vocab_size)
        p++;
    return p;
}

/* The squared hinge's dual is the hinge's with 1/(2 C_i) added to each
 * record's K(i,i) and no upper bound on alpha, so libsvm's solver takes it
 * as it is. The term enters as a coordinate of the record's own, past the
 * vocabulary and shared with no other record, so no other product, no
 * held-out prediction (Platt's folds, CV) and no written weight sees it.
 * With the kernel table it is added to the diagonal last, where libsvm's
 * dot() would add it, so both ways give the same model, bit for bit. */
static void set_self_terms(run *r, double C)
{
    size_t n = r->ts->ndocs;
    for (size_t d = 0; d < n; d++) {
        double a = sqrt(1.0 / (2.0 * C * class_weight(r, r->doc_class[d])));
        if (r->gram) {
            r->gram[d * (n + 2) + d + 1].value = r->gram_diag[d] + a * a;
            continue;
        }
        struct svm_node *p = self_node(r, d);
        p[0] = (struct svm_node){(int)(r->vocab_size + 1 + d), a};
        p[1] = (struct svm_node){-1, 0};
    }
}

/* Ends each record at its features again, so the support vectors that
 * libsvm points into the records are written without their own
 * coordinates. */
static void clear_self_terms(run *r)
{
    for (size_t d = 0; !r->gram && d < r->ts->ndocs; d++)
        self_node(r, d)->index = -1;
}

/* No upper bound on alpha; finite, so libsvm's bound arithmetic stays
 * defined. */
#define UNBOUNDED_C 1e30

static void set_param(run *r, struct svm_parameter *p, double C,
                      double gamma, int probability, int *weight_label,
                      double *weight)
{
    memset(p, 0, sizeof *p);
    p->svm_type = C_SVC;
    p->kernel_type = r->gram ? PRECOMPUTED : r->o->kernel_rbf ? RBF : LINEAR;
    p->gamma = gamma;
    p->cache_size = r->o->cache_mb;
    p->eps = 1e-3;
    p->C = C;
    p->shrinking = 1;
    p->probability = probability;
    if (r->squared_hinge) {
        /* C and the class weights live in the records' own terms */
        set_self_terms(r, C);
        p->C = UNBOUNDED_C;
        return;
    }
    if (r->o->balanced) {
        for (size_t i = 0; i < r->nlabels; i++) {
            weight_label[i] = (int)i;
            weight[i] = class_weight(r, i);
        }
        p->nr_weight = (int)r->nlabels;
        p->weight_label = weight_label;
        p->weight = weight;
    }
}

/* A small seeded generator of our own, so folds do not depend on the C
 * library's rand(). */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Stratified folds of the documents marked in `in` (all when NULL; the
 * others get fold -1): each label's documents shuffled, then dealt round.
 * `salt` tells apart fold sets drawn with one seed. */
static int assign_folds(const run *r, int k, const unsigned char *in, uint64_t salt,
                        int *fold)
{
    size_t n = r->ts->ndocs;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return STANCE_ENOMEM;
    uint64_t state = (0x9E3779B97F4A7C15ULL ^ r->o->seed) + salt * 0xD1B54A32D192ED03ULL;
    if (!state)
        state = 1; /* xorshift's one fixed point */
    size_t dealt = 0;
    for (size_t d = 0; d < n; d++)
        fold[d] = -1;
    for (size_t c = 0; c < r->nlabels; c++) {
        size_t m = 0;
        for (size_t d = 0; d < n; d++)
            if (r->doc_class[d] == c && (!in || in[d]))
                order[m++] = d;
        for (size_t i = m; i > 1; i--) {
            size_t j = (size_t)(next_random(&state) % i);
            size_t t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (size_t i = 0; i < m; i++)
            fold[order[i]] = (int)((dealt + i) % (size_t)k);
        dealt += m;
    }
    free(order);
    return 0;
}

/* ---- one label against the rest ------------------------------------------ */

/* The negative log-likelihood of one value at z = A f + B, in forms whose
 * exp cannot overflow. */
static double platt_loss(double z, double target)
{
    return z >= 0 ? target * z + log1p(exp(-z)) : (target - 1) * z + log1p(exp(z));
}

static double platt_probability(double z)
{
    return z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z));
}

void stance_platt_fit(const double *dec, const unsigned char *positive, size_t n,
                      double *A, double *B)
{
    const int max_iter = 100;
    const double min_step = 1e-10, ridge = 1e-12, tolerance = 1e-5;
    double npos = 0, nneg = 0;
    for (size_t i = 0; i < n; i++) {
        npos += positive[i] != 0;
        nneg += positive[i] == 0;
    }
    /* targets pulled off 0 and 1 by the priors, so separable data still
     * has a finite optimum */
    double hi = (npos + 1) / (npos + 2), lo = 1 / (nneg + 2);
    double a = 0, b = log((nneg + 1) / (npos + 1)), loss = 0;
    for (size_t i = 0; i < n; i++)
        loss += platt_loss(dec[i] * a + b, positive[i] ? hi : lo);
    for (int iter = 0; iter < max_iter; iter++) {
        double h11 = ridge, h22 = ridge, h21 = 0, g1 = 0, g2 = 0;
        for (size_t i = 0; i < n; i++) {
            double p = platt_probability(dec[i] * a + b);
            double t = positive[i] ? hi : lo, s = p * (1 - p);
            h11 += dec[i] * dec[i] * s;
            h22 += s;
            h21 += dec[i] * s;
            g1 += dec[i] * (t - p);
            g2 += t - p;
        }
        if (fabs(g1) < tolerance && fabs(g2) < tolerance)
            break;
        /* the Newton direction, then halved until the loss falls enough */
        double det = h11 * h22 - h21 * h21;
        double da = -(h22 * g1 - h21 * g2) / det, db = -(-h21 * g1 + h11 * g2) / det;
        double slope = g1 * da + g2 * db, step = 1;
        while (step >= min_step) {
            double na = a + step * da, nb = b + step * db, nloss = 0;
            for (size_t i = 0; i < n; i++)
                nloss += platt_loss(dec[i] * na + nb, positive[i] ? hi : lo);
            if (nloss < loss + 1e-4 * step * slope) {
                a = na;
                b = nb;
                loss = nloss;
                break;
            }
            step /= 2;
        }
        if (step < min_step)
            break;
    }
    *A = a;
    *B = b;
}


/* Label c's score of record d, w_c . x_d - rho_c, over its features alone
 * (its own squared-hinge coordinate, past the vocabulary, is no feature). */
static double ovr_score(const run *r, const double *w, double rho, size_t d)
{
    double s = 0;
    for (const struct svm_node *p = r->prob.x[d];
         p->index != -1 && (size_t)p->index <= r->vocab_size; p++)
        s += w[p->index - 1] * p->value;
    return s - rho;
}

/* Each label's weights w[c * vocab_size ..] and offset rho[c] against the
 * rest, trained on the records marked in `in` (all when NULL). The scores
 * are the squared hinge's, so with per-record class weights in the
 * records' own terms, one label's problem is LinearSVC's. */
static int fit_one_vs_rest(run *r, const unsigned char *in, double C, double *w,
                           double *rho)
{
    size_t n = r->ts->ndocs, m = 0, V = r->vocab_size;
    struct svm_problem sub;
    struct svm_parameter p;
    size_t *docs = malloc((n ? n : 1) * sizeof *docs);
    sub.x = malloc((n ? n : 1) * sizeof *sub.x);
    sub.y = malloc((n ? n : 1) * sizeof *sub.y);
    int rc = STANCE_ENOMEM;
    if (!docs || !sub.x || !sub.y)
        goto out;
    for (size_t d = 0; d < n; d++)
        if (!in || in[d]) {
            docs[m] = d;
            sub.x[m++] = r->fit->x[d];
        }
    sub.l = (int)m;
    set_param(r, &p, C, 0, 0, NULL, NULL);
    for (size_t c = 0; c < r->nlabels; c++) {
        size_t positives = 0;
        for (size_t i = 0; i < m; i++) {
            sub.y[i] = r->doc_class[docs[i]] == c ? 1 : -1;
            positives += r->doc_class[docs[i]] == c;
        }
        double *wc = w + c * V;
        memset(wc, 0, V * sizeof *wc);
        if (positives == 0 || positives == m) {
            /* a fold without the label (or with nothing else) has no
             * boundary to learn: the label scores -1 (or +1) everywhere */
            rho[c] = positives ? -1 : 1;
            continue;
        }
        struct svm_model *model = svm_train(&sub, &p);
        if (!model)
            goto out;
        /* libsvm's decision values are for its first label, the class of
         * the first record */
        double sign = model->label[0] == 1 ? 1 : -1;
        for (int s = 0; s < model->l; s++) {
            double a = sign * model->sv_coef[0][s];
            for (const struct svm_node *x = r->prob.x[docs[model->sv_indices[s] - 1]];
                 x->index != -1 && (size_t)x->index <= V; x++)
                wc[x->index - 1] += a * x->value;
        }
        rho[c] = sign * model->rho[0];
        svm_free_and_destroy_model(&model);
    }
    rc = 0;
out:
    free(docs);
    free(sub.x);
    free(sub.y);
    return rc;
}

/* Platt's sigmoids for every pair of labels (i, j) on the score difference
 * f_i - f_j, from held-out scores: five folds of the records in `in`, as
 * libsvm draws its pairs' probabilities from five folds. */
static int fit_pair_sigmoids(run *r, const unsigned char *in, double C, double *prob_a,
                             double *prob_b)
{
    enum { PLATT_FOLDS = 5 };
    size_t n = r->ts->ndocs, k = r->nlabels, V = r->vocab_size;
    int *fold = malloc((n ? n : 1) * sizeof *fold);
    unsigned char *train = malloc(n ? n : 1);
    double *score = malloc((n ? n : 1) * k * sizeof *score);
    double *w = malloc((V ? V : 1) * k * sizeof *w);
    double *dec = malloc((n ? n : 1) * sizeof *dec);
    unsigned char *positive = malloc(n ? n : 1);
    double rho[STANCE_MAX_LABELS];
    int rc = STANCE_ENOMEM;
    if (!fold || !train || !score || !w || !dec || !positive)
        goto out;
    if ((rc = assign_folds(r, PLATT_FOLDS, in, 1, fold)))
        goto out;
    for (int f = 0; f < PLATT_FOLDS; f++) {
        for (size_t d = 0; d < n; d++)
            train[d] = fold[d] >= 0 && fold[d] != f;
        if ((rc = fit_one_vs_rest(r, train, C, w, rho)))
            goto out;
        for (size_t d = 0; d < n; d++)
            if (fold[d] == f)
                for (size_t c = 0; c < k; c++)
                    score[d * k + c] = ovr_score(r, w + c * V, rho[c], d);
    }
    size_t pair = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++, pair++) {
            size_t m = 0;
            for (size_t d = 0; d < n; d++)
                if (fold[d] >= 0 && (r->doc_class[d] == i || r->doc_class[d] == j)) {
                    dec[m] = score[d * k + i] - score[d * k + j];
                    positive[m++] = r->doc_class[d] == i;
                }
            stance_platt_fit(dec, positive, m, &prob_a[pair], &prob_b[pair]);
        }
    rc = 0;
out:
    free(fold);
    free(train);
    free(score);
    free(w);
    free(dec);
    free(positive);
    return rc;
}

/* A one-vs-rest model as libsvm's one-against-one file holds it: pair
 * (i, j) gets the weights w_i - w_j and offset rho_i - rho_j, so its
 * decision value is f_i - f_j, and the pairwise vote of libsvm (and of
 * svm-predict) elects the label of highest score, as one-vs-rest does. */
static int fit_model_ovr(run *r, const unsigned char *in, double C, int probability,
                         stance_model **out)
{
    size_t k = r->nlabels, V = r->vocab_size, np = k * (k - 1) / 2;
    double rho[STANCE_MAX_LABELS];
    double *w = malloc((V ? V : 1) * k * sizeof *w);
    stance_model *m = calloc(1, sizeof *m);
    int rc = STANCE_ENOMEM;
    *out = NULL;
    if (!w || !m)
        goto out;
    m->nlabels = k;
    m->npairs = np;
    m->vocab_size = V;
    m->probability = probability;
    m->rho = calloc(np, sizeof *m->rho);
    m->prob_a = calloc(np, sizeof *m->prob_a);
    m->prob_b = calloc(np, sizeof *m->prob_b);
    m->class_label = calloc(k, sizeof *m->class_label);
    m->w = calloc(V * np + 1, sizeof *m->w);
    if (!m->rho || !m->prob_a || !m->prob_b || !m->class_label || !m->w)
        goto out;
    if ((rc = fit_one_vs_rest(r, in, C, w, rho)))
        goto out;
    for (size_t c = 0; c < k; c++)
        m->class_label[c] = (int)c;
    size_t pair = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++, pair++) {
            m->rho[pair] = rho[i] - rho[j];
            for (size_t f = 0; f < V; f++)
                m->w[f * np + pair] = w[i * V + f] - w[j * V + f];
        }
    stance_model_fix_point(m);
    if (probability && (rc = fit_pair_sigmoids(r, in, C, m->prob_a, m->prob_b)))
        goto out;
    *out = m;
    m = NULL;
    rc = 0;
out:
    free(w);
    stance_model_free(&m);
    return rc;
}

/* Record d's label by model m, which is linear: its features weighed
 * as they will be when it labels text. */
static int predict_doc(const run *r, const stance_model *m, size_t d, stance_features *x,
                       int *label)
{
    const struct svm_node *p = r->prob.x[d];
    size_t len = 0;
    while (p[len].index != -1 && (size_t)p[len].index <= r->vocab_size)
        len++;
    if (stance_features_reserve_vector(x, len))
        return STANCE_ENOMEM;
    for (x->n = 0; x->n < len; x->n++) {
        x->index[x->n] = p[x->n].index;
        x->value[x->n] = p[x->n].value;
    }
    x->raw = 0;
    stance_prediction pred;
    int rc = stance_model_predict(m, x, &pred);
    *label = (int)pred.label;
    return rc;
}

/* cv_fit's one-vs-rest case. */
static int cv_fit_ovr(run *r, const int *fold, int f, double C, int *pred)
{
    size_t n = r->ts->ndocs;
    unsigned char *in = calloc(n ? n : 1, 1);
    stance_model *m = NULL;
    stance_features x = {0};
    int rc = STANCE_ENOMEM;
    if (!in)
        return rc;
    for (size_t d = 0; d < n; d++)
        in[d] = fold[d] != f;
    if ((rc = fit_model_ovr(r, in, C, r->o->probability, &m)))
        goto out;
    for (size_t d = 0; d < n && !rc; d++)
        if (fold[d] == f)
            rc = predict_doc(r, m, d, &x, &pred[d]);
out:
    free(in);
    stance_model_free(&m);
    stance_features_release(&x);
    return rc;
}

/* One cross-validation fit: train on every fold but `f`, predict fold f. */
static int cv_fit(run *r, const int *fold, int f, double C, double gamma,
                  int *pred)
{
    if (r->one_vs_rest)
        return cv_fit_ovr(r, fold, f, C, pred);
    size_t n = r->ts->ndocs, m = 0;
    struct svm_problem sub;
    int wl[STANCE_MAX_LABELS];
    double w[STANCE_MAX_LABELS];
    struct svm_parameter p;
    sub.x = malloc(n * sizeof *sub.x);
    sub.y = malloc(n * sizeof *sub.y);
    if (!sub.x || !sub.y) {
        free(sub.x);
        free(sub.y);
        return STANCE_ENOMEM;
    }
    for (size_t d = 0; d < n; d++)
        if (fold[d] != f) {
            sub.x[m] = r->fit->x[d];
            sub.y[m++] = r->fit->y[d];
        }
    sub.l = (int)m;
    /* the predictor scored is the one shipped: with probabilities on, the
     * label of highest probability, which need not be the pairwise vote's;
     * Platt's folds are seeded per fit, so the result does not depend on
     * which process ran it */
    set_param(r, &p, C, gamma, r->o->probability, wl, w);
    srand(r->o->seed);
    struct svm_model *model = svm_train(&sub, &p);
    double prob[STANCE_MAX_LABELS];
    for (size_t d = 0; d < n; d++)
        if (fold[d] == f)
            pred[d] = (int)(r->o->probability
                                ? svm_predict_probability(model, r->fit->x[d], prob)
                                : svm_predict(model, r->fit->x[d]));
    svm_free_and_destroy_model(&model);
    free(sub.x);
    free(sub.y);
    return 0;
}

typedef struct {
    double C, gamma;
    double accuracy, macro_f1;
} grid_point;

/* Runs every (grid point, fold) fit, spread over o->jobs processes; fills
 * each point's scores. Results do not depend on the number of jobs. */
static int cross_validate(run *r, grid_point *pts, size_t npts, int k, char *err)
{
    size_t n = r->ts->ndocs, ntasks = npts * (size_t)k;
    int *fold = malloc(n * sizeof *fold);
    int *pred = malloc(npts * n * sizeof *pred);
    int rc = STANCE_ENOMEM;
    int jobs = r->o->jobs > 1 ? r->o->jobs : 1;
    pid_t pids[64];
    int fds[64];
    int nchild = 0;
    if (!fold || !pred)
        goto out;
    if ((rc = assign_folds(r, k, NULL, 0, fold)))
        goto out;
    if (jobs > 64)
        jobs = 64;
    if ((size_t)jobs > ntasks)
        jobs = (int)ntasks;
    /* children take tasks j, j+jobs, ...; the parent takes share 0 */
    for (int j = 1; j < jobs; j++) {
        int pfd[2];
        if (pipe(pfd))
            break;
        pid_t pid = fork();
        if (pid < 0) {
            close(pfd[0]);
            close(pfd[1]);
            break;
        }
        if (pid == 0) {
            close(pfd[0]);
            for (size_t t = (size_t)j; t < ntasks; t += (size_t)jobs) {
                size_t pt = t / (size_t)k;
                int f = (int)(t % (size_t)k);
                int bad = cv_fit(r, fold, f, pts[pt].C, pts[pt].gamma, pred + pt * n);
                for (size_t d = 0; !bad && d < n; d++)
                    if (fold[d] == f) {
                        int32_t rec[2] = {(int32_t)(pt * n + d), pred[pt * n + d]};
                        bad = write(pfd[1], rec, sizeof rec) != sizeof rec;
                    }
                if (bad) {
                    free(fold);
                    free(pred);
                    _exit(1);
                }
            }
            /* freed so that valgrind's leak check of the child stays clean */
            free(fold);
            free(pred);
            _exit(0);
        }
        close(pfd[1]);
        pids[nchild] = pid;
        fds[nchild++] = pfd[0];
    }
    int share = nchild + 1;
    for (size_t t = 0; t < ntasks; t++) {
        size_t owner = t % (size_t)jobs;
        if (owner != 0 && owner < (size_t)share)
            continue;
        size_t pt = t / (size_t)k;
        if (r->o->progress) {
            char what[96];
            snprintf(what, sizeof what, "cross-validation: C=%g fold %d/%d", pts[pt].C,
                     (int)(t % (size_t)k) + 1, k);
            r->o->progress(r->o->progress_ctx, what);
        }
        if ((rc = cv_fit(r, fold, (int)(t % (size_t)k), pts[pt].C, pts[pt].gamma,
                         pred + pt * n)))
            goto out;
    }
    rc = 0;
    for (int c = 0; c < nchild; c++) {
        int32_t rec[2];
        ssize_t got;
        while ((got = read(fds[c], rec, sizeof rec)) == sizeof rec)
            if (rec[0] >= 0 && (size_t)rec[0] < npts * n)
                pred[rec[0]] = rec[1];
        close(fds[c]);
        int status;
        if (waitpid(pids[c], &status, 0) < 0) {
            snprintf(err, STANCE_ERRBUF, "cannot wait for a cross-validation process: %s",
                     strerror(errno));
            rc = STANCE_EIO;
        } else if (WIFSIGNALED(status)) {
            /* the kernel's out-of-memory killer, or someone's kill: not
             * a failed allocation of ours */
            snprintf(err, STANCE_ERRBUF, "a cross-validation process was killed by signal %d (%s)",
                     WTERMSIG(status), strsignal(WTERMSIG(status)));
            rc = STANCE_EIO;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            /* a child exits 1 when a fit cannot allocate or its pipe breaks */
            snprintf(err, STANCE_ERRBUF, "a cross-validation process failed: out of memory "
                     "or its pipe to this one broke");
            rc = STANCE_ENOMEM;
        }
    }
    nchild = 0;
    if (rc)
        goto out;
    for (size_t pt = 0; pt < npts; pt++) {
        size_t confusion[STANCE_MAX_LABELS * STANCE_MAX_LABELS] = {0};
        stance_metrics mt;
        for (size_t d = 0; d < n; d++)
            confusion[r->doc_class[d] * r->nlabels + (size_t)pred[pt * n + d]]++;
        stance_metrics_compute(r->nlabels, confusion, &mt);
        pts[pt].accuracy = mt.accuracy;
        pts[pt].macro_f1 = mt.macro_f1;
    }
out:
    for (int c = 0; c < nchild; c++) {
        close(fds[c]);
        waitpid(pids[c], NULL, 0);
    }
    free(fold);
    free(pred);
    return rc;
}

/* ---- writing the model directory --------------------------------------- */

static int write_all(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return STANCE_EIO;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return STANCE_EIO;
        }
        off += (size_t)w;
    }
    if (fsync(fd) || close(fd))
        return STANCE_EIO;
    return 0;
}

static int fsync_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return STANCE_EIO;
    int rc = fsync(fd) ? STANCE_EIO : 0;
    close(fd);
    return rc;
}

/* Writes svm.model at path. A linear model goes through libsvm's own
 * writer and our reader, which collapses it to weights exactly as every
 * later load would, and is written again collapsed: the same predictions
 * from a file of one line per label pair instead of one per support
 * vector (40 MB -> 6 MB for 3,000 paragraphs). */
static int save_svm_model(const run *r, const struct svm_model *model, const char *path,
                          char *err)
{
    if (svm_save_model(path, model) != 0) {
        snprintf(err, STANCE_ERRBUF, "cannot write '%.200s': %s", path, strerror(errno));
        return STANCE_EIO;
    }
    stance_buf text = {0}, out = {0};
    stance_model *m = NULL;
    int rc = STANCE_EIO;
    if (r->o->kernel_rbf) {
        if (!fsync_file(path))
            return 0;
        goto out;
    }
    rc = STANCE_ENOMEM;
    if (!(m = calloc(1, sizeof *m)))
        goto out;
    m->nlabels = r->nlabels;
    m->vocab_size = r->vocab_size;
    m->probability = r->o->probability;
    if ((rc = stance_read_file_at(AT_FDCWD, path, &text)))
        goto out;
    if ((rc = stance_svm_parse(text.data, text.len, m, err))) {
        char why[STANCE_ERRBUF];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, STANCE_ERRBUF, "libsvm wrote a model this program cannot read: %.150s", why);
        goto out;
    }
    if ((rc = stance_svm_format_linear(m, &out)))
        goto out;
    rc = write_all(path, out.data, out.len);
out:
    if (rc == STANCE_EIO && !err[0])
        snprintf(err, STANCE_ERRBUF, "cannot write '%.200s': %s", path, strerror(errno));
    stance_model_free(&m);
    stance_buf_release(&text);
    stance_buf_release(&out);
    return rc;
}

/* Trains the one-vs-rest model on every record and writes it as
 * svm.model, in the collapsed layout of save_svm_model. */
static int save_ovr_model(run *r, double C, const char *path, char *err)
{
    stance_model *m = NULL;
    stance_buf out = {0};
    int rc = fit_model_ovr(r, NULL, C, r->o->probability, &m);
    if (!rc)
        rc = stance_svm_format_linear(m, &out);
    if (!rc && (rc = write_all(path, out.data, out.len)))
        snprintf(err, STANCE_ERRBUF, "cannot write '%.200s': %s", path, strerror(errno));
    stance_model_free(&m);
    stance_buf_release(&out);
    return rc;
}

static void remove_model_dir(const char *dir)
{
    const char *files[] = {MODEL_MANIFEST, MODEL_VOCAB, MODEL_SVM};
    char path[4096];
    for (int i = 0; i < 3; i++) {
        /* a cut path could name some other file */
        if (snprintf(path, sizeof path, "%s/%s", dir, files[i]) >= (int)sizeof path)
            continue;
        unlink(path);
    }
    rmdir(dir);
}

static int install_dir(const char *tmp, const char *dir, char *err)
{
    struct stat st;
    char path[4096];
    if (stat(dir, &st) != 0) {
        if (rename(tmp, dir) == 0)
            return 0;
        snprintf(err, STANCE_ERRBUF, "cannot rename '%.100s' to '%.100s': %s", tmp,
                 dir, strerror(errno));
        return STANCE_EIO;
    }
    snprintf(path, sizeof path, "%s/%s", dir, MODEL_MANIFEST);
    if (!S_ISDIR(st.st_mode) || access(path, F_OK) != 0) {
        snprintf(err, STANCE_ERRBUF,
                 "'%.150s' exists and is not a stance model directory; not replacing it",
                 dir);
        return STANCE_EIO;
    }
    /* swap atomically: no moment without a complete model at dir */
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
        remove_model_dir(tmp);
        return 0;
    }
    snprintf(path, sizeof path, "%s.old", tmp);
    if (rename(dir, path) == 0) {
        if (rename(tmp, dir) == 0) {
            remove_model_dir(path);
            return 0;
        }
        rename(path, dir);
    }
    snprintf(err, STANCE_ERRBUF, "cannot replace '%.200s': %s", dir, strerror(errno));
    return STANCE_EIO;
}

static int write_vocab(const run *r, const char *path)
{
    stance_buf b = {0};
    int rc = 0;
    for (size_t f = 0; f < r->vocab_size && !rc; f++) {
        rc = stance_buf_addf(&b, "%zu\t%.17g\t", f + 1, r->idf[f]);
        if (!rc)
            rc = stance_keymap_key(&r->ts->dict, r->vocab_ids[f], &b);
        if (!rc)
            rc = stance_buf_addc(&b, '\n');
    }
    if (!rc)
        rc = write_all(path, b.data ? b.data : "", b.len);
    stance_buf_release(&b);
    return rc;
}

static int write_manifest(const run *r, const char *path, double C, double gamma,
                          const grid_point *cv, const grid_point *grid,
                          size_t ngrid, stance_buf *report)
{
    const stance_train_options *o = r->o;
    char cfg[STANCE_NGRAM_CONFIG_MAX];
    cJSON *root = cJSON_CreateObject(), *counts, *arr;
    int rc = STANCE_ENOMEM;
    char *text = NULL;
    stance_ngram_config_format(&o->ngrams, cfg);
    if (!root)
        return rc;
    cJSON_AddStringToObject(root, "format", "stance-model");
    cJSON_AddNumberToObject(root, "version", STANCE_MODEL_FORMAT);
    cJSON_AddStringToObject(root, "field", o->field);
    arr = cJSON_AddArrayToObject(root, "labels");
    for (size_t i = 0; arr && i < r->nlabels; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(r->labels[i]));
    cJSON_AddStringToObject(root, "ngram_config", cfg);
    cJSON_AddBoolToObject(root, "no_punct", (o->token_flags & STANCE_TOK_NO_PUNCT) != 0);
    cJSON_AddStringToObject(root, "weighting",
                            o->weighting == STANCE_WEIGHT_TFIDF ? "tfidf" : "binary");
    cJSON_AddNumberToObject(root, "min_df", o->min_df);
    cJSON_AddNumberToObject(root, "vocab_size", (double)r->vocab_size);
    cJSON_AddStringToObject(root, "kernel", o->kernel_rbf ? "rbf" : "linear");
    cJSON_AddStringToObject(root, "loss", r->squared_hinge ? "squared-hinge" : "hinge");
    cJSON_AddStringToObject(root, "multiclass", r->one_vs_rest ? "one-vs-rest" : "one-vs-one");
    cJSON_AddNumberToObject(root, "C", C);
    if (o->kernel_rbf)
        cJSON_AddNumberToObject(root, "gamma", gamma);
    cJSON_AddStringToObject(root, "class_weights", o->balanced ? "balanced" : "none");
    cJSON_AddBoolToObject(root, "probability", o->probability != 0);
    cJSON_AddNumberToObject(root, "seed", o->seed);
    cJSON_AddNumberToObject(root, "train_total", (double)r->ts->ndocs);
    counts = cJSON_AddObjectToObject(root, "train_counts");
    for (size_t i = 0; counts && i < r->nlabels; i++)
        cJSON_AddNumberToObject(counts, r->labels[i], (double)r->label_count[i]);
    if (cv) {
        cJSON *c = cJSON_AddObjectToObject(root, "cv");
        cJSON_AddNumberToObject(c, "folds", o->cv_folds ? o->cv_folds : 5);
        cJSON_AddNumberToObject(c, "accuracy", round(cv->accuracy * 1e6) / 1e6);
        cJSON_AddNumberToObject(c, "macro_f1", round(cv->macro_f1 * 1e6) / 1e6);
    } else {
        cJSON_AddNullToObject(root, "cv");
    }
    if (ngrid) {
        arr = cJSON_AddArrayToObject(root, "grid");
        for (size_t i = 0; arr && i < ngrid; i++) {
            cJSON *g = cJSON_CreateObject();
            cJSON_AddNumberToObject(g, "C", grid[i].C);
            if (o->kernel_rbf)
                cJSON_AddNumberToObject(g, "gamma", grid[i].gamma);
            cJSON_AddNumberToObject(g, "accuracy", round(grid[i].accuracy * 1e6) / 1e6);
            cJSON_AddNumberToObject(g, "macro_f1", round(grid[i].macro_f1 * 1e6) / 1e6);
            cJSON_AddItemToArray(arr, g);
        }
    }
    cJSON_AddStringToObject(root, "stance_version", STANCE_VERSION);
    text = cJSON_Print(root);
    if (!text)
        goto out;
    if (report && (stance_buf_adds(report, text) || stance_buf_addc(report, '\n')))
        goto out;
    stance_buf b = {0};
    if (stance_buf_adds(&b, text) || stance_buf_addc(&b, '\n')) {
        stance_buf_release(&b);
        goto out;
    }
    rc = write_all(path, b.data, b.len);
    stance_buf_release(&b);
out:
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}

static int check_labels(run *r, char *err)
{
    const stance_trainset *ts = r->ts;
    if (ts->ndocs == 0) {
        snprintf(err, STANCE_ERRBUF, "no training records");
        return STANCE_EDATA;
    }
    if (ts->nlabels < 2) {
        snprintf(err, STANCE_ERRBUF,
                 "only one label ('%.100s') in field '%.60s'; a classifier needs two or more",
                 ts->label_names[0], r->o->field);
        return STANCE_EDATA;
    }
    r->nlabels = ts->nlabels;
    r->labels = malloc(ts->nlabels * sizeof *r->labels);
    r->label_count = calloc(ts->nlabels, sizeof *r->label_count);
    r->doc_class = malloc(ts->ndocs * sizeof *r->doc_class);
    if (!r->labels || !r->label_count || !r->doc_class)
        return STANCE_ENOMEM;
    memcpy(r->labels, ts->label_names, ts->nlabels * sizeof *r->labels);
    qsort(r->labels, r->nlabels, sizeof *r->labels, cmp_str);
    size_t map[STANCE_MAX_LABELS];
    for (size_t i = 0; i < ts->nlabels; i++)
        for (size_t j = 0; j < r->nlabels; j++)
            if (!strcmp(ts->label_names[i], r->labels[j]))
                map[i] = j;
    for (size_t d = 0; d < ts->ndocs; d++) {
        r->doc_class[d] = map[ts->doc_label[d]];
        r->label_count[r->doc_class[d]]++;
    }
    int need = r->o->cv_folds > 2 ? r->o->cv_folds : 2;
    for (size_t i = 0; i < r->nlabels; i++)
        if (r->label_count[i] < (size_t)need) {
            snprintf(err, STANCE_ERRBUF,
                     "label '%.100s' has %zu example%s; at least %d needed%s",
                     r->labels[i], r->label_count[i], r->label_count[i] == 1 ? "" : "s",
                     need, need > 2 ? " for the cross-validation folds" : "");
            return STANCE_EDATA;
        }
    return 0;
}

int stance_train(stance_trainset *ts, const stance_train_options *o,
                 const char *dir_in, stance_buf *report, char *err)
{
    run r = {0};
    char *dir = NULL, *tmp = NULL;
    int rc;
    grid_point cv_point, *grid = NULL;
    size_t ngrid = 0;
    struct svm_model *model = NULL;
    stance_buf path = {0};

    err[0] = '\0';
    r.ts = ts;
    r.o = o;
    if ((rc = stance_train_options_check(o, err)))
        goto out;
    r.squared_hinge = stance_train_loss(o) == STANCE_LOSS_SQUARED_HINGE;
    r.one_vs_rest = stance_train_multiclass(o) == STANCE_MULTICLASS_OVR && ts->nlabels > 2;
    svm_set_print_string_function(quiet_libsvm);
    if ((rc = check_labels(&r, err)))
        goto out;
    if ((rc = select_vocab(&r)) || (rc = build_problem(&r)))
        goto out;
    r.fit = &r.prob;
    if (stance_train_uses_gram(o, ts->ndocs) && (rc = compute_gram(&r)))
        goto out;
    if (r.vocab_size == 0) {
        snprintf(err, STANCE_ERRBUF, "no n-gram occurs in %d or more records; "
                 "lower --min-df or add data", o->min_df);
        rc = STANCE_EDATA;
        goto out;
    }
    /* the temporary directory sits beside the target, so the final rename
     * stays on one file system; made before the long work, so an
     * unwritable place fails at once */
    size_t n = strlen(dir_in);
    while (n > 1 && dir_in[n - 1] == '/')
        n--;
    dir = strndup(dir_in, n);
    tmp = malloc(n + 16);
    if (!dir || !tmp) {
        rc = STANCE_ENOMEM;
        goto out;
    }
    snprintf(tmp, n + 16, "%s.tmp.XXXXXX", dir);
    if (!mkdtemp(tmp)) {
        snprintf(err, STANCE_ERRBUF, "cannot create a directory beside '%.200s': %s",
                 dir, strerror(errno));
        free(tmp);
        tmp = NULL;
        rc = STANCE_EIO;
        goto out;
    }
    chmod(tmp, 0755);
    double gamma = o->gamma > 0 ? o->gamma : 1.0 / (double)r.vocab_size;
    double C = o->C;
    int folds = o->cv_folds ? o->cv_folds : 5;
    if (o->grid) {
        static const double Cs[] = {0.03, 0.1, 0.3, 1, 3, 10, 30};
        static const double gammas[] = {0.1, 0.3, 1, 3};
        size_t nC = sizeof Cs / sizeof *Cs, nG = o->kernel_rbf ? 4 : 1;
        grid = calloc(nC * nG, sizeof *grid);
        if (!grid) {
            rc = STANCE_ENOMEM;
            goto out;
        }
        for (size_t i = 0; i < nC; i++)
            for (size_t g = 0; g < nG; g++)
                grid[ngrid++] = (grid_point){Cs[i], o->kernel_rbf ? gammas[g] : gamma, 0, 0};
        if ((rc = cross_validate(&r, grid, ngrid, folds, err)))
            goto out;
        size_t best = 0;
        for (size_t i = 1; i < ngrid; i++)
            if (grid[i].macro_f1 > grid[best].macro_f1 + 1e-12)
                best = i;
        C = grid[best].C;
        gamma = grid[best].gamma;
        cv_point = grid[best];
    } else if (o->cv_folds) {
        cv_point = (grid_point){C, gamma, 0, 0};
        if ((rc = cross_validate(&r, &cv_point, 1, folds, err)))
            goto out;
    }

    if (o->progress)
        o->progress(o->progress_ctx, "training the final model");
    if (stance_buf_addf(&path, "%s/%s", tmp, MODEL_SVM)) {
        rc = STANCE_ENOMEM;
        goto out;
    }
    if (r.one_vs_rest) {
        if ((rc = save_ovr_model(&r, C, path.data, err)))
            goto out;
    } else {
        int wl[STANCE_MAX_LABELS];
        double w[STANCE_MAX_LABELS];
        struct svm_parameter param;
        set_param(&r, &param, C, gamma, o->probability, wl, w);
        const char *why = svm_check_parameter(r.fit, &param);
        if (why) {
            snprintf(err, STANCE_ERRBUF, "libsvm refuses the parameters: %s", why);
            rc = STANCE_EARG;
            goto out;
        }
        /* libsvm's Platt scaling shuffles with rand() */
        srand(o->seed);
        model = svm_train(r.fit, &param);
        if (r.gram)
            gram_model_to_linear(&r, model);
        if (r.squared_hinge)
            clear_self_terms(&r);
        if ((rc = save_svm_model(&r, model, path.data, err)))
            goto out;
    }
    stance_buf_reset(&path);
    if (stance_buf_addf(&path, "%s/%s", tmp, MODEL_VOCAB)) {
        rc = STANCE_ENOMEM;
        goto out;
    }
    if ((rc = write_vocab(&r, path.data))) {
        snprintf(err, STANCE_ERRBUF, "cannot write '%.200s': %s", path.data,
                 strerror(errno));
        goto out;
    }
    stance_buf_reset(&path);
    if (stance_buf_addf(&path, "%s/%s", tmp, MODEL_MANIFEST)) {
        rc = STANCE_ENOMEM;
        goto out;
    }
    if ((rc = write_manifest(&r, path.data, C, gamma,
                             o->grid || o->cv_folds ? &cv_point : NULL, grid, ngrid,
                             report))) {
        snprintf(err, STANCE_ERRBUF, "cannot write '%.200s': %s", path.data,
                 strerror(errno));
        goto out;
    }
    if (fsync_file(tmp) || (rc = install_dir(tmp, dir, err))) {
        if (!rc) {
            snprintf(err, STANCE_ERRBUF, "cannot sync '%.200s': %s", tmp, strerror(errno));
            rc = STANCE_EIO;
        }
        goto out;
    }
    free(tmp);
    tmp = NULL;
    rc = 0;
out:
    if (tmp) {
        remove_model_dir(tmp);
        free(tmp);
    }
    svm_free_and_destroy_model(&model);
    free(dir);
    free(grid);
    free(r.labels);
    free(r.label_count);
    free(r.doc_class);
    free(r.feature_of);
    free(r.vocab_ids);
    free(r.idf);
    free(r.prob.x);
    free(r.prob.y);
    free(r.node_pool);
    free(r.gram);
    free(r.gram_diag);
    free(r.prob_gram.x);
    stance_buf_release(&path);
    return rc;
}
