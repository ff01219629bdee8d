/* cmd_model.c: `stance model show`, the model card: what a model directory
 * predicts, what it was trained on and how, how well it did in
 * cross-validation, and the n-grams that weigh most for each label. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CARD_TOP 15

static const cJSON *item(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *str(const cJSON *o, const char *name, const char *dflt)
{
    const cJSON *v = item(o, name);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* The text card being written; bad records a failed allocation. */
typedef struct {
    stance_buf b;
    int bad;
} card;

static void put(card *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(card *c, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || stance_buf_add(&c->b, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1))
        c->bad = 1;
}

static void puts_(card *c, const char *s)
{
    if (stance_buf_adds(&c->b, s))
        c->bad = 1;
}

/* Numbers as the manifest wrote them: whole numbers without a point. */
static void num(card *c, const cJSON *v)
{
    if (!cJSON_IsNumber(v))
        puts_(c, "-");
    else
        put(c, "%g", v->valuedouble);
}

static void row(card *c, const char *name, const char *value)
{
    put(c, "  %-16s ", name);
    puts_(c, value);
    puts_(c, "\n");
}

static void row_num(card *c, const char *name, const cJSON *v)
{
    put(c, "  %-16s ", name);
    num(c, v);
    puts_(c, "\n");
}

static const char *yes_no(const cJSON *v, const char *yes, const char *no)
{
    return cJSON_IsTrue(v) ? yes : cJSON_IsFalse(v) ? no : "-";
}

/* The top n-grams of every label: {"label":[["w:...",weight],...]}, or
 * NULL for models that are not linear. */
static int top_features(const stance_model *m, cJSON **out)
{
    stance_contribution top[CARD_TOP];
    stance_buf key = {0};
    int rc = 0;
    *out = NULL;
    cJSON *all = cJSON_CreateObject();
    if (!all)
        return STANCE_ENOMEM;
    for (size_t l = 0; l < stance_model_label_count(m) && !rc; l++) {
        size_t n;
        if ((rc = stance_model_top_features(m, l, CARD_TOP, top, &n)))
            break;
        cJSON *list = cJSON_AddArrayToObject(all, stance_model_label(m, l));
        for (size_t i = 0; i < n && list && !rc; i++) {
            stance_buf_reset(&key);
            cJSON *pair = cJSON_CreateArray();
            if (!pair || stance_model_feature_key(m, top[i].feature, &key)) {
                cJSON_Delete(pair);
                rc = STANCE_ENOMEM;
                break;
            }
            cJSON_AddItemToArray(list, pair);
            cJSON_AddItemToArray(pair, cJSON_CreateString(key.data));
            /* six decimals, as --explain prints contributions */
            cJSON_AddItemToArray(pair,
                                 cJSON_CreateNumber(round(top[i].contribution * 1e6) / 1e6));
        }
        if (!list)
            rc = STANCE_ENOMEM;
    }
    stance_buf_release(&key);
    if (rc == STANCE_EARG) /* an RBF model has no per-feature weights */
        rc = 0;
    else if (!rc)
        *out = all, all = NULL;
    cJSON_Delete(all);
    return rc;
}

static void card_text(const char *dir, const stance_model *m, const cJSON *man,
                      const cJSON *top, card *c)
{
    const cJSON *counts = item(man, "train_counts"), *cv = item(man, "cv"),
                *grid = item(man, "grid"), *total = item(man, "train_total");
    const cJSON *mC = item(man, "C"), *mgamma = item(man, "gamma"), *v;
    char buf[64];
    int rbf = !strcmp(str(man, "kernel", "linear"), "rbf");

    puts_(c, "model              ");
    puts_(c, dir);
    puts_(c, "\nfield              ");
    puts_(c, stance_model_field(m));
    puts_(c, "\nlabels             ");
    for (size_t l = 0; l < stance_model_label_count(m); l++) {
        puts_(c, l ? ", " : "");
        puts_(c, stance_model_label(m, l));
    }
    puts_(c, "\n\ntraining records   ");
    num(c, total);
    puts_(c, "\n");
    for (size_t l = 0; l < stance_model_label_count(m); l++) {
        const char *name = stance_model_label(m, l);
        v = item(counts, name);
        put(c, "  %-24s ", name);
        num(c, v);
        if (cJSON_IsNumber(v) && cJSON_IsNumber(total) && total->valuedouble > 0)
            put(c, "  %5.1f%%", 100 * v->valuedouble / total->valuedouble);
        puts_(c, "\n");
    }

    puts_(c, "\nconfiguration\n");
    row(c, "n-grams", str(man, "ngram_config", "-"));
    row(c, "punctuation", yes_no(item(man, "no_punct"), "?, ! and quotes dropped", "kept"));
    row(c, "weighting", str(man, "weighting", "-"));
    row_num(c, "min_df", item(man, "min_df"));
    row(c, "kernel", str(man, "kernel", "-"));
    /* models from before the option minimized the hinge */
    row(c, "loss", str(man, "loss", "hinge"));
    /* and all were one-vs-one */
    row(c, "multiclass", str(man, "multiclass", "one-vs-one"));
    row_num(c, "C", mC);
    if (rbf)
        row_num(c, "gamma", mgamma);
    row(c, "class weights", str(man, "class_weights", "-"));
    row(c, "probability", yes_no(item(man, "probability"), "yes (Platt scaling)", "no"));
    row_num(c, "seed", item(man, "seed"));
    snprintf(buf, sizeof buf, "%zu n-grams", stance_model_vocab_size(m));
    row(c, "vocabulary", buf);

    puts_(c, "\ncross-validation   ");
    if (cJSON_IsObject(cv)) {
        num(c, item(cv, "folds"));
        puts_(c, "-fold");
        if (cJSON_IsNumber(v = item(cv, "accuracy")))
            put(c, ", accuracy %.4f", v->valuedouble);
        if (cJSON_IsNumber(v = item(cv, "macro_f1")))
            put(c, ", macro-F1 %.4f", v->valuedouble);
        puts_(c, "\n");
    } else {
        puts_(c, "not run (train with --cv K)\n");
    }
    if (cJSON_IsArray(grid) && cJSON_GetArraySize(grid) > 0) {
        put(c, "\ngrid search\n  %-10s %s%-9s %s\n", "C", rbf ? "gamma      " : "",
            "accuracy", "macro-F1");
        const cJSON *g;
        cJSON_ArrayForEach(g, grid) {
            const cJSON *C = item(g, "C"), *gamma = item(g, "gamma");
            const cJSON *acc = item(g, "accuracy"), *f1 = item(g, "macro_f1");
            snprintf(buf, sizeof buf, "%g", cJSON_IsNumber(C) ? C->valuedouble : NAN);
            put(c, "  %-10s ", buf);
            if (rbf) {
                snprintf(buf, sizeof buf, "%g", cJSON_IsNumber(gamma) ? gamma->valuedouble : NAN);
                put(c, "%-10s ", buf);
            }
            put(c, "%-9.4f %.4f", cJSON_IsNumber(acc) ? acc->valuedouble : NAN,
                cJSON_IsNumber(f1) ? f1->valuedouble : NAN);
            /* the point the model was trained with */
            if (cJSON_IsNumber(C) && cJSON_IsNumber(mC) && C->valuedouble == mC->valuedouble &&
                (!rbf || (cJSON_IsNumber(gamma) && cJSON_IsNumber(mgamma) &&
                          gamma->valuedouble == mgamma->valuedouble)))
                puts_(c, "   <- chosen");
            puts_(c, "\n");
        }
    }

    put(c, "\ntop %d n-grams per label (weight toward the label)\n", CARD_TOP);
    if (!top) {
        puts_(c, "  not available: the model is not linear\n");
        return;
    }
    const cJSON *list;
    cJSON_ArrayForEach(list, top) {
        puts_(c, "  ");
        puts_(c, list->string);
        puts_(c, "\n");
        const cJSON *pair;
        cJSON_ArrayForEach(pair, list) {
            put(c, "    %9.6f  ", cJSON_GetArrayItem(pair, 1)->valuedouble);
            puts_(c, cJSON_GetArrayItem(pair, 0)->valuestring);
            puts_(c, "\n");
        }
        if (!list->child)
            puts_(c, "    (no n-gram with a positive weight)\n");
    }
}

/* The manifest as one object, with "model" first and "top" (which it
 * takes over) last. */
static int card_json(const char *dir, cJSON *man, cJSON *top, stance_buf *b)
{
    cJSON *root = cJSON_CreateObject();
    char *text = NULL;
    int rc = STANCE_ENOMEM;
    if (!root || !cJSON_AddStringToObject(root, "model", dir))
        goto out;
    while (man->child) {
        cJSON *it = cJSON_DetachItemViaPointer(man, man->child);
        if (!cJSON_AddItemToObject(root, it->string, it)) {
            cJSON_Delete(it);
            goto out;
        }
    }
    if (top ? !cJSON_AddItemToObject(root, "top", top) : !cJSON_AddNullToObject(root, "top"))
        goto out;
    top = NULL;
    if ((text = cJSON_PrintUnformatted(root)) && !stance_buf_adds(b, text) &&
        !stance_buf_addc(b, '\n'))
        rc = 0;
out:
    cJSON_Delete(top);
    cJSON_Delete(root);
    cJSON_free(text);
    return rc;
}

int cmd_model(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    stance_model *m = NULL;
    cJSON *man = NULL, *top = NULL;
    card out = {0};
    char err[STANCE_ERRBUF];
    int c, json = 0, status = EXIT_OK, rc;
    while ((c = getopt_long(argc, argv, "q", longopts, NULL)) != -1) {
        switch (c) {
        case 'J': json = 1; break;
        case 'q': cli_quiet = 1; break;
        case 'h': cli_help(stdout); return cli_finish(EXIT_OK);
        default: return cli_usage_error();
        }
    }
    if (optind == argc) {
        cli_error("missing subcommand (try 'stance model show MODEL_DIR')");
        return cli_usage_error();
    }
    if (strcmp(argv[optind], "show")) {
        cli_error("'%s' is not a 'stance model' subcommand (try 'show')", argv[optind]);
        return cli_usage_error();
    }
    if (argc - optind != 2) {
        cli_error(argc - optind < 2 ? "missing MODEL_DIR" : "one MODEL_DIR at a time");
        return cli_usage_error();
    }
    const char *dir = argv[optind + 1];
    if ((rc = stance_model_load(dir, &m, err))) {
        if (rc == STANCE_EMODEL)
            cli_error("%s", err);
        else
            cli_error("cannot load model '%s': %s", dir, stance_strerror(rc));
        status = rc == STANCE_EMODEL ? EXIT_DATA : EXIT_SYSTEM;
        goto out;
    }
    /* stance_model_load has validated the manifest, so it parses */
    if (!(man = cJSON_Parse(stance_model_manifest(m))) || top_features(m, &top)) {
        cli_error("out of memory");
        status = EXIT_SYSTEM;
        goto out;
    }
    if (json) {
        rc = card_json(dir, man, top, &out.b);
        top = NULL; /* card_json took it */
    } else {
        card_text(dir, m, man, top, &out);
        rc = out.bad ? STANCE_ENOMEM : 0;
    }
    if (rc) {
        cli_error("out of memory");
        status = EXIT_SYSTEM;
        goto out;
    }
    status = cli_emit(&out.b);
out:
    cJSON_Delete(top);
    cJSON_Delete(man);
    stance_model_free(&m);
    stance_buf_release(&out.b);
    return cli_finish(status);
}
