/* fuzz_record.c: libFuzzer harness for one JSON-lines record: the bytes go
 * through stance_record_parse as cli_read_records hands them over, then
 * every field reader the stages use (text, tokens, n-gram counts, label)
 * runs on the parsed record, and a training set takes it in as `train`
 * would. The record written back (stance_record_open with and without
 * dropped members, plus a member of our own) must parse again as a valid
 * record with the expected number of members: what a stage prints is
 * always valid JSON lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* cli.c's help needs the command table, which lives beside main. */
const cli_command cli_commands[] = {{NULL, NULL, NULL, NULL, NULL}};

#define REQUIRE(cond)                                                       \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "fuzz_record: %s:%d: %s\n", __FILE__, __LINE__, \
                    #cond);                                                 \
            abort();                                                        \
        }                                                                   \
    } while (0)

static stance_record rec, again;

/* Writes rec back without the members named in drop, adds one member,
 * and checks that the result is a record again. */
static void round_trip(const char *const *drop)
{
    stance_buf out = {0};
    char err[STANCE_ERRBUF];
    int has;
    size_t dropped = 0;
    for (size_t i = 0; drop && i < rec.nmembers; i++)
        for (const char *const *d = drop; *d; d++) {
            const record_member *m = &rec.members[i];
            size_t n = m->key_end - m->key - 2;
            if (strlen(*d) == n && !memcmp(rec.raw + m->key + 1, *d, n))
                dropped++;
        }
    if (stance_record_open(&rec, drop, &out, &has) ||
        (has && stance_buf_addc(&out, ',')) ||
        stance_buf_adds(&out, "\"fuzz_added\":[1,\"x\"]}\n"))
        goto out;
    REQUIRE(out.len == strlen(out.data));
    int rc = stance_record_parse(&again, out.data, out.len, err);
    if (rc) {
        /* the only way out is a key we add that the input already had */
        REQUIRE(rc == STANCE_EDATA && strstr(err, "duplicate key \"fuzz_added\""));
        goto out;
    }
    REQUIRE(again.nmembers == rec.nmembers - dropped + 1);
out:
    stance_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[STANCE_ERRBUF];
    /* cli_read_records gives the parser a NUL-free line it may modify,
     * without blank lines */
    if (memchr(data, '\0', size) || memchr(data, '\n', size))
        return 0;
    char *line = malloc(size + 2);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\n';
    line[size + 1] = '\0';

    stance_tokens toks = {0};
    stance_ngram_counts counts = {0};
    stance_trainset *ts = NULL;
    stance_train_options opt;
    stance_train_options_default(&opt);

    err[0] = '\0';
    int rc = stance_record_parse(&rec, line, size + 1, err);
    if (rc) {
        REQUIRE(rc == STANCE_EDATA && err[0]);
        goto out;
    }
    REQUIRE(cJSON_IsObject(rec.root));
    REQUIRE(rec.nmembers == (size_t)cJSON_GetArraySize(rec.root));

    const char *text, *label;
    if (cli_record_text(&rec, &text, err) == 0)
        REQUIRE(text != NULL);
    rc = cli_record_tokens(&rec, 0, &toks, err);
    REQUIRE(rc == 0 || rc == STANCE_EDATA || rc == STANCE_ENOMEM);
    stance_ngram_config cfg;
    rc = cli_record_counts(&rec, &counts, &cfg, err);
    REQUIRE(rc == 0 || rc == STANCE_EDATA || rc == STANCE_ENOMEM);
    if (rc == 0 && stance_trainset_new(&opt, &ts) == 0 &&
        cli_record_label(&rec, "stance", &label, err) == 0)
        REQUIRE(stance_trainset_add(ts, &counts, label) == 0);

    static const char *const drop_tokens[] = {"tokens", NULL};
    static const char *const drop_ngrams[] = {"ngram_config", "ngrams", NULL};
    static const char *const drop_pred[] = {"pred", NULL};
    round_trip(NULL);
    round_trip(drop_tokens);
    round_trip(drop_ngrams);
    round_trip(drop_pred);
out:
    stance_record_release(&rec);
    stance_record_release(&again);
    stance_tokens_release(&toks);
    stance_ngram_counts_release(&counts);
    stance_trainset_free(&ts);
    free(line);
    return 0;
}
