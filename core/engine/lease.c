/*
 * lease - what keeps an action's lease honest while this process holds it:
 *
 *  - the send gate: a request leaves for its remote only once the store has recorded,
 *    durably, that it may (actions.sent).  A lease that runs out later counts an attempt
 *    only then, so a process that dies with actions waiting in its executor queues costs
 *    them nothing, while one that dies mid-request (a poison answer, say) still uses up
 *    max_attempts and the action still ends in the dead-letter list;
 *  - renewal: every action this process holds (claimed, queued, in flight, settling) has
 *    its lease extended every lease_ms / 3, so a busy but healthy daemon never sees its
 *    own queued actions expire and be taken over.
 */
#include "config.h"

#include "lease.h"

#include "eng_clock.h"
#include "log/log.h"

#include <stdlib.h>
#include <string.h>

/* The store committed the mark (rc 0), or refused it: let the request go, or not. */
static void gate_answered(void *arg, int rc, const char *error)
{
    send_gate *g = arg;
    if (rc != 0) {
        /* Lease lost (another process took the action over) or a write error: the request
         * must not leave.  Nothing was marked, so the next claim counts nothing either. */
        log_warn("action %lld%s: not sent: %s", (long long)g->ids[0],
                 g->n > 1 ? " (and others of its batch)" : "", error ? error : "?");
        g->refused = 1;
    }
    /* Last touch of g: the executor may finish the job (and free its run) at once. */
    ex_gate_open(g->e->o.executor, g->ticket, rc == 0);
}

void lease_gate_ask(send_gate *g, ex_ticket *ticket)
{
    g->ticket = ticket;
    g->refused = 0;
    engine *e = g->e;
    int64_t now = eng_now_ms();
    int64_t until = e->o.lease_ms > INT64_MAX - now ? INT64_MAX : now + e->o.lease_ms;
    if (store_actions_sending(e->o.store, g->ids, g->n, e->owner, until, gate_answered, g) != 0)
        gate_answered(g, -1, "the store is closing (or out of memory)");
}

void lease_renew_held(engine *e)
{
    pthread_mutex_lock(&e->running_lock);
    size_t n = e->running_count;
    int64_t *ids = n ? malloc(n * sizeof(*ids)) : NULL;
    if (ids != NULL)
        memcpy(ids, e->running, n * sizeof(*ids));
    pthread_mutex_unlock(&e->running_lock);
    if (ids == NULL) {
        if (n > 0)
            log_error("lease renewal: out of memory (%zu actions held)", n);
        return;
    }
    int64_t now = eng_now_ms();
    char err[256];
    if (store_actions_renew(e->o.store, ids, n, e->owner, now + e->o.lease_ms, NULL, err,
                            sizeof(err)) != 0)
        log_error("lease renewal of %zu actions: %s", n, err);
    free(ids);
}
