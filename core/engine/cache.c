#include "config.h"

#include "cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash_of(const char *id)
{
    uint32_t h = 5381;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = h * 33 + *p;
    return h;
}

static uint32_t bucket_of(const char *id)
{
    return hash_of(id) % CACHE_BUCKETS;
}

static cache_entry *lookup(worker *w, const char *id)
{
    uint32_t h = hash_of(id);
    for (cache_entry *ce = w->buckets[h % CACHE_BUCKETS]; ce != NULL; ce = ce->next) {
        if (ce->hash == h && strcmp(ce->id, id) == 0)
            return ce;
    }
    return NULL;
}

cache_entry *cache_peek(worker *w, const char *id)
{
    return lookup(w, id);
}

cache_entry *cache_add(worker *w, const char *id, json_t *snapshot)
{
    cache_entry *ce = calloc(1, sizeof(*ce));
    if (ce == NULL)
        return NULL;
    snprintf(ce->id, sizeof(ce->id), "%s", id);
    ce->hash = hash_of(id);
    ce->snapshot = snapshot;
    uint32_t b = bucket_of(id);
    ce->next = w->buckets[b];
    w->buckets[b] = ce;
    w->cached++;
    return ce;
}

void cache_drop(worker *w, cache_entry *ce)
{
    cache_entry **p = &w->buckets[bucket_of(ce->id)];
    while (*p != NULL && *p != ce)
        p = &(*p)->next;
    if (*p == ce) {
        *p = ce->next;
        w->cached--;
    }
    json_decref(ce->snapshot);
    free(ce);
}

/* Load (or reload, when a unit failed) an order from the store. */
static cache_entry *load(worker *w, cache_entry *ce, const char *id, char *err, size_t errlen,
                         int *absent)
{
    st_order o;
    char why[ST_ERROR_MAX] = "";
    int rc = store_order_get(w->e->o.store, id, &o, why, sizeof(why));
    if (rc != 0) {
        *absent = rc == 1;
        snprintf(err, errlen, "store: reading order %s: %s", id, why);
        if (ce != NULL)
            cache_drop(w, ce);
        return NULL;
    }
    json_error_t je;
    json_t *snap = json_loads(o.snapshot ? o.snapshot : "", 0, &je);
    if (!json_is_object(snap)) {
        /* A damaged record: an error of the store, never "no such order". */
        snprintf(err, errlen, "store: order %s: the stored snapshot is %s%s", id,
                 snap != NULL ? "not a JSON object" : "not JSON: ", snap != NULL ? "" : je.text);
        json_decref(snap);
        st_order_clear(&o);
        return NULL;
    }
    if (ce == NULL && (ce = cache_add(w, id, NULL)) == NULL) {
        json_decref(snap);
        st_order_clear(&o);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    json_decref(ce->snapshot);
    ce->snapshot = snap;
    snprintf(ce->state, sizeof(ce->state), "%s", o.state);
    ce->version = o.version;
    atomic_store(&ce->stale, 0);
    st_order_clear(&o);
    return ce;
}

cache_entry *cache_get(worker *w, const char *id, char *err, size_t errlen, int *absent)
{
    *absent = 0;
    cache_entry *ce = lookup(w, id);
    if (ce != NULL && !atomic_load(&ce->stale))
        return ce;
    /* A stale entry may still have units in flight: they fail on the version check. */
    if (ce != NULL && atomic_load(&ce->pending) > 0) {
        snprintf(err, errlen, "order %s is being recovered after a failed write; retry", id);
        return NULL;
    }
    return load(w, ce, id, err, errlen, absent);
}

void cache_free_all(worker *w)
{
    for (size_t b = 0; b < CACHE_BUCKETS; b++) {
        while (w->buckets[b] != NULL)
            cache_drop(w, w->buckets[b]);
    }
}

void cache_trim(worker *w)
{
    size_t max = (size_t)w->e->o.cache_orders;
    if (w->cached <= max || w->cached < w->next_trim_at)
        return;
    for (size_t b = 0; b < CACHE_BUCKETS && w->cached > max / 2; b++) {
        cache_entry **p = &w->buckets[b];
        while (*p != NULL && w->cached > max / 2) {
            cache_entry *ce = *p;
            if (atomic_load(&ce->pending) == 0) {
                *p = ce->next;
                w->cached--;
                json_decref(ce->snapshot);
                free(ce);
            } else {
                p = &ce->next;
            }
        }
    }
    /* Orders with units in flight cannot be forgotten: when too many are (a burst of
     * placements), wait for a quarter more orders before scanning the buckets again,
     * rather than scanning them all after every message. */
    w->next_trim_at = w->cached > max / 2 ? w->cached + max / 4 : 0;
}
