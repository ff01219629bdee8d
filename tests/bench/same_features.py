"""same_features.py: scikit-learn's LinearSVC and libsvm's C-SVC (as stance
trains it: linear kernel, balanced class weights, one-against-one) on the
SAME features, stance's own, exported with `stance ngrams --libsvm`; this
separates what the classifier does from what the features do.

  stance ngrams -q --libsvm -m models/sentiment fixtures/corpus/train.jsonl > tr.svm
  stance ngrams -q --libsvm -m models/sentiment fixtures/corpus/test.jsonl > te.svm
  /usr/bin/python3 tests/bench/same_features.py tr.svm te.svm

prints the test macro-F1 of each classifier for C in 0.3, 1 and 10.
"""
import sys

from sklearn.datasets import load_svmlight_files
from sklearn.metrics import f1_score
from sklearn.svm import SVC, LinearSVC


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    x_train, y_train, x_test, y_test = load_svmlight_files(sys.argv[1:3])
    for C in (0.3, 1, 10):
        ovr = LinearSVC(C=C, random_state=0).fit(x_train, y_train)
        ovo = SVC(kernel="linear", C=C, class_weight="balanced").fit(x_train, y_train)
        print("C=%g  LinearSVC (squared hinge, one-vs-rest) %.3f  "
              "libsvm C-SVC (hinge, one-vs-one) %.3f" % (
                  C, f1_score(y_test, ovr.predict(x_test), average="macro"),
                  f1_score(y_test, ovo.predict(x_test), average="macro")))


main()
