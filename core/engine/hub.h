/*
 * hub - a running orderhub: the configuration generation, the store it names, the
 * executor and the engine, started and stopped together.  orderhubd runs one; the demo
 * and the integration tests run one in-process.
 */
#ifndef OH_HUB_H
#define OH_HUB_H

#include "engine/engine.h"
#include "host/host.h"

typedef struct hub {
    rt_holder generations;
    store *store;
    executor *executor;
    engine *engine;
} hub;

/*
 * hub_start - open the store named by the installed generation `g` (reference taken),
 * start the executor and the engine.  `opts` may be NULL: then the file's engine group
 * applies.  Its store, executor and generations fields are filled in here.  0, or -1 with err set (nothing left running).
 */
int hub_start(hub *h, rt_gen *g, const eng_options *opts, char *err, size_t errlen);

/*
 * hub_install - make `g` (the caller's reference) the current generation: its instances'
 * executor queues get their limits first.  Used by reloads.
 */
void hub_install(hub *h, rt_gen *g);

/*
 * hub_kv_backend - plugins' key-value state kept in store `s` (borrowed: it must outlive
 * the backend's use), for host_kv_use.  hub_start installs it once the store is open and
 * hub_stop returns to memory before closing the store.  Writes wait for the writer's
 * commit (store_kv_set); errors are logged.
 */
host_kv_backend hub_kv_backend(store *s);

/* hub_stop - quiesce the engine, destroy the executor, stop the engine, close the store,
 * release the generation. */
void hub_stop(hub *h);

#endif
