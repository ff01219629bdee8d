/* robust.c: regression tests for what fuzzing and hostile input found
 * (issue 5): each test names the input that once crashed or misbehaved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "stance.h"

static int tokens_clean(const stance_tokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *s = t->text.data + t->start[i];
        for (size_t j = 0; j < t->len[i]; j++)
            if ((unsigned char)s[j] <= ' ')
                return 0;
        if (t->len[i] == 0)
            return 0;
    }
    return 1;
}

static void test_text(void)
{
    stance_buf b = {0};
    CHECK("robust: a first grow holds an empty string",
          stance_buf_grow(&b, 0) == 0 && b.data && b.data[0] == '\0');
    stance_buf_release(&b);

    stance_tokens t = {0};
    /* fuzz_text: a URL ran on to the next space, taking NUL and control
     * bytes (JSON text can hold \u0001) into the token */
    static const char url[] = "see https://ex.com\0\x01/a b";
    CHECK("robust: a URL ends at a control character",
          stance_tokenize(url, sizeof url - 1, 0, &t) == 0 && tokens_clean(&t) &&
              t.n >= 2 && t.len[1] == strlen("https://ex.com"));
    /* fuzz_text: strchr("._%+-", c) is true for NUL, so an e-mail
     * address took NUL bytes into its local part */
    static const char mail[] = "pa\0\0a.b@example.org";
    CHECK("robust: an e-mail address stops at a NUL byte",
          stance_tokenize(mail, sizeof mail - 1, 0, &t) == 0 && tokens_clean(&t) &&
              t.n == 2 && t.len[1] == strlen("a.b@example.org"));
    /* fuzz_text: a zero-width joiner before a space took the space into
     * the emoji's token, which `stance ngrams` then refused */
    static const char zwj[] = "hi \xF0\x9F\x91\xA8\xE2\x80\x8D there";
    CHECK("robust: a joiner before a space joins nothing",
          stance_tokenize(zwj, sizeof zwj - 1, 0, &t) == 0 && tokens_clean(&t) &&
              t.n == 3 && t.len[1] == 4);
    static const char zwj_end[] = "\xF0\x9F\x91\xA8\xE2\x80\x8D";
    CHECK("robust: a joiner at the end joins nothing",
          stance_tokenize(zwj_end, sizeof zwj_end - 1, 0, &t) == 0 && t.n == 1 &&
              t.len[0] == 4);
    static const char family[] = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9 x";
    CHECK("robust: a joiner still joins two emoji",
          stance_tokenize(family, sizeof family - 1, 0, &t) == 0 && t.n == 2 &&
              t.len[0] == 11);
    stance_tokens_release(&t);
}

/* Writes a model directory from three strings (NULL: no such file). */
static void write_model(const char *dir, const char *manifest, const char *vocab,
                        const char *svm)
{
    const char *names[3] = {"manifest.json", "vocab.tsv", "svm.model"};
    const char *texts[3] = {manifest, vocab, svm};
    char path[512];
    mkdir(dir, 0755);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
        if (!texts[i])
            continue;
        FILE *f = fopen(path, "wb");
        if (f) {
            fputs(texts[i], f);
            fclose(f);
        }
    }
}

static void remove_model(const char *dir)
{
    write_model(dir, NULL, NULL, NULL);
    rmdir(dir);
}

#define MANIFEST(vocab_size, extra)                                               \
    "{\"format\":\"stance-model\",\"version\":1,\"field\":\"f\",\"labels\":[\"a\","  \
    "\"b\"],\"ngram_config\":\"w1\",\"no_punct\":false,\"weighting\":\"tfidf\","     \
    "\"kernel\":\"linear\",\"probability\":" extra ",\"vocab_size\":" vocab_size "}\n"
#define VOCAB "1\t1.5\tw:police\n2\t2\tw:local\n3\t1.25\tw:ice\n"
#define SVM_HEAD                                                                 \
    "svm_type c_svc\nkernel_type linear\nnr_class 2\ntotal_sv 2\nrho 0.1\nlabel 0 1\n"
#define SVM_PROB "probA -2\nprobB 0.1\n"
#define SVM_SV "nr_sv 1 1\nSV\n1 1:0.5 3:0.5\n-1 2:1\n"

/* Loads dir and returns the error (0 when it loaded); err must hold want. */
static int load_fails(const char *dir, const char *want)
{
    stance_model *m = NULL;
    char err[STANCE_ERRBUF];
    int rc = stance_model_load(dir, &m, err);
    int ok = rc == STANCE_EMODEL && m == NULL && strstr(err, want) != NULL;
    if (!ok)
        printf("  (load of %s: %d, '%s')\n", dir, rc, rc ? err : "");
    stance_model_free(&m);
    return ok;
}

static void test_models(void)
{
    char dir[] = "/tmp/stance-robust.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK("robust: scratch directory", 0);
        return;
    }
    char m[600];
    snprintf(m, sizeof m, "%s/m", dir);

    write_model(m, MANIFEST("3", "true"), VOCAB, SVM_HEAD SVM_PROB SVM_SV);
    stance_model *model = NULL;
    char err[STANCE_ERRBUF];
    CHECK("robust: the tiny model loads", stance_model_load(m, &model, err) == 0);
    stance_model_free(&model);

    /* fuzz_model: an empty manifest.json was read past its end */
    write_model(m, "", VOCAB, SVM_HEAD SVM_PROB SVM_SV);
    CHECK("robust: an empty manifest is not JSON", load_fails(m, "is not valid JSON"));
    write_model(m, MANIFEST("3", "true") "\0junk", VOCAB, SVM_HEAD SVM_PROB SVM_SV);
    /* fputs stops at the NUL: write the NUL byte by hand */
    {
        char path[700];
        snprintf(path, sizeof path, "%s/vocab.tsv", m);
        FILE *f = fopen(path, "ab");
        if (f) {
            fputs("4\t1\tw:x", f);
            fputc('\0', f);
            fputs("y\n", f);
            fclose(f);
        }
    }
    CHECK("robust: a NUL byte in vocab.tsv", load_fails(m, "holds a NUL byte"));
    /* a manifest promising a billion n-grams must not allocate for them */
    write_model(m, MANIFEST("999999999", "true"), VOCAB, SVM_HEAD SVM_PROB SVM_SV);
    CHECK("robust: vocab_size beyond vocab.tsv",
          load_fails(m, "has 3 entries but the manifest says 999999999"));
    write_model(m, MANIFEST("2", "true"), VOCAB, SVM_HEAD SVM_PROB SVM_SV);
    CHECK("robust: vocab.tsv longer than the manifest says",
          load_fails(m, "has 3 entries but the manifest says 2"));
    /* nor a total_sv of fifty million in a file of two lines */
    write_model(m, MANIFEST("3", "true"), VOCAB,
                "svm_type c_svc\nkernel_type linear\nnr_class 2\ntotal_sv 50000000\n"
                "rho 0.1\nlabel 0 1\n" SVM_PROB "nr_sv 25000000 25000000\nSV\n"
                "1 1:0.5\n-1 2:1\n");
    CHECK("robust: total_sv beyond the file", load_fails(m, "fewer support vectors"));
    write_model(m, MANIFEST("3", "false"), VOCAB, SVM_HEAD SVM_PROB SVM_SV);
    CHECK("robust: probA/probB the manifest does not promise",
          load_fails(m, "the manifest says no probabilities"));
    write_model(m, MANIFEST("3", "true"), "1\t1.5\tw:police\n2\t2\tw:local\n3\t1.25\tw:ice age\n",
                SVM_HEAD SVM_PROB SVM_SV);
    CHECK("robust: a word bigram in a w1 model's vocabulary",
          load_fails(m, "disagrees with the manifest's ngram_config 'w1-1'"));
    write_model(m, MANIFEST("3", "true"), "1\t1.5\tw:police\n2\t2\tw:local\n3\t1.25\tc:<i\n",
                SVM_HEAD SVM_PROB SVM_SV);
    CHECK("robust: a character n-gram in a words-only model",
          load_fails(m, "disagrees with the manifest's ngram_config"));
    /* 1e308 coefficients times 1e308 values: infinite weights, and
     * --explain printed "inf" and "-nan" into the JSON */
    write_model(m, MANIFEST("3", "true"), VOCAB,
                SVM_HEAD SVM_PROB "nr_sv 1 1\nSV\n1e308 1:1e308 3:-1e308\n-1 2:1\n");
    CHECK("robust: a coefficient of 1e308", load_fails(m, "line 11: invalid coefficient"));
    write_model(m, MANIFEST("3", "true"), VOCAB,
                SVM_HEAD SVM_PROB "nr_sv 1 1\nSV\n1 1:1e300\n-1 2:1\n");
    CHECK("robust: a feature value of 1e300", load_fails(m, "line 11: invalid feature value"));
    write_model(m, MANIFEST("3", "true"), VOCAB,
                "svm_type c_svc\nkernel_type linear\nnr_class 2\ntotal_sv 2\nrho 1e200\n"
                "label 0 1\n" SVM_PROB SVM_SV);
    CHECK("robust: a rho of 1e200", load_fails(m, "line 5: invalid rho"));
    write_model(m, MANIFEST("3", "true"), "1\t1e300\tw:police\n2\t2\tw:local\n3\t1.25\tw:ice\n",
                SVM_HEAD SVM_PROB SVM_SV);
    CHECK("robust: an idf of 1e300", load_fails(m, "vocab.tsv' line 1 is malformed"));
    write_model(m, MANIFEST("3", "true"), VOCAB, NULL);
    CHECK("robust: a missing svm.model", load_fails(m, "svm.model"));
    remove_model(m);
    CHECK("robust: a missing model directory", load_fails(m, "cannot read model directory"));
    rmdir(dir);
}

void run_robust_tests(void)
{
    test_text();
    test_models();
}
