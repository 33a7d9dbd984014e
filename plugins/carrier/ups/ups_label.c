/*
 * ups_label - Shipping API v2409: POST /api/shipments/v2409/ship with a ShipmentRequest, and
 * the ShipmentResponse's tracking number, charges, label image and (international) the
 * commercial invoice UPS generates from InternationalForms.
 *
 * One parcel per label: oh_label carries one tracking number and one label document, so a
 * multi-parcel shipment is refused at build time rather than losing labels.
 */
#include "ups.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Unit.Value: the line's value shared by its quantity, up to 6 decimals (UPS's limit). */
static void unit_value(const oh_customs_item *c, const char *currency, char *out, size_t n)
{
    int exp = ups_currency_exponent(currency);
    int64_t up = 1;
    for (int i = exp; i < 6; i++)
        up *= 10;
    int64_t micro = (c->value * up * 2 + c->quantity) / (2 * c->quantity); /* half up */
    snprintf(out, n, "%lld.%06lld", (long long)(micro / 1000000), (long long)(micro % 1000000));
    /* Trailing zeros beyond the currency's own digits say nothing: drop them. */
    size_t len = strlen(out), min = (size_t)(strchr(out, '.') - out) + 1 + (size_t)exp;
    while (len > min && out[len - 1] == '0')
        out[--len] = '\0';
    if (out[len - 1] == '.')
        out[len - 1] = '\0';
}

static json_t *product(const oh_customs_item *c, const char *currency, int imperial)
{
    char qty[24], value[48], w[24];
    snprintf(qty, sizeof(qty), "%lld", (long long)c->quantity);
    unit_value(c, currency, value, sizeof(value));
    char desc[36];
    snprintf(desc, sizeof(desc), "%.35s", c->description);
    for (size_t n = strlen(desc); n > 0 && ((unsigned char)desc[n] & 0xC0) == 0x80;)
        desc[--n] = '\0'; /* never end inside a UTF-8 sequence */
    json_t *p = json_pack("{s:s, s:{s:s, s:s, s:{s:s}}}", "Description", desc, "Unit",
                          "Number", qty, "Value", value, "UnitOfMeasurement", "Code", "PCS");
    if (p == NULL)
        return NULL;
    if (c->hs_code != NULL && c->hs_code[0] != '\0') {
        char hs[16];
        size_t w2 = 0; /* "6109.10.00" -> "61091000": UPS takes the digits */
        for (const char *q = c->hs_code; *q && w2 < sizeof(hs) - 1; q++)
            if (*q >= '0' && *q <= '9')
                hs[w2++] = *q;
        hs[w2] = '\0';
        if (w2 > 0)
            json_object_set_new(p, "CommodityCode", json_string(hs));
    }
    if (c->origin_country != NULL && c->origin_country[0] != '\0')
        json_object_set_new(p, "OriginCountryCode", json_string(c->origin_country));
    if (c->weight_g > 0) {
        ups_weight_text(c->weight_g, imperial, w, sizeof(w));
        json_object_set_new(p, "ProductWeight",
                            json_pack("{s:{s:s}, s:s}", "UnitOfMeasurement", "Code",
                                      imperial ? "LBS" : "KGS", "Weight", w));
    }
    return p;
}

/* InternationalForms: a commercial invoice ("01") UPS prints from these lines. */
static json_t *invoice(const ups *u, const oh_shipment *s)
{
    char date[16];
    time_t now = (time_t)(u->host->now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y%m%d", &tm);
    int imperial = ups_imperial_origin(ups_origin(s, u)->country);
    json_t *products = json_array();
    for (size_t i = 0; i < s->customs_count; i++)
        if (json_array_append_new(products, product(&s->customs[i], s->currency, imperial)) != 0)
            break;
    json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:{s:o}, s:o}", "FormType", "01", "InvoiceDate",
                          date, "ReasonForExport", "SALE", "CurrencyCode", s->currency,
                          "Contacts", "SoldTo", ups_party(&s->ship_to), "Product", products);
    if (f != NULL && s->order_id != NULL && s->order_id[0] != '\0') {
        char number[36];
        snprintf(number, sizeof(number), "%.35s", s->order_id);
        json_object_set_new(f, "InvoiceNumber", json_string(number));
    }
    if (f != NULL && json_array_size(products) != s->customs_count) {
        json_decref(f);
        return NULL;
    }
    return f;
}

int ups_label_build(void *state, const oh_shipment *s, oh_request *req, oh_error *err)
{
    ups *u = state;
    if (s->parcel_count > 1)
        return oh_error_set(err, OH_FAIL, "carrier_ups makes one label per parcel: split the "
                                          "%zu parcels into shipments", s->parcel_count);
    json_t *shipment = ups_shipment_json(u, s, "PaymentInformation", "Packaging", err);
    if (shipment == NULL)
        return OH_FAIL;
    if (s->customs_count > 0) {
        char desc[51];
        snprintf(desc, sizeof(desc), "%.50s", s->customs[0].description);
        for (size_t n = strlen(desc); n > 0 && ((unsigned char)desc[n] & 0xC0) == 0x80;)
            desc[--n] = '\0';
        json_object_set_new(shipment, "Description", json_string(desc));
        json_t *forms = invoice(u, s);
        if (forms == NULL) {
            json_decref(shipment);
            return oh_error_set(err, OH_FAIL, "cannot build the customs invoice (not UTF-8?)");
        }
        json_object_set_new(shipment, "ShipmentServiceOptions",
                            json_pack("{s:o}", "InternationalForms", forms));
    }
    json_t *spec = json_pack("{s:{s:s}}", "LabelImageFormat", "Code", u->label_format);
    if (strcmp(u->label_format, "ZPL") == 0) /* thermal stock: 4 x 6 inches */
        json_object_set_new(spec, "LabelStockSize", json_pack("{s:s, s:s}", "Height", "6",
                                                              "Width", "4"));
    else
        json_object_set_new(spec, "HTTPUserAgent", json_string("Mozilla/4.5"));
    json_t *body = json_pack("{s:{s:{s:s, s:{s:s}}, s:o, s:o}}", "ShipmentRequest", "Request",
                             "RequestOption", "nonvalidate", "TransactionReference",
                             "CustomerContext", s->order_id ? s->order_id : "", "Shipment",
                             shipment, "LabelSpecification", spec);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (text == NULL)
        return oh_error_set(err, OH_FAIL, "cannot build the UPS ShipmentRequest");
    char url[600], tid[33];
    snprintf(url, sizeof(url), "%s/api/shipments/v2409/ship", u->base_url);
    ups_trans_id(u, s, tid);
    int rc = ups_set_common(u, req, "POST", url, tid[0] ? tid : NULL, err);
    if (rc == OH_OK && (u->host->request_header(req, "Content-Type", "application/json", 0) != 0 ||
                        u->host->request_body(req, text, strlen(text)) != 0))
        rc = oh_error_set(err, OH_FAIL, "cannot build the UPS label request");
    free(text);
    return rc;
}

static const char *mime_of(const char *format)
{
    static const struct {
        const char *code, *mime;
    } m[] = {{"GIF", "image/gif"},       {"PNG", "image/png"}, {"ZPL", "application/zpl"},
             {"EPL", "application/epl"}, {"SPL", "application/spl"},
             {"PDF", "application/pdf"}};
    for (size_t i = 0; format != NULL && i < sizeof(m) / sizeof(m[0]); i++)
        if (strcasecmp(m[i].code, format) == 0)
            return m[i].mime;
    return NULL;
}

/* Decode an image member {ImageFormat{Code}, GraphicImage} and attach it as `kind`. */
static int attach(const ups *u, const json_t *image, const char *fallback_format,
                  oh_document_kind kind, oh_label *out, oh_error *err)
{
    const char *what = kind == OH_DOCUMENT_LABEL ? "label" : "customs form";
    const char *b64 = json_string_value(json_object_get(image, "GraphicImage"));
    const char *format = ups_path_str(image, "ImageFormat", "Code", NULL);
    const char *mime = mime_of(format ? format : fallback_format);
    unsigned char *data = NULL;
    size_t len = 0;
    if (b64 == NULL || b64[0] == '\0')
        return oh_error_set(err, OH_FAIL, "answer has no %s image", what);
    if (mime == NULL)
        return oh_error_set(err, OH_FAIL, "%s image format \"%.10s\" unknown", what, format);
    if (ups_b64_decode(b64, strlen(b64), &data, &len) != 0)
        return oh_error_set(err, OH_FAIL, "%s image is not valid base64", what);
    int rc = u->host->label_document(out, kind, mime, data, len) == 0
                 ? OH_OK
                 : oh_error_set(err, OH_FAIL, "%s document refused (empty or too large)", what);
    free(data);
    return rc;
}

int ups_charge(const json_t *negotiated, const json_t *published, int64_t *amount,
               char currency[4])
{
    const json_t *c = json_is_object(negotiated) ? negotiated : published;
    const char *cur = json_string_value(json_object_get(c, "CurrencyCode"));
    const char *value = json_string_value(json_object_get(c, "MonetaryValue"));
    if (c == NULL)
        return 1; /* no charge given */
    if (cur == NULL || strlen(cur) != 3 || ups_money_parse(value, cur, amount) != 0)
        return -1;
    memcpy(currency, cur, 4);
    return 0;
}

int ups_label_parse(void *state, const oh_shipment *s, const oh_response *resp, oh_label *out,
                    oh_error *err)
{
    ups *u = state;
    if (resp->status != 200)
        return ups_http_failure(u, resp, "label request", err);
    json_t *j = u->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    const json_t *res = json_object_get(json_object_get(j, "ShipmentResponse"),
                                        "ShipmentResults");
    const json_t *pkg = ups_list_get(json_object_get(res, "PackageResults"), 0);
    const char *number = json_string_value(json_object_get(pkg, "TrackingNumber"));
    if (number == NULL)
        number = json_string_value(json_object_get(res, "ShipmentIdentificationNumber"));
    int rc = OH_OK;
    if (!json_is_object(res) || !json_is_object(pkg))
        rc = oh_error_set(err, OH_FAIL, "answer has no ShipmentResponse.ShipmentResults with "
                                        "PackageResults");
    else if (number == NULL || number[0] == '\0' || strlen(number) >= sizeof(out->tracking_number))
        rc = oh_error_set(err, OH_FAIL, "answer has no usable tracking number");
    else if (ups_charge(json_object_get(json_object_get(res, "NegotiatedRateCharges"),
                                        "TotalCharge"),
                        json_object_get(json_object_get(res, "ShipmentCharges"), "TotalCharges"),
                        &out->cost, out->currency) < 0)
        rc = oh_error_set(err, OH_FAIL, "shipment charges are not an exact amount with a "
                                        "currency");
    if (rc == OH_OK) {
        OH_STRLCPY(out->tracking_number, number);
        OH_STRLCPY(out->service, ups_choose_service(s, u));
        rc = attach(u, json_object_get(pkg, "ShippingLabel"), u->label_format,
                    OH_DOCUMENT_LABEL, out, err);
    }
    const json_t *form = json_object_get(json_object_get(res, "Form"), "Image");
    if (rc == OH_OK && form != NULL)
        rc = attach(u, form, "PDF", OH_DOCUMENT_CUSTOMS, out, err);
    json_decref(j);
    return rc;
}
