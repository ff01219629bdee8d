/* export_libsvm.c: writes paragraphs as a model's features in libsvm's
 * sparse format, so libsvm's own svm-predict can be timed on exactly the
 * vectors stance classifies. A stand-in for `stance ngrams --libsvm -m DIR`
 * for trees that do not have that option.
 *
 *   export_libsvm MODEL_DIR < paragraphs.txt > features.svm
 *
 * One paragraph per input line; every output line is labelled 0 (svm-predict
 * wants a label; the benchmark ignores its accuracy line). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stance.h"

int main(int argc, char **argv)
{
    stance_model *m = NULL;
    stance_tokens toks = {0};
    stance_features x = {0};
    stance_buf scratch = {0}, out = {0};
    char err[STANCE_ERRBUF] = "";
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int status = 1, rc;

    if (argc != 2) {
        fprintf(stderr, "usage: export_libsvm MODEL_DIR < text > features\n");
        return 2;
    }
    if ((rc = stance_model_load(argv[1], &m, err))) {
        fprintf(stderr, "export_libsvm: %s: %s\n", argv[1],
                *err ? err : stance_strerror(rc));
        goto out;
    }
    while ((n = getline(&line, &cap, stdin)) > 0) {
        if (line[n - 1] == '\n')
            n--;
        stance_buf_reset(&out);
        if ((rc = stance_tokenize(line, (size_t)n, stance_model_token_flags(m),
                                  &toks)) ||
            (rc = stance_model_features_from_tokens(m, &toks, &scratch, &x)) ||
            (rc = stance_model_normalize(m, &x)) ||
            (rc = stance_features_libsvm(&x, "0", &out))) {
            fprintf(stderr, "export_libsvm: %s\n", stance_strerror(rc));
            goto out;
        }
        if (fwrite(out.data, 1, out.len, stdout) != out.len)
            goto out;
    }
    status = fflush(stdout) ? 4 : 0;
out:
    free(line);
    stance_buf_release(&out);
    stance_buf_release(&scratch);
    stance_features_release(&x);
    stance_tokens_release(&toks);
    stance_model_free(&m);
    return status;
}
