/* fuzz_model.c: libFuzzer harness for model directories from strangers.
 * The input is cut at lines holding only "%%" into manifest.json,
 * vocab.tsv and svm.model (a missing part means a missing file), written
 * to a scratch directory and loaded with stance_model_load. A model that
 * loads must predict a paragraph without trouble: a label in range and
 * probabilities that are numbers from 0 to 1, since they are printed as
 * JSON. Seeds: tests/fuzz/corpus-model/, small real models cut this way. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stance.h"

#define REQUIRE(cond)                                                      \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "fuzz_model: %s:%d: %s\n", __FILE__, __LINE__, \
                    #cond);                                                \
            abort();                                                       \
        }                                                                  \
    } while (0)

static char dir[64];
static const char *const names[3] = {"manifest.json", "vocab.tsv", "svm.model"};

static void cleanup(void)
{
    char path[128];
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void put(int i, const uint8_t *p, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (!p) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (n && fwrite(p, 1, n, f) != n)
        abort();
    if (fclose(f))
        abort();
}

static const uint8_t *find_sep(const uint8_t *p, const uint8_t *end)
{
    for (const uint8_t *q = p; end - q >= 4; q++)
        if (!memcmp(q, "\n%%\n", 4))
            return q;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(dir, sizeof dir, "%s/fuzz-model.XXXXXX", base);
        if (!mkdtemp(dir))
            abort();
        atexit(cleanup);
    }
    const uint8_t *p = data, *end = data + size;
    for (int i = 0; i < 3; i++) {
        if (!p) {
            put(i, NULL, 0);
            continue;
        }
        const uint8_t *sep = i < 2 ? find_sep(p, end) : NULL;
        const uint8_t *part_end = sep ? sep + 1 : end; /* keep the newline */
        put(i, p, (size_t)(part_end - p));
        p = sep ? sep + 4 : NULL;
    }

    stance_model *m = NULL;
    char err[STANCE_ERRBUF];
    stance_tokens toks = {0};
    stance_features x = {0};
    stance_buf scratch = {0}, key = {0};
    int rc = stance_model_load(dir, &m, err);
    if (rc) {
        REQUIRE(m == NULL);
        REQUIRE(rc != STANCE_EMODEL || err[0]);
        goto out;
    }
    size_t k = stance_model_label_count(m);
    REQUIRE(k >= 2 && k <= STANCE_MAX_LABELS);
    for (size_t i = 0; i < k; i++)
        REQUIRE(stance_model_label(m, i) != NULL);
    REQUIRE(stance_model_field(m)[0] != '\0');
    static const char text[] =
        "The sheriff said on Tuesday that deputies would not honor ICE detainers, "
        "calling the policy \"a matter of local control\" - 287(g) ended in 2019.";
    if (stance_tokenize(text, sizeof text - 1, stance_model_token_flags(m), &toks) ||
        stance_model_features_from_tokens(m, &toks, &scratch, &x))
        goto out;
    stance_prediction pred;
    if (stance_model_predict(m, &x, &pred))
        goto out;
    REQUIRE(pred.label < k);
    for (size_t i = 0; i < k; i++)
        REQUIRE(isfinite(pred.prob[i]) && pred.prob[i] >= -1e-9 && pred.prob[i] <= 1 + 1e-9);
    stance_contribution toward[5], against[5];
    size_t nt, na;
    double score, bias;
    if (stance_model_explain(m, &x, pred.label, 5, toward, &nt, against, &na, &score,
                             &bias) == 0) {
        /* --explain prints these with %f: they must be numbers */
        REQUIRE(isfinite(score) && isfinite(bias));
        REQUIRE(nt <= 5 && na <= 5);
        for (size_t i = 0; i < nt; i++)
            REQUIRE(isfinite(toward[i].contribution));
        for (size_t i = 0; i < na; i++)
            REQUIRE(isfinite(against[i].contribution));
        for (size_t i = 0; i < nt; i++) {
            stance_buf_reset(&key);
            REQUIRE(stance_model_feature_key(m, toward[i].feature, &key) == 0);
        }
        for (size_t i = 0; i < na; i++) {
            stance_buf_reset(&key);
            REQUIRE(stance_model_feature_key(m, against[i].feature, &key) == 0);
        }
    }
    size_t ntop;
    stance_contribution top[3];
    stance_model_top_features(m, 0, 3, top, &ntop);
out:
    stance_model_free(&m);
    stance_tokens_release(&toks);
    stance_features_release(&x);
    stance_buf_release(&scratch);
    stance_buf_release(&key);
    return 0;
}
