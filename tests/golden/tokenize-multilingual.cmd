$STANCE tokenize fixtures/golden/multilingual.txt
