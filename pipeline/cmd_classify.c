/* cmd_classify.c: `stance classify`, records in, records with "pred" out. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_classify(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"explain", required_argument, NULL, 'x'},
        {"format", required_argument, NULL, 'F'},
        {"skip-invalid", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    cli_classifier st = {0};
    cli_reader rd = {0};
    char *dirs[CLI_MAX_MODELS];
    size_t ndirs = 0;
    int c, status;
    while ((c = getopt_long(argc, argv, "m:q", longopts, NULL)) != -1) {
        switch (c) {
        case 's': rd.skip_invalid = 1; break;
        case 'q': cli_quiet = 1; break;
        case 'h': cli_help(stdout); return EXIT_OK;
        default:
            if (cli_model_option(c, optarg, dirs, &ndirs, &st.pred))
                return cli_usage_error();
        }
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
            status = cli_read_all(&rd, argc - optind, argv + optind, cli_classify_record, &st, rec);
            stance_record_release(rec);
            free(rec);
        }
    }
    cli_classifier_release(&st);
    return cli_finish(cli_reader_status(&rd, status));
}
