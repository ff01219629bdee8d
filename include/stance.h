/* stance.h: the library behind the `stance` command.
 *
 * Every stage of the command line (paragraph splitting, tokenizing, n-grams,
 * feature weighting, training and prediction) is a function here, so a C
 * program can embed the same pipeline. The library never prints and never
 * exits: functions return 0 or a negative STANCE_E* code, and those that can
 * fail on data fill a caller's error buffer with a lowercase message. */
#ifndef STANCE_H
#define STANCE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STANCE_VERSION "0.1.0"
#define STANCE_MODEL_FORMAT 1

enum {
    STANCE_OK = 0,
    STANCE_ENOMEM = -1,  /* allocation failed */
    STANCE_EIO = -2,     /* a system call failed; errno is kept */
    STANCE_EDATA = -3,   /* the input is malformed; see the error buffer */
    STANCE_EMODEL = -4,  /* a model directory is missing, corrupt or foreign */
    STANCE_EARG = -5,    /* a caller passed an invalid argument */
    STANCE_ESTRICT = -6  /* invalid UTF-8 under STANCE_TOK_STRICT */
};

/* A human-readable name for a STANCE_E* code; never NULL. */
const char *stance_strerror(int err);

#define STANCE_ERRBUF 256
#define STANCE_MAX_LABELS 64

/* ---- growable byte buffer ------------------------------------------------
 * Invariant: data is NUL-terminated whenever data != NULL, so it can be used
 * as a C string when it holds no NUL of its own. A zeroed struct is empty. */
typedef struct {
    char *data;
    size_t len, cap;
} stance_buf;

int stance_buf_grow(stance_buf *b, size_t extra);
int stance_buf_add(stance_buf *b, const void *p, size_t n);
int stance_buf_addc(stance_buf *b, char c);
int stance_buf_adds(stance_buf *b, const char *s);
int stance_buf_addf(stance_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
int stance_buf_add_json_string(stance_buf *b, const char *s, size_t n);
void stance_buf_reset(stance_buf *b);
void stance_buf_release(stance_buf *b);

/* ---- paragraphs ----------------------------------------------------------
 * Article text comes in two layouts: one paragraph per line (scraped text),
 * or hard-wrapped lines with blank lines between paragraphs. AUTO chooses
 * BLOCKS when the file has a blank line and a block of two or more lines, and
 * no line longer than STANCE_WRAP_WIDTH code points; LINES otherwise. */
typedef enum {
    STANCE_LAYOUT_AUTO = 0,
    STANCE_LAYOUT_LINES,
    STANCE_LAYOUT_BLOCKS
} stance_layout;

#define STANCE_WRAP_WIDTH 100

typedef struct {
    size_t start, end; /* byte offsets in the source, end exclusive */
    size_t line;       /* 1-based line number of start */
} stance_span;

/* Splits text (any bytes; CR, LF and CRLF end lines; a leading UTF-8 BOM is
 * skipped) into paragraph spans, trimmed of surrounding whitespace. *spans is
 * malloc'ed (free it), *n set; an empty or blank text gives *n == 0. */
int stance_split_paragraphs(const char *text, size_t len, stance_layout layout,
                            stance_span **spans, size_t *n);

/* Appends the clean text of src[0..len): line breaks, tabs and runs of
 * white space become one space, the ends are trimmed, control characters
 * become spaces, and every invalid UTF-8 sequence becomes U+FFFD.
 * *n_invalid (may be NULL) counts the replacements. */
int stance_clean_text(const char *src, size_t len, stance_buf *out,
                      size_t *n_invalid);

/* Counts invalid UTF-8 sequences in s (overlongs, surrogates, truncated
 * sequences, code points above U+10FFFF). */
size_t stance_utf8_invalid_count(const char *s, size_t len);

/* ---- tokens --------------------------------------------------------------
 * Tokens are NFKC-normalized and case-folded, quotes and apostrophes unified
 * (every quotation mark becomes ", every apostrophe '), and never contain
 * white space. They are stored back to back, separated by one space, so a
 * run of tokens is itself a contiguous word n-gram key. */
typedef struct {
    stance_buf text;  /* "tok1 tok2 tok3" */
    size_t *start;    /* byte offset of token i in text */
    size_t *len;      /* byte length of token i */
    size_t n, cap;
} stance_tokens;

enum {
    STANCE_TOK_NO_PUNCT = 1 << 0, /* drop ?, ! and quotation marks */
    STANCE_TOK_STRICT = 1 << 1    /* fail on invalid UTF-8 instead of U+FFFD */
};

/* Replaces toks' contents with the tokens of text (UTF-8; invalid sequences
 * become U+FFFD unless STANCE_TOK_STRICT, then STANCE_ESTRICT). */
int stance_tokenize(const char *text, size_t len, unsigned flags,
                    stance_tokens *toks);
int stance_tokens_add(stance_tokens *toks, const char *s, size_t n);
void stance_tokens_clear(stance_tokens *toks);
void stance_tokens_release(stance_tokens *toks);

/* ---- n-grams -------------------------------------------------------------
 * Word n-grams are runs of tokens joined by one space; character n-grams
 * are taken inside each token padded as "<token>", counted in code points,
 * so they never cross a word boundary. Readable keys prefix the kind: "w:"
 * for word n-grams, "c:" for character n-grams. */
typedef struct {
    int word_min, word_max; /* 0 0 disables word n-grams */
    int char_min, char_max; /* 0 0 disables character n-grams */
} stance_ngram_config;

enum { STANCE_NGRAM_WORD = 'w', STANCE_NGRAM_CHAR = 'c' };

#define STANCE_NGRAM_CONFIG_MAX 64

void stance_ngram_config_default(stance_ngram_config *cfg);
/* Parses "w1-3 c2-5" (either part may be absent; "w1" means w1-1). */
int stance_ngram_config_parse(const char *s, stance_ngram_config *cfg);
/* Writes the canonical form, e.g. "w1-3 c2-5", into buf[STANCE_NGRAM_CONFIG_MAX]. */
void stance_ngram_config_format(const stance_ngram_config *cfg, char *buf);
int stance_ngram_config_equal(const stance_ngram_config *a,
                              const stance_ngram_config *b);

/* Calls fn once per n-gram occurrence, in a fixed order: word n-grams by
 * order then position, then character n-grams by token, position and
 * length. key points into scratch memory valid only during the call. */
typedef int (*stance_ngram_fn)(void *ctx, int kind, const char *key,
                               size_t len);
int stance_ngrams_each(const stance_tokens *toks,
                       const stance_ngram_config *cfg, stance_buf *scratch,
                       stance_ngram_fn fn, void *ctx);

/* ---- counted string keys -------------------------------------------------
 * An open-addressing hash table from (kind, bytes) to a 32-bit id, with the
 * keys pooled in one buffer: the vocabulary of a model and the n-gram
 * counter of one paragraph. Ids are dense, in insertion order. */
typedef struct {
    uint32_t tag; /* high bits of the key's hash, never 0; 0 marks empty */
    uint32_t off; /* the key's key_off: its id and length sit just before */
} stance_keymap_slot;

typedef struct {
    stance_keymap_slot *slots; /* 8 bytes a slot, so probes stay in cache */
    size_t mask;        /* slots - 1 */
    stance_buf pool;    /* per key: id and length (kind byte included), 4
                         * bytes each, then the kind byte and the key bytes */
    uint32_t *key_off;  /* by id */
    uint32_t *key_len;  /* by id, kind byte included */
    uint64_t *key_hash; /* by id, for rehashing */
    size_t n, cap;
    unsigned sparse;    /* keep the load under 1/2^sparse (1 by default) */
} stance_keymap;

uint64_t stance_hash(int kind, const char *key, size_t len);
/* Returns the id of (kind,key), or -1 if absent. */
long stance_keymap_find(const stance_keymap *m, int kind, const char *key,
                        size_t len, uint64_t hash);
/* Adds (kind,key) if absent; *id receives its id; *added (may be NULL) is
 * set to 1 when the key was new. */
int stance_keymap_intern(stance_keymap *m, int kind, const char *key,
                         size_t len, uint64_t hash, uint32_t *id, int *added);
void stance_keymap_clear(stance_keymap *m);
void stance_keymap_release(stance_keymap *m);
/* The readable key of id ("w:..." or "c:...") into out (appended). */
int stance_keymap_key(const stance_keymap *m, uint32_t id, stance_buf *out);

/* ---- paragraph n-gram counts ---------------------------------------------
 * The n-grams of one paragraph with exact counts. */
typedef struct {
    stance_keymap keys;
    uint32_t *count; /* by key id */
    size_t count_cap;
    stance_buf scratch;
} stance_ngram_counts;

int stance_ngram_count(const stance_tokens *toks, const stance_ngram_config *cfg,
                       stance_ngram_counts *out);
/* Appends the counts as a JSON object with keys in byte order. */
int stance_ngram_counts_json(const stance_ngram_counts *c, stance_buf *out);
void stance_ngram_counts_release(stance_ngram_counts *c);

/* One n-gram occurrence count read from a record, its key not copied. */
typedef struct {
    const char *key; /* without the "w:"/"c:" prefix; not NUL-terminated */
    size_t len;
    uint64_t hash;   /* stance_hash(kind, key, len) */
    uint32_t count;
    int kind;
} stance_ngram_ref;

/* ---- features ------------------------------------------------------------
 * A sparse feature vector, indices 1-based as libsvm wants. A model's
 * features for a paragraph (stance_model_features_*) come raw: each value
 * the feature's tf-idf weight before normalization, indices distinct but
 * in any order; stance_model_predict normalizes as it sums.
 * stance_model_normalize turns them into what libsvm is given: indices
 * ascending, each block (character and word n-grams) at unit length. */
typedef struct {
    int *index;
    double *value;
    size_t n, cap;
    int raw; /* 1 before stance_model_normalize, 0 after */
    /* workspace: raw (feature << 32 | count) hits before weighting */
    uint64_t *hits, *sort_tmp;
    size_t nhits, hits_cap, sort_cap;
} stance_features;

void stance_features_release(stance_features *f);

/* ---- models --------------------------------------------------------------
 * A model directory holds manifest.json, vocab.tsv (index, key, idf) and
 * svm.model (libsvm's own format). Opaque; load with stance_model_load. */
typedef struct stance_model stance_model;

typedef enum { STANCE_WEIGHT_TFIDF = 0, STANCE_WEIGHT_BINARY } stance_weighting;

/* Loads and validates dir; on failure returns STANCE_EMODEL (or ENOMEM/EIO)
 * with the reason in err. */
int stance_model_load(const char *dir, stance_model **model, char *err);
void stance_model_free(stance_model **model);

const char *stance_model_field(const stance_model *m);
size_t stance_model_label_count(const stance_model *m);
const char *stance_model_label(const stance_model *m, size_t i);
const stance_ngram_config *stance_model_ngram_config(const stance_model *m);
unsigned stance_model_token_flags(const stance_model *m);
size_t stance_model_vocab_size(const stance_model *m);
/* 1 when a and b map every paragraph to the same features (the same
 * vocabulary, idf, n-gram orders, tokenization and weighting, as models
 * trained on one corpus have), so one computation serves both. */
int stance_model_same_features(const stance_model *a, const stance_model *b);
/* The manifest as parsed JSON text (for the model card). */
const char *stance_model_manifest(const stance_model *m);

/* Maps the n-grams of toks (or of a counts table) to the model's weighted
 * features. */
int stance_model_features_from_tokens(const stance_model *m,
                                      const stance_tokens *toks,
                                      stance_buf *scratch, stance_features *x);
int stance_model_features_from_counts(const stance_model *m,
                                      const stance_ngram_counts *c,
                                      stance_features *x);

/* A per-model memo of each distinct token's vocabulary hits (its
 * character n-grams and its unigram), so a token seen before costs one
 * lookup instead of one per n-gram. Bounded: it empties itself when full.
 * Results are identical with or without it. One cache serves one model. */
typedef struct stance_feature_cache stance_feature_cache;

stance_feature_cache *stance_feature_cache_new(void);
void stance_feature_cache_free(stance_feature_cache **cache);
/* stance_model_features_from_tokens, through cache. */
int stance_model_features_cached(const stance_model *m,
                                 const stance_tokens *toks,
                                 stance_feature_cache *cache,
                                 stance_features *x);

/* The model's features for n-grams given as references (the fast path of
 * `classify` on records from `stance ngrams`). */
int stance_model_features_from_refs(const stance_model *m,
                                    const stance_ngram_ref *refs, size_t n,
                                    stance_features *x);

/* Sorts x's indices and scales each block to unit length, as the model was
 * trained on them (for libsvm's tools); nothing when x is not raw. */
int stance_model_normalize(const stance_model *m, stance_features *x);

typedef struct {
    size_t label;        /* index into the model's labels */
    double prob[STANCE_MAX_LABELS]; /* by label index */
} stance_prediction;

/* 0 when the model was trained without probability estimates; then
 * prob[] holds 1 for the label by pairwise vote and 0 elsewhere. */
int stance_model_has_probability(const stance_model *m);

int stance_model_predict(const stance_model *m, const stance_features *x,
                         stance_prediction *p);

/* One n-gram's share of a linear model's score for a label. */
typedef struct {
    uint32_t feature; /* 0-based vocabulary index */
    double contribution;
} stance_contribution;

/* For label `label`, the score is the sum over the model's pairwise decision
 * values involving that label, each oriented toward it; it equals the sum of
 * every feature's contribution plus *bias. Fills the k strongest positive
 * contributions into toward[] and the k most negative into against[], in
 * order of magnitude; *n_toward and *n_against say how many. Linear models
 * only (STANCE_EARG otherwise). */
int stance_model_explain(const stance_model *m, const stance_features *x,
                         size_t label, size_t k, stance_contribution *toward,
                         size_t *n_toward, stance_contribution *against,
                         size_t *n_against, double *score, double *bias);
/* The readable key of a vocabulary index. */
int stance_model_feature_key(const stance_model *m, uint32_t feature,
                             stance_buf *out);
/* Top n-grams per label by weight (for the model card); linear only. */
int stance_model_top_features(const stance_model *m, size_t label, size_t k,
                              stance_contribution *top, size_t *n);

/* ---- metrics ------------------------------------------------------------ */
typedef struct {
    size_t k, total;
    double accuracy, macro_f1;
    double precision[STANCE_MAX_LABELS], recall[STANCE_MAX_LABELS],
        f1[STANCE_MAX_LABELS];
    size_t support[STANCE_MAX_LABELS];
} stance_metrics;

/* confusion[gold * k + predicted] counts; macro-F1 averages every label's
 * F1, a label never predicted nor present scoring 0. */
void stance_metrics_compute(size_t k, const size_t *confusion,
                            stance_metrics *out);

/* ---- training ------------------------------------------------------------ */
typedef enum {
    STANCE_LOSS_DEFAULT,        /* squared hinge for linear, hinge for RBF */
    STANCE_LOSS_HINGE,          /* libsvm's C-SVC */
    STANCE_LOSS_SQUARED_HINGE   /* C * sum of squared margins; linear only */
} stance_loss;

typedef enum {
    STANCE_MULTICLASS_DEFAULT,  /* one-vs-rest with the squared hinge, else one-vs-one */
    STANCE_MULTICLASS_OVO,      /* libsvm's: a binary SVM per pair of labels */
    STANCE_MULTICLASS_OVR       /* a binary SVM per label against the rest */
} stance_multiclass;

typedef struct {
    const char *field;          /* label field name */
    stance_ngram_config ngrams;
    unsigned token_flags;
    stance_weighting weighting;
    int min_df;                 /* keep n-grams in at least this many docs */
    int kernel_rbf;             /* 0 linear, 1 RBF */
    stance_loss loss;
    stance_multiclass multiclass;
    double C, gamma;            /* gamma 0 means 1/number of features */
    int balanced;               /* class weights n/(k*n_c) */
    int probability;            /* Platt scaling (-b 1) */
    int cv_folds;               /* 0: no cross-validation report */
    int grid;                   /* choose C (and gamma) by cv_folds-fold CV */
    unsigned seed;
    double cache_mb;
    /* a linear model's kernel is computed once, for all pairs of records,
     * when it fits in this many MB (n^2 * 16 bytes); 0 never */
    double gram_mb;
    int jobs;                   /* parallel processes for CV folds and grid */
    /* called with a short status line during long work; may be NULL */
    void (*progress)(void *ctx, const char *what);
    void *progress_ctx;
} stance_train_options;

void stance_train_options_default(stance_train_options *o);
/* The multiclass scheme o asks for, its default resolved; with two labels
 * both schemes are the same binary SVM. */
stance_multiclass stance_train_multiclass(const stance_train_options *o);
/* 0, or STANCE_EARG with the reason in err when the options contradict
 * each other (stance_train checks them too). */
int stance_train_options_check(const stance_train_options *o, char *err);
/* The loss a model trained with these options minimizes. */
stance_loss stance_train_loss(const stance_train_options *o);
/* Megabytes the precomputed linear kernel of n records takes (see
 * gram_mb). */
double stance_train_gram_mb(size_t n);
/* Whether training n records with these options computes that kernel. */
int stance_train_uses_gram(const stance_train_options *o, size_t n);

/* The training set being assembled: one labelled feature-count document per
 * record. */
typedef struct stance_trainset stance_trainset;

int stance_trainset_new(const stance_train_options *o, stance_trainset **ts);
/* Adds one document from its n-gram counts, its label string. */
int stance_trainset_add(stance_trainset *ts, const stance_ngram_counts *c,
                        const char *label);
size_t stance_trainset_size(const stance_trainset *ts);
void stance_trainset_free(stance_trainset **ts);

/* Trains and writes the model directory atomically (a temporary directory
 * beside dir, then renamed over it). report receives the CV results as JSON
 * when cross-validation ran. */
int stance_train(stance_trainset *ts, const stance_train_options *o,
                 const char *dir, stance_buf *report, char *err);

/* Writes x in libsvm's sparse format ("label idx:val ...\n"), label as given. */
int stance_features_libsvm(const stance_features *x, const char *label,
                           stance_buf *out);

#ifdef __cplusplus
}
#endif
#endif
