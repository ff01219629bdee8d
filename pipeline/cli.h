/* cli.h: what every subcommand shares: the command table, messages for
 * people on stderr, records to stdout, and the loop over input files. */
#ifndef STANCE_CLI_H
#define STANCE_CLI_H

#include <stdio.h>

#include "record.h"

/* Exit statuses, documented in README and stance(1). */
enum {
    EXIT_OK = 0,
    EXIT_DATA = 1,    /* bad input data or model: stopped at the first */
    EXIT_USAGE = 2,   /* bad command line */
    EXIT_SKIPPED = 3, /* finished, but --skip-invalid skipped records */
    EXIT_SYSTEM = 4   /* cannot read, write or allocate */
};

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;  /* one line, no full stop */
    const char *synopsis; /* arguments after the command name */
    const char *options;  /* the options part of --help */
} cli_command;

extern const cli_command cli_commands[];
extern const char *cli_name; /* the running subcommand, for messages */

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the help of the running command to f. */
void cli_help(FILE *f);
/* For getopt errors: usage hint on stderr, returns EXIT_USAGE. */
int cli_usage_error(void);
/* Progress on stderr, only when it is a terminal and not --quiet. */
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_progress_done(void);
/* Progress of reading, "stance CMD: FILE: what N": refreshed at each new
 * input and every 1000 items (n counts them over all inputs); shown only
 * when stdout is not the terminal too. */
void cli_progress_item(const char *path, size_t n, const char *what);
extern int cli_quiet;

/* Writes one whole record; on failure reports and returns EXIT_SYSTEM. */
int cli_emit(const stance_buf *rec);
/* Flushes stdout and reports a failed write; returns status or EXIT_SYSTEM. */
int cli_finish(int status);

/* Reading records. A handler returns 0, STANCE_EDATA with err filled for a
 * bad record, or another negative code for a failure that stops all. */
typedef int (*cli_record_fn)(void *ctx, stance_record *rec, char *err);

typedef struct {
    int skip_invalid;
    size_t skipped, records;
    const char *path;  /* current input, for messages */
    size_t line;       /* current line number */
} cli_reader;

/* Display name of a path: "<stdin>" for "-". */
const char *cli_display(const char *path);
/* Opens a path for reading ("-" is stdin); reports and returns NULL on
 * failure (missing file, directory). */
FILE *cli_open(const char *path);
/* Reads every record of f, counting lines on from rd->line; returns EXIT_OK, EXIT_DATA or EXIT_SYSTEM. */
int cli_read_records(cli_reader *rd, FILE *f, const char *path,
                     cli_record_fn fn, void *ctx, stance_record *rec);
/* Runs cli_read_records over argv[0..argc) or stdin when argc == 0. */
int cli_read_all(cli_reader *rd, int argc, char **argv, cli_record_fn fn,
                 void *ctx, stance_record *rec);
/* The final status after reading: EXIT_SKIPPED with a count on stderr when
 * records were skipped. */
int cli_reader_status(const cli_reader *rd, int status);

/* Article input: text files split into paragraphs, or JSON lines. */
typedef enum { INPUT_AUTO = 0, INPUT_TEXT, INPUT_JSONL } cli_input_mode;

typedef struct {
    const char *doc;   /* the file name as given ("-" for stdin) */
    size_t para;       /* 1-based */
    size_t start, end; /* byte offsets in the file */
    size_t line;       /* 1-based line of start */
    const char *text;  /* cleaned text */
    size_t text_len;
} cli_paragraph;

typedef int (*cli_paragraph_fn)(void *ctx, const cli_paragraph *p, char *err);

typedef struct {
    cli_input_mode mode;
    stance_layout layout;
    int strict;                /* invalid UTF-8 is an error, not U+FFFD */
    cli_paragraph_fn paragraph;
    cli_record_fn record;
    void *ctx;
} cli_article_reader;

/* Reads each input as text or JSON lines (by --text/--jsonl, else by the
 * name's .jsonl/.ndjson/.json suffix, else by whether the first non-blank
 * byte is '{'), calling ar->paragraph or ar->record per item. */
int cli_read_articles(cli_reader *rd, cli_article_reader *ar, int argc,
                      char **argv, stance_record *rec);

/* Appends the text-input fields of p (doc, para, start, end, line, text)
 * to an open record. */
int cli_paragraph_fields(const cli_paragraph *p, stance_buf *out);

/* Record fields shared by several stages. */
int cli_tokens_json(const stance_tokens *toks, stance_buf *out);
int cli_record_text(const stance_record *rec, const char **text, char *err);
/* The tokens of a record: its "tokens" array, else its tokenized "text". */
int cli_record_tokens(const stance_record *rec, unsigned flags,
                      stance_tokens *toks, char *err);
/* The counts of a record's "ngrams" object and its "ngram_config". With
 * counts NULL, when rec->ngrams_fast, only the configuration is read. */
int cli_record_counts(const stance_record *rec, stance_ngram_counts *counts,
                      stance_ngram_config *cfg, char *err);
/* The non-empty string in field, the record's gold label. */
int cli_record_label(const stance_record *rec, const char *field,
                     const char **label, char *err);
int cli_parse_layout(const char *s, stance_layout *layout);
int cli_parse_orders(const char *opt, const char *s, int *lo, int *hi);

/* Models applied together by `classify` and `label`. */
#define CLI_MAX_MODELS 16
#define CLI_MAX_EXPLAIN 100

typedef struct {
    stance_model *models[CLI_MAX_MODELS];
    stance_feature_cache *caches[CLI_MAX_MODELS]; /* one per model */
    /* model i maps text to the same features as model i-1 (models trained
     * on one corpus do), so x is computed once for both */
    unsigned char same_x_as_previous[CLI_MAX_MODELS];
    size_t nmodels;
    size_t explain_k; /* --explain K; 0 for none */
    int tsv;          /* --format tsv: tab-separated columns, not "pred" */
    stance_features x;
    stance_tokens toks;
    stance_ngram_counts counts;
    stance_buf scratch, key;
} cli_predictor;

/* Loads dirs[0..n), or the default models when n == 0; reports errors and
 * returns an exit status. */
int cli_predictor_load(cli_predictor *p, char **dirs, size_t n);
void cli_predictor_release(cli_predictor *p);
/* Appends "pred":{...} for raw paragraph text (the fused path). */
int cli_predict_text(cli_predictor *p, const char *text, size_t len,
                     stance_buf *out, char *err);
/* Appends "pred":{...} for a record from its ngrams, tokens or text. */
int cli_predict_record(cli_predictor *p, const stance_record *rec,
                       stance_buf *out, char *err);

/* A predictor with its output record: the state of `classify`, and of
 * `label` for JSON-lines input. */
typedef struct {
    cli_predictor pred;
    stance_buf out;
} cli_classifier;

/* A cli_record_fn (ctx: cli_classifier) writing the record with "pred". */
int cli_classify_record(void *ctx, stance_record *rec, char *err);
void cli_classifier_release(cli_classifier *c);
/* Handles -m DIR, --explain K (c == 'x') and --format F (c == 'F');
 * returns 0 or EXIT_USAGE. */
int cli_model_option(int c, const char *arg, char **dirs, size_t *ndirs,
                     cli_predictor *p);

/* --format tsv: the header row (doc, para, start, end, per model FIELD.label
 * and FIELD.p.LABEL for each label when it has probabilities, text last). */
int cli_tsv_header(const cli_predictor *p, stance_buf *out);
/* Appends s with tab, newline, carriage return and backslash escaped as
 * \t \n \r \\ (as jq's @tsv does), so a cell never breaks a row. */
int cli_tsv_field(const char *s, size_t n, stance_buf *out);

/* Article summaries (`summarize`, `label --summary`, `report`): labelled
 * records folded into one record per document, a document being a run of
 * consecutive records with the same "doc" ("-" when absent). Per model
 * field: counts and shares of labels, the mean probability of each label
 * ("lean"), paragraphs whose label probability is below the threshold
 * ("uncertain", counted under no label) and the three most probable
 * paragraphs per label. Memory holds one document's totals only. */
typedef struct cli_summary cli_summary;
/* Receives each finished summary, one JSON record with its newline;
 * returns 0 or an exit status it has reported. */
typedef int (*cli_summary_fn)(void *ctx, const stance_buf *summary);

int cli_summary_new(double threshold, cli_summary_fn emit, void *ctx,
                    cli_summary **s);
/* Adds one labelled record: rec's "doc", "para" and "text" with the model
 * fields of pred (rec's own "pred" when NULL). A record of another document
 * first finishes the current one, even when it turns out bad. STANCE_EDATA
 * with err for a bad record, which adds nothing. */
int cli_summary_add(cli_summary *s, const cJSON *rec, const cJSON *pred, char *err);
/* The same for a labelled record as JSON text (as `label` builds it). */
int cli_summary_add_json(cli_summary *s, const stance_buf *rec, char *err);
/* Predicts rec with p (scratch: any buffer) and adds the result. */
int cli_summary_add_predicted(cli_summary *s, cli_predictor *p,
                              const stance_record *rec, stance_buf *scratch,
                              char *err);
/* Emits the summary of the last document, if any. */
int cli_summary_finish(cli_summary *s);
void cli_summary_free(cli_summary **s);
/* A cli_summary_fn writing to stdout. */
int cli_summary_print(void *ctx, const stance_buf *summary);
/* Parses --threshold (a probability from 0 to 1); reports and returns -1 if bad. */
int cli_threshold_arg(const char *s, double *out);

/* Reads all of f into b; reports and returns non-zero on failure. */
int cli_slurp(FILE *f, const char *path, stance_buf *b);

/* Parses an integer option in [lo, hi]; reports and returns -1 if bad. */
int cli_int_arg(const char *opt, const char *s, long lo, long hi, long *out);
/* Finds s among the NULL-terminated choices and sets *index to its place;
 * reports "unknown WHAT 's' (a, b or c)" and returns -1 if it is not one. */
int cli_choice_arg(const char *what, const char *s, const char *const *choices, int *index);

#endif
