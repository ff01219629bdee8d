$STANCE summarize --threshold 1.5 tests/golden/summarize.jsonl
