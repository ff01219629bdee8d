/* cmd_label.c: `stance label`, the main job: articles in, one labelled
 * record per paragraph out, every stage in one process with no JSON
 * between them. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* --summary: the labelled records go to this summary, not to stdout */
static cli_summary *summary;

static int on_record_summary(void *ctx, stance_record *rec, char *err)
{
    cli_classifier *st = ctx;
    return cli_summary_add_predicted(summary, &st->pred, rec, &st->out, err);
}

static int on_paragraph(void *ctx, const cli_paragraph *p, char *err)
{
    cli_classifier *st = ctx;
    static size_t seen;
    int rc;
    cli_progress_item(p->doc, ++seen, "paragraph");
    stance_buf_reset(&st->out);
    if (st->pred.tsv) {
        if (cli_tsv_field(p->doc, strlen(p->doc), &st->out) ||
            stance_buf_addf(&st->out, "\t%zu\t%zu\t%zu", p->para, p->start, p->end))
            return STANCE_ENOMEM;
    } else if (stance_buf_addc(&st->out, '{') || cli_paragraph_fields(p, &st->out) ||
               stance_buf_addc(&st->out, ',')) {
        return STANCE_ENOMEM;
    }
    if ((rc = cli_predict_text(&st->pred, p->text, p->text_len, &st->out, err)))
        return rc;
    if (st->pred.tsv ? stance_buf_addc(&st->out, '\t') ||
                           cli_tsv_field(p->text, p->text_len, &st->out) ||
                           stance_buf_addc(&st->out, '\n')
                     : stance_buf_adds(&st->out, "}\n"))
        return STANCE_ENOMEM;
    return summary ? cli_summary_add_json(summary, &st->out, err) : cli_emit(&st->out);
}

int cmd_label(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"explain", required_argument, NULL, 'x'},
        {"format", required_argument, NULL, 'F'},
        {"summary", no_argument, NULL, 'U'},
        {"threshold", required_argument, NULL, 'T'},
        {"text", no_argument, NULL, 't'},
        {"jsonl", no_argument, NULL, 'j'},
        {"layout", required_argument, NULL, 'L'},
        {"strict", no_argument, NULL, 'S'},
        {"skip-invalid", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    cli_classifier st = {0};
    cli_reader rd = {0};
    cli_article_reader ar = {INPUT_AUTO, STANCE_LAYOUT_AUTO, 0, on_paragraph,
                             cli_classify_record, &st};
    char *dirs[CLI_MAX_MODELS];
    size_t ndirs = 0;
    int c, status, want_summary = 0;
    double threshold = 0.5;
    while ((c = getopt_long(argc, argv, "m:q", longopts, NULL)) != -1) {
        switch (c) {
        case 't': ar.mode = INPUT_TEXT; break;
        case 'j': ar.mode = INPUT_JSONL; break;
        case 'L':
            if (cli_parse_layout(optarg, &ar.layout))
                return cli_usage_error();
            break;
        case 'S': ar.strict = 1; break;
        case 'U': want_summary = 1; break;
        case 'T':
            if (cli_threshold_arg(optarg, &threshold))
                return cli_usage_error();
            break;
        case 's': rd.skip_invalid = 1; break;
        case 'q': cli_quiet = 1; break;
        case 'h': cli_help(stdout); return EXIT_OK;
        default:
            if (cli_model_option(c, optarg, dirs, &ndirs, &st.pred))
                return cli_usage_error();
        }
    }
    if (want_summary && st.pred.tsv) {
        cli_error("--summary writes JSON records, not --format tsv");
        return cli_usage_error();
    }
    if (want_summary) {
        if (cli_summary_new(threshold, cli_summary_print, NULL, &summary)) {
            cli_error("out of memory");
            return EXIT_SYSTEM;
        }
        ar.record = on_record_summary;
    }
    if ((status = cli_predictor_load(&st.pred, dirs, ndirs)) == 0 && st.pred.tsv &&
        (cli_tsv_header(&st.pred, &st.out) || cli_emit(&st.out)))
        status = EXIT_SYSTEM;
    if (status == 0) {
        stance_record *rec = calloc(1, sizeof *rec);
        if (!rec) {
            cli_error("out of memory");
            status = EXIT_SYSTEM;
        } else {
            status = cli_read_articles(&rd, &ar, argc - optind, argv + optind, rec);
            stance_record_release(rec);
            free(rec);
        }
    }
    if (status == 0 && summary && (status = cli_summary_finish(summary)) < 0) {
        cli_error("out of memory");
        status = EXIT_SYSTEM;
    }
    cli_summary_free(&summary);
    cli_classifier_release(&st);
    return cli_finish(cli_reader_status(&rd, status));
}
