$STANCE eval -f stance --json fixtures/golden/predicted.jsonl
