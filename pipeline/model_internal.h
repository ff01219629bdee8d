/* model_internal.h: the model bundle's layout, shared by the loader, the
 * predictor and the trainer. */
#ifndef STANCE_MODEL_INTERNAL_H
#define STANCE_MODEL_INTERNAL_H

#include <libsvm/svm.h>

#include "internal.h"

#define MODEL_MANIFEST "manifest.json"
#define MODEL_VOCAB "vocab.tsv"
#define MODEL_SVM "svm.model"

struct stance_model {
    char *manifest_text;
    char *field;
    char **labels; /* our label index order (sorted) */
    size_t nlabels;
    stance_ngram_config ngrams;
    unsigned token_flags;
    stance_weighting weighting;
    int probability;
    stance_keymap vocab; /* id = 0-based feature index */
    double *idf;
    size_t vocab_size;
    size_t word_start; /* first word n-gram's index; char n-grams sort first */
    /* libsvm's side, in libsvm's class order */
    int rbf;
    size_t npairs;
    int *class_label;    /* libsvm class position -> our label index */
    double *rho, *prob_a, *prob_b;
    double *w;           /* linear: w[feature * npairs + pair] */
    /* linear: 2^k of the fixed point in which decision values are summed
     * (stance_model_fix_point) */
    double fix_sq, fix_dot;
    struct svm_model *svm; /* rbf: the model itself, for libsvm to predict */
};

/* Appends one n-gram hit; stance_features_finish weighs and normalizes. */
int stance_features_hit(stance_features *f, uint32_t feature, uint32_t count);
/* Weighs the counts in dense[] of the n distinct features ids[0..n), in
 * their order, as stance_features_weigh would; leaves dense zeroed. */
int stance_features_from_dense(stance_features *f, uint32_t *dense, const uint32_t *ids,
                               size_t n, const double *idf, stance_weighting weighting);
/* Makes room for n weighted features in index[] and value[]. */
int stance_features_reserve_vector(stance_features *f, size_t n);
/* Makes room for `more` hits beyond nhits. */
int stance_features_reserve(stance_features *f, size_t more);
/* The hits, merged by feature and weighed: a raw vector, indices ascending. */
int stance_features_weigh(stance_features *f, const double *idf,
                          size_t vocab_size, stance_weighting weighting);
/* A raw vector sorted by index, each block scaled to unit length. */
int stance_features_normalize(stance_features *f, size_t word_start);
/* stance_features_weigh, then stance_features_normalize: what training sees. */
int stance_features_finish(stance_features *f, const double *idf,
                           size_t vocab_size, size_t word_start,
                           stance_weighting weighting);

/* Platt's sigmoid P(positive | f) = 1 / (1 + exp(A f + B)) fitted to n
 * decision values by maximum likelihood, with the targets smoothed toward
 * the class priors (Platt 1999; the Newton method with backtracking of Lin,
 * Lin and Weng 2007), as libsvm fits the pairs' probabilities. */
void stance_platt_fit(const double *dec, const unsigned char *positive, size_t n,
                      double *A, double *B);

/* Chooses a linear model's fixed points (fix_sq, fix_dot) from its weights
 * and idf, so that no vector's sums can overflow 64 bits; call once w is
 * complete. */
void stance_model_fix_point(stance_model *m);

/* Parses libsvm's text model format (svm_save_model's output) into m's
 * libsvm side, validating everything; never trusts the file. */
int stance_svm_parse(const char *text, size_t len, stance_model *m, char *err);

/* A linear model's weights, written in libsvm's model format with one
 * "support vector" per pair of labels: the pair's weight vector, with
 * coefficient 1 for that pair and 0 for the others. svm-predict computes
 * the same decision values from it as from the real support vectors, and
 * stance_svm_parse reads back the very same weights (%.17g), so
 * predictions do not change; the file has a line per pair instead of one
 * per training record. */
int stance_svm_format_linear(const stance_model *m, stance_buf *out);

/* Reads the file at path (relative to dirfd); NUL-terminated. */
int stance_read_file_at(int dirfd, const char *path, stance_buf *out);

/* Pairwise coupling of libsvm's probability estimates (Wu, Lin and Weng
 * 2004, their second method, as libsvm runs it). */
void stance_couple_probabilities(size_t k, double **r, double *p);

#endif
