/* report.h: the style sheet and script of the page `stance report` writes
 * (report_assets.c). */
#ifndef STANCE_REPORT_H
#define STANCE_REPORT_H

extern const char report_css[];
extern const char report_js[];

#endif
