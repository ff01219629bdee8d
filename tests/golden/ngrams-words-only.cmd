$STANCE ngrams --char 0 fixtures/golden/records.jsonl
