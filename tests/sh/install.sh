#!/bin/sh
# install.sh: `make install PREFIX=...` gives a working program that finds
# its default models without -m, a manual page, and a library a C program
# builds against with pkg-config; `make uninstall` leaves nothing behind.
. tests/lib.sh
set -u
P=$TMPDIR/prefix
# a plain build whatever this run's flags: an ASan libstance.a would not
# link into a plain program
inst() { make -s -C "$ROOT" SANITIZE= "$@" > "$TMPDIR/make.log" 2>&1; }
unset STANCE_MODELS

if inst install PREFIX="$P"; then pass "install: make install PREFIX=..."; else
    fail "install: make install PREFIX=..." "$(tail -n 5 "$TMPDIR/make.log")"
    exit 0
fi
version=$(sed -n 's/^#define STANCE_VERSION "\(.*\)"$/\1/p' include/stance.h)
[ "$("$P/bin/stance" --version 2>&1)" = "stance $version" ] && pass "install: installed stance --version" ||
    fail "install: installed stance --version" "$("$P/bin/stance" --version 2>&1)"
for f in share/man/man1/stance.1 include/stance.h lib/libstance.a lib/pkgconfig/stance.pc; do
    [ -f "$P/$f" ] && pass "install: $f" || fail "install: $f" "missing"
done
if command -v man > /dev/null; then
    MANPATH=$P/share/man man -w stance > "$TMPDIR/manpath" 2>&1
    expect_grep "install: man finds stance(1) under PREFIX/share/man" "^$P/share/man/man1/stance.1" "$TMPDIR/manpath"
fi

# the installed program labels with the installed default models, no -m
if [ -f models/stance/manifest.json ] && [ -f models/sentiment/manifest.json ]; then
    (cd "$TMPDIR" && "$P/bin/stance" label "$ROOT/fixtures/golden/lines.txt") > "$TMPDIR/installed.out" 2> "$TMPDIR/err"
    $STANCE label -m models/stance -m models/sentiment "$ROOT/fixtures/golden/lines.txt" > "$TMPDIR/tree.out"
    expect_same "install: label with the installed default models" "$TMPDIR/tree.out" "$TMPDIR/installed.out"
else
    pass "install: label with the installed default models (skipped: no models in models/)"
fi
# the lookup itself, with small models placed where an install puts them
Q=$TMPDIR/prefix2
mkdir -p "$Q/bin" "$Q/share/stance/models"
cp "$P/bin/stance" "$Q/bin/stance"
head -n 150 fixtures/corpus/train.jsonl > "$TMPDIR/small.jsonl"
$STANCE train -q -f stance -o "$Q/share/stance/models/stance" "$TMPDIR/small.jsonl"
$STANCE train -q -f sentiment -o "$Q/share/stance/models/sentiment" "$TMPDIR/small.jsonl"
(cd / && "$Q/bin/stance" label "$ROOT/fixtures/golden/lines.txt") > "$TMPDIR/found.out" 2> "$TMPDIR/err"
$STANCE label -m "$Q/share/stance/models/stance" -m "$Q/share/stance/models/sentiment" \
    "$ROOT/fixtures/golden/lines.txt" > "$TMPDIR/want.out"
expect_same "install: finds PREFIX/share/stance/models beside bin/" "$TMPDIR/want.out" "$TMPDIR/found.out"

# a C program through the public header, built with pkg-config
cat > "$TMPDIR/tok.c" << 'CEOF'
#include <stdio.h>
#include <string.h>
#include <stance.h>

int main(int argc, char **argv)
{
    stance_tokens t;
    memset(&t, 0, sizeof t); /* a zeroed struct is empty, in C and C++ */
    if (argc != 2 || stance_tokenize(argv[1], strlen(argv[1]), 0, &t))
        return 1;
    for (size_t i = 0; i < t.n; i++)
        printf("%.*s\n", (int)t.len[i], t.text.data + t.start[i]);
    stance_tokens_release(&t);
    return 0;
}
CEOF
text='The Sheriff’s “287(g)” deal — ENDED, said Ｍayor Ruiz!'
export PKG_CONFIG_PATH=$P/lib/pkgconfig
if ! command -v pkg-config > /dev/null; then
    pass "install: C program via pkg-config (skipped: no pkg-config)"
elif ! flags=$(pkg-config --cflags --libs stance 2> "$TMPDIR/err"); then
    fail "install: pkg-config knows stance" "$(cat "$TMPDIR/err")"
else
    [ "$(pkg-config --modversion stance)" = "$version" ] && pass "install: pkg-config --modversion" ||
        fail "install: pkg-config --modversion" "$(pkg-config --modversion stance)"
    if ${CC:-cc} -std=c99 -Wall -Wextra -Werror -o "$TMPDIR/tok" "$TMPDIR/tok.c" $flags 2> "$TMPDIR/err"; then
        pass "install: a C program builds against the installed library"
        "$TMPDIR/tok" "$text" > "$TMPDIR/tok.out"
        printf '%s\n' "$text" | $STANCE tokenize --text | jq -r '.tokens[]' > "$TMPDIR/tok.want"
        expect_same "install: the program tokenizes as stance tokenize does" "$TMPDIR/tok.want" "$TMPDIR/tok.out"
    else
        fail "install: a C program builds against the installed library" "$(head -c 300 "$TMPDIR/err")"
    fi
    if command -v c++ > /dev/null; then
        cp "$TMPDIR/tok.c" "$TMPDIR/tok.cc"
        c++ -Wall -Wextra -Werror -o "$TMPDIR/tok-cxx" "$TMPDIR/tok.cc" $flags 2> "$TMPDIR/err" &&
            pass "install: the header works from C++" ||
            fail "install: the header works from C++" "$(head -c 300 "$TMPDIR/err")"
    fi
fi
unset PKG_CONFIG_PATH

if inst uninstall PREFIX="$P"; then pass "install: make uninstall"; else
    fail "install: make uninstall" "$(tail -n 5 "$TMPDIR/make.log")"
fi
find "$P" -type f -o -type l > "$TMPDIR/left"
expect_empty "install: uninstall leaves no file" "$TMPDIR/left"
[ ! -e "$P/share/stance" ] && pass "install: uninstall removes share/stance" ||
    fail "install: uninstall removes share/stance" "still there"

# DESTDIR stages a package for PREFIX
D=$TMPDIR/stage
inst install DESTDIR="$D" PREFIX=/opt/stance
[ -x "$D/opt/stance/bin/stance" ] && grep -q '^prefix=/opt/stance$' "$D/opt/stance/lib/pkgconfig/stance.pc" &&
    pass "install: DESTDIR stages under DESTDIR/PREFIX" || fail "install: DESTDIR stages under DESTDIR/PREFIX" "$(ls -R "$D" | head -c 300)"
inst uninstall DESTDIR="$D" PREFIX=/opt/stance
find "$D" -type f -o -type l > "$TMPDIR/left"
expect_empty "install: uninstall with DESTDIR leaves no file" "$TMPDIR/left"
