/*
 * stock - /v1/stock: a seller's own stock (seller token) or any seller's (admin, naming
 * it).  Reads answer at once; a write is one store unit carrying only stock sets, all of
 * a bulk load or none, answered once durable - the connection is suspended meanwhile, as
 * for an order's change, so the server's single thread never waits for the disk.
 */
#include "config.h"

#include "stock.h"

#include "auth.h"
#include "reply.h"
#include "stock_body.h"

#include "api/api_limits.h"
#include "host/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(LIMIT_STOCK_PAGE <= ST_LIST_MAX, "a stock page is one store_stock_list call");

static const char *query(req_ctx *ctx, const char *key)
{
    return MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, key);
}

static json_t *record_json(const st_stock *s)
{
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:I, s:I}", "seller_id", s->seller_id,
                     "sku", s->sku, "on_hand", (json_int_t)s->on_hand, "reserved",
                     (json_int_t)s->reserved, "available",
                     (json_int_t)(s->on_hand - s->reserved), "low_threshold",
                     s->low_threshold < 0 ? json_null()
                                          : json_integer((json_int_t)s->low_threshold),
                     "version", (json_int_t)s->version, "updated_ms",
                     (json_int_t)s->updated_ms);
}

/* ---- reads ------------------------------------------------------------------------------ */

static enum MHD_Result get_one(req_ctx *ctx, const char *seller, const char *sku)
{
    st_stock s;
    char err[256], why[400];
    int rc = store_stock_get(ctx->a->h->store, seller, sku, &s, err, sizeof(err));
    if (rc == 1)
        return api_send_error(ctx, 404, "no stock record for this SKU", "");
    if (rc != 0) {
        snprintf(why, sizeof(why), "store: reading stock: %s", err);
        return api_send_error(ctx, 503, why, "");
    }
    return api_send_json(ctx, 200, record_json(&s));
}

static enum MHD_Result list(req_ctx *ctx, const char *seller)
{
    const char *limit = query(ctx, "limit"), *after = query(ctx, "after"),
               *low = query(ctx, "low");
    char *end = NULL;
    long lim = limit ? strtol(limit, &end, 10) : 50;
    if (limit != NULL && (end == limit || *end != '\0' || lim < 1 || lim > LIMIT_STOCK_PAGE))
        return api_send_error(ctx, 400, "limit must be an integer from 1 to 200", "limit");
    if (after != NULL && *after != '\0' && !stock_sku_ok(after))
        return api_send_error(ctx, 400, "after must be a SKU (1 to 64 bytes)", "after");
    if (low != NULL && strcmp(low, "0") != 0 && strcmp(low, "1") != 0)
        return api_send_error(ctx, 400, "low must be 0 or 1", "low");
    st_stock *rows = NULL;
    size_t n = 0;
    char err[256], why[400];
    int rc = store_stock_list(ctx->a->h->store, seller, after, low && *low == '1',
                              (size_t)lim, &rows, &n, err, sizeof(err));
    if (rc == ST_EINVAL)
        return api_send_error(ctx, 400, err, "");
    if (rc != 0) {
        snprintf(why, sizeof(why), "store: listing stock: %s", err);
        return api_send_error(ctx, 503, why, "");
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, record_json(&rows[i]));
    /* A full page may be the last: the next one is then empty, never wrong. */
    json_t *next = n == (size_t)lim ? json_string(rows[n - 1].sku) : json_null();
    free(rows);
    return api_send_json(ctx, 200, json_pack("{s:s, s:o, s:o}", "seller_id", seller, "stock",
                                             arr, "next_after", next));
}

/* ---- writes ----------------------------------------------------------------------------- */

/* A write in flight: the unit and its sets live until the store's done. */
typedef struct stock_job {
    req_ctx *ctx;
    stock_body_kind kind;
    st_stock_set *sets;
    size_t count;
    st_unit unit;
} stock_job;

static void job_free(stock_job *j)
{
    free(j->sets);
    free(j);
}

/* The refusal of a unit one of its sets failed (ST_ECONFLICT, ST_ERANGE); NULL if none
 * says it failed. */
static json_t *refusal(const stock_job *j, int rc)
{
    for (size_t i = 0; i < j->count; i++) {
        const st_stock_set *s = &j->sets[i];
        if (!s->failed)
            continue;
        char field[64], msg[400];
        const st_stock *a = &s->after;
        if (rc == ST_ECONFLICT) {
            stock_set_field(j->kind, i, "version", field, sizeof(field));
            if (a->version > 0)
                snprintf(msg, sizeof(msg), "SKU %s is at version %lld, not %lld: read it "
                         "again", s->sku, (long long)a->version,
                         (long long)s->expect_version);
            else
                snprintf(msg, sizeof(msg), "SKU %s has no stock record, so no version %lld",
                         s->sku, (long long)s->expect_version);
            return json_pack("{s:s, s:s, s:s, s:o}", "error", msg, "field", field, "sku",
                             s->sku, "version",
                             a->version > 0 ? json_integer((json_int_t)a->version)
                                            : json_null());
        }
        stock_set_field(j->kind, i, s->mode == ST_STOCK_SET ? "on_hand" : "delta", field,
                        sizeof(field));
        long long want = s->mode == ST_STOCK_SET ? (long long)s->value
                                                 : (long long)(a->on_hand + s->value);
        snprintf(msg, sizeof(msg), "SKU %s: on_hand would be %lld, %s (on_hand %lld, "
                 "reserved %lld)", s->sku, want,
                 want < 0 ? "below 0" : want > ST_STOCK_QTY_MAX ? "over 1000000000"
                                                               : "below what is reserved",
                 (long long)a->on_hand, (long long)a->reserved);
        return json_pack("{s:s, s:s, s:s, s:I, s:I}", "error", msg, "field", field, "sku",
                         s->sku, "on_hand", (json_int_t)a->on_hand, "reserved",
                         (json_int_t)a->reserved);
    }
    return NULL;
}

/* The store's done: on its writer thread (or the MHD thread when the submit failed). */
static void written(void *arg, int rc, const char *error)
{
    stock_job *j = arg;
    json_t *body = NULL;
    int status = 200;
    if (rc == 0) {
        if (j->kind == STOCK_BODY_BULK) {
            json_t *arr = json_array();
            for (size_t i = 0; i < j->count; i++)
                json_array_append_new(arr, record_json(&j->sets[i].after));
            body = json_pack("{s:o}", "items", arr);
        } else {
            body = record_json(&j->sets[0].after);
        }
    } else if ((rc == ST_ECONFLICT || rc == ST_ERANGE) && (body = refusal(j, rc)) != NULL) {
        status = 409;
    } else {
        char msg[512];
        snprintf(msg, sizeof(msg), "store: writing stock: %s; nothing was written",
                 error && *error ? error : "failed");
        body = json_pack("{s:s}", "error", msg);
        status = 503;
    }
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    req_ctx *ctx = j->ctx;
    job_free(j);
    api_reply_raw(ctx, text ? status : 500, text ? text : "{\"error\":\"out of memory\"}");
    free(text);
}

static enum MHD_Result write_stock(req_ctx *ctx, const char *seller, stock_body_kind kind,
                                   const char *sku)
{
    oh_error perr = {{0}};
    json_t *body = host_json_parse(ctx->body ? ctx->body : "", ctx->len, &perr);
    if (!json_is_object(body)) {
        json_decref(body);
        return api_send_error(ctx, 400, perr.message[0] ? perr.message
                                                         : "the body must be a JSON object", "");
    }
    st_stock_set *sets = NULL;
    size_t n = 0;
    char field[64] = "", why[256] = "";
    int rc = stock_body_read(body, kind, seller, sku, &sets, &n, field, sizeof(field), why,
                             sizeof(why));
    json_decref(body);
    if (rc != 0) {
        char msg[400];
        snprintf(msg, sizeof(msg), "%s%s%s", field, field[0] ? " " : "", why);
        return api_send_error(ctx, 400, msg, field);
    }
    stock_job *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        free(sets);
        return api_send_error(ctx, 503, "out of memory", "");
    }
    *j = (stock_job){.ctx = ctx, .kind = kind, .sets = sets, .count = n};
    j->unit.stock_sets = sets;
    j->unit.stock_set_count = n;
    j->unit.done = written;
    j->unit.arg = j;
    api_suspend(ctx);
    if (store_submit(ctx->a->h->store, &j->unit) != 0)
        written(j, -1, "the store is closing");
    return MHD_YES;
}

/* ---- dispatch --------------------------------------------------------------------------- */

enum MHD_Result api_stock(req_ctx *ctx, const char *method, const char *url)
{
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0,
        put = strcmp(method, "PUT") == 0;
    enum MHD_Result answered = MHD_YES;
    if (strcmp(url, "/v1/stock") == 0) {
        if (!get && !post)
            return api_send_error(ctx, 405, "use GET or POST", "");
        const char *seller = api_seller_scope(ctx, "manages the stock", &answered);
        if (seller == NULL)
            return answered;
        return get ? list(ctx, seller) : write_stock(ctx, seller, STOCK_BODY_BULK, NULL);
    }
    const char *p = url + strlen("/v1/stock/"), *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    const char *tail = slash ? slash + 1 : "";
    int one = *tail == '\0', adjust = strcmp(tail, "adjust") == 0;
    if (n == 0 || (!one && !adjust))
        return api_send_error(ctx, 404, "no such resource", "");
    if ((one && !get && !put) || (adjust && !post))
        return api_send_error(ctx, 405, one ? "use GET or PUT" : "use POST", "");
    char sku[ST_SKU_MAX];
    snprintf(sku, sizeof(sku), "%.*s", (int)(n < sizeof(sku) ? n : sizeof(sku) - 1), p);
    const char *seller = api_seller_scope(ctx, "manages the stock", &answered);
    if (seller == NULL)
        return answered;
    if (n >= sizeof(sku) || !stock_sku_ok(sku))
        return api_send_error(ctx, 400, "sku must be 1 to 64 bytes without control "
                              "characters", "sku");
    if (get)
        return get_one(ctx, seller, sku);
    return write_stock(ctx, seller, adjust ? STOCK_BODY_ADJUST : STOCK_BODY_SET, sku);
}
