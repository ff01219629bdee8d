/* fuzz_text.c: libFuzzer harness for what `tokenize` and `label` do to
 * article text: paragraph splitting, cleaning, tokenizing and n-grams of
 * arbitrary bytes. Besides the sanitizers' checks it asserts the promises
 * of stance.h: spans stay inside the text and in order, cleaned text is
 * valid UTF-8, tokens are non-empty and free of white space, and the
 * n-gram counts print as valid JSON. The first byte picks the layout and
 * the tokenizer flags, so one input exercises one combination. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "stance.h"

#define REQUIRE(cond)                                                      \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "fuzz_text: %s:%d: %s\n", __FILE__, __LINE__,  \
                    #cond);                                                \
            abort();                                                       \
        }                                                                  \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned mode = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    stance_layout layout = (stance_layout)(mode % 3);
    unsigned flags = ((mode >> 2) & 1 ? STANCE_TOK_NO_PUNCT : 0) |
                     ((mode >> 3) & 1 ? STANCE_TOK_STRICT : 0);
    stance_ngram_config cfg;
    stance_ngram_config_default(&cfg);
    if ((mode >> 4) & 1)
        cfg.char_min = cfg.char_max = 0;
    if ((mode >> 5) & 1)
        cfg.word_min = cfg.word_max = 0;
    if (!cfg.word_max && !cfg.char_max)
        cfg.word_min = cfg.word_max = 1;

    stance_span *spans = NULL;
    size_t n = 0;
    stance_buf clean = {0}, json = {0};
    stance_tokens toks = {0};
    stance_ngram_counts counts = {0};
    if (stance_split_paragraphs(text, len, layout, &spans, &n))
        goto out;
    size_t prev_end = 0;
    for (size_t i = 0; i < n; i++) {
        REQUIRE(spans[i].start < spans[i].end && spans[i].end <= len);
        REQUIRE(spans[i].start >= prev_end);
        REQUIRE(spans[i].line >= 1);
        prev_end = spans[i].end;
        size_t invalid = 0;
        stance_buf_reset(&clean);
        if (stance_clean_text(text + spans[i].start, spans[i].end - spans[i].start,
                              &clean, &invalid))
            goto out;
        REQUIRE(stance_utf8_invalid_count(clean.data, clean.len) == 0);
        REQUIRE(clean.len == strlen(clean.data)); /* no NUL survives */
        REQUIRE(clean.len == 0 || (clean.data[0] != ' ' && clean.data[clean.len - 1] != ' '));
        /* the CLI tokenizes cleaned text; the raw span too, for JSON-lines
         * text that was never cleaned */
        for (int pass = 0; pass < 2; pass++) {
            const char *src = pass ? text + spans[i].start : clean.data;
            size_t srclen = pass ? spans[i].end - spans[i].start : clean.len;
            int rc = stance_tokenize(src, srclen, flags, &toks);
            if (rc == STANCE_ESTRICT) {
                REQUIRE(flags & STANCE_TOK_STRICT);
                continue;
            }
            if (rc)
                goto out;
            for (size_t t = 0; t < toks.n; t++) {
                const char *tok = toks.text.data + toks.start[t];
                REQUIRE(toks.len[t] > 0);
                REQUIRE(toks.start[t] + toks.len[t] <= toks.text.len);
                REQUIRE(!memchr(tok, ' ', toks.len[t]) && !memchr(tok, '\n', toks.len[t]) &&
                        !memchr(tok, '\t', toks.len[t]) && !memchr(tok, '\0', toks.len[t]));
                REQUIRE(stance_utf8_invalid_count(tok, toks.len[t]) == 0);
            }
            if (pass)
                continue; /* n-grams of cleaned text are enough */
            if (stance_ngram_count(&toks, &cfg, &counts))
                goto out;
            if (counts.keys.n > 300)
                continue; /* printing is plain; keep executions fast */
            stance_buf_reset(&json);
            if (stance_ngram_counts_json(&counts, &json))
                goto out;
            cJSON *root = cJSON_ParseWithLength(json.data, json.len);
            REQUIRE(cJSON_IsObject(root));
            REQUIRE((size_t)cJSON_GetArraySize(root) == counts.keys.n);
            cJSON_Delete(root);
        }
    }
    /* the whole input as one paragraph, as JSON-lines "text" arrives */
    if (stance_tokenize(text, len, flags & ~(unsigned)STANCE_TOK_STRICT, &toks) == 0)
        for (size_t t = 0; t < toks.n; t++)
            REQUIRE(toks.len[t] > 0 && !memchr(toks.text.data + toks.start[t], ' ', toks.len[t]));
out:
    free(spans);
    stance_buf_release(&clean);
    stance_buf_release(&json);
    stance_tokens_release(&toks);
    stance_ngram_counts_release(&counts);
    return 0;
}
