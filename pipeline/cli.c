/* cli.c: messages, record output and the input loop shared by every
 * subcommand. Only this layer prints; the library returns codes. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

const char *cli_name = NULL;
int cli_quiet = 0;
static int progress_shown = 0;

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
    if (progress_shown)
        cli_progress_done();
    fflush(stdout);
    fprintf(stderr, "stance%s%s: %s", cli_name ? " " : "", cli_name ? cli_name : "",
            kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

void cli_help(FILE *f)
{
    for (const cli_command *c = cli_commands; c->name; c++)
        if (!strcmp(c->name, cli_name))
            fprintf(f, "usage: stance %s %s\n\n%s.\n\n%s", c->name, c->synopsis,
                    c->summary, c->options);
}

int cli_usage_error(void)
{
    fprintf(stderr, "see 'stance %s --help'\n", cli_name);
    return EXIT_USAGE;
}

void cli_progress(const char *fmt, ...)
{
    if (cli_quiet || !isatty(STDERR_FILENO))
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("\r\033[K", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    progress_shown = 1;
}

void cli_progress_item(const char *path, size_t n, const char *what)
{
    static int show = -1;
    static const char *last;
    /* with stdout on the same terminal the records show the progress, and
     * a progress line would only garble them */
    if (show < 0)
        show = !cli_quiet && isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO);
    if (show && (path != last || n % 1000 == 0)) {
        /* the line must fit the terminal, or \r cannot take it back */
        const char *d = cli_display(path), *more = "";
        size_t len = strlen(d);
        if (len > 40) {
            d += len - 40;
            while ((*d & 0xC0) == 0x80)
                d++;
            more = "...";
        }
        cli_progress("stance %s: %s%s: %s %zu", cli_name, more, d, what, n);
    }
    last = path;
}

void cli_progress_done(void)
{
    if (progress_shown)
        fputs("\r\033[K", stderr);
    progress_shown = 0;
}

static int output_reported; /* a failed write is reported once */

int cli_emit(const stance_buf *rec)
{
    if (fwrite(rec->data, 1, rec->len, stdout) != rec->len) {
        if (!output_reported)
            cli_error("cannot write output: %s", strerror(errno));
        output_reported = 1;
        return EXIT_SYSTEM;
    }
    return 0;
}

int cli_finish(int status)
{
    cli_progress_done();
    if (output_reported) /* by cli_emit, or main calls this again */
        return EXIT_SYSTEM;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno == EPIPE)
            return status;
        cli_error("cannot write output: %s", strerror(errno));
        output_reported = 1;
        return EXIT_SYSTEM;
    }
    return status;
}

const char *cli_display(const char *path)
{
    return strcmp(path, "-") ? path : "<stdin>";
}

FILE *cli_open(const char *path)
{
    if (!strcmp(path, "-"))
        return stdin;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        cli_error("'%s': is a directory", path);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        cli_error("cannot open '%s': %s", path, strerror(errno));
    return f;
}

int cli_read_records(cli_reader *rd, FILE *f, const char *path,
                     cli_record_fn fn, void *ctx, stance_record *rec)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int status = EXIT_OK;
    char err[STANCE_ERRBUF];

    rd->path = path;
    errno = 0;
    for (int first = 1; (n = getline(&line, &cap, f)) > 0; first = 0) {
        rd->line++;
        size_t len = (size_t)n, k = 0;
        if (first && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
            /* a UTF-8 BOM, as Windows editors write: not part of the record */
            len -= 3;
            memmove(line, line + 3, len + 1);
        }
        while (k < len && line[k] && strchr(" \t\r\n", line[k]))
            k++;
        if (k == len)
            continue; /* blank lines separate nothing and carry nothing */
        if (memchr(line, '\0', len)) {
            snprintf(err, sizeof err, "NUL byte in line");
        } else {
            err[0] = '\0';
            int rc = stance_record_parse(rec, line, len, err);
            if (!rc)
                rc = fn(ctx, rec, err);
            if (!rc) {
                rd->records++;
                cli_progress_item(path, rd->records, "record");
                continue;
            }
            if (rc > 0) { /* already reported by the handler */
                status = rc;
                goto out;
            }
            if (rc != STANCE_EDATA) {
                cli_error("%s:%zu: %s", cli_display(path), rd->line,
                          err[0] ? err : stance_strerror(rc));
                status = EXIT_SYSTEM;
                goto out;
            }
        }
        if (rd->skip_invalid) {
            rd->skipped++;
            cli_warn("%s:%zu: %s (skipped)", cli_display(path), rd->line, err);
            continue;
        }
        cli_error("%s:%zu: %s", cli_display(path), rd->line, err);
        status = EXIT_DATA;
        goto out;
    }
    if (ferror(f)) {
        cli_error("cannot read '%s': %s", cli_display(path), strerror(errno));
        status = EXIT_SYSTEM;
    }
out:
    free(line);
    return status;
}

int cli_read_all(cli_reader *rd, int argc, char **argv, cli_record_fn fn,
                 void *ctx, stance_record *rec)
{
    char *stdin_only[] = {"-"};
    if (argc == 0) {
        argc = 1;
        argv = stdin_only;
    }
    for (int i = 0; i < argc; i++) {
        FILE *f = cli_open(argv[i]);
        if (!f)
            return EXIT_SYSTEM;
        rd->line = 0;
        int status = cli_read_records(rd, f, argv[i], fn, ctx, rec);
        if (f != stdin)
            fclose(f);
        if (status)
            return status;
    }
    return EXIT_OK;
}

int cli_reader_status(const cli_reader *rd, int status)
{
    if (!rd->skipped)
        return status;
    cli_warn("%zu invalid record%s skipped", rd->skipped, rd->skipped == 1 ? "" : "s");
    return status == EXIT_OK ? EXIT_SKIPPED : status;
}

int cli_slurp(FILE *f, const char *path, stance_buf *b)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (stance_buf_add(b, chunk, n)) {
            cli_error("'%s': out of memory", cli_display(path));
            return EXIT_SYSTEM;
        }
    if (ferror(f)) {
        cli_error("cannot read '%s': %s", cli_display(path), strerror(errno));
        return EXIT_SYSTEM;
    }
    return 0;
}

int cli_choice_arg(const char *what, const char *s, const char *const *choices, int *index)
{
    int n = 0;
    for (; choices[n]; n++)
        if (!strcmp(s, choices[n])) {
            *index = n;
            return 0;
        }
    char list[256] = "";
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                                i == 0 ? "" : i == n - 1 ? " or " : ", ", choices[i]);
    cli_error("unknown %s '%s' (%s)", what, s, list);
    return -1;
}

int cli_int_arg(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        cli_error("option '%s' needs a whole number from %ld to %ld, not '%s'",
                  opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}
