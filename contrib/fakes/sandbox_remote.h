/*
 * sandbox_remote - the remote side of the sandbox plugins: a small local HTTP server
 * (libmicrohttpd) that answers like a payment gateway and a carrier would.
 *
 *   POST /sandbox/payments/{authorize|capture|void|refund}
 *        JSON {"operation","order_id","amount","currency","token","transaction_id",
 *              "simulate": "approve" | "decline:CODE" | "error:STATUS" | "slow:MS"}
 *        A repeated Idempotency-Key gets the first answer again and books nothing: the
 *        ledger counts one charge per key.
 *   POST /sandbox/carrier/labels   -> 201 with a new tracking number SBX1000NN
 *   GET  /sandbox/carrier/track?numbers=A,B
 *        each label follows the scripted "normal" journey: info received, picked up,
 *        in transit, out for delivery, delivered - one step every `step_ms`.
 *
 * Used in-process by the tests and the demo, and standalone as orderhub-sandbox-remote.
 */
#ifndef OH_SANDBOX_REMOTE_H
#define OH_SANDBOX_REMOTE_H

#include <stdint.h>

typedef struct sandbox_remote sandbox_remote;

/* sr_start - listen on 127.0.0.1:port (0 = any free port).  NULL on failure. */
sandbox_remote *sr_start(uint16_t port, int64_t step_ms);

/* sr_port - the port it listens on. */
uint16_t sr_port(const sandbox_remote *s);

/* sr_charges - payment operations booked (distinct idempotency keys), and requests seen. */
void sr_counts(sandbox_remote *s, int *booked, int *requests);

void sr_stop(sandbox_remote *s);

#endif
