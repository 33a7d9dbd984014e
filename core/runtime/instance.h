/*
 * instance - one configured plugin instance (the SDK's opaque oh_instance).
 */
#ifndef OH_INSTANCE_H
#define OH_INSTANCE_H

#include "config/config_file.h"
#include "loader/loader.h"
#include "settings/settings.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/*
 * inst_auth - the cached token of a plugin's auth step (plugin.h auth_build/auth_parse),
 * fetched and refreshed by the engine (engine/auth_step.c).  Lives with its instance.
 */
typedef struct inst_auth {
    pthread_mutex_t lock;
    char *token;                 /* owned; NULL until fetched, or after the remote refused it */
    int64_t refresh_at_ms;       /* from then on the next user fetches a new one */
    int fetching;                /* an auth request is in flight: others wait for it */
    struct auth_waiter *waiters; /* owned list of runs waiting for the token */
} inst_auth;

struct oh_instance {
    char *id;                 /* owned; unique within a generation.  First: the host reads
                               * it without this header (host/host.h host_instance_id) */
    const ldr_module *module; /* borrowed from the registry (lives for the process) */
    oh_settings *settings;    /* owned */
    void *state;              /* the plugin's, from init; freed by its destroy */
    int initialised;          /* init succeeded: destroy is due */
    cfg_where where;          /* where the file declares it (borrowed strings) */
    cfg_limits limits;        /* how the executor treats its requests */
    cfg_audience audience;    /* a notifier's, unless its route names one; UNSET: seller */
    inst_auth auth;           /* lock initialised by the runtime for every instance */
};
_Static_assert(offsetof(struct oh_instance, id) == 0,
               "host/host.h host_instance_id reads the id as the first member");

#endif
