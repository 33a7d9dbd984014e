/*
 * submit - queuing jobs for the writer thread (writer.h) and waiting for them; the store
 * operations that are writer jobs.
 */
#ifndef OH_STORE_SQLITE_SUBMIT_H
#define OH_STORE_SQLITE_SUBMIT_H

#include "sqlite_types.h"

/* Queue a job on the caller's stack and wait until the writer has reported it (its batch
 * committed or failed): 0 (the job's own outcome in j->rc), or -1 with err set when it
 * could not be queued (closing, or called from the writer thread: it would deadlock). */
int sti_enqueue_wait(store_impl *s, sti_job *j, char *err, size_t errlen);
/* sti_enqueue_wait, then the job's own failure (j->rc, j->err) reported the same way: 0 only
 * when the job was queued, run and succeeded. */
int sti_run_job(store_impl *s, sti_job *j, char *err, size_t errlen);

/* Operations of store_backend.h (store.h has their contracts). */
int sqlite_store_submit(store_impl *s, st_unit *u);
int sqlite_store_commit(store_impl *s, st_unit *u, char *err, size_t errlen);
int sqlite_store_actions_claim_for(store_impl *s, int64_t now_ms, const char *owner,
                                   int64_t lease_ms, const char *instance, size_t max,
                                   st_action **out, size_t *count, char *err, size_t errlen);
int sqlite_store_timers_claim(store_impl *s, const char *owner, int64_t now_ms,
                              int64_t lease_ms, size_t max, st_timer **out, size_t *count,
                              char *err, size_t errlen);
int sqlite_store_actions_sending(store_impl *s, const int64_t *ids, size_t n, const char *owner,
                                 int64_t until_ms, st_lease_fn done, void *arg);
int sqlite_store_actions_renew(store_impl *s, const int64_t *ids, size_t n, const char *owner,
                               int64_t until_ms, size_t *renewed, char *err, size_t errlen);
int sqlite_store_action_replay(store_impl *s, int64_t id, int64_t now_ms, char *err,
                               size_t errlen);

#endif
