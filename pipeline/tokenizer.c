/* tokenizer.c: turns paragraph text into normalized tokens.
 *
 * Text is normalized per white-space-delimited chunk: an ASCII chunk only
 * needs lower-casing (NFKC and case folding leave ASCII otherwise alone), a
 * chunk with any other byte goes through utf8proc (NFKC + case folding).
 * Chunks are independent because white space is a normalization boundary,
 * so the result equals normalizing the whole paragraph at once; the unit
 * tests check that. The tokenizer then scans the normalized text once. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "internal.h"

enum { CP_APOSTROPHE = '\'', CP_QUOTE = '"', CP_HYPHEN = '-' };

/* Every quotation mark becomes ", every apostrophe ', every hyphen -. */
static int32_t unify_punct(int32_t cp)
{
    switch (cp) {
    case 0x2018: case 0x2019: case 0x201B: case 0x02BC: case 0x2032:
    case 0x00B4: case 0x0060:
        return CP_APOSTROPHE;
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB:
    case 0x00BB: case 0x2033: case 0x301D: case 0x301E: case 0x301F:
    case 0x2039: case 0x203A: case 0x300C: case 0x300D: case 0x300E:
    case 0x300F:
        return CP_QUOTE;
    case 0x2010: case 0x2011:
        return CP_HYPHEN;
    default:
        return cp;
    }
}

/* Appends the normalized form of one chunk that holds non-ASCII bytes. */
static int normalize_chunk(const unsigned char *s, size_t n, unsigned flags,
                           stance_buf *out, stance_buf *tmp)
{
    int rc;
    stance_buf_reset(tmp);
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t k = stance_utf8_decode(s + i, n - i, &cp);
        char enc[4];
        if (cp < 0) {
            if (flags & STANCE_TOK_STRICT)
                return STANCE_ESTRICT;
            rc = stance_buf_add(tmp, enc, stance_utf8_encode(0xFFFD, enc));
        } else {
            rc = stance_buf_add(tmp, s + i, k);
        }
        if (rc)
            return rc;
        i += k;
    }
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)tmp->data,
                                      (utf8proc_ssize_t)tmp->len, &mapped,
                                      UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                          UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    if (m < 0)
        return m == UTF8PROC_ERROR_NOMEM ? STANCE_ENOMEM : STANCE_EDATA;
    rc = stance_buf_grow(out, (size_t)m);
    for (utf8proc_ssize_t i = 0; !rc && i < m;) {
        int32_t cp;
        size_t k = stance_utf8_decode(mapped + i, (size_t)(m - i), &cp);
        int32_t u = unify_punct(cp);
        if (u != cp) {
            rc = stance_buf_addc(out, (char)u);
        } else {
            rc = stance_buf_add(out, mapped + i, k);
        }
        i += (utf8proc_ssize_t)k;
    }
    free(mapped);
    return rc;
}

/* Normalizes text into out, chunks separated by one space. */
static int normalize(const char *text, size_t len, unsigned flags,
                     stance_buf *out, stance_buf *tmp)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    stance_buf_reset(out);
    if (stance_buf_grow(out, len + 1))
        return STANCE_ENOMEM;
    while (i < len) {
        while (i < len && (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r')))
            i++;
        if (i == len)
            break;
        size_t s = i;
        int ascii = 1;
        while (i < len && !(p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r'))) {
            ascii &= p[i] < 0x80;
            i++;
        }
        if (out->len && stance_buf_addc(out, ' '))
            return STANCE_ENOMEM;
        if (ascii) {
            if (stance_buf_grow(out, i - s))
                return STANCE_ENOMEM;
            char *o = out->data + out->len;
            for (size_t k = s; k < i; k++) {
                unsigned char c = p[k];
                *o++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            out->len += i - s;
            out->data[out->len] = '\0';
            continue;
        }
        int rc = normalize_chunk(p + s, i - s, flags, out, tmp);
        if (rc)
            return rc;
    }
    return 0;
}

/* Character classes of the scanner. */
enum { C_SPACE, C_WORD, C_CJK, C_SYMBOL, C_KEPT_PUNCT, C_OTHER };

static int is_cjk(int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

static int classify_cp(int32_t cp)
{
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
            (cp >= 'A' && cp <= 'Z') || cp == '_')
            return C_WORD;
        if (cp <= ' ' || cp == 0x7F)
            return C_SPACE;
        if (cp == '?' || cp == '!' || cp == '"' || cp == '\'')
            return C_KEPT_PUNCT;
        if (cp == '$' || cp == '+' || cp == '<' || cp == '=' || cp == '>' ||
            cp == '^' || cp == '|' || cp == '~')
            return C_SYMBOL;
        return C_OTHER;
    }
    if (is_cjk(cp))
        return C_CJK;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: case UTF8PROC_CATEGORY_PC:
        return C_WORD;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_CC:
        return C_SPACE;
    case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK: case UTF8PROC_CATEGORY_SO:
        return C_SYMBOL;
    default:
        return C_OTHER;
    }
}

typedef struct {
    const unsigned char *s;
    size_t n;
} scan;

static int32_t cp_at(const scan *sc, size_t i, size_t *k)
{
    int32_t cp;
    if (i >= sc->n) {
        *k = 0;
        return -1;
    }
    if (sc->s[i] < 0x80) {
        *k = 1;
        return sc->s[i];
    }
    *k = stance_utf8_decode(sc->s + i, sc->n - i, &cp);
    return cp;
}

static int class_at(const scan *sc, size_t i)
{
    size_t k;
    int32_t cp = cp_at(sc, i, &k);
    return cp < 0 ? C_SPACE : classify_cp(cp);
}

static int is_digit_at(const scan *sc, size_t i)
{
    return i < sc->n && sc->s[i] >= '0' && sc->s[i] <= '9';
}

static int is_alpha_ascii(unsigned char c) { return c >= 'a' && c <= 'z'; }

/* The end of a URL: the next white space, or a control character, which
 * normalization keeps in place (JSON text can hold \u0001). */
static size_t chunk_end(const scan *sc, size_t i)
{
    size_t k;
    while (i < sc->n && sc->s[i] != ' ') {
        int32_t cp = cp_at(sc, i, &k);
        if (cp < 0 || classify_cp(cp) == C_SPACE)
            break;
        i += k;
    }
    return i;
}

static int has_prefix(const scan *sc, size_t i, const char *p)
{
    size_t n = strlen(p);
    return i + n <= sc->n && memcmp(sc->s + i, p, n) == 0;
}

/* Trailing punctuation that closes a sentence rather than a URL. */
static size_t trim_trailing(const scan *sc, size_t s, size_t e)
{
    while (e > s && strchr(".,;:!?)]}\"'", sc->s[e - 1]))
        e--;
    return e;
}

static size_t match_url(const scan *sc, size_t i)
{
    if (!has_prefix(sc, i, "http://") && !has_prefix(sc, i, "https://") &&
        !has_prefix(sc, i, "www."))
        return 0;
    size_t e = trim_trailing(sc, i, chunk_end(sc, i));
    return e > i + 4 ? e - i : 0;
}

static int is_email_local(unsigned char c)
{
    return is_alpha_ascii(c) || (c >= '0' && c <= '9') || (c && strchr("._%+-", c));
}

static size_t match_email(const scan *sc, size_t i)
{
    size_t k = i;
    while (k < sc->n && sc->s[k] != '@' && is_email_local(sc->s[k]))
        k++;
    if (k == i || k >= sc->n || sc->s[k] != '@')
        return 0;
    size_t d = ++k, last_dot = 0;
    while (k < sc->n && (is_alpha_ascii(sc->s[k]) || is_digit_at(sc, k) ||
                         sc->s[k] == '-' || sc->s[k] == '.'))
        k++;
    while (k > d && (sc->s[k - 1] == '.' || sc->s[k - 1] == '-'))
        k--;
    for (size_t j = d; j < k; j++)
        if (sc->s[j] == '.')
            last_dot = j;
    /* a dot inside the domain with two or more characters after it */
    if (!last_dot || last_dot == d || last_dot + 2 >= k + 1)
        return 0;
    return k - i;
}

/* A word: letters, marks, digits and underscores, with an apostrophe or
 * hyphen kept inside when a word character follows ("don't", "pro-police",
 * "o'brien"), a dot or comma kept between digits ("1,200", "3.5"), a
 * trailing "%" after a number, a statute reference like "287(g)", and
 * dotted initials kept whole ("u.s."). */
static size_t match_word(const scan *sc, size_t i)
{
    size_t k, e = i;
    /* dotted initials */
    if (i + 3 < sc->n && is_alpha_ascii(sc->s[i]) && sc->s[i + 1] == '.' &&
        is_alpha_ascii(sc->s[i + 2]) && sc->s[i + 3] == '.') {
        while (e + 1 < sc->n && is_alpha_ascii(sc->s[e]) && sc->s[e + 1] == '.')
            e += 2;
        return e - i;
    }
    int all_digits = 1;
    while (e < sc->n) {
        int32_t cp = cp_at(sc, e, &k);
        if (classify_cp(cp) == C_WORD) {
            all_digits &= cp >= '0' && cp <= '9';
            e += k;
            continue;
        }
        if ((cp == '\'' || cp == '-') && class_at(sc, e + 1) == C_WORD) {
            all_digits = 0;
            e += 1;
            continue;
        }
        if ((cp == '.' || cp == ',') && e > i && is_digit_at(sc, e - 1) &&
            is_digit_at(sc, e + 1)) {
            e += 1;
            continue;
        }
        if (cp == '%' && e > i && is_digit_at(sc, e - 1)) {
            e += 1;
            break;
        }
        if (cp == '(' && all_digits && e + 2 < sc->n) {
            size_t j = e + 1;
            while (j < sc->n && j < e + 4 &&
                   (is_alpha_ascii(sc->s[j]) || is_digit_at(sc, j)))
                j++;
            if (j > e + 1 && j < sc->n && sc->s[j] == ')') {
                e = j + 1;
                break;
            }
        }
        break;
    }
    return e - i;
}

/* A symbol with what clings to it: emoji modifiers, variation selectors
 * and zero-width-joined sequences stay one token. */
static size_t match_symbol(const scan *sc, size_t i)
{
    size_t k, e = i;
    cp_at(sc, e, &k);
    e += k;
    for (;;) {
        int32_t cp = cp_at(sc, e, &k);
        if (cp < 0)
            break;
        if ((cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB && cp <= 0x1F3FF) ||
            cp == 0x20E3 || (cp >= 0xE0020 && cp <= 0xE007F)) {
            e += k;
        } else if (cp == 0x200D) {
            size_t k2;
            int32_t next = cp_at(sc, e + k, &k2);
            if (next < 0 || classify_cp(next) == C_SPACE)
                break;
            e += k + k2;
        } else {
            break;
        }
    }
    return e - i;
}

int stance_tokenize(const char *text, size_t len, unsigned flags,
                    stance_tokens *toks)
{
    stance_buf norm = {0}, tmp = {0};
    int rc;

    stance_tokens_clear(toks);
    rc = normalize(text, len, flags, &norm, &tmp);
    if (rc)
        goto out;
    scan sc = {(const unsigned char *)norm.data, norm.len};
    for (size_t i = 0; i < sc.n && !rc;) {
        size_t k;
        int32_t cp = cp_at(&sc, i, &k);
        int cls = classify_cp(cp);
        size_t m = 0;
        unsigned char c = sc.s[i];
        if (cls == C_SPACE || cp == 0x200D) {
            i += k;
            continue;
        }
        if (c == 'h' || c == 'w')
            m = match_url(&sc, i);
        if (!m && (cls == C_WORD || c == '.') && (i == 0 || sc.s[i - 1] == ' ' ||
                                                  class_at(&sc, i - 1) != C_WORD))
            m = match_email(&sc, i);
        if (!m && (c == '@' || c == '#') && class_at(&sc, i + 1) == C_WORD) {
            m = 1 + match_word(&sc, i + 1);
        }
        if (m) {
            rc = stance_tokens_add(toks, (const char *)sc.s + i, m);
            i += m;
            continue;
        }
        switch (cls) {
        case C_WORD:
            m = match_word(&sc, i);
            rc = stance_tokens_add(toks, (const char *)sc.s + i, m);
            i += m;
            break;
        case C_CJK:
            rc = stance_tokens_add(toks, (const char *)sc.s + i, k);
            i += k;
            break;
        case C_SYMBOL:
            m = match_symbol(&sc, i);
            rc = stance_tokens_add(toks, (const char *)sc.s + i, m);
            i += m;
            break;
        case C_KEPT_PUNCT:
            if (!(flags & STANCE_TOK_NO_PUNCT))
                rc = stance_tokens_add(toks, c == '\'' ? "\"" : (const char *)sc.s + i, 1);
            i += k;
            break;
        default:
            i += k;
        }
    }
out:
    stance_buf_release(&norm);
    stance_buf_release(&tmp);
    return rc;
}

int stance_tokens_add(stance_tokens *toks, const char *s, size_t n)
{
    if (toks->n == toks->cap) {
        size_t cap = toks->cap ? toks->cap * 2 : 64;
        size_t *st = realloc(toks->start, cap * sizeof *st);
        if (!st)
            return STANCE_ENOMEM;
        toks->start = st;
        size_t *ln = realloc(toks->len, cap * sizeof *ln);
        if (!ln)
            return STANCE_ENOMEM;
        toks->len = ln;
        toks->cap = cap;
    }
    if (toks->n && stance_buf_addc(&toks->text, ' '))
        return STANCE_ENOMEM;
    toks->start[toks->n] = toks->text.len;
    toks->len[toks->n] = n;
    if (stance_buf_add(&toks->text, s, n))
        return STANCE_ENOMEM;
    toks->n++;
    return 0;
}

void stance_tokens_clear(stance_tokens *toks)
{
    stance_buf_reset(&toks->text);
    toks->n = 0;
}

void stance_tokens_release(stance_tokens *toks)
{
    stance_buf_release(&toks->text);
    free(toks->start);
    free(toks->len);
    memset(toks, 0, sizeof *toks);
}
