/* cmd_ngrams.c: `stance ngrams`, records with tokens (or text) in, records
 * with readable n-gram counts and their configuration out; or, with
 * --libsvm -m MODEL_DIR, the model's weighted features in libsvm's sparse
 * format, so libsvm's own tools can work on stance's features. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct {
    stance_ngram_config cfg;
    char cfg_text[STANCE_NGRAM_CONFIG_MAX];
    unsigned token_flags;
    stance_tokens toks;
    stance_ngram_counts counts;
    stance_buf out;
    stance_model *model; /* --libsvm */
    stance_features x;
    stance_buf scratch;
} ngrams_state;

int cli_record_tokens(const stance_record *rec, unsigned flags,
                      stance_tokens *toks, char *err)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(rec->root, "tokens");
    if (!arr) {
        const char *text;
        int rc = cli_record_text(rec, &text, err);
        if (rc) {
            if (!cJSON_GetObjectItemCaseSensitive(rec->root, "text"))
                snprintf(err, STANCE_ERRBUF, "record has neither 'tokens' nor 'text'");
            return rc;
        }
        rc = stance_tokenize(text, strlen(text), flags, toks);
        if (rc == STANCE_ESTRICT) {
            snprintf(err, STANCE_ERRBUF, "invalid UTF-8 in text");
            return STANCE_EDATA;
        }
        return rc;
    }
    if (!cJSON_IsArray(arr)) {
        snprintf(err, STANCE_ERRBUF, "field 'tokens' is not an array");
        return STANCE_EDATA;
    }
    stance_tokens_clear(toks);
    const cJSON *t;
    size_t i = 0;
    cJSON_ArrayForEach(t, arr) {
        if (!cJSON_IsString(t)) {
            snprintf(err, STANCE_ERRBUF, "token %zu is not a string", i + 1);
            return STANCE_EDATA;
        }
        size_t n = strlen(t->valuestring);
        if (n == 0 || strpbrk(t->valuestring, " \t\n\r")) {
            snprintf(err, STANCE_ERRBUF, "token %zu is empty or holds white space", i + 1);
            return STANCE_EDATA;
        }
        if (stance_tokens_add(toks, t->valuestring, n))
            return STANCE_ENOMEM;
        i++;
    }
    return 0;
}

static int on_record(void *ctx, stance_record *rec, char *err)
{
    ngrams_state *st = ctx;
    static const char *const owned[] = {"ngram_config", "ngrams", NULL};
    int has, rc = cli_record_tokens(rec, st->token_flags, &st->toks, err);
    if (!rc)
        rc = stance_ngram_count(&st->toks, &st->cfg, &st->counts);
    if (rc)
        return rc;
    stance_buf_reset(&st->out);
    if (stance_record_open(rec, owned, &st->out, &has) ||
        (has && stance_buf_addc(&st->out, ',')) ||
        stance_buf_addf(&st->out, "\"ngram_config\":\"%s\",\"ngrams\":", st->cfg_text) ||
        stance_ngram_counts_json(&st->counts, &st->out) ||
        stance_buf_adds(&st->out, "}\n"))
        return STANCE_ENOMEM;
    return cli_emit(&st->out);
}

/* The libsvm label of a record: the index of its gold label among the
 * model's labels (libsvm's class numbers in svm.model), 0 when unlabelled. */
static int libsvm_label(const stance_model *m, const stance_record *rec,
                        char *label, size_t n, char *err)
{
    const char *field = stance_model_field(m);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec->root, field);
    snprintf(label, n, "0");
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v)) {
        snprintf(err, STANCE_ERRBUF, "field '%.60s' is not a string", field);
        return STANCE_EDATA;
    }
    for (size_t i = 0; i < stance_model_label_count(m); i++)
        if (!strcmp(stance_model_label(m, i), v->valuestring)) {
            snprintf(label, n, "%zu", i);
            return 0;
        }
    snprintf(err, STANCE_ERRBUF, "label '%.60s' in field '%.60s' is not one of the model's",
             v->valuestring, field);
    return STANCE_EDATA;
}

/* --libsvm: features from the record's n-grams, tokens or text, the same
 * way `classify` makes them. */
static int on_record_libsvm(void *ctx, stance_record *rec, char *err)
{
    ngrams_state *st = ctx;
    const stance_model *m = st->model;
    char label[32];
    int rc = libsvm_label(m, rec, label, sizeof label, err);
    if (rc)
        return rc;
    if (cJSON_GetObjectItemCaseSensitive(rec->root, "ngrams")) {
        stance_ngram_config cfg;
        if ((rc = cli_record_counts(rec, &st->counts, &cfg, err)))
            return rc;
        if (!stance_ngram_config_equal(&cfg, stance_model_ngram_config(m))) {
            char want[STANCE_NGRAM_CONFIG_MAX], got[STANCE_NGRAM_CONFIG_MAX];
            stance_ngram_config_format(stance_model_ngram_config(m), want);
            stance_ngram_config_format(&cfg, got);
            snprintf(err, STANCE_ERRBUF, "record has n-grams '%s' but the model needs '%s'",
                     got, want);
            return STANCE_EDATA;
        }
        rc = stance_model_features_from_counts(m, &st->counts, &st->x);
    } else {
        rc = cli_record_tokens(rec, stance_model_token_flags(m), &st->toks, err);
        if (!rc)
            rc = stance_model_features_from_tokens(m, &st->toks, &st->scratch, &st->x);
    }
    if (!rc)
        rc = stance_model_normalize(m, &st->x);
    if (rc)
        return rc;
    stance_buf_reset(&st->out);
    if (stance_features_libsvm(&st->x, label, &st->out))
        return STANCE_ENOMEM;
    return cli_emit(&st->out);
}

int cli_parse_orders(const char *opt, const char *s, int *lo, int *hi)
{
    if (!strcmp(s, "0")) {
        *lo = *hi = 0;
        return 0;
    }
    char spec[32];
    stance_ngram_config c;
    snprintf(spec, sizeof spec, "w%s", s);
    if (strlen(s) > 20 || stance_ngram_config_parse(spec, &c)) {
        cli_error("option '%s' needs orders like 1-3 (1 to 16) or 0, not '%s'", opt, s);
        return -1;
    }
    *lo = c.word_min;
    *hi = c.word_max;
    return 0;
}

int cmd_ngrams(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"word", required_argument, NULL, 'w'},
        {"char", required_argument, NULL, 'c'},
        {"no-punct", no_argument, NULL, 'P'},
        {"libsvm", no_argument, NULL, 'L'},
        {"model", required_argument, NULL, 'm'},
        {"skip-invalid", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ngrams_state st = {0};
    cli_reader rd = {0};
    const char *model_dir = NULL;
    int c, libsvm = 0, cfg_given = 0;
    stance_ngram_config_default(&st.cfg);
    while ((c = getopt_long(argc, argv, "w:c:m:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'w':
            if (cli_parse_orders("--word", optarg, &st.cfg.word_min, &st.cfg.word_max))
                return cli_usage_error();
            cfg_given = 1;
            break;
        case 'c':
            if (cli_parse_orders("--char", optarg, &st.cfg.char_min, &st.cfg.char_max))
                return cli_usage_error();
            cfg_given = 1;
            break;
        case 'P': st.token_flags |= STANCE_TOK_NO_PUNCT; break;
        case 'L': libsvm = 1; break;
        case 'm': model_dir = optarg; break;
        case 's': rd.skip_invalid = 1; break;
        case 'q': cli_quiet = 1; break;
        case 'h': cli_help(stdout); return EXIT_OK;
        default: return cli_usage_error();
        }
    }
    if (!st.cfg.word_max && !st.cfg.char_max) {
        cli_error("--word 0 and --char 0 leave no n-grams");
        return cli_usage_error();
    }
    if (libsvm != (model_dir != NULL)) {
        cli_error("--libsvm and -m MODEL_DIR go together");
        return cli_usage_error();
    }
    if (libsvm && (cfg_given || st.token_flags)) {
        cli_error("with --libsvm the model decides the n-grams: drop --word, --char "
                  "and --no-punct");
        return cli_usage_error();
    }
    stance_ngram_config_format(&st.cfg, st.cfg_text);
    int status = EXIT_OK;
    char err[STANCE_ERRBUF];
    stance_record *rec = calloc(1, sizeof *rec);
    if (!rec) {
        cli_error("out of memory");
        status = EXIT_SYSTEM;
        goto out;
    }
    if (libsvm) {
        int rc = stance_model_load(model_dir, &st.model, err);
        if (rc) {
            if (rc == STANCE_EMODEL)
                cli_error("%s", err);
            else
                cli_error("cannot load model '%s': %s", model_dir, stance_strerror(rc));
            status = rc == STANCE_EMODEL ? EXIT_DATA : EXIT_SYSTEM;
            goto out;
        }
    }
    status = cli_read_all(&rd, argc - optind, argv + optind,
                          libsvm ? on_record_libsvm : on_record, &st, rec);
out:
    if (rec)
        stance_record_release(rec);
    free(rec);
    stance_model_free(&st.model);
    stance_features_release(&st.x);
    stance_buf_release(&st.scratch);
    stance_tokens_release(&st.toks);
    stance_ngram_counts_release(&st.counts);
    stance_buf_release(&st.out);
    return cli_finish(cli_reader_status(&rd, status));
}
