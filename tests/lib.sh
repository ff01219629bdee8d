# tests/lib.sh: helpers for the shell tests, sourced by tests/sh/*.sh.
# Each check prints "PASS name" or "FAIL name: why" for tests/run.sh.

pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; }

# expect_status NAME STATUS COMMAND...: the command exits with STATUS.
expect_status() {
    name=$1 want=$2
    shift 2
    "$@" > "$TMPDIR/out" 2> "$TMPDIR/err"
    got=$?
    if [ "$got" = "$want" ]; then pass "$name"; else
        fail "$name" "exit status $got, expected $want ($(head -c 200 "$TMPDIR/err"))"
    fi
}

# expect_same NAME FILE1 FILE2: the two files are byte-identical.
expect_same() {
    if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$2 and $3 differ"; fi
}

# expect_grep NAME PATTERN FILE: FILE has a line matching PATTERN.
expect_grep() {
    if grep -q -- "$2" "$3"; then pass "$1"; else
        fail "$1" "no line matching '$2' in $(basename "$3"): $(head -c 200 "$3")"
    fi
}

# expect_empty NAME FILE
expect_empty() {
    if [ ! -s "$2" ]; then pass "$1"; else fail "$1" "not empty: $(head -c 200 "$2")"; fi
}
