/*
 * fuzz_plugin - what every plugin fuzz target shares: one instance of the plugin linked
 * into the target, opened the way orderhubd opens one (settings validated by the daemon's
 * set_build, init called with the daemon's host table), and one fuzz input turned into
 * the answer or webhook the plugin parses, then run through the same calls the engine and
 * the API make (parse, then host_track_normalise and the stored JSON).
 *
 * INPUT FORMAT (tests/fuzz/README.md; tests/fuzz/seeds.sh writes seeds in it)
 *   byte 0      operation, modulo the table of the kind (FZ_CARRIER_OPS, FZ_PAYMENT_OPS);
 *               one the plugin lacks falls back to the first (track / authorize)
 *   byte 1      HTTP status, index modulo FZ_STATUSES
 *   then        optional "Name: value" lines ending at the first empty line: the answer's
 *               (or webhook's) headers; "X-Fuzz-*" lines set the harness's own inputs:
 *                 X-Fuzz-Number: N     a tracking number asked (repeatable; none: count 0,
 *                                      as `orderhub-plugin track-parse` without --number)
 *                 X-Fuzz-Order, X-Fuzz-Currency, X-Fuzz-Transaction, X-Fuzz-Amount
 *                                      the payment input (unset: NULL, "", NULL, 0, as
 *                                      `orderhub-plugin payment-parse` without --input)
 *                 X-Fuzz-Shipment: intl  the international shipment (customs) for
 *                                      label/rate instead of the domestic one
 *               without an empty line (or when the rest starts with one) there are none
 *   rest        the body, copied to its own allocation so ASan sees every over-read
 */
#ifndef FUZZ_PLUGIN_H
#define FUZZ_PLUGIN_H

#include <orderhub/orderhub.h>

#include <stddef.h>
#include <stdint.h>

/* The entry point of the plugin compiled into this target (OH_PLUGIN_DEFINE). */
const oh_plugin *orderhub_plugin_entry(void);

/* Operation numbers of byte 0 (seeds.sh writes the same numbers). */
enum { FZ_TRACK = 0, FZ_LABEL, FZ_RATE, FZ_AUTH, FZ_CARRIER_WEBHOOK, FZ_CARRIER_OPS };
enum { FZ_AUTHORIZE = 0, FZ_CAPTURE, FZ_VOID, FZ_REFUND, FZ_PAYMENT_WEBHOOK, FZ_PAYMENT_AUTH,
       FZ_PAYMENT_OPS };

/* Statuses of byte 1, in this order (seeds.sh maps a fixture's --status to its index). */
#define FZ_STATUSES {200, 201, 202, 204, 400, 401, 402, 403, 404, 409, 422, 429, 500, 502, \
                     503, 301}

/* The clock webhook_verify sees: the Stripe fixtures' --now. */
#define FZ_NOW_UNIX 1767225760

/*
 * fz_plugin_init - open the linked plugin with `settings` (the body of a libconfig
 * settings group, e.g. "api_key = \"k\";").  Aborts with the reason when the plugin
 * refuses them: a target that cannot start must not look like a clean run.
 */
void fz_plugin_init(const char *settings);

/* fz_carrier_one / fz_payment_one / fz_notifier_one - run one input (see INPUT FORMAT;
 * a notifier has one operation, response_parse, and ignores byte 0).  Always 0. */
int fz_carrier_one(const uint8_t *data, size_t size);
int fz_payment_one(const uint8_t *data, size_t size);
int fz_notifier_one(const uint8_t *data, size_t size);

#endif
