#include "config.h"

#include "sqlite.h"

#include "check.h"
#include "conn.h"
#include "health.h"
#include "schema.h"
#include "writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/*
 * sqlite - the SQLite backend's handle (struct store_impl): open (directories, the
 * one-process lock, recognising and checking the file, migrations, WAL, the writer
 * thread), close, the schema version and the writer's counters.
 */

/* Create the directories leading to `path` (0700: the journal holds customer data). */
static int make_parent_dirs(const char *path, char *err, size_t errlen)
{
    char *dir = strdup(path);
    if (dir == NULL) {
        sti_err(err, errlen, "out of memory");
        return -1;
    }
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash != NULL && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; rc == 0; p++) {
            if (*p != '/' && *p != '\0')
                continue;
            char saved = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                sti_err(err, errlen, "cannot create directory %s: %s", dir, strerror(errno));
                rc = -1;
            }
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    free(dir);
    return rc;
}

/* Free what store_open built so far (the writer thread is not running). */
static void destroy(store_impl *s, int locks)
{
    sti_pool_close(s);
    sti_conn_close(s->wconn);
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* the file stays: unlinking a lock file races with openers */
    if (locks) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->pool_mu);
        pthread_mutex_destroy(&s->health_mu);
        pthread_cond_destroy(&s->check_over);
    }
    free(s->path);
    free(s);
}

static int init_locks(store_impl *s)
{
    if (pthread_mutex_init(&s->mu, NULL) != 0)
        return -1;
    if (pthread_cond_init(&s->wake, NULL) != 0) {
        pthread_mutex_destroy(&s->mu);
        return -1;
    }
    if (pthread_mutex_init(&s->pool_mu, NULL) != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->mu);
        return -1;
    }
    if (sti_health_locks(s) != 0) {
        pthread_mutex_destroy(&s->pool_mu);
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->mu);
        return -1;
    }
    return 0;
}

/*
 * One process per database: actions and timers are claimed with leases, so a second
 * daemon would not run them twice, but each engine's workers keep the orders they own in
 * memory and expect to be their only writer (another process's writes would cost a
 * version conflict and a reload each time).  A lock on a side file (not on the database,
 * whose locks SQLite owns) says who holds it.  fcntl locks are per process: two handles
 * of one process (tests) share it.
 */
static int lock_db(store_impl *s, char *why, size_t whylen)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s.lock", s->path);
    s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s->lock_fd < 0) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(s->lock_fd, F_SETLK, &lk) != 0) {
        char pid[32] = "";
        ssize_t n = pread(s->lock_fd, pid, sizeof(pid) - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        snprintf(why, whylen, "in use by another process (pid %s)", pid[0] ? pid : "?");
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(s->lock_fd, 0) != 0 || pwrite(s->lock_fd, pid, (size_t)len, 0) != len) {
        snprintf(why, whylen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* PRAGMA quick_check before anything writes to the file (a migration on a damaged file
 * would spread the damage); 0, or -1 with why set. */
static int check_at_open(store_impl *s, char *why, size_t whylen)
{
    char problems[ST_ERROR_MAX];
    int64_t t0 = mono_ms();
    int rc = sti_quick_check(s->wconn->db, problems, sizeof(problems), why, whylen);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        sti_err(why, whylen, "integrity check failed (PRAGMA quick_check): %s; refusing to "
                "start on a damaged database: restore a backup (or salvage it with sqlite3 "
                ".recover)", problems);
        return -1;
    }
    sti_health_init(s, 1, mono_ms() - t0);
    return 0;
}

/* Open the write connection, recognise and check the file, migrate, switch to WAL; the
 * writer is not started yet. */
static int open_db(store_impl *s, const store_options *o, char *why, size_t whylen)
{
    if (make_parent_dirs(s->path, why, whylen) != 0 || lock_db(s, why, whylen) != 0)
        return -1;
    /* Under the lock: nobody else creates the file between this test and the open. */
    struct stat sb;
    int existed = stat(s->path, &sb) == 0;
    if (sti_conn_open(s->path, 1, &s->wconn, why, whylen) != 0 ||
        sti_schema_identify(s->wconn->db, !existed || o->init_empty, why, whylen) != 0)
        return -1;
    if (o->skip_check)
        sti_health_init(s, 0, 0);
    else if (check_at_open(s, why, whylen) != 0)
        return -1;
    if (sti_schema_migrate(s->wconn->db, &s->schema_version, why, whylen) != 0 ||
        sti_conn_wal(s->wconn, s->sync_full, why, whylen) != 0)
        return -1;
    return 0;
}

int sqlite_store_open(const store_options *opts, store_impl **out, char *err, size_t errlen)
{
    if (out != NULL)
        *out = NULL;
    if (opts == NULL || out == NULL || opts->path == NULL || opts->path[0] == '\0' ||
        opts->max_batch < 0) {
        sti_err(err, errlen, "store_open: a path is required and max_batch must be >= 0");
        return -1;
    }
    store_impl *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->path = strdup(opts->path)) == NULL) {
        free(s);
        sti_err(err, errlen, "out of memory");
        return -1;
    }
    s->lock_fd = -1;
    s->sync_full = opts->sync_full != 0;
    s->max_batch = opts->max_batch > 0 ? (size_t)opts->max_batch : STI_DEFAULT_BATCH;
    if (init_locks(s) != 0) {
        sti_err(err, errlen, "out of memory");
        destroy(s, 0);
        return -1;
    }
    char why[2 * ST_ERROR_MAX];
    if (open_db(s, opts, why, sizeof(why)) != 0 || sti_writer_start(s, why, sizeof(why)) != 0) {
        sti_err(err, errlen, "%s: %s", s->path, why);
        destroy(s, 1);
        return -1;
    }
    *out = s;
    return 0;
}

void sqlite_store_close(store_impl *s)
{
    if (s == NULL)
        return;
    sti_health_close(s); /* a running store_check is interrupted, then waited for */
    sti_writer_stop(s);  /* commits everything queued first */
    destroy(s, 1);      /* readers first: the writer's close checkpoints the WAL */
}

int sqlite_store_schema_version(store_impl *s)
{
    return s != NULL ? s->schema_version : -1;
}

void sqlite_store_stats(store_impl *s, uint64_t *units, uint64_t *batches)
{
    uint64_t u = 0, b = 0;
    if (s != NULL) {
        pthread_mutex_lock(&s->mu);
        u = s->units_ok;
        b = s->batches;
        pthread_mutex_unlock(&s->mu);
    }
    if (units != NULL)
        *units = u;
    if (batches != NULL)
        *batches = b;
}
