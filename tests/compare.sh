#!/bin/sh
# tests/compare.sh: `make compare`. stance against two reference tools
# trained and tested on the identical split (issue 3), for the fields stance
# and sentiment:
#   stance        models/FIELD when shipped, else `stance train --grid --cv 5`
#   scikit-learn  TF-IDF word 1-3 + char_wb 2-5 (sublinear tf) + LinearSVC,
#                 C in 0.1 0.3 1 3 10 by GridSearchCV (5 stratified folds,
#                 seed 1, macro-F1) on the train split only
#   fastText      supervised, fixed: -epoch 25 -lr 0.5 -wordNgrams 2
#                 -minn 2 -maxn 5 -dim 50, one thread, seed 1
# For each: cross-validated macro-F1 on train, macro-F1 and accuracy on the
# test split and on the sample articles (fixtures/articles/*.gold.jsonl, when
# present), and the confusion matrices, all scored by `stance eval`.
# Writes Markdown to stdout and build/compare.md. Deterministic. Not part of
# `make test`: it installs python3-sklearn and fasttext when missing.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
W=$ROOT/build/compare
PY=/usr/bin/python3   # Debian's python3-sklearn loads only here
S=$W/stance          # a snapshot, taken below
H=$ROOT/tests/bench
FT="-epoch 25 -lr 0.5 -wordNgrams 2 -minn 2 -maxn 5 -dim 50 -thread 1 -seed 1 -verbose 0"
TRAIN=$W/corpus/train.jsonl
TEST=$W/corpus/test.jsonl

say() { printf '%s\n' "$*" >&2; }

need=
command -v fasttext > /dev/null || need="$need fasttext"
$PY -c 'import sklearn' 2> /dev/null || need="$need python3-sklearn"
if [ -n "$need" ]; then
    say "compare: installing$need"
    SUDO=
    [ "$(id -u)" = 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $need > /dev/null
fi
make -s all
rm -rf "$W"
mkdir -p "$W/corpus"
# snapshots, so a rebuild or retraining in the tree meanwhile cannot mix
# versions into one table
cp bin/stance "$S"
cp fixtures/corpus/train.jsonl fixtures/corpus/test.jsonl "$W/corpus/"
for f in stance sentiment; do
    if [ -f "models/$f/manifest.json" ]; then
        mkdir -p "$W/models/$f"
        cp "models/$f/"* "$W/models/$f/"
    fi
done

ARTICLES=
if ls fixtures/articles/*.gold.jsonl > /dev/null 2>&1; then
    cat fixtures/articles/*.gold.jsonl > "$W/articles.jsonl"
    ARTICLES=$W/articles.jsonl
fi

# json FILE EXPR: one value from a JSON file (EXPR indexes d)
json() { $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print("" if v is None else v)' "$1" "$2"; }

# score TOOL FIELD SET PRED.jsonl: one result row and the confusion matrix
score() {
    tool=$1 field=$2 which=$3 pred=$4
    $S eval -q -f "$field" --json "$pred" > "$W/eval.json"
    $S eval -q -f "$field" "$pred" | sed -n '/^confusion/,$p' > "$W/conf-$field-$tool-$which.txt"
    printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$field" "$which" \
        "$(json "$W/eval.json" 'd["macro_f1"]')" \
        "$(json "$W/eval.json" 'd["accuracy"]')" >> "$W/scores.tsv"
}

: > "$W/scores.tsv"
: > "$W/cv.tsv"
for f in stance sentiment; do
    # ---- stance
    if [ -f "$W/models/$f/manifest.json" ]; then
        m=$W/models/$f
        src="models/$f"
    else
        say "compare: no models/$f; training with --grid --cv 5"
        m=$W/stance-$f
        $S train -q -f "$f" -o "$m" --grid --cv 5 --seed 1 "$TRAIN" > /dev/null
        src="trained here (--grid --cv 5)"
    fi
    # a model trained on another version of the train split is not comparable
    tt=$(json "$m/manifest.json" 'd.get("train_total")')
    n=$(grep -c . "$TRAIN")
    [ "$tt" = "$n" ] || src="$src; STALE: trained on $tt paragraphs, the train split has $n"
    cv=$(json "$m/manifest.json" '(d.get("cv") or {}).get("macro_f1")')
    C=$(json "$m/manifest.json" 'd.get("C")')
    printf '%s\t%s\t%s\t%s\n' stance "$f" "$cv" "C=$C, $src" >> "$W/cv.tsv"
    $S label -q -m "$m" "$TEST" > "$W/pred.jsonl"
    score stance "$f" test "$W/pred.jsonl"
    if [ -n "$ARTICLES" ]; then
        $S label -q -m "$m" "$ARTICLES" > "$W/pred.jsonl"
        score stance "$f" articles "$W/pred.jsonl"
    fi

    # ---- scikit-learn
    say "compare: scikit-learn, $f (grid search)"
    set -- $($PY "$H/sk.py" grid "$f" "$TRAIN" "$W/sk-$f.pkl")
    printf '%s\t%s\t%s\t%s\n' sklearn "$f" "$2" "C=$1 (GridSearchCV mean of 5 folds)" >> "$W/cv.tsv"
    $PY "$H/sk.py" label "$W/sk-$f.pkl" "$f" "$TEST" "$W/pred.jsonl"
    score sklearn "$f" test "$W/pred.jsonl"
    if [ -n "$ARTICLES" ]; then
        $PY "$H/sk.py" label "$W/sk-$f.pkl" "$f" "$ARTICLES" "$W/pred.jsonl"
        score sklearn "$f" articles "$W/pred.jsonl"
    fi

    # ---- fastText: 5-fold CV on train (folds stratified, pooled like
    # stance's), then the model of the whole train split
    say "compare: fastText, $f"
    $PY "$H/prep.py" folds 5 "$f" "$TRAIN" "$W/fold"
    : > "$W/cvpred.jsonl"
    for i in 1 2 3 4 5; do
        $PY "$H/prep.py" fasttext "$f" "$W/fold-$i.train.jsonl" "$W/ft-train.txt"
        $PY "$H/prep.py" fttext "$W/fold-$i.test.jsonl" "$W/ft-test.txt"
        fasttext supervised -input "$W/ft-train.txt" -output "$W/ft-fold" $FT
        fasttext predict "$W/ft-fold.bin" "$W/ft-test.txt" > "$W/ft-pred.txt"
        $PY "$H/prep.py" merge "$f" "$W/fold-$i.test.jsonl" "$W/ft-pred.txt" "$W/pred.jsonl"
        cat "$W/pred.jsonl" >> "$W/cvpred.jsonl"
    done
    $S eval -q -f "$f" --json "$W/cvpred.jsonl" > "$W/eval.json"
    printf '%s\t%s\t%s\t%s\n' fasttext "$f" "$(json "$W/eval.json" 'd["macro_f1"]')" \
        "fixed settings; 5 folds pooled" >> "$W/cv.tsv"
    $PY "$H/prep.py" fasttext "$f" "$TRAIN" "$W/ft-train.txt"
    fasttext supervised -input "$W/ft-train.txt" -output "$W/ft-$f" $FT
    for which in test articles; do
        if [ "$which" = test ]; then in=$TEST; else in=$ARTICLES; fi
        [ -n "$in" ] || continue
        $PY "$H/prep.py" fttext "$in" "$W/ft-test.txt"
        fasttext predict "$W/ft-$f.bin" "$W/ft-test.txt" > "$W/ft-pred.txt"
        $PY "$H/prep.py" merge "$f" "$in" "$W/ft-pred.txt" "$W/pred.jsonl"
        score fasttext "$f" "$which" "$W/pred.jsonl"
    done
    rm -f "$W"/ft-*.bin "$W"/ft-*.vec "$W"/fold-*.jsonl
done

$PY "$H/compare_report.py" "$W" "$([ -n "$ARTICLES" ] && echo yes || echo no)" > "$ROOT/build/compare.md"
cat "$ROOT/build/compare.md"
