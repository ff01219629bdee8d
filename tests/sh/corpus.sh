#!/bin/sh
# corpus.sh: the annotated corpus is what its README promises: labels from
# the annotation guide, the balance the shipped models rely on, and the
# split of tests/corpus-split.sh.
. tests/lib.sh
set -u
C=fixtures/corpus
cat $C/train.jsonl $C/test.jsonl > "$TMPDIR/corpus.jsonl"

if sh tests/corpus-split.sh --check $C/train.jsonl $C/test.jsonl 2> "$TMPDIR/split.err"; then
    pass "corpus: train and test are the deterministic split of their records"
else
    fail "corpus: train and test are the deterministic split of their records" \
        "rerun sh tests/corpus-split.sh $C/*.jsonl $(head -c 200 "$TMPDIR/split.err")"
fi

jq -r 'select((.stance | IN("local-control", "federal-cooperation", "neutral") | not)
              or (.sentiment | IN("positive", "negative", "neutral") | not)
              or (.text | type) != "string" or (.text | length) == 0) | .id' \
    "$TMPDIR/corpus.jsonl" > "$TMPDIR/badlabels"
expect_empty "corpus: every record has text and labels from the guide" "$TMPDIR/badlabels"

# shares in percent, and the smallest stance x sentiment cell
jq -s -r 'length as $n
    | ([group_by(.stance)[] | length * 100 / $n] | min) as $stance
    | ([group_by(.sentiment)[] | length * 100 / $n] | min) as $sent
    | ([group_by([.stance, .sentiment])[] | length] | min) as $cell
    | ([group_by([.stance, .sentiment])[]] | length) as $cells
    | "\($stance) \($sent) \($cell) \($cells)"' "$TMPDIR/corpus.jsonl" > "$TMPDIR/shares"
read -r stance_min sent_min cell_min cells < "$TMPDIR/shares"
if awk -v s="$stance_min" -v t="$sent_min" 'BEGIN { exit !(s >= 28 && t >= 20) }'; then
    pass "corpus: each stance label >= 28%, each sentiment label >= 20%"
else
    fail "corpus: each stance label >= 28%, each sentiment label >= 20%" \
        "smallest stance share $stance_min%, sentiment $sent_min%"
fi
if [ "$cells" = 9 ] && [ "$cell_min" -ge 50 ]; then
    pass "corpus: every stance label with every sentiment label, 50 times or more"
else
    fail "corpus: every stance label with every sentiment label, 50 times or more" \
        "$cells combinations, the smallest $cell_min"
fi
