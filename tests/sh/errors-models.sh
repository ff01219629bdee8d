#!/bin/sh
# errors-models.sh: model directories and training data that are wrong
# (issue 5). A missing, truncated, corrupted or foreign model stops
# classify and label before any output with status 1 and one line naming
# the model file; records whose n-grams the model cannot use stop at their
# line; training data without two usable labels stops train with status 1
# and no model written. Several processes may read one model, also while
# train replaces it.
. tests/lib.sh
set -u
E=$TMPDIR/errors-models
mkdir -p "$E"
cd "$E" || exit 1
CORPUS=$ROOT/fixtures/corpus

head -n 120 "$CORPUS/train.jsonl" > train120.jsonl
$STANCE train -q -f stance -w 1-2 -c 2-3 -o m train120.jsonl 2> train.err ||
    fail "errors-models: training the test model" "$(cat train.err)"
head -n 20 "$CORPUS/test.jsonl" > in.jsonl
printf 'A paragraph of article text.\n' > in.txt

# bad_model NAME MESSAGE: classify and label with model directory b refuse
# it: status 1, one line "stance CMD: ..." on stderr holding MESSAGE, nothing
# on stdout; also with --skip-invalid, which skips records, never models;
# and so does `stance model show`.
bad_model() {
    for cmd in classify label model; do
        for skip in "" --skip-invalid; do
            input=in.jsonl
            [ $cmd = label ] && input=in.txt
            if [ $cmd = model ]; then
                [ -z "$skip" ] || continue
                $STANCE model show b > out 2> err
            else
                $STANCE $cmd $skip -m b $input > out 2> err
            fi
            st=$?
            if [ "$st" = 1 ] && [ ! -s out ] && [ "$(wc -l < err)" -eq 1 ] &&
                grep -q "^stance $cmd: " err && grep -qF -- "$2" err; then
                pass "errors-models: $cmd $skip refuses $1"
            else
                fail "errors-models: $cmd $skip refuses $1" "status $st: $(head -c 300 err)"
            fi
        done
    done
}
fresh() { rm -rf b && cp -r m b; }

rm -rf b
bad_model "a missing model directory" "cannot read model directory 'b': No such file or directory"
mkdir b
bad_model "an empty model directory" "cannot read model file 'b/manifest.json': No such file or directory"
fresh; rm b/vocab.tsv
bad_model "a model without vocab.tsv" "cannot read model file 'b/vocab.tsv': No such file or directory"
fresh; rm b/svm.model && mkdir b/svm.model
bad_model "svm.model that is a directory" "cannot read model file 'b/svm.model': Is a directory"
fresh; : > b/manifest.json
bad_model "an empty manifest" "'b/manifest.json' is not valid JSON"
fresh; head -c 200 m/manifest.json > b/manifest.json
bad_model "a truncated manifest" "'b/manifest.json' is not valid JSON"
fresh; head -c $(($(wc -c < m/svm.model) / 2)) m/svm.model > b/svm.model
bad_model "a truncated svm.model" "'b/svm.model': line"
fresh; head -n 12 m/svm.model > b/svm.model
bad_model "svm.model cut after its first support vectors" \
    "'b/svm.model': line 10: is truncated: fewer support vectors than total_sv"
fresh; { head -n 100 m/vocab.tsv; sed -n 101p m/vocab.tsv | cut -f 1-2 | tr -d '\n'; } > b/vocab.tsv
bad_model "a vocab.tsv cut mid-line" "'b/vocab.tsv' is truncated (no newline at the end)"
fresh; head -n 100 m/vocab.tsv > b/vocab.tsv
bad_model "a vocab.tsv cut at a line end" "'b/vocab.tsv' has 100 entries but the manifest says"
fresh; sed '12s/:0\./:x./' m/svm.model > b/svm.model
bad_model "a garbled support vector" "'b/svm.model': line 12: invalid feature value"
fresh; sed '3s/\t/ /' m/vocab.tsv > b/vocab.tsv
bad_model "a garbled vocabulary line" "'b/vocab.tsv' line 3 is malformed"
# the first and the last entry (a character and a word n-gram) swapped
fresh; awk -F'\t' -v OFS='\t' -v n="$(wc -l < m/vocab.tsv)" \
    -v first="$(head -n 1 m/vocab.tsv | cut -f 2-)" -v last="$(tail -n 1 m/vocab.tsv | cut -f 2-)" \
    'NR == 1 { print $1, last; next } NR == n { print $1, first; next } { print }' m/vocab.tsv > b/vocab.tsv
bad_model "a vocab.tsv with a character n-gram after word n-grams" \
    "'b/vocab.tsv' line 2: a character n-gram after word n-grams"
fresh; { head -c 3000 m/svm.model; printf '\000'; tail -c +3002 m/svm.model; } > b/svm.model
bad_model "a NUL byte in svm.model" "'b/svm.model' holds a NUL byte; not a model file"
fresh; head -c 4096 "$STANCE" > b/vocab.tsv 2> /dev/null || head -c 4096 /bin/sh > b/vocab.tsv
bad_model "a binary vocab.tsv" "'b/vocab.tsv'"
fresh; sed 's/"version":.*1,/"version":\t2,/' m/manifest.json > b/manifest.json
bad_model "a newer model format" "'b' has model format version 2; this stance reads version 1"
fresh; sed 's/"stance-model"/"fasttext-model"/' m/manifest.json > b/manifest.json
bad_model "a foreign manifest" "'b/manifest.json' is not a stance model manifest"
fresh; sed 's/"field":.*/"field":\t"",/' m/manifest.json > b/manifest.json
bad_model "a manifest without a field" "'b/manifest.json': missing or invalid 'field'"
# the manifest disagrees with svm.model or vocab.tsv
fresh; sed 's/"kernel":.*"linear"/"kernel":\t"rbf"/' m/manifest.json > b/manifest.json
bad_model "a manifest saying rbf for a linear svm.model" "'b/svm.model': line 2: kernel disagrees with the manifest"
fresh; sed 's/"labels":.*\[/"labels":\t["extra", /' m/manifest.json > b/manifest.json
bad_model "a manifest with a label too many" "'b/svm.model': line 3: number of classes disagrees with the manifest"
fresh; sed 's/"probability":.*true/"probability":\tfalse/' m/manifest.json > b/manifest.json
bad_model "a manifest denying svm.model's probabilities" \
    "'b/svm.model': line 10: has probA/probB but the manifest says no probabilities"
fresh; grep -v '^prob' m/svm.model > b/svm.model
bad_model "an svm.model without the promised probabilities" "manifest promises probabilities but probA/probB are missing"
fresh; sed 's/"vocab_size":\t\([0-9]*\)/"vocab_size":\t1\1/' m/manifest.json > b/manifest.json
bad_model "a manifest's vocab_size beyond vocab.tsv" "'b/vocab.tsv' has"
fresh; sed 's/"w1-2 c2-3"/"w1 c2-3"/' m/manifest.json > b/manifest.json
bad_model "a manifest's ngram_config narrower than vocab.tsv" \
    "disagrees with the manifest's ngram_config 'w1-1 c2-3'"
fresh; sed 's/^nr_sv \([0-9]*\)/nr_sv 1\1/' m/svm.model > b/svm.model
bad_model "nr_sv that does not add up" "'b/svm.model': line 10: nr_sv does not add up to total_sv"
fresh; sed 's/^label \(.*\) [0-9]*$/label \1 5/' m/svm.model > b/svm.model
bad_model "svm.model labels out of range" "labels are not 0..k-1"
fresh; sed '1s/.*/svm_type nu_svc/' m/svm.model > b/svm.model
bad_model "a nu-SVC model" "'b/svm.model': line 1: is not a C-SVC model"
# a model a second time, and a second model for the same field
$STANCE classify -m m -m m in.jsonl > out 2> err
[ $? = 2 ] && grep -q "both predict field 'stance'" err && [ ! -s out ] &&
    pass "errors-models: two models for one field: usage error" ||
    fail "errors-models: two models for one field" "$(head -c 200 err)"

# ---- records whose n-grams differ from the model's -------------------------
$STANCE tokenize in.jsonl | $STANCE ngrams -w 1 -c 0 > ngrams-w1.jsonl
check() { [ "$1" = "$2" ] && [ "$(wc -l < out)" -eq "$3" ] && grep -qF -- "$4" err; }
$STANCE classify -m m ngrams-w1.jsonl > out 2> err
check $? 1 0 "stance classify: ngrams-w1.jsonl:1: record has n-grams 'w1-1' but model 'stance' needs 'w1-2 c2-3'" &&
    pass "errors-models: classify: records' n-grams differ from the model's" ||
    fail "errors-models: classify: records' n-grams differ from the model's" "$(head -c 300 err)"
{ $STANCE tokenize in.jsonl | $STANCE ngrams -w 1-2 -c 2-3 | head -n 3; sed -n 4p ngrams-w1.jsonl; } > ngrams-mixed.jsonl
$STANCE classify -m m ngrams-mixed.jsonl > out 2> err
check $? 1 3 "stance classify: ngrams-mixed.jsonl:4: record has n-grams 'w1-1'" &&
    pass "errors-models: classify: the records before a mismatch are out" ||
    fail "errors-models: classify: the records before a mismatch are out" "$(head -c 300 err)"
$STANCE classify --skip-invalid -m m ngrams-mixed.jsonl > out 2> err
[ $? = 3 ] && [ "$(wc -l < out)" -eq 3 ] &&
    pass "errors-models: classify --skip-invalid skips mismatched records" ||
    fail "errors-models: classify --skip-invalid skips mismatched records" "$(head -c 300 err)"
sed 's/"ngram_config":"[^"]*"/"ngram_config":"w1 x9"/' ngrams-mixed.jsonl > ngrams-badcfg.jsonl
$STANCE classify -m m ngrams-badcfg.jsonl > out 2> err
check $? 1 0 "stance classify: ngrams-badcfg.jsonl:1: record has 'ngrams' but no valid 'ngram_config'" &&
    pass "errors-models: classify: an unreadable ngram_config" ||
    fail "errors-models: classify: an unreadable ngram_config" "$(head -c 300 err)"

# ---- training data -----------------------------------------------------------
# train_fails NAME STATUS MESSAGE FILE [OPTIONS]: no model is written
train_fails() {
    name=$1 want=$2 msg=$3 file=$4
    shift 4
    rm -rf t
    $STANCE train -q -f stance -o t "$@" "$file" > out 2> err
    st=$?
    if [ "$st" = "$want" ] && [ ! -e t ] && [ "$(wc -l < err)" -eq 1 ] && grep -qF -- "$msg" err &&
        ! ls | grep -q '^t\.tmp\.'; then
        pass "errors-models: train: $name"
    else
        fail "errors-models: train: $name" "status $st: $(head -c 300 err)"
    fi
}
: > empty.jsonl
train_fails "an empty file" 1 "stance train: no training records" empty.jsonl
printf '\n\n  \n' > blank.jsonl
train_fails "a file of blank lines" 1 "stance train: no training records" blank.jsonl
grep '"stance": "neutral"' train120.jsonl > one-label.jsonl
train_fails "only one label" 1 \
    "stance train: only one label ('neutral') in field 'stance'; a classifier needs two or more" one-label.jsonl
{ cat train120.jsonl; echo '{"text":"a lone example","stance":"nuetral"}'; } > typo.jsonl
train_fails "a label with one example" 1 "stance train: label 'nuetral' has 1 example; at least 2 needed" typo.jsonl
head -n 12 train120.jsonl > twelve.jsonl
train_fails "too few examples for --cv 5" 1 "at least 5 needed for the cross-validation folds" twelve.jsonl --cv 5
{ head -n 5 train120.jsonl; echo '{"text":"x","stance":null}'; } > null-label.jsonl
train_fails "a null label" 1 "stance train: null-label.jsonl:6: label field 'stance' is not a string" null-label.jsonl
{ head -n 5 train120.jsonl; echo '{"text":"x","stance":["neutral"]}'; } > array-label.jsonl
train_fails "an array label" 1 "stance train: array-label.jsonl:6: label field 'stance' is not a string" array-label.jsonl
{ head -n 5 train120.jsonl; echo '{"text":"x","stance":""}'; } > empty-label.jsonl
train_fails "an empty label" 1 "stance train: empty-label.jsonl:6: label field 'stance' is empty" empty-label.jsonl
{ head -n 5 train120.jsonl; echo '{"text":"x","sentiment":"neutral"}'; } > missing-label.jsonl
train_fails "a missing label" 1 "stance train: missing-label.jsonl:6: missing label field 'stance'" missing-label.jsonl
awk '{ for (i = 0; i < 2; i++) printf "{\"text\":\"record %d\",\"stance\":\"label-%d\"}\n", NR, NR }' \
    train120.jsonl | head -n 140 > many-labels.jsonl
train_fails "more than 64 labels" 1 "stance train: many-labels.jsonl:129: more than 64 distinct labels" many-labels.jsonl
printf '{"text":"a","stance":1}\n{"text":"b"}\n' > all-bad.jsonl
rm -rf t
$STANCE train -q --skip-invalid -f stance -o t all-bad.jsonl > out 2> err
st=$?
[ "$st" = 1 ] && [ ! -e t ] && [ "$(grep -c '(skipped)$' err)" -eq 2 ] &&
    grep -qx "stance train: warning: 2 invalid records skipped" err &&
    grep -qx "stance train: no training records" err &&
    pass "errors-models: train: every record skipped: no model, the count, status 1" ||
    fail "errors-models: train: every record skipped" "status $st: $(head -c 300 err)"
$STANCE tokenize train120.jsonl | $STANCE ngrams -w 1-2 -c 2-3 > train-ng.jsonl
{ head -n 60 train-ng.jsonl; tail -n 60 train120.jsonl; } > ngrams-then-text.jsonl
train_fails "n-gram records, then raw text" 1 \
    "stance train: ngrams-then-text.jsonl:61: record has no 'ngrams' but earlier records had them" ngrams-then-text.jsonl
{ head -n 60 train120.jsonl; tail -n 60 train-ng.jsonl; } > text-then-ngrams.jsonl
train_fails "raw text, then n-gram records" 1 \
    "stance train: text-then-ngrams.jsonl:61: record has 'ngrams' but earlier records had none" text-then-ngrams.jsonl
train_fails "n-gram records against --word" 1 \
    "stance train: train-ng.jsonl:1: records carry n-grams 'w1-2 c2-3', which --word/--char contradict" \
    train-ng.jsonl -w 1-3
{ head -n 60 train-ng.jsonl; $STANCE ngrams -w 1 -c 2-3 train120.jsonl | tail -n 60; } > two-configs.jsonl
train_fails "n-gram records of two configurations" 1 \
    "stance train: two-configs.jsonl:61: ngram_config differs from earlier records" two-configs.jsonl
# tokens and text may mix: both are tokenized alike
$STANCE tokenize train120.jsonl | head -n 60 > mixed-tokens.jsonl
tail -n 60 train120.jsonl >> mixed-tokens.jsonl
rm -rf t
$STANCE train -q -f stance -w 1-2 -c 2-3 -o t mixed-tokens.jsonl 2> err && [ -f t/svm.model ] &&
    $STANCE train -q -f stance -w 1-2 -c 2-3 -o t2 train120.jsonl 2>> err &&
    cmp -s t/vocab.tsv t2/vocab.tsv &&
    pass "errors-models: train: tokens and text records mix, alike" ||
    fail "errors-models: train: tokens and text records mix" "$(head -c 300 err)"

# ---- several processes, one model ----------------------------------------------
$STANCE classify -m m "$CORPUS/test.jsonl" > ref.jsonl
for i in 1 2 3 4; do
    ($STANCE classify -m m "$CORPUS/test.jsonl" > par$i.jsonl 2> par$i.err; echo $? > par$i.status) &
done
wait
ok=1
for i in 1 2 3 4; do
    [ "$(cat par$i.status)" = 0 ] && [ ! -s par$i.err ] && cmp -s ref.jsonl par$i.jsonl || ok=0
done
[ $ok = 1 ] && pass "errors-models: four classify processes read one model at once" ||
    fail "errors-models: four classify processes read one model at once" "$(cat par*.err | head -c 300)"

# readers while train swaps models under them: every run loads one whole
# model, the old or the new, never a mix and never an error
head -n 40 "$CORPUS/test.jsonl" > probe.jsonl
sed -n '121,240p' "$CORPUS/train.jsonl" > train-b.jsonl
$STANCE train -q -f stance -w 1-2 -c 2-3 -o swap train120.jsonl
$STANCE classify -m swap probe.jsonl > ref-a.jsonl
$STANCE train -q -f stance -w 1-2 -c 2-3 -o swap-b train-b.jsonl
$STANCE classify -m swap-b probe.jsonl > ref-b.jsonl
for r in 1 2 3; do
    (
        i=0
        while [ ! -e stop ] && [ $i -lt 200 ]; do
            i=$((i + 1))
            $STANCE classify -m swap probe.jsonl > reader$r.out 2> reader$r.err ||
                { echo "status $?: $(cat reader$r.err)" > reader$r.bad; break; }
            cmp -s reader$r.out ref-a.jsonl || cmp -s reader$r.out ref-b.jsonl ||
                { echo "run $i: a mixed model" > reader$r.bad; break; }
        done
        echo $i > reader$r.runs
    ) &
done
for round in 1 2 3; do
    $STANCE train -q -f stance -w 1-2 -c 2-3 -o swap train-b.jsonl
    $STANCE train -q -f stance -w 1-2 -c 2-3 -o swap train120.jsonl
done
touch stop
wait
if ls reader*.bad > /dev/null 2>&1; then
    fail "errors-models: readers while train replaces the model" "$(cat reader*.bad | head -c 300)"
else
    pass "errors-models: readers while train replaces the model ($(cat reader*.runs | tr '\n' ' ')runs)"
fi
! ls | grep -q '^swap\.tmp\.' && pass "errors-models: no temporary directory left after the swaps" ||
    fail "errors-models: no temporary directory left after the swaps" "$(ls | grep tmp)"
