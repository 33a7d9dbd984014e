#include "config.h"

#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_add(diag_list *d, diag_severity sev, const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    char *text = NULL;
    int n = (file != NULL) ? asprintf(&text, "%s:%d: %s", file, line, msg)
                           : asprintf(&text, "%s", msg);
    if (n < 0) {
        d->oom = 1;
        return;
    }
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        diag_entry *items = realloc(d->items, cap * sizeof(*items));
        if (items == NULL) {
            free(text);
            d->oom = 1;
            return;
        }
        d->items = items;
        d->cap = cap;
    }
    d->items[d->count].severity = sev;
    d->items[d->count].text = text;
    d->count++;
    if (sev == DIAG_ERROR)
        d->errors++;
}

int diag_failed(const diag_list *d)
{
    return d->errors > 0 || d->oom;
}

void diag_free(diag_list *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->items[i].text);
    free(d->items);
    memset(d, 0, sizeof(*d));
}
