/*
 * orders - /v1/orders: placement (idempotent with Idempotency-Key), reads, listing, and
 * the seller's, buyer's and support's actions, each checked against the caller's role.
 */
#include "config.h"

#include "api_int.h"

#include "api/api_limits.h"
#include "log/log.h"

#include "api/intake.h"
#include "engine/lifecycle.h"
#include "host/host.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define SELLERS (ROLE(CFG_ROLE_SELLER) | ROLE(CFG_ROLE_ADMIN))
#define BUYERS (ROLE(CFG_ROLE_STOREFRONT) | ROLE(CFG_ROLE_ADMIN))
#define SUPPORT (ROLE(CFG_ROLE_SUPPORT) | ROLE(CFG_ROLE_ADMIN))

/*
 * A body check: 0 when `body` is acceptable for `order` (the snapshot), else the HTTP
 * status to answer (400 malformed, 422 well-formed but impossible for this order) with
 * `field` and `why` set.
 */
typedef int (*body_check)(const json_t *body, const json_t *order, char *field, size_t fl,
                          char *why, size_t wl);

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
static const struct {
    const char *path;
    lc_input input;
    unsigned roles;
    const char *sub_field;
    body_check check;
    const char *const *keep;
} actions[] = {
    {"ack", LC_IN_ACKNOWLEDGE, SELLERS, NULL, NULL, KEEP("note")},
    {"pack", LC_IN_PACK, SELLERS, NULL, check_shipping,
     KEEP("parcels", "carrier", "service", "service_level")},
    {"ship", LC_IN_PACK, SELLERS, NULL, check_shipping,
     KEEP("parcels", "carrier", "service", "service_level")},
    {"cancel", LC_IN_CANCEL, SELLERS | BUYERS | SUPPORT, NULL, NULL, KEEP("reason")},
    {"payment", LC_IN_PAYMENT_RESUBMITTED, BUYERS, NULL, check_token, KEEP("token")},
    {"returns", LC_IN_RET_REQUEST, BUYERS, "return_id", check_return, KEEP("reason", "skus")},
    {"returns/*/approve", LC_IN_RET_APPROVE, SELLERS, "return_id", NULL, KEEP("note")},
    {"returns/*/reject", LC_IN_RET_REJECT, SELLERS, "return_id", NULL, KEEP("reason")},
    {"returns/*/received", LC_IN_RET_RECEIVED, SELLERS, "return_id", NULL, KEEP("note")},
    {"returns/*/inspected", LC_IN_RET_INSPECTED, SELLERS, "return_id", check_outcome,
     KEEP("outcome", "note")},
    {"returns/*/exchange", LC_IN_RET_EXCHANGE, SELLERS, "return_id", NULL, KEEP("note")},
    {"disputes", LC_IN_DIS_OPEN, BUYERS, "dispute_id", NULL, KEEP("reason")},
    {"disputes/*/resolve", LC_IN_DIS_RESOLVE, SUPPORT, "dispute_id", check_resolution,
     KEEP("resolution", "note")},
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
    return one_of(b, "outcome", field, fl, why, wl) != 0 ? 400 : 0;
}

static int check_resolution(CHECK_ARGS)
{
    (void)order;
    return one_of(b, "resolution", field, fl, why, wl) != 0 ? 400 : 0;
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

/* A carrier named at packing must be a carrier instance of the current configuration:
 * anything else would leave the order with no label to wait for.  0, or 422. */
static int check_carrier_configured(req_ctx *ctx, const json_t *b, char *field, size_t fl,
                                    char *why, size_t wl)
{
    const char *id = json_string_value(json_object_get(b, "carrier"));
    if (id == NULL)
        return 0;
    rt_gen *g = api_current(ctx->a);
    const struct oh_instance *inst = g ? rt_instance(g, id) : NULL;
    int ok = inst != NULL && inst->module->desc.kind == OH_KIND_CARRIER;
    rt_gen_unref(g);
    if (ok)
        return 0;
    snprintf(field, fl, "carrier");
    snprintf(why, wl, "'%s' is not a carrier instance of the current configuration", id);
    return 422;
}

/* ---- helpers ----------------------------------------------------------------------------- */

static void sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    out[0] = '\0';
    if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1)
        return;
    for (unsigned int i = 0; i < n && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The order if the caller may see it; else NULL after answering 404 (or 503). */
static json_t *visible_order(req_ctx *ctx, const char *id, enum MHD_Result *answered)
{
    st_order o;
    char err[256];
    int rc = store_order_get(ctx->a->h->store, id, &o, err, sizeof(err));
    if (rc == 1) {
        *answered = api_send_error(ctx, 404, "no such order", "");
        return NULL;
    }
    char why[400];
    if (rc != 0) {
        snprintf(why, sizeof(why), "store: reading order %s: %s", id, err);
        log_error("%s", why);
        *answered = api_send_error(ctx, 503, why, "");
        return NULL;
    }
    json_error_t je;
    json_t *order = json_loads(o.snapshot ? o.snapshot : "", 0, &je);
    st_order_clear(&o);
    /* A stored snapshot is always an object (the engine writes it): anything else is a
     * damaged record, to be reported as such - never as an order that does not exist. */
    if (!json_is_object(order)) {
        int parsed = order != NULL;
        json_decref(order);
        snprintf(why, sizeof(why), "store: order %s: the stored snapshot is %s", id,
                 parsed ? "not a JSON object" : "not JSON");
        log_error("%s%s%s", why, parsed ? "" : ": ", parsed ? "" : je.text);
        *answered = api_send_error(ctx, 500, why, "");
        return NULL;
    }
    if (!api_may_see(&ctx->who, order)) {
        json_decref(order);
        /* Exactly the answer for an order that does not exist. */
        *answered = api_send_error(ctx, 404, "no such order", "");
        return NULL;
    }
    return order;
}

/* 1 when the caller may see order `id`; else 0 with the answer (404, 503) sent. */
static int order_visible(req_ctx *ctx, const char *id, enum MHD_Result *answered)
{
    json_t *order = visible_order(ctx, id, answered);
    json_decref(order);
    return order != NULL;
}

/* The request body as a JSON object (an empty one when there is none); NULL answered 400. */
static json_t *body_object(req_ctx *ctx, enum MHD_Result *answered)
{
    if (ctx->len == 0)
        return json_object();
    oh_error perr = {{0}};
    json_t *j = host_json_parse(ctx->body, ctx->len, &perr);
    if (!json_is_object(j)) {
        json_decref(j);
        *answered = api_send_error(ctx, 400, perr.message[0] ? perr.message
                                                              : "the body must be a JSON object", "");
        return NULL;
    }
    return j;
}

/* ---- placement --------------------------------------------------------------------------- */

_Static_assert((ST_ID_MAX - 1) + 1 + LIMIT_IDEMPOTENCY_KEY < ST_KEY_MAX,
               "a token name, '/' and the longest Idempotency-Key must fit a store key");

/* Answer from a recorded idempotency key, or NULL if it was not recorded after all. */
static enum MHD_Result answer_from_record(req_ctx *ctx, const char *hash, int *found)
{
    st_idem rec;
    char err[256];
    int rc = store_idem_get(ctx->a->h->store, ctx->idem_key, &rec, err, sizeof(err));
    *found = rc != 1;
    if (rc < 0)
        return api_send_error(ctx, 503, err, "");
    if (rc == 1)
        return MHD_YES;
    enum MHD_Result r;
    if (strcmp(rec.request_hash, hash) == 0)
        r = api_send_text(ctx, rec.status, rec.response ? rec.response : "{}");
    else
        r = api_send_error(ctx, 409, "Idempotency-Key was used with another body", "");
    st_idem_clear(&rec);
    return r;
}

/*
 * The placement's reply.  A success answers exactly what the engine recorded under the
 * key ({"id","state"}, same member order), so a replay is byte-identical; a key recorded
 * meanwhile answers that record verbatim.
 */
static void place_reply(void *arg, int rc, const char *state, const char *error)
{
    req_ctx *ctx = arg;
    if (rc == ENG_EIDEM) {
        st_idem rec;
        char err[256];
        if (store_idem_get(ctx->a->h->store, ctx->idem_key, &rec, err, sizeof(err)) == 0) {
            api_reply_raw(ctx, rec.status, rec.response ? rec.response : "{}");
            st_idem_clear(&rec);
            return;
        }
        rc = -1;
        error = "idempotency record vanished";
    }
    if (rc == 0) {
        json_t *j = json_pack("{s:s, s:s}", "id",
                              json_string_value(json_object_get(ctx->extra, "id")), "state",
                              state ? state : "");
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        api_reply_raw(ctx, text ? 201 : 500, text ? text : "{\"error\":\"out of memory\"}");
        free(text);
        return;
    }
    if (rc == ENG_EREFUSED || rc == ENG_EBUSY) {
        api_on_engine_reply(arg, rc, NULL, error);
        return;
    }
    char *text = api_placement_failure(error);
    api_reply_raw(ctx, text ? 503 : 500, text ? text : "{\"error\":\"out of memory\"}");
    free(text);
}

static enum MHD_Result place(req_ctx *ctx)
{
    if (!api_role_in(&ctx->who, BUYERS))
        return api_send_error(ctx, 403, "only a storefront or admin token places orders", "");
    const char *key = MHD_lookup_connection_value(ctx->conn, MHD_HEADER_KIND,
                                                  "Idempotency-Key");
    char hash[65] = "";
    if (key != NULL) {
        size_t n = strlen(key);
        int printable = n >= 1 && n <= LIMIT_IDEMPOTENCY_KEY;
        for (size_t i = 0; printable && i < n; i++)
            printable = key[i] > 32 && key[i] < 127;
        /* Scoped as "token name/key": a cut key would make two keys one (the second
         * purchase answered with the first); the longest name and key must fit. */
        int len = printable ? snprintf(ctx->idem_key, sizeof(ctx->idem_key), "%s/%s",
                                       ctx->who.name, key)
                            : -1;
        if (len < 0 || (size_t)len >= sizeof(ctx->idem_key))
            return api_send_error(ctx, 400, "Idempotency-Key must be 1 to 128 printable "
                                  "characters", "Idempotency-Key");
        sha256_hex(ctx->body ? ctx->body : "", ctx->len, hash);
        int found = 0;
        enum MHD_Result r = answer_from_record(ctx, hash, &found);
        if (found)
            return r;
    }
    oh_error perr = {{0}};
    json_t *order = host_json_parse(ctx->body ? ctx->body : "", ctx->len, &perr);
    if (order == NULL)
        return api_send_error(ctx, 400, perr.message, "");
    char field[64] = "", why[256] = "";
    int valid = intake_validate(order, field, sizeof(field), why, sizeof(why));
    if (valid != INTAKE_OK) {
        json_decref(order);
        char msg[400];
        snprintf(msg, sizeof(msg), "%s%s%s", field, field[0] ? " " : "", why);
        return api_send_error(ctx, valid == INTAKE_IMPOSSIBLE ? 422 : 400, msg, field);
    }
    json_object_set_new(order, "created_by", json_string(ctx->who.name));
    ctx->created = 1;
    ctx->extra = json_pack("{s:s}", "id", json_string_value(json_object_get(order, "id")));
    api_suspend(ctx);
    if (eng_place_keyed(ctx->a->h->engine, order, key ? ctx->idem_key : NULL,
                        key ? hash : NULL, place_reply, ctx) != 0)
        api_on_engine_reply(ctx, -1, NULL, "the engine refused the order");
    return MHD_YES;
}

/* ---- reads --------------------------------------------------------------------------------- */

/*
 * What a reader gets: the engine's bookkeeping stays inside, and the buyer's payment token
 * is a credential, not data: only its last four characters are shown.
 */
static void redact(json_t *order)
{
    json_object_del(order, "_engine");
    json_t *payment = json_object_get(order, "payment");
    const char *token = json_string_value(json_object_get(payment, "token"));
    if (token != NULL) {
        size_t n = strlen(token);
        char shown[16];
        snprintf(shown, sizeof(shown), "***%s", n > 8 ? token + n - 4 : "");
        json_object_set_new(payment, "token", json_string(shown));
    }
}

static enum MHD_Result get_order(req_ctx *ctx, const char *id)
{
    enum MHD_Result answered = MHD_YES;
    json_t *order = visible_order(ctx, id, &answered);
    if (order == NULL)
        return answered;
    redact(order);
    return api_send_json(ctx, 200, order);
}

static enum MHD_Result get_events(req_ctx *ctx, const char *id)
{
    enum MHD_Result answered = MHD_YES;
    if (!order_visible(ctx, id, &answered))
        return answered;
    st_event *ev = NULL;
    size_t n = 0;
    char err[256];
    if (store_events(ctx->a->h->store, id, &ev, &n, err, sizeof(err)) != 0)
        return api_send_error(ctx, 503, err, "");
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:o?}", "seq",
                                              (json_int_t)ev[i].seq, "name", ev[i].name,
                                              "at_ms", (json_int_t)ev[i].at_ms, "data",
                                              json_loads(ev[i].data ? ev[i].data : "{}", 0,
                                                         NULL)));
    st_events_free(ev, n);
    return api_send_json(ctx, 200, json_pack("{s:s, s:o}", "order_id", id, "events", list));
}

/* GET /v1/orders/{id}/documents/{name}: a label or customs form, as the carrier made it. */
static enum MHD_Result get_document(req_ctx *ctx, const char *id, const char *name)
{
    if (!intake_id_ok(name))
        return api_send_error(ctx, 404, "no such document", "");
    enum MHD_Result answered = MHD_YES;
    if (!order_visible(ctx, id, &answered))
        return answered;
    st_document d;
    char err[256];
    int rc = store_document_get(ctx->a->h->store, id, name, &d, err, sizeof(err));
    if (rc != 0)
        return api_send_error(ctx, rc == 1 ? 404 : 503, rc == 1 ? "no such document" : err, "");
    enum MHD_Result r = api_send_bytes(ctx, 200, d.mime_type, d.data, d.len);
    st_document_clear(&d);
    return r;
}

/* ---- actions ------------------------------------------------------------------------------- */

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

static enum MHD_Result order_action(req_ctx *ctx, const char *id, const char *tail)
{
    char sub[ST_ID_MAX] = "";
    size_t k = 0, n = sizeof(actions) / sizeof(actions[0]);
    while (k < n && !match_path(actions[k].path, tail, sub, sizeof(sub)))
        k++;
    if (k == n)
        return api_send_error(ctx, 404, "no such action", "");
    enum MHD_Result answered = MHD_YES;
    json_t *order = visible_order(ctx, id, &answered);
    if (order == NULL)
        return answered;
    if (!api_role_in(&ctx->who, actions[k].roles)) {
        json_decref(order);
        return api_send_error(ctx, 403, "this token's role may not do that", "");
    }
    json_t *data = body_object(ctx, &answered);
    if (data == NULL) {
        json_decref(order);
        return answered;
    }
    char field[64] = "", why[256] = "";
    int status = check_texts(data, field, sizeof(field), why, sizeof(why));
    if (status == 0 && actions[k].check != NULL)
        status = actions[k].check(data, order, field, sizeof(field), why, sizeof(why));
    if (status == 0 && actions[k].check == check_shipping)
        status = check_carrier_configured(ctx, data, field, sizeof(field), why, sizeof(why));
    json_decref(order);
    if (status != 0) {
        json_decref(data);
        char msg[400];
        snprintf(msg, sizeof(msg), "%s %s", field, why);
        return api_send_error(ctx, status, msg, field);
    }
    /* Only documented members go on: a body cannot set engine fields (payment.instance,
     * transaction ids) through the merge into the order. */
    json_t *kept = json_object();
    for (const char *const *m = actions[k].keep; *m != NULL; m++) {
        json_t *v = json_object_get(data, *m);
        if (v != NULL)
            json_object_set(kept, *m, v);
    }
    json_decref(data);
    data = kept;
    if (lc_creates(actions[k].input)) {
        unsigned char r[4];
        if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
            json_decref(data);
            return api_send_error(ctx, 503, "no randomness for an id", "");
        }
        snprintf(sub, sizeof(sub), "%.3s-%02x%02x%02x%02x", actions[k].path, r[0], r[1], r[2],
                 r[3]);
        ctx->created = 1;
        ctx->extra = json_pack("{s:s}", actions[k].sub_field, sub);
    }
    if (actions[k].sub_field != NULL)
        json_object_set_new(data, actions[k].sub_field, json_string(sub));
    api_suspend(ctx);
    if (eng_input(ctx->a->h->engine, id, lc_input_name(actions[k].input), data,
                  api_on_engine_reply, ctx) != 0)
        api_on_engine_reply(ctx, -1, NULL, "the engine refused the input");
    return MHD_YES;
}

/* ---- listing -------------------------------------------------------------------------------- */

static enum MHD_Result list_orders(req_ctx *ctx)
{
    st_order_filter f = {0};
    const char *seller = MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, "seller");
    const char *state = MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, "state");
    const char *since = MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, "since");
    const char *limit = MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, "limit");
    const char *cursor = MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, "cursor");
    char *end = NULL;
    long lim = limit ? strtol(limit, &end, 10) : 50;
    if (limit != NULL && (end == limit || *end != '\0' || lim < 1 || lim > LIMIT_LIST_PAGE))
        return api_send_error(ctx, 400, "limit must be an integer from 1 to 200", "limit");
    long long since_ms = since ? strtoll(since, &end, 10) : 0;
    if (since != NULL && (end == since || *end != '\0' || since_ms < 0))
        return api_send_error(ctx, 400, "since must be Unix milliseconds", "since");
    if (seller && !intake_id_ok(seller))
        return api_send_error(ctx, 400, "seller must be a seller id", "seller");
    if (state && (!*state || strlen(state) >= ST_NAME_MAX))
        return api_send_error(ctx, 400, "state must be a state name", "state");
    /* A seller sees its own orders only, a storefront the ones it created. */
    if (ctx->who.role == CFG_ROLE_SELLER) {
        if (seller != NULL && strcmp(seller, ctx->who.seller_id) != 0)
            return api_send_json(ctx, 200, json_pack("{s:[], s:n}", "orders", "next_cursor"));
        seller = ctx->who.seller_id;
    }
    f.seller_id = seller;
    f.state = state;
    f.since_ms = since_ms;
    f.created_by = ctx->who.role == CFG_ROLE_STOREFRONT ? ctx->who.name : NULL;
    st_order_row *rows = NULL;
    size_t n = 0;
    char next[256] = "", err[256];
    int rc = store_orders_list(ctx->a->h->store, &f, cursor, (size_t)lim, &rows, &n, next,
                               sizeof(next), err, sizeof(err));
    if (rc == ST_EINVAL)
        return api_send_error(ctx, 400, err, "cursor");
    if (rc != 0)
        return api_send_error(ctx, 503, err, "");
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I}", "id", rows[i].id, "state",
                                              rows[i].state, "seller_id", rows[i].seller_id,
                                              "updated_ms", (json_int_t)rows[i].updated_ms));
    free(rows);
    return api_send_json(ctx, 200, json_pack("{s:o, s:s?}", "orders", list, "next_cursor",
                                             next[0] ? next : NULL));
}

/* ---- dispatch ------------------------------------------------------------------------------ */

enum MHD_Result api_orders(req_ctx *ctx, const char *method, const char *url)
{
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (strcmp(url, "/v1/orders") == 0) {
        if (post)
            return place(ctx);
        if (get)
            return list_orders(ctx);
        return api_send_error(ctx, 405, "use GET or POST", "");
    }
    char id[ST_ID_MAX];
    const char *p = url + strlen("/v1/orders/"), *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (n == 0 || n >= sizeof(id))
        return api_send_error(ctx, 404, "no such resource", "");
    memcpy(id, p, n);
    id[n] = '\0';
    if (!intake_id_ok(id))
        return api_send_error(ctx, 404, "no such order", "");
    const char *tail = slash ? slash + 1 : "";
    if (get && *tail == '\0')
        return get_order(ctx, id);
    if (get && strcmp(tail, "events") == 0)
        return get_events(ctx, id);
    if (get && strncmp(tail, "documents/", 10) == 0)
        return get_document(ctx, id, tail + 10);
    if (post && *tail != '\0')
        return order_action(ctx, id, tail);
    return api_send_error(ctx, get || post ? 404 : 405, "no such resource", "");
}
