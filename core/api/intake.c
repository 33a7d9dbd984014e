#include "config.h"

#include "intake.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define MAX_ITEMS 100
#define MAX_AMOUNT INT64_C(100000000000) /* 1e11 minor units: far above any real order */

int intake_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 63)
        return 0;
    for (const char *p = id; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return 0;
    }
    return 1;
}

static int bad(char *field, size_t fl, char *why, size_t wl, const char *f, const char *w)
{
    snprintf(field, fl, "%s", f);
    snprintf(why, wl, "%s", w);
    return -1;
}

static int upper_code(const char *s, size_t len)
{
    if (s == NULL || strlen(s) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    }
    return 1;
}

static int new_id(json_t *order)
{
    unsigned char r[8];
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
        return -1;
    char id[32];
    snprintf(id, sizeof(id), "ord_%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
             r[4], r[5], r[6], r[7]);
    return json_object_set_new(order, "id", json_string(id));
}

/* Items: sum of quantity x unit_price, with overflow refused.  -1 with field/why on error. */
static int check_items(const json_t *items, int64_t *sum, char *field, size_t fl, char *why,
                       size_t wl)
{
    if (!json_is_array(items) || json_array_size(items) == 0)
        return bad(field, fl, why, wl, "items", "must be a non-empty array");
    if (json_array_size(items) > MAX_ITEMS)
        return bad(field, fl, why, wl, "items", "more than 100 lines");
    *sum = 0;
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it) {
        char f[64];
        const json_t *sku = json_object_get(it, "sku"), *q = json_object_get(it, "quantity"),
                     *p = json_object_get(it, "unit_price");
        int64_t qv = json_integer_value(q), pv = json_integer_value(p);
        if (!json_is_object(it))
            return snprintf(f, sizeof(f), "items[%zu]", i), bad(field, fl, why, wl, f,
                                                                 "must be an object");
        if (!json_is_string(sku) || json_string_length(sku) == 0 || json_string_length(sku) > 64)
            return snprintf(f, sizeof(f), "items[%zu].sku", i),
                   bad(field, fl, why, wl, f, "must be a string of 1 to 64 characters");
        if (!json_is_integer(q) || qv < 1 || qv > 10000)
            return snprintf(f, sizeof(f), "items[%zu].quantity", i),
                   bad(field, fl, why, wl, f, "must be an integer from 1 to 10000");
        if (!json_is_integer(p) || pv < 0 || pv > MAX_AMOUNT)
            return snprintf(f, sizeof(f), "items[%zu].unit_price", i),
                   bad(field, fl, why, wl, f, "must be an integer amount in minor units");
        *sum += qv * pv; /* both bounded: no overflow */
        if (*sum > MAX_AMOUNT)
            return bad(field, fl, why, wl, "items", "order total too large");
    }
    return 0;
}

int intake_validate(json_t *order, char *field, size_t fl, char *why, size_t wl)
{
    if (!json_is_object(order))
        return bad(field, fl, why, wl, "", "the body must be a JSON object");
    const json_t *id = json_object_get(order, "id");
    if (id == NULL && new_id(order) != 0)
        return bad(field, fl, why, wl, "id", "could not generate an id");
    if (!intake_id_ok(json_string_value(json_object_get(order, "id"))))
        return bad(field, fl, why, wl, "id", "must be 1 to 63 of A-Z a-z 0-9 - _");
    const json_t *seller = json_object_get(order, "seller");
    if (!json_is_object(seller) || !intake_id_ok(json_string_value(json_object_get(seller, "id"))))
        return bad(field, fl, why, wl, "seller.id", "must be 1 to 63 of A-Z a-z 0-9 - _");
    if (!upper_code(json_string_value(json_object_get(order, "currency")), 3))
        return bad(field, fl, why, wl, "currency", "must be an ISO 4217 code like \"USD\"");
    int64_t sum = 0;
    if (check_items(json_object_get(order, "items"), &sum, field, fl, why, wl) != 0)
        return -1;
    const json_t *total = json_object_get(order, "total");
    if (total == NULL)
        json_object_set_new(order, "total", json_integer(sum));
    else if (!json_is_integer(total) || json_integer_value(total) != sum)
        return bad(field, fl, why, wl, "total", "must equal the sum of the items' quantity x "
                   "unit_price (minor units)");
    const json_t *payment = json_object_get(order, "payment");
    const char *token = json_string_value(json_object_get(payment, "token"));
    if (!json_is_object(payment) || token == NULL || *token == '\0' || strlen(token) > 255)
        return bad(field, fl, why, wl, "payment.token", "must be a non-empty string");
    const json_t *addr = json_object_get(order, "shipping_address");
    if (addr != NULL && (!json_is_object(addr) ||
                         !upper_code(json_string_value(json_object_get(addr, "country")), 2)))
        return bad(field, fl, why, wl, "shipping_address.country",
                   "must be an ISO 3166-1 alpha-2 code like \"US\"");
    /* orderhub keeps its own bookkeeping under these names. */
    static const char *const reserved[] = {"state", "_engine", "created_by", "acknowledged",
                                           "returns", "disputes", "shipment", NULL};
    for (size_t i = 0; reserved[i] != NULL; i++) {
        if (json_object_get(order, reserved[i]) != NULL)
            return bad(field, fl, why, wl, reserved[i],
                       "is set by orderhub, not by the submitter");
    }
    return 0;
}
