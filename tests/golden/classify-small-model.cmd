head -n 150 fixtures/corpus/train.jsonl | $STANCE train -q -f stance -o "$TMPDIR/golden-model" -C 1 && $STANCE classify --explain 2 -m "$TMPDIR/golden-model" fixtures/golden/records.jsonl
