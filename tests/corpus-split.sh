#!/bin/sh
# tests/corpus-split.sh [--check] FILE...: the corpus split.
#
# Reads every record of FILE... (the corpus is train.jsonl and test.jsonl;
# new paragraphs come as further files), and writes
# fixtures/corpus/train.jsonl and fixtures/corpus/test.jsonl: within each
# stance label, records ordered by the SHA-256 of their id, the first 20%
# (rounded) are the test split. Each file is ordered by id, each record's
# line kept byte for byte. Deterministic: the same records, wherever they
# come from, give the same two files.
#
# --check writes nothing and exits 1 when the two files are not the split
# of their own records (tests/sh/corpus.sh).
set -eu
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
[ $# -gt 0 ] || { echo "usage: $0 [--check] FILE..." >&2; exit 2; }
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/corpus-split.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export LC_ALL=C

# one record a line, blank lines dropped; jq names a malformed one
grep -v '^[[:space:]]*$' "$@" /dev/null | sed 's/^[^:]*://' > "$work/all"
jq -e -r 'if (.id | type) == "string" and (.stance | type) == "string" then
              "\(.stance)\t\(.id)" else error("record without a string id and stance") end' \
    "$work/all" > "$work/keys"
dup=$(cut -f 2 "$work/keys" | sort | uniq -d | head -n 3)
[ -z "$dup" ] || { echo "corpus-split: duplicate ids: $dup" >&2; exit 1; }
# stance, SHA-256 of the id, id, line number
cut -f 2 "$work/keys" | while IFS= read -r id; do
    printf '%s' "$id" | sha256sum | cut -d ' ' -f 1
done > "$work/hashes"
paste "$work/keys" "$work/hashes" | awk -F '\t' '{ print $1 "\t" $3 "\t" $2 "\t" NR }' |
    sort -t "$(printf '\t')" -k1,1 -k2,2 > "$work/ranked"
awk -F '\t' '
    NR == FNR { n[$1]++; next }
    { split_of = (rank[$1]++ < int(n[$1] / 5 + 0.5)) ? "test" : "train"; print split_of "\t" $3 "\t" $4 }' \
    "$work/ranked" "$work/ranked" | sort -t "$(printf '\t')" -k1,1 -k2,2 > "$work/assigned"
for s in train test; do
    awk -F '\t' -v s="$s" '$1 == s { print $3 }' "$work/assigned" |
        awk 'NR == FNR { want[NR] = $1; next } { line[FNR] = $0 }
             END { for (i = 1; i in want; i++) print line[want[i]] }' - "$work/all" > "$work/$s.jsonl"
done
if [ $check = 1 ]; then
    cmp -s "$work/train.jsonl" fixtures/corpus/train.jsonl &&
        cmp -s "$work/test.jsonl" fixtures/corpus/test.jsonl
    exit
fi
mv "$work/train.jsonl" fixtures/corpus/train.jsonl
mv "$work/test.jsonl" fixtures/corpus/test.jsonl
wc -l fixtures/corpus/train.jsonl fixtures/corpus/test.jsonl
