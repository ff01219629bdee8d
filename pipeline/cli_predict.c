/* cli_predict.c: applying one or more models to a paragraph and writing
 * the "pred" member; shared by `classify` and `label`, which is why both
 * print byte-identical predictions for the same paragraph. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Where the shipped models are when no -m is given: $STANCE_MODELS, else
 * beside the program (../models in the source tree, ../share/stance/models
 * when installed). */
static int default_model_root(char *out, size_t n)
{
    const char *env = getenv("STANCE_MODELS");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return 0;
    }
    char exe[PATH_MAX / 2];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return -1;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    const char *candidates[] = {"../share/stance/models", "../models"};
    for (int i = 0; i < 2; i++) {
        snprintf(out, n, "%s/%s", exe, candidates[i]);
        char probe[PATH_MAX + 64];
        snprintf(probe, sizeof probe, "%s/stance/manifest.json", out);
        if (access(probe, R_OK) == 0)
            return 0;
    }
    return -1;
}

int cli_predictor_load(cli_predictor *p, char **dirs, size_t n)
{
    char root[PATH_MAX], path[PATH_MAX + 16];
    char *defaults[2];
    char err[STANCE_ERRBUF];
    if (n == 0) {
        if (default_model_root(root, sizeof root)) {
            cli_error("no -m MODEL_DIR given and the default models are not found "
                      "(set STANCE_MODELS to the folder holding stance/ and sentiment/)");
            return EXIT_DATA;
        }
        static char a[PATH_MAX + 16], b[PATH_MAX + 16];
        snprintf(a, sizeof a, "%s/stance", root);
        snprintf(b, sizeof b, "%s/sentiment", root);
        defaults[0] = a;
        defaults[1] = b;
        dirs = defaults;
        n = 2;
    }
    (void)path;
    if (p->tsv && p->explain_k) {
        cli_error("--explain needs JSON output, not --format tsv");
        return EXIT_USAGE;
    }
    if (n > CLI_MAX_MODELS) {
        cli_error("at most %d models at once", CLI_MAX_MODELS);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = stance_model_load(dirs[i], &p->models[i], err);
        if (!rc && !(p->caches[i] = stance_feature_cache_new()))
            rc = STANCE_ENOMEM;
        if (rc) {
            if (rc == STANCE_EMODEL)
                cli_error("%s", err);
            else
                cli_error("cannot load model '%s': %s", dirs[i], stance_strerror(rc));
            return rc == STANCE_EMODEL ? EXIT_DATA : EXIT_SYSTEM;
        }
        p->nmodels = i + 1; /* released with the others, also on error */
        for (size_t j = 0; j < i; j++)
            if (!strcmp(stance_model_field(p->models[j]), stance_model_field(p->models[i]))) {
                cli_error("models '%s' and '%s' both predict field '%s'", dirs[j],
                          dirs[i], stance_model_field(p->models[i]));
                return EXIT_USAGE;
            }
        p->same_x_as_previous[i] =
            i > 0 && stance_model_same_features(p->models[i - 1], p->models[i]);
        p->nmodels = i + 1;
    }
    return 0;
}

void cli_predictor_release(cli_predictor *p)
{
    for (size_t i = 0; i < CLI_MAX_MODELS; i++) {
        stance_model_free(&p->models[i]);
        stance_feature_cache_free(&p->caches[i]);
    }
    stance_features_release(&p->x);
    stance_tokens_release(&p->toks);
    stance_ngram_counts_release(&p->counts);
    stance_buf_release(&p->scratch);
    stance_buf_release(&p->key);
    memset(p, 0, sizeof *p);
}

static int write_contributions(cli_predictor *p, const stance_model *m,
                               const stance_contribution *c, size_t n,
                               stance_buf *out)
{
    if (stance_buf_addc(out, '['))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        stance_buf_reset(&p->key);
        if ((i && stance_buf_addc(out, ',')) || stance_buf_addc(out, '[') ||
            stance_model_feature_key(m, c[i].feature, &p->key) ||
            stance_buf_add_json_string(out, p->key.data, p->key.len) ||
            stance_buf_addf(out, ",%.6f]", c[i].contribution))
            return STANCE_ENOMEM;
    }
    return stance_buf_addc(out, ']');
}

/* Appends "field":{"label":...,"prob":{...}} for model m on p->x. */
static int write_prediction(cli_predictor *p, const stance_model *m,
                            stance_buf *out)
{
    stance_prediction pred;
    int rc = stance_model_predict(m, &p->x, &pred);
    if (rc)
        return rc;
    const char *field = stance_model_field(m);
    const char *label = stance_model_label(m, pred.label);
    if (p->tsv) {
        if (stance_buf_addc(out, '\t') || cli_tsv_field(label, strlen(label), out))
            return STANCE_ENOMEM;
        for (size_t i = 0; stance_model_has_probability(m) &&
                           i < stance_model_label_count(m); i++)
            if (stance_buf_addf(out, "\t%.4f", pred.prob[i]))
                return STANCE_ENOMEM;
        return 0;
    }
    if (stance_buf_add_json_string(out, field, strlen(field)) ||
        stance_buf_adds(out, ":{\"label\":") ||
        stance_buf_add_json_string(out, label, strlen(label)))
        return STANCE_ENOMEM;
    if (stance_model_has_probability(m)) {
        if (stance_buf_adds(out, ",\"prob\":{"))
            return STANCE_ENOMEM;
        for (size_t i = 0; i < stance_model_label_count(m); i++) {
            const char *l = stance_model_label(m, i);
            if ((i && stance_buf_addc(out, ',')) ||
                stance_buf_add_json_string(out, l, strlen(l)) ||
                stance_buf_addf(out, ":%.4f", pred.prob[i]))
                return STANCE_ENOMEM;
        }
        if (stance_buf_addc(out, '}'))
            return STANCE_ENOMEM;
    }
    if (p->explain_k) {
        stance_contribution toward[CLI_MAX_EXPLAIN], against[CLI_MAX_EXPLAIN];
        size_t nt, na;
        double score, bias;
        rc = stance_model_explain(m, &p->x, pred.label, p->explain_k, toward, &nt,
                                  against, &na, &score, &bias);
        if (rc == 0) {
            if (stance_buf_addf(out, ",\"explain\":{\"score\":%.6f,\"bias\":%.6f,\"toward\":",
                                score, bias) ||
                write_contributions(p, m, toward, nt, out) ||
                stance_buf_adds(out, ",\"against\":") ||
                write_contributions(p, m, against, na, out) || stance_buf_addc(out, '}'))
                return STANCE_ENOMEM;
        }
    }
    return stance_buf_addc(out, '}');
}

static int tokens_for(cli_predictor *p, size_t i, const char *text, size_t len,
                      unsigned *done_flags, char *err)
{
    unsigned flags = stance_model_token_flags(p->models[i]);
    if (*done_flags == flags)
        return 0;
    int rc = stance_tokenize(text, len, flags, &p->toks);
    if (rc == STANCE_ESTRICT) {
        snprintf(err, STANCE_ERRBUF, "invalid UTF-8 in text");
        return STANCE_EDATA;
    }
    *done_flags = flags;
    return rc;
}

/* Model i's entry of "pred" on p->x, after a comma from the one before. */
static int write_entry(cli_predictor *p, size_t i, stance_buf *out)
{
    if (i && !p->tsv && stance_buf_addc(out, ','))
        return STANCE_ENOMEM;
    return write_prediction(p, p->models[i], out);
}

int cli_predict_text(cli_predictor *p, const char *text, size_t len,
                     stance_buf *out, char *err)
{
    unsigned done = (unsigned)-1;
    if (!p->tsv && stance_buf_adds(out, "\"pred\":{"))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < p->nmodels; i++) {
        int rc = 0;
        if (!p->same_x_as_previous[i]) {
            rc = tokens_for(p, i, text, len, &done, err);
            if (!rc)
                rc = stance_model_features_cached(p->models[i], &p->toks, p->caches[i],
                                                  &p->x);
        }
        if (!rc)
            rc = write_entry(p, i, out);
        if (rc)
            return rc;
    }
    return p->tsv ? 0 : stance_buf_addc(out, '}');
}

int cli_predict_record(cli_predictor *p, const stance_record *rec,
                       stance_buf *out, char *err)
{
    int has_ngrams = cJSON_GetObjectItemCaseSensitive(rec->root, "ngrams") != NULL;
    int has_tokens = cJSON_GetObjectItemCaseSensitive(rec->root, "tokens") != NULL;
    int rc;
    if (has_ngrams) {
        stance_ngram_config cfg;
        if ((rc = cli_record_counts(rec, rec->ngrams_fast ? NULL : &p->counts, &cfg, err)))
            return rc;
        for (size_t i = 0; i < p->nmodels; i++)
            if (!stance_ngram_config_equal(&cfg, stance_model_ngram_config(p->models[i]))) {
                char want[STANCE_NGRAM_CONFIG_MAX], got[STANCE_NGRAM_CONFIG_MAX];
                stance_ngram_config_format(stance_model_ngram_config(p->models[i]), want);
                stance_ngram_config_format(&cfg, got);
                snprintf(err, STANCE_ERRBUF,
                         "record has n-grams '%s' but model '%s' needs '%s' "
                         "(run 'stance ngrams' with matching --word/--char)",
                         got, stance_model_field(p->models[i]), want);
                return STANCE_EDATA;
            }
    } else if (has_tokens) {
        if ((rc = cli_record_tokens(rec, 0, &p->toks, err)))
            return rc;
    } else {
        const char *text;
        if ((rc = cli_record_text(rec, &text, err))) {
            if (!cJSON_GetObjectItemCaseSensitive(rec->root, "text"))
                snprintf(err, STANCE_ERRBUF,
                         "record has none of 'ngrams', 'tokens', 'text'");
            return rc;
        }
        return cli_predict_text(p, text, strlen(text), out, err);
    }
    if (!p->tsv && stance_buf_adds(out, "\"pred\":{"))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < p->nmodels; i++) {
        if (p->same_x_as_previous[i])
            rc = 0;
        else if (has_ngrams && rec->ngrams_fast)
            rc = stance_model_features_from_refs(p->models[i], rec->ngrams, rec->nngrams,
                                                 &p->x);
        else if (has_ngrams)
            rc = stance_model_features_from_counts(p->models[i], &p->counts, &p->x);
        else
            rc = stance_model_features_cached(p->models[i], &p->toks, p->caches[i], &p->x);
        if (!rc)
            rc = write_entry(p, i, out);
        if (rc)
            return rc;
    }
    return p->tsv ? 0 : stance_buf_addc(out, '}');
}

int cli_tsv_field(const char *s, size_t n, stance_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        const char *esc = s[i] == '\t' ? "\\t" : s[i] == '\n' ? "\\n"
                        : s[i] == '\r' ? "\\r" : s[i] == '\\' ? "\\\\" : NULL;
        if (esc ? stance_buf_adds(out, esc) : stance_buf_addc(out, s[i]))
            return STANCE_ENOMEM;
    }
    return 0;
}

int cli_tsv_header(const cli_predictor *p, stance_buf *out)
{
    if (stance_buf_adds(out, "doc\tpara\tstart\tend"))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < p->nmodels; i++) {
        const stance_model *m = p->models[i];
        const char *field = stance_model_field(m);
        if (stance_buf_addc(out, '\t') || cli_tsv_field(field, strlen(field), out) ||
            stance_buf_adds(out, ".label"))
            return STANCE_ENOMEM;
        for (size_t j = 0; stance_model_has_probability(m) &&
                           j < stance_model_label_count(m); j++) {
            const char *l = stance_model_label(m, j);
            if (stance_buf_addc(out, '\t') || cli_tsv_field(field, strlen(field), out) ||
                stance_buf_adds(out, ".p.") || cli_tsv_field(l, strlen(l), out))
                return STANCE_ENOMEM;
        }
    }
    return stance_buf_adds(out, "\ttext\n");
}

/* One TSV cell from a record field: strings escaped, whole numbers without
 * a fraction, other values as JSON, absent ones empty. */
static int tsv_record_field(const stance_record *rec, const char *name, stance_buf *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec->root, name);
    if (!v || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsString(v))
        return cli_tsv_field(v->valuestring, strlen(v->valuestring), out);
    if (cJSON_IsNumber(v) && v->valuedouble > -1e15 && v->valuedouble < 1e15 &&
        v->valuedouble == (double)(long long)v->valuedouble)
        return stance_buf_addf(out, "%lld", (long long)v->valuedouble);
    char *json = cJSON_PrintUnformatted(v);
    int rc = json ? cli_tsv_field(json, strlen(json), out) : STANCE_ENOMEM;
    cJSON_free(json);
    return rc;
}

static int classify_record_tsv(cli_classifier *st, stance_record *rec, char *err)
{
    static const char *const cols[] = {"doc", "para", "start", "end"};
    int rc;
    stance_buf_reset(&st->out);
    for (size_t i = 0; i < 4; i++)
        if ((i && stance_buf_addc(&st->out, '\t')) ||
            tsv_record_field(rec, cols[i], &st->out))
            return STANCE_ENOMEM;
    if ((rc = cli_predict_record(&st->pred, rec, &st->out, err)))
        return rc;
    if (stance_buf_addc(&st->out, '\t') || tsv_record_field(rec, "text", &st->out) ||
        stance_buf_addc(&st->out, '\n'))
        return STANCE_ENOMEM;
    return cli_emit(&st->out);
}

int cli_classify_record(void *ctx, stance_record *rec, char *err)
{
    cli_classifier *st = ctx;
    static const char *const owned[] = {"pred", NULL};
    int has, rc;
    if (st->pred.tsv)
        return classify_record_tsv(st, rec, err);
    stance_buf_reset(&st->out);
    if ((rc = stance_record_open(rec, owned, &st->out, &has)))
        return rc;
    if (has && stance_buf_addc(&st->out, ','))
        return STANCE_ENOMEM;
    if ((rc = cli_predict_record(&st->pred, rec, &st->out, err)))
        return rc;
    if (stance_buf_adds(&st->out, "}\n"))
        return STANCE_ENOMEM;
    return cli_emit(&st->out);
}

int cli_model_option(int c, const char *arg, char **dirs, size_t *ndirs,
                     cli_predictor *p)
{
    long v;
    switch (c) {
    case 'm':
        if (*ndirs == CLI_MAX_MODELS) {
            cli_error("at most %d models at once", CLI_MAX_MODELS);
            return EXIT_USAGE;
        }
        dirs[(*ndirs)++] = (char *)arg;
        return 0;
    case 'x':
        if (cli_int_arg("--explain", arg, 1, CLI_MAX_EXPLAIN, &v))
            return EXIT_USAGE;
        p->explain_k = (size_t)v;
        return 0;
    case 'F': {
        static const char *const formats[] = {"json", "tsv", NULL};
        int choice;
        if (cli_choice_arg("format", arg, formats, &choice))
            return EXIT_USAGE;
        p->tsv = choice == 1;
        return 0;
    }
    default:
        return EXIT_USAGE;
    }
}

void cli_classifier_release(cli_classifier *c)
{
    cli_predictor_release(&c->pred);
    stance_buf_release(&c->out);
}
