#include "config.h"

#include "kv.h"
#include "log/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * Per-instance key-value state, keyed by (instance id, key) so that it outlives reloads of
 * the instance.  Two homes (kv.h): process memory, the default, and a backend the hub
 * installs (the store).  A read-write lock lets kv calls run in parallel through the
 * backend (each may wait for a commit) while host_kv_use swaps it.
 */
typedef struct kv_entry {
    char *instance;
    char *key;
    char *value;
    struct kv_entry *next;
} kv_entry;

static struct {
    pthread_rwlock_t use;       /* read: a kv call; write: host_kv_use */
    int has_backend;            /* under `use` */
    host_kv_backend backend;
    pthread_mutex_t lock;       /* the in-memory list */
    kv_entry *head;
} kv_store = {PTHREAD_RWLOCK_INITIALIZER, 0, {0}, PTHREAD_MUTEX_INITIALIZER, NULL};

/* ---- in memory ------------------------------------------------------------------------- */

static kv_entry **kv_slot(const char *instance, const char *key, size_t *keys_of_instance)
{
    size_t n = 0;
    kv_entry **p = &kv_store.head, **found = NULL;
    for (; *p != NULL; p = &(*p)->next) {
        if (strcmp((*p)->instance, instance) != 0)
            continue;
        n++;
        if (found == NULL && strcmp((*p)->key, key) == 0)
            found = p;
    }
    if (keys_of_instance != NULL)
        *keys_of_instance = n;
    return found != NULL ? found : p;
}

static void kv_entry_free(kv_entry *e)
{
    free(e->instance);
    free(e->key);
    free(e->value);
    free(e);
}

static int mem_set(const char *instance, const char *key, const char *value, size_t max_keys)
{
    int rc = 0;
    size_t keys = 0;
    pthread_mutex_lock(&kv_store.lock);
    kv_entry **slot = kv_slot(instance, key, &keys);
    if (value == NULL) {
        if (*slot != NULL) {
            kv_entry *gone = *slot;
            *slot = gone->next;
            kv_entry_free(gone);
        }
    } else if (*slot != NULL) {
        char *copy = strdup(value);
        if (copy == NULL) {
            rc = -1;
        } else {
            free((*slot)->value);
            (*slot)->value = copy;
        }
    } else if (keys >= max_keys) {
        rc = 1;
    } else {
        kv_entry *e = calloc(1, sizeof(*e));
        if (e == NULL || (e->instance = strdup(instance)) == NULL ||
            (e->key = strdup(key)) == NULL || (e->value = strdup(value)) == NULL) {
            if (e != NULL)
                kv_entry_free(e);
            rc = -1;
        } else {
            *slot = e;
        }
    }
    pthread_mutex_unlock(&kv_store.lock);
    return rc;
}

static int mem_get(const char *instance, const char *key, char **value)
{
    pthread_mutex_lock(&kv_store.lock);
    kv_entry *e = *kv_slot(instance, key, NULL);
    int rc = e == NULL ? 1 : (*value = strdup(e->value)) != NULL ? 0 : -1;
    pthread_mutex_unlock(&kv_store.lock);
    return rc;
}

/* ---- the host's functions -------------------------------------------------------------- */

int host_kv_set(oh_instance *self, const char *key, const char *value)
{
    if (self == NULL || key == NULL || *key == '\0' || strlen(key) > HOST_KV_MAX_KEY ||
        (value != NULL && strlen(value) > HOST_KV_MAX_VALUE))
        return -1;
    pthread_rwlock_rdlock(&kv_store.use);
    int rc = kv_store.has_backend
                 ? kv_store.backend.set(kv_store.backend.ctx, host_instance_id(self), key, value,
                                        HOST_KV_MAX_KEYS)
                 : mem_set(host_instance_id(self), key, value, HOST_KV_MAX_KEYS);
    pthread_rwlock_unlock(&kv_store.use);
    if (rc == 1)
        log_warn("plugin instance %s: kv_set '%s' refused: it already has %d keys",
                 host_instance_id(self), key, HOST_KV_MAX_KEYS);
    return rc == 0 ? 0 : -1;
}

int host_kv_get(oh_instance *self, const char *key, char *buf, size_t buflen)
{
    if (self == NULL || key == NULL || *key == '\0' || strlen(key) > HOST_KV_MAX_KEY)
        return -1;
    char *value = NULL;
    pthread_rwlock_rdlock(&kv_store.use);
    int rc = kv_store.has_backend
                 ? kv_store.backend.get(kv_store.backend.ctx, host_instance_id(self), key, &value)
                 : mem_get(host_instance_id(self), key, &value);
    pthread_rwlock_unlock(&kv_store.use);
    if (rc != 0)
        return -1; /* absent, or an error the backend logged: the SDK has one answer */
    size_t len = strlen(value);
    if (buf == NULL || len + 1 > buflen) {
        rc = -2;
    } else {
        memcpy(buf, value, len + 1);
        rc = (int)len;
    }
    free(value);
    return rc;
}

void host_kv_use(const host_kv_backend *b)
{
    pthread_rwlock_wrlock(&kv_store.use);
    kv_store.has_backend = b != NULL && b->set != NULL && b->get != NULL;
    if (kv_store.has_backend) {
        kv_store.backend = *b;
        /* What the first generation's init set before the store was open. */
        pthread_mutex_lock(&kv_store.lock);
        while (kv_store.head != NULL) {
            kv_entry *e = kv_store.head;
            kv_store.head = e->next;
            if (b->set(b->ctx, e->instance, e->key, e->value, HOST_KV_MAX_KEYS) != 0)
                log_error("plugin instance %s: kv value '%s' set before the store was open "
                          "could not be kept", e->instance, e->key);
            kv_entry_free(e);
        }
        pthread_mutex_unlock(&kv_store.lock);
    }
    pthread_rwlock_unlock(&kv_store.use);
}

void host_kv_reset(void)
{
    pthread_mutex_lock(&kv_store.lock);
    while (kv_store.head != NULL) {
        kv_entry *e = kv_store.head;
        kv_store.head = e->next;
        kv_entry_free(e);
    }
    pthread_mutex_unlock(&kv_store.lock);
}
