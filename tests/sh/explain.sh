#!/bin/sh
# explain.sh: --explain is exact. When K covers every feature of a
# paragraph, its contributions plus the bias add up to the score (to the
# six printed decimals), for the predicted label of every model, in
# classify and in label alike; and `model show` lists each label's top
# n-grams by falling weight.
. tests/lib.sh
set -u
if ! command -v jq > /dev/null; then
    pass "explain: contributions plus bias give the score (skipped: no jq)"
    exit 0
fi
M=$TMPDIR/explain-model
head -n 150 fixtures/corpus/train.jsonl > "$TMPDIR/explain-train.jsonl"
$STANCE train -q -f stance -o "$M" "$TMPDIR/explain-train.jsonl"
$STANCE train -q -f sentiment -o "$M-sent" "$TMPDIR/explain-train.jsonl"

# prints per model of each record: "ok", "off BY", or "partial" when K
# did not cover every feature
check='.pred | to_entries[] | .value.explain as $e
    | if ($e.toward | length) == 100 or ($e.against | length) == 100 then "partial"
      else ((([$e.toward[][1]] + [$e.against[][1]] | add // 0) + $e.bias - $e.score) as $d
            | if $d < 0.0005 and $d > -0.0005 then "ok" else "off \($d)" end)
      end'
$STANCE classify --explain 100 -m "$M" -m "$M-sent" fixtures/golden/records.jsonl |
    jq -r "$check" > "$TMPDIR/classify-sums"
$STANCE label --explain 100 -m "$M" -m "$M-sent" fixtures/golden/lines.txt fixtures/golden/wrapped.txt |
    jq -r "$check" > "$TMPDIR/label-sums"
for what in classify label; do
    f=$TMPDIR/$what-sums
    ok=$(grep -c '^ok$' "$f")
    if [ "$ok" -gt 0 ] && ! grep -qv '^ok$\|^partial$' "$f"; then
        pass "explain: $what: contributions plus bias give the score ($ok predictions)"
    else
        fail "explain: $what: contributions plus bias give the score" "$(grep -v '^ok$' "$f" | head -3)"
    fi
done

# the model card's top n-grams fall in weight, 15 per label
$STANCE model show --json "$M" |
    jq -r '.top | to_entries[] | .value | [length, (. == (sort_by(-.[1])))] | @tsv' > "$TMPDIR/tops"
if [ "$(sort -u "$TMPDIR/tops")" = "$(printf '15\ttrue')" ]; then
    pass "model show: 15 top n-grams per label, by falling weight"
else
    fail "model show: 15 top n-grams per label, by falling weight" "$(cat "$TMPDIR/tops")"
fi
