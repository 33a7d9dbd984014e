/*
 * check_engine_stock - an order's lifecycle acting on its seller's stock, through the real
 * engine and store: reserved when the placement validates (or refused, nothing written),
 * released on cancel, sold when the label is made, restocked by a resellable return, and
 * inventory.low journaled once when a reservation crosses the threshold.
 */
#include "config.h"

#include "engine_fixture.h"
#include "testutil.h"

#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An order of seller s-1 with the lines "SKU:qty,SKU:qty", each at 100. */
static json_t *order_of(const char *id, const char *lines)
{
    json_t *o = sample_order(id, 100);
    json_t *items = json_array();
    int64_t total = 0;
    char buf[256], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", lines);
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        *colon = '\0';
        int qty = atoi(colon + 1);
        json_array_append_new(items, json_pack("{s:s, s:i, s:i}", "sku", tok, "quantity", qty,
                                               "unit_price", 100));
        total += 100 * qty;
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "total", json_integer(total));
    return o;
}

static int place(const char *id, const char *lines, char *error, size_t len)
{
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, order_of(id, lines), on_reply, &w), 0);
    int rc = wait_reply(&w);
    snprintf(error, len, "%s", w.error);
    return rc;
}

/* The data of the order's first `name` event (NULL when none); caller decrefs. */
static json_t *event_data(const char *id, const char *name, int *count)
{
    st_event *ev = NULL;
    size_t n = 0;
    char err[256];
    ck_assert_int_eq(store_events(h.store, id, &ev, &n, err, sizeof(err)), 0);
    json_t *out = NULL;
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ev[i].name, name) != 0)
            continue;
        if ((*count)++ == 0)
            out = json_loads(ev[i].data ? ev[i].data : "{}", 0, NULL);
    }
    st_events_free(ev, n);
    return out;
}

/* Return r1 of order id, from its request (request, inspected: their bodies, stolen) until
 * it is refunded. */
static void return_refunded(const char *id, json_t *request, json_t *inspected)
{
    char err[512];
    ck_assert_int_eq(input(id, "return.request", request, err, sizeof(err)), 0);
    ck_assert_int_eq(input(id, "return.approve", json_pack("{s:s}", "return_id", "r1"), err,
                           sizeof(err)), 0);
    ck_assert_msg(wait_sub_state(id, "returns", "r1", "label_issued"), "no label");
    ck_assert_int_eq(input(id, "return.received", json_pack("{s:s}", "return_id", "r1"), err,
                           sizeof(err)), 0);
    ck_assert_int_eq(input(id, "return.inspected", inspected, err, sizeof(err)), 0);
    ck_assert_msg(wait_sub_state(id, "returns", "r1", "refunded"), "not refunded");
}

/* The order journaled `name` once, with these lines (JSON text). */
static void assert_lines_once(const char *id, const char *name, const char *lines)
{
    int n;
    json_t *d = event_data(id, name, &n);
    ck_assert_int_eq(n, 1);
    json_t *want = json_loads(lines, 0, NULL);
    ck_assert(json_equal(json_object_get(d, "lines"), want));
    json_decref(want);
    json_decref(d);
}

static int order_exists(const char *id)
{
    st_order o;
    char err[256];
    int rc = store_order_get(h.store, id, &o, err, sizeof(err));
    if (rc == 0)
        st_order_clear(&o);
    return rc == 0;
}

START_TEST(exact_fit_is_reserved)
{
    ef_start_hub(0, NULL);
    ef_set_stock("MUG-1", 3, -1);
    char err[512];
    ck_assert_int_eq(place("fit-1", "MUG-1:2,MUG-1:1", err, sizeof(err)), 0);
    st_stock st = ef_stock("MUG-1");
    ck_assert_int_eq(st.on_hand, 3);
    ck_assert_int_eq(st.reserved, 3);
    int n;
    json_t *d = event_data("fit-1", "inventory.reserved", &n);
    ck_assert_int_eq(n, 1);
    json_t *want = json_loads("[{\"sku\":\"MUG-1\",\"qty\":3}]", 0, NULL);
    ck_assert_msg(json_equal(json_object_get(d, "lines"), want), "%s",
                  json_dumps(d, JSON_COMPACT));
    json_decref(want);
    json_decref(d);
    /* Nothing left: the next one is short. */
    ck_assert_int_eq(place("fit-2", "MUG-1:1", err, sizeof(err)), ENG_ESHORT);
}
END_TEST

START_TEST(short_is_refused_naming_each_sku)
{
    ef_start_hub(0, NULL);
    ef_set_stock("A", 1, -1);
    ef_set_stock("B", 0, -1);
    ef_set_stock("D", 9, -1);
    char err[512];
    ck_assert_int_eq(place("short-1", "A:2,B:1,C:4,D:1", err, sizeof(err)), ENG_ESHORT);
    json_t *want = json_loads("[{\"sku\":\"A\",\"requested\":2,\"available\":1},"
                              "{\"sku\":\"B\",\"requested\":1,\"available\":0}]", 0, NULL);
    json_t *got = json_loads(err, 0, NULL);
    ck_assert_msg(json_equal(got, want), "%s", err);
    json_decref(got);
    json_decref(want);
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    ck_assert(!order_exists("short-1"));
    ck_assert_int_eq(ef_stock("A").reserved, 0);
    ck_assert_int_eq(ef_stock("D").reserved, 0); /* the fitting line was not kept either */
    /* The id is free: the same order that fits is placed. */
    ck_assert_int_eq(place("short-1", "A:1,C:4", err, sizeof(err)), 0);
    ck_assert_int_eq(ef_stock("A").reserved, 1);
}
END_TEST

START_TEST(untracked_unlimited_by_default)
{
    ef_start_hub(0, NULL);
    char err[512];
    ck_assert_int_eq(place("unl-1", "NOREC:5", err, sizeof(err)), 0);
    int n;
    json_t *d = event_data("unl-1", "inventory.reserved", &n);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(json_array_size(json_object_get(d, "lines")), 0);
    json_decref(d);
    /* Cancelling releases nothing of it (the store never held it). */
    ck_assert_int_eq(input("unl-1", "cancel", NULL, err, sizeof(err)), 0);
}
END_TEST

START_TEST(untracked_refused_when_configured)
{
    ef_extra_conf = "inventory = { untracked = \"refuse\"; };\n";
    ef_start_hub(0, NULL);
    ef_set_stock("A", 5, -1);
    char err[512];
    ck_assert_int_eq(place("ref-1", "A:1,NOREC:2", err, sizeof(err)), ENG_ESHORT);
    ck_assert_msg(strcmp(err, "[{\"sku\":\"NOREC\",\"requested\":2,\"available\":0}]") == 0,
                  "%s", err);
    ck_assert_int_eq(place("ref-2", "A:1", err, sizeof(err)), 0);
    ck_assert_int_eq(ef_stock("A").reserved, 1);
}
END_TEST

START_TEST(seller_setting_wins)
{
    ef_extra_conf = "inventory = { untracked = \"refuse\"; sellers = ( { id = \"s-1\"; "
                    "untracked = \"unlimited\"; } ); };\n";
    ef_start_hub(0, NULL);
    char err[512];
    ck_assert_int_eq(place("sel-1", "NOREC:2", err, sizeof(err)), 0);
}
END_TEST

START_TEST(cancel_releases)
{
    ef_start_hub(0, NULL);
    ef_set_stock("MUG-1", 5, -1);
    char err[512];
    ck_assert_int_eq(place("can-1", "MUG-1:2", err, sizeof(err)), 0);
    ck_assert_msg(wait_state("can-1", "awaiting_shipment", 10000), "not paid");
    ck_assert_int_eq(ef_stock("MUG-1").reserved, 2);
    ck_assert_int_eq(input("can-1", "cancel", json_pack("{s:s}", "reason", "changed mind"), err,
                           sizeof(err)), 0);
    st_stock st = ef_stock("MUG-1");
    ck_assert_int_eq(st.reserved, 0);
    ck_assert_int_eq(st.on_hand, 5);
    assert_lines_once("can-1", "inventory.released", "[{\"sku\":\"MUG-1\",\"qty\":2}]");
}
END_TEST

START_TEST(label_sells_and_resellable_return_restocks)
{
    ef_start_hub(0, NULL);
    ef_set_stock("MUG-1", 5, -1);
    char err[512];
    ck_assert_int_eq(place("sell-1", "MUG-1:2", err, sizeof(err)), 0);
    ship_order("sell-1");
    st_stock st = ef_stock("MUG-1");
    ck_assert_int_eq(st.on_hand, 3);
    ck_assert_int_eq(st.reserved, 0);
    /* A return inspected as resellable puts the units back once it is refunded. */
    return_refunded("sell-1", json_pack("{s:s, s:[s]}", "return_id", "r1", "skus", "MUG-1"),
                    json_pack("{s:s, s:s, s:b}", "return_id", "r1", "outcome", "refund",
                              "resellable", 1));
    st = ef_stock("MUG-1");
    ck_assert_int_eq(st.on_hand, 5);
    ck_assert_int_eq(st.reserved, 0);
    assert_lines_once("sell-1", "inventory.restocked", "[{\"sku\":\"MUG-1\",\"qty\":2}]");
}
END_TEST

START_TEST(return_not_resellable_keeps_stock)
{
    ef_start_hub(0, NULL);
    ef_set_stock("MUG-1", 4, -1);
    char err[512];
    ck_assert_int_eq(place("nr-1", "MUG-1:1", err, sizeof(err)), 0);
    ship_order("nr-1");
    return_refunded("nr-1", json_pack("{s:s}", "return_id", "r1"),
                    json_pack("{s:s, s:s}", "return_id", "r1", "outcome", "refund"));
    ck_assert_int_eq(ef_stock("MUG-1").on_hand, 3);
}
END_TEST

START_TEST(low_is_journaled_once)
{
    ef_extra_routes = " { on = \"inventory.low\"; chain = [\"timeline\"]; },\n";
    ef_start_hub(0, NULL);
    ef_set_stock("MUG-1", 6, 3);
    char err[512];
    int n;
    ck_assert_int_eq(place("low-1", "MUG-1:3", err, sizeof(err)), 0); /* 3 left: not below */
    ck_assert_int_eq(place("low-2", "MUG-1:1", err, sizeof(err)), 0); /* 2 left: crossed */
    ck_assert_int_eq(place("low-3", "MUG-1:1", err, sizeof(err)), 0); /* 1 left: below already */
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    json_t *d = event_data("low-1", "inventory.low", &n);
    ck_assert_int_eq(n, 0);
    d = event_data("low-3", "inventory.low", &n);
    ck_assert_int_eq(n, 0);
    d = event_data("low-2", "inventory.low", &n);
    ck_assert_int_eq(n, 1);
    json_t *want = json_loads("[{\"sku\":\"MUG-1\",\"qty\":1,\"available\":2,"
                              "\"low_threshold\":3}]", 0, NULL);
    ck_assert_msg(json_equal(json_object_get(d, "lines"), want), "%s",
                  json_dumps(d, JSON_COMPACT));
    json_decref(want);
    json_decref(d);
    /* Routed like any event: the notifier wrote it. */
    char path[512];
    snprintf(path, sizeof(path), "%s/timeline.jsonl", dir);
    char *log = tu_read(path);
    ck_assert_msg(log && strstr(log, "\"event\":\"inventory.low\""), "%s", log ? log : "");
    ck_assert_msg(strstr(strstr(log, "\"event\":\"inventory.low\"") + 1,
                         "\"event\":\"inventory.low\"") == NULL, "twice: %s", log);
    free(log);
}
END_TEST

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    Suite *s = suite_create("engine_stock");
    TCase *tc = tcase_create("stock");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, ef_setup, ef_teardown);
    tcase_add_test(tc, exact_fit_is_reserved);
    tcase_add_test(tc, short_is_refused_naming_each_sku);
    tcase_add_test(tc, untracked_unlimited_by_default);
    tcase_add_test(tc, untracked_refused_when_configured);
    tcase_add_test(tc, seller_setting_wins);
    tcase_add_test(tc, cancel_releases);
    tcase_add_test(tc, label_sells_and_resellable_return_restocks);
    tcase_add_test(tc, return_not_resellable_keeps_stock);
    tcase_add_test(tc, low_is_journaled_once);
    suite_add_tcase(s, tc);
    int rc = tu_run(s);
    curl_global_cleanup();
    return rc;
}
