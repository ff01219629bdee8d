#!/bin/sh
# libsvm-export.sh: `stance ngrams --libsvm -m MODEL` writes the model's own
# features, so libsvm's svm-predict, given the model's svm.model, predicts
# exactly what `stance classify` does (labels, and probabilities to the four
# decimals classify prints), and its reported accuracy is stance's.
. tests/lib.sh
set -u
M=$TMPDIR/export-model
head -n 300 fixtures/corpus/train.jsonl > "$TMPDIR/export-train.jsonl"
$STANCE train -q -f stance -o "$M" "$TMPDIR/export-train.jsonl"
$STANCE train -q -f stance --no-prob -C 10 -o "$M-vote" "$TMPDIR/export-train.jsonl"
T=fixtures/corpus/test.jsonl

expect_status "libsvm: export of the test split" 0 $STANCE ngrams --libsvm -m "$M" "$T"
cp "$TMPDIR/out" "$TMPDIR/test.svm"
# from n-gram records, tokens or text: the same features
$STANCE tokenize "$T" | $STANCE ngrams | $STANCE ngrams --libsvm -m "$M" > "$TMPDIR/piped.svm"
expect_same "libsvm: export from ngrams records equals export from text" "$TMPDIR/test.svm" "$TMPDIR/piped.svm"
# the label column is the gold label's index among the model's labels
jq -r '.labels | to_entries[] | "\(.value)\t\(.key)"' "$M/manifest.json" > "$TMPDIR/label-index"
jq -r .stance "$T" | awk -v map="$TMPDIR/label-index" '
    BEGIN { while ((getline l < map) > 0) { split(l, a, "\t"); idx[a[1]] = a[2] } }
    { print idx[$0] }' > "$TMPDIR/want-gold"
cut -d ' ' -f 1 "$TMPDIR/test.svm" > "$TMPDIR/got-gold"
expect_same "libsvm: label column is the gold label's index" "$TMPDIR/want-gold" "$TMPDIR/got-gold"

if ! command -v svm-predict > /dev/null; then
    pass "libsvm: svm-predict agreement (skipped: no svm-predict)"
    exit 0
fi

# compare svm-predict's output (label indices, probabilities in libsvm's
# class order, named by the "labels" header line) with classify's records
compare() { # NAME MODEL PREDICTIONS CLASSIFIED
    awk -v name="$1" -v manifest_labels="$(jq -r '.labels | join(" ")' "$2/manifest.json")" '
        BEGIN { nl = split(manifest_labels, names, " ") }
        NR == FNR {
            if ($1 == "labels") { for (i = 2; i <= NF; i++) order[i] = $i; probs = 1; next }
            n++; lab[n] = names[$1 + 1]
            for (i = 2; i <= NF; i++) p[n, names[order[i] + 1]] = $i
            next
        }
        {
            m++
            match($0, /"label":"[^"]*"/); got = substr($0, RSTART + 9, RLENGTH - 10)
            if (got != lab[m]) { labels_bad++; if (!first) first = m }
            for (j = 1; probs && j <= nl; j++) {
                if (!match($0, "\"" names[j] "\":[0-9.]+")) { probs_bad++; continue }
                v = substr($0, RSTART + length(names[j]) + 3, RLENGTH - length(names[j]) - 3) + 0
                d = v - p[m, names[j]]; if (d < 0) d = -d
                if (d > worst) worst = d
            }
        }
        END {
            ok = m == n && m > 0 && !labels_bad && !probs_bad && worst <= 0.00005 + 1e-6
            printf "%s libsvm: %s (%d records, %d labels differ%s, largest probability difference %.2g)\n",
                ok ? "PASS" : "FAIL", name, m, labels_bad,
                first ? sprintf(" from record %d", first) : "", worst
        }' "$3" "$4"
}
$STANCE classify -m "$M" "$T" | sed 's/.*"pred"://' > "$TMPDIR/classified"
svm-predict -b 1 "$TMPDIR/test.svm" "$M/svm.model" "$TMPDIR/pred" > "$TMPDIR/svm-predict.log"
compare "svm-predict -b 1 equals classify" "$M" "$TMPDIR/pred" "$TMPDIR/classified"

# svm-predict's accuracy is meaningful: it is stance's
$STANCE classify -m "$M" "$T" | jq -r 'select(.pred.stance.label == .stance) | 1' | wc -l > "$TMPDIR/correct"
expect_grep "libsvm: svm-predict accuracy equals stance's" \
    "($(cat "$TMPDIR/correct" | tr -d ' ')/$(wc -l < "$T" | tr -d ' '))" "$TMPDIR/svm-predict.log"

# a model without probabilities: svm-predict's vote equals classify's
$STANCE ngrams --libsvm -m "$M-vote" "$T" > "$TMPDIR/vote.svm"
$STANCE classify -m "$M-vote" "$T" | sed 's/.*"pred"://' > "$TMPDIR/classified"
svm-predict "$TMPDIR/vote.svm" "$M-vote/svm.model" "$TMPDIR/pred" > /dev/null
compare "svm-predict (vote) equals classify" "$M-vote" "$TMPDIR/pred" "$TMPDIR/classified"

# the shipped models, when there are any
for d in models/stance models/sentiment; do
    [ -f "$d/svm.model" ] || continue
    $STANCE ngrams --libsvm -m "$d" "$T" > "$TMPDIR/shipped.svm"
    $STANCE classify -m "$d" "$T" | sed 's/.*"pred"://' > "$TMPDIR/classified"
    b=$(jq -r 'if .probability == false then "0" else "1" end' "$d/manifest.json")
    svm-predict -b "$b" "$TMPDIR/shipped.svm" "$d/svm.model" "$TMPDIR/pred" > /dev/null
    compare "svm-predict equals classify with $d" "$d" "$TMPDIR/pred" "$TMPDIR/classified"
done

# svm-train reads the export (so grid.py can search on stance's features)
$STANCE ngrams --libsvm -m "$M" "$TMPDIR/export-train.jsonl" > "$TMPDIR/train.svm"
expect_status "libsvm: svm-train reads the export" 0 svm-train -q -t 0 "$TMPDIR/train.svm" "$TMPDIR/retrained.model"

# records without the gold field get 0; a label the model lacks is bad data
printf '{"text":"no label here"}\n{"text":"null label","stance":null}\n' |
    $STANCE ngrams --libsvm -m "$M" | cut -d ' ' -f 1 | tr '\n' ' ' > "$TMPDIR/unlabelled"
[ "$(cat "$TMPDIR/unlabelled")" = "0 0 " ] && pass "libsvm: unlabelled records get label 0" ||
    fail "libsvm: unlabelled records get label 0" "$(cat "$TMPDIR/unlabelled")"
printf '{"text":"x","stance":"pro-federal"}\n' > "$TMPDIR/foreign.jsonl"
expect_status "libsvm: unknown label is bad data" 1 $STANCE ngrams --libsvm -m "$M" "$TMPDIR/foreign.jsonl"
expect_grep "libsvm: unknown label message" "foreign.jsonl:1: label 'pro-federal' in field 'stance' is not one of the model's" "$TMPDIR/err"
expect_status "libsvm: --libsvm needs -m" 2 $STANCE ngrams --libsvm "$T"
expect_status "libsvm: -m needs --libsvm" 2 $STANCE ngrams -m "$M" "$T"
expect_status "libsvm: the model decides the n-grams" 2 $STANCE ngrams --libsvm -m "$M" --word 1-2 "$T"
