/*
 * check_store_kv - plugins' key-value state in the store: store_kv_set / store_kv_get
 * (limits, deletes, durable across a close and reopen) and the host's kv_set / kv_get once
 * the hub's backend is installed (host_kv_use), including values set in memory before it.
 * Written against store.h and host.h only, and run once per driver (store_suite.h).
 */
#include "config.h"

#include "engine/hub.h"
#include "host/host.h"
#include "runtime/instance.h"
#include "store_suite.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The store suite's fixture, plus the host's kv put back in memory around each test. */
static void setup(void)
{
    store_setup();
    host_kv_reset();
}

static void teardown(void)
{
    host_kv_use(NULL);
    host_kv_reset();
    store_teardown();
}

static void assert_value(store *s, const char *instance, const char *key, const char *want)
{
    char *v = NULL;
    int rc = store_kv_get(s, instance, key, &v, err, sizeof(err));
    if (want == NULL) {
        ck_assert_msg(rc == 1, "%s/%s: rc %d (%s)", instance, key, rc, err);
        ck_assert_ptr_null(v);
        return;
    }
    ck_assert_msg(rc == 0, "%s/%s: rc %d (%s)", instance, key, rc, err);
    ck_assert_str_eq(v, want);
    free(v);
}

START_TEST(kv_durable_across_reopen)
{
    store *s = open_store(0, 0);
    assert_value(s, "ups-1", "cursor", NULL);
    ck_assert_int_eq(store_kv_set(s, "ups-1", "cursor", "42", 10, err, sizeof(err)), 0);
    ck_assert_int_eq(store_kv_set(s, "ups-2", "cursor", "7", 10, err, sizeof(err)), 0);
    ck_assert_int_eq(store_kv_set(s, "ups-1", "cursor", "43", 10, err, sizeof(err)), 0);
    ck_assert_int_eq(store_kv_set(s, "ups-1", "hook", "wh_1", 10, err, sizeof(err)), 0);
    ck_assert_int_eq(store_kv_set(s, "ups-1", "hook", NULL, 10, err, sizeof(err)), 0);
    ck_assert_int_eq(store_kv_set(s, "ups-1", "never-set", NULL, 10, err, sizeof(err)), 0);
    store_close(s);

    s = open_store(0, 0);
    assert_value(s, "ups-1", "cursor", "43");
    assert_value(s, "ups-2", "cursor", "7");
    assert_value(s, "ups-1", "hook", NULL);
    store_close(s);
}
END_TEST

START_TEST(kv_limits)
{
    store *s = open_store(0, 0);
    /* max_keys counts an instance's keys; replacing or deleting one is always allowed. */
    ck_assert_int_eq(store_kv_set(s, "a", "k1", "1", 2, err, sizeof(err)), 0);
    ck_assert_int_eq(store_kv_set(s, "a", "k2", "2", 2, err, sizeof(err)), 0);
    ck_assert_int_eq(store_kv_set(s, "a", "k3", "3", 2, err, sizeof(err)), 1);
    assert_value(s, "a", "k3", NULL);
    ck_assert_int_eq(store_kv_set(s, "b", "k3", "3", 2, err, sizeof(err)), 0);
    ck_assert_int_eq(store_kv_set(s, "a", "k2", "two", 2, err, sizeof(err)), 0);
    ck_assert_int_eq(store_kv_set(s, "a", "k1", NULL, 2, err, sizeof(err)), 0);
    ck_assert_int_eq(store_kv_set(s, "a", "k3", "3", 2, err, sizeof(err)), 0);
    assert_value(s, "a", "k2", "two");
    assert_value(s, "a", "k3", "3");

    /* Sizes: the largest value fits, one byte more is refused; empty names are refused. */
    char *big = malloc(ST_KV_MAX_VALUE + 2);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', ST_KV_MAX_VALUE + 1);
    big[ST_KV_MAX_VALUE + 1] = '\0';
    ck_assert_int_eq(store_kv_set(s, "a", "big", big, 10, err, sizeof(err)), -1);
    big[ST_KV_MAX_VALUE] = '\0';
    ck_assert_msg(store_kv_set(s, "a", "big", big, 10, err, sizeof(err)) == 0, "%s", err);
    assert_value(s, "a", "big", big);
    free(big);
    ck_assert_int_eq(store_kv_set(s, "", "k", "v", 10, err, sizeof(err)), -1);
    ck_assert_int_eq(store_kv_set(s, "a", "", "v", 10, err, sizeof(err)), -1);
    char *v = NULL;
    ck_assert_int_eq(store_kv_get(s, "a", "", &v, err, sizeof(err)), -1);
    store_close(s);
}
END_TEST

/* The host's kv_set / kv_get through the hub's backend: durable per instance, and what a
 * plugin set in memory before the store was open is kept. */
START_TEST(host_kv_in_the_store)
{
    const oh_host_api *h = host_api();
    struct oh_instance a = {.id = "carrier-a"}, b = {.id = "carrier-b"};
    char buf[32];
    ck_assert_int_eq(h->kv_set(&a, "early", "set-in-init"), 0); /* memory: no store yet */

    store *s = open_store(0, 0);
    host_kv_backend kv = hub_kv_backend(s);
    host_kv_use(&kv);
    assert_value(s, "carrier-a", "early", "set-in-init");
    ck_assert_int_eq(h->kv_set(&a, "cursor", "1001"), 0);
    ck_assert_int_eq(h->kv_set(&b, "cursor", "2002"), 0);
    assert_value(s, "carrier-a", "cursor", "1001"); /* committed when kv_set returned */
    host_kv_use(NULL);
    store_close(s);

    /* In memory again: nothing of the store's is seen there. */
    ck_assert_int_eq(h->kv_get(&a, "cursor", buf, sizeof(buf)), -1);

    /* A restart: the values are read back through the host. */
    s = open_store(0, 0);
    kv = hub_kv_backend(s);
    host_kv_use(&kv);
    ck_assert_int_eq(h->kv_get(&a, "cursor", buf, sizeof(buf)), 4);
    ck_assert_str_eq(buf, "1001");
    ck_assert_int_eq(h->kv_get(&b, "cursor", buf, sizeof(buf)), 4);
    ck_assert_str_eq(buf, "2002");
    ck_assert_int_eq(h->kv_get(&a, "early", buf, sizeof(buf)), 11);
    ck_assert_int_eq(h->kv_get(&a, "cursor", buf, 4), -2); /* too small: nothing copied */
    ck_assert_int_eq(h->kv_set(&a, "cursor", NULL), 0);
    ck_assert_int_eq(h->kv_get(&a, "cursor", buf, sizeof(buf)), -1);
    assert_value(s, "carrier-a", "cursor", NULL);

    /* The per-instance count limit holds through the store too. */
    for (int i = 0; i < HOST_KV_MAX_KEYS - 1; i++) { /* "early" is one */
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        ck_assert_int_eq(h->kv_set(&a, key, "v"), 0);
    }
    ck_assert_int_eq(h->kv_set(&a, "one-too-many", "v"), -1);
    ck_assert_int_eq(h->kv_set(&b, "one-more", "v"), 0);
    host_kv_use(NULL);
    store_close(s);
}
END_TEST

/* The same limits in memory (the plugin test kit): a plugin behaves the same in both. */
START_TEST(host_kv_limits_in_memory)
{
    const oh_host_api *h = host_api();
    struct oh_instance a = {.id = "a"};
    char key[HOST_KV_MAX_KEY + 2];
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    ck_assert_int_eq(h->kv_set(&a, key, "v"), -1);
    key[HOST_KV_MAX_KEY] = '\0';
    ck_assert_int_eq(h->kv_set(&a, key, "v"), 0);
    for (int i = 1; i < HOST_KV_MAX_KEYS; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%d", i);
        ck_assert_int_eq(h->kv_set(&a, k, "v"), 0);
    }
    ck_assert_int_eq(h->kv_set(&a, "one-too-many", "v"), -1);
    ck_assert_int_eq(h->kv_set(&a, "k1", "replaced"), 0);
}
END_TEST

static Suite *kv_suite(const char *driver)
{
    static char name[64];
    snprintf(name, sizeof(name), "store_kv (%s)", driver);
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(driver);
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, kv_durable_across_reopen);
    tcase_add_test(tc, kv_limits);
    tcase_add_test(tc, host_kv_in_the_store);
    tcase_add_test(tc, host_kv_limits_in_memory);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return store_suites_run(kv_suite);
}
