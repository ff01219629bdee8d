#!/bin/sh
# errors.sh: bad input gets a clear error and nothing is lost (issue 5),
# for every command that reads it: article text (tokenize, label) and JSON
# lines (tokenize, ngrams, classify, label, train, eval). A bad record
# stops the command with status 1 and one line on stderr,
# "stance CMD: FILE:LINE: what is wrong", after every good record before it
# reached stdout whole; --skip-invalid reports each bad line, goes on,
# counts them at the end and exits 3. Output, models and training data:
# errors-output.sh and errors-models.sh.
. tests/lib.sh
set -u
E=$TMPDIR/errors
mkdir -p "$E"
cd "$E" || exit 1
CORPUS=$ROOT/fixtures/corpus

# A small model with the default n-grams (so `stance ngrams` output fits).
head -n 120 "$CORPUS/train.jsonl" > train120.jsonl
$STANCE train -q -f stance -o m train120.jsonl 2> train.err ||
    fail "errors: training the test model" "$(cat train.err)"

# check_stop NAME STATUS MESSAGE NGOOD COMMAND...: COMMAND exits with
# STATUS, its stderr is one line holding MESSAGE, and its stdout is NGOOD
# whole records (lines from { to } with a final newline).
check_stop() {
    name=$1 want=$2 msg=$3 ngood=$4
    shift 4
    "$@" > out 2> err
    got=$? why=
    [ "$got" = "$want" ] || why="exit status $got, expected $want;"
    [ "$(wc -l < err)" -eq 1 ] || why="$why stderr has $(wc -l < err) lines;"
    grep -qF -- "$msg" err || why="$why stderr lacks '$msg';"
    [ "$(wc -l < out)" -eq "$ngood" ] || why="$why $(wc -l < out) records out, expected $ngood;"
    if [ -s out ]; then
        [ "$(tail -c 1 out | od -An -tx1 | tr -d ' ')" = 0a ] || why="$why partial last record;"
        ! grep -qv '^{.*}$' out || why="$why a line is not a whole record;"
    fi
    if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why $(head -c 300 err)"; fi
}

# check_ok NAME NREC COMMAND...: status 0, nothing on stderr, NREC lines.
check_ok() {
    name=$1 nrec=$2
    shift 2
    "$@" > out 2> err
    got=$? why=
    [ "$got" = 0 ] || why="exit status $got;"
    [ ! -s err ] || why="$why stderr not empty;"
    [ "$(wc -l < out)" -eq "$nrec" ] || why="$why $(wc -l < out) records out, expected $nrec;"
    if [ -z "$why" ]; then pass "$name"; else fail "$name" "$why $(head -c 300 err)"; fi
}

# ---- JSON lines: the same bad line for every command ----------------------
G='{"id":1,"text":"The sheriff said deputies will not honor ICE detainers.","stance":"local-control","pred":{"stance":{"label":"neutral"}}}'
printf '{"text": "x",}\n' > bad-malformed
printf '[1, 2]\n' > bad-array
printf '"just a string"\n' > bad-string
printf '42\n' > bad-number
printf '{"text":"a","stance":"neutral","text":"b"}\n' > bad-duplicate
awk 'BEGIN { printf "{\"text\":\"x\",\"deep\":"; for (i = 0; i < 10000; i++) printf "["
             for (i = 0; i < 10000; i++) printf "]"; print "}" }' > bad-deep
printf '{"text":"a\\u0000b","stance":"neutral"}\n' > bad-nul-escape
printf '{"text":"a \\ud800 b","stance":"neutral"}\n' > bad-high-surrogate
printf '{"text":"a \\udc00 b","stance":"neutral"}\n' > bad-low-surrogate
printf '{"text":"caf\351","stance":"neutral"}\n' > bad-latin1
printf '{"text":"a\000b","stance":"neutral"}\n' > bad-nul-byte
printf '{"text":"a","stance":"neutral"} {"text":"b"}\n' > bad-two-values

# every_command KIND MESSAGE: the bad line of file bad-KIND as line 2
# (summarize prints a document's summary when the document ends, so the
# bad line leaves nothing of the unfinished document on stdout)
every_command() {
    kind=$1 emsg=$2
    for cmd in tokenize ngrams classify label train eval summarize; do
        case $cmd in
        classify|label) set -- $cmd -m m ;;
        train) set -- train -q -f stance -o m-$kind ;;
        eval) set -- eval -f stance ;;
        *) set -- $cmd ;;
        esac
        n=1
        case $cmd in train|eval|summarize) n=0 ;; esac
        { echo "$G"; cat "bad-$kind"; echo "$G"; } > "$kind.jsonl"
        check_stop "errors: $cmd stops at $kind JSON" 1 \
            "stance $cmd: $kind.jsonl:2: $emsg" $n $STANCE "$@" "$kind.jsonl"
    done
    [ ! -e "m-$kind" ] || fail "errors: train on $kind JSON writes no model" "m-$kind exists"
}
every_command malformed "invalid JSON at byte"
every_command array "JSON value is not an object"
every_command string "JSON value is not an object"
every_command number "JSON value is not an object"
every_command duplicate 'duplicate key "text"'
every_command deep "nested deeper than 512 levels"
every_command nul-escape 'string holds a \u0000 escape (NUL)'
every_command high-surrogate 'lone surrogate escape \ud800'
every_command low-surrogate 'lone surrogate escape \udc00'
every_command latin1 "invalid UTF-8"
every_command nul-byte "NUL byte in line"
every_command two-values "invalid JSON: extra text at byte"

# ---- JSON lines: fields ---------------------------------------------------
{ echo "$G"; echo '{"id":2,"text":5,"stance":"neutral"}'; } > text-number.jsonl
for cmd in tokenize ngrams classify label train; do
    case $cmd in
    classify|label) set -- $cmd -m m ;;
    train) set -- train -q -f stance -o m-text-number ;;
    *) set -- $cmd ;;
    esac
    n=1
    [ $cmd = train ] && n=0
    check_stop "errors: $cmd: 'text' that is not a string" 1 \
        "stance $cmd: text-number.jsonl:2: field 'text' is not a string" $n $STANCE "$@" text-number.jsonl
done
{ echo "$G"; echo '{"id":2,"stance":"neutral","pred":{"stance":{"label":"neutral"}}}'; } > no-text.jsonl
check_stop "errors: tokenize: missing field" 1 "stance tokenize: no-text.jsonl:2: missing field 'text'" 1 \
    $STANCE tokenize no-text.jsonl
check_stop "errors: label: missing field" 1 \
    "stance label: no-text.jsonl:2: record has none of 'ngrams', 'tokens', 'text'" 1 $STANCE label -m m no-text.jsonl
check_stop "errors: ngrams: missing field" 1 \
    "stance ngrams: no-text.jsonl:2: record has neither 'tokens' nor 'text'" 1 $STANCE ngrams no-text.jsonl
check_stop "errors: classify: missing field" 1 \
    "stance classify: no-text.jsonl:2: record has none of 'ngrams', 'tokens', 'text'" 1 \
    $STANCE classify -m m no-text.jsonl
check_stop "errors: train: missing field" 1 \
    "stance train: no-text.jsonl:2: record has neither 'tokens' nor 'text'" 0 \
    $STANCE train -q -f stance -o m-no-text no-text.jsonl
{ echo "$G"; echo '{"id":2,"text":"x"}'; } > no-label.jsonl
check_stop "errors: train: missing label" 1 "stance train: no-label.jsonl:2: missing label field 'stance'" 0 \
    $STANCE train -q -f stance -o m-no-label no-label.jsonl
check_stop "errors: eval: missing gold label" 1 "stance eval: no-label.jsonl:2: missing label field 'stance'" 0 \
    $STANCE eval -f stance no-label.jsonl
{ echo "$G"; echo '{"id":2,"text":"x","stance":"neutral"}'; } > no-pred.jsonl
check_stop "errors: eval: missing prediction" 1 "stance eval: no-pred.jsonl:2: no prediction 'pred.stance.label'" 0 \
    $STANCE eval -f stance no-pred.jsonl
{ echo "$G"; echo '{"id":2,"tokens":"a b"}'; } > tokens-string.jsonl
check_stop "errors: ngrams: 'tokens' that is not an array" 1 \
    "stance ngrams: tokens-string.jsonl:2: field 'tokens' is not an array" 1 $STANCE ngrams tokens-string.jsonl
{ echo "$G"; echo '{"id":2,"tokens":["a","b c"]}'; } > tokens-space.jsonl
check_stop "errors: classify: a token with white space" 1 \
    "stance classify: tokens-space.jsonl:2: token 2 is empty or holds white space" 1 \
    $STANCE classify -m m tokens-space.jsonl
{ echo "$G"; echo '{"id":2,"ngram_config":"w1-3 c2-5","ngrams":{"w:a":1e999}}'; } > count-huge.jsonl
check_stop "errors: classify: an n-gram count of 1e999" 1 \
    "stance classify: count-huge.jsonl:2: n-gram 'w:a' has a count that is not a whole number >= 1" 1 \
    $STANCE classify -m m count-huge.jsonl

# huge numbers in fields stance does not read pass through byte for byte
echo '{"id":1e999,"n":123456789012345678901234567890,"x":-1.5E-400,"text":"a b"}' > huge.jsonl
for cmd in tokenize ngrams classify label; do
    case $cmd in classify|label) set -- $cmd -m m ;; *) set -- $cmd ;; esac
    check_ok "errors: $cmd: huge numbers pass through" 1 $STANCE "$@" huge.jsonl
    grep -qF '{"id":1e999,"n":123456789012345678901234567890,"x":-1.5E-400,"text":"a b",' out ||
        fail "errors: $cmd keeps huge numbers unchanged" "$(head -c 200 out)"
done

# blank lines are skipped but counted; a last line without a newline counts
printf '\n  \n%s\n\t\n\r\n%s' "$G" "$G" > blanks.jsonl
for cmd in tokenize ngrams classify label; do
    case $cmd in classify|label) set -- $cmd -m m ;; *) set -- $cmd ;; esac
    check_ok "errors: $cmd: blank lines, no final newline" 2 $STANCE "$@" blanks.jsonl
    [ "$(tail -c 1 out | od -An -tx1 | tr -d ' ')" = 0a ] ||
        fail "errors: $cmd ends its last record with a newline" "no final newline"
done
$STANCE eval -f stance blanks.jsonl > out 2> err && grep -q '^records   2$' out && [ ! -s err ] &&
    pass "errors: eval: blank lines, no final newline" ||
    fail "errors: eval: blank lines, no final newline" "$(head -c 300 err)"
printf '\n\n%s\n\n{"id":2,"text":7}\n' "$G" > late.jsonl
check_stop "errors: blank lines count in line numbers" 1 "stance tokenize: late.jsonl:5: field 'text' is not a string" 1 \
    $STANCE tokenize late.jsonl
{ printf '\n\n%s\n\n{"id":2,"text":7}\n' "$G"; } | check_stop "errors: line numbers on stdin" 1 \
    "stance tokenize: <stdin>:5: field 'text' is not a string" 1 $STANCE tokenize
check_stop "errors: line numbers restart in each file" 1 "stance ngrams: late.jsonl:5:" 3 \
    $STANCE ngrams blanks.jsonl late.jsonl

# a line of NUL bytes is not a blank line, and NUL bytes before the first
# '{' make a binary file, not JSON lines with the NULs dropped
printf '%s\n\000\000\n%s\n' "$G" "$G" > nul-line.jsonl
check_stop "errors: a line of NUL bytes is an error, not blank" 1 \
    "stance tokenize: nul-line.jsonl:2: NUL byte in line" 1 $STANCE tokenize nul-line.jsonl
printf '\000\000%s\n' "$G" > nul-start
check_stop "errors: NUL bytes before the first record: binary" 1 \
    "stance tokenize: nul-start:1: NUL byte (binary file?)" 0 $STANCE tokenize nul-start
check_stop "errors: NUL bytes before the first record on stdin" 1 \
    "stance label: <stdin>:1: NUL byte (binary file?)" 0 $STANCE label -m m < nul-start

# a UTF-8 BOM and CRLF line ends, as Windows editors write JSON lines
printf '\357\273\277%s\r\n%s\r\n' "$G" "$G" > windows.jsonl
for cmd in tokenize ngrams classify label; do
    case $cmd in classify|label) set -- $cmd -m m ;; *) set -- $cmd ;; esac
    check_ok "errors: $cmd: BOM and CRLF in JSON lines" 2 $STANCE "$@" windows.jsonl
    ! grep -q "$(printf '\r')" out || fail "errors: $cmd drops the CR of CRLF" "CR in output"
done
$STANCE tokenize < windows.jsonl > stdin.out 2>&1 && $STANCE tokenize windows.jsonl > file.out &&
    expect_same "errors: a BOM is skipped on stdin as in a file" stdin.out file.out
printf '%s\r%s\r' "$G" "$G" > mac.jsonl
check_stop "errors: lone CR line ends get a clear message" 1 \
    "stance tokenize: mac.jsonl:1: invalid JSON: a lone carriage return at byte" 0 $STANCE tokenize mac.jsonl

# ---- JSON lines: --skip-invalid ---------------------------------------------
{
    echo "$G"; cat bad-malformed; echo "$G"; echo; cat bad-deep; echo "$G"
    cat bad-latin1; cat bad-nul-byte; echo "$G"
} > mixed.jsonl
for cmd in tokenize ngrams classify label train eval; do
    case $cmd in
    classify|label) set -- $cmd -m m ;;
    train) set -- train -q -f stance -o m-mixed ;;
    eval) set -- eval -f stance ;;
    *) set -- $cmd ;;
    esac
    n=4
    case $cmd in train|eval) n=0 ;; esac
    if [ $cmd = train ]; then
        cat mixed.jsonl train120.jsonl > mixed-train.jsonl
        input=mixed-train.jsonl
    else
        input=mixed.jsonl
    fi
    $STANCE "$@" --skip-invalid $input > out 2> err
    got=$? why=
    [ "$got" = 3 ] || why="exit status $got, expected 3;"
    for l in 2 5 7 8; do
        grep -q "^stance $cmd: warning: $input:$l: .* (skipped)\$" err || why="$why line $l not reported;"
    done
    [ "$(tail -n 1 err)" = "stance $cmd: warning: 4 invalid records skipped" ] || why="$why no count at the end;"
    [ "$(wc -l < err)" -eq 5 ] || why="$why $(wc -l < err) lines on stderr;"
    [ $cmd = eval ] || [ "$(wc -l < out)" -eq $n ] || why="$why $(wc -l < out) records out;"
    if [ -z "$why" ]; then pass "errors: $cmd --skip-invalid"; else fail "errors: $cmd --skip-invalid" "$why $(head -c 300 err)"; fi
done
[ -f m-mixed/svm.model ] && pass "errors: train --skip-invalid writes the model" ||
    fail "errors: train --skip-invalid writes the model" "no m-mixed/svm.model"
grep -q '^records   4$' out && pass "errors: eval --skip-invalid scores the good records" ||
    fail "errors: eval --skip-invalid scores the good records" "$(head -3 out)"

# a large input with bad lines: every record comes out, in order, and the
# counts add up (every 10th line is broken, in one of five ways)
awk -v bad="$E/bad-" 'BEGIN { split("malformed deep latin1 nul-byte array", kinds, " ") }
    { n++ }
    n % 10 == 3 { k = kinds[int(n / 10) % 5 + 1]; f = bad k; getline line < f; close(f)
                  print line; next }
    { sub(/^\{/, "{\"seq\":" n ","); print }' \
    "$CORPUS/train.jsonl" "$CORPUS/test.jsonl" "$CORPUS/train.jsonl" "$CORPUS/test.jsonl" > large.jsonl
total=$(wc -l < large.jsonl)
grep -ao '^{"seq":[0-9]*' large.jsonl | cut -d: -f2 > want-seq
for cmd in tokenize ngrams classify label; do
    case $cmd in classify|label) set -- $cmd -m m ;; *) set -- $cmd ;; esac
    $STANCE "$@" --skip-invalid large.jsonl > out 2> err
    got=$?
    out_n=$(wc -l < out)
    skipped=$(tail -n 1 err | sed -n 's/.*warning: \([0-9]*\) invalid records skipped$/\1/p')
    reported=$(grep -c '(skipped)$' err)
    grep -ao '^{"seq":[0-9]*' out | cut -d: -f2 > got-seq
    if [ "$got" = 3 ] && [ -n "$skipped" ] && [ $((out_n + skipped)) -eq "$total" ] &&
        [ "$reported" -eq "$skipped" ] && cmp -s want-seq got-seq; then
        pass "errors: $cmd --skip-invalid on $total records: $out_n out + $skipped skipped, in order"
    else
        fail "errors: $cmd --skip-invalid on a large input" \
            "status $got, $out_n out, $skipped skipped ($reported reported) of $total"
    fi
done
check_stop "errors: classify stops at the first bad line of a large input" 1 \
    "stance classify: large.jsonl:3: invalid JSON" 2 $STANCE classify -m m large.jsonl

# ---- article text --------------------------------------------------------
printf 'A good first paragraph.\nOverlong \300\257 slash.\nSurrogate \355\240\200 here.\nAbove U+10FFFF \364\220\200\200 here.\nTruncated \342\202\n' > utf8.txt
for cmd in tokenize label; do
    case $cmd in label) set -- label -m m ;; *) set -- tokenize ;; esac
    $STANCE "$@" utf8.txt > out 2> err
    got=$?
    if [ "$got" = 0 ] && [ "$(wc -l < out)" -eq 5 ] && [ "$(grep -c '�' out)" -eq 4 ] &&
        [ "$(wc -l < err)" -eq 4 ] &&
        grep -qx "stance $cmd: warning: utf8.txt:5: invalid UTF-8 replaced by U+FFFD" err; then
        pass "errors: $cmd: invalid UTF-8 in text becomes U+FFFD, with a warning per line"
    else
        fail "errors: $cmd: invalid UTF-8 in text" "status $got, $(wc -l < out) records: $(head -c 300 err)"
    fi
    check_stop "errors: $cmd --strict stops at invalid UTF-8" 1 "stance $cmd: utf8.txt:2: invalid UTF-8" 1 \
        $STANCE "$@" --strict utf8.txt
    $STANCE "$@" --strict --skip-invalid utf8.txt > out 2> err
    got=$?
    [ "$got" = 3 ] && [ "$(wc -l < out)" -eq 1 ] && [ "$(grep -c '(skipped)$' err)" -eq 4 ] &&
        [ "$(tail -n 1 err)" = "stance $cmd: warning: 4 invalid records skipped" ] &&
        pass "errors: $cmd --strict --skip-invalid skips each bad paragraph only" ||
        fail "errors: $cmd --strict --skip-invalid" "status $got, $(wc -l < out) records: $(head -c 300 err)"
done
# JSON lines must be valid UTF-8 (no --strict needed): see bad-latin1 above

printf 'A good paragraph.\nNUL \000 inside.\nAnother.\n' > nul.txt
cp "$STANCE" stance-binary 2> /dev/null || head -c 4096 /bin/sh > stance-binary
printf 'First file, fine.\n' > fine.txt
for cmd in tokenize label; do
    case $cmd in label) set -- label -m m ;; *) set -- tokenize ;; esac
    check_stop "errors: $cmd refuses a text file with a NUL byte" 1 \
        "stance $cmd: nul.txt:2: NUL byte (binary file?)" 1 $STANCE "$@" fine.txt nul.txt
    $STANCE "$@" --skip-invalid nul.txt fine.txt > out 2> err
    [ $? = 3 ] && [ "$(wc -l < out)" -eq 1 ] &&
        grep -qx "stance $cmd: warning: nul.txt:2: NUL byte (binary file?) (whole file skipped)" err &&
        pass "errors: $cmd --skip-invalid skips a binary file whole" ||
        fail "errors: $cmd --skip-invalid skips a binary file whole" "$(head -c 300 err)"
    check_stop "errors: $cmd refuses a binary file" 1 "stance $cmd: stance-binary:" 0 \
        $STANCE "$@" stance-binary
done

printf '\357\273\277First line.\r\nSecond line.\rThird line.\r\n' > windows.txt
for cmd in tokenize label; do
    case $cmd in label) set -- label -m m ;; *) set -- tokenize ;; esac
    check_ok "errors: $cmd: BOM, CRLF and lone CR in text" 3 $STANCE "$@" windows.txt
    grep -q '^{"doc":"windows.txt","para":1,"start":3,"end":14,"line":1,"text":"First line."' out &&
        grep -q '"para":3,.*"line":3,"text":"Third line."' out &&
        ! grep -q "$(printf '\r')" out &&
        pass "errors: $cmd: offsets skip the BOM, lines split at CR" ||
        fail "errors: $cmd: BOM and CR offsets" "$(head -c 300 out)"
done

: > empty.txt
printf '\n \n\t\n\r\n\n' > blank.txt
: > empty.jsonl
for cmd in tokenize label; do
    case $cmd in label) set -- label -m m ;; *) set -- tokenize ;; esac
    check_ok "errors: $cmd: an empty file gives nothing" 0 $STANCE "$@" empty.txt
    check_ok "errors: $cmd: a file of blank lines gives nothing" 0 $STANCE "$@" blank.txt
    check_ok "errors: $cmd: an empty stdin gives nothing" 0 $STANCE "$@" < /dev/null
done
for cmd in tokenize ngrams classify label; do
    case $cmd in classify|label) set -- $cmd -m m ;; *) set -- $cmd ;; esac
    check_ok "errors: $cmd: an empty JSON-lines file gives nothing" 0 $STANCE "$@" empty.jsonl
done
check_stop "errors: eval: no records" 1 "stance eval: no records to evaluate" 0 $STANCE eval -f stance empty.jsonl

# a directory or a missing file given as input: status 4 (cannot read)
mkdir -p adir
for cmd in tokenize ngrams classify label train eval; do
    case $cmd in
    classify|label) set -- $cmd -m m ;;
    train) set -- train -q -f stance -o m-dir ;;
    eval) set -- eval -f stance ;;
    *) set -- $cmd ;;
    esac
    n=1
    case $cmd in train|eval) n=0 ;; esac
    echo "$G" > one.jsonl
    check_stop "errors: $cmd: a directory as input" 4 "stance $cmd: 'adir': is a directory" $n \
        $STANCE "$@" one.jsonl adir
    check_stop "errors: $cmd: a missing input" 4 \
        "stance $cmd: cannot open 'missing.jsonl': No such file or directory" $n $STANCE "$@" one.jsonl missing.jsonl
    check_stop "errors: $cmd --skip-invalid does not skip a missing input" 4 \
        "stance $cmd: cannot open 'missing.jsonl'" 0 $STANCE "$@" --skip-invalid missing.jsonl
done

# a 50 MB line: one paragraph, tokenized whole
awk 'BEGIN { printf "First.\n"; for (i = 0; i < 800000; i++) printf "Federal agents detained dozens of people on the street today. "
             printf "\nLast.\n" }' > long.txt
check_ok "errors: tokenize: a 50 MB line of text" 3 $STANCE tokenize long.txt
[ "$(sed -n 2p out | tr , '\n' | grep -c '^"detained"$')" -eq 800000 ] &&
    pass "errors: tokenize: the long line's tokens are all there" ||
    fail "errors: tokenize: the long line's tokens" "$(sed -n 2p out | head -c 200)"
awk '{ printf "{\"id\":%d,\"text\":\"%s\"}\n", NR, $0 }' long.txt > long.jsonl
check_ok "errors: tokenize: a 50 MB JSON line" 3 $STANCE tokenize long.jsonl
head -c 5000000 long.txt > long5.txt && echo >> long5.txt
check_ok "errors: label: a 5 MB line of text" 2 $STANCE label -m m long5.txt
rm -f long.txt long.jsonl long5.txt out
