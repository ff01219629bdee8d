/* record.h: reading one JSON-lines record and writing it back with fields
 * added (the record reader). */
#ifndef STANCE_RECORD_H
#define STANCE_RECORD_H

#include <cjson/cJSON.h>

#include "internal.h"

#define RECORD_MAX_MEMBERS 4096

typedef struct {
    size_t key, key_end, value_end; /* offsets in raw; key includes quotes */
} record_member;

typedef struct {
    cJSON *root;     /* every member but a well-formed "ngrams" object */
    const char *raw; /* the object's bytes, trimmed */
    size_t raw_len;
    record_member members[RECORD_MAX_MEMBERS];
    size_t nmembers;
    /* A top-level "ngrams" object of "w:"/"c:" keys and positive whole
     * counts is read here without building a cJSON tree (it is most of the
     * bytes of records from `stance ngrams`); root then holds "ngrams": {}.
     * Anything else in "ngrams" goes to cJSON, and ngrams_fast is 0. */
    int ngrams_fast;
    stance_ngram_ref *ngrams;
    size_t nngrams, ngrams_cap;
    stance_buf light;     /* the line with the n-grams left out, for cJSON */
    stance_buf unescaped; /* keys that held escapes */
} stance_record;

/* Parses line[0..len) (it may be modified: the end is cut at the newline).
 * Fails with STANCE_EDATA and a reason in err on: invalid JSON, a value
 * that is not an object, invalid UTF-8, duplicate top-level keys, nesting
 * deeper than 512, a \u0000 or lone surrogate escape. */
int stance_record_parse(stance_record *r, char *line, size_t len, char *err);
/* The string value of field, or NULL when absent or not a string; *present
 * tells the two apart. */
const char *stance_record_string(const stance_record *r, const char *field,
                                 int *present);
/* Appends "{" and every member except those named in drop (NULL-ended),
 * unchanged; the caller appends its own members and "}". */
int stance_record_open(const stance_record *r, const char *const *drop,
                       stance_buf *out, int *has_members);
void stance_record_release(stance_record *r);

#endif
