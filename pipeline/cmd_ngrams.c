/* cmd_ngrams.c: `stance ngrams`, records with tokens (or text) in, records
 * with readable n-gram counts and their configuration out. */
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
} ngrams_state;

int cli_record_tokens(const stance_record *rec, unsigned flags,
                      stance_tokens *toks, char *err)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(rec->root, "tokens");
    if (!arr) {
        const char *text;
        int rc = cli_record_text(rec, &text, err);
        if (rc) {
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
        {"skip-invalid", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ngrams_state st = {0};
    cli_reader rd = {0};
    int c;
    stance_ngram_config_default(&st.cfg);
    while ((c = getopt_long(argc, argv, "w:c:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'w':
            if (cli_parse_orders("--word", optarg, &st.cfg.word_min, &st.cfg.word_max))
                return cli_usage_error();
            break;
        case 'c':
            if (cli_parse_orders("--char", optarg, &st.cfg.char_min, &st.cfg.char_max))
                return cli_usage_error();
            break;
        case 'P': st.token_flags |= STANCE_TOK_NO_PUNCT; break;
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
    stance_ngram_config_format(&st.cfg, st.cfg_text);
    stance_record *rec = calloc(1, sizeof *rec);
    if (!rec) {
        cli_error("out of memory");
        return EXIT_SYSTEM;
    }
    int status = cli_read_all(&rd, argc - optind, argv + optind, on_record, &st, rec);
    stance_record_release(rec);
    free(rec);
    stance_tokens_release(&st.toks);
    stance_ngram_counts_release(&st.counts);
    stance_buf_release(&st.out);
    return cli_finish(cli_reader_status(&rd, status));
}
