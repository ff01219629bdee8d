"""sk.py: the scikit-learn reference of the benchmark and the comparison.

The model is TfidfVectorizer word 1-3 + TfidfVectorizer char_wb 2-5 (both
sublinear tf, L2), concatenated, then LinearSVC: the usual strong n-gram SVM
baseline.

  sk.py train [--calibrated] [--C C] FIELD TRAIN.jsonl MODEL.pkl
      trains; prints the in-process wall and CPU seconds of vectorizing +
      fitting.
      --calibrated wraps LinearSVC in CalibratedClassifierCV(cv=5): five
      inner fits and a final one, like libsvm's probability training.
  sk.py grid FIELD TRAIN.jsonl MODEL.pkl
      chooses C in 0.1 0.3 1 3 10 by GridSearchCV (5 stratified shuffled
      folds, seed 1, macro-F1 scoring) on TRAIN only, refits on all of it;
      prints "C best_cv_macro_f1" (the mean over the folds).
  sk.py predict MODEL.pkl INPUT.txt
      labels one paragraph per line in chunks of 1000 (vectorizing
      included); prints "wall_s cpu_s paragraphs", timed in-process, so Python's
      start-up and the model load are not counted.
  sk.py label MODEL.pkl FIELD IN.jsonl OUT.jsonl
      writes IN's records with pred.FIELD.label added, for `stance eval`.

Must run under /usr/bin/python3, where Debian's python3-sklearn lives.
"""
import json
import pickle
import sys
import time
import warnings

import numpy as np

from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

warnings.filterwarnings("ignore", category=ConvergenceWarning)
CHUNK = 1000


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def make_pipeline(C=1.0, calibrated=False):
    features = FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 3),
                                 sublinear_tf=True)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                 sublinear_tf=True)),
    ])
    svm = LinearSVC(C=C, random_state=0)
    if calibrated:
        svm = CalibratedClassifierCV(svm, cv=5)
    return Pipeline([("features", features), ("svm", svm)])


def load_xy(field, path):
    recs = read_jsonl(path)
    # an array, not a list: CalibratedClassifierCV's class-count check
    # compares y == label, which a list answers with one False
    return [r["text"] for r in recs], np.asarray([r[field] for r in recs])


def cmd_train(args):
    C, calibrated = 1.0, False
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--calibrated":
            calibrated = True
        elif opt == "--C":
            C = float(args.pop(0))
        else:
            raise SystemExit(f"sk.py: unknown option {opt}")
    field, train, out = args
    X, y = load_xy(field, train)
    model = make_pipeline(C, calibrated)
    t0, c0 = time.perf_counter(), time.process_time()
    model.fit(X, y)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    with open(out, "wb") as f:
        pickle.dump(model, f)
    print(f"{secs:.3f} {cpu:.3f}")


def cmd_grid(args):
    field, train, out = args
    X, y = load_xy(field, train)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=1)
    grid = GridSearchCV(make_pipeline(), {"svm__C": [0.1, 0.3, 1, 3, 10]},
                        scoring="f1_macro", cv=folds, n_jobs=1)
    grid.fit(X, y)
    with open(out, "wb") as f:
        pickle.dump(grid.best_estimator_, f)
    print(f"{grid.best_params_['svm__C']:g} {grid.best_score_:.4f}")


def cmd_predict(args):
    model_path, inp = args
    with open(model_path, "rb") as f:
        model = pickle.load(f)
    with open(inp, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    n = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(lines), CHUNK):
        n += len(model.predict(lines[i:i + CHUNK]))
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{secs:.3f} {cpu:.3f} {n}")


def cmd_label(args):
    model_path, field, inp, out = args
    with open(model_path, "rb") as f:
        model = pickle.load(f)
    recs = read_jsonl(inp)
    pred = model.predict([r["text"] for r in recs])
    with open(out, "w", encoding="utf-8") as f:
        for r, p in zip(recs, pred):
            r["pred"] = {field: {"label": str(p)}}
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(argv):
    cmds = {"train": cmd_train, "grid": cmd_grid, "predict": cmd_predict,
            "label": cmd_label}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    cmds[argv[1]](argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
