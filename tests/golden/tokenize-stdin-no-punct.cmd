$STANCE tokenize --no-punct < fixtures/golden/lines.txt
