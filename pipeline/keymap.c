/* keymap.c: the open-addressing hash table from n-gram keys to dense ids,
 * used both as a model's vocabulary and as a paragraph's n-gram counter.
 * Keys live in one pooled buffer, so interning allocates only when the
 * pool or the table grows, never per n-gram. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint64_t mix(uint64_t v)
{
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    return v;
}

uint64_t stance_hash(int kind, const char *key, size_t len)
{
    const unsigned char *p = (const unsigned char *)key;
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)kind << 56) ^ len;
    while (len >= 8) {
        h = (h ^ load64(p)) * 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 29;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, p, len);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    h = mix(h);
    return h | 1; /* 0 marks an empty slot */
}

static int key_equal(const stance_keymap *m, uint32_t id, int kind,
                     const char *key, size_t len)
{
    const char *k = m->pool.data + m->key_off[id];
    return m->key_len[id] == len + 1 && k[0] == (char)kind &&
           memcmp(k + 1, key, len) == 0;
}

long stance_keymap_find(const stance_keymap *m, int kind, const char *key,
                        size_t len, uint64_t hash)
{
    if (!m->hashes)
        return -1;
    for (size_t s = hash & m->mask;; s = (s + 1) & m->mask) {
        uint64_t h = m->hashes[s];
        if (h == 0)
            return -1;
        if (h == hash && key_equal(m, m->ids[s], kind, key, len))
            return (long)m->ids[s];
    }
}

static int rehash(stance_keymap *m, size_t slots)
{
    uint64_t *hashes = calloc(slots, sizeof *hashes);
    uint32_t *ids = malloc(slots * sizeof *ids);
    if (!hashes || !ids) {
        free(hashes);
        free(ids);
        return STANCE_ENOMEM;
    }
    for (size_t s = 0; m->hashes && s <= m->mask; s++) {
        if (!m->hashes[s])
            continue;
        size_t t = m->hashes[s] & (slots - 1);
        while (hashes[t])
            t = (t + 1) & (slots - 1);
        hashes[t] = m->hashes[s];
        ids[t] = m->ids[s];
    }
    free(m->hashes);
    free(m->ids);
    m->hashes = hashes;
    m->ids = ids;
    m->mask = slots - 1;
    return 0;
}

int stance_keymap_intern(stance_keymap *m, int kind, const char *key,
                         size_t len, uint64_t hash, uint32_t *id, int *added)
{
    if (added)
        *added = 0;
    /* keep the load under one half so misses end fast */
    if (!m->hashes || (m->n + 1) * 2 > m->mask + 1) {
        if (rehash(m, m->hashes ? (m->mask + 1) * 2 : 64))
            return STANCE_ENOMEM;
    }
    size_t s = hash & m->mask;
    for (;; s = (s + 1) & m->mask) {
        uint64_t h = m->hashes[s];
        if (h == 0)
            break;
        if (h == hash && key_equal(m, m->ids[s], kind, key, len)) {
            *id = m->ids[s];
            return 0;
        }
    }
    if (len >= UINT32_MAX || m->pool.len + len + 1 >= UINT32_MAX ||
        m->n >= UINT32_MAX)
        return STANCE_ENOMEM;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        uint32_t *off = realloc(m->key_off, cap * sizeof *off);
        if (!off)
            return STANCE_ENOMEM;
        m->key_off = off;
        uint32_t *ln = realloc(m->key_len, cap * sizeof *ln);
        if (!ln)
            return STANCE_ENOMEM;
        m->key_len = ln;
        m->cap = cap;
    }
    uint32_t off = (uint32_t)m->pool.len;
    if (stance_buf_addc(&m->pool, (char)kind) ||
        stance_buf_add(&m->pool, key, len))
        return STANCE_ENOMEM;
    m->key_off[m->n] = off;
    m->key_len[m->n] = (uint32_t)len + 1;
    m->hashes[s] = hash;
    m->ids[s] = (uint32_t)m->n;
    *id = (uint32_t)m->n++;
    if (added)
        *added = 1;
    return 0;
}

void stance_keymap_clear(stance_keymap *m)
{
    if (m->hashes && m->n)
        memset(m->hashes, 0, (m->mask + 1) * sizeof *m->hashes);
    m->n = 0;
    stance_buf_reset(&m->pool);
}

void stance_keymap_release(stance_keymap *m)
{
    free(m->hashes);
    free(m->ids);
    free(m->key_off);
    free(m->key_len);
    stance_buf_release(&m->pool);
    memset(m, 0, sizeof *m);
}

int stance_keymap_key(const stance_keymap *m, uint32_t id, stance_buf *out)
{
    const char *k = m->pool.data + m->key_off[id];
    return stance_ngram_key_append(out, k[0], k + 1, m->key_len[id] - 1);
}
