#!/bin/sh
# loss.sh: the squared hinge, trained by libsvm through each record's own
# term (train.c, set_self_terms), reaches the closed-form optimum.
#
# Two records of "alpha" labelled a and two of "beta" labelled b: each is a
# unit vector on its own feature, so by symmetry w = (t, -t), b = 0, and the
# squared hinge's primal t^2 + 4C(1 - t)^2 is least at t = 4C/(1 + 4C); the
# plain hinge's, t^2 + 4C max(0, 1 - t), at t = 1 once C >= 1/2.
. tests/lib.sh
set -u
D=$TMPDIR/loss.jsonl
printf '{"text":"alpha","y":"a"}\n{"text":"beta","y":"b"}\n{"text":"alpha","y":"a"}\n{"text":"beta","y":"b"}\n' > "$D"

# weight_of MODEL: w on feature 1 (alpha), summed over the support vectors
weight_of() {
    awk '/^SV$/ { sv = 1; next }
         sv { for (i = 2; i <= NF; i++) if ($i ~ /^1:/) { split($i, kv, ":"); w += $1 * kv[2] } }
         END { printf "%.6f\n", w < 0 ? -w : w }' "$1/svm.model"
}
# near NAME GOT WANT: within libsvm's stopping tolerance
near() {
    if awk -v g="$2" -v w="$3" 'BEGIN { d = g - w; exit !(d < 0.005 && d > -0.005) }'; then
        pass "$1"
    else
        fail "$1" "weight $2, expected $3"
    fi
}

for C in 1 0.25; do
    want=$(awk -v c="$C" 'BEGIN { printf "%.6f", 4 * c / (1 + 4 * c) }')
    for gram in 2048 0; do
        M=$TMPDIR/loss-sq-$C-$gram
        $STANCE train -q -f y --word 1 --char 0 --no-prob -C "$C" --gram $gram -o "$M" "$D"
        near "loss: squared hinge at C=$C (--gram $gram) gives 4C/(1+4C)" "$(weight_of "$M")" "$want"
    done
    expect_same "loss: squared hinge at C=$C, the same svm.model with and without the kernel table" \
        "$TMPDIR/loss-sq-$C-2048/svm.model" "$TMPDIR/loss-sq-$C-0/svm.model"
done
# the records' own coordinates (indices past the two features) stay out
if awk '/^SV$/ { sv = 1; next } sv { for (i = 2; i <= NF; i++) { split($i, kv, ":"); if (kv[1] + 0 > 2) bad = 1 } }
        END { exit bad }' "$TMPDIR/loss-sq-1-0/svm.model"; then
    pass "loss: no record's own coordinate in svm.model"
else
    fail "loss: no record's own coordinate in svm.model" "$(sed -n '/^SV$/,$p' "$TMPDIR/loss-sq-1-0/svm.model" | head -3)"
fi
expect_grep "loss: squared hinge is the default, in the manifest" '"loss":.*"squared-hinge"' \
    "$TMPDIR/loss-sq-1-2048/manifest.json"

M=$TMPDIR/loss-hinge
$STANCE train -q -f y --word 1 --char 0 --no-prob -C 1 --loss hinge -o "$M" "$D"
near "loss: the hinge at C=1 gives 1" "$(weight_of "$M")" 1.000000
expect_grep "loss: hinge in the manifest" '"loss":.*"hinge"' "$M/manifest.json"

# with probabilities on, Platt's folds predict held-out records: the
# kernel table and the sparse vectors must still agree
head -n 300 fixtures/corpus/train.jsonl > "$TMPDIR/loss-300.jsonl"
$STANCE train -q -f sentiment -C 0.3 -o "$TMPDIR/loss-gram" "$TMPDIR/loss-300.jsonl"
$STANCE train -q -f sentiment -C 0.3 --gram 0 -o "$TMPDIR/loss-sparse" "$TMPDIR/loss-300.jsonl"
expect_same "loss: squared hinge with probabilities, the same svm.model with and without the kernel table" \
    "$TMPDIR/loss-gram/svm.model" "$TMPDIR/loss-sparse/svm.model"

M=$TMPDIR/loss-rbf
$STANCE train -q -f y --word 1 --char 0 --no-prob --kernel rbf -o "$M" "$D"
expect_grep "loss: RBF trains the hinge" '"loss":.*"hinge"' "$M/manifest.json"
expect_status "loss: squared hinge with RBF is a usage error" 2 \
    $STANCE train -f y --kernel rbf --loss squared-hinge -o "$TMPDIR/loss-no" "$D"
expect_grep "loss: the error says why" "squared hinge loss needs the linear kernel" "$TMPDIR/err"
expect_status "loss: an unknown loss is a usage error" 2 \
    $STANCE train -f y --loss logistic -o "$TMPDIR/loss-no" "$D"
expect_grep "loss: the error names the choices" "unknown loss 'logistic'" "$TMPDIR/err"
if [ ! -e "$TMPDIR/loss-no" ]; then pass "loss: no model left by a usage error"; else
    fail "loss: no model left by a usage error" "$TMPDIR/loss-no exists"; fi
