$STANCE tokenize fixtures/golden/lines.txt | $STANCE ngrams
