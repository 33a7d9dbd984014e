/*
 * orders - /v1/orders: placement (idempotent with Idempotency-Key), reads, listing, and
 * the seller's, buyer's and support's actions, each checked against the caller's role.
 */
#include "config.h"

#include "orders.h"

#include "auth.h"
#include "order_actions.h"
#include "reply.h"

#include "api/api_limits.h"
#include "log/log.h"

#include "api/intake.h"
#include "api/intake_codes.h"
#include "engine/eng_stock.h"
#include "engine/lifecycle.h"
#include "host/host.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

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
    if (rc == ENG_ESHORT) {
        /* The engine's own text: what it recorded under the key, so a replay is the same. */
        char *text = eng_stock_refusal(error);
        api_reply_raw(ctx, text ? 409 : 500, text ? text : "{\"error\":\"out of memory\"}");
        free(text);
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

/* A document name as the engine makes them: [A-Za-z0-9_-], shorter than ST_DOC_NAME_MAX. */
static int doc_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= ST_DOC_NAME_MAX)
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* GET /v1/orders/{id}/documents/{name}: a label or customs form, as the carrier made it. */
static enum MHD_Result get_document(req_ctx *ctx, const char *id, const char *name)
{
    if (!doc_name_ok(name))
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

static enum MHD_Result order_action(req_ctx *ctx, const char *id, const char *tail)
{
    char sub[ST_ID_MAX] = "";
    const api_action *act = api_action_find(tail, sub, sizeof(sub));
    if (act == NULL)
        return api_send_error(ctx, 404, "no such action", "");
    enum MHD_Result answered = MHD_YES;
    json_t *order = visible_order(ctx, id, &answered);
    if (order == NULL)
        return answered;
    if (!api_role_in(&ctx->who, act->roles)) {
        json_decref(order);
        return api_send_error(ctx, 403, "this token's role may not do that", "");
    }
    json_t *data = body_object(ctx, &answered);
    if (data == NULL) {
        json_decref(order);
        return answered;
    }
    char field[64] = "", why[256] = "";
    int status = api_action_check(act, data, order, field, sizeof(field), why, sizeof(why));
    if (status == 0 && act->names_carrier)
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
    for (const char *const *m = act->keep; *m != NULL; m++) {
        json_t *v = json_object_get(data, *m);
        if (v != NULL)
            json_object_set(kept, *m, v);
    }
    json_decref(data);
    data = kept;
    if (lc_creates(act->input)) {
        unsigned char r[4];
        if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
            json_decref(data);
            return api_send_error(ctx, 503, "no randomness for an id", "");
        }
        snprintf(sub, sizeof(sub), "%.3s-%02x%02x%02x%02x", act->path, r[0], r[1], r[2],
                 r[3]);
        ctx->created = 1;
        ctx->extra = json_pack("{s:s}", act->sub_field, sub);
    }
    if (act->sub_field != NULL)
        json_object_set_new(data, act->sub_field, json_string(sub));
    api_suspend(ctx);
    if (eng_input(ctx->a->h->engine, id, lc_input_name(act->input), data,
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
    const char *late = MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, "late");
    const char *sort = MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, "sort");
    if (late != NULL && strcmp(late, "1") != 0 && strcmp(late, "0") != 0)
        return api_send_error(ctx, 400, "late must be 1 or 0", "late");
    if (sort != NULL && strcmp(sort, "updated") != 0 && strcmp(sort, "ship_by") != 0)
        return api_send_error(ctx, 400, "sort must be \"updated\" or \"ship_by\"", "sort");
    if (late != NULL && late[0] == '1') {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        f.late_at_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    f.sort = sort != NULL && strcmp(sort, "ship_by") == 0 ? ST_SORT_SHIP_BY : ST_SORT_UPDATED;
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
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:I, s:o}", "id", rows[i].id, "state",
                            rows[i].state, "seller_id", rows[i].seller_id, "updated_ms",
                            (json_int_t)rows[i].updated_ms, "ship_by_ms",
                            rows[i].ship_by_ms > 0 ? json_integer(rows[i].ship_by_ms)
                                                   : json_null()));
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
