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

static uint64_t load32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

uint64_t stance_hash(int kind, const char *key, size_t len)
{
    const unsigned char *p = (const unsigned char *)key;
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)kind << 56) ^ len;
    size_t n = len;
    while (n > 8) {
        h = (h ^ load64(p)) * 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    /* the last 1 to 8 bytes by whole loads that may overlap bytes already
     * mixed, never by copying bytes into a word: that store-to-load round
     * trip stalled every hash (a seventh of its time); len is mixed in, so
     * keys of different lengths still differ */
    uint64_t tail;
    if (len >= 8)
        tail = load64(p + n - 8);
    else if (n >= 4)
        tail = load32(p) | load32(p + n - 4) << 32;
    else if (n > 0)
        tail = p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
    else
        tail = 0;
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    h = mix(h);
    return h | 1; /* 0 marks an empty slot */
}

/* The key a slot names, compared through the pool alone: its length and id
 * share the key's cache line, so a hit waits on one load after the slot's,
 * not on key_len[] and key_off[] first. Returns the id, or -1. */
static long slot_match(const stance_keymap *m, stance_keymap_slot slot, int kind,
                       const char *key, size_t len)
{
    const char *k = m->pool.data + slot.off;
    uint32_t klen, id;
    memcpy(&klen, k - 4, 4);
    if (klen != len + 1 || k[0] != (char)kind || memcmp(k + 1, key, len) != 0)
        return -1;
    memcpy(&id, k - 8, 4);
    return (long)id;
}

static uint32_t tag_of(uint64_t hash)
{
    return (uint32_t)(hash >> 32) | 1;
}

long stance_keymap_find(const stance_keymap *m, int kind, const char *key,
                        size_t len, uint64_t hash)
{
    if (!m->slots)
        return -1;
    uint32_t tag = tag_of(hash);
    for (size_t s = hash & m->mask;; s = (s + 1) & m->mask) {
        stance_keymap_slot slot = m->slots[s];
        if (slot.tag == 0)
            return -1;
        long id;
        if (slot.tag == tag && (id = slot_match(m, slot, kind, key, len)) >= 0)
            return id;
    }
}

static int rehash(stance_keymap *m, size_t nslots)
{
    stance_keymap_slot *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return STANCE_ENOMEM;
    for (size_t id = 0; id < m->n; id++) {
        size_t t = m->key_hash[id] & (nslots - 1);
        while (slots[t].tag)
            t = (t + 1) & (nslots - 1);
        slots[t] = (stance_keymap_slot){tag_of(m->key_hash[id]), m->key_off[id]};
    }
    free(m->slots);
    m->slots = slots;
    m->mask = nslots - 1;
    return 0;
}

int stance_keymap_intern(stance_keymap *m, int kind, const char *key,
                         size_t len, uint64_t hash, uint32_t *id, int *added)
{
    if (added)
        *added = 0;
    /* a low load keeps misses, the common case when looking up n-grams in
     * a vocabulary, to one or two probes */
    unsigned sparse = m->sparse ? m->sparse : 1;
    if (!m->slots || ((m->n + 1) << sparse) > m->mask + 1) {
        size_t nslots = m->slots ? m->mask + 1 : 64;
        while (((m->n + 1) << sparse) > nslots)
            nslots *= 2;
        if (rehash(m, nslots))
            return STANCE_ENOMEM;
    }
    uint32_t tag = tag_of(hash);
    size_t s = hash & m->mask;
    for (;; s = (s + 1) & m->mask) {
        stance_keymap_slot slot = m->slots[s];
        if (slot.tag == 0)
            break;
        long found;
        if (slot.tag == tag && (found = slot_match(m, slot, kind, key, len)) >= 0) {
            *id = (uint32_t)found;
            return 0;
        }
    }
    if (len >= UINT32_MAX || m->pool.len + len + 9 >= UINT32_MAX ||
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
        uint64_t *kh = realloc(m->key_hash, cap * sizeof *kh);
        if (!kh)
            return STANCE_ENOMEM;
        m->key_hash = kh;
        m->cap = cap;
    }
    uint32_t header[2] = {(uint32_t)m->n, (uint32_t)len + 1};
    uint32_t off = (uint32_t)m->pool.len + sizeof header;
    if (stance_buf_add(&m->pool, (const char *)header, sizeof header) ||
        stance_buf_addc(&m->pool, (char)kind) || stance_buf_add(&m->pool, key, len))
        return STANCE_ENOMEM;
    m->key_off[m->n] = off;
    m->key_len[m->n] = (uint32_t)len + 1;
    m->key_hash[m->n] = hash;
    m->slots[s] = (stance_keymap_slot){tag, off};
    *id = (uint32_t)m->n++;
    if (added)
        *added = 1;
    return 0;
}

void stance_keymap_clear(stance_keymap *m)
{
    if (m->slots && m->n)
        memset(m->slots, 0, (m->mask + 1) * sizeof *m->slots);
    m->n = 0;
    stance_buf_reset(&m->pool);
}

void stance_keymap_release(stance_keymap *m)
{
    free(m->slots);
    free(m->key_off);
    free(m->key_len);
    free(m->key_hash);
    stance_buf_release(&m->pool);
    memset(m, 0, sizeof *m);
}

int stance_keymap_key(const stance_keymap *m, uint32_t id, stance_buf *out)
{
    const char *k = m->pool.data + m->key_off[id];
    return stance_ngram_key_append(out, k[0], k + 1, m->key_len[id] - 1);
}
