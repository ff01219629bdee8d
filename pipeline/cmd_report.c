/* cmd_report.c: `stance report`, labelled records in, one self-contained
 * HTML page out: per article a summary chart, then every paragraph shaded
 * by stance, marked by sentiment, with a probability bar and the n-grams
 * that explain its label. The page loads nothing: style and script are
 * embedded (report_assets.c) and a Content-Security-Policy forbids fetching.
 *
 * Articles are written as they end, so memory holds one article; only the
 * table of contents, a line per article, waits for the end of the input. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"

#define REPORT_COLOURS 256
#define TITLE_MAX 160 /* a first paragraph this short and unpunctuated is a headline */

typedef struct {
    char *field, *label;
    char colour[8], tint[8];
} colour_entry;

typedef struct {
    FILE *out;
    const char *title;
    double threshold;
    const char *shade_opt, *mark_opt; /* --shade, --mark */
    char *shade, *mark;               /* the fields chosen at the first record */
    cli_summary *sum;
    int started;                      /* the page's head is written */
    size_t ndocs, nparas, doc_paras;  /* articles done, paragraphs, of this article */
    stance_buf paras;                 /* this article's paragraphs, as HTML */
    stance_buf first;                 /* this article's first paragraph, for its title */
    stance_buf nav;                   /* the table of contents so far */
    stance_buf b;                     /* an article being written */
    colour_entry colours[REPORT_COLOURS];
    size_t ncolours;
} report;

/* Colours that stay apart for colour-blind readers (Okabe and Ito), some
 * darkened to keep white text readable; known labels have fixed ones. */
static const char *const palette[] = {"#0072B2", "#C85200", "#009E73", "#CC79A7",
                                      "#B07800", "#3D8FC6", "#7B3294", "#1B7837"};
static const struct {
    const char *label, *colour;
} known_colours[] = {
    {"federal-cooperation", "#0072B2"}, {"local-control", "#C85200"},
    {"neutral", "#707784"},             {"negative", "#7B3294"},
    {"positive", "#1B7837"},            {"uncertain", "#707784"},
};

static const cJSON *get(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* ---- HTML text ------------------------------------------------------------ */

/* Appends s[0..n) as HTML text or attribute value (quoted with "). Control
 * characters other than tab and newline become spaces: HTML forbids them. */
static int esc_n(stance_buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            rep = (unsigned char)s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' ? " " : NULL;
        }
        if (rep && (stance_buf_add(b, s + start, i - start) || stance_buf_adds(b, rep)))
            return STANCE_ENOMEM;
        if (rep)
            start = i + 1;
    }
    return stance_buf_add(b, s + start, n - start);
}

static int esc(stance_buf *b, const char *s)
{
    return esc_n(b, s, strlen(s));
}

/* ---- colours --------------------------------------------------------------- */

static const colour_entry *colour(report *r, const char *field, const char *label)
{
    static const colour_entry fallback = {NULL, NULL, "#707784", "#eeeff1"};
    size_t in_field = 0;
    for (size_t i = 0; i < r->ncolours; i++) {
        if (strcmp(r->colours[i].field, field))
            continue;
        if (!strcmp(r->colours[i].label, label))
            return &r->colours[i];
        in_field++;
    }
    if (r->ncolours == REPORT_COLOURS)
        return &fallback;
    colour_entry *e = &r->colours[r->ncolours];
    const char *hex = palette[in_field % (sizeof palette / sizeof *palette)];
    for (size_t i = 0; i < sizeof known_colours / sizeof *known_colours; i++)
        if (!strcmp(known_colours[i].label, label))
            hex = known_colours[i].colour;
    if (!(e->field = strdup(field)) || !(e->label = strdup(label))) {
        free(e->field);
        free(e->label);
        return &fallback;
    }
    unsigned v = (unsigned)strtoul(hex + 1, NULL, 16), t[3];
    for (int k = 0; k < 3; k++) {
        unsigned c = (v >> (16 - 8 * k)) & 0xff;
        t[k] = 255 - (unsigned)((255 - c) * 0.11 + 0.5); /* a pale tint for backgrounds */
    }
    snprintf(e->colour, sizeof e->colour, "%s", hex);
    snprintf(e->tint, sizeof e->tint, "#%02x%02x%02x", t[0], t[1], t[2]);
    r->ncolours++;
    return e;
}

/* ---- one model's prediction ------------------------------------------------ */

typedef struct {
    const char *field, *label;
    const cJSON *prob;    /* may be NULL (a model without probabilities) */
    const cJSON *explain; /* may be NULL */
    double p;             /* probability of label */
} prediction;

static int prediction_of(const cJSON *pred, const char *field, prediction *v)
{
    const cJSON *e = field ? get(pred, field) : NULL;
    const cJSON *label = get(e, "label"), *p;
    if (!cJSON_IsString(label))
        return 0;
    v->field = field;
    v->label = label->valuestring;
    v->prob = cJSON_IsObject(get(e, "prob")) ? get(e, "prob") : NULL;
    v->explain = cJSON_IsObject(get(e, "explain")) ? get(e, "explain") : NULL;
    p = get(v->prob, v->label);
    v->p = !v->prob ? 1 : cJSON_IsNumber(p) ? p->valuedouble : 0;
    return 1;
}

static const char *icon(const char *label)
{
    if (!strcmp(label, "positive"))
        return "<svg viewBox=\"0 0 12 12\" aria-hidden=\"true\"><path d=\"M6 1.5 11 10H1z\"/></svg>";
    if (!strcmp(label, "negative"))
        return "<svg viewBox=\"0 0 12 12\" aria-hidden=\"true\"><path d=\"M1 2h10L6 10.5z\"/></svg>";
    return "<svg viewBox=\"0 0 12 12\" aria-hidden=\"true\"><circle cx=\"6\" cy=\"6\" r=\"4\"/></svg>";
}

/* ---- paragraphs ------------------------------------------------------------ */

static int chips(report *r, stance_buf *b, const prediction *v, const char *list, int pro)
{
    const cJSON *arr = get(v->explain, list), *pair;
    const colour_entry *c = colour(r, v->field, v->label);
    int any = 0, rc = stance_buf_addf(b, "<div class=\"chips\"><span class=\"cl\">%s</span>",
                                      pro ? "toward" : "against");
    cJSON_ArrayForEach(pair, arr) {
        const cJSON *k = cJSON_GetArrayItem(pair, 0), *w = cJSON_GetArrayItem(pair, 1);
        if (rc || !cJSON_IsString(k) || !cJSON_IsNumber(w) || strlen(k->valuestring) < 3)
            continue;
        int word = k->valuestring[0] == 'w';
        rc = stance_buf_addf(b, "<span class=\"chip %s %s\"", pro ? "pro" : "con",
                             word ? "w" : "c") ||
             (pro && stance_buf_addf(b, " style=\"--c:%s\"", c->colour)) ||
             stance_buf_adds(b, " data-k=\"") || esc(b, k->valuestring) ||
             stance_buf_addf(b, "\" data-w=\"%.6f\" title=\"%s\">", w->valuedouble,
                             word ? "word n-gram"
                                  : "character n-gram; &lt; and &gt; mark the edges of a word") ||
             esc(b, k->valuestring + 2) ||
             stance_buf_addf(b, "<b>%+.3f</b></span>", w->valuedouble);
        any = 1;
    }
    if (!rc && !any)
        rc = stance_buf_adds(b, "<span class=\"none\">none</span>");
    return rc || stance_buf_adds(b, "</div>");
}

static int explanation(report *r, stance_buf *b, const cJSON *pred)
{
    const cJSON *e;
    int any = 0, rc = 0;
    cJSON_ArrayForEach(e, pred) {
        prediction v;
        if (rc || !prediction_of(pred, e->string, &v) || !v.explain)
            continue;
        const cJSON *score = get(v.explain, "score"), *bias = get(v.explain, "bias");
        rc = (!any && stance_buf_adds(b, "<details class=\"ex\"><summary>Why?</summary>"
                                         "<div class=\"exb\">")) ||
             stance_buf_adds(b, "<div class=\"exf\" data-field=\"") || esc(b, v.field) ||
             stance_buf_adds(b, "\"><div class=\"exh\"><b>") || esc(b, v.field) ||
             stance_buf_adds(b, "</b> \xe2\x86\x92 ") || esc(b, v.label);
        if (!rc && cJSON_IsNumber(score) && cJSON_IsNumber(bias))
            rc = stance_buf_addf(b, " &middot; score %.3f = bias %.3f + the n-grams' "
                                    "contributions (strongest below)",
                                 score->valuedouble, bias->valuedouble);
        rc = rc || stance_buf_adds(b, "</div>") || chips(r, b, &v, "toward", 1) ||
             chips(r, b, &v, "against", 0) || stance_buf_adds(b, "</div>");
        any = 1;
    }
    return rc || (any && stance_buf_adds(b, "</div></details>"));
}

static int render_para(report *r, const cJSON *rec)
{
    stance_buf *b = &r->paras;
    const cJSON *pred = get(rec, "pred"), *para = get(rec, "para"), *text = get(rec, "text");
    const char *t = cJSON_IsString(text) ? text->valuestring : "";
    size_t number = cJSON_IsNumber(para) && para->valuedouble >= 0 ? (size_t)para->valuedouble
                                                                    : r->doc_paras + 1;
    prediction s = {0}, m = {0};
    int has_s = prediction_of(pred, r->shade, &s), has_m = prediction_of(pred, r->mark, &m);
    int unc = has_s && s.p < r->threshold;
    const cJSON *item;
    int rc;
    /* colours go to labels in the models' order, which the legend keeps */
    cJSON_ArrayForEach(item, s.prob)
        colour(r, r->shade, item->string);
    cJSON_ArrayForEach(item, m.prob)
        colour(r, r->mark, item->string);
    const colour_entry *c = has_s ? colour(r, r->shade, s.label) : colour(r, "", "uncertain");

    if (r->doc_paras++ == 0 && stance_buf_adds(&r->first, t))
        return STANCE_ENOMEM;
    r->nparas++;
    rc = stance_buf_addf(b, "<div class=\"para%s\" id=\"a%zu-p%zu\" tabindex=\"0\" data-field=\"",
                         unc ? " unc" : "", r->ndocs + 1, number) ||
         esc(b, has_s ? s.field : "") ||
         stance_buf_addf(b, "\" style=\"--c:%s;--t:%s\"><div class=\"pn\">%zu</div>"
                            "<div class=\"pc\"><p class=\"pt\">",
                         c->colour, c->tint, number) ||
         esc(b, t) || stance_buf_adds(b, "</p><div class=\"pm\">");
    if (!rc && has_s) {
        rc = stance_buf_adds(b, "<span class=\"tag\"><i class=\"sw\"></i>") ||
             (unc && stance_buf_adds(b, "uncertain <span class=\"q\">(")) || esc(b, s.label) ||
             stance_buf_addf(b, "%s%.0f%%%s</span>", unc ? " " : " <span class=\"q\">",
                             100 * s.p, unc ? ")</span>" : "</span>");
        if (!rc && s.prob) {
            rc = stance_buf_adds(b, "<span class=\"pb\" title=\"");
            int first = 1;
            cJSON_ArrayForEach(item, s.prob) {
                if (rc || !cJSON_IsNumber(item))
                    continue;
                rc = (!first && stance_buf_adds(b, " &middot; ")) || esc(b, item->string) ||
                     stance_buf_addf(b, " %.0f%%", 100 * item->valuedouble);
                first = 0;
            }
            rc = rc || stance_buf_adds(b, "\">");
            cJSON_ArrayForEach(item, s.prob) {
                if (rc || !cJSON_IsNumber(item))
                    continue;
                rc = stance_buf_addf(b, "<i%s style=\"width:%.1f%%;--c:%s\"></i>",
                                     strcmp(item->string, s.label) ? " class=\"o\"" : "",
                                     100 * item->valuedouble,
                                     colour(r, r->shade, item->string)->colour);
            }
            rc = rc || stance_buf_adds(b, "</span>");
        }
    }
    if (!rc && has_m) {
        rc = stance_buf_addf(b, "<span class=\"sent\" style=\"--c:%s\" title=\"",
                             colour(r, r->mark, m.label)->colour) ||
             esc(b, m.field) || stance_buf_adds(b, ": ") || esc(b, m.label) ||
             (m.prob && stance_buf_addf(b, ", probability %.0f%%", 100 * m.p)) ||
             stance_buf_addf(b, "\">%s", icon(m.label)) || esc(b, m.label) ||
             (m.prob && stance_buf_addf(b, " <span class=\"q\">%.0f%%</span>", 100 * m.p)) ||
             stance_buf_adds(b, "</span>");
    }
    rc = rc || explanation(r, b, pred) || stance_buf_adds(b, "</div></div></div>\n");
    return rc ? STANCE_ENOMEM : 0;
}

/* ---- articles -------------------------------------------------------------- */

/* The stacked bar of one field's counts, with or without the key below. */
static int chart(report *r, stance_buf *b, const cJSON *f, const char *field, int full)
{
    const cJSON *counts = get(f, "counts"), *unc = get(f, "uncertain"), *item;
    double n = cJSON_IsNumber(unc) ? unc->valuedouble : 0;
    int rc = 0;
    cJSON_ArrayForEach(item, counts)
        n += cJSON_IsNumber(item) ? item->valuedouble : 0;
    if (n <= 0)
        return 0;
    if (full) {
        const cJSON *lean = get(f, "lean"), *top = NULL;
        cJSON_ArrayForEach(item, lean)
            if (cJSON_IsNumber(item) && (!top || item->valuedouble > top->valuedouble))
                top = item;
        rc = stance_buf_adds(b, "<div class=\"chart\"><div class=\"ct\"><b>") || esc(b, field) ||
             stance_buf_adds(b, "</b>");
        if (!rc && top) {
            rc = stance_buf_adds(b, "<span title=\"mean probability of each label over the "
                                    "article's paragraphs\">leans ") ||
                 esc(b, top->string) ||
                 stance_buf_addf(b, " (mean probability %.0f%%)</span>", 100 * top->valuedouble);
        }
        rc = rc || stance_buf_adds(b, "</div><div class=\"bar\" role=\"img\" aria-label=\"") ||
             esc(b, field) || stance_buf_addf(b, " of %.0f paragraphs:", n);
        cJSON_ArrayForEach(item, counts)
            rc = rc || stance_buf_adds(b, " ") || esc(b, item->string) ||
                 stance_buf_addf(b, " %.0f,", item->valuedouble);
        rc = rc || stance_buf_addf(b, " uncertain %.0f\">", cJSON_IsNumber(unc) ? unc->valuedouble : 0);
    } else {
        rc = stance_buf_adds(b, "<span class=\"bar\" aria-hidden=\"true\">");
    }
    cJSON_ArrayForEach(item, counts) {
        double share = cJSON_IsNumber(item) ? 100 * item->valuedouble / n : 0;
        if (rc || share <= 0)
            continue;
        rc = stance_buf_addf(b, "<span class=\"seg\" style=\"--c:%s;width:%.2f%%\" title=\"",
                             colour(r, field, item->string)->colour, share) ||
             esc(b, item->string) ||
             stance_buf_addf(b, ": %.0f of %.0f paragraphs\">", item->valuedouble, n) ||
             (full && share >= 9 && stance_buf_addf(b, "%.0f%%", share)) ||
             stance_buf_adds(b, "</span>");
    }
    if (!rc && cJSON_IsNumber(unc) && unc->valuedouble > 0) {
        double share = 100 * unc->valuedouble / n;
        rc = stance_buf_addf(b, "<span class=\"seg unc\" style=\"width:%.2f%%\" title=\"uncertain: "
                                "%.0f of %.0f paragraphs\">",
                             share, unc->valuedouble, n) ||
             (full && share >= 9 && stance_buf_addf(b, "%.0f%%", share)) ||
             stance_buf_adds(b, "</span>");
    }
    if (!full)
        return rc || stance_buf_adds(b, "</span>");
    rc = rc || stance_buf_adds(b, "</div><ul class=\"key\">");
    cJSON_ArrayForEach(item, counts)
        rc = rc || stance_buf_addf(b, "<li><i class=\"sw\" style=\"--c:%s\"></i>",
                                   colour(r, field, item->string)->colour) ||
             esc(b, item->string) || stance_buf_addf(b, " <b>%.0f</b></li>", item->valuedouble);
    if (cJSON_IsNumber(unc) && unc->valuedouble > 0)
        rc = rc || stance_buf_addf(b, "<li><i class=\"sw unc\"></i>uncertain <b>%.0f</b></li>",
                                   unc->valuedouble);
    return rc || stance_buf_adds(b, "</ul></div>");
}

/* The article's title: its first paragraph when that reads as a headline,
 * else the file name. */
static int article_title(report *r, stance_buf *b, const char *doc)
{
    const char *t = r->first.data ? r->first.data : "";
    size_t n = r->first.len;
    if (n && n <= TITLE_MAX && !strchr(".!?:;,", t[n - 1]))
        return esc_n(b, t, n);
    if (!strcmp(doc, "-"))
        return stance_buf_adds(b, "Untitled");
    const char *slash = strrchr(doc, '/');
    return esc(b, slash && slash[1] ? slash + 1 : doc);
}

static int write_out(report *r, const stance_buf *b)
{
    if (b->len && fwrite(b->data, 1, b->len, r->out) != b->len) {
        cli_error("cannot write the report: %s", strerror(errno));
        return EXIT_SYSTEM;
    }
    return 0;
}

/* A cli_summary_fn: the summary of an article ends it; writes the article. */
static int on_summary(void *ctx, const stance_buf *summary)
{
    report *r = ctx;
    stance_buf *b = &r->b;
    cJSON *s = cJSON_ParseWithLength(summary->data, summary->len);
    const cJSON *doc = get(s, "doc"), *n = get(s, "paragraphs"), *f;
    const char *order[2] = {r->shade, r->mark};
    size_t id = r->ndocs + 1;
    int rc;
    if (!s)
        return STANCE_ENOMEM;
    stance_buf_reset(b);
    rc = stance_buf_addf(b, "<section class=\"art\" id=\"a%zu\" aria-labelledby=\"a%zu-h\">"
                            "<header class=\"ah\"><div class=\"am\"><span>Article %zu</span><code>",
                         id, id, id) ||
         esc(b, doc->valuestring) ||
         stance_buf_addf(b, "</code><span>%.0f paragraph%s</span></div><h2 id=\"a%zu-h\">",
                         n->valuedouble, n->valuedouble == 1 ? "" : "s", id) ||
         article_title(r, b, doc->valuestring) || stance_buf_adds(b, "</h2><div class=\"charts\">");
    /* the shading field first, then the marking field, then any other */
    for (int k = 0; k < 2; k++)
        if (order[k] && get(s, order[k]))
            rc = rc || chart(r, b, get(s, order[k]), order[k], 1);
    cJSON_ArrayForEach(f, s) {
        if (!cJSON_IsObject(f) || (r->shade && !strcmp(f->string, r->shade)) ||
            (r->mark && !strcmp(f->string, r->mark)))
            continue;
        rc = rc || chart(r, b, f, f->string, 1);
    }
    rc = rc || stance_buf_adds(b, "</div></header><div class=\"paras\">\n") ||
         stance_buf_add(b, r->paras.data, r->paras.len) ||
         stance_buf_adds(b, "</div></section>\n");
    /* its line in the table of contents */
    rc = rc || stance_buf_addf(&r->nav, "<li><a href=\"#a%zu\"><span class=\"tt\">", id) ||
         article_title(r, &r->nav, doc->valuestring) || stance_buf_adds(&r->nav, "</span>") ||
         (r->shade && get(s, r->shade) && chart(r, &r->nav, get(s, r->shade), r->shade, 0)) ||
         stance_buf_adds(&r->nav, "</a></li>\n");
    cJSON_Delete(s);
    if (rc)
        return STANCE_ENOMEM;
    r->ndocs++;
    r->doc_paras = 0;
    stance_buf_reset(&r->paras);
    stance_buf_reset(&r->first);
    return write_out(r, b);
}

/* ---- the page -------------------------------------------------------------- */

static int page_head(report *r)
{
    stance_buf *b = &r->b;
    stance_buf_reset(b);
    int rc = stance_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                                /* the page may fetch nothing at all */
                                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                                "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                                "img-src data:\">\n<meta name=\"generator\" content=\"stance " STANCE_VERSION
                                "\">\n<title>") ||
             esc(b, r->title) || stance_buf_adds(b, "</title>\n<style>\n") ||
             stance_buf_adds(b, report_css) ||
             stance_buf_adds(b, "</style>\n</head>\n<body>\n<div class=\"layout\">\n"
                                "<header class=\"top\"><h1>") ||
             esc(b, r->title) || stance_buf_adds(b, "</h1><p>");
    if (!rc && r->shade) {
        rc = stance_buf_adds(b, "Each paragraph is shaded by its predicted <b>") ||
             esc(b, r->shade) || stance_buf_adds(b, "</b>") ||
             (r->mark && (stance_buf_adds(b, " and marked by its <b>") || esc(b, r->mark) ||
                          stance_buf_adds(b, "</b>"))) ||
             stance_buf_addf(b, "; hatched paragraphs are uncertain (no label reaches "
                                "%.0f%%). Hover over a paragraph to highlight the words "
                                "behind its label, click it to see all of them.",
                             100 * r->threshold);
    }
    rc = rc || stance_buf_adds(b, "</p></header>\n<main>\n");
    if (rc)
        return STANCE_ENOMEM;
    r->started = 1;
    return write_out(r, b);
}

static int legend(report *r, stance_buf *b, const char *field, int marks)
{
    int rc = stance_buf_adds(b, "<div class=\"lg\"><h3>") || esc(b, field) ||
             stance_buf_adds(b, "</h3><ul>");
    for (size_t i = 0; i < r->ncolours && !rc; i++) {
        const colour_entry *c = &r->colours[i];
        if (strcmp(c->field, field))
            continue;
        if (marks)
            rc = stance_buf_addf(b, "<li><span class=\"sent\" style=\"--c:%s\">%s", c->colour,
                                 icon(c->label)) ||
                 esc(b, c->label) || stance_buf_adds(b, "</span></li>");
        else
            rc = stance_buf_addf(b, "<li><i class=\"sw\" style=\"--c:%s\"></i>", c->colour) ||
                 esc(b, c->label) || stance_buf_adds(b, "</li>");
    }
    if (!marks && !rc)
        rc = stance_buf_addf(b, "<li><i class=\"sw unc\"></i>uncertain (below %.0f%%)</li>",
                             100 * r->threshold);
    return rc || stance_buf_adds(b, "</ul></div>");
}

static int page_end(report *r)
{
    stance_buf *b = &r->b;
    int rc;
    stance_buf_reset(b);
    rc = (!r->ndocs && stance_buf_adds(b, "<p class=\"empty\">No labelled paragraphs in the "
                                          "input.</p>\n")) ||
         stance_buf_adds(b, "</main>\n<nav class=\"side\" aria-label=\"articles\">"
                            "<div class=\"brand\">stance report</div><div class=\"legend\">") ||
         (r->shade && legend(r, b, r->shade, 0)) || (r->mark && legend(r, b, r->mark, 1)) ||
         stance_buf_adds(b, "<div class=\"lg\"><h3>highlights</h3><ul><li><mark class=\"pro\" "
                            "style=\"--c:#0072B2;--a:.4\">word</mark>pushes toward the label</li>"
                            "<li><mark class=\"con\">word</mark>pushes against it</li></ul></div>"
                            "</div>") ||
         stance_buf_addf(b, "<h3>%zu article%s</h3><ol class=\"toc\">\n", r->ndocs,
                         r->ndocs == 1 ? "" : "s") ||
         stance_buf_add(b, r->nav.data, r->nav.len) ||
         stance_buf_addf(b, "</ol><p class=\"gen\">%zu paragraph%s &middot; stance "
                            STANCE_VERSION "</p></nav>\n",
                         r->nparas, r->nparas == 1 ? "" : "s") ||
         stance_buf_adds(b, "<footer class=\"foot\">Made by stance " STANCE_VERSION
                            ". Probabilities are the models' own estimates. An explanation "
                            "lists the n-grams that add most to, and take most from, the "
                            "linear decision value of the predicted label; with the bias "
                            "they sum to its score.</footer>\n</div>\n<script>\n") ||
         stance_buf_adds(b, report_js) || stance_buf_adds(b, "</script>\n</body>\n</html>\n");
    return rc ? STANCE_ENOMEM : write_out(r, b);
}

/* Chooses the shading and marking fields from the first record: "stance"
 * and "sentiment" when present, else the first and second model fields. */
static int choose_fields(report *r, const cJSON *pred)
{
    const cJSON *e;
    const char *shade = r->shade_opt, *mark = r->mark_opt;
    if (!shade)
        shade = get(pred, "stance") ? "stance" : pred->child->string;
    if (!mark && get(pred, "sentiment") && strcmp(shade, "sentiment"))
        mark = "sentiment";
    cJSON_ArrayForEach(e, pred)
        if (!mark && strcmp(e->string, shade))
            mark = e->string;
    if (!(r->shade = strdup(shade)) || (mark && !(r->mark = strdup(mark))))
        return STANCE_ENOMEM;
    return 0;
}

static int on_record(void *ctx, stance_record *rec, char *err)
{
    report *r = ctx;
    int rc;
    /* validates the record, and ends the previous article at a new "doc" */
    if ((rc = cli_summary_add(r->sum, rec->root, NULL, err)))
        return rc;
    if (!r->started &&
        ((rc = choose_fields(r, get(rec->root, "pred"))) || (rc = page_head(r))))
        return rc;
    return render_para(r, rec->root);
}

/* Opens a temporary file beside path, so that renaming it over path is
 * atomic. */
static FILE *open_temp(const char *path, char **tmp)
{
    size_t n = strlen(path) + 16;
    int fd;
    FILE *f = NULL;
    if (!(*tmp = malloc(n)))
        return NULL;
    snprintf(*tmp, n, "%s.tmp.XXXXXX", path);
    mode_t mask = umask(0);
    umask(mask);
    /* mkstemp makes the file private; a report is as readable as any file */
    if ((fd = mkstemp(*tmp)) < 0 || fchmod(fd, 0666 & ~mask) || !(f = fdopen(fd, "w"))) {
        cli_error("cannot create '%s': %s", *tmp, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(*tmp);
        }
        free(*tmp);
        *tmp = NULL;
    }
    return f;
}

int cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, 'T'},
        {"threshold", required_argument, NULL, 't'},
        {"shade", required_argument, NULL, 'S'},
        {"mark", required_argument, NULL, 'M'},
        {"skip-invalid", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    report r = {0};
    cli_reader rd = {0};
    stance_record *rec = NULL;
    const char *path = NULL;
    char *tmp = NULL;
    int c, status;
    r.title = "Stance report";
    r.threshold = 0.5;
    while ((c = getopt_long(argc, argv, "o:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': path = optarg; break;
        case 'T': r.title = optarg; break;
        case 't':
            if (cli_threshold_arg(optarg, &r.threshold))
                return cli_usage_error();
            break;
        case 'S': r.shade_opt = optarg; break;
        case 'M': r.mark_opt = optarg; break;
        case 's': rd.skip_invalid = 1; break;
        case 'q': cli_quiet = 1; break;
        case 'h': cli_help(stdout); return cli_finish(EXIT_OK);
        default: return cli_usage_error();
        }
    }
    if (path && !*path) {
        cli_error("option '-o' needs a file name");
        return cli_usage_error();
    }
    r.out = stdout;
    if (path && !(r.out = open_temp(path, &tmp))) {
        status = EXIT_SYSTEM;
        goto out;
    }
    if (cli_summary_new(r.threshold, on_summary, &r, &r.sum) ||
        !(rec = calloc(1, sizeof *rec))) {
        cli_error("out of memory");
        status = EXIT_SYSTEM;
        goto out;
    }
    status = cli_read_all(&rd, argc - optind, argv + optind, on_record, &r, rec);
    if (status == EXIT_OK) {
        int rc = cli_summary_finish(r.sum);
        if (!rc && !r.started)
            rc = page_head(&r);
        if (!rc)
            rc = page_end(&r);
        if (rc < 0)
            cli_error("out of memory");
        status = rc < 0 ? EXIT_SYSTEM : rc;
    }
    if (tmp) {
        /* the page replaces path only when complete and on disk */
        if (status == EXIT_OK && (fflush(r.out) || fsync(fileno(r.out)))) {
            cli_error("cannot write '%s': %s", tmp, strerror(errno));
            status = EXIT_SYSTEM;
        }
        if (fclose(r.out) && status == EXIT_OK) {
            cli_error("cannot write '%s': %s", tmp, strerror(errno));
            status = EXIT_SYSTEM;
        }
        r.out = NULL;
        if (status == EXIT_OK && rename(tmp, path)) {
            cli_error("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
            status = EXIT_SYSTEM;
        }
        if (status != EXIT_OK)
            unlink(tmp);
    }
out:
    if (rec)
        stance_record_release(rec);
    free(rec);
    free(tmp);
    cli_summary_free(&r.sum);
    for (size_t i = 0; i < r.ncolours; i++) {
        free(r.colours[i].field);
        free(r.colours[i].label);
    }
    free(r.shade);
    free(r.mark);
    stance_buf_release(&r.paras);
    stance_buf_release(&r.first);
    stance_buf_release(&r.nav);
    stance_buf_release(&r.b);
    return cli_finish(cli_reader_status(&rd, status));
}
