#include "config.h"

#include "hub.h"

#include <curl/curl.h>
#include <string.h>

int hub_start(hub *h, rt_gen *g, const eng_options *opts, char *err, size_t errlen)
{
    memset(h, 0, sizeof(*h));
    rt_holder_init(&h->generations);
    rt_holder_install(&h->generations, g);
    store_options so = {.path = g->cfg->store_path, .sync_full = 1};
    eng_options eo = opts ? *opts
                          : (eng_options){.workers = (int)g->cfg->engine.workers,
                                          .max_attempts = (int)g->cfg->engine.max_attempts,
                                          .track_poll_ms = g->cfg->engine.track_poll_ms,
                                          .backoff_base_ms = g->cfg->engine.backoff_base_ms,
                                          .backoff_max_ms = g->cfg->engine.backoff_max_ms,
                                          .lease_ms = g->cfg->engine.lease_ms};
    if (store_open(&so, &h->store, err, errlen) != 0)
        goto fail;
    if (ex_create(&h->executor, err, errlen) != 0)
        goto fail;
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
    store_close(h->store);
    rt_holder_free(&h->generations);
    memset(h, 0, sizeof(*h));
}
