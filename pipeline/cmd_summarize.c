/* cmd_summarize.c: `stance summarize`, labelled paragraph records in, one
 * summary record per document out (the folding lives in cli_summary.c). */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

static int on_record(void *ctx, stance_record *rec, char *err)
{
    return cli_summary_add(ctx, rec->root, NULL, err);
}

int cmd_summarize(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"threshold", required_argument, NULL, 'T'},
        {"skip-invalid", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    cli_summary *sum = NULL;
    cli_reader rd = {0};
    stance_record *rec = NULL;
    double threshold = 0.5;
    int c, status;
    while ((c = getopt_long(argc, argv, "q", longopts, NULL)) != -1) {
        switch (c) {
        case 'T':
            if (cli_threshold_arg(optarg, &threshold))
                return cli_usage_error();
            break;
        case 's': rd.skip_invalid = 1; break;
        case 'q': cli_quiet = 1; break;
        case 'h': cli_help(stdout); return cli_finish(EXIT_OK);
        default: return cli_usage_error();
        }
    }
    if (cli_summary_new(threshold, cli_summary_print, NULL, &sum) ||
        !(rec = calloc(1, sizeof *rec))) {
        cli_error("out of memory");
        status = EXIT_SYSTEM;
        goto out;
    }
    status = cli_read_all(&rd, argc - optind, argv + optind, on_record, sum, rec);
    if (status == EXIT_OK) {
        int rc = cli_summary_finish(sum);
        if (rc < 0) {
            cli_error("out of memory");
            status = EXIT_SYSTEM;
        } else {
            status = rc;
        }
    }
out:
    if (rec)
        stance_record_release(rec);
    free(rec);
    cli_summary_free(&sum);
    return cli_finish(cli_reader_status(&rd, status));
}
