/*
 * check_engine_money - refunds bounded by what was paid, through the real engine, store and
 * sandbox gateway: a return gives back its lines (the $8.99 mug of a $37.99 order: 899),
 * a later dispute at most the rest (more answers ENG_EOVERREFUND naming the refundable),
 * the same money is never refunded twice - not even by a return and a dispute racing - and
 * what the gateway booked agrees with orderhub's totals to the minor unit.
 */
#include "config.h"

#include "engine_fixture.h"
#include "testutil.h"

#include <check.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* $37.99: a mug at 8.99 and two tees at 14.50. */
static json_t *mug_and_tees(const char *id)
{
    json_t *o = sample_order(id, 3799);
    json_object_set_new(o, "items",
                        json_pack("[{s:s, s:i, s:i}, {s:s, s:i, s:i}]", "sku", "MUG-1",
                                  "quantity", 1, "unit_price", 899, "sku", "TEE-1",
                                  "quantity", 2, "unit_price", 1450));
    return o;
}

static void deliver(const char *id)
{
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, mug_and_tees(id), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_msg(wait_state(id, "awaiting_shipment", 10000), "%s not paid", id);
    ck_assert_int_eq(input(id, "acknowledge", NULL, NULL, 0), 0);
    ck_assert_int_eq(input(id, "pack", NULL, NULL, 0), 0);
    ck_assert_msg(wait_state(id, "completed", 15000), "%s: %s", id, timeline(id));
}

/* A return of `skus` (NULL: the whole order) as far as `received`. */
static void return_received(const char *id, const char *rid, json_t *skus)
{
    char err[512];
    json_t *req = json_pack("{s:s, s:s}", "return_id", rid, "reason", "not as described");
    if (skus != NULL)
        json_object_set_new(req, "skus", skus);
    ck_assert_int_eq(input(id, "return.request", req, err, sizeof(err)), 0);
    ck_assert_int_eq(input(id, "return.approve", json_pack("{s:s}", "return_id", rid), err,
                           sizeof(err)), 0);
    ck_assert_msg(wait_sub_state(id, "returns", rid, "label_issued"), "no label");
    ck_assert_int_eq(input(id, "return.received", json_pack("{s:s}", "return_id", rid), err,
                           sizeof(err)), 0);
}

static json_t *payment_member(const char *id)
{
    st_order o;
    char err[256];
    ck_assert_int_eq(store_order_get(h.store, id, &o, err, sizeof(err)), 0);
    json_t *snap = json_loads(o.snapshot, 0, NULL);
    st_order_clear(&o);
    json_t *p = json_incref(json_object_get(snap, "payment"));
    json_decref(snap);
    return p;
}

static int64_t pay_int(const json_t *p, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(p, key));
}

/* Orderhub's snapshot, its store record and the gateway's books all say `refunded`. */
static void assert_refunded(const char *id, int64_t refunded, const char *status)
{
    ck_assert_int_eq(eng_wait_idle(h.engine, 10000), 0);
    json_t *p = payment_member(id);
    ck_assert_int_eq(pay_int(p, "refunded_total"), refunded);
    ck_assert_str_eq(json_string_value(json_object_get(p, "status")), status);
    json_decref(p);
    st_payment sp;
    char err[256];
    ck_assert_msg(store_payment_get(h.store, id, &sp, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(sp.refunded, refunded);
    ck_assert_int_le(sp.refunded, sp.captured);
    ck_assert_int_eq(sr_booked_amount(remote, id, "refund"), refunded);
}

START_TEST(return_refunds_its_lines_and_dispute_at_most_the_rest)
{
    ef_start_hub(0, NULL);
    deliver("m-1");
    json_t *p = payment_member("m-1");
    ck_assert_int_eq(pay_int(p, "captured_total"), 3799);
    ck_assert_str_eq(json_string_value(json_object_get(p, "status")), "captured");
    json_decref(p);
    ck_assert_int_eq(sr_booked_amount(remote, "m-1", "capture"), 3799);

    return_received("m-1", "r-1", json_pack("[s]", "MUG-1"));
    char err[512];
    ck_assert_int_eq(input("m-1", "return.inspected",
                           json_pack("{s:s, s:s}", "return_id", "r-1", "outcome", "refund"),
                           err, sizeof(err)), 0);
    ck_assert_msg(wait_sub_state("m-1", "returns", "r-1", "refunded"), "not refunded");
    assert_refunded("m-1", 899, "partially_refunded");

    /* A dispute asking the whole order back: refused, naming what remains. */
    ck_assert_int_eq(input("m-1", "dispute.open", json_pack("{s:s, s:s}", "dispute_id", "d-1",
                                                            "reason", "late"), err,
                           sizeof(err)), 0);
    ck_assert_int_eq(input("m-1", "dispute.resolve",
                           json_pack("{s:s, s:s, s:i}", "dispute_id", "d-1", "resolution",
                                     "refund", "amount", 3799), err, sizeof(err)),
                     ENG_EOVERREFUND);
    json_t *refusal = json_loads(err, 0, NULL);
    ck_assert_msg(refusal != NULL, "%s", err);
    ck_assert_int_eq(json_integer_value(json_object_get(refusal, "refundable")), 2900);
    json_decref(refusal);
    char *s = sub_state("m-1", "disputes", "d-1");
    ck_assert_str_eq(s, "opened"); /* nothing of the refused input was written */
    free(s);
    assert_refunded("m-1", 899, "partially_refunded");

    /* Without an amount: what remains. */
    ck_assert_int_eq(input("m-1", "dispute.resolve",
                           json_pack("{s:s, s:s}", "dispute_id", "d-1", "resolution", "refund"),
                           err, sizeof(err)), 0);
    assert_refunded("m-1", 3799, "refunded");

    /* Nothing left: a second dispute's refund and a second return's are refused. */
    ck_assert_int_eq(input("m-1", "dispute.open", json_pack("{s:s}", "dispute_id", "d-2"), err,
                           sizeof(err)), 0);
    ck_assert_int_eq(input("m-1", "dispute.resolve",
                           json_pack("{s:s, s:s, s:i}", "dispute_id", "d-2", "resolution",
                                     "refund", "amount", 1), err, sizeof(err)),
                     ENG_EOVERREFUND);
    ck_assert_msg(strstr(err, "\"refundable\":0") != NULL, "%s", err);
    return_received("m-1", "r-2", json_pack("[s]", "TEE-1"));
    ck_assert_int_eq(input("m-1", "return.inspected",
                           json_pack("{s:s, s:s}", "return_id", "r-2", "outcome", "refund"),
                           err, sizeof(err)), ENG_EOVERREFUND);
    assert_refunded("m-1", 3799, "refunded");
}
END_TEST

/* A partial dispute refund, then a return of the tees: 1000 + 2900 > 3799 is refused. */
START_TEST(dispute_amount_then_return_bounded)
{
    ef_start_hub(0, NULL);
    deliver("m-2");
    char err[512];
    ck_assert_int_eq(input("m-2", "dispute.open", json_pack("{s:s}", "dispute_id", "d-1"), err,
                           sizeof(err)), 0);
    ck_assert_int_eq(input("m-2", "dispute.resolve",
                           json_pack("{s:s, s:s, s:i}", "dispute_id", "d-1", "resolution",
                                     "refund", "amount", 1000), err, sizeof(err)), 0);
    assert_refunded("m-2", 1000, "partially_refunded");
    return_received("m-2", "r-1", json_pack("[s]", "TEE-1"));
    ck_assert_int_eq(input("m-2", "return.inspected",
                           json_pack("{s:s, s:s}", "return_id", "r-1", "outcome", "refund"),
                           err, sizeof(err)), ENG_EOVERREFUND);
    ck_assert_msg(strstr(err, "\"refundable\":2799") != NULL, "%s", err);
    /* The mug's 899 fits. */
    return_received("m-2", "r-2", json_pack("[s]", "MUG-1"));
    ck_assert_int_eq(input("m-2", "return.inspected",
                           json_pack("{s:s, s:s}", "return_id", "r-2", "outcome", "refund"),
                           err, sizeof(err)), 0);
    ck_assert_msg(wait_sub_state("m-2", "returns", "r-2", "refunded"), "not refunded");
    assert_refunded("m-2", 1899, "partially_refunded");
}
END_TEST

/* A whole-order return and a dispute resolved at once: exactly one refunds, once. */
START_TEST(return_and_dispute_racing_refund_once)
{
    ef_start_hub(0, NULL);
    deliver("m-3");
    return_received("m-3", "r-1", NULL);
    char err[512];
    ck_assert_int_eq(input("m-3", "dispute.open", json_pack("{s:s}", "dispute_id", "d-1"), err,
                           sizeof(err)), 0);
    waiter a = WAITER, b = WAITER;
    ck_assert_int_eq(eng_input(h.engine, "m-3", "return.inspected",
                               json_pack("{s:s, s:s}", "return_id", "r-1", "outcome", "refund"),
                               on_reply, &a), 0);
    ck_assert_int_eq(eng_input(h.engine, "m-3", "dispute.resolve",
                               json_pack("{s:s, s:s}", "dispute_id", "d-1", "resolution",
                                         "refund"), on_reply, &b), 0);
    int ra = wait_reply(&a), rb = wait_reply(&b);
    ck_assert_msg((ra == 0 && rb == ENG_EOVERREFUND) || (ra == ENG_EOVERREFUND && rb == 0),
                  "return %d (%s), dispute %d (%s)", ra, a.error, rb, b.error);
    assert_refunded("m-3", 3799, "refunded");
}
END_TEST

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    Suite *s = suite_create("engine_money");
    TCase *tc = tcase_create("money");
    tcase_set_timeout(tc, 90);
    tcase_add_checked_fixture(tc, ef_setup, ef_teardown);
    tcase_add_test(tc, return_refunds_its_lines_and_dispute_at_most_the_rest);
    tcase_add_test(tc, dispute_amount_then_return_bounded);
    tcase_add_test(tc, return_and_dispute_racing_refund_once);
    suite_add_tcase(s, tc);
    int rc = tu_run(s);
    curl_global_cleanup();
    return rc;
}
