/* main.c: the unit tests' entry; each file adds a run_* function. */
#include <string.h>

#include "check.h"

int check_failed, check_passed;

void run_text_tests(void);
void run_model_tests(void);
void run_robust_tests(void);
int run_agreement(const char *model_dir, const char *records);

int main(int argc, char **argv)
{
    /* `unit agree MODEL_DIR FILE`: stance's predictions against libsvm's own
     * svm_predict_probability, record by record */
    if (argc == 4 && !strcmp(argv[1], "agree"))
        return run_agreement(argv[2], argv[3]);
    run_text_tests();
    run_model_tests();
    run_robust_tests();
    return check_failed != 0;
}
