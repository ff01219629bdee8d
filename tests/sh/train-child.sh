#!/bin/sh
# train-child.sh: a cross-validation process that dies (the kernel's
# out-of-memory killer sends SIGKILL) is reported as what it was, training
# stops with the system-error status, and no model is left behind.
. tests/lib.sh
set -u
head -n 1000 fixtures/corpus/train.jsonl > "$TMPDIR/child-train.jsonl"
M=$TMPDIR/child-model
$STANCE train -q -f stance --grid --jobs 2 -o "$M" "$TMPDIR/child-train.jsonl" \
    > /dev/null 2> "$TMPDIR/child.err" &
parent=$!
child=
tries=0
# the first process whose parent is train: a cross-validation process
while [ -z "$child" ] && [ $tries -lt 600 ] && kill -0 $parent 2> /dev/null; do
    child=$(awk -v p=$parent '$4 == p { print $1; exit }' /proc/[0-9]*/stat 2> /dev/null)
    [ -n "$child" ] || sleep 0.1
    tries=$((tries + 1))
done
if [ -z "$child" ]; then
    wait $parent
    fail "train: a killed cross-validation process is reported" "never saw one start"
    exit 0
fi
kill -KILL "$child"
wait $parent
status=$?
if [ $status = 4 ]; then pass "train: a killed cross-validation process exits 4"; else
    fail "train: a killed cross-validation process exits 4" "exit status $status"; fi
expect_grep "train: the error names the signal" \
    "cross-validation process was killed by signal 9" "$TMPDIR/child.err"
if [ ! -e "$M" ] && ! ls -d "$M".tmp.* > /dev/null 2>&1; then
    pass "train: no model, whole or partial, after a killed cross-validation process"
else
    fail "train: no model, whole or partial, after a killed cross-validation process" \
        "$(ls -d "$M"* 2>&1 | head -3)"
fi
