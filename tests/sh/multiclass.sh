#!/bin/sh
# multiclass.sh: one-vs-rest (train.c, fit_model_ovr) written in libsvm's
# pairwise format, and the choice between it and one-vs-one.
. tests/lib.sh
set -u
D=$TMPDIR/multiclass-300.jsonl
head -n 300 fixtures/corpus/train.jsonl > "$D"

M=$TMPDIR/multiclass-ovr
$STANCE train -q -f stance --no-prob -o "$M" "$D"
expect_grep "multiclass: one-vs-rest is the default with the squared hinge, in the manifest" \
    '"multiclass":.*"one-vs-rest"' "$M/manifest.json"
# pair (i, j) holds f_i - f_j: with pairs (0,1), (0,2), (1,2) in that
# order, pair (0,2) is the sum of the other two, in rho and in every weight
if awk '/^rho / { d = $3 - $2 - $4; if (d > 1e-9 || d < -1e-9) bad = 1 }
        /^SV$/ { sv = 1; next }
        sv { row++; for (i = 3; i <= NF; i++) { split($i, kv, ":"); w[row, kv[1]] = kv[2]; f[kv[1]] = 1 } }
        END { for (k in f) { d = w[2, k] - w[1, k] - w[3, k]; if (d > 1e-9 || d < -1e-9) bad = 1 }
              exit bad || row != 3 }' "$M/svm.model"; then
    pass "multiclass: one-vs-rest pairs are score differences (pair 0-2 = 0-1 + 1-2)"
else
    fail "multiclass: one-vs-rest pairs are score differences (pair 0-2 = 0-1 + 1-2)" \
        "$(grep '^rho' "$M/svm.model")"
fi

# nested folds (CV outside, Platt's inside) are seeded: any number of jobs
# gives the same model
$STANCE train -q -f sentiment --cv 3 -j 1 -o "$TMPDIR/multiclass-j1" "$D" > /dev/null
$STANCE train -q -f sentiment --cv 3 -j 2 -o "$TMPDIR/multiclass-j2" "$D" > /dev/null
expect_same "multiclass: one-vs-rest with probabilities, the same svm.model with 1 and 2 jobs" \
    "$TMPDIR/multiclass-j1/svm.model" "$TMPDIR/multiclass-j2/svm.model"
expect_same "multiclass: one-vs-rest, the same cross-validation with 1 and 2 jobs" \
    "$TMPDIR/multiclass-j1/manifest.json" "$TMPDIR/multiclass-j2/manifest.json"
if grep -q '^probA ' "$TMPDIR/multiclass-j1/svm.model"; then
    pass "multiclass: one-vs-rest with probabilities writes Platt's pairs"
else
    fail "multiclass: one-vs-rest with probabilities writes Platt's pairs" "no probA line"
fi

$STANCE train -q -f stance --no-prob --multiclass ovo -o "$TMPDIR/multiclass-ovo" "$D"
expect_grep "multiclass: --multiclass ovo, in the manifest" '"multiclass":.*"one-vs-one"' \
    "$TMPDIR/multiclass-ovo/manifest.json"
$STANCE train -q -f stance --no-prob --loss hinge -o "$TMPDIR/multiclass-hinge" "$D"
expect_grep "multiclass: the hinge trains one-vs-one" '"multiclass":.*"one-vs-one"' \
    "$TMPDIR/multiclass-hinge/manifest.json"

# two labels: one binary SVM either way
grep -v '"neutral"' "$D" | grep -v '"sentiment": "neutral"' > "$TMPDIR/multiclass-two.jsonl"
$STANCE train -q -f stance --no-prob --multiclass ovr -o "$TMPDIR/multiclass-two" \
    "$TMPDIR/multiclass-two.jsonl"
expect_grep "multiclass: with two labels, one binary SVM (one-vs-one)" \
    '"multiclass":.*"one-vs-one"' "$TMPDIR/multiclass-two/manifest.json"

expect_status "multiclass: one-vs-rest with the hinge is a usage error" 2 \
    $STANCE train -f stance --multiclass ovr --loss hinge -o "$TMPDIR/multiclass-no" "$D"
expect_grep "multiclass: the error says why" "one-vs-rest needs the squared hinge loss" "$TMPDIR/err"
expect_status "multiclass: one-vs-rest with RBF is a usage error" 2 \
    $STANCE train -f stance --multiclass ovr --kernel rbf -o "$TMPDIR/multiclass-no" "$D"
expect_status "multiclass: an unknown scheme is a usage error" 2 \
    $STANCE train -f stance --multiclass all -o "$TMPDIR/multiclass-no" "$D"
expect_grep "multiclass: the error names the choices" "unknown multiclass scheme 'all' (ovr or ovo)" \
    "$TMPDIR/err"
if [ ! -e "$TMPDIR/multiclass-no" ]; then pass "multiclass: no model left by a usage error"; else
    fail "multiclass: no model left by a usage error" "$TMPDIR/multiclass-no exists"; fi
