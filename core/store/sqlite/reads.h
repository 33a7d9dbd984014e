/*
 * reads - the read operations, on pooled reader connections.
 */
#ifndef OH_STORE_SQLITE_READS_H
#define OH_STORE_SQLITE_READS_H

#include "sqlite_types.h"

/* Whether a timer is claimable at now_ms, on a reader connection: 1 yes, 0 no, -1 with err
 * set.  The dispatcher asks for timers on every poll; a write job for nothing would cost
 * the writer a transaction (and tell /healthz a write committed) each time. */
int sti_timers_claimable(store_impl *s, int64_t now_ms, char *err, size_t errlen);

/* Operations of store_backend.h (store.h has their contracts). */
int sqlite_store_order_get(store_impl *s, const char *id, st_order *out, char *err,
                           size_t errlen);
int sqlite_store_events(store_impl *s, const char *order_id, st_event **out, size_t *count,
                        char *err, size_t errlen);
int sqlite_store_action_instances(store_impl *s, char ***out, size_t *count, char *err,
                                  size_t errlen);
int sqlite_store_actions_dead(store_impl *s, st_action **out, size_t *count, char *err,
                              size_t errlen);
int sqlite_store_next_due(store_impl *s, int64_t *due_ms, char *err, size_t errlen);
int sqlite_store_tracking_order(store_impl *s, const char *carrier, const char *number,
                                char *order_id, char *err, size_t errlen);
int sqlite_store_document_get(store_impl *s, const char *order_id, const char *name,
                              st_document *out, char *err, size_t errlen);
int sqlite_store_idem_get(store_impl *s, const char *key, st_idem *out, char *err,
                          size_t errlen);

#endif
