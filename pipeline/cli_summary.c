/* cli_summary.c: folding labelled paragraph records into one summary per
 * document (counts, shares, probability-weighted lean, uncertain paragraphs
 * and the most confident paragraphs per label). Shared by `summarize`,
 * `label --summary` and `report`, so all three agree on every number.
 *
 * Records of one document arrive consecutively; only the running totals
 * of the current document are kept (a few fixed-size tables per model
 * field), so memory does not grow with the input. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SUMMARY_TOP 3
#define SUMMARY_SNIPPET 120 /* code points of text kept for a top paragraph */

typedef struct {
    size_t para;
    double prob;
    char *text;
} summary_top;

typedef struct {
    char *name;
    char *labels[STANCE_MAX_LABELS];
    size_t nlabels;
    /* totals of the current document; reset between documents */
    size_t n, uncertain;
    size_t count[STANCE_MAX_LABELS];
    double prob_sum[STANCE_MAX_LABELS];
    summary_top top[STANCE_MAX_LABELS][SUMMARY_TOP];
    size_t ntop[STANCE_MAX_LABELS];
} summary_field;

struct cli_summary {
    double threshold;
    cli_summary_fn emit;
    void *ctx;
    char *doc; /* the current document; NULL before the first record */
    size_t paragraphs;
    /* fields and their labels persist across documents, so that every
     * summary lists them in the same order */
    summary_field *fields[CLI_MAX_MODELS];
    size_t nfields;
    stance_buf out;
};

int cli_summary_new(double threshold, cli_summary_fn emit, void *ctx,
                    cli_summary **s)
{
    if (!(*s = calloc(1, sizeof **s)))
        return STANCE_ENOMEM;
    (*s)->threshold = threshold;
    (*s)->emit = emit;
    (*s)->ctx = ctx;
    return 0;
}

static void field_reset(summary_field *f)
{
    for (size_t l = 0; l < f->nlabels; l++) {
        for (size_t i = 0; i < f->ntop[l]; i++)
            free(f->top[l][i].text);
        f->ntop[l] = 0;
        f->count[l] = 0;
        f->prob_sum[l] = 0;
    }
    f->n = f->uncertain = 0;
}

void cli_summary_free(cli_summary **s)
{
    if (!*s)
        return;
    for (size_t i = 0; i < (*s)->nfields; i++) {
        summary_field *f = (*s)->fields[i];
        field_reset(f);
        for (size_t l = 0; l < f->nlabels; l++)
            free(f->labels[l]);
        free(f->name);
        free(f);
    }
    free((*s)->doc);
    stance_buf_release(&(*s)->out);
    free(*s);
    *s = NULL;
}

static int find_field(cli_summary *s, const char *name, summary_field **out,
                      char *err)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (!strcmp(s->fields[i]->name, name)) {
            *out = s->fields[i];
            return 0;
        }
    if (s->nfields == CLI_MAX_MODELS) {
        snprintf(err, STANCE_ERRBUF, "more than %d fields in 'pred'", CLI_MAX_MODELS);
        return STANCE_EDATA;
    }
    summary_field *f = calloc(1, sizeof *f);
    if (!f || !(f->name = strdup(name))) {
        free(f);
        return STANCE_ENOMEM;
    }
    s->fields[s->nfields++] = f;
    *out = f;
    return 0;
}

static int find_label(summary_field *f, const char *label, size_t *id, char *err)
{
    for (size_t i = 0; i < f->nlabels; i++)
        if (!strcmp(f->labels[i], label)) {
            *id = i;
            return 0;
        }
    if (f->nlabels == STANCE_MAX_LABELS) {
        snprintf(err, STANCE_ERRBUF, "more than %d labels in 'pred.%.60s'",
                 STANCE_MAX_LABELS, f->name);
        return STANCE_EDATA;
    }
    if (!(f->labels[f->nlabels] = strdup(label)))
        return STANCE_ENOMEM;
    *id = f->nlabels++;
    return 0;
}

/* The first SUMMARY_SNIPPET code points of text, as a new string. */
static char *snippet(const char *text)
{
    size_t n = 0, cps = 0;
    for (; text[n]; n++)
        if (((unsigned char)text[n] & 0xC0) != 0x80 && cps++ == SUMMARY_SNIPPET)
            break;
    return strndup(text, n);
}

/* Keeps the SUMMARY_TOP most probable paragraphs of a label, earlier
 * paragraphs first among equals. */
static int keep_top(summary_field *f, size_t l, size_t para, double prob,
                    const char *text)
{
    size_t n = f->ntop[l], i = n;
    summary_top *top = f->top[l];
    if (n == SUMMARY_TOP && prob <= top[n - 1].prob)
        return 0;
    char *copy = snippet(text);
    if (!copy)
        return STANCE_ENOMEM;
    if (n == SUMMARY_TOP)
        free(top[--i].text);
    else
        f->ntop[l]++;
    while (i > 0 && top[i - 1].prob < prob) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = (summary_top){para, prob, copy};
    return 0;
}

/* Checks one model's entry of "pred", so that a bad record is refused
 * before it changes anything. */
static int check_prediction(const cJSON *entry, char *err)
{
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(entry, "label");
    const cJSON *prob = cJSON_GetObjectItemCaseSensitive(entry, "prob");
    const cJSON *item;
    if (!cJSON_IsObject(entry)) {
        snprintf(err, STANCE_ERRBUF, "'pred.%.60s' is not an object", entry->string);
        return STANCE_EDATA;
    }
    if (!cJSON_IsString(label) || !*label->valuestring) {
        snprintf(err, STANCE_ERRBUF, "'pred.%.60s.label' is missing or not a string",
                 entry->string);
        return STANCE_EDATA;
    }
    if (prob && !cJSON_IsObject(prob)) {
        snprintf(err, STANCE_ERRBUF, "'pred.%.60s.prob' is not an object", entry->string);
        return STANCE_EDATA;
    }
    cJSON_ArrayForEach(item, prob) {
        if (!cJSON_IsNumber(item) || !(item->valuedouble >= 0 && item->valuedouble <= 1)) {
            snprintf(err, STANCE_ERRBUF,
                     "'pred.%.60s.prob.%.60s' is not a probability from 0 to 1",
                     entry->string, item->string);
            return STANCE_EDATA;
        }
    }
    return 0;
}

/* Registers the field and labels of a checked entry. */
static int register_prediction(cli_summary *s, const cJSON *entry, summary_field **f,
                               char *err)
{
    const cJSON *item;
    size_t id;
    int rc;
    if ((rc = find_field(s, entry->string, f, err)))
        return rc;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(entry, "prob")) {
        if ((rc = find_label(*f, item->string, &id, err)))
            return rc;
    }
    return find_label(*f, cJSON_GetObjectItemCaseSensitive(entry, "label")->valuestring, &id,
                      err);
}

/* Adds a checked entry to the totals of f. */
static int add_prediction(cli_summary *s, summary_field *f, const cJSON *entry,
                          size_t para, const char *text)
{
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(entry, "label");
    const cJSON *prob = cJSON_GetObjectItemCaseSensitive(entry, "prob");
    const cJSON *item;
    char err[STANCE_ERRBUF];
    size_t id, pid;
    /* register_prediction checked every label, so these lookups succeed */
    int rc = find_label(f, label->valuestring, &id, err);
    if (rc)
        return rc;
    /* without "prob" (a model trained with --no-prob) the vote is certain */
    double p = prob ? 0 : 1;
    if (prob) {
        cJSON_ArrayForEach(item, prob) {
            if ((rc = find_label(f, item->string, &pid, err)))
                return rc;
            f->prob_sum[pid] += item->valuedouble;
            if (pid == id)
                p = item->valuedouble;
        }
    } else {
        f->prob_sum[id] += 1;
    }
    f->n++;
    if (p < s->threshold) {
        f->uncertain++;
        return 0;
    }
    f->count[id]++;
    return keep_top(f, id, para, p, text);
}

static int add_doc_string(stance_buf *b, const char *doc)
{
    return stance_buf_add_json_string(b, doc, strlen(doc));
}

/* Writes the current document's summary and resets the totals. */
static int flush(cli_summary *s)
{
    stance_buf *b = &s->out;
    int rc = 0;
    if (!s->doc)
        return 0;
    stance_buf_reset(b);
    if (stance_buf_adds(b, "{\"doc\":") || add_doc_string(b, s->doc) ||
        stance_buf_addf(b, ",\"paragraphs\":%zu", s->paragraphs))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < s->nfields && !rc; i++) {
        summary_field *f = s->fields[i];
        if (!f->n)
            continue; /* no record of this document had this field */
        rc = stance_buf_addc(b, ',') || stance_buf_add_json_string(b, f->name, strlen(f->name)) ||
             stance_buf_adds(b, ":{\"counts\":{");
        for (size_t l = 0; l < f->nlabels && !rc; l++)
            rc = (l && stance_buf_addc(b, ',')) ||
                 stance_buf_add_json_string(b, f->labels[l], strlen(f->labels[l])) ||
                 stance_buf_addf(b, ":%zu", f->count[l]);
        rc = rc || stance_buf_adds(b, "},\"shares\":{");
        for (size_t l = 0; l < f->nlabels && !rc; l++)
            rc = (l && stance_buf_addc(b, ',')) ||
                 stance_buf_add_json_string(b, f->labels[l], strlen(f->labels[l])) ||
                 stance_buf_addf(b, ":%.4f", (double)f->count[l] / (double)f->n);
        rc = rc || stance_buf_adds(b, "},\"lean\":{");
        for (size_t l = 0; l < f->nlabels && !rc; l++)
            rc = (l && stance_buf_addc(b, ',')) ||
                 stance_buf_add_json_string(b, f->labels[l], strlen(f->labels[l])) ||
                 stance_buf_addf(b, ":%.4f", f->prob_sum[l] / (double)f->n);
        rc = rc || stance_buf_addf(b, "},\"uncertain\":%zu,\"top\":{", f->uncertain);
        for (size_t l = 0; l < f->nlabels && !rc; l++) {
            rc = (l && stance_buf_addc(b, ',')) ||
                 stance_buf_add_json_string(b, f->labels[l], strlen(f->labels[l])) ||
                 stance_buf_adds(b, ":[");
            for (size_t t = 0; t < f->ntop[l] && !rc; t++) {
                const summary_top *top = &f->top[l][t];
                rc = (t && stance_buf_addc(b, ',')) ||
                     stance_buf_addf(b, "{\"para\":%zu,\"prob\":%.4f,\"text\":", top->para,
                                     top->prob) ||
                     stance_buf_add_json_string(b, top->text, strlen(top->text)) ||
                     stance_buf_addc(b, '}');
            }
            rc = rc || stance_buf_addc(b, ']');
        }
        rc = rc || stance_buf_adds(b, "}}");
    }
    if (rc || stance_buf_adds(b, "}\n"))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < s->nfields; i++)
        field_reset(s->fields[i]);
    s->paragraphs = 0;
    free(s->doc);
    s->doc = NULL;
    return s->emit(s->ctx, b);
}

int cli_summary_add(cli_summary *s, const cJSON *rec, const cJSON *pred, char *err)
{
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(rec, "doc");
    const cJSON *para = cJSON_GetObjectItemCaseSensitive(rec, "para");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(rec, "text");
    const cJSON *entry;
    summary_field *fields[CLI_MAX_MODELS];
    size_t n = 0;
    int rc;
    if (!pred)
        pred = cJSON_GetObjectItemCaseSensitive(rec, "pred");
    if (!cJSON_IsObject(pred) || !pred->child) {
        snprintf(err, STANCE_ERRBUF,
                 "record has no 'pred' object (run 'stance classify' or 'stance label' first)");
        return STANCE_EDATA;
    }
    if (doc && !cJSON_IsString(doc)) {
        snprintf(err, STANCE_ERRBUF, "field 'doc' is not a string");
        return STANCE_EDATA;
    }
    cJSON_ArrayForEach(entry, pred) {
        if (++n > CLI_MAX_MODELS) {
            snprintf(err, STANCE_ERRBUF, "more than %d fields in 'pred'", CLI_MAX_MODELS);
            return STANCE_EDATA;
        }
        if ((rc = check_prediction(entry, err)))
            return rc;
    }
    /* records without a document name belong to one document, "-" */
    const char *name = doc ? doc->valuestring : "-";
    if (s->doc && strcmp(s->doc, name) && (rc = flush(s)))
        return rc;
    n = 0;
    cJSON_ArrayForEach(entry, pred) {
        if ((rc = register_prediction(s, entry, &fields[n++], err)))
            return rc;
    }
    if (!s->doc && !(s->doc = strdup(name)))
        return STANCE_ENOMEM;
    size_t number = cJSON_IsNumber(para) && para->valuedouble >= 0
                        ? (size_t)para->valuedouble
                        : s->paragraphs + 1;
    const char *t = cJSON_IsString(text) ? text->valuestring : "";
    n = 0;
    cJSON_ArrayForEach(entry, pred) {
        if ((rc = add_prediction(s, fields[n++], entry, number, t)))
            return rc;
    }
    s->paragraphs++;
    return 0;
}

int cli_summary_add_json(cli_summary *s, const stance_buf *rec, char *err)
{
    cJSON *root = cJSON_ParseWithLength(rec->data, rec->len);
    if (!root)
        return STANCE_ENOMEM; /* we wrote it ourselves: only memory can fail */
    int rc = cli_summary_add(s, root, NULL, err);
    cJSON_Delete(root);
    return rc;
}

int cli_summary_add_predicted(cli_summary *s, cli_predictor *p,
                              const stance_record *rec, stance_buf *scratch,
                              char *err)
{
    int rc;
    stance_buf_reset(scratch);
    if ((rc = stance_buf_addc(scratch, '{')) ||
        (rc = cli_predict_record(p, rec, scratch, err)) ||
        (rc = stance_buf_addc(scratch, '}')))
        return rc;
    cJSON *wrapper = cJSON_ParseWithLength(scratch->data, scratch->len);
    if (!wrapper)
        return STANCE_ENOMEM;
    rc = cli_summary_add(s, rec->root, cJSON_GetObjectItemCaseSensitive(wrapper, "pred"), err);
    cJSON_Delete(wrapper);
    return rc;
}

int cli_summary_finish(cli_summary *s)
{
    return flush(s);
}

int cli_summary_print(void *ctx, const stance_buf *summary)
{
    (void)ctx;
    return cli_emit(summary);
}

int cli_threshold_arg(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0 && v <= 1)) {
        cli_error("option '--threshold' needs a probability from 0 to 1, not '%s'", s);
        return -1;
    }
    *out = v;
    return 0;
}
