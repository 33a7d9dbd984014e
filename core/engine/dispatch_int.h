/*
 * dispatch_int - one claimed action on its way through plugin and executor, shared by
 * dispatch.c (one request per action) and track_batch.c (one request for several
 * tracking numbers of one carrier instance).
 */
#ifndef OH_DISPATCH_INT_H
#define OH_DISPATCH_INT_H

#include "engine_int.h"

#include "host/host.h"

#define MAX_PARCELS 16
#define MAX_CUSTOMS 100 /* the order's item lines (the API's limit) */

/*
 * send_gate - the executor's gate of one request (lease.c): the actions it is for are
 * marked sent in the store before it leaves.  Lives in the run (or batch) it gates.
 */
typedef struct send_gate {
    engine *e;
    const int64_t *ids;         /* the actions of the request (the run's own id, or the
                                   batch's list) */
    size_t n;
    ex_ticket *ticket;
    int refused;                /* 1: not recorded (lease lost, store error): not sent */
} send_gate;

typedef struct action_run {
    engine *e;
    rt_gen *gen;                /* reference: the instance lives as long as the run */
    struct oh_instance *inst;
    st_action a;                /* the claimed action; payload owned */
    json_t *order;              /* snapshot at dispatch */
    json_t *payload;
    oh_payment_input pay;
    oh_notify_input note;
    oh_shipment ship;
    oh_parcel parcels[MAX_PARCELS];
    oh_customs_item *customs;   /* owned; only for a shipment leaving its country */
    const char *numbers[1];
    int64_t retry_after_ms;     /* from the answer being parsed, -1 if none */
    char *auth_token;           /* owned copy of the token the request carried, or NULL */
    st_document *docs;          /* owned: a label's documents, handed to the message */
    size_t ndocs;
    size_t batch_size;          /* numbers in the request this run's answer came from */
    send_gate gate;             /* of its own request (a batch has its own gate) */
} action_run;

/*
 * disp_finish - hand an attempt's outcome to the order's worker and free the run.  `data`
 * (stolen) is the input's data; `input` NULL or "" when the attempt leads to no input.
 */
void disp_finish(action_run *r, int rc, const char *input, json_t *data, const char *error,
                 int64_t retry_after_ms);

/*
 * disp_settle_track - settle a track run from a parsed answer `tr` (rc: the parse's
 * result; err: its message): the shipment of the run's number becomes a "track_result".
 */
void disp_settle_track(action_run *r, int rc, const oh_track_result *tr, const char *err);

/*
 * disp_unsent - the run's request never left (res->sent 0): if the gate refused it (lease
 * lost or the mark not written), drop the run unsettled - another process holds it, or the
 * lease runs out and it is claimed again; else (the executor stopped first) put it back to
 * PENDING, due now, without counting an attempt.
 */
void disp_unsent(action_run *r, int refused, const char *why);

/* lease.c: ask the store to mark g->ids sent; answers the executor's ticket. */
void lease_gate_ask(send_gate *g, ex_ticket *ticket);

/* lease.c: extend the leases of every action this process holds (the running set). */
void lease_renew_held(engine *e);

/* track_batch.c: send runs[0..n) (track actions of one instance) in batches; takes them. */
void track_batch_run(engine *e, action_run **runs, size_t n);

#endif
