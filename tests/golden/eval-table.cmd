$STANCE eval -f stance fixtures/golden/predicted.jsonl
