#!/bin/sh
# report.sh: `stance report` writes one self-contained page: a paragraph
# element per labelled record, all text escaped (a <script> paragraph is
# text), nothing to fetch, and -o replaces the file only with a complete
# page. With chromium installed, the page is also loaded in headless
# Chromium: its script runs without error, every paragraph is in the DOM,
# the <script> paragraph shows as text and ran nothing, and a link to a
# paragraph opens its explanation with the n-grams highlighted.
# Also: `label --summary` equals `label | summarize`.
. tests/lib.sh
set -u
M=$TMPDIR/report-model
head -n 200 fixtures/corpus/train.jsonl > "$TMPDIR/report-train.jsonl"
$STANCE train -q -f stance -o "$M" "$TMPDIR/report-train.jsonl"
$STANCE train -q -f sentiment -o "$M-sent" "$TMPDIR/report-train.jsonl"

# an article whose text is markup, one paragraph per line
cat > "$TMPDIR/markup.txt" <<'ARTICLE'
Sheriff <b>honors</b> detainers & keeps "quotes" 'intact'
<script>document.title="pwned";document.documentElement.setAttribute("data-pwned","1")</script> The council said the county will not hold people for ICE.
ARTICLE
$STANCE label --explain 5 -m "$M" -m "$M-sent" fixtures/articles/*.txt "$TMPDIR/markup.txt" \
    > "$TMPDIR/labelled.jsonl"
n=$(wc -l < "$TMPDIR/labelled.jsonl")
docs=$(ls fixtures/articles/*.txt | wc -l)
docs=$((docs + 1))
P=$TMPDIR/report.html

expect_status "report: writes the page with -o" 0 $STANCE report -o "$P" "$TMPDIR/labelled.jsonl"
# paragraphs are <div class="para"> or <div class="para unc">
count() { grep -o "$1" "$2" | wc -l | tr -d ' '; }
got=$(count 'class="para[ "]' "$P")
[ "$got" = "$n" ] && pass "report: one paragraph element per record ($n)" ||
    fail "report: one paragraph element per record" "$got elements for $n records"
got=$(count '<section class="art"' "$P")
[ "$got" = "$docs" ] && pass "report: one section per article ($docs)" ||
    fail "report: one section per article" "$got sections for $docs articles"
expect_grep "report: a <script> paragraph is escaped" \
    '&lt;script&gt;document.title=&quot;pwned&quot;' "$P"
expect_grep "report: markup in text is escaped" \
    'Sheriff &lt;b&gt;honors&lt;/b&gt; detainers &amp; keeps &quot;quotes&quot; &#39;intact&#39;' "$P"
got=$(count '<script' "$P")
[ "$got" = 1 ] && pass "report: the page's own script is its only script" ||
    fail "report: the page's own script is its only script" "$got <script tags"
if grep -Eq '(src|href|action)="(https?:)?//|@import|url\(' "$P"; then
    fail "report: refers to nothing outside the page" "$(grep -Eo '(src|href|action)="(https?:)?//[^"]*|@import|url\(' "$P" | head -3)"
else
    pass "report: refers to nothing outside the page"
fi
expect_grep "report: a Content-Security-Policy forbids fetching" "default-src 'none'" "$P"
$STANCE report "$TMPDIR/labelled.jsonl" > "$TMPDIR/stdout.html"
expect_same "report: stdout and -o write the same page" "$P" "$TMPDIR/stdout.html"

# -o is atomic: a failed run leaves the old page and no temporary file
cp "$P" "$TMPDIR/before.html"
echo 'not json' | $STANCE report -o "$P" 2> /dev/null
[ $? = 1 ] && pass "report: bad input exits 1" || fail "report: bad input exits 1" "other status"
expect_same "report: a failed run leaves the old page" "$P" "$TMPDIR/before.html"
left=$(ls "$TMPDIR" | grep -c 'report\.html\.tmp' || true)
[ "$left" = 0 ] && pass "report: no temporary file left behind" ||
    fail "report: no temporary file left behind" "$left left"
expect_status "report: unwritable -o is a system error" 4 \
    $STANCE report -o "$TMPDIR/no-such-dir/r.html" "$TMPDIR/labelled.jsonl"
: | $STANCE report > "$TMPDIR/empty.html"
expect_grep "report: empty input still makes a page" 'No labelled paragraphs' "$TMPDIR/empty.html"

# the summary of label is the summary of label's records
$STANCE label -m "$M" -m "$M-sent" --summary fixtures/articles/*.txt "$TMPDIR/markup.txt" > "$TMPDIR/sum1"
$STANCE summarize "$TMPDIR/labelled.jsonl" > "$TMPDIR/sum2"
expect_same "summary: label --summary equals label | summarize" "$TMPDIR/sum1" "$TMPDIR/sum2"

# in a real browser
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROMIUM" ]; then
    pass "report: renders in headless Chromium (skipped: no chromium)"
    exit 0
fi
profile=$(mktemp -d "$TMPDIR/chromium.XXXXXX")
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --dump-dom "file://$P#a1-p2" > "$TMPDIR/dom.html" 2> "$TMPDIR/chromium.err"
if [ ! -s "$TMPDIR/dom.html" ]; then
    fail "report: renders in headless Chromium" "no DOM: $(tail -c 300 "$TMPDIR/chromium.err")"
    exit 0
fi
expect_grep "report: the page's script ran to its end in Chromium" '<html lang="en" class="js">' "$TMPDIR/dom.html"
got=$(count 'class="para[ "]' "$TMPDIR/dom.html")
[ "$got" = "$n" ] && pass "report: Chromium shows every paragraph ($n)" ||
    fail "report: Chromium shows every paragraph" "$got elements for $n records"
expect_grep "report: Chromium shows the <script> paragraph as text" \
    '&lt;script&gt;document.title="pwned"' "$TMPDIR/dom.html"
if grep -q 'data-pwned="1"' "$TMPDIR/dom.html" ||
    ! grep -q '<title>Stance report</title>' "$TMPDIR/dom.html"; then
    fail "report: the <script> paragraph ran nothing" "title or attribute changed"
else
    pass "report: the <script> paragraph ran nothing"
fi
expect_grep "report: a link to a paragraph pins it" '<div class="para[a-z ]* pinned" id="a1-p2"' "$TMPDIR/dom.html"
expect_grep "report: its n-grams are highlighted" '<mark class="pro' "$TMPDIR/dom.html"
