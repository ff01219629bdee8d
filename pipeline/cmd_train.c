/* cmd_train.c: `stance train`, annotated records in, a model directory
 * out. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct {
    stance_train_options opt;
    int cfg_given;         /* --word/--char on the command line */
    int mode;              /* 0 unknown, 1 ngrams records, 2 tokens/text */
    stance_ngram_config records_cfg;
    stance_trainset *ts;
    stance_tokens toks;
    stance_ngram_counts counts;
} train_state;

static int on_record(void *ctx, stance_record *rec, char *err)
{
    train_state *st = ctx;
    const char *label;
    int rc = cli_record_label(rec, st->opt.field, &label, err);
    if (rc)
        return rc;
    int has_ngrams = cJSON_GetObjectItemCaseSensitive(rec->root, "ngrams") != NULL;
    if (st->mode && has_ngrams != (st->mode == 1)) {
        snprintf(err, STANCE_ERRBUF, has_ngrams
                     ? "record has 'ngrams' but earlier records had none; "
                       "give all records n-grams or none"
                     : "record has no 'ngrams' but earlier records had them; "
                       "give all records n-grams or none");
        return STANCE_EDATA;
    }
    if (has_ngrams) {
        stance_ngram_config cfg;
        if ((rc = cli_record_counts(rec, &st->counts, &cfg, err)))
            return rc;
        if (!st->mode) {
            st->records_cfg = cfg;
            if (st->cfg_given && !stance_ngram_config_equal(&cfg, &st->opt.ngrams)) {
                snprintf(err, STANCE_ERRBUF,
                         "records carry n-grams '%s', which --word/--char contradict",
                         cJSON_GetObjectItemCaseSensitive(rec->root, "ngram_config")
                             ->valuestring);
                return STANCE_EDATA;
            }
            st->opt.ngrams = cfg;
        } else if (!stance_ngram_config_equal(&cfg, &st->records_cfg)) {
            snprintf(err, STANCE_ERRBUF, "ngram_config differs from earlier records");
            return STANCE_EDATA;
        }
    } else {
        if ((rc = cli_record_tokens(rec, st->opt.token_flags, &st->toks, err)))
            return rc;
        if ((rc = stance_ngram_count(&st->toks, &st->opt.ngrams, &st->counts)))
            return rc;
    }
    st->mode = has_ngrams ? 1 : 2;
    rc = stance_trainset_add(st->ts, &st->counts, label);
    if (rc == STANCE_EDATA)
        snprintf(err, STANCE_ERRBUF, "more than %d distinct labels", STANCE_MAX_LABELS);
    if (!rc && stance_trainset_size(st->ts) % 100 == 0)
        cli_progress("read %zu records", stance_trainset_size(st->ts));
    return rc;
}

static void show_progress(void *ctx, const char *what)
{
    (void)ctx;
    cli_progress("%s", what);
}

static int parse_double(const char *opt, const char *s, double lo, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > lo) || v > 1e9) {
        cli_error("option '%s' needs a number above %g, not '%s'", opt, lo, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_train(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"field", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"word", required_argument, NULL, 'w'},
        {"char", required_argument, NULL, 'c'},
        {"no-punct", no_argument, NULL, 'P'},
        {"min-df", required_argument, NULL, 'd'},
        {"binary", no_argument, NULL, 'B'},
        {"kernel", required_argument, NULL, 'k'},
        {"loss", required_argument, NULL, 'L'},
        {"multiclass", required_argument, NULL, 'X'},
        {"C", required_argument, NULL, 'C'},
        {"gamma", required_argument, NULL, 'g'},
        {"no-class-weights", no_argument, NULL, 'W'},
        {"no-prob", no_argument, NULL, 'N'},
        {"cv", required_argument, NULL, 'v'},
        {"grid", no_argument, NULL, 'G'},
        {"seed", required_argument, NULL, 'S'},
        {"jobs", required_argument, NULL, 'j'},
        {"cache", required_argument, NULL, 'm'},
        {"gram", required_argument, NULL, 'M'},
        {"skip-invalid", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    train_state st = {0};
    cli_reader rd = {0};
    const char *out_dir = NULL;
    long v;
    int c, choice;
    stance_train_options_default(&st.opt);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    st.opt.jobs = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 1;
    st.opt.field = NULL;
    while ((c = getopt_long(argc, argv, "f:o:w:c:C:j:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': st.opt.field = optarg; break;
        case 'o': out_dir = optarg; break;
        case 'w':
            if (cli_parse_orders("--word", optarg, &st.opt.ngrams.word_min,
                                 &st.opt.ngrams.word_max))
                return cli_usage_error();
            st.cfg_given = 1;
            break;
        case 'c':
            if (cli_parse_orders("--char", optarg, &st.opt.ngrams.char_min,
                                 &st.opt.ngrams.char_max))
                return cli_usage_error();
            st.cfg_given = 1;
            break;
        case 'P': st.opt.token_flags |= STANCE_TOK_NO_PUNCT; break;
        case 'd':
            if (cli_int_arg("--min-df", optarg, 1, 1000000, &v))
                return cli_usage_error();
            st.opt.min_df = (int)v;
            break;
        case 'B': st.opt.weighting = STANCE_WEIGHT_BINARY; break;
        case 'k': {
            static const char *const kernels[] = {"linear", "rbf", NULL};
            if (cli_choice_arg("kernel", optarg, kernels, &choice))
                return cli_usage_error();
            st.opt.kernel_rbf = choice == 1;
            break;
        }
        case 'L': {
            static const char *const losses[] = {"squared-hinge", "hinge", NULL};
            if (cli_choice_arg("loss", optarg, losses, &choice))
                return cli_usage_error();
            st.opt.loss = choice ? STANCE_LOSS_HINGE : STANCE_LOSS_SQUARED_HINGE;
            break;
        }
        case 'X': {
            static const char *const schemes[] = {"ovr", "ovo", NULL};
            if (cli_choice_arg("multiclass scheme", optarg, schemes, &choice))
                return cli_usage_error();
            st.opt.multiclass = choice ? STANCE_MULTICLASS_OVO : STANCE_MULTICLASS_OVR;
            break;
        }
        case 'C':
            if (parse_double("-C", optarg, 0, &st.opt.C))
                return cli_usage_error();
            break;
        case 'g':
            if (parse_double("--gamma", optarg, 0, &st.opt.gamma))
                return cli_usage_error();
            break;
        case 'W': st.opt.balanced = 0; break;
        case 'N': st.opt.probability = 0; break;
        case 'v':
            if (cli_int_arg("--cv", optarg, 2, 100, &v))
                return cli_usage_error();
            st.opt.cv_folds = (int)v;
            break;
        case 'G': st.opt.grid = 1; break;
        case 'S':
            if (cli_int_arg("--seed", optarg, 0, 2147483647L, &v))
                return cli_usage_error();
            st.opt.seed = (unsigned)v;
            break;
        case 'j':
            if (cli_int_arg("--jobs", optarg, 1, 64, &v))
                return cli_usage_error();
            st.opt.jobs = (int)v;
            break;
        case 'm':
            if (parse_double("--cache", optarg, 1, &st.opt.cache_mb))
                return cli_usage_error();
            break;
        case 'M':
            if (cli_int_arg("--gram", optarg, 0, 1000000, &v))
                return cli_usage_error();
            st.opt.gram_mb = (double)v;
            break;
        case 's': rd.skip_invalid = 1; break;
        case 'q': cli_quiet = 1; break;
        case 'h': cli_help(stdout); return EXIT_OK;
        default: return cli_usage_error();
        }
    }
    if (!st.opt.field || !out_dir) {
        cli_error("both -f FIELD and -o MODEL_DIR are required");
        return cli_usage_error();
    }
    if (!st.opt.ngrams.word_max && !st.opt.ngrams.char_max) {
        cli_error("--word 0 and --char 0 leave no n-grams");
        return cli_usage_error();
    }
    char why[STANCE_ERRBUF];
    if (stance_train_options_check(&st.opt, why)) {
        cli_error("%s", why);
        return cli_usage_error();
    }
    st.opt.progress = show_progress;
    stance_record *rec = calloc(1, sizeof *rec);
    if (!rec || stance_trainset_new(&st.opt, &st.ts)) {
        free(rec);
        cli_error("out of memory");
        return EXIT_SYSTEM;
    }
    int status = cli_read_all(&rd, argc - optind, argv + optind, on_record, &st, rec);
    stance_record_release(rec);
    free(rec);
    stance_tokens_release(&st.toks);
    stance_ngram_counts_release(&st.counts);
    size_t n = stance_trainset_size(st.ts);
    /* --gram 0 asked for no table; only a table that does not fit warns */
    if (status == EXIT_OK && !st.opt.kernel_rbf && st.opt.gram_mb > 0 &&
        !stance_train_uses_gram(&st.opt, n))
        cli_warn("the kernel table of %zu records needs %.0f MB, over --gram %.0f; "
                 "libsvm computes the products itself instead, many times slower "
                 "(raise --gram if memory allows)",
                 n, ceil(stance_train_gram_mb(n)), st.opt.gram_mb);
    if (status == EXIT_OK) {
        char err[STANCE_ERRBUF];
        stance_buf report = {0};
        int rc = stance_train(st.ts, &st.opt, out_dir, &report, err);
        cli_progress_done();
        if (rc) {
            cli_error("%s", err[0] ? err : stance_strerror(rc));
            status = rc == STANCE_EDATA ? EXIT_DATA
                     : rc == STANCE_EARG ? EXIT_USAGE : EXIT_SYSTEM;
        } else if (st.opt.cv_folds || st.opt.grid) {
            /* the manifest carries the figures; people see them here too */
            fwrite(report.data, 1, report.len, stdout);
        }
        stance_buf_release(&report);
    }
    stance_trainset_free(&st.ts);
    return cli_finish(cli_reader_status(&rd, status));
}
