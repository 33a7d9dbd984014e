#include "config.h"

#include "records.h"

#include <stdlib.h>
#include <string.h>

/*
 * records - freeing what the store hands out (records.h): the same for every backend,
 * since the records are the interface's.
 */

void st_order_clear(st_order *o)
{
    if (o == NULL)
        return;
    free(o->snapshot);
    memset(o, 0, sizeof(*o));
}

void st_events_free(st_event *e, size_t count)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(e[i].data);
    free(e);
}

void st_actions_free(st_action *a, size_t count)
{
    if (a == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(a[i].payload);
    free(a);
}

void st_timers_free(st_timer *t, size_t count)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(t[i].data);
    free(t);
}

void st_idem_clear(st_idem *i)
{
    if (i == NULL)
        return;
    free(i->response);
    memset(i, 0, sizeof(*i));
}

void st_strings_free(char **v, size_t count)
{
    for (size_t i = 0; v != NULL && i < count; i++)
        free(v[i]);
    free(v);
}

void st_document_clear(st_document *d)
{
    free(d->data);
    memset(d, 0, sizeof(*d));
}
