/*
 * reply - answers: at once from the MHD thread, or recorded from any thread for a suspended
 * connection and sent when MHD resumes it (api.c).  Every answer is counted for /metrics.
 */
#include "config.h"

#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const int64_t api_latency_bounds_us[API_LATENCY_BOUNDS] = {1000, 5000, 10000, 25000, 50000,
                                                          100000, 500000};

/* Every answer passes here, so this is where it is counted for /metrics. */
static void count(api *a, int status, int64_t elapsed_us)
{
    api_counters *c = &a->counters;
    atomic_fetch_add(&c->requests, 1);
    atomic_fetch_add(status < 300 ? &c->status_2xx : status < 500 ? &c->status_4xx
                                                                   : &c->status_5xx, 1);
    for (size_t i = 0; i < API_LATENCY_BOUNDS; i++) {
        if (elapsed_us <= api_latency_bounds_us[i])
            atomic_fetch_add(&c->latency_le[i], 1);
    }
    atomic_fetch_add(&c->latency_sum_us, (unsigned long long)(elapsed_us > 0 ? elapsed_us : 0));
}

int64_t api_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

rt_gen *api_current(api *a)
{
    return rt_holder_get(&a->h->generations);
}

enum MHD_Result api_send_text(req_ctx *ctx, int status, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
                                                             MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (status == 401 && !ctx->webhook)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"orderhub\"");
    enum MHD_Result rc = MHD_queue_response(ctx->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    count(ctx->a, status, api_now_us() - ctx->started_us);
    return rc;
}

enum MHD_Result api_send_bytes(req_ctx *ctx, int status, const char *mime_type,
                               const void *data, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data,
                                                             MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", mime_type);
    /* A carrier's document is data to save, never a page to render in our origin. */
    MHD_add_response_header(r, "Content-Disposition", "attachment");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result rc = MHD_queue_response(ctx->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    count(ctx->a, status, api_now_us() - ctx->started_us);
    return rc;
}

enum MHD_Result api_send_json(req_ctx *ctx, int status, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    enum MHD_Result rc = api_send_text(ctx, text ? status : 500,
                                       text ? text : "{\"error\":\"out of memory\"}");
    free(text);
    return rc;
}

enum MHD_Result api_send_error(req_ctx *ctx, int status, const char *error, const char *field)
{
    return api_send_json(ctx, status, json_pack("{s:s, s:s?}", "error", error, "field",
                                                field && *field ? field : NULL));
}

/* Record an answer and wake the suspended connection.  Any thread. */
void api_reply_raw(req_ctx *ctx, int status, const char *text)
{
    /* Once resumed, MHD may answer and free ctx at any moment: touch nothing after. */
    api *a = ctx->a;
    struct MHD_Connection *conn = ctx->conn;
    pthread_mutex_lock(&ctx->lock);
    ctx->status = status;
    ctx->response = strdup(text);
    ctx->ready = 1;
    pthread_mutex_unlock(&ctx->lock);
    MHD_resume_connection(conn);
    atomic_fetch_sub(&a->suspended, 1);
}

/* The engine's reply: record it and wake the suspended connection.  Any thread. */
void api_on_engine_reply(void *arg, int rc, const char *state, const char *error)
{
    req_ctx *ctx = arg;
    json_t *j;
    int status;
    if (rc == ENG_EOVERREFUND) {
        /* The engine's object names the refundable amount: passed on as it is. */
        status = 409;
        j = json_loads(error ? error : "", 0, NULL);
        if (!json_is_object(j)) {
            json_decref(j);
            j = json_pack("{s:s}", "error", error ? error : "refund refused");
        }
        if (state && *state)
            json_object_set_new(j, "state", json_string(state));
    } else if (rc == 0) {
        status = ctx->created ? 201 : 200;
        j = json_pack("{s:s}", "state", state ? state : "");
        if (ctx->extra != NULL)
            json_object_update(j, ctx->extra);
    } else {
        /* Busy: the same order is being written by a concurrent request (a retry that
         * overtook its original); like a refusal, but worth retrying at once. */
        status = rc == ENG_EREFUSED || rc == ENG_EBUSY ? 409 : rc == ENG_ENOTFOUND ? 404 : 503;
        j = json_pack("{s:s, s:s?}", "error", error ? error : "failed", "state",
                      state && *state ? state : NULL);
    }
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    api_reply_raw(ctx, text ? status : 500, text ? text : "{\"error\":\"out of memory\"}");
    free(text);
}

char *api_placement_failure(const char *error)
{
    /* No "state": nothing was stored, so there is no order to have one. */
    char msg[512];
    snprintf(msg, sizeof(msg), "the order was not accepted (%s); nothing was stored, retry "
             "later", error && *error ? error : "the store failed");
    json_t *j = json_pack("{s:s}", "error", msg);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return text;
}

void api_suspend(req_ctx *ctx)
{
    ctx->waiting = 1;
    atomic_fetch_add(&ctx->a->suspended, 1);
    MHD_suspend_connection(ctx->conn);
}

