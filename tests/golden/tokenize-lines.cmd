$STANCE tokenize fixtures/golden/lines.txt
