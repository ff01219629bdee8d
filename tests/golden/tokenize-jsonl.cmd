$STANCE tokenize fixtures/golden/records.jsonl
