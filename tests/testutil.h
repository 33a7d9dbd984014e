/* testutil - small helpers shared by the Check suites: temp dirs, files, diagnostics. */
#ifndef OH_TESTUTIL_H
#define OH_TESTUTIL_H

#include "util/diag.h"

#include <check.h>
#include <stddef.h>

/* tu_tmpdir - a fresh directory under $TMPDIR (removed by tu_rmdir). */
char *tu_tmpdir(void);
void tu_rmdir(char *dir);

/* tu_write - write `text` to dir/name (creating it); returns the path (free it). */
char *tu_write(const char *dir, const char *name, const char *text);

/* tu_read - the whole file as a string (free it), or NULL. */
char *tu_read(const char *path);

/* tu_env - an environment variable the test harness must set (aborts the test if not). */
const char *tu_env(const char *name);

/* tu_diag_has - nonzero when an entry of d contains `needle`. */
int tu_diag_has(const diag_list *d, const char *needle);

/* tu_diag_dump - the entries joined by newlines, for failure messages (static buffer). */
const char *tu_diag_dump(const diag_list *d);

/* tu_run - run the suite (freed), print Check's summary; the process exit status. */
int tu_run(Suite *s);

#endif
