#!/bin/sh
# readme.sh: the worked pipe in README.md is a test: each "$ command" line
# runs (in a scratch folder, bin/stance being the program under test) and
# must print exactly the lines shown under it; shown lines holding "…" are
# elided output and only counted.
. tests/lib.sh
set -u
command -v jq > /dev/null || { pass "readme: worked pipe (skipped: no jq)"; exit 0; }
dir=$TMPDIR/readme
mkdir -p "$dir"
awk '/^### A worked pipe/{f=1} f && /^```sh/{b=1; next} b && /^```/{exit} b' README.md > "$dir/block"
n=0
run_case() {
    [ -n "$cmd" ] || return 0
    n=$((n + 1))
    (cd "$dir" && PATH="$(dirname "$STANCE"):$PATH" sh -c "$(printf '%s\n' "$cmd" | sed 's|bin/stance|stance|g')") \
        > "$dir/got" 2> "$dir/err"
    if [ "$(wc -l < "$dir/got")" != "$(wc -l < "$dir/want")" ]; then
        fail "readme: \$ $cmd" "printed $(wc -l < "$dir/got") lines, README shows $(wc -l < "$dir/want")"
        return
    fi
    if paste -d '\n' "$dir/want" "$dir/got" | awk 'NR % 2 == 1 { w = $0; next }
            index(w, "…") == 0 && w != $0 { bad = 1 } END { exit bad }'; then
        pass "readme: \$ $(printf '%s' "$cmd" | head -c 60)"
    else
        fail "readme: \$ $cmd" "output differs from README.md"
    fi
}
cmd=
: > "$dir/want"
while IFS= read -r line; do
    case $line in
    '$ '*)
        run_case
        cmd=${line#\$ }
        cmd=${cmd%%#*}
        : > "$dir/want" ;;
    *) printf '%s\n' "$line" >> "$dir/want" ;;
    esac
done < "$dir/block"
run_case
[ "$n" -gt 0 ] || fail "readme: worked pipe" "no commands found in README.md"
