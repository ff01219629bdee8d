$STANCE ngrams --word 1-2 --char 3-4 fixtures/golden/records.jsonl
