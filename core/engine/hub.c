#include "config.h"

#include "hub.h"
#include "log/log.h"
#include "store/store.h"

#include <curl/curl.h>
#include <string.h>

/* Each instance's executor queue gets the limits of the generation about to be current. */
static void set_queues(hub *h, const rt_gen *g)
{
    for (size_t i = 0; i < g->instance_count; i++) {
        const struct oh_instance *inst = &g->instances[i];
        const cfg_limits *l = &inst->limits;
        ex_limits limits = {.concurrency = (int)l->concurrency, .rate_per_s = l->rate_per_s,
                            .connect_timeout_ms = l->connect_timeout_ms,
                            .total_timeout_ms = l->timeout_ms,
                            .max_response_bytes = (size_t)l->max_response_bytes,
                            .insecure_tls = l->insecure_tls};
        /* On failure (memory) the queue is missing: its actions retry after a backoff. */
        ex_queue_set(h->executor, inst->id, &limits);
    }
}

/* Plugins' key-value state in the store (host.h): the host cannot link the store, so the
 * hub hands it these. */
static int kv_set(void *ctx, const char *instance, const char *key, const char *value,
                  size_t max_keys)
{
    char err[ST_ERROR_MAX];
    int rc = store_kv_set(ctx, instance, key, value, max_keys, err, sizeof(err));
    if (rc < 0)
        log_error("plugin instance %s: kv_set '%s': %s", instance, key, err);
    return rc;
}

static int kv_get(void *ctx, const char *instance, const char *key, char **value)
{
    char err[ST_ERROR_MAX];
    int rc = store_kv_get(ctx, instance, key, value, err, sizeof(err));
    if (rc < 0)
        log_error("plugin instance %s: kv_get '%s': %s", instance, key, err);
    return rc;
}

host_kv_backend hub_kv_backend(store *s)
{
    return (host_kv_backend){.set = kv_set, .get = kv_get, .ctx = s};
}

void hub_install(hub *h, rt_gen *g)
{
    set_queues(h, g);
    rt_holder_install(&h->generations, g);
}

int hub_start(hub *h, rt_gen *g, const eng_options *opts, char *err, size_t errlen)
{
    memset(h, 0, sizeof(*h));
    rt_holder_init(&h->generations);
    rt_holder_install(&h->generations, g);
    store_options so = {.driver = g->cfg->store_driver, .path = g->cfg->store_path,
                        .sync_full = 1,
                        .skip_check = !g->cfg->store_check_at_start,
                        .init_empty = g->cfg->store_init_empty};
    eng_options eo = opts ? *opts
                          : (eng_options){.workers = (int)g->cfg->engine.workers,
                                          .max_attempts = (int)g->cfg->engine.max_attempts,
                                          .track_poll_ms = g->cfg->engine.track_poll_ms,
                                          .backoff_base_ms = g->cfg->engine.backoff_base_ms,
                                          .backoff_max_ms = g->cfg->engine.backoff_max_ms,
                                          .lease_ms = g->cfg->engine.lease_ms,
                                          .cache_orders = g->cfg->engine.cache_orders};
    if (store_open(&so, &h->store, err, errlen) != 0)
        goto fail;
    host_kv_backend kv = hub_kv_backend(h->store);
    host_kv_use(&kv);
    if (ex_create(&h->executor, err, errlen) != 0)
        goto fail;
    set_queues(h, g);
    eo.store = h->store;
    eo.executor = h->executor;
    eo.generations = &h->generations;
    if (eng_start(&eo, &h->engine, err, errlen) != 0)
        goto fail;
    return 0;
fail:
    hub_stop(h);
    return -1;
}

void hub_stop(hub *h)
{
    /* No new work; in-flight requests end (cancelled ones retry after a restart) and
     * report to the still-running workers; then the workers drain into the store. */
    eng_quiesce(h->engine);
    ex_destroy(h->executor);
    h->executor = NULL;
    eng_stop(h->engine);
    if (h->store != NULL)
        host_kv_use(NULL); /* back to memory: the store is going */
    store_close(h->store);
    rt_holder_free(&h->generations);
    memset(h, 0, sizeof(*h));
}
