$STANCE summarize --threshold 0.65 < tests/golden/summarize.jsonl
