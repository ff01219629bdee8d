/* cli_records.c: reading a record's n-gram counts, shared by `train` and
 * `classify`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_record_counts(const stance_record *rec, stance_ngram_counts *counts,
                      stance_ngram_config *cfg, char *err)
{
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(rec->root, "ngrams");
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(rec->root, "ngram_config");
    if (!cJSON_IsObject(obj)) {
        snprintf(err, STANCE_ERRBUF, "field 'ngrams' is not an object");
        return STANCE_EDATA;
    }
    if (!cJSON_IsString(conf) || stance_ngram_config_parse(conf->valuestring, cfg)) {
        snprintf(err, STANCE_ERRBUF,
                 "record has 'ngrams' but no valid 'ngram_config' (like \"w1-3 c2-5\")");
        return STANCE_EDATA;
    }
    if (rec->ngrams_fast && !counts)
        return 0; /* the caller reads rec->ngrams itself */
    stance_keymap_clear(&counts->keys);
    if (rec->ngrams_fast) {
        for (size_t i = 0; i < rec->nngrams; i++) {
            const stance_ngram_ref *g = &rec->ngrams[i];
            uint32_t id;
            int added;
            if (stance_keymap_intern(&counts->keys, g->kind, g->key, g->len, g->hash, &id,
                                     &added))
                return STANCE_ENOMEM;
            if (added) {
                if (STANCE_ARRAY_GROW(counts->count, counts->count_cap, (size_t)id + 1))
                    return STANCE_ENOMEM;
                counts->count[id] = 0;
            }
            counts->count[id] += g->count;
        }
        return 0;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        const char *k = item->string;
        size_t len = strlen(k);
        if (len < 3 || k[1] != ':' ||
            (k[0] != STANCE_NGRAM_WORD && k[0] != STANCE_NGRAM_CHAR)) {
            snprintf(err, STANCE_ERRBUF, "n-gram key '%.60s' lacks a w: or c: prefix", k);
            return STANCE_EDATA;
        }
        if (!cJSON_IsNumber(item) || item->valuedouble < 1 ||
            item->valuedouble > 4e9 || item->valuedouble != floor(item->valuedouble)) {
            snprintf(err, STANCE_ERRBUF,
                     "n-gram '%.60s' has a count that is not a whole number >= 1", k);
            return STANCE_EDATA;
        }
        uint32_t id;
        int added;
        if (stance_keymap_intern(&counts->keys, k[0], k + 2, len - 2,
                                 stance_hash(k[0], k + 2, len - 2), &id, &added))
            return STANCE_ENOMEM;
        if (added) {
            if (STANCE_ARRAY_GROW(counts->count, counts->count_cap, (size_t)id + 1))
                return STANCE_ENOMEM;
            counts->count[id] = 0;
        }
        /* a key given twice adds up, as two occurrences would */
        counts->count[id] += (uint32_t)item->valuedouble;
    }
    return 0;
}

int cli_record_label(const stance_record *rec, const char *field,
                     const char **label, char *err)
{
    int present;
    *label = stance_record_string(rec, field, &present);
    if (!*label || !**label) {
        snprintf(err, STANCE_ERRBUF, !present ? "missing label field '%.60s'"
                                     : *label ? "label field '%.60s' is empty"
                                              : "label field '%.60s' is not a string",
                 field);
        return STANCE_EDATA;
    }
    return 0;
}
