#!/bin/sh
# help.sh: every command in the table answers --help on stdout with status
# 0 and nothing on stderr, and a bad option with a hint on stderr, nothing on
# stdout and status 2 (git's t0012). The list of commands is read from
# `stance --help`, so a new command is checked without touching this file.
. tests/lib.sh
set -u

$STANCE --help > "$TMPDIR/help" 2> "$TMPDIR/help.err"
status=$?
[ "$status" = 0 ] && [ ! -s "$TMPDIR/help.err" ] && grep -q '^usage: stance' "$TMPDIR/help" &&
    pass "help: stance --help" || fail "help: stance --help" "status $status"
# the command table: the indented lines between "commands:" and a blank line
cmds=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\)  .*/\1/p' "$TMPDIR/help")
[ -n "$cmds" ] && pass "help: command table lists $(echo $cmds)" ||
    fail "help: command table" "no commands in 'stance --help'"

for c in $cmds; do
    $STANCE $c --help > "$TMPDIR/out" 2> "$TMPDIR/err"
    status=$?
    if [ "$status" != 0 ]; then
        fail "help: $c --help" "exit status $status"
    elif [ -s "$TMPDIR/err" ]; then
        fail "help: $c --help" "wrote to stderr: $(head -c 200 "$TMPDIR/err")"
    elif ! grep -q "^usage: stance $c" "$TMPDIR/out"; then
        fail "help: $c --help" "no 'usage: stance $c' line: $(head -c 200 "$TMPDIR/out")"
    else
        pass "help: $c --help"
    fi
    $STANCE help $c > "$TMPDIR/out2" 2>&1
    expect_same "help: 'stance help $c' equals '$c --help'" "$TMPDIR/out" "$TMPDIR/out2"
    $STANCE $c --no-such-option < /dev/null > "$TMPDIR/out" 2> "$TMPDIR/err"
    status=$?
    if [ "$status" != 2 ]; then
        fail "help: $c usage error" "exit status $status, expected 2"
    elif [ -s "$TMPDIR/out" ] || [ ! -s "$TMPDIR/err" ]; then
        fail "help: $c usage error" "expected a message on stderr only"
    else
        pass "help: $c usage error"
    fi
    # a full disk must not look like success
    if [ -w /dev/full ]; then
        $STANCE $c --help > /dev/full 2> /dev/null
        status=$?
        [ "$status" = 4 ] && pass "help: $c --help into a full disk" ||
            fail "help: $c --help into a full disk" "exit status $status, expected 4"
    fi
done

$STANCE --version > "$TMPDIR/out" 2> "$TMPDIR/err"
status=$?
version=$(sed -n 's/^#define STANCE_VERSION "\(.*\)"$/\1/p' include/stance.h)
[ "$status" = 0 ] && [ "$(cat "$TMPDIR/out")" = "stance $version" ] &&
    pass "help: --version" || fail "help: --version" "status $status: $(cat "$TMPDIR/out")"

$STANCE foo > "$TMPDIR/out" 2> "$TMPDIR/err"
status=$?
[ "$status" = 2 ] && [ ! -s "$TMPDIR/out" ] &&
    [ "$(cat "$TMPDIR/err")" = "stance: 'foo' is not a stance command; see 'stance --help'" ] &&
    pass "help: unknown command" || fail "help: unknown command" "status $status: $(cat "$TMPDIR/err")"

$STANCE > "$TMPDIR/out" 2> "$TMPDIR/err"
status=$?
[ "$status" = 2 ] && [ ! -s "$TMPDIR/out" ] && grep -q '^usage: stance' "$TMPDIR/err" &&
    pass "help: no command gives usage on stderr" ||
    fail "help: no command gives usage on stderr" "status $status"

# the manual: renders without warnings, has a section for every command of
# the table, and mentions every option of every command's --help
if command -v groff > /dev/null; then
    groff -man -Tutf8 -ww -z man/stance.1 > "$TMPDIR/groff.err" 2>&1
    expect_empty "man: groff -man renders stance.1 without warnings" "$TMPDIR/groff.err"
else
    pass "man: groff renders stance.1 (skipped: no groff)"
fi
if command -v man > /dev/null; then
    MANWIDTH=80 man --warnings -l man/stance.1 > "$TMPDIR/man.out" 2> "$TMPDIR/man.err"
    expect_empty "man: man -l renders stance.1 without warnings" "$TMPDIR/man.err"
    expect_grep "man: man -l shows the page" "^SYNOPSIS" "$TMPDIR/man.out"
fi
for c in $cmds; do
    grep -q "^\.SS \"stance $c[ \"]" man/stance.1 && pass "man: a section for $c" ||
        fail "man: a section for $c" "no '.SS \"stance $c' in man/stance.1"
    $STANCE $c --help | grep '^  *-' | grep -o -- '--[a-z][a-z-]*' | sort -u > "$TMPDIR/opts"
    missing=
    while read -r o; do
        grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" man/stance.1 || missing="$missing $o"
    done < "$TMPDIR/opts"
    [ -z "$missing" ] && pass "man: every option of $c" || fail "man: every option of $c" "missing:$missing"
done
$STANCE help --help > "$TMPDIR/out" 2>&1
expect_same "help: 'stance help --help' is 'stance --help'" "$TMPDIR/help" "$TMPDIR/out"
