#include "resume_timer.h"

#include <stdlib.h>
#include <time.h>

typedef resume_timer timer;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void heap_push(timer *t, due d)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        due *h = realloc(t->heap, cap * sizeof(due));
        if (h == NULL) { /* cannot wait: resume at once rather than lose the request */
            MHD_resume_connection(d.conn);
            return;
        }
        t->heap = h;
        t->cap = cap;
    }
    size_t i = t->n++;
    while (i > 0 && t->heap[(i - 1) / 2].at_ns > d.at_ns) {
        t->heap[i] = t->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    t->heap[i] = d;
}

static due heap_pop(timer *t)
{
    due top = t->heap[0], last = t->heap[--t->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= t->n)
            break;
        if (c + 1 < t->n && t->heap[c + 1].at_ns < t->heap[c].at_ns)
            c++;
        if (t->heap[c].at_ns >= last.at_ns)
            break;
        t->heap[i] = t->heap[c];
        i = c;
    }
    if (t->n > 0)
        t->heap[i] = last;
    return top;
}

static void *timer_main(void *arg)
{
    timer *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stop || t->n > 0) {
        if (t->n == 0) {
            pthread_cond_wait(&t->cond, &t->lock);
            continue;
        }
        int64_t now = mono_ns();
        if (t->stop || t->heap[0].at_ns <= now) {
            due d = heap_pop(t);
            MHD_resume_connection(d.conn); /* thread-safe; wakes MHD through its ITC */
            continue;
        }
        struct timespec ts = {(time_t)(t->heap[0].at_ns / 1000000000),
                              (long)(t->heap[0].at_ns % 1000000000)};
        pthread_cond_timedwait(&t->cond, &t->lock, &ts);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int resume_timer_start(resume_timer *t)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&t->lock, NULL);
    return pthread_create(&t->thread, NULL, timer_main, t);
}

void resume_timer_add(resume_timer *t, struct MHD_Connection *c, int64_t delay_ms)
{
    int64_t at_ns = mono_ns() + delay_ms * 1000000;
    pthread_mutex_lock(&t->lock);
    if (t->stop) /* shutting down: the timer thread is gone, answer now */
        MHD_resume_connection(c);
    else
        heap_push(t, (due){at_ns, c});
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

void resume_timer_stop(resume_timer *t)
{
    pthread_mutex_lock(&t->lock);
    t->stop = 1;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    free(t->heap);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
}
