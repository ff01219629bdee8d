"""compare_report.py: the Markdown of tests/compare.sh from its work files.

  compare_report.py WORKDIR ARTICLES(yes|no) > compare.md

WORKDIR holds cv.tsv (tool field cv_macro_f1 note), scores.tsv (tool field
set macro_f1 accuracy) and conf-FIELD-TOOL-SET.txt (the confusion part of
`stance eval`'s report).
"""
import os
import sys

NAMES = {
    "stance": "stance",
    "sklearn": "scikit-learn TF-IDF + LinearSVC",
    "fasttext": "fastText supervised",
}


def fmt(x):
    return f"{float(x):.3f}" if x not in ("", None) else "—"


def main(wd, articles):
    cv, notes, scores = {}, {}, {}
    with open(os.path.join(wd, "cv.tsv"), encoding="utf-8") as f:
        for line in f:
            tool, field, v, note = line.rstrip("\n").split("\t")
            cv[(tool, field)] = v
            notes[(tool, field)] = note
    with open(os.path.join(wd, "scores.tsv"), encoding="utf-8") as f:
        for line in f:
            tool, field, s, f1, acc = line.rstrip("\n").split("\t")
            scores[(tool, field, s)] = (f1, acc)
    fields = []
    for _, field in cv:
        if field not in fields:
            fields.append(field)
    out = []
    p = out.append
    p("## stance against scikit-learn and fastText")
    p("")
    p("Trained on fixtures/corpus/train.jsonl, tested on fixtures/corpus/"
      "test.jsonl" + (" and the sample articles (fixtures/articles/*.gold.jsonl)"
                      if articles == "yes" else "; no sample articles yet") +
      ". Every score is computed by `stance eval`.")
    p("")
    p("| field | tool | CV macro-F1 (train) | test macro-F1 | test accuracy | "
      "articles macro-F1 | articles accuracy | settings |")
    p("|---|---|---:|---:|---:|---:|---:|---|")
    for field in fields:
        for tool in ("stance", "sklearn", "fasttext"):
            if (tool, field) not in cv:
                continue
            t = scores.get((tool, field, "test"), ("", ""))
            a = scores.get((tool, field, "articles"), ("", ""))
            p(f"| {field} | {NAMES[tool]} | {fmt(cv[(tool, field)])} | "
              f"{fmt(t[0])} | {fmt(t[1])} | {fmt(a[0])} | {fmt(a[1])} | "
              f"{notes[(tool, field)]} |")
    p("")
    p("CV macro-F1: stance's from its model manifest (5 folds, predictions "
      "pooled); fastText's from 5 stratified folds run here, pooled the same "
      "way; scikit-learn's is GridSearchCV's best score, the mean of its 5 "
      "folds' macro-F1.")
    p("")
    p("### Confusion matrices (rows: gold, columns: predicted)")
    for field in fields:
        for s in ("test", "articles"):
            for tool in ("stance", "sklearn", "fasttext"):
                path = os.path.join(wd, f"conf-{field}-{tool}-{s}.txt")
                if not os.path.exists(path):
                    continue
                with open(path, encoding="utf-8") as f:
                    lines = f.read().rstrip("\n").split("\n")[1:]
                p("")
                p(f"{NAMES[tool]}, field {field}, {s}:")
                p("")
                p("```")
                out.extend(lines)
                p("```")
    p("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
