/*
 * lease - what keeps an action's lease honest while this process holds it (lease.c): the
 * send gate (a request leaves only once the store has recorded that it may) and the
 * renewal of every lease held.  Includes nothing of the dispatch path above it.
 */
#ifndef OH_LEASE_H
#define OH_LEASE_H

#include "engine_int.h"

#include "executor/executor.h"

/*
 * send_gate - the executor's gate of one request: the actions it is for are marked sent in
 * the store before it leaves.  Lives in the run (or batch) it gates.
 */
typedef struct send_gate {
    engine *e;
    const int64_t *ids;         /* the actions of the request (the run's own id, or the
                                   batch's list); owned by the run or batch */
    size_t n;
    ex_ticket *ticket;
    int refused;                /* 1: not recorded (lease lost, store error): not sent */
} send_gate;

/* lease_gate_ask - ask the store to mark g->ids sent, then answer the executor's ticket
 * (go only when the mark is durable).  g must live until the ticket is answered. */
void lease_gate_ask(send_gate *g, ex_ticket *ticket);

/* lease_renew_held - extend the leases of every action this process holds (the running
 * set).  Dispatcher thread. */
void lease_renew_held(engine *e);

#endif
