/* cmd_eval.c: `stance eval`, records with a gold label and a prediction in,
 * accuracy, per-label precision/recall/F1, macro-F1 and the confusion
 * matrix out. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct {
    const char *field;
    char *labels[STANCE_MAX_LABELS];
    size_t nlabels;
    size_t *pairs; /* (gold, predicted) label ids, flattened */
    size_t npairs, pairs_cap;
} eval_state;

static int label_id(eval_state *st, const char *label, size_t *id, char *err)
{
    for (size_t i = 0; i < st->nlabels; i++)
        if (!strcmp(st->labels[i], label)) {
            *id = i;
            return 0;
        }
    if (st->nlabels == STANCE_MAX_LABELS) {
        snprintf(err, STANCE_ERRBUF, "more than %d distinct labels", STANCE_MAX_LABELS);
        return STANCE_EDATA;
    }
    if (!(st->labels[st->nlabels] = strdup(label)))
        return STANCE_ENOMEM;
    *id = st->nlabels++;
    return 0;
}

static int on_record(void *ctx, stance_record *rec, char *err)
{
    eval_state *st = ctx;
    const char *gold;
    int rc = cli_record_label(rec, st->field, &gold, err);
    if (rc)
        return rc;
    const cJSON *pred = cJSON_GetObjectItemCaseSensitive(rec->root, "pred");
    const cJSON *entry = cJSON_GetObjectItemCaseSensitive(pred, st->field);
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(entry, "label");
    if (!cJSON_IsString(label)) {
        snprintf(err, STANCE_ERRBUF, "no prediction 'pred.%.60s.label' (run 'stance classify' first)",
                 st->field);
        return STANCE_EDATA;
    }
    size_t g, p;
    if ((rc = label_id(st, gold, &g, err)) || (rc = label_id(st, label->valuestring, &p, err)))
        return rc;
    if (STANCE_ARRAY_GROW(st->pairs, st->pairs_cap, st->npairs + 2))
        return STANCE_ENOMEM;
    st->pairs[st->npairs++] = g;
    st->pairs[st->npairs++] = p;
    return 0;
}

static int cmp_label(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_table(const eval_state *st, char **sorted, const size_t *conf,
                        const stance_metrics *mt)
{
    size_t k = st->nlabels, width = 5;
    for (size_t i = 0; i < k; i++)
        if (strlen(sorted[i]) > width)
            width = strlen(sorted[i]);
    printf("field     %s\nrecords   %zu\naccuracy  %.4f\nmacro-F1  %.4f\n\n", st->field,
           mt->total, mt->accuracy, mt->macro_f1);
    printf("%-*s  precision  recall  f1      support\n", (int)width, "label");
    for (size_t i = 0; i < k; i++)
        printf("%-*s  %-9.4f  %-6.4f  %-6.4f  %zu\n", (int)width, sorted[i],
               mt->precision[i], mt->recall[i], mt->f1[i], mt->support[i]);
    printf("\nconfusion (rows: gold, columns: predicted)\n%-*s", (int)width, "");
    for (size_t j = 0; j < k; j++)
        printf("  %*s", (int)(strlen(sorted[j]) > 5 ? strlen(sorted[j]) : 5), sorted[j]);
    putchar('\n');
    for (size_t i = 0; i < k; i++) {
        printf("%-*s", (int)width, sorted[i]);
        for (size_t j = 0; j < k; j++)
            printf("  %*zu", (int)(strlen(sorted[j]) > 5 ? strlen(sorted[j]) : 5),
                   conf[i * k + j]);
        putchar('\n');
    }
}

static int print_json(const eval_state *st, char **sorted, const size_t *conf,
                      const stance_metrics *mt)
{
    size_t k = st->nlabels;
    stance_buf b = {0};
    int rc = stance_buf_adds(&b, "{\"field\":") ||
             stance_buf_add_json_string(&b, st->field, strlen(st->field)) ||
             stance_buf_addf(&b, ",\"records\":%zu,\"accuracy\":%.6f,\"macro_f1\":%.6f,"
                                 "\"labels\":{",
                             mt->total, mt->accuracy, mt->macro_f1);
    for (size_t i = 0; i < k && !rc; i++)
        rc = (i && stance_buf_addc(&b, ',')) ||
             stance_buf_add_json_string(&b, sorted[i], strlen(sorted[i])) ||
             stance_buf_addf(&b, ":{\"precision\":%.6f,\"recall\":%.6f,\"f1\":%.6f,"
                                 "\"support\":%zu}",
                             mt->precision[i], mt->recall[i], mt->f1[i], mt->support[i]);
    rc = rc || stance_buf_adds(&b, "},\"confusion\":{");
    for (size_t i = 0; i < k && !rc; i++) {
        rc = (i && stance_buf_addc(&b, ',')) ||
             stance_buf_add_json_string(&b, sorted[i], strlen(sorted[i])) ||
             stance_buf_adds(&b, ":{");
        for (size_t j = 0; j < k && !rc; j++)
            rc = (j && stance_buf_addc(&b, ',')) ||
                 stance_buf_add_json_string(&b, sorted[j], strlen(sorted[j])) ||
                 stance_buf_addf(&b, ":%zu", conf[i * k + j]);
        rc = rc || stance_buf_addc(&b, '}');
    }
    rc = rc || stance_buf_adds(&b, "}}\n");
    if (!rc)
        rc = cli_emit(&b);
    stance_buf_release(&b);
    return rc ? EXIT_SYSTEM : EXIT_OK;
}

int cmd_eval(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"field", required_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'J'},
        {"skip-invalid", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    eval_state st = {0};
    cli_reader rd = {0};
    int c, json = 0;
    while ((c = getopt_long(argc, argv, "f:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': st.field = optarg; break;
        case 'J': json = 1; break;
        case 's': rd.skip_invalid = 1; break;
        case 'q': cli_quiet = 1; break;
        case 'h': cli_help(stdout); return EXIT_OK;
        default: return cli_usage_error();
        }
    }
    if (!st.field) {
        cli_error("-f FIELD is required");
        return cli_usage_error();
    }
    stance_record *rec = calloc(1, sizeof *rec);
    if (!rec) {
        cli_error("out of memory");
        return EXIT_SYSTEM;
    }
    int status = cli_read_all(&rd, argc - optind, argv + optind, on_record, &st, rec);
    stance_record_release(rec);
    free(rec);
    if (status == EXIT_OK && st.npairs == 0) {
        cli_error("no records to evaluate");
        status = EXIT_DATA;
    }
    if (status == EXIT_OK) {
        size_t k = st.nlabels, remap[STANCE_MAX_LABELS];
        char *sorted[STANCE_MAX_LABELS];
        size_t *conf = calloc(k * k, sizeof *conf);
        stance_metrics mt;
        memcpy(sorted, st.labels, k * sizeof *sorted);
        qsort(sorted, k, sizeof *sorted, cmp_label);
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++)
                if (st.labels[i] == sorted[j])
                    remap[i] = j;
        if (!conf) {
            cli_error("out of memory");
            status = EXIT_SYSTEM;
        } else {
            for (size_t i = 0; i < st.npairs; i += 2)
                conf[remap[st.pairs[i]] * k + remap[st.pairs[i + 1]]]++;
            stance_metrics_compute(k, conf, &mt);
            if (json)
                status = print_json(&st, sorted, conf, &mt);
            else
                print_table(&st, sorted, conf, &mt);
        }
        free(conf);
    }
    for (size_t i = 0; i < st.nlabels; i++)
        free(st.labels[i]);
    free(st.pairs);
    return cli_finish(cli_reader_status(&rd, status));
}
