/*
 * store_backend - the private interface between the store's front (store.c, which
 * implements store.h) and its backends, one folder each under core/store/ (sqlite/ today;
 * on the model of curl's lib/vtls/).  Not for other modules: the engine sees store.h only.
 *
 * A backend is a table of functions, one per operation of store.h, each with store.h's
 * contract (arguments, return values, ownership, threading) word for word, taking the
 * backend's own handle (store_impl, a struct each backend defines in its own files) in
 * place of the store.  The front adds nothing but the dispatch: one indirect call per
 * operation.  What store.h says of NULL arguments holds for a NULL handle too.
 *
 * What a backend must give (docs/architecture.md §12): the unit semantics (one
 * transaction per unit, the version check, a failing unit rolled back alone, group
 * commit), claims of actions and timers with leases as store operations atomic between
 * processes, and durable writes once a done callback or a waiting call reports success.
 *
 * Adding one: a folder core/store/<name>/ with its sources in core/store/store.am, its
 * table below and in `backends` of store.c; then its name in STORE_DRIVERS
 * (tests/store_suite.h) runs the store suite (tests/check_store.c) against it.
 */
#ifndef OH_STORE_BACKEND_H
#define OH_STORE_BACKEND_H

#include "store/store_types.h"

typedef struct store_impl store_impl;

typedef struct store_backend {
    const char *name; /* store_options.driver, store.driver in orderhub.conf */
    /* store_open, with opts->driver already matched to `name`: 0 and *out, or -1 with err
     * set (the front prefixes nothing: the message names the file). */
    int (*open)(const store_options *opts, store_impl **out, char *err, size_t errlen);
    /* ---- lifecycle and health (store.h: store_close ... store_check_cancel) ---- */
    void (*close)(store_impl *s);
    int (*schema_version)(store_impl *s);
    void (*stats)(store_impl *s, uint64_t *units, uint64_t *batches);
    void (*health)(store_impl *s, st_health *out);
    int (*check)(store_impl *s, char *problems, size_t plen, int64_t *took_ms, char *err,
                 size_t errlen);
    void (*check_cancel)(store_impl *s);
    /* ---- writes: units go to the backend's group commit; claims, sent marks, renewals,
     * replays and kv writes are atomic between processes ---- */
    int (*submit)(store_impl *s, st_unit *u);
    int (*commit)(store_impl *s, st_unit *u, char *err, size_t errlen);
    int (*action_replay)(store_impl *s, int64_t id, int64_t now_ms, char *err, size_t errlen);
    /* ---- reads ---- */
    int (*order_get)(store_impl *s, const char *id, st_order *out, char *err, size_t errlen);
    int (*events)(store_impl *s, const char *order_id, st_event **out, size_t *count, char *err,
                  size_t errlen);
    int (*actions_claim_for)(store_impl *s, int64_t now_ms, const char *owner, int64_t lease_ms,
                             const char *instance, size_t max, st_action **out, size_t *count,
                             char *err, size_t errlen);
    int (*actions_sending)(store_impl *s, const int64_t *ids, size_t n, const char *owner,
                           int64_t until_ms, st_lease_fn done, void *arg);
    int (*actions_renew)(store_impl *s, const int64_t *ids, size_t n, const char *owner,
                         int64_t until_ms, size_t *renewed, char *err, size_t errlen);
    int (*action_instances)(store_impl *s, char ***out, size_t *count, char *err,
                            size_t errlen);
    int (*actions_dead)(store_impl *s, st_action **out, size_t *count, char *err,
                        size_t errlen);
    int (*timers_claim)(store_impl *s, const char *owner, int64_t now_ms, int64_t lease_ms,
                        size_t max, st_timer **out, size_t *count, char *err, size_t errlen);
    int (*next_due)(store_impl *s, int64_t *due_ms, char *err, size_t errlen);
    int (*tracking_order)(store_impl *s, const char *carrier, const char *number,
                          char *order_id, char *err, size_t errlen);
    int (*document_get)(store_impl *s, const char *order_id, const char *name, st_document *out,
                        char *err, size_t errlen);
    int (*idem_get)(store_impl *s, const char *key, st_idem *out, char *err, size_t errlen);
    int (*kv_set)(store_impl *s, const char *instance, const char *key, const char *value,
                  size_t max_keys, char *err, size_t errlen);
    int (*kv_get)(store_impl *s, const char *instance, const char *key, char **value, char *err,
                  size_t errlen);
    int (*orders_list)(store_impl *s, const st_order_filter *f, const char *cursor,
                       size_t limit, st_order_row **out, size_t *count, char *next_cursor,
                       size_t next_len, char *err, size_t errlen);
    int (*counts)(store_impl *s, st_counts *out, char *err, size_t errlen);
    int (*stock_get)(store_impl *s, const char *seller_id, const char *sku, st_stock *out,
                     char *err, size_t errlen);
    int (*stock_list)(store_impl *s, const char *seller_id, const char *after_sku,
                      int low_only, size_t limit, st_stock **out, size_t *count, char *err,
                      size_t errlen);
    int (*payment_get)(store_impl *s, const char *order_id, st_payment *out, char *err,
                       size_t errlen);
    int (*ledger_list)(store_impl *s, const char *seller_id, const char *currency,
                       int64_t from_ms, int64_t to_ms, int64_t after_id, size_t limit,
                       st_ledger_entry **out, size_t *count, char *err, size_t errlen);
    int (*ledger_balance)(store_impl *s, const char *seller_id, st_ledger_balance *out,
                          size_t *count, char *err, size_t errlen);
} store_backend;

/* The handle store.h hands out: the backend and its own handle. */
struct store {
    const store_backend *backend;
    store_impl *impl;
};

/* The backends of this build. */
extern const store_backend st_sqlite_backend; /* core/store/sqlite/backend.c */

#endif
