#!/bin/sh
# pipeline.sh: the stages agree with each other: the fused `label` equals
# the three-stage pipe, training is deterministic and predicts its own
# training data back, and libsvm agrees with stance on every prediction.
. tests/lib.sh
set -u
M=$TMPDIR/pipeline-model
head -n 300 fixtures/corpus/train.jsonl > "$TMPDIR/small.jsonl"

expect_status "train: small stance model" 0 $STANCE train -q -f stance -o "$M" "$TMPDIR/small.jsonl"
expect_status "train: second small model" 0 $STANCE train -q -f sentiment -o "$M-sent" "$TMPDIR/small.jsonl"

# pred of label (fused) == pred of tokenize | ngrams | classify, on article text
for f in fixtures/golden/lines.txt fixtures/golden/wrapped.txt fixtures/golden/multilingual.txt; do
    $STANCE label -m "$M" -m "$M-sent" "$f" 2>/dev/null | sed 's/.*"pred"://' > "$TMPDIR/fused"
    $STANCE tokenize "$f" 2>/dev/null | $STANCE ngrams | $STANCE classify -m "$M" -m "$M-sent" |
        sed 's/.*"pred"://' > "$TMPDIR/piped"
    expect_same "label equals tokenize|ngrams|classify on $(basename "$f")" "$TMPDIR/fused" "$TMPDIR/piped"
done
$STANCE label -m "$M" -m "$M-sent" fixtures/corpus/test.jsonl | sed 's/.*"pred"://' > "$TMPDIR/fused"
$STANCE tokenize fixtures/corpus/test.jsonl | $STANCE ngrams | $STANCE classify -m "$M" -m "$M-sent" |
    sed 's/.*"pred"://' > "$TMPDIR/piped"
expect_same "label equals the pipe on the whole test split" "$TMPDIR/fused" "$TMPDIR/piped"
$STANCE tokenize fixtures/corpus/test.jsonl | $STANCE classify -m "$M" | sed 's/.*"pred"://' > "$TMPDIR/from-tokens"
$STANCE classify -m "$M" fixtures/corpus/test.jsonl | sed 's/.*"pred"://' > "$TMPDIR/from-text"
expect_same "classify from tokens equals classify from text" "$TMPDIR/from-tokens" "$TMPDIR/from-text"

# determinism: train twice, compare bytes; label twice, compare bytes
$STANCE train -q -f stance -o "$M-again" "$TMPDIR/small.jsonl"
for f in manifest.json vocab.tsv svm.model; do
    expect_same "train: $f identical on retraining" "$M/$f" "$M-again/$f"
done
# the vocabulary: character n-grams, then word n-grams, each block by
# document frequency, most frequent (lowest idf) first, ties in byte order
# of the keys; and a shuffled training file gives the same vocabulary
LC_ALL=C awk -F'\t' 'substr($3, 1, 1) != kind { if (kind == "w") bad = bad " line " NR ": c after w"; kind = substr($3, 1, 1); prev_idf = -1 }
    $2 + 0 < prev_idf + 0 || ($2 == prev_idf && $3 <= prev_key) { bad = bad " line " NR }
    { prev_idf = $2; prev_key = $3 } END { print bad ? "out of order:" bad : "ordered" }' "$M/vocab.tsv" > "$TMPDIR/vocab-order"
printf 'ordered\n' > "$TMPDIR/vocab-order.want"
expect_same "train: vocabulary by block, then frequency, then key" "$TMPDIR/vocab-order.want" "$TMPDIR/vocab-order"
awk 'NR % 2' "$TMPDIR/small.jsonl" > "$TMPDIR/shuffled.jsonl"
awk 'NR % 2 == 0' "$TMPDIR/small.jsonl" | sort >> "$TMPDIR/shuffled.jsonl"
$STANCE train -q -f stance -o "$M-shuffled" "$TMPDIR/shuffled.jsonl"
expect_same "train: the vocabulary does not depend on record order" "$M/vocab.tsv" "$M-shuffled/vocab.tsv"
$STANCE train -q -f stance -o "$M-jobs1" --jobs 1 --cv 3 "$TMPDIR/small.jsonl" > /dev/null
$STANCE train -q -f stance -o "$M-jobs2" --jobs 2 --cv 3 "$TMPDIR/small.jsonl" > /dev/null
expect_same "train: --jobs does not change the model" "$M-jobs1/manifest.json" "$M-jobs2/manifest.json"
# the precomputed kernel (the default here) is an optimisation, never a
# different model: same CV figures, same svm.model bytes as libsvm's own
# sparse dot products
$STANCE train -q -f stance -o "$M-sparse" --gram 0 --jobs 2 --cv 3 "$TMPDIR/small.jsonl" > /dev/null
for f in manifest.json svm.model; do
    expect_same "train: --gram 0 gives the identical $f" "$M-jobs2/$f" "$M-sparse/$f"
done
$STANCE train -q -f stance -o "$M-sparse-noprob" --gram 0 --no-prob "$TMPDIR/small.jsonl"
$STANCE train -q -f stance -o "$M-gram-noprob" --no-prob "$TMPDIR/small.jsonl"
expect_same "train: --gram 0 identical without probabilities" \
    "$M-sparse-noprob/svm.model" "$M-gram-noprob/svm.model"
# over the --gram budget libsvm computes the products itself: the same
# model, slower, and the user is told why
$STANCE train -q -f stance -o "$M-over" --gram 1 "$TMPDIR/small.jsonl" 2> "$TMPDIR/over.err"
expect_grep "train: a kernel table over --gram is reported" \
    "stance train: warning: the kernel table of 300 records needs 2 MB, over --gram 1" "$TMPDIR/over.err"
expect_same "train: over --gram, the same model" "$M/svm.model" "$M-over/svm.model"
expect_status "train: --gram takes megabytes, not -5" 2 \
    $STANCE train -q -f stance -o "$M-bad" --gram -5 "$TMPDIR/small.jsonl"
$STANCE label -m "$M" fixtures/articles/*.txt > "$TMPDIR/l1"
$STANCE label -m "$M" fixtures/articles/*.txt > "$TMPDIR/l2"
expect_same "label: deterministic output" "$TMPDIR/l1" "$TMPDIR/l2"

# Models trained on one corpus share their features, which label and
# classify compute once for both: each model's predictions must be what it
# gives alone, for a pair that shares (stance, sentiment), a pair that does
# not (a different --min-df, so a different vocabulary), and three in an
# order where sharing comes and goes.
jq -c '. + {lean: .stance}' "$TMPDIR/small.jsonl" > "$TMPDIR/small-lean.jsonl"
$STANCE train -q -f lean --min-df 3 -o "$M-lean" "$TMPDIR/small-lean.jsonl"
art=fixtures/articles/01-*.txt
for m in "$M" "$M-sent" "$M-lean"; do
    $STANCE label -m "$m" $art | jq -c '.pred' > "$TMPDIR/alone-$(basename "$m")"
done
for combo in "$M $M-sent" "$M $M-lean" "$M-lean $M" "$M $M-lean $M-sent" "$M-lean $M $M-sent"; do
    set -- $combo
    margs="" names="" files=""
    for m; do
        margs="$margs -m $m" names="$names $(basename "$m")"
        files="$files $TMPDIR/alone-$(basename "$m")"
    done
    # shellcheck disable=SC2086
    paste -d '\n' $files | jq -c -s --argjson k $# \
        '[range(0; length; $k) as $i | .[$i:$i + $k] | add] | .[]' > "$TMPDIR/apart"
    # shellcheck disable=SC2086
    $STANCE label $margs $art | jq -c '.pred' > "$TMPDIR/both"
    expect_same "label:$names equals each alone" "$TMPDIR/apart" "$TMPDIR/both"
    # shellcheck disable=SC2086
    $STANCE tokenize $art | $STANCE ngrams | $STANCE classify $margs | jq -c '.pred' > "$TMPDIR/piped"
    expect_same "classify:$names equals each alone" "$TMPDIR/apart" "$TMPDIR/piped"
done

# trained on records with n-grams equals trained on text
$STANCE tokenize "$TMPDIR/small.jsonl" | $STANCE ngrams > "$TMPDIR/small-ngrams.jsonl"
$STANCE train -q -f stance -o "$M-ng" "$TMPDIR/small-ngrams.jsonl"
expect_same "train: from ngrams records equals from text" "$M/svm.model" "$M-ng/svm.model"

# predicts its own training data back (no probabilities: the SVM's vote)
$STANCE train -q -f stance -o "$M-vote" --no-prob -C 10 "$TMPDIR/small.jsonl"
$STANCE classify -m "$M-vote" "$TMPDIR/small.jsonl" | $STANCE eval -f stance --json > "$TMPDIR/self"
expect_grep "train: predicts its training data back" '"accuracy":1.000000' "$TMPDIR/self"

# libsvm's own predictions agree with stance's, on the whole corpus
out=$("$UNIT" agree "$M" fixtures/corpus/train.jsonl; "$UNIT" agree "$M" fixtures/corpus/test.jsonl)
echo "$out"
if [ -d models/stance ]; then
    "$UNIT" agree models/stance fixtures/corpus/test.jsonl
    "$UNIT" agree models/sentiment fixtures/corpus/test.jsonl
fi

# a model directory is replaced whole or not at all
cp "$M/manifest.json" "$TMPDIR/before"
expect_status "train: failed training leaves the old model" 1 \
    $STANCE train -q -f no-such-field -o "$M" "$TMPDIR/small.jsonl"
expect_same "train: old model intact after failure" "$TMPDIR/before" "$M/manifest.json"
ls -d "$M".tmp.* > "$TMPDIR/leftovers" 2>/dev/null
expect_empty "train: no temporary directory left behind" "$TMPDIR/leftovers"
