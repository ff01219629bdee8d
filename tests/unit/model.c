/* model.c: unit tests for training and prediction: linear collapse against
 * libsvm's own svm_predict_probability, explanations that add up, and
 * byte-identical retraining. */
#include <math.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <libsvm/svm.h>

#include "check.h"
#include "stance.h"
#include "model_internal.h"

/* Compares stance's prediction with libsvm's on every record of a file;
 * prints one PASS or FAIL line. */
int run_agreement(const char *model_dir, const char *records)
{
    char err[STANCE_ERRBUF], path[4096];
    stance_model *m = NULL;
    stance_tokens t = {0};
    stance_features x = {0};
    stance_buf scratch = {0};
    snprintf(path, sizeof path, "%s/svm.model", model_dir);
    struct svm_model *ref = svm_load_model(path);
    if (stance_model_load(model_dir, &m, err) || !ref) {
        printf("FAIL agree %s: cannot load (%s)\n", model_dir, err);
        return 1;
    }
    FILE *f = fopen(records, "r");
    char *line = NULL;
    size_t cap = 0, n = 0, label_diff = 0;
    double worst = 0;
    int k = svm_get_nr_class(ref), labels[64];
    svm_get_labels(ref, labels);
    while (f && getline(&line, &cap, f) > 0) {
        cJSON *r = cJSON_Parse(line);
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(r, "text");
        stance_tokenize(text->valuestring, strlen(text->valuestring),
                        stance_model_token_flags(m), &t);
        stance_model_features_from_tokens(m, &t, &scratch, &x);
        /* stance predicts from the raw features, libsvm from normalized ones */
        stance_prediction p;
        stance_model_predict(m, &x, &p);
        stance_model_normalize(m, &x);
        struct svm_node *nodes = malloc((x.n + 1) * sizeof *nodes);
        for (size_t i = 0; i < x.n; i++)
            nodes[i] = (struct svm_node){x.index[i], x.value[i]};
        nodes[x.n].index = -1;
        double prob[64];
        int want = (int)svm_predict_probability(ref, nodes, prob);
        label_diff += (int)p.label != want;
        for (int c = 0; c < k; c++) {
            double d = fabs(p.prob[labels[c]] - prob[c]);
            if (d > worst)
                worst = d;
        }
        free(nodes);
        cJSON_Delete(r);
        n++;
    }
    free(line);
    if (f)
        fclose(f);
    int ok = n > 0 && label_diff == 0 && worst < 1e-9;
    printf("%s agree with libsvm on %zu records of %s (%zu labels differ, "
           "largest probability difference %.3g)\n",
           ok ? "PASS" : "FAIL", n, records, label_diff, worst);
    svm_free_and_destroy_model(&ref);
    stance_model_free(&m);
    stance_tokens_release(&t);
    stance_features_release(&x);
    stance_buf_release(&scratch);
    return !ok;
}

static const char *const tiny[][2] = {
    {"the city will not honor ice detainers without a warrant", "local"},
    {"sanctuary policy protects community trust and victims", "local"},
    {"the mayor defended limits on cooperation with ice", "local"},
    {"advocates praised the trust act for keeping families together", "local"},
    {"the sheriff signed a 287(g) agreement with ice", "federal"},
    {"honoring detainers keeps dangerous criminals off the streets", "federal"},
    {"the union called the refusal a dereliction of duty", "federal"},
    {"the state banned sanctuary policies and required cooperation", "federal"},
    {"the council meets tuesday at seven in city hall", "neutral"},
    {"what is a detainer and how does it work", "neutral"},
    {"the report counts arrests by year and county", "neutral"},
    {"weather will be sunny with a high of seventy", "neutral"},
};

static int train_tiny(const char *dir, int probability, char *err)
{
    stance_train_options o;
    stance_trainset *ts = NULL;
    stance_tokens t = {0};
    stance_ngram_counts c = {0};
    stance_train_options_default(&o);
    o.field = "stance";
    o.min_df = 1;
    o.probability = probability;
    int rc = stance_trainset_new(&o, &ts);
    for (size_t i = 0; !rc && i < sizeof tiny / sizeof *tiny; i++) {
        rc = stance_tokenize(tiny[i][0], strlen(tiny[i][0]), 0, &t);
        if (!rc)
            rc = stance_ngram_count(&t, &o.ngrams, &c);
        if (!rc)
            rc = stance_trainset_add(ts, &c, tiny[i][1]);
    }
    if (!rc)
        rc = stance_train(ts, &o, dir, NULL, err);
    stance_trainset_free(&ts);
    stance_tokens_release(&t);
    stance_ngram_counts_release(&c);
    return rc;
}

static int read_all(const char *path, stance_buf *b)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    if (!f)
        return -1;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        stance_buf_add(b, chunk, n);
    fclose(f);
    return 0;
}

static int same_file(const char *a, const char *b)
{
    stance_buf x = {0}, y = {0};
    int same = !read_all(a, &x) && !read_all(b, &y) && x.len == y.len &&
               !memcmp(x.data, y.data, x.len);
    stance_buf_release(&x);
    stance_buf_release(&y);
    return same;
}

/* Regression: the radix sort swapped the hit buffer with its scratch copy
 * but not their capacities, so a later, larger paragraph overflowed. */
static void test_features_buffers(void)
{
    stance_features x = {0};
    double idf[300];
    int ok = 1;
    for (int i = 0; i < 300; i++)
        idf[i] = 1.0;
    for (size_t round = 1; round <= 4 && ok; round++) {
        for (size_t i = 0; i < round * 1500; i++)
            ok = ok && !stance_features_hit(&x, (uint32_t)(i * 7 % 200), 1);
        ok = ok && !stance_features_finish(&x, idf, 200, 100, STANCE_WEIGHT_TFIDF) &&
             x.n == 200;
        for (size_t i = 1; ok && i < x.n; i++)
            ok = x.index[i - 1] < x.index[i];
    }
    CHECK("features: growing paragraphs after a buffer swap", ok);
    stance_features_release(&x);
}

/* The fused path leaves a paragraph's features unsorted: predictions and
 * explanations must be the same bits in any order, and the raw vector must
 * predict what its normalized form (what libsvm sees) predicts. */
static void test_order_independence(const stance_model *m, const stance_features *x)
{
    stance_features rev = {0}, norm = {0};
    int ok = x->raw && x->n > 2 && !stance_features_reserve_vector(&rev, x->n) &&
             !stance_features_reserve_vector(&norm, x->n);
    for (size_t i = 0; ok && i < x->n; i++) {
        rev.index[i] = x->index[x->n - 1 - i];
        rev.value[i] = x->value[x->n - 1 - i];
        norm.index[i] = x->index[i];
        norm.value[i] = x->value[i];
    }
    rev.n = norm.n = x->n;
    rev.raw = norm.raw = 1;
    stance_prediction a, b, c;
    ok = ok && !stance_model_predict(m, x, &a) && !stance_model_predict(m, &rev, &b) &&
         !memcmp(&a, &b, sizeof a);
    CHECK("predict: the same bits whatever the order of the features", ok);
    ok = !stance_model_normalize(m, &norm) && !norm.raw &&
         !stance_model_predict(m, &norm, &c) && a.label == c.label;
    for (size_t l = 0; ok && l < stance_model_label_count(m); l++)
        ok = fabs(a.prob[l] - c.prob[l]) < 1e-12;
    CHECK("predict: raw features predict what their normalized form does", ok);
    stance_contribution ta[4], tb[4], aa[4], ab[4];
    size_t nta, ntb, naa, nab;
    double sa, sb, ba, bb;
    ok = !stance_model_explain(m, x, a.label, 4, ta, &nta, aa, &naa, &sa, &ba) &&
         !stance_model_explain(m, &rev, a.label, 4, tb, &ntb, ab, &nab, &sb, &bb) &&
         nta == ntb && naa == nab && sa == sb && ba == bb &&
         !memcmp(ta, tb, nta * sizeof *ta) && !memcmp(aa, ab, naa * sizeof *aa);
    CHECK("explain: the same bits whatever the order of the features", ok);
    stance_features_release(&rev);
    stance_features_release(&norm);
}

/* The token cache starts over after so many distinct tokens (to keep
 * memory flat); features through it must equal features computed afresh
 * before, across and after every restart, with the paragraph that opened
 * the run coming back once its tokens have been forgotten. */
static void test_cache_restarts(const stance_model *m)
{
    stance_feature_cache *cache = stance_feature_cache_new();
    stance_tokens t = {0};
    stance_features want = {0}, got = {0};
    stance_buf text = {0}, scratch = {0};
    int ok = cache != NULL;
    const char *common = "the sheriff will honor ice detainers ";
    for (size_t para = 0; ok && para <= 2600; para++) {
        size_t from = para == 2600 ? 0 : para; /* the last repeats the first */
        stance_buf_reset(&text);
        stance_buf_add(&text, common, strlen(common));
        for (size_t w = 0; w < 60; w++)
            stance_buf_addf(&text, "w%zxq%zu ", from * 60 + w, w % 7);
        ok = !stance_tokenize(text.data, text.len, 0, &t) &&
             !stance_model_features_from_tokens(m, &t, &scratch, &want) &&
             !stance_model_features_cached(m, &t, cache, &got) &&
             /* the cache's features come unsorted: compare them sorted */
             !stance_model_normalize(m, &want) && !stance_model_normalize(m, &got) &&
             want.n == got.n &&
             !memcmp(want.index, got.index, want.n * sizeof *want.index) &&
             !memcmp(want.value, got.value, want.n * sizeof *want.value);
    }
    CHECK("features: the token cache gives fresh results across restarts", ok);
    stance_feature_cache_free(&cache);
    stance_tokens_release(&t);
    stance_features_release(&want);
    stance_features_release(&got);
    stance_buf_release(&text);
    stance_buf_release(&scratch);
}

/* A linear model written collapsed (stance_svm_format_linear) reads back
 * as the same weights, bit for bit, and libsvm's own loader and predictor
 * take it as an ordinary model with the same decision values. */
static void test_collapsed_svm(void)
{
    static const char full[] =
        "svm_type c_svc\nkernel_type linear\nnr_class 3\ntotal_sv 5\n"
        "rho 0.5 -0.25 0.125\nlabel 2 0 1\nprobA -1.5 -2 -0.75\nprobB 0.1 -0.2 0.3\n"
        "nr_sv 2 2 1\nSV\n"
        "0.7 0.3 1:0.1 3:0.33333333 \n"
        "-0.2 0.9 2:0.5 4:0.25 \n"
        "-1 0.4 1:0.6 2:0.2 \n"
        "0.8 -0.6 3:0.7 \n"
        "-0.3 -0.5 1:0.05 4:0.9 \n";
    char err[STANCE_ERRBUF], dir[] = "/tmp/stance-unit-svm.XXXXXX", path[2][64];
    stance_model *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    stance_buf text = {0};
    for (stance_model *m = a; m; m = m == a ? b : NULL) {
        m->nlabels = 3;
        m->vocab_size = 4;
        m->probability = 1;
    }
    int ok = !stance_svm_parse(full, sizeof full - 1, a, err) &&
             !stance_svm_format_linear(a, &text) &&
             !stance_svm_parse(text.data, text.len, b, err);
    CHECK("svm: a collapsed linear model parses", ok);
    CHECK("svm: collapsed, the same weights, rho and Platt parameters, bit for bit",
          ok && !memcmp(a->w, b->w, 4 * 3 * sizeof *a->w) &&
              !memcmp(a->rho, b->rho, 3 * sizeof *a->rho) &&
              !memcmp(a->prob_a, b->prob_a, 3 * sizeof *a->prob_a) &&
              !memcmp(a->prob_b, b->prob_b, 3 * sizeof *a->prob_b) &&
              !memcmp(a->class_label, b->class_label, 3 * sizeof *a->class_label));
    CHECK("svm: collapsed, one line per label pair", ok && strstr(text.data, "total_sv 3\n") &&
                                                          strstr(text.data, "nr_sv 2 1 0\n"));
    /* libsvm's view of both files */
    int libsvm_ok = ok && mkdtemp(dir) != NULL;
    struct svm_model *lm[2] = {NULL, NULL};
    for (int i = 0; libsvm_ok && i < 2; i++) {
        snprintf(path[i], sizeof path[i], "%s/%s.model", dir, i ? "collapsed" : "full");
        FILE *f = fopen(path[i], "w");
        libsvm_ok = f && fputs(i ? text.data : full, f) >= 0;
        if (f)
            fclose(f);
        libsvm_ok = libsvm_ok && (lm[i] = svm_load_model(path[i])) != NULL;
    }
    static const struct svm_node xs[3][4] = {
        {{1, 0.5}, {3, 0.25}, {4, 1}, {-1, 0}},
        {{2, 1}, {-1, 0}},
        {{1, -0.3}, {2, 0.7}, {3, 0.1}, {-1, 0}},
    };
    for (int t = 0; libsvm_ok && t < 3; t++) {
        double d0[3], d1[3], p0[3], p1[3];
        svm_predict_values(lm[0], xs[t], d0);
        svm_predict_values(lm[1], xs[t], d1);
        double l0 = svm_predict_probability(lm[0], xs[t], p0);
        double l1 = svm_predict_probability(lm[1], xs[t], p1);
        for (int p = 0; p < 3; p++)
            libsvm_ok = libsvm_ok && fabs(d0[p] - d1[p]) < 1e-12 && fabs(p0[p] - p1[p]) < 1e-12;
        libsvm_ok = libsvm_ok && l0 == l1;
    }
    CHECK("svm: libsvm predicts the same from the collapsed file", libsvm_ok);
    for (int i = 0; i < 2; i++) {
        svm_free_and_destroy_model(&lm[i]);
        if (ok)
            unlink(path[i]);
    }
    rmdir(dir);
    stance_buf_release(&text);
    stance_model_free(&a);
    stance_model_free(&b);
}

/* Platt's fit is at the maximum of its likelihood: the gradient in A and
 * B vanishes at the smoothed targets, for overlapping classes and for
 * separable ones, whose smoothing keeps the optimum finite. */
static void test_platt_fit(void)
{
    const double dec[] = {-2.5, -1.7, -1.2, -0.9, -0.4, -0.1, 0.2, 0.3, 0.8, 1.1, 1.9, 2.6};
    const unsigned char overlapping[] = {0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1};
    const unsigned char separable[] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    const unsigned char *cases[] = {overlapping, separable};
    size_t n = sizeof dec / sizeof *dec;
    for (int c = 0; c < 2; c++) {
        const unsigned char *y = cases[c];
        double A, B, npos = 0, g1 = 0, g2 = 0;
        for (size_t i = 0; i < n; i++)
            npos += y[i];
        stance_platt_fit(dec, y, n, &A, &B);
        for (size_t i = 0; i < n; i++) {
            double t = y[i] ? (npos + 1) / (npos + 2) : 1 / (n - npos + 2);
            double p = 1 / (1 + exp(dec[i] * A + B));
            g1 += dec[i] * (t - p);
            g2 += t - p;
        }
        CHECK(c ? "platt: separable classes, a finite maximum of the likelihood"
                : "platt: overlapping classes, at the maximum of the likelihood",
              isfinite(A) && isfinite(B) && A < 0 && fabs(g1) < 1e-4 && fabs(g2) < 1e-4);
    }
}

void run_model_tests(void)
{
    test_platt_fit();
    test_collapsed_svm();
    test_features_buffers();
    char err[STANCE_ERRBUF], dir1[256], dir2[256], a[300], b[300];
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir1, sizeof dir1, "%s/unit-model-1", tmp);
    snprintf(dir2, sizeof dir2, "%s/unit-model-2", tmp);
    CHECK("train: tiny model", train_tiny(dir1, 1, err) == 0);
    CHECK("train: again into another directory", train_tiny(dir2, 1, err) == 0);
    const char *files[] = {"manifest.json", "vocab.tsv", "svm.model"};
    int same = 1;
    for (int i = 0; i < 3; i++) {
        snprintf(a, sizeof a, "%s/%s", dir1, files[i]);
        snprintf(b, sizeof b, "%s/%s", dir2, files[i]);
        same &= same_file(a, b);
    }
    CHECK("train: deterministic, byte for byte", same);
    CHECK("train: replaces an existing model", train_tiny(dir1, 1, err) == 0);

    stance_model *m = NULL;
    CHECK("model: loads", stance_model_load(dir1, &m, err) == 0);
    if (!m)
        return;
    stance_tokens t = {0};
    stance_features x = {0};
    stance_buf scratch = {0};
    stance_prediction p;
    const char *probe = "the sheriff signed an agreement to honor detainers";
    stance_tokenize(probe, strlen(probe), 0, &t);
    stance_model_features_from_tokens(m, &t, &scratch, &x);
    CHECK("model: predicts", stance_model_predict(m, &x, &p) == 0);
    double sum = 0;
    for (size_t i = 0; i < stance_model_label_count(m); i++)
        sum += p.prob[i];
    CHECK("model: probabilities sum to 1", fabs(sum - 1) < 1e-6);
    test_order_independence(m, &x);
    /* Platt scaling needs more than four examples a label, so the
     * predict-back check uses the pairwise vote */
    char dir3[256];
    stance_model *vote = NULL;
    snprintf(dir3, sizeof dir3, "%s/unit-model-vote", tmp);
    CHECK("train: without probabilities", train_tiny(dir3, 0, err) == 0 &&
                                              stance_model_load(dir3, &vote, err) == 0);
    int back = vote != NULL;
    for (size_t i = 0; back && i < sizeof tiny / sizeof *tiny; i++) {
        stance_prediction q;
        stance_features y = {0};
        stance_tokenize(tiny[i][0], strlen(tiny[i][0]), 0, &t);
        stance_model_features_from_tokens(vote, &t, &scratch, &y);
        back = !stance_model_predict(vote, &y, &q) &&
               !strcmp(stance_model_label(vote, q.label), tiny[i][1]);
        stance_features_release(&y);
    }
    CHECK("model: predicts its training data back", back);
    stance_model_free(&vote);

    /* with every feature asked for, contributions plus bias give the score */
    stance_contribution *to = calloc(x.n + 1, sizeof *to), *ag = calloc(x.n + 1, sizeof *ag);
    size_t nt, na;
    double score, bias;
    int ok = 1;
    for (size_t l = 0; l < stance_model_label_count(m) && ok; l++) {
        ok = stance_model_explain(m, &x, l, x.n, to, &nt, ag, &na, &score, &bias) == 0;
        double total = bias;
        for (size_t i = 0; i < nt; i++)
            total += to[i].contribution;
        for (size_t i = 0; i < na; i++)
            total += ag[i].contribution;
        ok = ok && fabs(total - score) < 1e-9 && nt + na <= x.n;
        for (size_t i = 1; i < nt; i++)
            ok = ok && to[i - 1].contribution >= to[i].contribution;
    }
    CHECK("explain: contributions plus bias reproduce the score", ok);
    test_cache_restarts(m);
    free(to);
    free(ag);
    stance_model_free(&m);
    CHECK("model: free sets NULL", m == NULL);

    char bad[300];
    snprintf(bad, sizeof bad, "%s/no-such-model", tmp);
    CHECK("model: missing directory is EMODEL", stance_model_load(bad, &m, err) == STANCE_EMODEL &&
                                                    strstr(err, "cannot read"));
    stance_tokens_release(&t);
    stance_features_release(&x);
    stance_buf_release(&scratch);
}
