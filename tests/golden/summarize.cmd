$STANCE summarize tests/golden/summarize.jsonl
