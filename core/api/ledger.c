/*
 * ledger - /v1/ledger: a seller's own ledger (seller token) or any seller's (admin, naming
 * it).  Read only: entries are written by the store with the money moves they mirror.
 */
#include "config.h"

#include "ledger.h"

#include "auth.h"
#include "reply.h"

#include "api/api_limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(LIMIT_STOCK_PAGE <= ST_LIST_MAX, "a ledger page is one store_ledger_list call");

static const char *query(req_ctx *ctx, const char *key)
{
    return MHD_lookup_connection_value(ctx->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* A non-negative integer parameter, *out = dflt when absent: 0, or -1 when malformed. */
static int int_param(req_ctx *ctx, const char *key, int64_t dflt, int64_t *out)
{
    const char *v = query(ctx, key);
    *out = dflt;
    if (v == NULL)
        return 0;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (end == v || *end != '\0' || errno != 0 || n < 0)
        return -1;
    *out = n;
    return 0;
}

static json_t *entry_json(const st_ledger_entry *e)
{
    static const char *const kinds[] = {"", "sale", "refund", "reclaim", "dispute_loss",
                                        "adjustment"};
    const char *kind = e->kind >= ST_LEDGER_SALE && e->kind <= ST_LEDGER_ADJUSTMENT
                           ? kinds[e->kind] : "";
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id", (json_int_t)e->id,
                     "seller_id", e->seller_id, "currency", e->currency, "order_id",
                     e->order_id, "event", e->event, "kind", kind, "cause", e->cause, "amount",
                     (json_int_t)e->amount, "at_ms", (json_int_t)e->at_ms);
}

static enum MHD_Result list(req_ctx *ctx, const char *seller)
{
    int64_t from, to, after, lim;
    if (int_param(ctx, "from", 0, &from) != 0)
        return api_send_error(ctx, 400, "from must be epoch milliseconds", "from");
    if (int_param(ctx, "to", INT64_MAX, &to) != 0)
        return api_send_error(ctx, 400, "to must be epoch milliseconds", "to");
    if (int_param(ctx, "after", 0, &after) != 0)
        return api_send_error(ctx, 400, "after must be an entry id", "after");
    if (int_param(ctx, "limit", 50, &lim) != 0 || lim < 1 || lim > LIMIT_STOCK_PAGE)
        return api_send_error(ctx, 400, "limit must be an integer from 1 to 200", "limit");
    const char *currency = query(ctx, "currency");
    if (currency != NULL && strlen(currency) != 3)
        return api_send_error(ctx, 400, "currency must be a 3-letter code", "currency");
    st_ledger_entry *rows = NULL;
    size_t n = 0;
    char err[256], why[400];
    int rc = store_ledger_list(ctx->a->h->store, seller, currency, from, to, after,
                               (size_t)lim, &rows, &n, err, sizeof(err));
    if (rc == ST_EINVAL)
        return api_send_error(ctx, 400, err, "");
    if (rc != 0) {
        snprintf(why, sizeof(why), "store: listing the ledger: %s", err);
        return api_send_error(ctx, 503, why, "");
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, entry_json(&rows[i]));
    /* A full page may be the last: the next one is then empty, never wrong. */
    json_t *next = n == (size_t)lim ? json_integer((json_int_t)rows[n - 1].id) : json_null();
    free(rows);
    return api_send_json(ctx, 200, json_pack("{s:s, s:o, s:o}", "seller_id", seller,
                                             "entries", arr, "next_after", next));
}

static enum MHD_Result balance(req_ctx *ctx, const char *seller)
{
    st_ledger_balance b[ST_LEDGER_CURRENCIES];
    size_t n = 0;
    char err[256], why[400];
    if (store_ledger_balance(ctx->a->h->store, seller, b, &n, err, sizeof(err)) != 0) {
        snprintf(why, sizeof(why), "store: reading the balance: %s", err);
        return api_send_error(ctx, 503, why, "");
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:I, s:I}", "currency", b[i].currency,
                                             "balance", (json_int_t)b[i].balance, "entries",
                                             (json_int_t)b[i].entries));
    return api_send_json(ctx, 200, json_pack("{s:s, s:o}", "seller_id", seller, "balances",
                                             arr));
}

enum MHD_Result api_ledger(req_ctx *ctx, const char *method, const char *url)
{
    int is_list = strcmp(url, "/v1/ledger") == 0;
    if (!is_list && strcmp(url, "/v1/ledger/balance") != 0)
        return api_send_error(ctx, 404, "no such resource", "");
    if (strcmp(method, "GET") != 0)
        return api_send_error(ctx, 405, "use GET", "");
    enum MHD_Result answered = MHD_NO;
    const char *seller = api_seller_scope(ctx, "reads the ledger", &answered);
    if (seller == NULL)
        return answered;
    return is_list ? list(ctx, seller) : balance(ctx, seller);
}
