/*
 * resume_timer - added latency for the fake remote services without a thread per
 * request: a suspended libmicrohttpd connection is resumed by one timer thread when its
 * delay is over (a min-heap of due times).  Shared by the fakes in contrib/fakes.
 */
#ifndef FAKE_RESUME_TIMER_H
#define FAKE_RESUME_TIMER_H

#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

typedef struct due {
    int64_t at_ns;
    struct MHD_Connection *conn;
} due;

typedef struct resume_timer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    due *heap;
    size_t n, cap;
    int stop;
} resume_timer;

/* resume_timer_start - the thread; 0, or an errno. */
int resume_timer_start(resume_timer *t);

/*
 * resume_timer_add - resume `c` (already suspended by the caller, before this call: the
 * timer may resume it at once) after `delay_ms`.  Stopping: resumed at once.
 */
void resume_timer_add(resume_timer *t, struct MHD_Connection *c, int64_t delay_ms);

/* resume_timer_stop - resume every waiting connection now, join the thread, free. */
void resume_timer_stop(resume_timer *t);

#endif
