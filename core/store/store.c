#include "config.h"

#include "store.h"
#include "store_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * store - the front of the store: store_open picks the backend store_options.driver names
 * and every other function hands its call to that backend's table (store_backend.h).  One
 * indirect call per operation is all it adds, on the group-commit path too.
 */

static const store_backend *const backends[] = {&st_sqlite_backend};
#define BACKEND_COUNT (sizeof(backends) / sizeof(backends[0]))

/* A NULL store is handed to the first backend as a NULL handle: it refuses it the way
 * store.h says (outputs cleared, err set, -1). */
#define BACKEND(s) ((s) != NULL ? (s)->backend : backends[0])
#define IMPL(s) ((s) != NULL ? (s)->impl : NULL)

static const store_backend *backend_named(const char *driver, char *names, size_t len)
{
    const store_backend *b = NULL;
    if (names != NULL && len > 0)
        names[0] = '\0';
    for (size_t i = 0; i < BACKEND_COUNT; i++) {
        if (driver != NULL && strcmp(backends[i]->name, driver) == 0)
            b = backends[i];
        if (names != NULL && len > 0) {
            size_t used = strlen(names);
            snprintf(names + used, len - used, "%s%s", i ? ", " : "", backends[i]->name);
        }
    }
    return b;
}

int store_driver_known(const char *driver, char *names, size_t len)
{
    return backend_named(driver, names, len) != NULL;
}

int store_open(const store_options *opts, store **out, char *err, size_t errlen)
{
    if (out != NULL)
        *out = NULL;
    const char *driver = opts != NULL && opts->driver != NULL && opts->driver[0] != '\0'
                             ? opts->driver
                             : "sqlite";
    char names[128];
    const store_backend *b = backend_named(driver, names, sizeof(names));
    if (b == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "unknown store driver '%s' (this build has: %s)", driver,
                     names);
        return -1;
    }
    if (out == NULL)
        return b->open(opts, NULL, err, errlen); /* refused with the backend's message */
    store *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->backend = b;
    if (b->open(opts, &s->impl, err, errlen) != 0) {
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    s->backend->close(s->impl);
    free(s);
}

int store_actions_claim(store *s, int64_t now_ms, const char *owner, int64_t lease_ms,
                        size_t max, st_action **out, size_t *count, char *err, size_t errlen)
{
    return BACKEND(s)->actions_claim_for(IMPL(s), now_ms, owner, lease_ms, NULL, max, out,
                                         count, err, errlen);
}

int64_t store_next_due_ms(store *s)
{
    char err[ST_ERROR_MAX];
    int64_t due = INT64_MAX;
    return store_next_due(s, &due, err, sizeof(err)) == 0 ? due : INT64_MAX;
}

int store_schema_version(store *s)
{
    return BACKEND(s)->schema_version(IMPL(s));
}

void store_stats(store *s, uint64_t *units, uint64_t *batches)
{
    BACKEND(s)->stats(IMPL(s), units, batches);
}

void store_health(store *s, st_health *out)
{
    BACKEND(s)->health(IMPL(s), out);
}

int store_check(store *s, char *problems, size_t plen, int64_t *took_ms, char *err, size_t errlen)
{
    return BACKEND(s)->check(IMPL(s), problems, plen, took_ms, err, errlen);
}

void store_check_cancel(store *s)
{
    BACKEND(s)->check_cancel(IMPL(s));
}

int store_submit(store *s, st_unit *u)
{
    return BACKEND(s)->submit(IMPL(s), u);
}

int store_commit(store *s, st_unit *u, char *err, size_t errlen)
{
    return BACKEND(s)->commit(IMPL(s), u, err, errlen);
}

int store_action_replay(store *s, int64_t id, int64_t now_ms, char *err, size_t errlen)
{
    return BACKEND(s)->action_replay(IMPL(s), id, now_ms, err, errlen);
}

int store_order_get(store *s, const char *id, st_order *out, char *err, size_t errlen)
{
    return BACKEND(s)->order_get(IMPL(s), id, out, err, errlen);
}

int store_events(store *s, const char *order_id, st_event **out, size_t *count, char *err,
                 size_t errlen)
{
    return BACKEND(s)->events(IMPL(s), order_id, out, count, err, errlen);
}

int store_actions_claim_for(store *s, int64_t now_ms, const char *owner, int64_t lease_ms,
                            const char *instance, size_t max, st_action **out, size_t *count,
                            char *err, size_t errlen)
{
    return BACKEND(s)->actions_claim_for(IMPL(s), now_ms, owner, lease_ms, instance, max, out,
                                         count, err, errlen);
}

int store_actions_sending(store *s, const int64_t *ids, size_t n, const char *owner,
                          int64_t until_ms, st_lease_fn done, void *arg)
{
    return BACKEND(s)->actions_sending(IMPL(s), ids, n, owner, until_ms, done, arg);
}

int store_actions_renew(store *s, const int64_t *ids, size_t n, const char *owner,
                        int64_t until_ms, size_t *renewed, char *err, size_t errlen)
{
    return BACKEND(s)->actions_renew(IMPL(s), ids, n, owner, until_ms, renewed, err, errlen);
}

int store_action_instances(store *s, char ***out, size_t *count, char *err, size_t errlen)
{
    return BACKEND(s)->action_instances(IMPL(s), out, count, err, errlen);
}

int store_actions_dead(store *s, st_action **out, size_t *count, char *err, size_t errlen)
{
    return BACKEND(s)->actions_dead(IMPL(s), out, count, err, errlen);
}

int store_timers_claim(store *s, const char *owner, int64_t now_ms, int64_t lease_ms, size_t max,
                       st_timer **out, size_t *count, char *err, size_t errlen)
{
    return BACKEND(s)->timers_claim(IMPL(s), owner, now_ms, lease_ms, max, out, count, err, errlen);
}

int store_next_due(store *s, int64_t *due_ms, char *err, size_t errlen)
{
    return BACKEND(s)->next_due(IMPL(s), due_ms, err, errlen);
}

int store_tracking_order(store *s, const char *carrier, const char *number, char *order_id,
                         char *err, size_t errlen)
{
    return BACKEND(s)->tracking_order(IMPL(s), carrier, number, order_id, err, errlen);
}

int store_document_get(store *s, const char *order_id, const char *name, st_document *out,
                       char *err, size_t errlen)
{
    return BACKEND(s)->document_get(IMPL(s), order_id, name, out, err, errlen);
}

int store_idem_get(store *s, const char *key, st_idem *out, char *err, size_t errlen)
{
    return BACKEND(s)->idem_get(IMPL(s), key, out, err, errlen);
}

int store_kv_set(store *s, const char *instance, const char *key, const char *value,
                 size_t max_keys, char *err, size_t errlen)
{
    return BACKEND(s)->kv_set(IMPL(s), instance, key, value, max_keys, err, errlen);
}

int store_kv_get(store *s, const char *instance, const char *key, char **value, char *err,
                 size_t errlen)
{
    return BACKEND(s)->kv_get(IMPL(s), instance, key, value, err, errlen);
}

int store_orders_list(store *s, const st_order_filter *f, const char *cursor, size_t limit,
                      st_order_row **out, size_t *count, char *next_cursor, size_t next_len,
                      char *err, size_t errlen)
{
    return BACKEND(s)->orders_list(IMPL(s), f, cursor, limit, out, count, next_cursor, next_len,
                                   err, errlen);
}

int store_counts(store *s, st_counts *out, char *err, size_t errlen)
{
    return BACKEND(s)->counts(IMPL(s), out, err, errlen);
}

int store_stock_get(store *s, const char *seller_id, const char *sku, st_stock *out, char *err,
                    size_t errlen)
{
    return BACKEND(s)->stock_get(IMPL(s), seller_id, sku, out, err, errlen);
}

int store_payment_get(store *s, const char *order_id, st_payment *out, char *err,
                      size_t errlen)
{
    return BACKEND(s)->payment_get(IMPL(s), order_id, out, err, errlen);
}

int store_ledger_list(store *s, const char *seller_id, const char *currency, int64_t from_ms,
                      int64_t to_ms, int64_t after_id, size_t limit, st_ledger_entry **out,
                      size_t *count, char *err, size_t errlen)
{
    return BACKEND(s)->ledger_list(IMPL(s), seller_id, currency, from_ms, to_ms, after_id,
                                   limit, out, count, err, errlen);
}

int store_ledger_balance(store *s, const char *seller_id, st_ledger_balance *out,
                         size_t *count, char *err, size_t errlen)
{
    return BACKEND(s)->ledger_balance(IMPL(s), seller_id, out, count, err, errlen);
}

int store_stock_list(store *s, const char *seller_id, const char *after_sku, int low_only,
                     size_t limit, st_stock **out, size_t *count, char *err, size_t errlen)
{
    return BACKEND(s)->stock_list(IMPL(s), seller_id, after_sku, low_only, limit, out, count,
                                  err, errlen);
}
