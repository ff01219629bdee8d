/* stance.c: main and the command table, from which both dispatch and
 * `stance --help` are made, so they cannot drift apart. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_tokenize(int argc, char **argv);
int cmd_ngrams(int argc, char **argv);

#define COMMON_OPTS                                                          \
    "      --skip-invalid  report bad records on stderr, skip them, go on\n" \
    "                      (exit status 3 when any were skipped)\n"          \
    "  -q, --quiet         no progress line\n"                               \
    "  -h, --help          this help\n"

const cli_command cli_commands[] = {
    {"tokenize", cmd_tokenize, "split articles into paragraphs and tokens",
     "[options] [FILE...]",
     "      --text          read every input as article text\n"
     "      --jsonl         read every input as JSON lines with a \"text\" field\n"
     "                      (default: .jsonl/.ndjson/.json names and inputs whose\n"
     "                      first non-blank byte is '{' are JSON lines)\n"
     "      --layout=L      auto (default), lines (a paragraph per line) or\n"
     "                      blocks (paragraphs separated by blank lines)\n"
     "      --no-punct      drop ?, ! and quotation marks\n"
     "      --strict        fail on invalid UTF-8 instead of using U+FFFD\n"
     COMMON_OPTS},
    {"ngrams", cmd_ngrams, "add word and character n-gram counts to records",
     "[options] [FILE...]",
     "  -w, --word=N-M      word n-gram orders (default 1-3; 0 for none)\n"
     "  -c, --char=N-M      character n-gram orders (default 2-5; 0 for none)\n"
     "      --no-punct      when tokenizing \"text\" itself, drop ?, ! and quotes\n"
     COMMON_OPTS},
    {NULL, NULL, NULL, NULL, NULL}};

static void main_help(FILE *f)
{
    fprintf(f, "usage: stance COMMAND [options] [FILE...]\n"
               "       stance --version\n\n"
               "Label news paragraphs by stance and sentiment. Every command "
               "reads and writes\nJSON lines and passes input fields through.\n\n"
               "commands:\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "  %-10s  %s\n", c->name, c->summary);
    fprintf(f, "\n'stance COMMAND --help' shows a command's options; "
               "man stance has the rest.\n");
}

int main(int argc, char **argv)
{
    static char outbuf[1 << 16];
    /* a closed pipe ends us quietly, as `| head` expects */
    signal(SIGPIPE, SIG_DFL);
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (argc < 2) {
        main_help(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        main_help(stdout);
        return cli_finish(EXIT_OK);
    }
    if (!strcmp(argv[1], "--version")) {
        printf("stance %s\n", STANCE_VERSION);
        return cli_finish(EXIT_OK);
    }
    for (const cli_command *c = cli_commands; c->name; c++)
        if (!strcmp(c->name, argv[1])) {
            cli_name = c->name;
            return c->run(argc - 1, argv + 1);
        }
    fprintf(stderr, "stance: '%s' is not a stance command; see 'stance --help'\n",
            argv[1]);
    return EXIT_USAGE;
}
