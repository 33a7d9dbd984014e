/*
 * check_store_money - each order's money through store.h, once per driver (store_suite.h):
 * authorization, capture and refund reservations in units, the refusal that names what is
 * refundable, a refund that rolls back its whole unit (the action that would pay it), and
 * many threads racing refunds of one order that never give back more than was captured.
 *
 * Verified by removing the guard (the `refunded + ?3 <= ...` condition of SQL_MONEY_REFUND
 * in core/store/sqlite/conn.c): every refund test but the first fails - the table's CHECK
 * (schema step 8) still stops the over-refund, but as an error (-1, and 229 racers'
 * units) instead of ST_EOVERREFUND with the refundable amount.  Removing the CHECK as
 * well, the over-refunds commit and the racers are never refused (all 3,512 of 1,000).
 */
#include "config.h"

#include "store_suite.h"
#include "testutil.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static st_money_move money_of(const char *order_id, st_money_op op, int64_t amount,
                              const char *cause)
{
    st_money_move m;
    memset(&m, 0, sizeof(m));
    snprintf(m.order_id, sizeof(m.order_id), "%s", order_id);
    m.op = op;
    snprintf(m.currency, sizeof(m.currency), "USD");
    m.amount = amount;
    snprintf(m.cause, sizeof(m.cause), "%s", cause);
    return m;
}

static int money_commit(store *s, st_money_move *m, size_t n)
{
    st_unit u = {.money_moves = m, .money_move_count = n};
    return store_commit(s, &u, err, sizeof(err));
}

static st_payment payment_of(store *s, const char *order_id)
{
    st_payment p;
    ck_assert_msg(store_payment_get(s, order_id, &p, err, sizeof(err)) == 0, "%s: %s",
                  order_id, err);
    return p;
}

START_TEST(money_authorize_capture_get)
{
    store *s = open_store(0, 0);
    st_payment p;
    ck_assert_int_eq(store_payment_get(s, "o-1", &p, err, sizeof(err)), 1);
    st_money_move a = money_of("o-1", ST_MONEY_AUTHORIZE, 3799, "");
    ck_assert_msg(money_commit(s, &a, 1) == 0, "%s", err);
    ck_assert_int_eq(a.refundable, 3799);
    p = payment_of(s, "o-1");
    ck_assert_str_eq(p.currency, "USD");
    ck_assert_int_eq(p.authorized, 3799);
    ck_assert_int_eq(p.captured, 0);
    ck_assert_int_eq(p.refunded, 0);
    st_money_move c = money_of("o-1", ST_MONEY_CAPTURE, 3799, "");
    ck_assert_msg(money_commit(s, &c, 1) == 0, "%s", err);
    p = payment_of(s, "o-1");
    ck_assert_int_eq(p.captured, 3799);

    /* A capture of an order with no record, or in another currency, is a caller's bug. */
    st_money_move none = money_of("o-2", ST_MONEY_CAPTURE, 100, "");
    ck_assert_int_eq(money_commit(s, &none, 1), -1);
    st_money_move eur = money_of("o-1", ST_MONEY_REFUND, 100, "return");
    snprintf(eur.currency, sizeof(eur.currency), "EUR");
    ck_assert_int_eq(money_commit(s, &eur, 1), -1);
    ck_assert_int_eq(payment_of(s, "o-1").refunded, 0);

    st_money_move bad[] = {money_of("", ST_MONEY_AUTHORIZE, 1, ""),
                           money_of("o-1", 0, 1, ""),
                           money_of("o-1", ST_MONEY_REFUND, 0, "return"),
                           money_of("o-1", ST_MONEY_REFUND, 1, ""),
                           money_of("o-1", ST_MONEY_AUTHORIZE, ST_MONEY_MAX + 1, ""),
                           money_of("o-1", ST_MONEY_AUTHORIZE, -1, "")};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_int_eq(money_commit(s, &bad[i], 1), -1);
    st_unit nolist = {.money_move_count = 1};
    ck_assert_int_eq(store_commit(s, &nolist, err, sizeof(err)), -1);
    ck_assert_int_eq(store_payment_get(s, NULL, &p, err, sizeof(err)), -1);
    store_close(s);
}
END_TEST

/* The $8.99 line of a $37.99 order, then a dispute: at most the rest, never twice. */
START_TEST(money_refund_bounded)
{
    store *s = open_store(0, 0);
    st_money_move m[] = {money_of("o-1", ST_MONEY_AUTHORIZE, 3799, ""),
                         money_of("o-1", ST_MONEY_CAPTURE, 3799, "")};
    ck_assert_msg(money_commit(s, m, 2) == 0, "%s", err);
    st_money_move r = money_of("o-1", ST_MONEY_REFUND, 899, "return");
    ck_assert_msg(money_commit(s, &r, 1) == 0, "%s", err);
    ck_assert_int_eq(r.refundable, 2900);

    st_money_move over = money_of("o-1", ST_MONEY_REFUND, 3799, "dispute");
    ck_assert_int_eq(money_commit(s, &over, 1), ST_EOVERREFUND);
    ck_assert_int_eq(over.refused, 1);
    ck_assert_int_eq(over.refundable, 2900);
    ck_assert_msg(strstr(err, "2900") != NULL, "%s", err);
    ck_assert_int_eq(payment_of(s, "o-1").refunded, 899);

    st_money_move rest = money_of("o-1", ST_MONEY_REFUND, 2900, "dispute");
    ck_assert_msg(money_commit(s, &rest, 1) == 0, "%s", err);
    ck_assert_int_eq(rest.refundable, 0);
    st_money_move again = money_of("o-1", ST_MONEY_REFUND, 1, "delivery_unconfirmed");
    ck_assert_int_eq(money_commit(s, &again, 1), ST_EOVERREFUND);
    ck_assert_int_eq(again.refundable, 0);
    st_payment p = payment_of(s, "o-1");
    ck_assert_int_eq(p.refunded, 3799);
    ck_assert_int_eq(p.captured, 3799);

    /* Capture may not fall below what is already refunded. */
    st_money_move low = money_of("o-1", ST_MONEY_CAPTURE, 100, "");
    ck_assert_int_eq(money_commit(s, &low, 1), -1);
    store_close(s);
}
END_TEST

/* Before capture the base is the authorization: a partial void. */
START_TEST(money_refund_before_capture_bounded_by_authorized)
{
    store *s = open_store(0, 0);
    st_money_move a = money_of("o-1", ST_MONEY_AUTHORIZE, 1000, "");
    ck_assert_msg(money_commit(s, &a, 1) == 0, "%s", err);
    st_money_move r = money_of("o-1", ST_MONEY_REFUND, 400, "cancel");
    ck_assert_msg(money_commit(s, &r, 1) == 0, "%s", err);
    st_money_move over = money_of("o-1", ST_MONEY_REFUND, 601, "cancel");
    ck_assert_int_eq(money_commit(s, &over, 1), ST_EOVERREFUND);
    ck_assert_int_eq(over.refundable, 600);
    store_close(s);
}
END_TEST

/* A refused refund rolls back its whole unit: the order write and the refund action. */
START_TEST(money_refused_refund_drops_its_unit)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    st_money_move m[] = {money_of("o-1", ST_MONEY_AUTHORIZE, 500, ""),
                         money_of("o-1", ST_MONEY_CAPTURE, 500, "")};
    ck_assert_msg(money_commit(s, m, 2) == 0, "%s", err);
    st_order o;
    order_init(&o, "o-1", "refunded");
    st_action a;
    action_init(&a, "o-1", "refund", "o-1/refund/1", 0);
    st_money_move r = money_of("o-1", ST_MONEY_REFUND, 501, "dispute");
    st_unit u = {.order = &o, .expect_version = 1, .new_actions = &a, .new_action_count = 1,
                 .money_moves = &r, .money_move_count = 1};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), ST_EOVERREFUND);
    ck_assert_int_eq(o.version, 0);
    ck_assert_int_eq(a.id, 0);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM actions"), 0);
    ck_assert_int_eq(store_peek("SELECT version FROM orders WHERE id = 'o-1'"), 1);
    ck_assert_int_eq(payment_of(s, "o-1").refunded, 0);
    store_close(s);
}
END_TEST

/* 8 threads x 40 units race 10-cent refunds of one $10.00 capture. */
#define MONEY_THREADS 8
#define MONEY_UNITS 40

static pthread_mutex_t money_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t money_cv = PTHREAD_COND_INITIALIZER;
static int money_ok, money_refused, money_other;

static void money_done(void *arg, int rc, const char *error)
{
    (void)arg;
    (void)error;
    pthread_mutex_lock(&money_mu);
    if (rc == 0)
        money_ok++;
    else if (rc == ST_EOVERREFUND)
        money_refused++;
    else
        money_other++;
    pthread_cond_broadcast(&money_cv);
    pthread_mutex_unlock(&money_mu);
}

typedef struct money_racer {
    store *s;
    int failed;
    st_unit units[MONEY_UNITS];
    st_money_move moves[MONEY_UNITS];
} money_racer;

static void *money_race(void *arg)
{
    money_racer *t = arg;
    for (int k = 0; k < MONEY_UNITS; k++) {
        t->moves[k] = money_of("hot", ST_MONEY_REFUND, 10 + k % 3, "dispute");
        t->units[k] = (st_unit){.money_moves = &t->moves[k], .money_move_count = 1,
                                .done = money_done};
        if (store_submit(t->s, &t->units[k]) != 0)
            t->failed = 1;
    }
    return NULL;
}

START_TEST(money_concurrent_refunds_never_exceed_captured)
{
    store *s = open_store(0, 0);
    st_money_move m[] = {money_of("hot", ST_MONEY_AUTHORIZE, 1000, ""),
                         money_of("hot", ST_MONEY_CAPTURE, 1000, "")};
    ck_assert_msg(money_commit(s, m, 2) == 0, "%s", err);
    money_ok = money_refused = money_other = 0;
    money_racer *t = calloc(MONEY_THREADS, sizeof(*t));
    ck_assert_ptr_nonnull(t);
    pthread_t th[MONEY_THREADS];
    for (int i = 0; i < MONEY_THREADS; i++) {
        t[i].s = s;
        ck_assert_int_eq(pthread_create(&th[i], NULL, money_race, &t[i]), 0);
    }
    for (int i = 0; i < MONEY_THREADS; i++) {
        pthread_join(th[i], NULL);
        ck_assert(!t[i].failed);
    }
    pthread_mutex_lock(&money_mu);
    while (money_ok + money_refused + money_other < MONEY_THREADS * MONEY_UNITS)
        pthread_cond_wait(&money_cv, &money_mu);
    pthread_mutex_unlock(&money_mu);
    ck_assert_int_eq(money_other, 0);
    ck_assert_int_gt(money_refused, 0);

    int64_t granted = 0;
    for (int i = 0; i < MONEY_THREADS; i++) {
        for (int k = 0; k < MONEY_UNITS; k++) {
            const st_money_move *mv = &t[i].moves[k];
            if (!mv->refused)
                granted += mv->amount;
            else
                ck_assert_int_lt(mv->refundable, mv->amount);
        }
    }
    st_payment p = payment_of(s, "hot");
    ck_assert_int_le(p.refunded, 1000);
    ck_assert_int_eq(p.refunded, granted);
    /* Every refusal saw less than 10 left (each asks 10..12), so little is stranded. */
    ck_assert_int_gt(p.refunded, 1000 - 12);
    free(t);
    store_close(s);
}
END_TEST

static Suite *money_suite(const char *driver)
{
    static char name[64];
    snprintf(name, sizeof(name), "store money (%s)", driver);
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(driver);
    tcase_add_checked_fixture(tc, store_setup, store_teardown);
    tcase_add_test(tc, money_authorize_capture_get);
    tcase_add_test(tc, money_refund_bounded);
    tcase_add_test(tc, money_refund_before_capture_bounded_by_authorized);
    tcase_add_test(tc, money_refused_refund_drops_its_unit);
    tcase_add_test(tc, money_concurrent_refunds_never_exceed_captured);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return store_suites_run(money_suite);
}
