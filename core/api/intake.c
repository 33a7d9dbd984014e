/*
 * intake - an order submission checked member by member (intake.h); the address rules are in
 * intake_address.c, the shared checks in intake_context.c, the code tables in intake_codes.c.
 */
#include "config.h"

#include "intake.h"

#include "intake_address.h"
#include "intake_codes.h"
#include "intake_context.h"

#include "api/api_limits.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define MAX_AMOUNT INT64_C(100000000000) /* 1e11 minor units: far above any real order */

static int check_seller(vctx *c, const json_t *seller)
{
    static const char *const allowed[] = {"id", "email", "address", NULL};
    if (seller == NULL)
        return iv_e400(c, "seller", "", "is required");
    if (!json_is_object(seller))
        return iv_e400(c, "seller", "", "must be an object");
    if (iv_only_members(c, seller, "seller", allowed, NULL) != 0)
        return INTAKE_MALFORMED;
    if (!intake_id_ok(json_string_value(json_object_get(seller, "id"))))
        return iv_e400(c, "seller.id", "", "must be 1 to 63 of A-Z a-z 0-9 - _");
    if (iv_check_email(c, seller, "seller") != 0)
        return INTAKE_MALFORMED;
    const json_t *addr = json_object_get(seller, "address");
    return addr == NULL ? 0 : iv_check_address(c, addr, "seller.address");
}

static int check_buyer(vctx *c, const json_t *buyer)
{
    static const char *const allowed[] = {"id", "name", "email", "phone", NULL};
    if (buyer == NULL)
        return 0;
    if (!json_is_object(buyer))
        return iv_e400(c, "buyer", "", "must be an object");
    if (iv_only_members(c, buyer, "buyer", allowed, NULL) != 0)
        return INTAKE_MALFORMED;
    const json_t *id = json_object_get(buyer, "id");
    if (id != NULL && !intake_id_ok(json_string_value(id)))
        return iv_e400(c, "buyer.id", "", "must be 1 to 63 of A-Z a-z 0-9 - _");
    json_t *v;
    if (iv_str_member(c, buyer, "buyer", "name", 0, 1, 100, &v) != 0 ||
        iv_check_email(c, buyer, "buyer") != 0 || iv_check_phone(c, buyer, "buyer") != 0)
        return INTAKE_MALFORMED;
    return 0;
}

/* Items: sum of quantity x unit_price (*over set when it passes the limit). */
/* What a customs declaration needs of an item, when given: HS code, origin, weight. */
static int check_customs_fields(vctx *c, const json_t *it, const char *f)
{
    json_t *v;
    if (iv_str_member(c, it, f, "hs_code", 0, 4, 14, &v) != 0 ||
        iv_str_member(c, it, f, "origin_country", 0, 2, 2, &v) != 0)
        return -1;
    const char *hs = json_string_value(json_object_get(it, "hs_code"));
    for (const char *p = hs; p != NULL && *p; p++) {
        if ((*p < '0' || *p > '9') && *p != '.')
            return iv_e400(c, f, "hs_code", "must be a harmonized system code: digits and dots");
    }
    const char *origin = json_string_value(json_object_get(it, "origin_country"));
    if (origin != NULL && (!iv_upper_code(origin, 2) || !intake_country_known(origin)))
        return iv_e400(c, f, "origin_country", "must be an ISO 3166-1 alpha-2 code like \"CN\"");
    const json_t *w = json_object_get(it, "weight_g");
    if (w != NULL && (!json_is_integer(w) || json_integer_value(w) < 1 ||
                      json_integer_value(w) > 1000000))
        return iv_e400(c, f, "weight_g", "must be an integer from 1 to 1000000");
    return 0;
}

static int check_items(vctx *c, const json_t *items, int64_t *sum, int *over)
{
    static const char *const allowed[] = {"sku",     "quantity",       "unit_price", "name",
                                          "hs_code", "origin_country", "weight_g",   NULL};
    if (!json_is_array(items) || json_array_size(items) == 0)
        return iv_e400(c, "items", "", "must be a non-empty array");
    if (json_array_size(items) > LIMIT_ORDER_ITEMS)
        return iv_e400(c, "items", "", "more than %d lines", LIMIT_ORDER_ITEMS);
    *sum = 0;
    *over = 0;
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it) {
        char f[32];
        snprintf(f, sizeof(f), "items[%zu]", i);
        if (!json_is_object(it))
            return iv_e400(c, f, "", "must be an object");
        if (iv_only_members(c, it, f, allowed, NULL) != 0)
            return INTAKE_MALFORMED;
        json_t *v;
        if (iv_str_member(c, it, f, "sku", 1, 1, 64, &v) != 0 ||
            iv_str_member(c, it, f, "name", 0, 0, 200, &v) != 0)
            return INTAKE_MALFORMED;
        if (check_customs_fields(c, it, f) != 0)
            return INTAKE_MALFORMED;
        const json_t *q = json_object_get(it, "quantity"), *p = json_object_get(it, "unit_price");
        int64_t qv = json_integer_value(q), pv = json_integer_value(p);
        if (!json_is_integer(q) || qv < 1 || qv > 10000)
            return iv_e400(c, f, "quantity", "must be an integer from 1 to 10000");
        if (!json_is_integer(p) || pv < 0 || pv > MAX_AMOUNT)
            return iv_e400(c, f, "unit_price", "must be an integer amount in minor units");
        if (!*over) {
            *sum += qv * pv; /* both bounded, the sum below 1e11 before: no overflow */
            *over = *sum > MAX_AMOUNT;
        }
    }
    if (*over)
        iv_e422(c, "items", "", "order total too large");
    return 0;
}

/*
 * The payment is the buyer's token and nothing else.  What the gateways answer (the
 * authorization's transaction id, the instance that holds it, ...) is recorded next to it
 * by the engine, and a cancel or refund sends that transaction id back to the gateway:
 * accepting one here would let a storefront void or refund another's authorization.
 */
static int check_payment(vctx *c, const json_t *payment)
{
    static const char *const allowed[] = {"token", NULL};
    static const char *const owned[] = {"instance", "status",       "transaction_id",
                                        "amount",   "currency",     "code",
                                        "decline_code", "message",  NULL};
    if (payment == NULL)
        return iv_e400(c, "payment", "", "is required");
    if (!json_is_object(payment))
        return iv_e400(c, "payment", "", "must be an object");
    json_t *v;
    if (iv_only_members(c, payment, "payment", allowed, owned) != 0 ||
        iv_str_member(c, payment, "payment", "token", 1, 1, LIMIT_PAYMENT_TOKEN, &v) != 0)
        return INTAKE_MALFORMED;
    return 0;
}

static int check_metadata(vctx *c, const json_t *md)
{
    if (md == NULL)
        return 0;
    if (!json_is_object(md))
        return iv_e400(c, "metadata", "", "must be an object");
    if (json_object_size(md) > LIMIT_ORDER_METADATA)
        return iv_e400(c, "metadata", "", "more than %d members", LIMIT_ORDER_METADATA);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)md, key, v) {
        size_t n = strlen(key);
        int ok = n >= 1 && n <= LIMIT_METADATA_NAME;
        for (const char *p = key; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || iv_is_digit(*p) || *p == '_';
        if (!ok)
            return iv_e400(c, "metadata", key, "member names must be 1 to %d of a-z 0-9 _",
                        LIMIT_METADATA_NAME);
        if (!json_is_string(v))
            return iv_e400(c, "metadata", key, "must be a string");
        if (intake_chars(v) > LIMIT_METADATA_VALUE)
            return iv_e400(c, "metadata", key, "must be at most %d characters",
                        LIMIT_METADATA_VALUE);
    }
    return 0;
}

/*
 * No control character in any string or member name: `path` (of `cap` bytes) holds the
 * location of `j`, extended in place while descending.
 */
/* Whether any string or member name holds a control character: the cheap pass, with no
 * path built (walk_controls names the field only when there is one to name). */
static int any_control(const json_t *j)
{
    if (json_is_string(j))
        return iv_has_control(json_string_value(j), json_string_length(j));
    size_t i;
    const json_t *v;
    if (json_is_array(j)) {
        json_array_foreach(j, i, v) {
            if (any_control(v))
                return 1;
        }
        return 0;
    }
    const char *key;
#if JANSSON_VERSION_HEX >= 0x020e00
    size_t klen; /* a member name may hold a NUL: strlen would stop at it */
    json_object_keylen_foreach((json_t *)j, key, klen, v) {
#else
    json_object_foreach((json_t *)j, key, v) {
        size_t klen = strlen(key);
#endif
        if (iv_has_control(key, klen) || any_control(v))
            return 1;
    }
    return 0;
}

static int walk_controls(vctx *c, const json_t *j, char *path, size_t cap)
{
    size_t len = strlen(path);
    if (json_is_string(j)) {
        if (iv_has_control(json_string_value(j), json_string_length(j)))
            return iv_e400(c, path, "", "must not contain control characters");
    } else if (json_is_array(j)) {
        size_t i;
        const json_t *v;
        json_array_foreach(j, i, v) {
            snprintf(path + len, cap - len, "[%zu]", i);
            if (walk_controls(c, v, path, cap) != 0)
                return INTAKE_MALFORMED;
        }
    } else if (json_is_object(j)) {
        const char *key;
        const json_t *v;
#if JANSSON_VERSION_HEX >= 0x020e00
        size_t klen;
        json_object_keylen_foreach((json_t *)j, key, klen, v) {
#else
        json_object_foreach((json_t *)j, key, v) {
            size_t klen = strlen(key);
#endif
            path[len] = '\0';
            if (iv_has_control(key, klen))
                return iv_e400(c, path, "", "has a member name with a control character");
            snprintf(path + len, cap - len, "%s%s", len ? "." : "", key);
            if (walk_controls(c, v, path, cap) != 0)
                return INTAKE_MALFORMED;
        }
    }
    path[len] = '\0';
    return 0;
}

static int new_id(char *id, size_t len)
{
    unsigned char r[8];
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
        return -1;
    snprintf(id, len, "ord_%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4],
             r[5], r[6], r[7]);
    return 0;
}

static int check_order(vctx *c, json_t *order, int64_t *sum)
{
    static const char *const allowed[] = {
        "id",      "seller",        "buyer",       "items",    "currency", "total",
        "shipping_address", "payment", "service_level", "description", "metadata", NULL};
    /* orderhub keeps its own bookkeeping under these names. */
    static const char *const reserved[] = {"state",        "_engine",   "created_by",
                                           "acknowledged", "returns",   "disputes",
                                           "shipment",     "fulfillment", "quotes",
                                           "cancellation", "rejection", NULL};
    static const char *const levels[] = {"economy", "standard", "express", "overnight", NULL};
    if (!json_is_object(order))
        return iv_e400(c, "", "", "the body must be a JSON object");
    char path[256] = "";
    if (any_control(order) && walk_controls(c, order, path, sizeof(path)) != 0)
        return INTAKE_MALFORMED;
    for (size_t i = 0; reserved[i] != NULL; i++) {
        if (json_object_get(order, reserved[i]) != NULL)
            return iv_e400(c, reserved[i], "", "is set by orderhub, not by the submitter");
    }
    if (iv_only_members(c, order, "", allowed, NULL) != 0)
        return INTAKE_MALFORMED;
    const json_t *id = json_object_get(order, "id");
    if (id != NULL && !intake_id_ok(json_string_value(id)))
        return iv_e400(c, "id", "", "must be 1 to 63 of A-Z a-z 0-9 - _");
    if (check_seller(c, json_object_get(order, "seller")) != 0 ||
        check_buyer(c, json_object_get(order, "buyer")) != 0)
        return INTAKE_MALFORMED;
    const char *currency = json_string_value(json_object_get(order, "currency"));
    if (!iv_upper_code(currency, 3))
        return iv_e400(c, "currency", "", "must be an ISO 4217 code like \"USD\"");
    if (!intake_currency_known(currency))
        iv_e422(c, "currency", "", "is not an ISO 4217 currency code in use");
    int over = 0;
    if (check_items(c, json_object_get(order, "items"), sum, &over) != 0)
        return INTAKE_MALFORMED;
    const json_t *total = json_object_get(order, "total");
    if (total != NULL && !json_is_integer(total))
        return iv_e400(c, "total", "", "must be an integer amount in minor units");
    if (total != NULL && !over && json_integer_value(total) != *sum)
        iv_e422(c, "total", "", "must equal the sum of the items' quantity x unit_price (minor "
             "units): %lld", (long long)*sum);
    if (check_payment(c, json_object_get(order, "payment")) != 0)
        return INTAKE_MALFORMED;
    json_t *v;
    const json_t *addr = json_object_get(order, "shipping_address");
    if (addr == NULL)
        return iv_e400(c, "shipping_address", "", "is required");
    if (iv_check_address(c, addr, "shipping_address") != 0)
        return INTAKE_MALFORMED;
    const char *level = json_string_value(json_object_get(order, "service_level"));
    size_t i = 0;
    while (level != NULL && levels[i] != NULL && strcmp(levels[i], level) != 0)
        i++;
    if (json_object_get(order, "service_level") != NULL && (level == NULL || levels[i] == NULL))
        return iv_e400(c, "service_level", "", "must be economy, standard, express or overnight");
    if (iv_str_member(c, order, "", "description", 0, 0, LIMIT_DESCRIPTION, &v) != 0 ||
        check_metadata(c, json_object_get(order, "metadata")) != 0)
        return INTAKE_MALFORMED;
    return 0;
}

int intake_validate(json_t *order, char *field, size_t fl, char *why, size_t wl)
{
    vctx c = {.field = field, .fl = fl, .why = why, .wl = wl};
    int64_t sum = 0;
    if (check_order(&c, order, &sum) != 0)
        return INTAKE_MALFORMED;
    if (c.impossible) {
        snprintf(field, fl, "%s", c.ifield);
        snprintf(why, wl, "%s", c.iwhy);
        return INTAKE_IMPOSSIBLE;
    }
    char id[32];
    if (json_object_get(order, "id") == NULL &&
        (new_id(id, sizeof(id)) != 0 ||
         json_object_set_new(order, "id", json_string(id)) != 0))
        return iv_e400(&c, "id", "", "could not generate an id");
    for (size_t i = 0; i < c.nfix; i++)
        json_string_set(c.fix[i].str, c.fix[i].val);
    if (json_object_get(order, "total") == NULL)
        json_object_set_new(order, "total", json_integer(sum));
    if (json_object_get(order, "service_level") == NULL)
        json_object_set_new(order, "service_level", json_string("standard"));
    return INTAKE_OK;
}
