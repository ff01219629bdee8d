/* metrics.c: accuracy, per-label precision/recall/F1 and macro-F1 from a
 * confusion matrix; shared by cross-validation in `train` and by `eval`
 * so both report the same numbers the same way. */
#include <stdlib.h>
#include <string.h>

#include "stance.h"

void stance_metrics_compute(size_t k, const size_t *confusion,
                            stance_metrics *out)
{
    size_t total = 0, correct = 0;
    double f1_sum = 0;
    memset(out, 0, sizeof *out);
    out->k = k;
    for (size_t g = 0; g < k; g++) {
        size_t support = 0, predicted = 0, tp = confusion[g * k + g];
        for (size_t p = 0; p < k; p++) {
            support += confusion[g * k + p];
            predicted += confusion[p * k + g];
        }
        total += support;
        correct += tp;
        double prec = predicted ? (double)tp / (double)predicted : 0;
        double rec = support ? (double)tp / (double)support : 0;
        out->precision[g] = prec;
        out->recall[g] = rec;
        out->f1[g] = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
        out->support[g] = support;
        f1_sum += out->f1[g];
    }
    out->total = total;
    out->accuracy = total ? (double)correct / (double)total : 0;
    out->macro_f1 = k ? f1_sum / (double)k : 0;
}
