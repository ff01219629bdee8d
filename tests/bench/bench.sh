#!/bin/sh
# tests/bench/bench.sh: `make bench`. Measures stance against fastText,
# scikit-learn and libsvm in one run on one machine, on the same inputs:
# labelling throughput and peak memory (one core each), training time as
# the training set grows, and accuracy on the test split, so that no speed
# is bought with accuracy. Prints a Markdown table and writes it to
# build/bench.md; raw figures go to build/bench/results.tsv.
#
# Not part of `make test`: it installs the reference tools with apt-get when
# they are missing, and the default run takes about 20 minutes on 2 cores.
#
# Variables:
#   BENCH_MB=20        megabytes (10^6 bytes) of paragraph text to label
#   BENCH_RUNS=3       timed runs per throughput command (the median counts)
#   BENCH_SIZES="1000 3000 10000 30000"   training-set sizes, in paragraphs
#   BENCH_TIMEOUT=240  CPU seconds before one training run is stopped; a
#                      tool that timed out, or is predicted to take longer,
#                      is not run at the larger sizes
#   BENCH_SVM_MB=1     text megabytes for svm-predict (it is ~100x slower)
#   BENCH_BIG=1        also the peak memory of `label` on 500 MB of text
#   BENCH_CPU=0        the core every timed command is pinned to
#   BENCH_PROFILE=1    also perf-profile fused `label` (both models) and
#                      list its top functions (installs linux-perf)
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
MB=${BENCH_MB:-20}
RUNS=${BENCH_RUNS:-3}
SIZES=${BENCH_SIZES:-1000 3000 10000 30000}
TIMEOUT=${BENCH_TIMEOUT:-240}
SVM_MB=${BENCH_SVM_MB:-1}
BIG=${BENCH_BIG:-0}
PROFILE=${BENCH_PROFILE:-0}
CPU=${BENCH_CPU:-0}
W=$ROOT/build/bench
R=$W/results.tsv
PY=/usr/bin/python3   # Debian's python3-sklearn loads only here
S=$W/stance          # a snapshot, taken below
H=$ROOT/tests/bench
PIN="taskset -c $CPU"
# fastText's settings: word 2-grams and char 2-5 n-grams (its most accurate
# setting on news in the issue), plus a second model without char n-grams.
# Epochs and learning rate as in tests/compare.sh, for the accuracy rows;
# they do not change prediction speed. Dimension stays at fastText's 100.
FT_COMMON="-wordNgrams 2 -epoch 25 -lr 0.5 -thread 1 -seed 1 -verbose 0"
FT_CHAR="$FT_COMMON -minn 2 -maxn 5"
FT_WORD="$FT_COMMON -maxn 0"

say() { printf '%s\n' "$*" >&2; }

# ---- the tools -------------------------------------------------------------
need=
command -v fasttext > /dev/null || need="$need fasttext"
command -v svm-predict > /dev/null || need="$need libsvm-tools"
[ -x /usr/bin/time ] || need="$need time"
command -v taskset > /dev/null || need="$need util-linux"
command -v timeout > /dev/null || need="$need coreutils"
$PY -c 'import sklearn' 2> /dev/null || need="$need python3-sklearn"
[ "$PROFILE" = 1 ] && ! command -v perf > /dev/null && need="$need linux-perf"
if [ -n "$need" ]; then
    say "bench: installing$need"
    SUDO=
    [ "$(id -u)" = 0 ] || SUDO=sudo
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $need > /dev/null
fi
make -s all
mkdir -p "$W"
cc -O2 -Iinclude -o "$W/export_libsvm" "$H/export_libsvm.c" build/libstance.a \
    $(pkg-config --libs libutf8proc libcjson) -lsvm -lm
# Everything is measured on snapshots of the program, the corpus and the
# models taken now, so a rebuild or retraining in the tree during the run
# cannot mix two versions into one table.
rm -rf "$W/corpus" "$W/models"
mkdir -p "$W/corpus" "$W/models"
cp bin/stance "$S"
cp fixtures/corpus/train.jsonl fixtures/corpus/test.jsonl "$W/corpus/"
TRAIN=$W/corpus/train.jsonl
T=$W/corpus/test.jsonl

# ---- the models ------------------------------------------------------------
# The shipped models when they exist; else models trained here with the
# default settings, said so in the table.
MODEL_NOTE=
for f in stance sentiment; do
    if [ -f "models/$f/manifest.json" ]; then
        mkdir -p "$W/models/$f"
        cp "models/$f/"* "$W/models/$f/"
    else
        say "bench: no models/$f; training one with default settings"
        $S train -q -f "$f" -o "$W/models/$f" "$TRAIN"
        MODEL_NOTE="models/ absent: stance models trained by the benchmark with default settings (C=1, no grid)"
    fi
    eval "M_$f=\$W/models/$f"
    tt=$(sed -n 's/^[[:space:]]*"train_total":[[:space:]]*\([0-9]*\).*/\1/p' "$W/models/$f/manifest.json")
    [ "$tt" = "$(grep -c . "$TRAIN")" ] ||
        MODEL_NOTE="${MODEL_NOTE:+$MODEL_NOTE; }models/$f was trained on $tt paragraphs, not on the current train split"
done
# shellcheck disable=SC2154
MS=$M_stance
# shellcheck disable=SC2154
MT=$M_sentiment

: > "$R"
rm -f "$W/profile.txt"
row() { (IFS='	'; printf '%s\n' "$*") >> "$R"; }

row meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
row meta cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
row meta cores "$(nproc)"
row meta memory "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
row meta kernel "$(uname -sr)"
row meta load "$(cut -d' ' -f1-3 /proc/loadavg)"
row meta stance "$(git rev-parse --short HEAD 2> /dev/null || echo '?')$(git diff --quiet HEAD -- pipeline include 2> /dev/null || echo ' (modified)')"
row meta versions "fastText $(dpkg-query -W -f='${Version}' fasttext 2> /dev/null), scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)'), libsvm-tools $(dpkg-query -W -f='${Version}' libsvm-tools 2> /dev/null), Python $($PY -c 'import platform; print(platform.python_version())')"
row meta models "$MODEL_NOTE"
row meta corpus "$(wc -l < "$TRAIN") train and $(wc -l < "$T") test paragraphs"
row meta settings "BENCH_MB=$MB BENCH_RUNS=$RUNS BENCH_SIZES=\"$SIZES\" BENCH_TIMEOUT=$TIMEOUT BENCH_SVM_MB=$SVM_MB BENCH_BIG=$BIG"

# ---- inputs ----------------------------------------------------------------
say "bench: making $MB MB of input from the corpus"
set -- $($PY "$H/prep.py" input "$W" "$MB" "$TRAIN" "$T")
NP=$1 NB=$2
# the svm-predict slice: the first paragraphs up to SVM_MB of text
mkdir -p "$W/svm"
set -- $($PY "$H/prep.py" input "$W/svm" "$SVM_MB" "$TRAIN" "$T")
SNP=$1 SNB=$2
for f in stance sentiment; do
    $PY "$H/prep.py" fasttext "$f" "$TRAIN" "$W/train-$f.ft.txt"
done
$PY "$H/prep.py" fttext "$T" "$W/test.ft.txt"

# ---- reference models on the train split -------------------------------------
say "bench: training the reference models on the train split"
for f in stance sentiment; do
    fasttext supervised -input "$W/train-$f.ft.txt" -output "$W/ft-char-$f" $FT_CHAR
    fasttext supervised -input "$W/train-$f.ft.txt" -output "$W/ft-word-$f" $FT_WORD
    $PY "$H/sk.py" train "$f" "$TRAIN" "$W/sk-$f.pkl" > /dev/null
done
rm -f "$W"/ft-*.vec

# ---- throughput ----------------------------------------------------------------
# measure KEY LABEL PARAS BYTES NOTE CMD queues sh -c CMD; run_rounds then
# runs every queued command once per round, RUNS rounds, so that the
# machine's drift (its speed moves by a third within an hour here) falls
# on all of them alike and a ratio can pair the runs of one round. Each run
# is pinned to one core, stdout discarded; wall and CPU (user + sys)
# seconds and the peak RSS of each. The rates come from CPU time: for one
# pinned process it is the wall time of a quiet machine, and it does not
# count the time others held the core. With INPROC=1, CMD prints its own
# "wall cpu" seconds first (Python's start-up and model load are then not
# counted; RSS still is).
INPROC=0
Q=$W/queue
rm -rf "$Q"
mkdir -p "$Q"
queued=0
measure() {
    queued=$((queued + 1))
    (IFS='	'; printf '%s\n' "$1" "$2" "$3" "$4" "$5" "$INPROC") > "$Q/$queued.meta"
    printf '%s\n' "$6" > "$Q/$queued.cmd"
}
run_rounds() {
    round=0
    while [ "$round" -lt "$RUNS" ]; do
        round=$((round + 1))
        i=0
        while [ "$i" -lt "$queued" ]; do
            i=$((i + 1))
            [ -f "$Q/$i.failed" ] && continue
            { read -r key; read -r label; read -r paras; read -r bytes; read -r note; read -r inproc; } < "$Q/$i.meta"
            cmd=$(cat "$Q/$i.cmd")
            say "bench: round $round of $RUNS: $label"
            if ! /usr/bin/time -f '%e %U %S %M' -o "$W/time.out" \
                $PIN sh -c "$cmd" > "$W/cmd.out" 2> "$W/cmd.err"; then
                say "bench: '$cmd' failed:"
                cat "$W/cmd.err" "$W/time.out" >&2
                : > "$Q/$i.failed"
                continue
            fi
            set -- $(tail -1 "$W/time.out")
            wall=$1 cpu=$(echo "$2 $3" | awk '{print $1 + $2}') rss=$4
            if [ "$inproc" = 1 ]; then
                set -- $(head -1 "$W/cmd.out")
                wall=$1 cpu=$2
            fi
            echo "$wall $cpu $rss" >> "$Q/$i.runs"
        done
    done
    i=0
    while [ "$i" -lt "$queued" ]; do
        i=$((i + 1))
        { read -r key; read -r label; read -r paras; read -r bytes; read -r note; read -r inproc; } < "$Q/$i.meta"
        if [ -f "$Q/$i.failed" ]; then
            row tput "$key" "$label" "$paras" "$bytes" "" "" "" "failed"
            continue
        fi
        # walls and CPU seconds in round order, so rounds pair up
        set -- $(awk '{ w = w (NR > 1 ? "," : "") $1; c = c (NR > 1 ? "," : "") $2; if ($3 > r) r = $3 }
            END { print w, c, r }' "$Q/$i.runs")
        row tput "$key" "$label" "$paras" "$bytes" "$1" "$2" "$3" "$note"
    done
}

# warm the page cache so no run pays for the first read
cat "$W"/input.* "$W"/ft-*.bin "$MS"/* "$MT"/* > /dev/null

measure label1 "stance label (fused), stance model" "$NP" "$NB" "" \
    "$S label -q -m $MS $W/input.jsonl"
measure label2 "stance label (fused), both default models" "$NP" "$NB" "" \
    "$S label -q -m $MS -m $MT $W/input.jsonl"
measure pipe "stance tokenize | ngrams | classify, stance model" "$NP" "$NB" \
    "three processes on one core" \
    "$S tokenize -q $W/input.jsonl | $S ngrams -q | $S classify -q -m $MS"
say "bench: making the stage inputs"
$S tokenize -q "$W/input.jsonl" > "$W/tokens.jsonl"
$S ngrams -q "$W/tokens.jsonl" > "$W/ngrams.jsonl"
TB=$(wc -c < "$W/tokens.jsonl") GB=$(wc -c < "$W/ngrams.jsonl")
measure tokenize "stance tokenize alone" "$NP" "$NB" "" \
    "$S tokenize -q $W/input.jsonl"
measure ngrams "stance ngrams alone" "$NP" "$NB" \
    "reads tokenize's output ($((TB / 1000000)) MB)" \
    "$S ngrams -q $W/tokens.jsonl"
measure classify "stance classify alone, stance model" "$NP" "$NB" \
    "reads ngrams' output ($((GB / 1000000)) MB)" \
    "$S classify -q -m $MS $W/ngrams.jsonl"
measure ftchar "fasttext predict-prob, w2 + c2-5" "$NP" "$NB" \
    "input lowercased, punctuation split (untimed)" \
    "fasttext predict-prob $W/ft-char-stance.bin $W/input.ft.txt"
measure ftword "fasttext predict-prob, w2, no char n-grams" "$NP" "$NB" \
    "input lowercased, punctuation split (untimed)" \
    "fasttext predict-prob $W/ft-word-stance.bin $W/input.ft.txt"
INPROC=1
measure sklearn "scikit-learn TF-IDF w1-3 + c2-5 + LinearSVC predict" "$NP" "$NB" \
    "in-process time, vectorizing included, chunks of 1000" \
    "$PY $H/sk.py predict $W/sk-stance.pkl $W/input.txt"
INPROC=0
# svm-predict on the very vectors stance classifies: exported by
# `stance ngrams --libsvm -m` where it exists, else by export_libsvm.
if $S ngrams --help 2>&1 | grep -q -- '--libsvm'; then
    $S ngrams -q --libsvm -m "$MS" "$W/svm/input.jsonl" > "$W/svm/features.svm"
    how="stance ngrams --libsvm"
else
    "$W/export_libsvm" "$MS" < "$W/svm/input.txt" > "$W/svm/features.svm"
    how="tests/bench/export_libsvm"
fi
FB=$(wc -c < "$W/svm/features.svm")
measure svmpredict "libsvm svm-predict -b 1, stance model" "$SNP" "$SNB" \
    "features exported by $how ($((FB / 1000000)) MB, untimed)" \
    "svm-predict -b 1 $W/svm/features.svm $MS/svm.model $W/svm/pred.txt"
run_rounds
rm -f "$W/tokens.jsonl" "$W/ngrams.jsonl"

# ---- peak memory, flat in input size ---------------------------------------
memrow() {
    key=$1 label=$2 bytes=$3 file=$4
    say "bench: $label"
    /usr/bin/time -f '%e %U %S %M' -o "$W/time.out" \
        $PIN $S label -q -m "$MS" -m "$MT" "$file" > /dev/null
    set -- $(tail -1 "$W/time.out")
    row mem "$key" "$label" "$bytes" "$4" "$(echo "$2 $3" | awk '{print $1 + $2}')"
}
memrow small "stance label, both models, $SVM_MB MB" "$SNB" "$W/svm/input.jsonl"
memrow mid "stance label, both models, $MB MB" "$NB" "$W/input.jsonl"
# text whose vocabulary never stops growing (names, numbers, typos do that
# in a real archive, only slower): what bounds the memory of token caches
set -- $($PY "$H/prep.py" random "$W/random.jsonl" "$MB")
memrow random "stance label, both models, $MB MB of random words" "$2" "$W/random.jsonl"
rm -f "$W/random.jsonl"
if [ "$BIG" = 1 ]; then
    n=$((500 / MB + 1)) i=0
    : > "$W/big.jsonl"
    while [ "$i" -lt "$n" ]; do cat "$W/input.jsonl" >> "$W/big.jsonl"; i=$((i + 1)); done
    memrow big "stance label, both models, $((NB * n / 1000000)) MB" "$((NB * n))" "$W/big.jsonl"
    rm -f "$W/big.jsonl"
fi

# ---- where fused label's time goes ----------------------------------------------
if [ "$PROFILE" = 1 ]; then
    say "bench: perf profile of stance label, both models"
    perf record -q -F 999 -o "$W/perf.data" \
        $PIN $S label -q -m "$MS" -m "$MT" "$W/input.jsonl" > /dev/null 2> "$W/perf.err" &&
        perf report -i "$W/perf.data" --no-children --stdio -g none \
            --percent-limit 1 2> /dev/null | grep '%' | head -15 > "$W/profile.txt" ||
        say "bench: perf failed (see $W/perf.err); no profile"
fi

# ---- training time -----------------------------------------------------------
$PY "$H/prep.py" trainsets "$W" stance "$SIZES" "$TRAIN"
# train TOOL N CMD: one run, pinned, limited to TIMEOUT CPU seconds per
# process (ulimit -t, so the cap does not depend on how busy the machine
# is; 3 x TIMEOUT of wall clock as a backstop). Reports CPU seconds (user +
# sys, children included) as measure does; with INPROC=1 the command prints
# its own "wall cpu" seconds. A tool that timed out is not run at larger
# sizes, nor one whose time extrapolated from the sizes it finished exceeds
# TIMEOUT, as it would only burn the timeout: with the fitted growth
# exponent from two or more sizes ("predicted"), or as a lower bound, linear
# growth, from one ("atleast").
train() {
    tool=$1 n=$2 cmd=$3
    if grep -q "^train	$tool	.*	timeout	" "$R"; then
        row train "$tool" "$n" skipped "" "" ""
        return 0
    fi
    pred=$(awk -F '\t' -v t="$tool" -v n="$n" '
        $1 == "train" && $2 == t && $4 == "ok" { k++; x[k] = log($3); y[k] = log($5) }
        END {
            if (!k) exit
            g = 1
            if (k >= 2) {
                for (i = 1; i <= k; i++) { mx += x[i] / k; my += y[i] / k }
                for (i = 1; i <= k; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ^ 2 }
                if (sxx > 0) g = sxy / sxx
            }
            printf "%.0f %s", exp(y[k] + g * (log(n) - x[k])), (k >= 2 ? "predicted" : "atleast")
        }' "$R")
    if [ -n "$pred" ] && [ "${pred% *}" -gt "$TIMEOUT" ]; then
        row train "$tool" "$n" "${pred#* }" "${pred% *}" "" ""
        return 0
    fi
    say "bench: training $tool on $n paragraphs"
    st=0
    timeout -k 10 $((3 * TIMEOUT)) /usr/bin/time -f '%e %U %S %M' -o "$W/time.out" \
        $PIN sh -c "ulimit -t $TIMEOUT; $cmd" > "$W/cmd.out" 2> "$W/cmd.err" || st=$?
    # 124: the wall-clock backstop; 137 and 152: SIGKILL or SIGXCPU at the
    # CPU limit
    if [ "$st" = 124 ] || [ "$st" = 137 ] || [ "$st" = 152 ]; then
        row train "$tool" "$n" timeout "$TIMEOUT" "" ""
    elif [ "$st" != 0 ]; then
        say "bench: '$cmd' failed with status $st:"
        cat "$W/cmd.err" >&2
        row train "$tool" "$n" failed "" "" ""
    else
        set -- $(tail -1 "$W/time.out")
        wall=$1 rss=$4 cpu=$(echo "$2 $3" | awk '{print $1 + $2}')
        if [ "$INPROC" = 1 ]; then
            set -- $(head -1 "$W/cmd.out")
            wall=$1 cpu=$2
        fi
        row train "$tool" "$n" ok "$cpu" "$rss" "$wall"
    fi
}
for n in $SIZES; do
    d=$W/train-$n.jsonl
    INPROC=0
    train stance "$n" "$S train -q -f stance -o $W/tm-$n $d"
    train stance-grid "$n" "$S train -q --grid -f stance -o $W/tg-$n $d"
    train fasttext "$n" "fasttext supervised -input $W/train-$n.ft.txt -output $W/tf-$n $FT_CHAR"
    INPROC=1
    train sklearn "$n" "$PY $H/sk.py train stance $d $W/ts-$n.pkl"
    train sklearn-cal "$n" "$PY $H/sk.py train --calibrated stance $d $W/tc-$n.pkl"
    rm -rf "$W/tm-$n" "$W/tm-$n".tmp.* "$W/tg-$n" "$W/tg-$n".tmp.* "$W/tf-$n".* "$W/ts-$n.pkl" "$W/tc-$n.pkl"
done
INPROC=0

# ---- accuracy on the test split ------------------------------------------------
accrow() {
    tool=$1 field=$2 file=$3
    $S eval -q -f "$field" --json "$file" > "$W/eval.json"
    set -- $($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["accuracy"], d["macro_f1"])' "$W/eval.json")
    row acc "$tool" "$field" "$1" "$2"
}
say "bench: accuracy on the test split"
for f in stance sentiment; do
    eval "m=\$M_$f"
    $S label -q -m "$m" "$T" > "$W/pred.jsonl"
    accrow stance "$f" "$W/pred.jsonl"
    for v in char word; do
        fasttext predict "$W/ft-$v-$f.bin" "$W/test.ft.txt" > "$W/ft.txt"
        $PY "$H/prep.py" merge "$f" "$T" "$W/ft.txt" "$W/pred.jsonl"
        accrow "fasttext-$v" "$f" "$W/pred.jsonl"
    done
    $PY "$H/sk.py" label "$W/sk-$f.pkl" "$f" "$T" "$W/pred.jsonl"
    accrow sklearn "$f" "$W/pred.jsonl"
done

$PY "$H/report.py" "$R" "$W/profile.txt" > "$ROOT/build/bench.md"
cat "$ROOT/build/bench.md"
say "bench: written to build/bench.md (raw figures: build/bench/results.tsv)"
