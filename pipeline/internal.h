/* internal.h: helpers shared by the library's files but not part of its
 * public contract. */
#ifndef STANCE_INTERNAL_H
#define STANCE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "stance.h"

/* Decodes one UTF-8 sequence at s (n > 0 bytes available). Returns the bytes
 * consumed (at least 1) and sets *cp to the code point, or to -1 when the
 * bytes are not valid UTF-8; the bytes consumed are then the maximal invalid
 * subpart, which is replaced by one U+FFFD. */
size_t stance_utf8_decode(const unsigned char *s, size_t n, int32_t *cp);
/* Encodes cp into out (4 bytes room); returns the length. */
size_t stance_utf8_encode(int32_t cp, char *out);

/* The character n-grams of one token, as stance_ngrams_each gives them. */
int stance_char_ngrams_each(const char *tok, size_t len,
                            const stance_ngram_config *cfg, stance_buf *scratch,
                            stance_ngram_fn fn, void *ctx);

/* Appends the key of an n-gram to a readable "w:..." form. */
int stance_ngram_key_append(stance_buf *out, int kind, const char *key,
                            size_t len);

#define STANCE_ARRAY_GROW(ptr, cap, need)                                   \
    stance_array_grow((void **)&(ptr), &(cap), (need), sizeof *(ptr))
int stance_array_grow(void **ptr, size_t *cap, size_t need, size_t elem);

#endif
