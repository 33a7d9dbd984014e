/*
 * check_store_ledger - each seller's ledger through store.h, once per driver
 * (store_suite.h): the entries the money moves write (a sale with the capture, a refund,
 * reclaim or dispute loss by cause, nothing for a void before the capture), entries that a
 * failed unit takes down with it, admin adjustments, listings by period, currency and cursor,
 * and the balance per currency.
 */
#include "config.h"

#include "store_suite.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static st_money_move move_of(const char *order_id, st_money_op op, int64_t amount,
                             const char *cause, const char *event)
{
    st_money_move m;
    memset(&m, 0, sizeof(m));
    snprintf(m.order_id, sizeof(m.order_id), "%s", order_id);
    m.op = op;
    snprintf(m.currency, sizeof(m.currency), "USD");
    m.amount = amount;
    snprintf(m.cause, sizeof(m.cause), "%s", cause);
    snprintf(m.event, sizeof(m.event), "%s", event);
    snprintf(m.seller_id, sizeof(m.seller_id), "s-1");
    return m;
}

static int commit_moves(store *s, st_money_move *m, size_t n)
{
    st_unit u = {.money_moves = m, .money_move_count = n};
    return store_commit(s, &u, err, sizeof(err));
}

/* All of seller's entries (any period), by id. */
static st_ledger_entry *entries_of(store *s, const char *seller, const char *currency,
                                   size_t *n)
{
    st_ledger_entry *e = NULL;
    ck_assert_msg(store_ledger_list(s, seller, currency, 0, INT64_MAX, 0, ST_LIST_MAX, &e, n,
                                    err, sizeof(err)) == 0, "%s", err);
    return e;
}

static int64_t sum_of(const st_ledger_entry *e, size_t n, const char *order_id)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += order_id == NULL || strcmp(e[i].order_id, order_id) == 0 ? e[i].amount : 0;
    return sum;
}

START_TEST(ledger_mirrors_money_moves)
{
    store *s = open_store(0, 0);
    st_money_move m[] = {
        move_of("o-1", ST_MONEY_AUTHORIZE, 5000, "", "payment.authorized"),
        move_of("o-1", ST_MONEY_CAPTURE, 5000, "", "payment.captured"),
    };
    ck_assert_msg(commit_moves(s, m, 2) == 0, "%s", err);
    st_money_move r[] = {
        move_of("o-1", ST_MONEY_REFUND, 700, "return", "return.inspected"),
        move_of("o-1", ST_MONEY_REFUND, 300, "dispute", "dispute.resolved"),
        move_of("o-1", ST_MONEY_REFUND, 1000, "delivery_unconfirmed", "delivery.unconfirmed"),
    };
    ck_assert_msg(commit_moves(s, r, 3) == 0, "%s", err);
    /* Refused (beyond the 3000 left): the unit and its entry are gone. */
    st_money_move over = move_of("o-1", ST_MONEY_REFUND, 3001, "return", "return.inspected");
    ck_assert_int_eq(commit_moves(s, &over, 1), ST_EOVERREFUND);

    size_t n = 0;
    st_ledger_entry *e = entries_of(s, "s-1", NULL, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(e[0].kind, ST_LEDGER_SALE);
    ck_assert_int_eq(e[0].amount, 5000);
    ck_assert_str_eq(e[0].event, "payment.captured");
    ck_assert_str_eq(e[0].order_id, "o-1");
    ck_assert_str_eq(e[0].currency, "USD");
    ck_assert_int_eq(e[1].kind, ST_LEDGER_REFUND);
    ck_assert_int_eq(e[1].amount, -700);
    ck_assert_str_eq(e[1].cause, "return");
    ck_assert_int_eq(e[2].kind, ST_LEDGER_DISPUTE_LOSS);
    ck_assert_int_eq(e[2].amount, -300);
    ck_assert_int_eq(e[3].kind, ST_LEDGER_RECLAIM);
    ck_assert_int_eq(e[3].amount, -1000);
    ck_assert_str_eq(e[3].event, "delivery.unconfirmed");
    ck_assert(e[0].id < e[1].id && e[1].id < e[2].id && e[2].id < e[3].id);
    st_payment p;
    ck_assert_int_eq(store_payment_get(s, "o-1", &p, err, sizeof(err)), 0);
    ck_assert_int_eq(sum_of(e, n, "o-1"), p.captured - p.refunded);
    free(e);
    store_close(s);
}
END_TEST

START_TEST(ledger_void_before_capture_writes_nothing)
{
    store *s = open_store(0, 0);
    st_money_move m[] = {
        move_of("o-2", ST_MONEY_AUTHORIZE, 900, "", "payment.authorized"),
        move_of("o-2", ST_MONEY_REFUND, 900, "void", "order.cancelled"),
    };
    ck_assert_msg(commit_moves(s, m, 2) == 0, "%s", err);
    size_t n = 0;
    st_ledger_entry *e = entries_of(s, "s-1", NULL, &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(e);
    store_close(s);
}
END_TEST

START_TEST(ledger_seller_of_the_order)
{
    store *s = open_store(0, 0);
    create_order(s, "o-3"); /* of seller-1 (order_init) */
    st_money_move m[] = {
        move_of("o-3", ST_MONEY_AUTHORIZE, 100, "", ""),
        move_of("o-3", ST_MONEY_CAPTURE, 100, "", "payment.captured"),
    };
    m[1].seller_id[0] = '\0'; /* the order's */
    ck_assert_msg(commit_moves(s, m, 2) == 0, "%s", err);
    st_ledger_balance b[ST_LEDGER_CURRENCIES];
    size_t nb = 0;
    ck_assert_msg(store_ledger_balance(s, "seller-1", b, &nb, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(nb, 1);
    ck_assert_int_eq(b[0].balance, 100);
    store_close(s);
}
END_TEST

static st_ledger_entry adjustment(const char *seller, const char *currency, int64_t amount)
{
    st_ledger_entry e;
    memset(&e, 0, sizeof(e));
    snprintf(e.seller_id, sizeof(e.seller_id), "%s", seller);
    snprintf(e.currency, sizeof(e.currency), "%s", currency);
    snprintf(e.cause, sizeof(e.cause), "goodwill");
    e.amount = amount;
    return e;
}

START_TEST(ledger_adjustments_balance_and_pages)
{
    store *s = open_store(0, 0);
    st_ledger_entry a[] = {adjustment("s-2", "USD", 250), adjustment("s-2", "EUR", -40),
                           adjustment("s-2", "USD", -50), adjustment("s-9", "USD", 7)};
    st_unit u = {.ledger_adjustments = a, .ledger_adjustment_count = 4};
    ck_assert_msg(store_commit(s, &u, err, sizeof(err)) == 0, "%s", err);
    ck_assert(a[0].id > 0 && a[3].id > a[0].id && a[0].at_ms > 0);
    st_ledger_entry zero = adjustment("s-2", "USD", 0);
    st_unit bad = {.ledger_adjustments = &zero, .ledger_adjustment_count = 1};
    ck_assert_int_eq(store_commit(s, &bad, err, sizeof(err)), -1);

    st_ledger_balance b[ST_LEDGER_CURRENCIES];
    size_t nb = 0;
    ck_assert_msg(store_ledger_balance(s, "s-2", b, &nb, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(nb, 2);
    ck_assert_str_eq(b[0].currency, "EUR");
    ck_assert_int_eq(b[0].balance, -40);
    ck_assert_str_eq(b[1].currency, "USD");
    ck_assert_int_eq(b[1].balance, 200);
    ck_assert_int_eq(b[1].entries, 2);

    /* A seller sees its own entries only; pages by id; currency and period filter. */
    size_t n = 0;
    st_ledger_entry *e = entries_of(s, "s-2", "USD", &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(e[0].kind, ST_LEDGER_ADJUSTMENT);
    free(e);
    ck_assert_msg(store_ledger_list(s, "s-2", NULL, 0, INT64_MAX, 0, 1, &e, &n, err,
                                    sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(n, 1);
    int64_t after = e[0].id;
    free(e);
    ck_assert_msg(store_ledger_list(s, "s-2", NULL, 0, INT64_MAX, after, 10, &e, &n, err,
                                    sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(n, 2);
    ck_assert(e[0].id > after);
    free(e);
    ck_assert_msg(store_ledger_list(s, "s-2", NULL, 0, a[0].at_ms, 0, 10, &e, &n, err,
                                    sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(store_ledger_list(s, "", NULL, 0, 1, 0, 10, &e, &n, err, sizeof(err)),
                     ST_EINVAL);
    ck_assert_int_eq(store_ledger_list(s, "s-2", NULL, 0, 1, 0, 0, &e, &n, err, sizeof(err)),
                     ST_EINVAL);
    ck_assert_int_eq(store_ledger_balance(s, "", b, &nb, err, sizeof(err)), ST_EINVAL);
    store_close(s);
}
END_TEST

static Suite *ledger_suite(const char *driver)
{
    static char name[64];
    snprintf(name, sizeof(name), "store ledger (%s)", driver);
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(driver);
    tcase_add_checked_fixture(tc, store_setup, store_teardown);
    tcase_add_test(tc, ledger_mirrors_money_moves);
    tcase_add_test(tc, ledger_void_before_capture_writes_nothing);
    tcase_add_test(tc, ledger_seller_of_the_order);
    tcase_add_test(tc, ledger_adjustments_balance_and_pages);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return store_suites_run(ledger_suite);
}
