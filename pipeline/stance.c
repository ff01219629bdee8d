/* stance.c: main and the command table, from which both dispatch and
 * `stance --help` are made, so they cannot drift apart. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_tokenize(int argc, char **argv);
int cmd_ngrams(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_summarize(int argc, char **argv);
int cmd_report(int argc, char **argv);

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
     "[options] [FILE...]\n       stance ngrams --libsvm -m MODEL_DIR [options] [FILE...]",
     "  -w, --word=N-M      word n-gram orders (default 1-3; 0 for none)\n"
     "  -c, --char=N-M      character n-gram orders (default 2-5; 0 for none)\n"
     "      --no-punct      when tokenizing \"text\" itself, drop ?, ! and quotes\n"
     "      --libsvm        write libsvm's sparse format instead: the features of\n"
     "                      the model given by -m, labelled by the index of the\n"
     "                      record's gold label among the model's labels (0 when\n"
     "                      it has none), for svm-predict and svm-train\n"
     "  -m, --model=DIR     the model whose features --libsvm writes\n"
     COMMON_OPTS},
    {"train", cmd_train, "train a model directory from annotated records",
     "-f FIELD -o MODEL_DIR [options] [FILE...]",
     "  -f, --field=FIELD   the record field holding the label (required)\n"
     "  -o, --output=DIR    the model directory to write (required; replaced\n"
     "                      atomically when it already holds a model)\n"
     "  -w, --word=N-M      word n-gram orders (default 1-3; 0 for none)\n"
     "  -c, --char=N-M      character n-gram orders (default 2-5; 0 for none)\n"
     "      --no-punct      drop ?, ! and quotation marks when tokenizing\n"
     "      --min-df=N      keep n-grams found in at least N records (default 2)\n"
     "      --binary        binary features instead of TF-IDF (sublinear tf, L2)\n"
     "      --kernel=K      linear (default) or rbf\n"
     "      --loss=L        squared-hinge (default; linear kernel only) or hinge\n"
     "      --multiclass=M  ovr: one SVM per label against the rest (default with\n"
     "                      the squared hinge), or ovo: one per pair of labels\n"
     "  -C, --C=C           SVM cost (default 1)\n"
     "      --gamma=G       RBF gamma (default 1/number of features)\n"
     "      --no-class-weights  do not weigh classes by n/(k*n_class)\n"
     "      --no-prob       no probability estimates (faster training)\n"
     "      --cv=K          report K-fold cross-validated accuracy and macro-F1\n"
     "      --grid          choose C (and gamma) by K-fold CV (K from --cv, else 5)\n"
     "      --seed=N        seed for folds and Platt scaling (default 1)\n"
     "  -j, --jobs=N        processes for CV folds and grid points (default: cores)\n"
     "      --cache=MB      libsvm kernel cache (default 200)\n"
     "      --gram=MB       compute a linear kernel once for all record pairs when\n"
     "                      it fits in MB (n*n*16 bytes; default 2048, 0 never)\n"
     COMMON_OPTS},
    {"classify", cmd_classify, "add predictions to records",
     "[-m MODEL_DIR]... [options] [FILE...]",
     "  -m, --model=DIR     a model directory; repeat for several (default: the\n"
     "                      shipped stance and sentiment models)\n"
     "      --explain=K     add the K n-grams pushing most toward and against\n"
     "                      each predicted label (linear models)\n"
     "      --format=F      json (default: records with \"pred\") or tsv (a\n"
     "                      header row, then doc, para, start, end, per model\n"
     "                      FIELD.label and FIELD.p.LABEL columns, and text)\n"
     COMMON_OPTS},
    {"label", cmd_label, "label every paragraph of articles (all stages fused)",
     "[-m MODEL_DIR]... [options] [FILE...]",
     "  -m, --model=DIR     a model directory; repeat for several (default: the\n"
     "                      shipped stance and sentiment models)\n"
     "      --explain=K     add the K n-grams pushing most toward and against\n"
     "                      each predicted label (linear models)\n"
     "      --format=F      json (default: records with \"pred\") or tsv (a\n"
     "                      header row, then doc, para, start, end, per model\n"
     "                      FIELD.label and FIELD.p.LABEL columns, and text)\n"
     "      --summary       one summary record per article instead of a record\n"
     "                      per paragraph (as 'stance summarize' writes)\n"
     "      --threshold=P   with --summary: labels with a probability below P\n"
     "                      count as uncertain (default 0.5)\n"
     "      --text, --jsonl, --layout=L, --strict   as for 'stance tokenize'\n"
     COMMON_OPTS},
    {"eval", cmd_eval, "score predictions against gold labels",
     "-f FIELD [options] [FILE...]",
     "  -f, --field=FIELD   the gold label field; predictions come from\n"
     "                      pred.FIELD.label (required)\n"
     "      --json          print the scores as one JSON object\n"
     COMMON_OPTS},
    {"summarize", cmd_summarize, "one record per article: label counts, shares, lean, top paragraphs",
     "[options] [FILE...]",
     "      --threshold=P   paragraphs whose label has a probability below P\n"
     "                      count as uncertain, under no label (default 0.5)\n"
     COMMON_OPTS},
    {"model", cmd_model, "show a model card: labels, training, scores, top n-grams",
     "show [--json] MODEL_DIR",
     "      --json          print the card as one JSON object\n"
     "  -h, --help          this help\n"},
    {"report", cmd_report, "write labelled articles as one self-contained HTML page",
     "[-o FILE] [options] [FILE...]",
     "  -o, --output=FILE   write the page to FILE (atomically: a temporary file\n"
     "                      beside it, renamed when complete); default stdout\n"
     "      --title=TEXT    the page's title (default \"Stance report\")\n"
     "      --threshold=P   paragraphs whose label has a probability below P\n"
     "                      are shown as uncertain (default 0.5)\n"
     "      --shade=FIELD   the model field that shades paragraphs (default:\n"
     "                      stance, else the first field of \"pred\")\n"
     "      --mark=FIELD    the model field marked by an icon (default:\n"
     "                      sentiment, else the second field of \"pred\")\n"
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
    /* `stance help CMD` is `stance CMD --help`, as in git */
    char *help_argv[] = {argv[0], argc > 2 ? argv[2] : NULL, "--help", NULL};
    if (!strcmp(argv[1], "help") && argc == 3 && argv[2][0] != '-') {
        argv = help_argv;
    } else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
               !strcmp(argv[1], "help")) {
        main_help(stdout);
        return cli_finish(EXIT_OK);
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("stance %s\n", STANCE_VERSION);
        return cli_finish(EXIT_OK);
    }
    for (const cli_command *c = cli_commands; c->name; c++)
        if (!strcmp(c->name, argv[1])) {
            cli_name = c->name;
            /* commands finish themselves; this catches the early returns
             * (--help into a full disk must not exit 0) */
            return cli_finish(c->run(argc - 1, argv + 1));
        }
    fprintf(stderr, "stance: '%s' is not a stance command; see 'stance --help'\n",
            argv[1]);
    return EXIT_USAGE;
}
