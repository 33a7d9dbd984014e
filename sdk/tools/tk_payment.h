/*
 * tk_payment - the SDK test kit's payment files and printouts: an oh_payment_input read
 * from JSON (INPUT.json), an oh_payment_result and oh_payment_event as JSON, and
 * "Name: value" header arguments.
 */
#ifndef TK_PAYMENT_H
#define TK_PAYMENT_H

#include <orderhub/orderhub.h>

/* An oh_payment_input and the strings it points to (owned). */
typedef struct tk_payment_input {
    oh_payment_input in;
    json_t *doc; /* owns the strings in.* points to */
} tk_payment_input;

/*
 * tk_payment_input_load - read `path`: {"order_id", "payment_token", "transaction_id",
 * "idempotency_key", "description": string or null, "amount": integer, "currency": "USD"};
 * every member optional, any other member refused.  0, or -1 with the reason printed.
 */
int tk_payment_input_load(const char *path, tk_payment_input *out);
/* tk_payment_input_empty - a zeroed input (struct_size set) for verbs without a file. */
void tk_payment_input_empty(tk_payment_input *out);
void tk_payment_input_free(tk_payment_input *p);

/* "authorize" -> 0, "capture" -> 1, "void" -> 2, "refund" -> 3, else -1. */
int tk_payment_operation(const char *name);

/* The fixed shape of orderhub-plugin(1): {"status","transaction_id","amount","currency",
 * "code","decline_code","message","retryable"}, empty strings as null.  New reference. */
json_t *tk_payment_result_json(const oh_payment_result *r);
const char *tk_payment_status_name(oh_payment_status s);

#endif
