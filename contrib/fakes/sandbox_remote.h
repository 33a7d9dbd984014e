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
 *        JSON {"order_id","service","journey","currency","ship_from":{"country"},
 *              "ship_to":{"name","country"},"parcels":[{"weight_g"}],"customs":[...]}
 *        The label follows a scripted journey, one step every `step_ms`:
 *          normal              IR PU IT OD DL (signed "J. DOE")          steps 0-4
 *          delayed             IR PU IT, stall, DY (delay), IT OD DL     steps 0-2, 6-10
 *          exception           IR PU IT OD AX (address problem), stays   steps 0-4
 *          lost                IR PU IT, then nothing ever again         steps 0-2
 *          returned_to_sender  IR PU IT OD AF OD AF RT RS                steps 0-7, 9
 *        chosen by "journey" when given (400 if unknown), else by a marker such as
 *        "journey-delayed" ("journey-returned-to-sender"; '_' counts as '-', any case) in
 *        order_id, else in ship_to.name, else normal.  International (ship_to.country not
 *        ship_from.country, or not "US" without ship_from) needs customs lines
 *        [{"description","quantity","value",...}] (400 CUSTOMS_REQUIRED otherwise) and the
 *        answer then carries a CN23 "customs":{"mime":"application/pdf","content"}.
 *        Every parcel (up to 20) gets its own number on the same journey; the answer's
 *        "shipment_id" names them together and, with several parcels, "parcels":
 *        [{"tracking_number","label":{"mime","content"}}] lists them (each with its own
 *        label) in the request's order.
 *   POST /sandbox/carrier/shipments/{shipment_id}/void -> 200 {"shipment_id","voided":true}
 *        until the carrier has picked a parcel up (the journey's second scan), then 409
 *        VOID_TOO_LATE; 404 for an unknown id.  A voided parcel tracks as one "CA" scan.
 *   POST /sandbox/carrier/rates    -> 200 {"currency":"USD","zone","rates":[{"service",
 *        "amount","transit_days"}]} for economy, ground, express; the price is base + per
 *        started kg, by zone (domestic, north_america = US/CA/MX, world).
 *   GET  /sandbox/carrier/track?numbers=A,B
 *        each label's scans so far; an unknown SBX number gets "error":"not found",
 *        "error_code":"TRK404", anything not SBX + 6-9 digits "error_code":"TRK400".
 *   Errors of the carrier endpoints: {"error":"text","code":"CODE"}.
 *
 * Used in-process by the tests and the demo, and standalone as orderhub-sandbox-remote.
 */
#ifndef OH_SANDBOX_REMOTE_H
#define OH_SANDBOX_REMOTE_H

#include <stddef.h>
#include <stdint.h>

typedef struct sandbox_remote sandbox_remote;

/* sr_start - listen on 127.0.0.1:port (0 = any free port).  NULL on failure. */
sandbox_remote *sr_start(uint16_t port, int64_t step_ms);

/* sr_port - the port it listens on. */
uint16_t sr_port(const sandbox_remote *s);

/* sr_charges - payment operations booked (distinct idempotency keys), and requests seen. */
void sr_counts(sandbox_remote *s, int *booked, int *requests);

/* sr_booked_amount - the sum of the amounts `operation` ("refund", "capture", ...) booked
 * (approved, one per idempotency key) for order_id: what the gateway moved. */
int64_t sr_booked_amount(sandbox_remote *s, const char *order_id, const char *operation);

/* sr_label_route - the ship_from and ship_to names the label request of parcel `number`
 * carried; 1, or 0 when the sandbox issued no such number. */
int sr_label_route(sandbox_remote *s, const char *number, char *from, size_t fromlen,
                   char *to, size_t tolen);

void sr_stop(sandbox_remote *s);

#endif
