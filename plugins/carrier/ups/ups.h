/*
 * ups.h - what the pieces of carrier_ups share: the instance state, the request headers
 * every UPS call carries, the error envelope, and the small exact conversions (base64,
 * money, units) the JSON APIs need.  Nothing here is exported from the module.
 */
#ifndef CARRIER_UPS_H
#define CARRIER_UPS_H

#include <orderhub/orderhub.h>

#include <stdatomic.h>

/* One configured UPS account. */
typedef struct ups {
    const oh_host_api *host;
    oh_instance *self;
    const char *base_url;
    const char *client_id;
    const char *client_secret;
    const char *account_number;  /* "" when only tracking is used */
    const char *transaction_src;
    const char *label_format;    /* "ZPL" or "GIF" */
    oh_address shipper;          /* from the shipper_* settings: used when ship_from is empty */
    atomic_uint_fast64_t seq;    /* makes tracking transIds unique within the process */
} ups;

/* Upper bounds on what a request may carry: refused at build time with a clear reason. */
#define UPS_MAX_PARCELS 50
#define UPS_MAX_WEIGHT_G 1000000     /* 1000 kg: far over any UPS small-package limit */
#define UPS_MAX_DIMENSION_MM 10000   /* 10 m */
#define UPS_MAX_MINOR 100000000000LL /* 10^11 minor units per customs line */

/* ---- carrier_ups.c ---------------------------------------------------------------------- */

/*
 * ups_set_common - set method/URL and the headers of every API call: the bearer token the
 * host's auth step cached (flagged sensitive), transId, transactionSrc and Accept.  `trans_id`
 * NULL makes a fresh one.  OH_OK or OH_FAIL with err set.
 */
int ups_set_common(ups *u, oh_request *req, const char *method, const char *url,
                   const char *trans_id, oh_error *err);

/* ---- ups_util.c ------------------------------------------------------------------------- */

/* Base64 (RFC 4648, standard alphabet, padded).  Encode: out must hold 4*ceil(n/3)+1. */
void ups_b64_encode(const unsigned char *in, size_t n, char *out);
/* Strict decode into a new buffer (*out, *outlen); -1 on any character outside the
 * alphabet, bad padding, or no memory. */
int ups_b64_decode(const char *in, size_t n, unsigned char **out, size_t *outlen);

/* Decimal digits of a currency's minor unit (ISO 4217): 2 unless listed as 0 or 3. */
int ups_currency_exponent(const char *currency);
/*
 * ups_money_parse - "12.34" in `currency` to 1234 minor units, exactly: digits, at most one
 * '.', and no more significant fraction digits than the currency has (extra trailing zeros
 * are fine).  0, or -1 when the text is not such an amount or is too large.
 */
int ups_money_parse(const char *text, const char *currency, int64_t *minor);
/* ups_money_format - minor units as a decimal string with the currency's digits. */
void ups_money_format(int64_t minor, const char *currency, char *out, size_t outlen);

/* Unit conversions, rounded up to one decimal so nothing is under-declared. */
void ups_weight_text(int64_t grams, int imperial, char *out, size_t outlen);
void ups_length_text(int64_t mm, int imperial, char *out, size_t outlen);
/* Imperial units (LBS/IN) for shipments from the US and Puerto Rico, metric elsewhere. */
int ups_imperial_origin(const char *country);

/* A UPS JSON list: an array, or a lone object where one element was sent (both occur). */
size_t ups_list_size(const json_t *v);
json_t *ups_list_get(const json_t *v, size_t i);
/* The string at a path of object keys (NULL-terminated), or NULL. */
const char *ups_path_str(const json_t *root, ...);

/*
 * ups_error_envelope - the first {"response":{"errors":[{"code","message"}]}} entry of a
 * body, copied into code/message (empty when absent or the body is not JSON).
 */
void ups_error_envelope(const ups *u, const oh_response *resp, char *code, size_t codelen,
                        char *message, size_t msglen);
/*
 * ups_http_failure - the verdict on a non-2xx answer of any call: 429 and 5xx OH_RETRY, 401
 * and 403 OH_FAIL (credentials), anything else OH_FAIL; err names `what`, the status and the
 * envelope's code and message.
 */
int ups_http_failure(const ups *u, const oh_response *resp, const char *what, oh_error *err);

/* ---- ups_track.c ------------------------------------------------------------------------ */

int ups_track_build(void *state, const char *const *numbers, size_t count, oh_request *req,
                    oh_error *err);
int ups_track_parse(void *state, const char *const *numbers, size_t count,
                    const oh_response *resp, oh_track_result *out, oh_error *err);
/* ups_map_status - canonical status of an activity (README "Status mapping"). */
oh_track_status ups_map_status(const char *type, const char *code, const char *status_code);

/* ---- ups_shipment.c --------------------------------------------------------------------- */

/* The shipment's service code: oh_shipment.service, else chosen from service_level. */
const char *ups_choose_service(const oh_shipment *s, const ups *u);
/* The orderhub level a UPS service code satisfies, or "" when not in the table. */
const char *ups_service_level(const char *code);
/* A party (Shipper, ShipTo, ShipFrom, SoldTo): Name, AttentionName, Phone, Address. */
json_t *ups_party(const oh_address *a);
/* The origin address: ship_from when it has street1, city and country, else the settings. */
const oh_address *ups_origin(const oh_shipment *s, const ups *u);
/*
 * ups_shipment_json - the "Shipment" object both the Shipping and the Rating API take:
 * Shipper, ShipTo, ShipFrom, payment (member `payment_key`), Service, Package[] and, with
 * customs lines, InvoiceLineTotal where UPS requires it.  NULL with err set.
 */
json_t *ups_shipment_json(const ups *u, const oh_shipment *s, const char *payment_key,
                          const char *packaging_key, oh_error *err);
/* ups_trans_id - the transId of a label/rate call: the idempotency key when it fits UPS's
 * 32 characters [A-Za-z0-9-], else 32 hex digits of its HMAC-SHA256. */
void ups_trans_id(const ups *u, const oh_shipment *s, char out[33]);

/* ---- ups_label.c / ups_rate.c ----------------------------------------------------------- */

/*
 * ups_charge - the amount the account pays: `negotiated` {CurrencyCode, MonetaryValue} when
 * UPS gives it, else `published`.  0, 1 when neither is there, -1 when not an exact amount.
 */
int ups_charge(const json_t *negotiated, const json_t *published, int64_t *amount,
               char currency[4]);
int ups_label_build(void *state, const oh_shipment *s, oh_request *req, oh_error *err);
int ups_label_parse(void *state, const oh_shipment *s, const oh_response *resp, oh_label *out,
                    oh_error *err);
int ups_rate_build(void *state, const oh_shipment *s, oh_request *req, oh_error *err);
int ups_rate_parse(void *state, const oh_shipment *s, const oh_response *resp,
                   oh_rate_list *out, oh_error *err);

#endif
