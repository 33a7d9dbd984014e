#include "config.h"

#include "health.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * The health that /healthz reports.  Health is a few fields under their own lock, written
 * by the writer once per batch and by checks (check.c), so reading it costs no I/O at all.
 * Apart from check.c because every read reports a damaged page here (conn.c), and check.c
 * opens its connection there.
 */

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sti_health_locks(store_impl *s)
{
    if (pthread_mutex_init(&s->health_mu, NULL) != 0)
        return -1;
    if (pthread_cond_init(&s->check_over, NULL) != 0) {
        pthread_mutex_destroy(&s->health_mu);
        return -1;
    }
    return 0;
}

void sti_health_init(store_impl *s, int checked, int64_t took_ms)
{
    pthread_mutex_lock(&s->health_mu);
    s->check_state = checked ? ST_CHECK_PASSED : ST_CHECK_NONE;
    s->check_at_ms = checked ? clock_ms(CLOCK_REALTIME) : 0;
    s->check_took_ms = took_ms;
    pthread_mutex_unlock(&s->health_mu);
}

void sti_health_write(store_impl *s, const char *why)
{
    /* Called after every batch: the lock is taken only when the state changes. */
    if (why == NULL && !s->write_faulted)
        return;
    s->write_faulted = why != NULL;
    pthread_mutex_lock(&s->health_mu);
    if (why != NULL)
        snprintf(s->write_error, sizeof(s->write_error), "%s", why);
    else
        s->write_error[0] = '\0';
    pthread_mutex_unlock(&s->health_mu);
}

void sti_health_read_fault(store_impl *s, const char *why)
{
    pthread_mutex_lock(&s->health_mu);
    s->check_state = ST_CHECK_FAILED;
    s->check_at_ms = clock_ms(CLOCK_REALTIME);
    s->check_took_ms = 0;
    snprintf(s->check_error, sizeof(s->check_error), "a read hit a damaged page: %s", why);
    pthread_mutex_unlock(&s->health_mu);
}

void sti_health_close(store_impl *s)
{
    pthread_mutex_lock(&s->health_mu);
    s->check_closed = 1;
    if (s->check_conn != NULL)
        sqlite3_interrupt(s->check_conn->db);
    while (s->checking)
        pthread_cond_wait(&s->check_over, &s->health_mu);
    pthread_mutex_unlock(&s->health_mu);
}

void sqlite_store_health(store_impl *s, st_health *out)
{
    memset(out, 0, sizeof(*out));
    if (s == NULL) {
        snprintf(out->write_error, sizeof(out->write_error), "no store");
        return;
    }
    pthread_mutex_lock(&s->health_mu);
    out->check = s->check_state;
    out->check_at_ms = s->check_at_ms;
    out->check_took_ms = s->check_took_ms;
    memcpy(out->check_error, s->check_error, sizeof(out->check_error));
    memcpy(out->write_error, s->write_error, sizeof(out->write_error));
    pthread_mutex_unlock(&s->health_mu);
    out->ok = out->check != ST_CHECK_FAILED && out->write_error[0] == '\0';
}
