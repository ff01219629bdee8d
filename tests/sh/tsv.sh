#!/bin/sh
# tsv.sh: `label --format tsv` and `classify --format tsv` hold the same
# predictions as the JSON output (rebuilt with jq's @tsv), one row per
# record under a header with the same number of columns; and the jq recipes
# shown in README work on stance's output.
. tests/lib.sh
set -u
if ! command -v jq > /dev/null; then
    pass "tsv: jq checks (skipped: no jq)"
    exit 0
fi
M=$TMPDIR/tsv-model
head -n 300 fixtures/corpus/train.jsonl > "$TMPDIR/tsv-train.jsonl"
$STANCE train -q -f stance -o "$M" "$TMPDIR/tsv-train.jsonl"
$STANCE train -q -f sentiment --no-prob -o "$M-sent" "$TMPDIR/tsv-train.jsonl"

# the same four decimals whichever way a probability was printed (jq prints
# 0.5000 as 0.5)
norm() { awk 'BEGIN { FS = OFS = "\t" }
    { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+$/) $i = sprintf("%.4f", $i); print }'; }
# the JSON output as the TSV rows it should become
JQ_ROWS='[.doc, .para, .start, .end, .pred.stance.label,
          .pred.stance.prob["federal-cooperation"], .pred.stance.prob["local-control"],
          .pred.stance.prob.neutral, .pred.sentiment.label, .text] | @tsv'

$STANCE label -m "$M" -m "$M-sent" fixtures/articles/*.txt > "$TMPDIR/label.jsonl"
$STANCE label --format tsv -m "$M" -m "$M-sent" fixtures/articles/*.txt > "$TMPDIR/label.tsv"
head -n 1 "$TMPDIR/label.tsv" > "$TMPDIR/header"
printf 'doc\tpara\tstart\tend\tstance.label\tstance.p.federal-cooperation\tstance.p.local-control\tstance.p.neutral\tsentiment.label\ttext\n' > "$TMPDIR/want-header"
expect_same "tsv: label header" "$TMPDIR/want-header" "$TMPDIR/header"
tail -n +2 "$TMPDIR/label.tsv" | norm > "$TMPDIR/got"
jq -r "$JQ_ROWS" "$TMPDIR/label.jsonl" | norm > "$TMPDIR/want"
expect_same "tsv: label rows equal the JSON output through jq @tsv" "$TMPDIR/want" "$TMPDIR/got"
awk -F '\t' 'NR == 1 { n = NF } NF != n { bad++ } END { exit bad > 0 }' "$TMPDIR/label.tsv" &&
    pass "tsv: every row has as many columns as the header" ||
    fail "tsv: every row has as many columns as the header" "ragged rows"

# classify: records in, the same rows (doc..end empty when records lack them)
$STANCE classify -m "$M" -m "$M-sent" fixtures/corpus/test.jsonl > "$TMPDIR/classify.jsonl"
$STANCE classify --format tsv -m "$M" -m "$M-sent" fixtures/corpus/test.jsonl |
    tail -n +2 | norm > "$TMPDIR/got"
jq -r "$JQ_ROWS" "$TMPDIR/classify.jsonl" | norm > "$TMPDIR/want"
expect_same "tsv: classify rows equal the JSON output through jq @tsv" "$TMPDIR/want" "$TMPDIR/got"
# label on JSON lines goes the classify way
$STANCE label --format tsv -m "$M" -m "$M-sent" fixtures/corpus/test.jsonl | tail -n +2 |
    norm > "$TMPDIR/got2"
expect_same "tsv: label on JSON lines equals classify" "$TMPDIR/got" "$TMPDIR/got2"

# README's jq recipes
$STANCE label -m "$M" fixtures/articles/*.txt > "$TMPDIR/labelled.jsonl"
jq -c 'select(.pred.stance.label == "federal-cooperation" and
              .pred.stance.prob["federal-cooperation"] >= 0.8)' "$TMPDIR/labelled.jsonl" > "$TMPDIR/confident"
n_conf=$(wc -l < "$TMPDIR/confident")
n_want=$(grep -c '"stance":{"label":"federal-cooperation","prob":{"federal-cooperation":\(0\.[89]\|1\.\)' "$TMPDIR/labelled.jsonl")
[ "$n_conf" = "$n_want" ] && pass "tsv: jq recipe keeps confident paragraphs ($n_conf)" ||
    fail "tsv: jq recipe keeps confident paragraphs" "$n_conf rows, expected $n_want"
jq -n 'reduce inputs as $r ({}; .[$r.doc][$r.pred.stance.label] += 1)' "$TMPDIR/labelled.jsonl" > "$TMPDIR/per-doc"
total=$(jq '[.[][]] | add' "$TMPDIR/per-doc")
[ "$total" = "$(wc -l < "$TMPDIR/labelled.jsonl")" ] && [ "$(jq length "$TMPDIR/per-doc")" = "$(ls fixtures/articles/*.txt | wc -l)" ] &&
    pass "tsv: jq recipe counts labels per doc" ||
    fail "tsv: jq recipe counts labels per doc" "$total paragraphs counted"
