/*
 * stock_body - the stock writes' bodies, read strictly: a member the API does not document
 * is refused rather than ignored, so a client's typo ("onhand") never becomes a write that
 * silently left the quantity alone.
 */
#include "config.h"

#include "stock_body.h"

#include "api/api_limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int stock_sku_ok(const char *sku)
{
    size_t n = sku ? strlen(sku) : 0;
    if (n == 0 || n >= ST_SKU_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)sku[i];
        if (ch < 0x20 || ch == 0x7f)
            return 0;
    }
    return 1;
}

void stock_set_field(stock_body_kind kind, size_t index, const char *member, char *field,
                     size_t fieldlen)
{
    if (kind == STOCK_BODY_BULK)
        snprintf(field, fieldlen, "items[%zu]%s%s", index, *member ? "." : "", member);
    else
        snprintf(field, fieldlen, "%s", member);
}

/* Where a refusal goes: the member's name as the caller wrote it, and why. */
typedef struct rd {
    stock_body_kind kind;
    size_t index;
    char *field;
    size_t fieldlen;
    char *why;
    size_t whylen;
} rd;

static int refuse(rd *r, const char *member, const char *why)
{
    stock_set_field(r->kind, r->index, member, r->field, r->fieldlen);
    snprintf(r->why, r->whylen, "%s", why);
    return -1;
}

/* Member `key`, when present, an integer in [lo, hi]: 0 (*present 0 or 1), or -1. */
static int int_member(rd *r, const json_t *o, const char *key, json_int_t lo, json_int_t hi,
                      int64_t *v, int *present)
{
    const json_t *j = json_object_get(o, key);
    *present = j != NULL;
    if (j == NULL)
        return 0;
    char why[128];
    if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi) {
        snprintf(why, sizeof(why), "must be an integer from %lld to %lld", (long long)lo,
                 (long long)hi);
        return refuse(r, key, why);
    }
    *v = (int64_t)json_integer_value(j);
    return 0;
}

/* One record's write: an item of a bulk body, or a whole single body. */
static int read_one(rd *r, const json_t *o, st_stock_set *s)
{
    if (!json_is_object(o))
        return refuse(r, "", "must be an object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)o, key, v) {
        int known = strcmp(key, "version") == 0 || strcmp(key, "low_threshold") == 0 ||
                    (r->kind != STOCK_BODY_ADJUST && strcmp(key, "on_hand") == 0) ||
                    (r->kind != STOCK_BODY_SET && strcmp(key, "delta") == 0) ||
                    (r->kind == STOCK_BODY_BULK && strcmp(key, "sku") == 0);
        if (!known)
            return refuse(r, key, "is not a member of a stock write");
    }
    if (r->kind == STOCK_BODY_BULK) {
        const char *sku = json_string_value(json_object_get(o, "sku"));
        if (sku == NULL)
            return refuse(r, "sku", json_object_get(o, "sku") ? "must be a string"
                                                               : "is required");
        if (!stock_sku_ok(sku))
            return refuse(r, "sku", "must be 1 to 64 bytes without control characters");
        snprintf(s->sku, sizeof(s->sku), "%s", sku);
    }
    int has_set = 0, has_delta = 0, has_version = 0, has_low = 0;
    int64_t set = 0, delta = 0, version = 0, low = 0;
    if (int_member(r, o, "on_hand", 0, ST_STOCK_QTY_MAX, &set, &has_set) != 0 ||
        int_member(r, o, "delta", -ST_STOCK_QTY_MAX, ST_STOCK_QTY_MAX, &delta, &has_delta) != 0 ||
        int_member(r, o, "version", 1, INT64_MAX, &version, &has_version) != 0)
        return -1;
    const json_t *lt = json_object_get(o, "low_threshold");
    if (lt != NULL && !json_is_null(lt) &&
        int_member(r, o, "low_threshold", 0, ST_STOCK_QTY_MAX, &low, &has_low) != 0)
        return -1;
    if (has_set && has_delta)
        return refuse(r, "delta", "cannot be given with on_hand: one or the other");
    if (!has_set && !has_delta)
        return refuse(r, r->kind == STOCK_BODY_ADJUST ? "delta" : "on_hand", "is required");
    s->mode = has_set ? ST_STOCK_SET : ST_STOCK_ADJUST;
    s->value = has_set ? set : delta;
    /* Absent keeps the record's threshold; null clears it. */
    s->low_threshold = lt == NULL ? -2 : json_is_null(lt) ? -1 : low;
    s->expect_version = has_version ? version : 0;
    return 0;
}

int stock_body_read(const json_t *body, stock_body_kind kind, const char *seller_id,
                    const char *sku, st_stock_set **out, size_t *count, char *field,
                    size_t fieldlen, char *why, size_t whylen)
{
    rd r = {kind, 0, field, fieldlen, why, whylen};
    *out = NULL;
    *count = 0;
    const json_t *items = body;
    size_t n = 1;
    if (kind == STOCK_BODY_BULK) {
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)body, key, v) {
            if (strcmp(key, "items") != 0) {
                snprintf(field, fieldlen, "%s", key);
                snprintf(why, whylen, "is not a member of a bulk stock write");
                return -1;
            }
        }
        items = json_object_get(body, "items");
        n = json_array_size(items);
        if (!json_is_array(items) || n < 1 || n > LIMIT_STOCK_ITEMS) {
            snprintf(field, fieldlen, "items");
            snprintf(why, whylen, "must be an array of 1 to %d stock writes", LIMIT_STOCK_ITEMS);
            return -1;
        }
    }
    st_stock_set *sets = calloc(n, sizeof(*sets));
    if (sets == NULL) {
        snprintf(field, fieldlen, "%s", "");
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        r.index = i;
        snprintf(sets[i].seller_id, sizeof(sets[i].seller_id), "%s", seller_id);
        if (kind != STOCK_BODY_BULK)
            snprintf(sets[i].sku, sizeof(sets[i].sku), "%s", sku);
        if (read_one(&r, kind == STOCK_BODY_BULK ? json_array_get(items, i) : body,
                     &sets[i]) != 0) {
            free(sets);
            return -1;
        }
        /* One SKU twice in a unit would make its version check and its answer ambiguous. */
        for (size_t k = 0; k < i; k++) {
            if (strcmp(sets[k].sku, sets[i].sku) == 0) {
                char msg[64];
                snprintf(msg, sizeof(msg), "repeats items[%zu].sku", k);
                refuse(&r, "sku", msg);
                free(sets);
                return -1;
            }
        }
    }
    *out = sets;
    *count = n;
    return 0;
}
