#!/bin/sh
# tests/run.sh: runs every test and ends with "N passed, N failed".
# Each test prints "PASS name" or "FAIL name: why" lines; this counts them.
# Usage: tests/run.sh STANCE_BINARY UNIT_BINARY
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STANCE=${1:-$ROOT/bin/stance}
UNIT=${2:-$ROOT/build/unit}
case $STANCE in /*) ;; *) STANCE=$ROOT/$STANCE ;; esac
case $UNIT in /*) ;; *) UNIT=$ROOT/$UNIT ;; esac
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/stance-test.XXXXXX")
trap 'rm -rf "$TMPDIR"' EXIT INT TERM
# the shipped models, wherever the program under test was built
STANCE_MODELS=${STANCE_MODELS:-$ROOT/models}
export ROOT STANCE UNIT TMPDIR STANCE_MODELS
LOG=$TMPDIR/results

cd "$ROOT" || exit 1
{
    "$UNIT" || echo "FAIL unit tests exited with status $?"
    for cmd in tests/golden/*.cmd; do
        sh tests/golden.sh "$cmd"
    done
    for t in tests/sh/*.sh; do
        sh "$t" || echo "FAIL $t exited with status $?"
    done
} > "$LOG" 2>&1

grep -v '^PASS ' "$LOG"
passed=$(grep -c '^PASS ' "$LOG")
failed=$(grep -c '^FAIL ' "$LOG")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
