#!/bin/sh
# tests/screenshot.sh STANCE OUT.png: the report of the sample articles as
# a reader sees it: labelled with --explain 5, rendered by headless
# Chromium at 1280x2000 with the explanation of one paragraph open (as a
# click would open it). Uses the shipped models; when they are absent,
# trains stand-ins under build/screenshot-models from the train split.
set -eu
STANCE=$1
OUT=$2
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROMIUM" ]; then
    echo "screenshot: needs chromium (apt-get install chromium)" >&2
    exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/stance-shot.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
if [ -f models/stance/manifest.json ] && [ -f models/sentiment/manifest.json ]; then
    models="-m models/stance -m models/sentiment"
else
    echo "screenshot: no shipped models; training stand-ins in build/screenshot-models" >&2
    for f in stance sentiment; do
        [ -f build/screenshot-models/$f/manifest.json ] ||
            "$STANCE" train -q -f $f -o build/screenshot-models/$f fixtures/corpus/train.jsonl > /dev/null
    done
    models="-m build/screenshot-models/stance -m build/screenshot-models/sentiment"
fi
# shellcheck disable=SC2086
"$STANCE" label -q --explain 5 $models fixtures/articles/*.txt > "$work/labelled.jsonl"
"$STANCE" report -o "$work/report.html" "$work/labelled.jsonl"
# open one paragraph's explanation, as a click does
sed 's|</body>|<script>document.getElementById("a1-p4").click()</script></body>|' \
    "$work/report.html" > "$work/shot.html"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$work/profile" \
    --hide-scrollbars --window-size=1280,2000 --screenshot="$work/shot.png" \
    "file://$work/shot.html" > /dev/null 2>&1
mv "$work/shot.png" "$OUT"
echo "screenshot: wrote $OUT"
