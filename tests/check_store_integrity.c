/*
 * check_store_integrity - what store_open accepts (D11) and the store's health, on real
 * files: a missing file is created and marked (application_id); an existing empty file is
 * refused unless init_empty; another application's SQLite file is refused even then; a
 * file from before the marker is recognised and stamped; a page damaged on disk is refused
 * by quick_check at open, and with skip_check it is found by a read and by store_check,
 * which store_health reports; a write failing with an I/O error (RLIMIT_FSIZE, standing
 * for a full disk) is reported until a write commits again.
 *
 * Damage is done to the file with pwrite while no store has it open, as a bad sector
 * would, never through SQL.
 */
#include "config.h"

#include "store/store.h"
#include "testutil.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dir;
static char *path;
static char err[ST_ERROR_MAX * 2];

static void setup(void)
{
    dir = tu_tmpdir();
    ck_assert_int_ge(asprintf(&path, "%s/orderhub.db", dir), 0);
    err[0] = '\0';
}

static void teardown(void)
{
    free(path);
    tu_rmdir(dir);
}

static store *open_with(int init_empty, int skip_check)
{
    store_options o = {.path = path, .init_empty = init_empty, .skip_check = skip_check};
    store *s = NULL;
    ck_assert_msg(store_open(&o, &s, err, sizeof(err)) == 0, "store_open: %s", err);
    return s;
}

/* store_open refuses the file: err names it and contains `why`. */
static void refused(int init_empty, const char *why)
{
    store_options o = {.path = path, .init_empty = init_empty};
    store *s = (store *)1;
    ck_assert_int_eq(store_open(&o, &s, err, sizeof(err)), -1);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, path) != NULL && strstr(err, why) != NULL, "%s", err);
}

/* Run SQL on the file through a connection of the test's own (building fixtures). */
static void sql(const char *text)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    char *e = NULL;
    ck_assert_msg(sqlite3_exec(db, text, NULL, NULL, &e) == SQLITE_OK, "%s: %s", text,
                  e ? e : "?");
    sqlite3_close(db);
}

static int64_t sql_int(const char *text)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, text, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static off_t file_size(void)
{
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    return sb.st_size;
}

/* Commit order `id` whose snapshot carries `mark` and ~1 KiB of padding; the rc. */
static int put_order(store *s, const char *id, const char *mark)
{
    char snap[1400];
    snprintf(snap, sizeof(snap), "{\"id\":\"%s\",\"buyer\":{\"name\":\"%s\"},\"pad\":\"%01024d\"}",
             id, mark, 0);
    st_order o;
    memset(&o, 0, sizeof(o));
    snprintf(o.id, sizeof(o.id), "%s", id);
    snprintf(o.state, sizeof(o.state), "placed");
    o.snapshot = snap;
    o.created_ms = o.updated_ms = 1000;
    st_unit u = {.order = &o};
    return store_commit(s, &u, err, sizeof(err));
}

/* The byte offset of `text` in the file (it must be there once at least). */
static off_t offset_of(const char *text)
{
    char *data = NULL;
    off_t size = file_size();
    int fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    data = malloc((size_t)size);
    ck_assert_ptr_nonnull(data);
    ck_assert_int_eq(pread(fd, data, (size_t)size, 0), size);
    close(fd);
    size_t n = strlen(text);
    off_t at = -1;
    for (off_t i = 0; at < 0 && i + (off_t)n <= size; i++) {
        if (memcmp(data + i, text, n) == 0)
            at = i;
    }
    free(data);
    ck_assert_msg(at >= 0, "'%s' is not in the file", text);
    return at;
}

/* ---- what a store file must be ------------------------------------------------------ */

START_TEST(missing_file_created_and_marked)
{
    store *s = open_with(0, 0);
    st_health h;
    store_health(s, &h);
    ck_assert_int_eq(h.ok, 1);
    ck_assert_int_eq(h.check, ST_CHECK_PASSED);
    ck_assert_int_gt(h.check_at_ms, 0);
    store_close(s);
    ck_assert_int_eq(sql_int("PRAGMA application_id"), ST_APPLICATION_ID);
    store_close(open_with(0, 0)); /* and it opens again */
}
END_TEST

START_TEST(empty_file_refused_unless_init_empty)
{
    int fd = open(path, O_CREAT | O_WRONLY, 0600);
    ck_assert_int_ge(fd, 0);
    close(fd);
    refused(0, "the file exists but is empty");
    ck_assert_int_eq(file_size(), 0); /* left as it was */
    store_close(open_with(1, 0));
    ck_assert_int_eq(sql_int("PRAGMA application_id"), ST_APPLICATION_ID);
}
END_TEST

START_TEST(text_file_refused)
{
    free(tu_write(dir, "orderhub.db", "id,state\nord-1,placed\n"));
    refused(1, "not an orderhub database: not an SQLite file");
    ck_assert_int_eq(file_size(), 22);
}
END_TEST

START_TEST(foreign_sqlite_refused)
{
    sql("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
        "INSERT INTO customers (name) VALUES ('Ada');");
    refused(1, "no orderhub marker");
    ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_master"), 1); /* untouched */
    /* Another application that marks its files, even with a table named like ours. */
    sql("CREATE TABLE orders (id TEXT); PRAGMA user_version = 3; "
        "PRAGMA application_id = 1234;");
    refused(1, "another application (application_id 0x000004d2)");
}
END_TEST

START_TEST(file_before_the_marker_recognised_and_stamped)
{
    store_close(open_with(0, 0));
    /* A store written before application_id was set: schema and user_version only. */
    sql("PRAGMA application_id = 0;");
    ck_assert_int_eq(sql_int("PRAGMA application_id"), 0);
    store_close(open_with(0, 0));
    ck_assert_int_eq(sql_int("PRAGMA application_id"), ST_APPLICATION_ID);
}
END_TEST

/* ---- a damaged page ------------------------------------------------------------------ */

/* 60 orders (several table pages), closed; then the page holding ord-30 is zeroed. */
static void damaged_store(void)
{
    store *s = open_with(0, 0);
    for (int i = 0; i < 60; i++) {
        char id[32], mark[32];
        snprintf(id, sizeof(id), "ord-%d", i);
        snprintf(mark, sizeof(mark), "MARK-%04d-MARK", i);
        ck_assert_msg(put_order(s, id, mark) == 0, "%s", err);
    }
    store_close(s); /* the last connection checkpoints the WAL into the file */
    long page = (long)sql_int("PRAGMA page_size");
    off_t at = offset_of("MARK-0030-MARK");
    ck_assert_int_ge(at / page, 1);
    char zero[65536] = {0};
    int fd = open(path, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pwrite(fd, zero, (size_t)page, at / page * page), page);
    close(fd);
}

START_TEST(damaged_page_refused_at_open)
{
    damaged_store();
    refused(0, "integrity check failed (PRAGMA quick_check): ");
}
END_TEST

START_TEST(damaged_page_found_by_read_and_check)
{
    damaged_store();
    store *s = open_with(0, 1);
    st_health h;
    store_health(s, &h);
    ck_assert_int_eq(h.ok, 1);
    ck_assert_int_eq(h.check, ST_CHECK_NONE); /* skipped */
    st_order o;
    ck_assert_int_eq(store_order_get(s, "ord-30", &o, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "malformed") != NULL, "%s", err);
    store_health(s, &h);
    ck_assert_int_eq(h.ok, 0);
    ck_assert_int_eq(h.check, ST_CHECK_FAILED);
    ck_assert_msg(strstr(h.check_error, "a read hit a damaged page") != NULL, "%s",
                  h.check_error);
    char problems[ST_ERROR_MAX];
    int64_t took = -1;
    ck_assert_int_eq(store_check(s, problems, sizeof(problems), &took, err, sizeof(err)), 1);
    ck_assert_msg(problems[0] != '\0' && strchr(problems, '\n') == NULL, "%s", problems);
    ck_assert_int_ge(took, 0);
    store_health(s, &h);
    ck_assert_int_eq(h.ok, 0);
    ck_assert_str_eq(h.check_error, problems);
    store_close(s);
}
END_TEST

START_TEST(check_on_demand_passes)
{
    store *s = open_with(0, 1);
    ck_assert_int_eq(put_order(s, "ord-1", "m"), 0);
    char problems[ST_ERROR_MAX];
    int64_t took = -1;
    ck_assert_int_eq(store_check(s, problems, sizeof(problems), &took, err, sizeof(err)), 0);
    ck_assert_str_eq(problems, "");
    st_health h;
    store_health(s, &h);
    ck_assert_int_eq(h.ok, 1);
    ck_assert_int_eq(h.check, ST_CHECK_PASSED);
    store_close(s);
}
END_TEST

/* ---- the writer's persistent error --------------------------------------------------- */

START_TEST(write_fault_reported_until_a_commit)
{
    /* Check runs each test in a child process: the limit dies with it. */
    store *s = open_with(0, 0);
    signal(SIGXFSZ, SIG_IGN); /* write() fails with EFBIG instead of killing us */
    struct rlimit was, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &was), 0);
    lim = was;
    lim.rlim_cur = 256 * 1024;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int failed_at = -1;
    for (int i = 0; i < 1000 && failed_at < 0; i++) {
        char id[32];
        snprintf(id, sizeof(id), "ord-%d", i);
        if (put_order(s, id, "m") != 0)
            failed_at = i;
    }
    ck_assert_msg(failed_at > 0, "no write failed under a 256 KiB file size limit");
    st_health h;
    store_health(s, &h);
    ck_assert_int_eq(h.ok, 0);
    ck_assert_msg(strstr(h.write_error, "disk I/O error") != NULL, "%s", h.write_error);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &was), 0);
    ck_assert_msg(put_order(s, "after", "m") == 0, "%s", err);
    store_health(s, &h);
    ck_assert_int_eq(h.ok, 1);
    ck_assert_str_eq(h.write_error, "");
    store_close(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("store_integrity");
    TCase *tc = tcase_create("store_integrity");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, missing_file_created_and_marked);
    tcase_add_test(tc, empty_file_refused_unless_init_empty);
    tcase_add_test(tc, text_file_refused);
    tcase_add_test(tc, foreign_sqlite_refused);
    tcase_add_test(tc, file_before_the_marker_recognised_and_stamped);
    tcase_add_test(tc, damaged_page_refused_at_open);
    tcase_add_test(tc, damaged_page_found_by_read_and_check);
    tcase_add_test(tc, check_on_demand_passes);
    tcase_add_test(tc, write_fault_reported_until_a_commit);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
