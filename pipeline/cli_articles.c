/* cli_articles.c: article files in, paragraphs out. Shared by `tokenize`
 * and `label`, which both accept text files or JSON lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

int cli_paragraph_fields(const cli_paragraph *p, stance_buf *out)
{
    if (stance_buf_adds(out, "\"doc\":") ||
        stance_buf_add_json_string(out, p->doc, strlen(p->doc)) ||
        stance_buf_addf(out, ",\"para\":%zu,\"start\":%zu,\"end\":%zu,\"line\":%zu,"
                             "\"text\":",
                        p->para, p->start, p->end, p->line) ||
        stance_buf_add_json_string(out, p->text, p->text_len))
        return STANCE_ENOMEM;
    return 0;
}

static int read_text(cli_reader *rd, cli_article_reader *ar, const char *path,
                     const stance_buf *content)
{
    stance_span *spans = NULL;
    size_t n = 0;
    stance_buf text = {0};
    char err[STANCE_ERRBUF];
    int status = EXIT_OK;
    const char *nul = memchr(content->data ? content->data : "", '\0', content->len);

    rd->path = path;
    if (nul) {
        size_t line = 1;
        for (const char *p = content->data; p < nul; p++)
            line += *p == '\n';
        snprintf(err, sizeof err, "NUL byte (binary file?)");
        rd->line = line;
        goto bad;
    }
    if (stance_split_paragraphs(content->data, content->len, ar->layout, &spans, &n)) {
        cli_error("'%s': out of memory", cli_display(path));
        return EXIT_SYSTEM;
    }
    for (size_t i = 0; i < n; i++) {
        size_t invalid = 0;
        stance_buf_reset(&text);
        rd->line = spans[i].line;
        if (stance_clean_text(content->data + spans[i].start,
                              spans[i].end - spans[i].start, &text, &invalid)) {
            cli_error("'%s': out of memory", cli_display(path));
            status = EXIT_SYSTEM;
            goto out;
        }
        int rc;
        if (invalid && ar->strict) {
            snprintf(err, sizeof err, "invalid UTF-8");
            rc = STANCE_EDATA;
        } else {
            if (invalid)
                cli_warn("%s:%zu: invalid UTF-8 replaced by U+FFFD", cli_display(path),
                         spans[i].line);
            cli_paragraph p = {path, i + 1, spans[i].start, spans[i].end,
                               spans[i].line, text.data ? text.data : "", text.len};
            err[0] = '\0';
            rc = ar->paragraph(ar->ctx, &p, err);
        }
        if (rc > 0) {
            status = rc;
            goto out;
        }
        if (rc == STANCE_EDATA && rd->skip_invalid) {
            /* a bad paragraph costs only itself */
            rd->skipped++;
            cli_warn("%s:%zu: %s (skipped)", cli_display(path), spans[i].line, err);
            continue;
        }
        if (rc == STANCE_EDATA)
            goto bad;
        if (rc) {
            cli_error("%s:%zu: %s", cli_display(path), spans[i].line,
                      err[0] ? err : stance_strerror(rc));
            status = EXIT_SYSTEM;
            goto out;
        }
        rd->records++;
    }
    goto out;
bad:
    if (rd->skip_invalid) {
        rd->skipped++;
        cli_warn("%s:%zu: %s (whole file skipped)", cli_display(path), rd->line, err);
    } else {
        cli_error("%s:%zu: %s", cli_display(path), rd->line, err);
        status = EXIT_DATA;
    }
out:
    free(spans);
    stance_buf_release(&text);
    return status;
}

/* Decides the mode of one input from its leading bytes, which it reads;
 * `head` receives them so no byte is lost. */
static cli_input_mode sniff(FILE *f, stance_buf *head, size_t *blank_lines)
{
    int c;
    *blank_lines = 0;
    while ((c = getc(f)) != EOF) {
        if (stance_buf_addc(head, (char)c))
            return INPUT_TEXT;
        unsigned char u = (unsigned char)c;
        if (head->len <= 3 && (u == 0xEF || u == 0xBB || u == 0xBF))
            continue; /* a BOM */
        if (c == '\n')
            ++*blank_lines;
        if (!c || !strchr(" \t\r\n", c))
            break;
    }
    return c == '{' ? INPUT_JSONL : INPUT_TEXT;
}

int cli_read_articles(cli_reader *rd, cli_article_reader *ar, int argc,
                      char **argv, stance_record *rec)
{
    char *stdin_only[] = {"-"};
    stance_buf content = {0};
    int status = EXIT_OK;
    if (argc == 0) {
        argc = 1;
        argv = stdin_only;
    }
    for (int i = 0; i < argc && status == EXIT_OK; i++) {
        FILE *f = cli_open(argv[i]);
        if (!f) {
            status = EXIT_SYSTEM;
            break;
        }
        stance_buf_reset(&content);
        size_t blank_lines = 0;
        cli_input_mode mode = ar->mode;
        if (mode == INPUT_AUTO && (has_suffix(argv[i], ".jsonl") ||
                                   has_suffix(argv[i], ".ndjson") ||
                                   has_suffix(argv[i], ".json")))
            mode = INPUT_JSONL;
        if (mode == INPUT_AUTO)
            mode = sniff(f, &content, &blank_lines);
        if (mode == INPUT_JSONL) {
            /* the sniffed bytes hold blank lines and at most one '{' */
            if (content.len && content.data[content.len - 1] == '{')
                ungetc('{', f);
            rd->line = blank_lines;
            status = cli_read_records(rd, f, argv[i], ar->record, ar->ctx, rec);
        } else {
            status = cli_slurp(f, argv[i], &content);
            if (!status)
                status = read_text(rd, ar, argv[i], &content);
        }
        if (f != stdin)
            fclose(f);
    }
    stance_buf_release(&content);
    return status;
}
