#include "config.h"

#include "eng_queue.h"

#include <stdio.h>
#include <stdlib.h>

eng_msg *eng_msg_new(msg_kind kind, const char *order_id)
{
    eng_msg *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    m->kind = kind;
    snprintf(m->order_id, sizeof(m->order_id), "%s", order_id ? order_id : "");
    return m;
}

void eng_docs_free(st_document *docs, size_t n)
{
    for (size_t i = 0; docs != NULL && i < n; i++)
        free(docs[i].data);
    free(docs);
}

void eng_msg_free(eng_msg *m)
{
    if (m != NULL) {
        json_decref(m->data);
        eng_docs_free(m->docs, m->ndocs);
        free(m);
    }
}

/* FNV-1a: the same order always lands on the same worker, so its inputs stay in order. */
int eng_worker_of(const engine *e, const char *order_id)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)order_id; *p; p++)
        h = (h ^ *p) * 16777619u;
    return (int)(h % (uint32_t)e->nworkers);
}

static worker *owner_of(engine *e, const char *order_id)
{
    return &e->workers[eng_worker_of(e, order_id)];
}

void eng_post(engine *e, eng_msg *m)
{
    worker *w = owner_of(e, m->order_id);
    pthread_mutex_lock(&w->lock);
    m->next = NULL;
    if (w->tail != NULL)
        w->tail->next = m;
    else
        w->head = m;
    w->tail = m;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

void eng_wake(engine *e)
{
    pthread_mutex_lock(&e->lock);
    pthread_cond_signal(&e->cond);
    pthread_mutex_unlock(&e->lock);
}
