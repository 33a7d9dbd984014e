/*
 * store_health - the store's health over HTTP: GET /healthz (no token; cheap: the state
 * the store keeps, no I/O) and POST /v1/store/check (admin: PRAGMA quick_check now).
 *
 * A check reads the whole file, and the server has a single thread: it runs on a thread
 * of its own while the request is suspended, one at a time; api_stop interrupts it.
 */
#include "config.h"

#include "store_health.h"

#include "reply.h"

#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum MHD_Result api_healthz(req_ctx *ctx)
{
    st_health hl;
    store_health(ctx->a->h->store, &hl);
    if (hl.ok)
        return api_send_text(ctx, 200, "{\"status\":\"ok\"}");
    char reason[2 * ST_ERROR_MAX];
    if (hl.write_error[0] != '\0')
        snprintf(reason, sizeof(reason), "store: the writer failed: %s", hl.write_error);
    else
        snprintf(reason, sizeof(reason), "store: integrity check failed: %s", hl.check_error);
    return api_send_json(ctx, 503, json_pack("{s:s, s:s}", "status", "unavailable", "error",
                                             reason));
}

static void *check_main(void *arg)
{
    req_ctx *ctx = arg;
    api *a = ctx->a; /* outlives this thread: api_stop joins it */
    char problems[ST_ERROR_MAX], err[ST_ERROR_MAX], reason[2 * ST_ERROR_MAX];
    int64_t took = 0;
    int rc = store_check(a->h->store, problems, sizeof(problems), &took, err, sizeof(err));
    json_t *j;
    int status;
    if (rc == 0) {
        status = 200;
        j = json_pack("{s:s, s:I}", "status", "ok", "took_ms", (json_int_t)took);
        log_info("store check (PRAGMA quick_check): passed in %lld ms", (long long)took);
    } else if (rc == 1) {
        status = 503;
        snprintf(reason, sizeof(reason), "store: integrity check failed: %s", problems);
        j = json_pack("{s:s, s:s, s:I}", "status", "failed", "error", reason, "took_ms",
                      (json_int_t)took);
        log_error("store check (PRAGMA quick_check): %s", reason);
    } else {
        status = rc == ST_EBUSY ? 409 : 503;
        snprintf(reason, sizeof(reason), "store: the check did not run: %s", err);
        j = json_pack("{s:s}", "error", reason);
    }
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    api_reply_raw(ctx, text != NULL ? status : 500,
                  text != NULL ? text : "{\"error\":\"out of memory\"}");
    free(text);
    atomic_store(&a->check_running, 0);
    return NULL;
}

enum MHD_Result api_store_check(req_ctx *ctx)
{
    api *a = ctx->a;
    int idle = 0;
    if (!atomic_compare_exchange_strong(&a->check_running, &idle, 1))
        return api_send_error(ctx, 409, "a store check is already running", "");
    pthread_mutex_lock(&a->check_mu);
    if (a->check_stopping) {
        pthread_mutex_unlock(&a->check_mu);
        atomic_store(&a->check_running, 0);
        return api_send_error(ctx, 503, "store: the daemon is stopping", "");
    }
    /* The previous check's thread has ended (check_running was 0): collect it. */
    if (a->check_started) {
        pthread_join(a->check_thread, NULL);
        a->check_started = 0;
    }
    api_suspend(ctx);
    if (pthread_create(&a->check_thread, NULL, check_main, ctx) != 0) {
        atomic_store(&a->check_running, 0);
        api_reply_raw(ctx, 503, "{\"error\":\"store: cannot start the check (no thread)\"}");
    } else {
        a->check_started = 1;
    }
    pthread_mutex_unlock(&a->check_mu);
    return MHD_YES;
}

void api_store_check_stop(api *a)
{
    pthread_mutex_lock(&a->check_mu);
    a->check_stopping = 1;
    if (a->check_started) {
        /* A check still opening its connection misses the interrupt and runs to its end:
         * one read of the file, as at start. */
        store_check_cancel(a->h->store);
        pthread_join(a->check_thread, NULL);
        a->check_started = 0;
    }
    pthread_mutex_unlock(&a->check_mu);
}
