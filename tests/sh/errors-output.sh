#!/bin/sh
# errors-output.sh: where output goes wrong (issue 5). A reader that stops
# early (`| head -1`) ends stance quietly; a full disk is an error with
# status 4, reported once; `train` never leaves a half-written model: an
# unwritable place fails at once with status 4, and a failed run leaves the
# model that was there untouched.
. tests/lib.sh
set -u
E=$TMPDIR/errors-output
mkdir -p "$E"
cd "$E" || exit 1
CORPUS=$ROOT/fixtures/corpus

head -n 120 "$CORPUS/train.jsonl" > train120.jsonl
$STANCE train -q -f stance -o m train120.jsonl 2> train.err ||
    fail "errors-output: training the test model" "$(cat train.err)"
# about 2 MB, well past a pipe's buffer
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$CORPUS/test.jsonl"; done > big.jsonl
$STANCE classify -m m big.jsonl > predicted.jsonl

# ---- stdout closed early -------------------------------------------------
# the status of the command before `| head -1`, in a POSIX shell
head_one() {
    { "$@" 2> err; echo $? > status; } | head -n 1 > first
}
for cmd in tokenize ngrams classify label eval; do
    case $cmd in
    classify|label) set -- $cmd -m m big.jsonl ;;
    eval) set -- eval -f stance predicted.jsonl ;;
    *) set -- $cmd big.jsonl ;;
    esac
    head_one $STANCE "$@"
    st=$(cat status)
    if { [ "$st" = 0 ] || [ "$st" = 141 ]; } && [ ! -s err ] && [ -s first ]; then
        pass "errors-output: $cmd | head -1 ends quietly"
    else
        fail "errors-output: $cmd | head -1 ends quietly" "status $st: $(head -c 200 err)"
    fi
done
head_one $STANCE label -m m "$ROOT"/fixtures/articles/*.txt
[ ! -s err ] && pass "errors-output: label on articles | head -1 ends quietly" ||
    fail "errors-output: label on articles | head -1 ends quietly" "$(head -c 200 err)"
# even when the caller ignores SIGPIPE (as some daemons and Python do)
(trap '' PIPE; head_one $STANCE label -m m big.jsonl)
[ ! -s err ] && pass "errors-output: label | head -1 quiet with SIGPIPE ignored" ||
    fail "errors-output: label | head -1 quiet with SIGPIPE ignored" "$(head -c 200 err)"

# ---- a full disk ---------------------------------------------------------
if [ -w /dev/full ]; then
    for cmd in tokenize ngrams classify label eval eval-json help version; do
        case $cmd in
        classify|label) set -- $cmd -m m big.jsonl ;;
        eval) set -- eval -f stance predicted.jsonl ;;
        eval-json) set -- eval --json -f stance predicted.jsonl ;;
        help) set -- tokenize --help ;;
        version) set -- --version ;;
        *) set -- $cmd big.jsonl ;;
        esac
        $STANCE "$@" > /dev/full 2> err
        st=$?
        if [ "$st" = 4 ] && [ "$(wc -l < err)" -eq 1 ] &&
            grep -q "cannot write output: No space left on device" err; then
            pass "errors-output: $cmd into a full disk: status 4, one message"
        else
            fail "errors-output: $cmd into a full disk" "status $st: $(head -c 300 err)"
        fi
    done
    # a small output fits the buffer and fails only at the final flush
    echo '{"text":"one"}' | $STANCE tokenize > /dev/full 2> err
    [ $? = 4 ] && grep -q "cannot write output" err &&
        pass "errors-output: one small record into a full disk" ||
        fail "errors-output: one small record into a full disk" "$(head -c 200 err)"
    $STANCE train -q -f stance --cv 2 -j 1 -o m-cv train120.jsonl > /dev/full 2> err
    [ $? = 4 ] && grep -q "cannot write output" err &&
        pass "errors-output: train --cv with its report into a full disk" ||
        fail "errors-output: train --cv with its report into a full disk" "$(head -c 200 err)"
else
    pass "errors-output: full disk (skipped: no /dev/full)"
fi

# ---- an unwritable model path ---------------------------------------------
no_leftovers() {
    if ls -a "$1" | grep -q '\.tmp\.'; then
        fail "errors-output: $2 leaves no temporary directory" "$(ls -a "$1" | grep '\.tmp\.')"
    else
        pass "errors-output: $2 leaves no temporary directory"
    fi
}
echo "not a directory" > afile
$STANCE train -q -f stance -o afile/model train120.jsonl > out 2> err
[ $? = 4 ] && grep -q "^stance train: cannot create a directory beside 'afile/model': Not a directory$" err &&
    pass "errors-output: train -o below a file: status 4" ||
    fail "errors-output: train -o below a file" "$(head -c 200 err)"
$STANCE train -q -f stance -o no/such/dir/model train120.jsonl > out 2> err
[ $? = 4 ] && grep -q "cannot create a directory beside 'no/such/dir/model': No such file or directory" err &&
    pass "errors-output: train -o in a missing directory: status 4" ||
    fail "errors-output: train -o in a missing directory" "$(head -c 200 err)"
mkdir -p data && echo keep > data/notes.txt
$STANCE train -q -f stance -o data train120.jsonl > out 2> err
[ $? = 4 ] && grep -q "'data' exists and is not a stance model directory; not replacing it" err &&
    [ "$(cat data/notes.txt)" = keep ] &&
    pass "errors-output: train -o onto a directory that is not a model: refused" ||
    fail "errors-output: train -o onto a directory that is not a model" "$(head -c 200 err)"
$STANCE train -q -f stance -o afile train120.jsonl > out 2> err
[ $? = 4 ] && grep -q "'afile' exists and is not a stance model directory" err &&
    [ "$(cat afile)" = "not a directory" ] &&
    pass "errors-output: train -o onto a file: refused" ||
    fail "errors-output: train -o onto a file: refused" "$(head -c 200 err)"
no_leftovers . "train onto an unwritable place"
# read-only even for root: /proc
$STANCE train -q -f stance -o /proc/stance-test-model train120.jsonl > out 2> err
[ $? = 4 ] && grep -q "^stance train: cannot create a directory beside '/proc/stance-test-model'" err &&
    pass "errors-output: train -o on a read-only file system: status 4" ||
    fail "errors-output: train -o on a read-only file system" "$(head -c 200 err)"
if [ "$(id -u)" != 0 ]; then
    mkdir -p ro && chmod 555 ro
    $STANCE train -q -f stance -o ro/model train120.jsonl > out 2> err
    [ $? = 4 ] && grep -q "Permission denied" err &&
        pass "errors-output: train -o in a read-only directory: status 4" ||
        fail "errors-output: train -o in a read-only directory" "$(head -c 200 err)"
    chmod 755 ro
else
    pass "errors-output: train -o in a read-only directory (skipped: root writes anywhere)"
fi

# a failed run leaves the model that was there, byte for byte
cp -r m m-before
grep '"stance": "neutral"' train120.jsonl > one-label.jsonl
$STANCE train -q -f stance -o m one-label.jsonl > out 2> err
st=$?
if [ "$st" = 1 ] && diff -r m m-before > /dev/null; then
    pass "errors-output: a failed train leaves the old model untouched"
else
    fail "errors-output: a failed train leaves the old model untouched" "status $st: $(head -c 200 err)"
fi
printf '%s\n{"text":"x","stance":7}\n' "$(head -n 1 train120.jsonl)" > bad-label.jsonl
$STANCE train -q -f stance -o m bad-label.jsonl > out 2> err
[ $? = 1 ] && diff -r m m-before > /dev/null &&
    pass "errors-output: a bad record leaves the old model untouched" ||
    fail "errors-output: a bad record leaves the old model untouched" "$(head -c 200 err)"
no_leftovers . "a failed train"
# a good run replaces it whole
head -n 100 "$CORPUS/test.jsonl" > other.jsonl
$STANCE train -q -f stance -o m other.jsonl 2> err && ! diff -q m/vocab.tsv m-before/vocab.tsv > /dev/null &&
    $STANCE classify -m m big.jsonl > /dev/null 2>&1 &&
    pass "errors-output: train replaces a model whole" ||
    fail "errors-output: train replaces a model whole" "$(head -c 200 err)"
no_leftovers . "replacing a model"
