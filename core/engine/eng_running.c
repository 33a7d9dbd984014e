#include "config.h"

#include "eng_running.h"

#include <stdlib.h>

int eng_running_add(engine *e, int64_t id)
{
    int added = 1;
    pthread_mutex_lock(&e->running_lock);
    for (size_t i = 0; i < e->running_count && added; i++)
        added = e->running[i] != id;
    if (added && e->running_count == e->running_cap) {
        size_t cap = e->running_cap ? e->running_cap * 2 : 64;
        int64_t *r = realloc(e->running, cap * sizeof(*r));
        if (r == NULL) {
            added = 0; /* run it on a later claim */
        } else {
            e->running = r;
            e->running_cap = cap;
        }
    }
    if (added)
        e->running[e->running_count++] = id;
    pthread_mutex_unlock(&e->running_lock);
    return added;
}

void eng_running_remove(engine *e, int64_t id)
{
    pthread_mutex_lock(&e->running_lock);
    for (size_t i = 0; i < e->running_count; i++) {
        if (e->running[i] == id) {
            e->running[i] = e->running[--e->running_count];
            break;
        }
    }
    pthread_mutex_unlock(&e->running_lock);
}
