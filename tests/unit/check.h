/* check.h: the unit tests' one assertion: it reports file and line, counts,
 * and keeps going, so one run shows every failure. */
#ifndef STANCE_CHECK_H
#define STANCE_CHECK_H

#include <stdio.h>

extern int check_failed, check_passed;

#define CHECK(name, cond)                                                   \
    do {                                                                    \
        if (cond) {                                                         \
            check_passed++;                                                 \
            printf("PASS %s\n", name);                                      \
        } else {                                                            \
            check_failed++;                                                 \
            printf("FAIL %s (%s:%d: %s)\n", name, __FILE__, __LINE__, #cond); \
        }                                                                   \
    } while (0)

#endif
