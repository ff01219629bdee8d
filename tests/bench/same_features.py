"""same_features.py: classifiers on the SAME features, stance's own,
exported with `stance ngrams --libsvm`; this separates what the classifier
does from what the features do.

  stance ngrams -q --libsvm -m models/sentiment fixtures/corpus/train.jsonl > tr.svm
  stance ngrams -q --libsvm -m models/sentiment fixtures/corpus/test.jsonl > te.svm
  /usr/bin/python3 tests/bench/same_features.py tr.svm te.svm

prints, for C in 0.3, 1 and 10, the test macro-F1 of scikit-learn's
LinearSVC (squared hinge, one-vs-rest) and of libsvm's C-SVC (hinge,
one-against-one, balanced class weights); then, for C in 0.3 and 1, the
cross-validated macro-F1 on the train file (5 stratified folds, pooled,
seeds 1-3) of one multiclass rule against the other with the loss held
fixed: LinearSVC one-vs-rest against LinearSVC one-vs-one, both with
balanced class weights, on identical folds.
"""
import sys
import warnings

from sklearn.datasets import load_svmlight_files
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.multiclass import OneVsOneClassifier
from sklearn.svm import SVC, LinearSVC


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    # liblinear's iteration cap is reached at the larger C; the scores are
    # what they are either way
    warnings.filterwarnings("ignore")
    x_train, y_train, x_test, y_test = load_svmlight_files(sys.argv[1:3])
    for C in (0.3, 1, 10):
        ovr = LinearSVC(C=C, random_state=0).fit(x_train, y_train)
        ovo = SVC(kernel="linear", C=C, class_weight="balanced").fit(x_train, y_train)
        print("C=%g  LinearSVC (squared hinge, one-vs-rest) %.3f  "
              "libsvm C-SVC (hinge, one-vs-one) %.3f" % (
                  C, f1_score(y_test, ovr.predict(x_test), average="macro"),
                  f1_score(y_test, ovo.predict(x_test), average="macro")))
    for C in (0.3, 1):
        diffs = []
        for seed in (1, 2, 3):
            folds = StratifiedKFold(5, shuffle=True, random_state=seed)
            svc = LinearSVC(C=C, class_weight="balanced", max_iter=3000)
            f1 = [f1_score(y_train, cross_val_predict(m, x_train, y_train, cv=folds),
                           average="macro")
                  for m in (svc, OneVsOneClassifier(svc))]
            diffs.append(f1[0] - f1[1])
            print("C=%g seed %d  CV one-vs-rest %.4f  one-vs-one %.4f" % (C, seed, f1[0], f1[1]))
        print("C=%g  one-vs-rest minus one-vs-one: mean %+.4f (%s)" % (
            C, sum(diffs) / len(diffs), ", ".join("%+.4f" % d for d in diffs)))


main()
