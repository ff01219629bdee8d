#!/bin/sh
# parallel.sh: stance scales out with GNU parallel: `parallel --pipe -k`
# splitting a large JSON-lines file between processes gives output
# byte-identical to one process. Also: stderr is for people only: with
# stderr a file, long work writes nothing there; on a terminal it shows a
# progress line, which --quiet silences.
. tests/lib.sh
set -u
# small models and a few passes over the data keep this fast under ASan too
M=$TMPDIR/par-model
head -n 150 fixtures/corpus/train.jsonl > "$TMPDIR/par-train.jsonl"
$STANCE train -q -f stance -o "$M" "$TMPDIR/par-train.jsonl"
$STANCE train -q -f sentiment -o "$M-sent" "$TMPDIR/par-train.jsonl"
# the corpus five times over: about 2 MB, 5,250 records
for i in 1 2 3 4 5; do
    cat fixtures/corpus/train.jsonl fixtures/corpus/test.jsonl
done > "$TMPDIR/big.jsonl"

$STANCE classify -m "$M" -m "$M-sent" "$TMPDIR/big.jsonl" > "$TMPDIR/single" 2> "$TMPDIR/single.err"
expect_empty "stderr: classify over 5,250 records writes nothing to a stderr file" "$TMPDIR/single.err"
$STANCE label -m "$M" fixtures/articles/*.txt > "$TMPDIR/label.out" 2> "$TMPDIR/label.err"
expect_empty "stderr: label over many files writes nothing to a stderr file" "$TMPDIR/label.err"
head -n 80 fixtures/corpus/train.jsonl > "$TMPDIR/tiny.jsonl"
$STANCE train -f stance --cv 2 --grid -j 2 -o "$M-grid" "$TMPDIR/tiny.jsonl" > "$TMPDIR/train.out" 2> "$TMPDIR/train.err"
expect_empty "stderr: train --grid writes nothing to a stderr file" "$TMPDIR/train.err"
$STANCE classify -m "$M" fixtures/golden/records.jsonl no-such-file 2> "$TMPDIR/err" > /dev/null
[ "$(cat "$TMPDIR/err")" = "stance classify: cannot open 'no-such-file': No such file or directory" ] &&
    pass "stderr: errors only, no progress, in a stderr file" ||
    fail "stderr: errors only, no progress, in a stderr file" "$(head -c 300 "$TMPDIR/err")"

# on a terminal (a pty from script(1)), a progress line; --quiet, none
if command -v script > /dev/null && script -qc true /dev/null > /dev/null 2>&1; then
    script -qc "$STANCE classify -m '$M' -m '$M-sent' '$TMPDIR/big.jsonl' > '$TMPDIR/pty.out'" /dev/null > "$TMPDIR/pty.log" 2>&1
    expect_grep "progress: a progress line on a terminal" "stance classify: .*big.jsonl: record 5000" "$TMPDIR/pty.log"
    expect_same "progress: stdout unchanged when stderr is a terminal" "$TMPDIR/single" "$TMPDIR/pty.out"
    script -qc "$STANCE classify -q -m '$M' fixtures/corpus/train.jsonl fixtures/corpus/test.jsonl > /dev/null" /dev/null > "$TMPDIR/pty-quiet.log" 2>&1
    expect_empty "progress: --quiet silences it" "$TMPDIR/pty-quiet.log"
    script -qc "$STANCE label -m '$M' fixtures/articles/*.txt > /dev/null" /dev/null > "$TMPDIR/pty-label.log" 2>&1
    expect_grep "progress: label names each file" "stance label: .*09-clermont-detainer-ruling.txt: paragraph" "$TMPDIR/pty-label.log"
else
    pass "progress: terminal checks (skipped: no script)"
fi

if ! command -v parallel > /dev/null; then
    pass "parallel: --pipe -k equals one process (skipped: no parallel)"
    exit 0
fi
parallel --will-cite --pipe -k -j 2 --block 200k $STANCE classify -m "$M" -m "$M-sent" \
    < "$TMPDIR/big.jsonl" > "$TMPDIR/par" 2> "$TMPDIR/par.err"
status=$?
[ "$status" = 0 ] && pass "parallel: all jobs succeed" || fail "parallel: all jobs succeed" "status $status"
expect_same "parallel: classify --pipe -k -j 2 equals one process" "$TMPDIR/single" "$TMPDIR/par"
cat fixtures/corpus/train.jsonl fixtures/corpus/test.jsonl > "$TMPDIR/corpus.jsonl"
$STANCE label --format tsv -m "$M" "$TMPDIR/corpus.jsonl" | tail -n +2 > "$TMPDIR/single.tsv"
parallel --will-cite --pipe -k -j 2 --block 100k $STANCE label --format tsv -m "$M" \
    < "$TMPDIR/corpus.jsonl" | grep -v '^doc	para' > "$TMPDIR/par.tsv"
expect_same "parallel: label --format tsv equals one process (headers dropped)" "$TMPDIR/single.tsv" "$TMPDIR/par.tsv"
# one job per article file: -k keeps the order of the files
$STANCE label -m "$M" fixtures/articles/*.txt > "$TMPDIR/files.single"
parallel --will-cite -k -j 2 $STANCE label -m "$M" ::: fixtures/articles/*.txt > "$TMPDIR/files.par"
expect_same "parallel: label ::: FILES with -k equals one process" "$TMPDIR/files.single" "$TMPDIR/files.par"
