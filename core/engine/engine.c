#include "config.h"

#include "engine/engine.h"

#include "cache.h"
#include "dispatch.h"
#include "eng_clock.h"
#include "eng_queue.h"
#include "engine_int.h"
#include "es_msg.h"

#include "log/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void eng_get_stats(engine *e, eng_stats *out)
{
    pthread_mutex_lock(&e->stats_lock);
    *out = e->stats;
    pthread_mutex_unlock(&e->stats_lock);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->head == NULL && !w->stopping)
            pthread_cond_wait(&w->cond, &w->lock);
        if (w->head == NULL)
            break; /* stopping and drained */
        eng_msg *m = w->head;
        w->head = m->next;
        if (w->head == NULL)
            w->tail = NULL;
        w->busy = 1;
        pthread_mutex_unlock(&w->lock);
        es_apply_msg(w, m);
        pthread_mutex_lock(&w->lock);
        w->busy = 0;
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static int post_input(engine *e, msg_kind kind, const char *order_id, const char *input,
                      json_t *data, eng_reply_fn reply, void *arg)
{
    eng_msg *m = order_id ? eng_msg_new(kind, order_id) : NULL;
    if (m == NULL || strlen(order_id) >= ST_ID_MAX || strlen(input) >= ST_NAME_MAX) {
        json_decref(data);
        eng_msg_free(m);
        return -1;
    }
    snprintf(m->input, sizeof(m->input), "%s", input);
    m->data = data;
    m->reply = reply;
    m->arg = arg;
    eng_post(e, m);
    return 0;
}

int eng_place_keyed(engine *e, json_t *order, const char *idem_key, const char *request_hash,
                    eng_reply_fn reply, void *arg)
{
    const char *id = json_string_value(json_object_get(order, "id"));
    eng_msg *m = id && *id && strlen(id) < ST_ID_MAX ? eng_msg_new(MSG_PLACE, id) : NULL;
    if (m == NULL || (idem_key && (strlen(idem_key) >= ST_KEY_MAX || request_hash == NULL ||
                                   strlen(request_hash) >= sizeof(m->request_hash)))) {
        json_decref(order);
        eng_msg_free(m);
        return -1;
    }
    snprintf(m->input, sizeof(m->input), "place");
    snprintf(m->idem_key, sizeof(m->idem_key), "%s", idem_key ? idem_key : "");
    snprintf(m->request_hash, sizeof(m->request_hash), "%s", request_hash ? request_hash : "");
    m->data = order;
    m->reply = reply;
    m->arg = arg;
    eng_post(e, m);
    return 0;
}

int eng_place(engine *e, json_t *order, eng_reply_fn reply, void *arg)
{
    return eng_place_keyed(e, order, NULL, NULL, reply, arg);
}

int eng_input(engine *e, const char *order_id, const char *input, json_t *data,
              eng_reply_fn reply, void *arg)
{
    return post_input(e, MSG_INPUT, order_id, input, data, reply, arg);
}

static int workers_idle(engine *e)
{
    for (int i = 0; i < e->nworkers; i++) {
        worker *w = &e->workers[i];
        pthread_mutex_lock(&w->lock);
        int idle = w->head == NULL && !w->busy;
        pthread_mutex_unlock(&w->lock);
        if (!idle)
            return 0;
    }
    return 1;
}

int eng_wait_idle(engine *e, int64_t timeout_ms)
{
    int64_t deadline = eng_now_ms() + timeout_ms;
    int quiet = 0;
    while (eng_now_ms() < deadline) {
        int idle = workers_idle(e) && atomic_load(&e->actions_running) == 0 &&
                   atomic_load(&e->units_pending) == 0 &&
                   store_next_due_ms(e->o.store) > eng_now_ms() + 1000;
        /* Idle twice in a row: a completion may be between a worker and the store. */
        if (idle && ++quiet >= 2)
            return 0;
        if (!idle)
            quiet = 0;
        usleep(20000);
    }
    return -1;
}

int eng_start(const eng_options *opts, engine **out, char *err, size_t errlen)
{
    engine *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    e->o = *opts;
    e->nworkers = opts->workers > 0 ? opts->workers : 2;
    /* Renewed every lease_ms / 3 while held (lease.c): its length only bounds how long a
     * dead process's actions wait before another process takes them over. */
    if (e->o.lease_ms <= 0)
        e->o.lease_ms = 120000;
    if (e->o.cache_orders <= 0)
        e->o.cache_orders = 65536;
    if (e->o.max_attempts <= 0)
        e->o.max_attempts = 8;
    if (e->o.backoff_base_ms <= 0)
        e->o.backoff_base_ms = 1000;
    if (e->o.backoff_max_ms <= 0)
        e->o.backoff_max_ms = 300000;
    if (e->o.poll_ms <= 0)
        e->o.poll_ms = 200;
    if (e->o.track_poll_ms <= 0)
        e->o.track_poll_ms = 3600 * 1000;
    if (opts->owner != NULL) {
        snprintf(e->owner, sizeof(e->owner), "%s", opts->owner);
    } else {
        char host[32] = "host";
        gethostname(host, sizeof(host) - 1);
        snprintf(e->owner, sizeof(e->owner), "%s:%ld", host, (long)getpid());
    }
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->cond, NULL);
    pthread_mutex_init(&e->running_lock, NULL);
    pthread_mutex_init(&e->stats_lock, NULL);
    e->workers = calloc((size_t)e->nworkers, sizeof(*e->workers));
    if (e->workers == NULL) {
        free(e);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int started = 0;
    for (; started < e->nworkers; started++) {
        worker *w = &e->workers[started];
        w->e = e;
        w->index = started;
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
            break;
    }
    if (started < e->nworkers || pthread_create(&e->dispatcher, NULL, dispatch_main, e) != 0) {
        snprintf(err, errlen, "cannot start engine threads");
        e->nworkers = started;
        e->dispatcher = 0;
        eng_stop(e);
        return -1;
    }
    *out = e;
    return 0;
}

void eng_quiesce(engine *e)
{
    if (e == NULL)
        return;
    pthread_mutex_lock(&e->lock);
    int already = e->stopping;
    e->stopping = 1;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->lock);
    if (!already && e->dispatcher)
        pthread_join(e->dispatcher, NULL);
    /* Runs the dispatcher handed to workers submit to the executor, which the caller is
     * about to destroy (hub_stop): let the workers (still running) send them first. */
    for (int spins = 0; atomic_load(&e->sends_on_workers) > 0 && spins < 10000; spins++)
        usleep(1000);
}

void eng_stop(engine *e)
{
    if (e == NULL)
        return;
    eng_quiesce(e);
    /* Actions handed to the executor report back to workers: let them finish first. */
    for (int spins = 0; atomic_load(&e->actions_running) > 0 && spins < 500; spins++)
        usleep(10000);
    for (int i = 0; i < e->nworkers; i++) {
        worker *w = &e->workers[i];
        pthread_mutex_lock(&w->lock);
        w->stopping = 1;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
    }
    /* Units still in the store's queue reference worker memory: wait until durable. */
    for (int spins = 0; atomic_load(&e->units_pending) > 0 && spins < 1000; spins++)
        usleep(10000);
    for (int i = 0; i < e->nworkers; i++) {
        cache_free_all(&e->workers[i]);
        pthread_mutex_destroy(&e->workers[i].lock);
        pthread_cond_destroy(&e->workers[i].cond);
    }
    free(e->workers);
    free(e->running);
    pthread_mutex_destroy(&e->running_lock);
    pthread_mutex_destroy(&e->stats_lock);
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->cond);
    free(e);
}
