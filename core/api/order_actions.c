/*
 * order_actions - the actions of POST /v1/orders/{id}/...: which input each one is, who may
 * send it, what its body must hold and which of its members go on to the engine.
 */
#include "config.h"

#include "order_actions.h"

#include "api/api_limits.h"
#include "api/intake_codes.h"
#include "api/intake_context.h"

#include <stdio.h>
#include <string.h>


/* Members an action passes on; anything else in its body is dropped, never merged. */
#define KEEP(...) ((const char *const[]){__VA_ARGS__, NULL})

#define CHECK_ARGS const json_t *b, const json_t *order, char *field, size_t fl, char *why, \
                   size_t wl
static int check_shipping(CHECK_ARGS);
static int check_token(CHECK_ARGS);
static int check_outcome(CHECK_ARGS);
static int check_resolution(CHECK_ARGS);
static int check_return(CHECK_ARGS);

/*
 * The actions.  `path` is the part after /v1/orders/{id}/; "*" stands for a return or
 * dispute id.  A `sub_field` action carries that id to the engine; an input that creates
 * its sub-flow (lc_creates) makes one.
 */
static const api_action actions[] = {
    {"ack", LC_IN_ACKNOWLEDGE, SELLERS, NULL, NULL, KEEP("note"), 0},
    {"pack", LC_IN_PACK, SELLERS, NULL, check_shipping,
     KEEP("parcels", "carrier", "service", "service_level"), 1},
    {"ship", LC_IN_PACK, SELLERS, NULL, check_shipping,
     KEEP("parcels", "carrier", "service", "service_level"), 1},
    {"cancel", LC_IN_CANCEL, SELLERS | BUYERS | SUPPORT, NULL, NULL, KEEP("reason"), 0},
    {"payment", LC_IN_PAYMENT_RESUBMITTED, BUYERS, NULL, check_token, KEEP("token"), 0},
    {"returns", LC_IN_RET_REQUEST, BUYERS, "return_id", check_return, KEEP("reason", "skus"), 0},
    {"returns/*/approve", LC_IN_RET_APPROVE, SELLERS, "return_id", NULL, KEEP("note"), 0},
    {"returns/*/reject", LC_IN_RET_REJECT, SELLERS, "return_id", NULL, KEEP("reason"), 0},
    {"returns/*/received", LC_IN_RET_RECEIVED, SELLERS, "return_id", NULL, KEEP("note"), 0},
    {"returns/*/inspected", LC_IN_RET_INSPECTED, SELLERS, "return_id", check_outcome,
     KEEP("outcome", "note", "resellable"), 0},
    {"returns/*/exchange", LC_IN_RET_EXCHANGE, SELLERS, "return_id", NULL, KEEP("note"), 0},
    {"disputes", LC_IN_DIS_OPEN, BUYERS, "dispute_id", NULL, KEEP("reason"), 0},
    {"disputes/*/resolve", LC_IN_DIS_RESOLVE, SUPPORT, "dispute_id", check_resolution,
     KEEP("resolution", "note", "amount"), 0},
};

const char *api_order_action(size_t i, lc_input *input)
{
    if (i >= sizeof(actions) / sizeof(actions[0]))
        return NULL;
    *input = actions[i].input;
    return actions[i].path;
}

/* ---- body checks ------------------------------------------------------------------------ */

/* A malformed body: 400 naming the field. */
static int fail(char *field, size_t fl, char *why, size_t wl, const char *f, const char *w)
{
    snprintf(field, fl, "%s", f);
    snprintf(why, wl, "%s", w);
    return 400;
}

static int check_parcels(const json_t *b, char *field, size_t fl, char *why, size_t wl)
{
    static const char *const dims[] = {"weight_g", "length_mm", "width_mm", "height_mm"};
    const json_t *parcels = json_object_get(b, "parcels");
    if (parcels == NULL)
        return 0;
    if (!json_is_array(parcels) || json_array_size(parcels) > LIMIT_PARCELS) {
        snprintf(field, fl, "parcels");
        snprintf(why, wl, "must be an array of at most %d parcels", LIMIT_PARCELS);
        return 400;
    }
    size_t i;
    const json_t *p;
    json_array_foreach(parcels, i, p) {
        const char *key;
        const json_t *member;
        /* A parcel is kept in the snapshot as given: nothing but its dimensions. */
        json_object_foreach((json_t *)p, key, member) {
            size_t k = 0;
            while (k < 4 && strcmp(dims[k], key) != 0)
                k++;
            if (k == 4) {
                snprintf(field, fl, "parcels[%zu].%s", i, key);
                snprintf(why, wl, "is not a known member");
                return 400;
            }
        }
        for (size_t k = 0; k < 4; k++) {
            const json_t *v = json_object_get(p, dims[k]);
            if (v == NULL && k > 0)
                continue;
            if (!json_is_integer(v) || json_integer_value(v) < (k == 0 ? 1 : 0) ||
                json_integer_value(v) > 1000000) {
                snprintf(field, fl, "parcels[%zu].%s", i, dims[k]);
                snprintf(why, wl, "must be an integer from %d to 1000000", k == 0 ? 1 : 0);
                return 400;
            }
        }
    }
    return 0;
}

/* Parcels, and optionally the carrier instance, its service code, a service level.  That
 * the carrier is configured is checked against the current generation (order_action). */
static int check_shipping(CHECK_ARGS)
{
    (void)order;
    int rc = check_parcels(b, field, fl, why, wl);
    if (rc != 0)
        return rc;
    const json_t *carrier = json_object_get(b, "carrier");
    if (carrier != NULL && !intake_id_ok(json_string_value(carrier)))
        return fail(field, fl, why, wl, "carrier", "must be a carrier instance id");
    const json_t *service = json_object_get(b, "service");
    const char *sv = json_string_value(service);
    if (service != NULL && (sv == NULL || *sv == '\0' || strlen(sv) > LIMIT_SERVICE_CODE))
        return fail(field, fl, why, wl, "service", "must be a carrier service code (1-63 chars)");
    const json_t *level = json_object_get(b, "service_level");
    if (level != NULL && rates_level_rank(json_string_value(level)) < 0)
        return fail(field, fl, why, wl, "service_level",
                    "must be economy, standard, express or overnight");
    return 0;
}

static int check_token(CHECK_ARGS)
{
    (void)order;
    const json_t *token = json_object_get(b, "token");
    const char *t = json_string_value(token);
    if (t == NULL || *t == '\0' || intake_chars(token) > LIMIT_PAYMENT_TOKEN)
        return fail(field, fl, why, wl, "token", "must be a non-empty string");
    return 0;
}

static int one_of(const json_t *b, const char *name, char *field, size_t fl, char *why,
                  size_t wl)
{
    const char *v = json_string_value(json_object_get(b, name));
    if (v == NULL || (strcmp(v, "refund") != 0 && strcmp(v, "exchange") != 0 &&
                      strcmp(v, "reject") != 0))
        return fail(field, fl, why, wl, name, "must be \"refund\", \"exchange\" or \"reject\"");
    return 0;
}

static int check_outcome(CHECK_ARGS)
{
    (void)order;
    const json_t *resellable = json_object_get(b, "resellable");
    if (resellable != NULL && !json_is_boolean(resellable))
        return fail(field, fl, why, wl, "resellable", "must be true or false");
    return one_of(b, "outcome", field, fl, why, wl) != 0 ? 400 : 0;
}

static int check_resolution(CHECK_ARGS)
{
    if (one_of(b, "resolution", field, fl, why, wl) != 0)
        return 400;
    /* The part of the order's money the resolution gives back; the engine bounds it by
     * what remains (409 naming the refundable).  Absent: what remains. */
    const json_t *amount = json_object_get(b, "amount");
    if (amount == NULL)
        return 0;
    if (!json_is_integer(amount) || json_integer_value(amount) < 1 ||
        json_integer_value(amount) > json_integer_value(json_object_get(order, "total")))
        return fail(field, fl, why, wl, "amount",
                    "must be an integer amount in minor units, from 1 to the order's total");
    if (strcmp(json_string_value(json_object_get(b, "resolution")), "refund") != 0)
        return fail(field, fl, why, wl, "amount", "is only for the resolution \"refund\"");
    return 0;
}

/* Whether `sku` is the SKU of one of the order's items. */
static int order_has_sku(const json_t *order, const char *sku)
{
    size_t i;
    const json_t *it;
    json_array_foreach(json_object_get(order, "items"), i, it) {
        const char *s = json_string_value(json_object_get(it, "sku"));
        if (s != NULL && strcmp(s, sku) == 0)
            return 1;
    }
    return 0;
}

/*
 * A return names what comes back: SKUs of the order's own items, each once.  Without this
 * bound a return could carry any JSON, kept in the snapshot that every later event
 * rewrites whole.
 */
static int check_return(CHECK_ARGS)
{
    const json_t *skus = json_object_get(b, "skus");
    if (skus == NULL)
        return 0;
    if (!json_is_array(skus) || json_array_size(skus) == 0 ||
        json_array_size(skus) > LIMIT_RETURN_SKUS) {
        snprintf(field, fl, "skus");
        snprintf(why, wl, "must be an array of 1 to %d SKUs of the order's items",
                 LIMIT_RETURN_SKUS);
        return 400;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(skus, i, v) {
        snprintf(field, fl, "skus[%zu]", i);
        const char *sku = json_string_value(v);
        if (sku == NULL) {
            snprintf(why, wl, "must be a string");
            return 400;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(sku, json_string_value(json_array_get(skus, k))) == 0) {
                snprintf(why, wl, "repeats skus[%zu]", k);
                return 400;
            }
        }
        if (!order_has_sku(order, sku)) {
            snprintf(why, wl, "is not the SKU of an item of this order");
            return 422;
        }
    }
    field[0] = '\0';
    return 0;
}

/* Free text an action keeps (a reason, a note): a string of bounded length, or absent. */
static int check_texts(const json_t *b, char *field, size_t fl, char *why, size_t wl)
{
    static const struct {
        const char *name;
        size_t max;
    } texts[] = {{"reason", LIMIT_REASON}, {"note", LIMIT_NOTE}};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const json_t *v = json_object_get(b, texts[i].name);
        if (v == NULL)
            continue;
        if (!json_is_string(v) || intake_chars(v) > texts[i].max) {
            snprintf(field, fl, "%s", texts[i].name);
            snprintf(why, wl, "must be a string of at most %zu characters", texts[i].max);
            return 400;
        }
    }
    return 0;
}

/* Does `tail` ("returns/ret-1/approve") match `pattern` ("returns/ * /approve")? */
static int match_path(const char *pattern, const char *tail, char *sub, size_t sublen)
{
    while (*pattern && *tail) {
        if (*pattern == '*') {
            const char *end = strchr(tail, '/');
            size_t n = end ? (size_t)(end - tail) : strlen(tail);
            if (n == 0 || n >= sublen)
                return 0;
            memcpy(sub, tail, n);
            sub[n] = '\0';
            if (!intake_id_ok(sub))
                return 0;
            tail += n;
            pattern++;
            continue;
        }
        if (*pattern++ != *tail++)
            return 0;
    }
    return *pattern == '\0' && *tail == '\0';
}

const api_action *api_action_find(const char *tail, char *sub, size_t sublen)
{
    for (size_t k = 0; k < sizeof(actions) / sizeof(actions[0]); k++) {
        if (match_path(actions[k].path, tail, sub, sublen))
            return &actions[k];
    }
    return NULL;
}

int api_action_check(const api_action *a, const json_t *body, const json_t *order,
                     char *field, size_t fl, char *why, size_t wl)
{
    int status = check_texts(body, field, fl, why, wl);
    if (status == 0 && a->check != NULL)
        status = a->check(body, order, field, fl, why, wl);
    return status;
}
