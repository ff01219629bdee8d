#!/bin/sh
# tests/golden.sh CASE.cmd: runs one golden case. CASE.cmd is a shell
# command line run from the repository root with $STANCE as the program;
# its stdout must equal CASE.out byte for byte, its exit status CASE.status
# (0 when absent), and its stderr CASE.err when that file exists.
# With UPDATE=1 the expected files are rewritten from the actual output.
set -u
cmd=$1
base=${cmd%.cmd}
name=golden/$(basename "$base")
out=$TMPDIR/$(basename "$base").out
err=$TMPDIR/$(basename "$base").err
sh -c "$(cat "$cmd")" > "$out" 2> "$err"
status=$?
want_status=0
[ -f "$base.status" ] && want_status=$(cat "$base.status")
if [ "${UPDATE:-0}" = 1 ]; then
    cp "$out" "$base.out"
    [ "$status" != 0 ] && echo "$status" > "$base.status"
    [ -f "$base.err" ] && cp "$err" "$base.err"
fi
if ! cmp -s "$out" "$base.out"; then
    echo "FAIL $name: stdout differs from $base.out"
    diff "$base.out" "$out" | head -5
elif [ "$status" != "$want_status" ]; then
    echo "FAIL $name: exit status $status, expected $want_status"
    head -3 "$err"
elif [ -f "$base.err" ] && ! cmp -s "$err" "$base.err"; then
    echo "FAIL $name: stderr differs from $base.err"
    diff "$base.err" "$err" | head -5
else
    echo "PASS $name"
fi
