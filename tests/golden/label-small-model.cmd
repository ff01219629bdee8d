head -n 150 fixtures/corpus/train.jsonl | $STANCE train -q -f sentiment -o "$TMPDIR/golden-sent" -C 1 && $STANCE label -m "$TMPDIR/golden-sent" fixtures/golden/lines.txt fixtures/golden/wrapped.txt
