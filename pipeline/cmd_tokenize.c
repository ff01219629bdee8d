/* cmd_tokenize.c: `stance tokenize`, article text or records in, records
 * with a "tokens" array out. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct {
    unsigned flags;
    stance_tokens toks;
    stance_buf out;
} tokenize_state;

int cli_tokens_json(const stance_tokens *toks, stance_buf *out)
{
    if (stance_buf_adds(out, "\"tokens\":["))
        return STANCE_ENOMEM;
    for (size_t i = 0; i < toks->n; i++)
        if ((i && stance_buf_addc(out, ',')) ||
            stance_buf_add_json_string(out, toks->text.data + toks->start[i],
                                       toks->len[i]))
            return STANCE_ENOMEM;
    return stance_buf_addc(out, ']');
}

static int tokenize_text(tokenize_state *st, const char *text, size_t len,
                         char *err)
{
    int rc = stance_tokenize(text, len, st->flags, &st->toks);
    if (rc == STANCE_ESTRICT) {
        snprintf(err, STANCE_ERRBUF, "invalid UTF-8 in text");
        return STANCE_EDATA;
    }
    return rc;
}

static int on_paragraph(void *ctx, const cli_paragraph *p, char *err)
{
    tokenize_state *st = ctx;
    int rc = tokenize_text(st, p->text, p->text_len, err);
    if (rc)
        return rc;
    stance_buf_reset(&st->out);
    if (stance_buf_addc(&st->out, '{') || cli_paragraph_fields(p, &st->out) ||
        stance_buf_addc(&st->out, ',') || cli_tokens_json(&st->toks, &st->out) ||
        stance_buf_adds(&st->out, "}\n"))
        return STANCE_ENOMEM;
    return cli_emit(&st->out);
}

int cli_record_text(const stance_record *rec, const char **text, char *err)
{
    int present;
    *text = stance_record_string(rec, "text", &present);
    if (*text)
        return 0;
    snprintf(err, STANCE_ERRBUF, present ? "field 'text' is not a string"
                                         : "missing field 'text'");
    return STANCE_EDATA;
}

static int on_record(void *ctx, stance_record *rec, char *err)
{
    tokenize_state *st = ctx;
    static const char *const owned[] = {"tokens", NULL};
    const char *text;
    int has, rc = cli_record_text(rec, &text, err);
    if (!rc)
        rc = tokenize_text(st, text, strlen(text), err);
    if (rc)
        return rc;
    stance_buf_reset(&st->out);
    if (stance_record_open(rec, owned, &st->out, &has) ||
        (has && stance_buf_addc(&st->out, ',')) ||
        cli_tokens_json(&st->toks, &st->out) || stance_buf_adds(&st->out, "}\n"))
        return STANCE_ENOMEM;
    return cli_emit(&st->out);
}

int cli_parse_layout(const char *s, stance_layout *layout)
{
    static const char *const layouts[] = {"auto", "lines", "blocks", NULL};
    static const stance_layout values[] = {STANCE_LAYOUT_AUTO, STANCE_LAYOUT_LINES,
                                           STANCE_LAYOUT_BLOCKS};
    int choice;
    if (cli_choice_arg("layout", s, layouts, &choice))
        return -1;
    *layout = values[choice];
    return 0;
}

int cmd_tokenize(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"text", no_argument, NULL, 't'},
        {"jsonl", no_argument, NULL, 'j'},
        {"layout", required_argument, NULL, 'L'},
        {"no-punct", no_argument, NULL, 'P'},
        {"strict", no_argument, NULL, 'S'},
        {"skip-invalid", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    tokenize_state st = {0};
    cli_reader rd = {0};
    cli_article_reader ar = {INPUT_AUTO, STANCE_LAYOUT_AUTO, 0, on_paragraph,
                             on_record, &st};
    int c;
    while ((c = getopt_long(argc, argv, "q", longopts, NULL)) != -1) {
        switch (c) {
        case 't': ar.mode = INPUT_TEXT; break;
        case 'j': ar.mode = INPUT_JSONL; break;
        case 'L':
            if (cli_parse_layout(optarg, &ar.layout))
                return cli_usage_error();
            break;
        case 'P': st.flags |= STANCE_TOK_NO_PUNCT; break;
        case 'S': st.flags |= STANCE_TOK_STRICT; ar.strict = 1; break;
        case 's': rd.skip_invalid = 1; break;
        case 'q': cli_quiet = 1; break;
        case 'h': cli_help(stdout); return EXIT_OK;
        default: return cli_usage_error();
        }
    }
    stance_record *rec = calloc(1, sizeof *rec);
    if (!rec) {
        cli_error("out of memory");
        return EXIT_SYSTEM;
    }
    int status = cli_read_articles(&rd, &ar, argc - optind, argv + optind, rec);
    stance_record_release(rec);
    free(rec);
    stance_tokens_release(&st.toks);
    stance_buf_release(&st.out);
    return cli_finish(cli_reader_status(&rd, status));
}
