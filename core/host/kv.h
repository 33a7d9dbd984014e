/*
 * kv - plugins' key-value state, in process memory or in the backend the hub installs.
 */
#ifndef OH_HOST_KV_H
#define OH_HOST_KV_H

#include "host/host_types.h"

/*
 * Plugins' key-value state (kv_set / kv_get of oh_host_api).  Its limits: a value of at most
 * HOST_KV_MAX_VALUE bytes, a key of 1..HOST_KV_MAX_KEY bytes, and HOST_KV_MAX_KEYS keys per
 * instance (a new key past that is refused: kv_set returns -1 and a warning is logged).
 * Whatever the backend, so a plugin behaves the same in the test kit and the daemon.
 */
#define HOST_KV_MAX_VALUE (64 * 1024)
#define HOST_KV_MAX_KEY 255
#define HOST_KV_MAX_KEYS 1024

/*
 * host_kv_backend - where the values live.  By default process memory (the plugin test kit,
 * tests); the daemon's hub installs the store (durable per instance) once it is open.  The
 * host does not link the store: the hub hands it these functions.  Both may be called from
 * any thread at once; arguments are borrowed for the call and already checked against the
 * limits above.
 *   set: value NULL deletes.  Durable when it returns 0.  0; 1 when `key` is new and the
 *        instance already has max_keys keys (nothing written); -1 on error (the backend
 *        logs why).
 *   get: 0 and *value (malloc'd, NUL-terminated, the caller frees it); 1 when absent; -1
 *        on error.
 */
typedef struct host_kv_backend {
    int (*set)(void *ctx, const char *instance, const char *key, const char *value,
               size_t max_keys);
    int (*get)(void *ctx, const char *instance, const char *key, char **value);
    void *ctx;
} host_kv_backend;

/*
 * host_kv_use - use backend `b` (copied) from now on; NULL returns to process memory.
 * Values set in memory before a backend is installed (by the first generation's init,
 * which runs before the hub opens the store) are moved into it, so none is lost; the
 * memory is then empty.  A kv_get in that first init does not see the store's values yet
 * (orderhubd builds the first generation before hub_start); init of later generations
 * (reloads) does.  Waits for kv calls in progress.  Call it from one thread at a time (the
 * hub's start and stop).
 */
void host_kv_use(const host_kv_backend *b);

/* host_kv_reset - forget every instance's key-value state held in memory (tests). */
void host_kv_reset(void);

/* kv_set / kv_get of oh_host_api. */
int host_kv_set(oh_instance *self, const char *key, const char *value);
int host_kv_get(oh_instance *self, const char *key, char *buf, size_t buflen);

#endif
