#include "config.h"

#include "kv.h"

#include "conn.h"
#include "submit.h"

#include <stdlib.h>
#include <string.h>

/*
 * kv - plugin instances' key-value state in the `kv` table (schema version 1).  A write is
 * a job of the writer, not a transaction on a connection of its own: it shares the batch's
 * fsync and never competes with the writer for SQLite's write lock (a second writer would
 * wait up to the busy timeout behind every group commit).
 */

static int kv_args_ok(const char *instance, const char *key)
{
    return instance != NULL && *instance != '\0' && strlen(instance) < ST_ID_MAX &&
           key != NULL && *key != '\0' && strlen(key) < ST_KEY_MAX;
}

int sqlite_store_kv_set(store_impl *s, const char *instance, const char *key, const char *value,
                 size_t max_keys, char *err, size_t errlen)
{
    if (s == NULL || !kv_args_ok(instance, key) ||
        (value != NULL && strlen(value) > ST_KV_MAX_VALUE)) {
        sti_err(err, errlen, "store_kv_set: bad arguments (instance 1..%d bytes, key 1..%d "
                "bytes, value at most %d bytes)", ST_ID_MAX - 1, ST_KEY_MAX - 1,
                ST_KV_MAX_VALUE);
        return -1;
    }
    sti_job j;
    memset(&j, 0, sizeof(j));
    j.kind = JOB_KV;
    j.kv_instance = instance;
    j.kv_key = key;
    j.kv_value = value;
    j.kv_max_keys = max_keys;
    if (sti_run_job(s, &j, err, errlen) != 0)
        return -1;
    return j.kv_full;
}

int sti_apply_kv(sti_conn *c, sti_job *j, char *err, size_t errlen)
{
    j->kv_full = 0;
    if (j->kv_value == NULL) {
        STI_STMT(SQL_KV_DELETE);
        int b = sti_bind_text(st, 1, j->kv_instance) | sti_bind_text(st, 2, j->kv_key);
        return sti_run(c, st, b, "deleting a plugin value", err, errlen);
    }
    STI_STMT(SQL_KV_UPSERT);
    int64_t max = j->kv_max_keys > (size_t)INT64_MAX ? INT64_MAX : (int64_t)j->kv_max_keys;
    int b = sti_bind_text(st, 1, j->kv_instance) | sti_bind_text(st, 2, j->kv_key) |
            sti_bind_text(st, 3, j->kv_value) | sqlite3_bind_int64(st, 4, max);
    if (sti_run(c, st, b, "storing a plugin value", err, errlen) != 0)
        return -1;
    j->kv_full = sqlite3_changes(c->db) == 0;
    return 0;
}

int sqlite_store_kv_get(store_impl *s, const char *instance, const char *key, char **value,
                        char *err,
                 size_t errlen)
{
    if (value != NULL)
        *value = NULL;
    if (s == NULL || value == NULL || !kv_args_ok(instance, key)) {
        sti_err(err, errlen, "store_kv_get: bad arguments");
        return -1;
    }
    sti_conn *c = sti_reader_get(s, err, errlen);
    if (c == NULL)
        return -1;
    int rc = -1;
    sqlite3_stmt *st = sti_stmt(c, SQL_KV_GET, err, errlen);
    if (st != NULL) {
        int b = sti_bind_text(st, 1, instance) | sti_bind_text(st, 2, key);
        int step = b == SQLITE_OK ? sqlite3_step(st) : SQLITE_ERROR;
        if (step == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            *value = strdup(t != NULL ? (const char *)t : "");
            rc = *value != NULL ? 0 : -1;
            if (rc != 0)
                sti_err(err, errlen, "out of memory");
        } else if (step == SQLITE_DONE) {
            rc = 1;
        } else {
            sti_sqlerr(err, errlen, c->db, "reading a plugin value");
        }
        sti_end(st);
    }
    sti_reader_put(s, c);
    return rc;
}
