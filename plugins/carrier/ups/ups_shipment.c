/*
 * ups_shipment - the "Shipment" object the Shipping and Rating APIs share (parties, payment,
 * service, packages), the service table, and the transId that makes a retried label call
 * recognisable.  Units: UPS wants LBS/IN from the US and Puerto Rico and KGS/CM elsewhere;
 * grams and millimetres are converted exactly and rounded up to one decimal.
 */
#include "ups.h"

#include <ctype.h>
#include <string.h>

/* ---- services --------------------------------------------------------------------------- */

static const struct {
    const char *code;
    const char *level;
} service_levels[] = {
    {"01", "overnight"}, /* Next Day Air */
    {"13", "overnight"}, /* Next Day Air Saver */
    {"14", "overnight"}, /* Next Day Air Early */
    {"02", "express"},   /* 2nd Day Air */
    {"59", "express"},   /* 2nd Day Air A.M. */
    {"07", "express"},   /* Worldwide Express */
    {"54", "express"},   /* Worldwide Express Plus */
    {"65", "express"},   /* Worldwide Saver (Express Saver) */
    {"74", "express"},   /* Express 12:00 */
    {"03", "standard"},  /* Ground */
    {"12", "standard"},  /* 3 Day Select */
    {"11", "standard"},  /* UPS Standard */
    {"08", "standard"},  /* Worldwide Expedited */
    {"93", "economy"},   /* Ground Saver (was SurePost 1 lb or greater) */
    {"92", "economy"},   /* SurePost less than 1 lb */
    {"17", "economy"},   /* Worldwide Economy DDU */
    {"72", "economy"},   /* Worldwide Economy DDP */
};

const char *ups_service_level(const char *code)
{
    for (size_t i = 0; code != NULL && i < sizeof(service_levels) / sizeof(service_levels[0]);
         i++)
        if (strcmp(service_levels[i].code, code) == 0)
            return service_levels[i].level;
    return "";
}

static int same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

const oh_address *ups_origin(const oh_shipment *s, const ups *u)
{
    const oh_address *f = &s->ship_from;
    if (f->street1 && f->street1[0] && f->city && f->city[0] && f->country && f->country[0])
        return f;
    return &u->shipper;
}

const char *ups_choose_service(const oh_shipment *s, const ups *u)
{
    if (s->service != NULL && s->service[0] != '\0')
        return s->service;
    const char *level = s->service_level ? s->service_level : "standard";
    const char *from = ups_origin(s, u)->country, *to = s->ship_to.country;
    int overnight = same(level, "overnight"), express = same(level, "express");
    if (same(from, "US") && same(to, "US"))
        return overnight ? "01" : express ? "02" : "03"; /* economy too: Ground */
    if (same(from, to))
        return overnight ? "07" : express ? "65" : "11";
    return overnight ? "07" : express ? "65" : "08";
}

/* ---- parties ---------------------------------------------------------------------------- */

static int given(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* At most `max` bytes of `src` without cutting a UTF-8 sequence (UPS limits are short). */
static json_t *text(const char *src, size_t max)
{
    char buf[256];
    size_t n = strlen(src);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    snprintf(buf, sizeof(buf), "%.*s", (int)n, src);
    return json_string(buf);
}

/* Phone.Number: UPS takes digits only (1-15). */
static json_t *phone(const char *p)
{
    char d[16];
    size_t w = 0;
    for (; p != NULL && *p && w < sizeof(d) - 1; p++)
        if (isdigit((unsigned char)*p))
            d[w++] = *p;
    d[w] = '\0';
    return w ? json_pack("{s:s}", "Number", d) : NULL;
}

static json_t *address(const oh_address *a)
{
    json_t *lines = json_array();
    json_array_append_new(lines, text(a->street1 ? a->street1 : "", 35));
    if (given(a->street2))
        json_array_append_new(lines, text(a->street2, 35));
    json_t *j = json_pack("{s:o, s:o}", "AddressLine", lines, "City",
                          text(a->city ? a->city : "", 30));
    if (given(a->region))
        json_object_set_new(j, "StateProvinceCode", text(a->region, 5));
    if (given(a->postal_code))
        json_object_set_new(j, "PostalCode", text(a->postal_code, 9));
    json_object_set_new(j, "CountryCode", json_string(a->country));
    return j;
}

/* Name is the company (or the person); AttentionName the person when both are known. */
json_t *ups_party(const oh_address *a)
{
    const char *name = given(a->company) ? a->company : given(a->name) ? a->name : "";
    json_t *j = json_pack("{s:o}", "Name", text(name, 35));
    if (given(a->company) && given(a->name))
        json_object_set_new(j, "AttentionName", text(a->name, 35));
    json_t *ph = phone(a->phone);
    if (ph != NULL)
        json_object_set_new(j, "Phone", ph);
    if (given(a->email))
        json_object_set_new(j, "EMailAddress", text(a->email, 50));
    json_object_set_new(j, "Address", address(a));
    return j;
}

static int country_ok(const char *c)
{
    return c != NULL && strlen(c) == 2 && isupper((unsigned char)c[0]) &&
           isupper((unsigned char)c[1]);
}

/* ---- the Shipment object ---------------------------------------------------------------- */

static json_t *packages(const oh_shipment *s, int imperial, const char *packaging_key)
{
    json_t *list = json_array();
    for (size_t i = 0; i < s->parcel_count; i++) {
        const oh_parcel *p = &s->parcels[i];
        char w[24], l[24], wi[24], h[24];
        ups_weight_text(p->weight_g, imperial, w, sizeof(w));
        json_t *pkg = json_pack("{s:{s:s}, s:{s:{s:s}, s:s}}", packaging_key, "Code", "02",
                                "PackageWeight", "UnitOfMeasurement", "Code",
                                imperial ? "LBS" : "KGS", "Weight", w);
        if (p->length_mm > 0 && p->width_mm > 0 && p->height_mm > 0) {
            ups_length_text(p->length_mm, imperial, l, sizeof(l));
            ups_length_text(p->width_mm, imperial, wi, sizeof(wi));
            ups_length_text(p->height_mm, imperial, h, sizeof(h));
            json_object_set_new(pkg, "Dimensions",
                                json_pack("{s:{s:s}, s:s, s:s, s:s}", "UnitOfMeasurement",
                                          "Code", imperial ? "IN" : "CM", "Length", l, "Width",
                                          wi, "Height", h));
        }
        json_array_append_new(list, pkg);
    }
    return list;
}

static int check_shipment(const ups *u, const oh_shipment *s, oh_error *err)
{
    const oh_address *from = ups_origin(s, u);
    const char *svc = ups_choose_service(s, u);
    size_t svclen = strlen(svc);
    if (!given(u->account_number))
        return oh_error_set(err, OH_FAIL, "setting account_number is needed for labels and rates");
    if (!country_ok(from->country) || !given(from->street1) || !given(from->city))
        return oh_error_set(err, OH_FAIL, "no origin address: ship_from is incomplete and the "
                                          "shipper_* settings give no street, city and country");
    if (!country_ok(s->ship_to.country) || !given(s->ship_to.city))
        return oh_error_set(err, OH_FAIL, "ship_to needs a city and an ISO country code");
    if (svclen == 0 || svclen > 3 || strspn(svc, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != svclen)
        return oh_error_set(err, OH_FAIL, "service \"%.20s\" is not a UPS service code", svc);
    if (s->parcel_count == 0 || s->parcel_count > UPS_MAX_PARCELS)
        return oh_error_set(err, OH_FAIL, "a UPS shipment takes 1 to %d parcels, not %zu",
                            UPS_MAX_PARCELS, s->parcel_count);
    for (size_t i = 0; i < s->parcel_count; i++) {
        const oh_parcel *p = &s->parcels[i];
        if (p->weight_g <= 0 || p->weight_g > UPS_MAX_WEIGHT_G)
            return oh_error_set(err, OH_FAIL, "parcel %zu: weight must be 1 to %d g", i + 1,
                                UPS_MAX_WEIGHT_G);
        if (p->length_mm < 0 || p->width_mm < 0 || p->height_mm < 0 ||
            p->length_mm > UPS_MAX_DIMENSION_MM || p->width_mm > UPS_MAX_DIMENSION_MM ||
            p->height_mm > UPS_MAX_DIMENSION_MM)
            return oh_error_set(err, OH_FAIL, "parcel %zu: dimensions must be 0 to %d mm",
                                i + 1, UPS_MAX_DIMENSION_MM);
    }
    for (size_t i = 0; i < s->customs_count; i++) {
        const oh_customs_item *c = &s->customs[i];
        if (!given(c->description) || c->quantity < 1 || c->quantity > 1000000 ||
            c->value < 0 || c->value > UPS_MAX_MINOR || c->weight_g < 0 ||
            c->weight_g > UPS_MAX_WEIGHT_G ||
            (c->origin_country != NULL && c->origin_country[0] && !country_ok(c->origin_country)))
            return oh_error_set(err, OH_FAIL, "customs line %zu: needs a description, quantity "
                                              "1-1000000, value and weight in range", i + 1);
    }
    if (s->customs_count > 0 && strlen(s->currency) != 3)
        return oh_error_set(err, OH_FAIL, "customs lines need the shipment's currency");
    return OH_OK;
}

json_t *ups_shipment_json(const ups *u, const oh_shipment *s, const char *payment_key,
                          const char *packaging_key, oh_error *err)
{
    if (check_shipment(u, s, err) != OH_OK)
        return NULL;
    const oh_address *from = ups_origin(s, u);
    int imperial = ups_imperial_origin(from->country);
    json_t *shipper = ups_party(from);
    json_object_set_new(shipper, "ShipperNumber", json_string(u->account_number));
    json_t *j = json_pack(
        "{s:o, s:o, s:o, s:{s:[{s:s, s:{s:s}}]}, s:{s:s}, s:o}", "Shipper", shipper, "ShipTo",
        ups_party(&s->ship_to), "ShipFrom", ups_party(from), payment_key, "ShipmentCharge",
        "Type", "01", "BillShipper", "AccountNumber", u->account_number, "Service", "Code",
        ups_choose_service(s, u), "Package", packages(s, imperial, packaging_key));
    /* UPS requires the invoice total for US -> Canada / Puerto Rico forward shipments. */
    if (j != NULL && s->customs_count > 0 && same(from->country, "US") &&
        (same(s->ship_to.country, "CA") || same(s->ship_to.country, "PR"))) {
        int64_t total = 0;
        for (size_t i = 0; i < s->customs_count; i++)
            total += s->customs[i].value;
        int exp = ups_currency_exponent(s->currency);
        int64_t scale = exp == 0 ? 1 : exp == 3 ? 1000 : 100;
        char whole[32]; /* whole units, rounded up */
        snprintf(whole, sizeof(whole), "%lld", (long long)((total + scale - 1) / scale));
        json_object_set_new(j, "InvoiceLineTotal", json_pack("{s:s, s:s}", "CurrencyCode",
                                                             s->currency, "MonetaryValue",
                                                             whole));
    }
    if (j == NULL)
        oh_error_set(err, OH_FAIL, "cannot build the UPS shipment (out of memory or not UTF-8)");
    return j;
}

void ups_trans_id(const ups *u, const oh_shipment *s, char out[33])
{
    const char *key = s->idempotency_key;
    size_t len = key ? strlen(key) : 0;
    static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-";
    if (len > 0 && len <= 32 && strspn(key, ok) == len) {
        memcpy(out, key, len + 1);
        return;
    }
    unsigned char mac[32];
    static const char label[] = "carrier_ups transId";
    out[0] = '\0';
    if (len == 0 ||
        u->host->hmac_sha256(label, sizeof(label) - 1, key, len, mac) != 0)
        return;
    for (size_t i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}
