#include "config.h"

#include "host.h"
#include "runtime/instance.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * Per-instance key-value state, keyed by (instance id, key) so that it outlives reloads of
 * the instance.  Process memory for now: the store-backed version belongs to the engine.
 */
typedef struct kv_entry {
    char *instance;
    char *key;
    char *value;
    struct kv_entry *next;
} kv_entry;

static struct {
    pthread_mutex_t lock;
    kv_entry *head;
} kv_store = {PTHREAD_MUTEX_INITIALIZER, NULL};

#define KV_MAX_VALUE (64 * 1024)

static kv_entry **kv_slot(const char *instance, const char *key)
{
    kv_entry **p = &kv_store.head;
    while (*p != NULL && (strcmp((*p)->instance, instance) != 0 || strcmp((*p)->key, key) != 0))
        p = &(*p)->next;
    return p;
}

static void kv_entry_free(kv_entry *e)
{
    free(e->instance);
    free(e->key);
    free(e->value);
    free(e);
}

int host_kv_set(oh_instance *self, const char *key, const char *value)
{
    if (self == NULL || key == NULL || *key == '\0' ||
        (value != NULL && strlen(value) > KV_MAX_VALUE))
        return -1;
    int rc = 0;
    pthread_mutex_lock(&kv_store.lock);
    kv_entry **slot = kv_slot(self->id, key);
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
    } else {
        kv_entry *e = calloc(1, sizeof(*e));
        if (e == NULL || (e->instance = strdup(self->id)) == NULL ||
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

int host_kv_get(oh_instance *self, const char *key, char *buf, size_t buflen)
{
    if (self == NULL || key == NULL)
        return -1;
    int rc;
    pthread_mutex_lock(&kv_store.lock);
    kv_entry *e = *kv_slot(self->id, key);
    if (e == NULL) {
        rc = -1;
    } else {
        size_t len = strlen(e->value);
        if (buf == NULL || len + 1 > buflen) {
            rc = -2;
        } else {
            memcpy(buf, e->value, len + 1);
            rc = (int)len;
        }
    }
    pthread_mutex_unlock(&kv_store.lock);
    return rc;
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
