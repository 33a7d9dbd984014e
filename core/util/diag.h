/*
 * diag - a list of diagnostics (errors and warnings), each one line, most with file:line.
 *
 * Configuration checking reports every problem it finds, not just the first, so the
 * functions that validate take a diag list the caller owns and append to it.
 */
#ifndef OH_DIAG_H
#define OH_DIAG_H

#include <stddef.h>

typedef enum diag_severity { DIAG_ERROR = 0, DIAG_WARNING = 1 } diag_severity;

typedef struct diag_entry {
    diag_severity severity;
    char *text; /* owned by the list: "file:line: message" or "message" */
} diag_entry;

typedef struct diag_list {
    diag_entry *items; /* owned */
    size_t count;
    size_t cap;
    size_t errors;     /* entries with DIAG_ERROR */
    int oom;           /* an entry was lost to an allocation failure (counts as an error) */
} diag_list;

/* Zero-initialise with `diag_list d = {0};`. */

/* diag_add - append "file:line: " (when file != NULL) plus the formatted message. */
void diag_add(diag_list *d, diag_severity sev, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* diag_failed - nonzero when the list holds an error (or lost one to memory). */
int diag_failed(const diag_list *d);

/* diag_free - free every entry; the list is empty and reusable afterwards. */
void diag_free(diag_list *d);

#endif
