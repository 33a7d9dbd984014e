/*
 * admin - operations (dead letters, replay, loaded plugins; the store check, whose thread
 * lives in store_health.c) for admin tokens, and the
 * Prometheus metrics, which need no token (they are aggregate counts only).
 */
#include "config.h"

#include "admin.h"

#include "reply.h"
#include "store_health.h"

#include "loader/loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum MHD_Result dead_letters(req_ctx *ctx)
{
    st_action *a = NULL;
    size_t n = 0;
    char err[256];
    if (store_actions_dead(ctx->a->h->store, &a, &n, err, sizeof(err)) != 0)
        return api_send_error(ctx, 503, err, "");
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:i, s:s}", "id",
                                              (json_int_t)a[i].id, "order_id", a[i].order_id,
                                              "instance", a[i].instance, "operation",
                                              a[i].operation, "attempts", a[i].attempts,
                                              "last_error", a[i].last_error));
    st_actions_free(a, n);
    return api_send_json(ctx, 200, json_pack("{s:o}", "dead_letters", list));
}

static enum MHD_Result replay(req_ctx *ctx, const char *id_text)
{
    char *end = NULL;
    long long id = strtoll(id_text, &end, 10);
    if (end == id_text || *end != '\0' || id <= 0)
        return api_send_error(ctx, 404, "no such dead letter", "");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char err[256];
    int rc = store_action_replay(ctx->a->h->store, id,
                                 (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, err,
                                 sizeof(err));
    if (rc < 0)
        return api_send_error(ctx, 503, err, "");
    if (rc == 1)
        return api_send_error(ctx, 404, "no such dead letter", "");
    return api_send_json(ctx, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status",
                                             "pending"));
}

static enum MHD_Result plugins(req_ctx *ctx)
{
    rt_gen *g = api_current(ctx->a);
    json_t *list = json_array();
    for (size_t i = 0; g != NULL && i < g->instance_count; i++) {
        const struct oh_instance *inst = &g->instances[i];
        const oh_plugin *d = &inst->module->desc;
        char abi[16];
        snprintf(abi, sizeof(abi), "%u.%u", d->abi_major, d->abi_minor);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", inst->id,
                                              "module", d->name, "kind",
                                              ldr_kind_name(d->kind), "version", d->version,
                                              "abi", abi));
    }
    rt_gen_unref(g);
    return api_send_json(ctx, 200, json_pack("{s:o}", "plugins", list));
}

enum MHD_Result api_admin(req_ctx *ctx, const char *method, const char *url)
{
    if (ctx->who.role != CFG_ROLE_ADMIN)
        return api_send_error(ctx, 404, "no such resource", "");
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    static const char replay_prefix[] = "/v1/dead-letters/";
    if (get && strcmp(url, "/v1/dead-letters") == 0)
        return dead_letters(ctx);
    if (post && strncmp(url, replay_prefix, sizeof(replay_prefix) - 1) == 0) {
        const char *rest = url + sizeof(replay_prefix) - 1, *slash = strchr(rest, '/');
        if (slash != NULL && strcmp(slash, "/replay") == 0) {
            char id[32];
            snprintf(id, sizeof(id), "%.*s", (int)(slash - rest), rest);
            return replay(ctx, id);
        }
    }
    if (get && strcmp(url, "/v1/plugins") == 0)
        return plugins(ctx);
    if (post && strcmp(url, "/v1/store/check") == 0)
        return api_store_check(ctx);
    return api_send_error(ctx, 404, "no such resource", "");
}

/* ---- /metrics ------------------------------------------------------------------------------- */

enum MHD_Result api_metrics(req_ctx *ctx)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return api_send_error(ctx, 500, "out of memory", "");
    st_counts counts;
    char err[256];
    if (store_counts(ctx->a->h->store, &counts, err, sizeof(err)) == 0) {
        fprintf(f, "# HELP orderhub_orders Orders by state.\n"
                              "# TYPE orderhub_orders gauge\n");
        for (size_t i = 0; i < counts.state_count; i++)
            fprintf(f, "orderhub_orders{state=\"%s\"} %lld\n",
                   counts.states[i].state, (long long)counts.states[i].count);
        fprintf(f,
               "# HELP orderhub_events_total Lifecycle events journaled.\n"
               "# TYPE orderhub_events_total counter\norderhub_events_total %lld\n"
               "# HELP orderhub_actions Outbound actions by status.\n"
               "# TYPE orderhub_actions gauge\n"
               "orderhub_actions{status=\"pending\"} %lld\n"
               "orderhub_actions{status=\"claimed\"} %lld\n"
               "orderhub_actions{status=\"done\"} %lld\n"
               "orderhub_actions{status=\"dead\"} %lld\n"
               "# HELP orderhub_timers Timers waiting to fire.\n"
               "# TYPE orderhub_timers gauge\norderhub_timers %lld\n",
               (long long)counts.events, (long long)counts.actions_pending,
               (long long)counts.actions_claimed, (long long)counts.actions_done,
               (long long)counts.actions_dead, (long long)counts.timers);
        /* Counted from the journal, not since start: a restart must not reset a counter
         * that alerting compares over days. */
        fprintf(f, "# HELP orderhub_sla_events_total Ship-by SLA warnings and breaches "
                   "journaled.\n# TYPE orderhub_sla_events_total counter\n"
                   "orderhub_sla_events_total{kind=\"warning\"} %lld\n"
                   "orderhub_sla_events_total{kind=\"breach\"} %lld\n",
                (long long)counts.sla_warnings, (long long)counts.sla_breaches);
    }
    eng_stats es;
    eng_get_stats(ctx->a->h->engine, &es);
    fprintf(f, "# HELP orderhub_outbound_attempts_total Outbound attempts by plugin instance "
               "and result since start.\n# TYPE orderhub_outbound_attempts_total counter\n");
    for (size_t i = 0; i < es.instance_count; i++)
        fprintf(f,
                "orderhub_outbound_attempts_total{instance=\"%s\",result=\"ok\"} %llu\n"
                "orderhub_outbound_attempts_total{instance=\"%s\",result=\"retry\"} %llu\n"
                "orderhub_outbound_attempts_total{instance=\"%s\",result=\"dead\"} %llu\n",
                es.instances[i].instance, (unsigned long long)es.instances[i].ok,
                es.instances[i].instance, (unsigned long long)es.instances[i].retry,
                es.instances[i].instance, (unsigned long long)es.instances[i].fail);
    api_counters *c = &ctx->a->counters;
    fprintf(f,
           "# HELP orderhub_http_requests_total API requests by answer class.\n"
           "# TYPE orderhub_http_requests_total counter\n"
           "orderhub_http_requests_total{class=\"2xx\"} %llu\n"
           "orderhub_http_requests_total{class=\"4xx\"} %llu\n"
           "orderhub_http_requests_total{class=\"5xx\"} %llu\n"
           "# HELP orderhub_http_request_seconds API request latency.\n"
           "# TYPE orderhub_http_request_seconds histogram\n",
           (unsigned long long)atomic_load(&c->status_2xx),
           (unsigned long long)atomic_load(&c->status_4xx),
           (unsigned long long)atomic_load(&c->status_5xx));
    for (size_t i = 0; i < API_LATENCY_BOUNDS; i++)
        fprintf(f, "orderhub_http_request_seconds_bucket{le=\"%g\"} %llu\n",
               (double)api_latency_bounds_us[i] / 1e6,
               (unsigned long long)atomic_load(&c->latency_le[i]));
    fprintf(f,
           "orderhub_http_request_seconds_bucket{le=\"+Inf\"} %llu\n"
           "orderhub_http_request_seconds_sum %g\n"
           "orderhub_http_request_seconds_count %llu\n",
           (unsigned long long)atomic_load(&c->requests),
           (double)atomic_load(&c->latency_sum_us) / 1e6,
           (unsigned long long)atomic_load(&c->requests));
    fclose(f);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(buf);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
    enum MHD_Result rc = MHD_queue_response(ctx->conn, 200, r);
    MHD_destroy_response(r);
    return rc;
}
