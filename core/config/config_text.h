/*
 * config_text - the text libconfig parses: the main file with every @include spliced in,
 * each file read through fr_read_regular and the whole held to the documented limits
 * (docs/man/orderhub.conf.5, LIMITS) BEFORE libconfig sees a byte of it.
 *
 * Why not let libconfig open the includes: libconfig 1.5 (Debian 12) fopen()s them itself
 * with no hook (config_set_include_func came in 1.7), so an @include naming a FIFO hung the
 * daemon.  Why the limits: libconfig looks a new setting's name up linearly among its
 * siblings (a 40,000-member group is quadratic: over a minute) and its scanner re-reads a
 * long token at every buffer refill (a 10 MB string: over a minute).  Parsing the text
 * from memory (config_read_string) avoids the refills; the limits bound the rest.
 *
 * Diagnostics keep naming the real file and line: the spliced text carries a line map,
 * and ct_relocate moves every parsed setting back to its own file:line.  Included files
 * are named as their @include wrote them (relative to the main file's directory), the
 * main file by its absolute path - as libconfig did.
 */
#ifndef OH_CONFIG_TEXT_H
#define OH_CONFIG_TEXT_H

#include "util/diag.h"

#include <libconfig.h>
#include <stddef.h>

/* The limits (documented in orderhub.conf(5), LIMITS; the man page gives the reasons). */
#define CT_MAX_TOTAL_BYTES (1024 * 1024)   /* the main file and all its includes together */
#define CT_MAX_INCLUDE_DEPTH 10            /* @include inside an included file, nested */
#define CT_MAX_INCLUDES 64                 /* @include directives in all */
#define CT_MAX_STRING_BYTES (64 * 1024)    /* one string value, adjacent pieces together */
#define CT_MAX_GROUP_SETTINGS 256          /* settings directly inside one { } group */
#define CT_MAX_ENTRIES 50000               /* settings and list/array elements in all */
#define CT_MAX_NESTING 32                  /* groups, lists and arrays inside each other */

typedef struct ct_segment {
    int merged_line; /* first line of the segment in the spliced text */
    int file_index;  /* into files[] */
    int file_line;   /* its line in that file */
} ct_segment;

typedef struct ct_text {
    char *text;          /* the spliced text, NUL-terminated; owned */
    size_t len, cap;
    ct_segment *segs;    /* owned, in merged_line order */
    size_t seg_count, seg_cap;
    char **files;        /* owned names: files[0] is the main file; settings point here */
    size_t file_count, file_cap;
    int lines;           /* newlines in text so far */
} ct_text;

/*
 * ct_load - read `main_path` (absolute) and its includes (relative ones under base_dir)
 * into t (zero-initialised by the caller).  0, or -1 with one error in `d` at the file:line
 * that broke a rule.  ct_free(t) in both cases.
 */
int ct_load(ct_text *t, const char *main_path, const char *base_dir, diag_list *d);

/* ct_locate - the file and line of line `merged_line` of the spliced text. */
void ct_locate(const ct_text *t, int merged_line, const char **file, int *line);

/* ct_relocate - give `root` and every setting under it its own file:line (the names live
 * in t, which must outlive the tree). */
void ct_relocate(const ct_text *t, config_setting_t *root);

/* ct_free - free everything; the names too, so only after config_destroy. */
void ct_free(ct_text *t);

#endif
