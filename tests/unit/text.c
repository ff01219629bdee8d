/* text.c: unit tests for paragraph splitting, text cleaning, tokenizing and
 * n-grams: the parts where edge cases hide. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "check.h"
#include "stance.h"

static size_t split(const char *text, stance_layout layout, stance_span **spans)
{
    size_t n;
    if (stance_split_paragraphs(text, strlen(text), layout, spans, &n))
        return (size_t)-1;
    return n;
}

static int span_is(const char *text, stance_span s, const char *want)
{
    return s.end - s.start == strlen(want) && !memcmp(text + s.start, want, strlen(want));
}

static void test_paragraphs(void)
{
    stance_span *s = NULL;
    const char *lines = "Headline\nFirst paragraph is here.\n\nSecond one.\n";
    CHECK("split: one paragraph per line", split(lines, STANCE_LAYOUT_AUTO, &s) == 3 &&
                                               span_is(lines, s[1], "First paragraph is here.") &&
                                               s[2].line == 4);
    free(s);
    const char *wrapped = "Title\n\nA wrapped paragraph\nthat goes on.\n\nNext one wraps\nhere.\n";
    CHECK("split: hard-wrapped blocks", split(wrapped, STANCE_LAYOUT_AUTO, &s) == 3 &&
                                            span_is(wrapped, s[1], "A wrapped paragraph\nthat goes on.") &&
                                            s[1].start == 7);
    free(s);
    CHECK("split: --layout=lines overrides", split(wrapped, STANCE_LAYOUT_LINES, &s) == 5);
    free(s);
    const char *crlf = "\xEF\xBB\xBFOne\r\n\r\nTwo\rThree\r\n";
    CHECK("split: BOM, CRLF and lone CR", split(crlf, STANCE_LAYOUT_LINES, &s) == 3 &&
                                              s[0].start == 3 && span_is(crlf, s[2], "Three"));
    free(s);
    CHECK("split: empty text", split("", STANCE_LAYOUT_AUTO, &s) == 0);
    free(s);
    CHECK("split: only blank lines", split("\n \n\t\n\r\n", STANCE_LAYOUT_AUTO, &s) == 0);
    free(s);
    const char *spaced = "  \tIndented line with spaces.   \n";
    CHECK("split: trims blanks", split(spaced, STANCE_LAYOUT_AUTO, &s) == 1 &&
                                     span_is(spaced, s[0], "Indented line with spaces."));
    free(s);
    /* a long line means scraped one-paragraph-per-line text, even with
     * blank lines and multi-line blocks */
    char longtext[400];
    memset(longtext, 'a', sizeof longtext);
    memcpy(longtext, "x\ny\n\n", 5);
    longtext[sizeof longtext - 1] = '\0';
    CHECK("split: long lines mean one paragraph per line",
          split(longtext, STANCE_LAYOUT_AUTO, &s) == 3);
    free(s);
}

static int clean_is(const char *in, size_t len, const char *want, size_t want_bad)
{
    stance_buf b = {0};
    size_t bad = 99;
    int ok = !stance_clean_text(in, len, &b, &bad) && b.len == strlen(want) &&
             !memcmp(b.data, want, b.len) && bad == want_bad;
    if (!ok)
        printf("  clean_text gave '%s' (%zu invalid)\n", b.data ? b.data : "", bad);
    stance_buf_release(&b);
    return ok;
}

static void test_clean(void)
{
    CHECK("clean: collapses white space", clean_is(" a\t\tb \r\n c ", 12, "a b c", 0));
    CHECK("clean: NBSP is a space", clean_is("a\xC2\xA0\xC2\xA0" "b", 6, "a b", 0));
    CHECK("clean: truncated sequence", clean_is("ab\xE2\x80", 4, "ab\xEF\xBF\xBD", 1));
    CHECK("clean: overlong", clean_is("\xC0\xAF" "x", 3, "\xEF\xBF\xBD\xEF\xBF\xBDx", 2));
    CHECK("clean: surrogate", clean_is("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 3));
    CHECK("clean: above U+10FFFF", clean_is("\xF4\x90\x80\x80", 4,
                                            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 4));
    CHECK("clean: control characters", clean_is("a\x01\x7f" "b", 4, "a b", 0));
    CHECK("clean: valid 4-byte kept", clean_is("\xF0\x9F\x98\x80", 4, "\xF0\x9F\x98\x80", 0));
}

/* Tokens of s joined by '|'. */
static char *toks(const char *s, unsigned flags)
{
    stance_tokens t = {0};
    static char out[1024];
    out[0] = '\0';
    if (stance_tokenize(s, strlen(s), flags, &t) == 0)
        for (size_t i = 0; i < t.n; i++) {
            if (i)
                strcat(out, "|");
            strncat(out, t.text.data + t.start[i], t.len[i]);
        }
    else
        strcpy(out, "<error>");
    stance_tokens_release(&t);
    return out;
}

#define TOKS(name, in, flags, want)                                           \
    do {                                                                      \
        const char *got_ = toks(in, flags);                                   \
        CHECK(name, !strcmp(got_, want));                                     \
        if (strcmp(got_, want))                                               \
            printf("  got  %s\n  want %s\n", got_, want);                     \
    } while (0)

static void test_tokens(void)
{
    TOKS("tok: case folding", "ICE Detainers", 0, "ice|detainers");
    TOKS("tok: curly apostrophes unify", "city\xE2\x80\x99s won\xE2\x80\x99t", 0, "city's|won't");
    TOKS("tok: quotes unify and are kept", "\xE2\x80\x9CNo\xE2\x80\x9D \"yes\" \xC2\xABoui\xC2\xBB", 0,
         "\"|no|\"|\"|yes|\"|\"|oui|\"");
    TOKS("tok: --no-punct drops ? ! quotes", "\"Why?\" Now!", STANCE_TOK_NO_PUNCT, "why|now");
    TOKS("tok: question and exclamation", "Really?!", 0, "really|?|!");
    TOKS("tok: hyphenated words stay whole", "anti-sanctuary pro-police -- well-", 0,
         "anti-sanctuary|pro-police|well");
    TOKS("tok: numbers", "1,200 officers, 3.5% and 45% in 2017.", 0,
         "1,200|officers|3.5%|and|45%|in|2017");
    TOKS("tok: statute references", "Section 287(g) and 8 U.S.C. 1373", 0,
         "section|287(g)|and|8|u.s.c.|1373");
    TOKS("tok: URL", "See https://www.ice.gov/detain/detainers. Now", 0,
         "see|https://www.ice.gov/detain/detainers|now");
    TOKS("tok: www URL", "(www.example.org)", 0, "www.example.org");
    TOKS("tok: e-mail", "Write to Press.Office@City-Hall.gov.", 0, "write|to|press.office@city-hall.gov");
    TOKS("tok: mention and hashtag", "@ICEgov #NoSanctuary!", 0, "@icegov|#nosanctuary|!");
    TOKS("tok: accented Latin NFC", "Jose\xCC\x81 CAF\xC3\x89", 0, "jos\xC3\xA9|caf\xC3\xA9");
    TOKS("tok: Cyrillic", "\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 \xD0\x9F\xD0\xBE\xD0\xBB\xD0\xB8\xD1\x86\xD0\xB8\xD1\x8F", 0,
         "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0|\xD0\xBF\xD0\xBE\xD0\xBB\xD0\xB8\xD1\x86\xD0\xB8\xD1\x8F");
    TOKS("tok: CJK one token per character", "\xE8\xAD\xA6\xE5\xAF\x9F", 0, "\xE8\xAD\xA6|\xE5\xAF\x9F");
    TOKS("tok: emoji with modifier stays whole", "ok \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD!", 0,
         "ok|\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD|!");
    TOKS("tok: NFKC fullwidth and ligature", "\xEF\xBC\xA6\xEF\xBC\xB5\xEF\xBC\xAC\xEF\xBC\xAC \xEF\xAC\x81le", 0,
         "full|file");
    TOKS("tok: invalid UTF-8 becomes U+FFFD", "a\xFF" "b", 0, "a|\xEF\xBF\xBD|b");
    TOKS("tok: --strict fails on invalid UTF-8", "a\xFF", STANCE_TOK_STRICT, "<error>");
    TOKS("tok: Spanish", "\xC2\xBF" "D\xC3\xB3nde est\xC3\xA1?", 0, "d\xC3\xB3nde|est\xC3\xA1|?");
    TOKS("tok: empty", "", 0, "");
    TOKS("tok: em dash separates", "police\xE2\x80\x94" "and", 0, "police|and");
}

/* The ASCII fast path must give what utf8proc gives: normalize every
 * printable ASCII character both ways. */
static void test_fast_path(void)
{
    int same = 1;
    for (int c = 0x21; c < 0x7F && same; c++) {
        char in[2] = {(char)c, 0};
        utf8proc_uint8_t *mapped = NULL;
        utf8proc_map((const utf8proc_uint8_t *)in, 1, &mapped,
                     UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
        char lower = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        same = mapped && mapped[0] == (utf8proc_uint8_t)lower && mapped[1] == 0;
        free(mapped);
    }
    CHECK("tok: ASCII fast path equals utf8proc NFKC+casefold", same);
}

static int count_of(const stance_ngram_counts *c, int kind, const char *key)
{
    long id = stance_keymap_find(&c->keys, kind, key, strlen(key),
                                 stance_hash(kind, key, strlen(key)));
    return id < 0 ? 0 : (int)c->count[id];
}

static void test_ngrams(void)
{
    stance_tokens t = {0};
    stance_ngram_counts c = {0};
    stance_ngram_config cfg;
    stance_ngram_config_default(&cfg);
    stance_tokenize("no no no sanctuary", 18, 0, &t);
    stance_ngram_count(&t, &cfg, &c);
    CHECK("ngrams: word unigram counts", count_of(&c, 'w', "no") == 3);
    CHECK("ngrams: word bigram counts", count_of(&c, 'w', "no no") == 2);
    CHECK("ngrams: word trigram", count_of(&c, 'w', "no no sanctuary") == 1);
    CHECK("ngrams: char n-grams padded", count_of(&c, 'c', "<no>") == 3 &&
                                             count_of(&c, 'c', "<s") == 1);
    CHECK("ngrams: char n-grams stay in words", count_of(&c, 'c', "o>") == 3 &&
                                                    count_of(&c, 'c', "> <") == 0);
    CHECK("ngrams: longest char n-gram is 5", count_of(&c, 'c', "sanct") == 1 &&
                                                  count_of(&c, 'c', "sanctu") == 0);
    /* the word "no" has 3 tokens x 1 + 2 + 1, "sanctuary" ... counted exactly:
     * "<no>" gives 3+2+1 char n-grams of orders 2..4 */
    stance_buf j = {0};
    stance_ngram_counts_json(&c, &j);
    CHECK("ngrams: JSON keys in byte order",
          j.data && !strncmp(j.data, "{\"c:<n\":3,\"c:<no\":3,\"c:<no>\":3,\"c:<s\":1,", 38));
    stance_tokenize("\xD0\xB4\xD0\xB0", 4, 0, &t);
    stance_ngram_count(&t, &cfg, &c);
    CHECK("ngrams: char n-grams count code points",
          count_of(&c, 'c', "<\xD0\xB4") == 1 && count_of(&c, 'c', "\xD0\xB4\xD0\xB0>") == 1 &&
              c.keys.n == 1 + 3 + 2 + 1);
    stance_ngram_config p;
    char buf[STANCE_NGRAM_CONFIG_MAX];
    CHECK("ngrams: config parse", !stance_ngram_config_parse("w1-2 c3", &p) &&
                                      p.word_min == 1 && p.word_max == 2 && p.char_min == 3 &&
                                      p.char_max == 3);
    stance_ngram_config_format(&p, buf);
    CHECK("ngrams: config format", !strcmp(buf, "w1-2 c3-3"));
    CHECK("ngrams: config rejects junk", stance_ngram_config_parse("w3-1", &p) != 0 &&
                                             stance_ngram_config_parse("x", &p) != 0 &&
                                             stance_ngram_config_parse("", &p) != 0);
    stance_buf_release(&j);
    stance_ngram_counts_release(&c);
    stance_tokens_release(&t);
}

static void test_keymap(void)
{
    stance_keymap m = {0};
    uint32_t id;
    int added, ok = 1;
    char key[32];
    for (int i = 0; i < 5000 && ok; i++) {
        snprintf(key, sizeof key, "k%d", i);
        ok = !stance_keymap_intern(&m, 'w', key, strlen(key), stance_hash('w', key, strlen(key)),
                                   &id, &added) && added && id == (uint32_t)i;
    }
    CHECK("keymap: dense ids through growth", ok);
    CHECK("keymap: kind separates keys",
          stance_keymap_find(&m, 'c', "k1", 2, stance_hash('c', "k1", 2)) == -1 &&
              stance_keymap_find(&m, 'w', "k1", 2, stance_hash('w', "k1", 2)) == 1);
    stance_keymap_release(&m);
}

/* The hash reads a key's tail with whole loads that may overlap: it must
 * still depend on every byte and on the length, and read nothing past the
 * key (each key here ends where its allocation does, for ASan). */
static void test_hash(void)
{
    enum { MAXLEN = 40 };
    uint64_t seen[MAXLEN + 1];
    int lengths_differ = 1, bytes_count = 1;
    for (size_t len = 0; len <= MAXLEN; len++) {
        char *k = malloc(len ? len : 1);
        memset(k, 'a', len);
        seen[len] = stance_hash('w', k, len);
        for (size_t j = 0; j < len; j++)
            lengths_differ &= seen[j] != seen[len];
        for (size_t pos = 0; pos < len; pos++) {
            k[pos] = 'b';
            bytes_count &= stance_hash('w', k, len) != seen[len];
            k[pos] = 'a';
        }
        free(k);
    }
    CHECK("hash: keys of every length up to 40 hash apart", lengths_differ);
    CHECK("hash: every byte of the key changes the hash", bytes_count);
    CHECK("hash: kind changes the hash", stance_hash('w', "ice", 3) != stance_hash('c', "ice", 3));
}

void run_text_tests(void)
{
    test_paragraphs();
    test_clean();
    test_tokens();
    test_fast_path();
    test_ngrams();
    test_keymap();
    test_hash();
}
