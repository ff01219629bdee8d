$STANCE tokenize fixtures/golden/wrapped.txt
