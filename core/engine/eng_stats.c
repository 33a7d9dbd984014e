#include "config.h"

#include "eng_stats.h"

#include <stdio.h>
#include <string.h>

void eng_stats_attempt(engine *e, const char *instance, int outcome)
{
    pthread_mutex_lock(&e->stats_lock);
    eng_stats *s = &e->stats;
    size_t i = 0;
    while (i < s->instance_count && strcmp(s->instances[i].instance, instance) != 0)
        i++;
    if (i == s->instance_count && i < sizeof(s->instances) / sizeof(s->instances[0])) {
        snprintf(s->instances[i].instance, sizeof(s->instances[i].instance), "%s", instance);
        s->instance_count++;
    }
    if (i < s->instance_count) {
        eng_instance_stats *is = &s->instances[i];
        uint64_t *n = outcome == 0 ? &is->ok : outcome == 1 ? &is->retry : &is->fail;
        (*n)++;
    }
    pthread_mutex_unlock(&e->stats_lock);
}
