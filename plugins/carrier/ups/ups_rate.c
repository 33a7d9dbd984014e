/*
 * ups_rate - Rating API v2409 in "Shop" mode: POST /api/rating/v2409/Shop with a RateRequest
 * (no Service: UPS quotes every service between the two addresses), and one oh_rate per
 * RatedShipment of the RateResponse.
 */
#include "ups.h"

#include <stdlib.h>
#include <string.h>

int ups_rate_build(void *state, const oh_shipment *s, oh_request *req, oh_error *err)
{
    ups *u = state;
    json_t *shipment = ups_shipment_json(u, s, "PaymentDetails", "PackagingType", err);
    if (shipment == NULL)
        return OH_FAIL;
    json_object_del(shipment, "Service"); /* Shop: every service */
    char pieces[24];
    snprintf(pieces, sizeof(pieces), "%zu", s->parcel_count);
    json_object_set_new(shipment, "NumOfPieces", json_string(pieces));
    json_t *body = json_pack("{s:{s:{s:{s:s}}, s:o}}", "RateRequest", "Request",
                             "TransactionReference", "CustomerContext",
                             s->order_id ? s->order_id : "", "Shipment", shipment);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text == NULL)
        return oh_error_set(err, OH_FAIL, "cannot build the UPS RateRequest");
    char url[600], tid[33];
    snprintf(url, sizeof(url), "%s/api/rating/v2409/Shop", u->base_url);
    ups_trans_id(u, s, tid);
    int rc = ups_set_common(u, req, "POST", url, tid[0] ? tid : NULL, err);
    if (rc == OH_OK && (u->host->request_header(req, "Content-Type", "application/json", 0) != 0 ||
                        u->host->request_body(req, text, strlen(text)) != 0))
        rc = oh_error_set(err, OH_FAIL, "cannot build the UPS rate request");
    free(text);
    return rc;
}

/* GuaranteedDelivery.BusinessDaysInTransit ("2"): 0 when absent or not a small number. */
static int transit_days(const json_t *rated)
{
    const char *d = ups_path_str(rated, "GuaranteedDelivery", "BusinessDaysInTransit", NULL);
    size_t len = d ? strlen(d) : 0;
    if (len == 0 || len > 3 || strspn(d, "0123456789") != len)
        return 0;
    return atoi(d);
}

int ups_rate_parse(void *state, const oh_shipment *s, const oh_response *resp,
                   oh_rate_list *out, oh_error *err)
{
    ups *u = state;
    (void)s;
    if (resp->status != 200)
        return ups_http_failure(u, resp, "rate request", err);
    json_t *j = u->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    const json_t *list = json_object_get(json_object_get(j, "RateResponse"), "RatedShipment");
    int rc = OH_OK;
    if (ups_list_size(list) == 0)
        rc = oh_error_set(err, OH_FAIL, "answer has no RateResponse.RatedShipment");
    for (size_t i = 0; rc == OH_OK && i < ups_list_size(list); i++) {
        const json_t *r = ups_list_get(list, i);
        const char *code = ups_path_str(r, "Service", "Code", NULL);
        oh_rate rate;
        memset(&rate, 0, sizeof(rate));
        rate.struct_size = (uint32_t)sizeof(rate);
        if (code == NULL || code[0] == '\0' || strlen(code) >= sizeof(rate.service)) {
            rc = oh_error_set(err, OH_FAIL, "rated shipment %zu has no Service.Code", i + 1);
            break;
        }
        if (ups_charge(json_object_get(json_object_get(r, "NegotiatedRateCharges"),
                                       "TotalCharge"),
                       json_object_get(r, "TotalCharges"), &rate.amount, rate.currency) != 0) {
            rc = oh_error_set(err, OH_FAIL, "rated shipment %zu (service %s): TotalCharges is "
                                            "not an exact amount with a currency", i + 1, code);
            break;
        }
        OH_STRLCPY(rate.service, code);
        OH_STRLCPY(rate.service_level, ups_service_level(code));
        rate.transit_days = transit_days(r);
        if (u->host->rate_add(out, &rate) != 0)
            rc = oh_error_set(err, OH_FAIL, "too many rates, or out of memory");
    }
    json_decref(j);
    return rc;
}
