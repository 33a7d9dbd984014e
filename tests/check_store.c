/*
 * check_store - the store through store.h only, once per driver (STORE_DRIVERS in
 * store_suite.h): atomic units with ids written back, conflicts that write nothing
 * while the rest of the batch commits, idempotency, the outbox (claims, leases, retries,
 * dead letters, replays), timers claimed with leases (two stores on one file never both
 * get one), group commit under concurrent submitters; listing orders (filters, keyset
 * pages, cursors), counts for metrics, tracking numbers and documents; inventory (stock
 * writes and moves, conflicts, range and shortage refusals, pages, racing reserves that
 * never oversell).  What is SQLite's
 * own (the file, its schema and migrations, query plans) is in check_store_sqlite.c.
 */
#include "config.h"

#include "store_suite.h"
#include "testutil.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- waiting for done callbacks -------------------------------------------------------- */

static pthread_mutex_t report_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t report_cv = PTHREAD_COND_INITIALIZER;

typedef struct report {
    int called;
    int rc;
    char error[ST_ERROR_MAX];
} report;

static void on_done(void *arg, int rc, const char *error)
{
    report *r = arg;
    pthread_mutex_lock(&report_mu);
    r->called++;
    r->rc = rc;
    snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
    pthread_cond_broadcast(&report_cv);
    pthread_mutex_unlock(&report_mu);
}

static void wait_report(report *r)
{
    pthread_mutex_lock(&report_mu);
    while (r->called == 0)
        pthread_cond_wait(&report_cv, &report_mu);
    pthread_mutex_unlock(&report_mu);
}

/* A done callback that holds the writer thread until the test opens the gate: units
 * submitted meanwhile are all in the writer's next batch. */
static struct {
    int entered, open;
} gate;

static void gate_done(void *arg, int rc, const char *error)
{
    pthread_mutex_lock(&report_mu);
    gate.entered = 1;
    pthread_cond_broadcast(&report_cv);
    while (!gate.open)
        pthread_cond_wait(&report_cv, &report_mu);
    pthread_mutex_unlock(&report_mu);
}

static void gate_close(store *s, st_unit *blocker)
{
    gate.entered = gate.open = 0;
    blocker->done = gate_done;
    ck_assert_int_eq(store_submit(s, blocker), 0);
    pthread_mutex_lock(&report_mu);
    while (!gate.entered)
        pthread_cond_wait(&report_cv, &report_mu);
    pthread_mutex_unlock(&report_mu);
}

static void gate_open(void)
{
    pthread_mutex_lock(&report_mu);
    gate.open = 1;
    pthread_cond_broadcast(&report_cv);
    pthread_mutex_unlock(&report_mu);
}

/* ---- schema ---------------------------------------------------------------------------- */


START_TEST(reopen_keeps_data)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    store_close(s);
    s = open_store(0, 0);
    ck_assert_int_eq(store_schema_version(s), 10);
    st_order o;
    ck_assert_int_eq(store_order_get(s, "o-1", &o, err, sizeof(err)), 0);
    ck_assert_str_eq(o.state, "placed");
    ck_assert_str_eq(o.seller_id, "seller-1");
    ck_assert_str_eq(o.created_by, "shop-1");
    ck_assert_str_eq(o.snapshot, "{\"id\":\"x\"}");
    ck_assert_int_eq(o.version, 1);
    st_order_clear(&o);
    ck_assert_int_eq(store_order_get(s, "o-2", &o, err, sizeof(err)), 1);
    store_close(s);
}
END_TEST



START_TEST(bad_options_refused)
{
    free(tu_write(dir, "plain", "x"));
    free(path);
    ck_assert_int_ge(asprintf(&path, "%s/plain/sub/orderhub.db", dir), 0);
    store_options o = {.path = path};
    store *s = NULL;
    ck_assert_int_eq(store_open(&o, &s, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "cannot create directory") != NULL, "%s", err);
    o.max_batch = -1;
    ck_assert_int_eq(store_open(&o, &s, err, sizeof(err)), -1);
    o.path = NULL;
    ck_assert_int_eq(store_open(&o, &s, err, sizeof(err)), -1);
    store_close(NULL);
    /* A driver this build does not have is named in the refusal, with those it has. */
    store_options other = {.driver = "no-such-driver", .path = path};
    ck_assert_int_eq(store_open(&other, &s, err, sizeof(err)), -1);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, "unknown store driver 'no-such-driver'") != NULL &&
                      strstr(err, "sqlite") != NULL,
                  "%s", err);
}
END_TEST

/* ---- units ----------------------------------------------------------------------------- */

START_TEST(unit_commits_atomically_ids_written_back)
{
    store *s = open_store(1, 0);
    st_order o;
    order_init(&o, "o-1", "awaiting_payment");
    st_event ev[2];
    event_init(&ev[0], "o-1", "order.placed", "{\"total\":100}");
    event_init(&ev[1], "o-1", "order.validated", NULL);
    st_action ac[2];
    action_init(&ac[0], "o-1", "authorize", "o-1:authorize:1", 0);
    action_init(&ac[1], "o-1", "notify", "o-1:notify:1", 0);
    st_timer tm[2];
    timer_init(&tm[0], "o-1", "ship_by_warning", 5000);
    timer_init(&tm[1], "o-1", "ship_by", 9000);
    st_idem idem = {.key = "req-1", .request_hash = "abc", .status = 201,
                    .response = "{\"ok\":true}", .created_ms = 1000};
    report r = {0};
    st_unit u = {.order = &o, .events = ev, .event_count = 2, .new_actions = ac,
                 .new_action_count = 2, .new_timers = tm, .new_timer_count = 2,
                 .idem = &idem, .done = on_done, .arg = &r};
    ck_assert_msg(store_commit(s, &u, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(r.called, 1); /* done ran before store_commit returned */
    ck_assert_int_eq(r.rc, 0);
    ck_assert_int_eq(o.version, 1);
    ck_assert_int_gt(ev[0].seq, 0);
    ck_assert_int_gt(ev[1].seq, ev[0].seq);
    ck_assert_int_gt(ac[0].id, 0);
    ck_assert_int_gt(ac[1].id, ac[0].id);
    ck_assert_int_gt(tm[0].id, 0);
    ck_assert_int_gt(tm[1].id, tm[0].id);

    st_event *got = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_events(s, "o-1", &got, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(got[0].seq, ev[0].seq);
    ck_assert_str_eq(got[0].name, "order.placed");
    ck_assert_str_eq(got[0].data, "{\"total\":100}");
    ck_assert_ptr_null(got[1].data);
    st_events_free(got, n);

    st_timer *t = NULL;
    ck_assert_int_eq(store_timers_claim(s, "w1", 10000, 100, 10, &t, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(t[0].id, tm[0].id);
    ck_assert_str_eq(t[1].name, "ship_by");
    st_timers_free(t, n);

    st_idem i;
    ck_assert_int_eq(store_idem_get(s, "req-1", &i, err, sizeof(err)), 0);
    ck_assert_int_eq(i.status, 201);
    ck_assert_str_eq(i.request_hash, "abc");
    ck_assert_str_eq(i.response, "{\"ok\":true}");
    st_idem_clear(&i);
    ck_assert_int_eq(store_idem_get(s, "req-2", &i, err, sizeof(err)), 1);

    /* An update moves the version on and keeps created_ms. */
    snprintf(o.state, sizeof(o.state), "awaiting_shipment");
    o.updated_ms = 2000;
    st_unit u2 = {.order = &o, .expect_version = 1};
    ck_assert_msg(store_commit(s, &u2, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(o.version, 2);
    st_order back;
    ck_assert_int_eq(store_order_get(s, "o-1", &back, err, sizeof(err)), 0);
    ck_assert_int_eq(back.version, 2);
    ck_assert_str_eq(back.state, "awaiting_shipment");
    ck_assert_int_eq(back.created_ms, 1000);
    ck_assert_int_eq(back.updated_ms, 2000);
    st_order_clear(&back);
    store_close(s);
}
END_TEST

START_TEST(conflict_writes_nothing_rest_of_batch_commits)
{
    store *s = open_store(1, 0);
    create_order(s, "o-a");
    create_order(s, "o-blocker");

    st_order blk;
    order_init(&blk, "o-blocker", "x");
    st_unit blocker = {.order = &blk, .expect_version = 1};
    gate_close(s, &blocker);
    uint64_t batches_before;
    store_stats(s, NULL, &batches_before);

    /* good1: a new order.  bad: wrong version for o-a, with everything else in it.
     * good2: another new order.  All three are queued while the writer is held. */
    st_order g1, g2, bad;
    order_init(&g1, "o-g1", "placed");
    order_init(&g2, "o-g2", "placed");
    order_init(&bad, "o-a", "cancelled");
    bad.version = 7;
    st_event bad_ev[2];
    event_init(&bad_ev[0], "o-a", "order.cancelled", NULL);
    event_init(&bad_ev[1], "o-a", "payment.voided", NULL);
    st_action bad_ac;
    action_init(&bad_ac, "o-a", "void", "o-a:void:1", 0);
    st_timer bad_tm;
    timer_init(&bad_tm, "o-a", "ship_by", 1);
    st_idem bad_idem = {.key = "req-bad", .request_hash = "h", .status = 200};
    report r1 = {0}, rb = {0}, r2 = {0};
    st_unit u1 = {.order = &g1, .done = on_done, .arg = &r1};
    st_unit ub = {.order = &bad, .expect_version = 5, .events = bad_ev, .event_count = 2,
                  .new_actions = &bad_ac, .new_action_count = 1, .new_timers = &bad_tm,
                  .new_timer_count = 1, .idem = &bad_idem, .done = on_done, .arg = &rb};
    st_unit u2 = {.order = &g2, .done = on_done, .arg = &r2};
    ck_assert_int_eq(store_submit(s, &u1), 0);
    ck_assert_int_eq(store_submit(s, &ub), 0);
    ck_assert_int_eq(store_submit(s, &u2), 0);
    gate_open();
    wait_report(&r1);
    wait_report(&rb);
    wait_report(&r2);

    uint64_t batches_after;
    store_stats(s, NULL, &batches_after);
    ck_assert_int_eq(batches_after - batches_before, 1); /* one transaction for the three */
    ck_assert_int_eq(r1.rc, 0);
    ck_assert_int_eq(r2.rc, 0);
    ck_assert_int_eq(rb.rc, ST_ECONFLICT);
    ck_assert_msg(strstr(rb.error, "order o-a is at version 1, not 5") != NULL, "%s", rb.error);
    /* Nothing of the failed unit was written, and its ids stay unset. */
    ck_assert_int_eq(bad.version, 7);
    ck_assert_int_eq(bad_ev[0].seq, 0);
    ck_assert_int_eq(bad_ac.id, 0);
    ck_assert_int_eq(bad_tm.id, 0);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM events WHERE order_id = 'o-a'"), 1);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM actions"), 0);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM timers"), 0);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM idempotency"), 0);
    ck_assert_int_eq(store_peek("SELECT version FROM orders WHERE id = 'o-a'"), 1);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM orders WHERE id IN ('o-g1','o-g2')"), 2);

    /* Creating an order that exists is a conflict too. */
    st_order dup;
    order_init(&dup, "o-g1", "placed");
    st_unit ud = {.order = &dup};
    ck_assert_int_eq(store_commit(s, &ud, err, sizeof(err)), ST_ECONFLICT);
    ck_assert_msg(strstr(err, "already exists") != NULL, "%s", err);
    store_close(s);
}
END_TEST

START_TEST(invalid_units_refused)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    st_order o;
    order_init(&o, "o-2", "placed");
    memset(o.id, 'x', sizeof(o.id)); /* no room for the NUL */
    st_unit u = {.order = &o};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "order id") && strstr(err, "does not fit in 63 bytes"), "%s", err);

    st_event e;
    event_init(&e, "o-1", "", NULL);
    st_unit ue = {.events = &e, .event_count = 1};
    ck_assert_int_eq(store_commit(s, &ue, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "event name is empty") != NULL, "%s", err);

    /* An event of an order that does not exist: the foreign key refuses it. */
    event_init(&e, "o-ghost", "order.placed", NULL);
    ck_assert_int_eq(store_commit(s, &ue, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "FOREIGN KEY") != NULL, "%s", err);

    const char *names[] = {"ship_by"};
    st_unit uc = {.cancel_timers = names, .cancel_timer_count = 1};
    ck_assert_int_eq(store_commit(s, &uc, err, sizeof(err)), -1);

    ck_assert_int_eq(store_peek("SELECT count(*) FROM orders"), 1);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM events"), 1);
    store_close(s);
}
END_TEST

START_TEST(duplicate_idempotency_key)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    st_idem idem = {.key = "req-1", .request_hash = "h1", .status = 201, .response = "{}"};
    st_unit u = {.idem = &idem};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    st_event e;
    event_init(&e, "o-1", "order.confirmed", NULL);
    st_idem again = {.key = "req-1", .request_hash = "h2", .status = 200};
    st_unit u2 = {.idem = &again, .events = &e, .event_count = 1};
    ck_assert_int_eq(store_commit(s, &u2, err, sizeof(err)), ST_EEXIST);
    ck_assert_msg(strstr(err, "req-1") != NULL, "%s", err);
    ck_assert_int_eq(e.seq, 0);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM events"), 1);
    st_idem i;
    ck_assert_int_eq(store_idem_get(s, "req-1", &i, err, sizeof(err)), 0);
    ck_assert_str_eq(i.request_hash, "h1");
    st_idem_clear(&i);
    store_close(s);
}
END_TEST

START_TEST(duplicate_action_key_skipped)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    int64_t first = add_action(s, "o-1", "o-1:capture:1", 0);
    /* A replay after a crash builds the same action again: it is not enqueued twice. */
    st_action again;
    action_init(&again, "o-1", "capture", "o-1:capture:1", 0);
    again.payload = "{\"amount\":999}";
    st_event e;
    event_init(&e, "o-1", "payment.authorized", NULL);
    st_unit u = {.new_actions = &again, .new_action_count = 1, .events = &e, .event_count = 1};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    ck_assert_int_eq(again.id, first);
    ck_assert_int_gt(e.seq, 0); /* the rest of the unit committed */
    st_action *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_actions_claim(s, 10, "w1", 1000, 10, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(a[0].id, first);
    ck_assert_str_eq(a[0].payload, "{\"amount\":100}");
    st_actions_free(a, n);
    store_close(s);
}
END_TEST

START_TEST(action_updates_and_dead_letters)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    int64_t id = add_action(s, "o-1", "k1", 100);
    int64_t id2 = add_action(s, "o-1", "k2", 100);
    st_action *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_actions_claim(s, 100, "w1", 100000, 10, &a, &n, err, sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 2);
    st_actions_free(a, n);

    /* Retry later: not claimable before next_at, then claimable with the new state. */
    ck_assert_int_eq(update_action(s, id, ST_ACTION_PENDING, 1, 5000, "HTTP 503"), 0);
    ck_assert_int_eq(store_actions_claim(s, 4999, "w1", 1000, 10, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(store_actions_claim(s, 5000, "w1", 1000, 10, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(a[0].id, id);
    ck_assert_int_eq(a[0].attempts, 1);
    ck_assert_str_eq(a[0].last_error, "HTTP 503");
    st_actions_free(a, n);

    /* Done: never claimed again, even after its lease would have expired. */
    ck_assert_int_eq(update_action(s, id, ST_ACTION_DONE, 2, 0, NULL), 0);
    /* Dead: on the dead-letter list, with its error (cut to fit). */
    char longerr[600];
    memset(longerr, 'e', sizeof(longerr) - 1);
    longerr[sizeof(longerr) - 1] = '\0';
    ck_assert_int_eq(update_action(s, id2, ST_ACTION_DEAD, 5, 0, longerr), 0);
    ck_assert_int_eq(store_actions_claim(s, 1 << 30, "w1", 1000, 10, &a, &n, err, sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(store_actions_dead(s, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(a[0].id, id2);
    ck_assert_int_eq(a[0].status, ST_ACTION_DEAD);
    ck_assert_int_eq(a[0].attempts, 5);
    ck_assert_uint_eq(strlen(a[0].last_error), ST_ERROR_MAX - 1);
    ck_assert_str_eq(a[0].lease_owner, "");
    st_actions_free(a, n);
    char q[64];
    snprintf(q, sizeof(q), "SELECT status FROM actions WHERE id = %lld", (long long)id);
    ck_assert_int_eq(store_peek(q), ST_ACTION_DONE);

    /* Unknown ids and CLAIMED are refused. */
    ck_assert_int_eq(update_action(s, 999, ST_ACTION_DONE, 1, 0, NULL), -1);
    ck_assert_msg(strstr(err, "action 999 does not exist") != NULL, "%s", err);
    ck_assert_int_eq(update_action(s, id, ST_ACTION_CLAIMED, 1, 0, NULL), -1);
    store_close(s);
}
END_TEST

/* ---- claims ---------------------------------------------------------------------------- */

START_TEST(claim_due_only_and_lease_expiry)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    int64_t a1 = add_action(s, "o-1", "k300", 300);
    int64_t a2 = add_action(s, "o-1", "k100", 100);
    int64_t a3 = add_action(s, "o-1", "k200", 200);
    st_action *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_actions_claim(s, 50, "w1", 1000, 10, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(a);
    ck_assert_int_eq(store_actions_claim(s, 200, "w1", 1000, 10, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(a[0].id, a2); /* oldest next_at first */
    ck_assert_int_eq(a[1].id, a3);
    ck_assert_int_eq(a[0].status, ST_ACTION_CLAIMED);
    ck_assert_str_eq(a[0].lease_owner, "w1");
    ck_assert_int_eq(a[0].lease_until_ms, 1200);
    st_actions_free(a, n);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM actions WHERE lease_owner = 'w1'"), 2);

    /* Leased ones are not handed out again while the lease holds; max is honoured. */
    ck_assert_int_eq(store_actions_claim(s, 1199, "w2", 1000, 10, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(a[0].id, a1);
    st_actions_free(a, n);
    /* w1 crashed: at 1200 its leases expired and w2 takes them over. */
    ck_assert_int_eq(store_actions_claim(s, 1200, "w2", 1000, 1, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(a[0].id, a2);
    ck_assert_str_eq(a[0].lease_owner, "w2");
    st_actions_free(a, n);
    ck_assert_int_eq(store_actions_claim(s, 1200, "w2", 1000, 10, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(a[0].id, a3);
    st_actions_free(a, n);

    ck_assert_int_eq(store_actions_claim(s, 1200, "", 1000, 10, &a, &n, err, sizeof(err)), -1);
    store_close(s);
}
END_TEST

/* store_actions_sending's done: records rc. */
static void sending_done(void *arg, int rc, const char *error)
{
    (void)error;
    *(int *)arg = rc;
}

/* Mark ids sent for owner, waiting for the commit; the done rc. */
static int mark_sent(store *s, const int64_t *ids, size_t n, const char *owner, int64_t until)
{
    int rc = 99;
    ck_assert_int_eq(store_actions_sending(s, ids, n, owner, until, sending_done, &rc), 0);
    st_unit nothing = {0};
    ck_assert_int_eq(store_commit(s, &nothing, err, sizeof(err)), 0); /* queued after it */
    ck_assert_int_ne(rc, 99);
    return rc;
}

/* A lease that runs out counts an attempt only when its request may have left (D2). */
START_TEST(expired_lease_counts_only_when_sent)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    int64_t queued = add_action(s, "o-1", "k-queued", 100);
    int64_t sent = add_action(s, "o-1", "k-sent", 100);
    st_action *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_actions_claim_for(s, 100, "w1", 1000, "pay", 10, &a, &n, err,
                                             sizeof(err)), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(a[0].sent, 0);
    st_actions_free(a, n);
    ck_assert_int_eq(mark_sent(s, &sent, 1, "w1", 1500), 0);
    ck_assert_int_eq(store_peek("SELECT sent FROM actions WHERE idem_key = 'k-sent'"), 1);
    ck_assert_int_eq(store_peek("SELECT lease_until_ms FROM actions WHERE idem_key = 'k-sent'"),
                     1500);
    /* w1 died.  w2 takes both over: the one that left counts, the queued one does not. */
    ck_assert_int_eq(store_actions_claim_for(s, 1600, "w2", 1000, "pay", 10, &a, &n, err,
                                             sizeof(err)), 0);
    ck_assert_uint_eq(n, 2);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(a[i].attempts, a[i].id == sent ? 1 : 0);
        ck_assert_int_eq(a[i].sent, 0); /* w2 has not sent anything yet */
    }
    st_actions_free(a, n);
    ck_assert_int_eq(store_peek("SELECT attempts FROM actions WHERE idem_key = 'k-sent'"), 1);
    ck_assert_int_eq(store_peek("SELECT attempts FROM actions WHERE idem_key = 'k-queued'"), 0);
    ck_assert_int_eq(store_peek("SELECT sum(sent) FROM actions"), 0);
    /* w2 sends one and its lease runs out under it: re-claiming its own keeps the mark and
     * counts nothing (the attempt still runs here and is counted when it settles). */
    ck_assert_int_eq(mark_sent(s, &queued, 1, "w2", 2600), 0);
    ck_assert_int_eq(store_actions_claim_for(s, 2700, "w2", 1000, "pay", 10, &a, &n, err,
                                             sizeof(err)), 0);
    ck_assert_uint_eq(n, 2);
    st_actions_free(a, n);
    ck_assert_int_eq(store_peek("SELECT attempts FROM actions WHERE idem_key = 'k-queued'"), 0);
    ck_assert_int_eq(store_peek("SELECT sent FROM actions WHERE idem_key = 'k-queued'"), 1);
    /* Settling clears the mark with the lease. */
    ck_assert_int_eq(update_action(s, queued, ST_ACTION_PENDING, 1, 5000, "retry"), 0);
    ck_assert_int_eq(store_peek("SELECT sent FROM actions WHERE idem_key = 'k-queued'"), 0);
    store_close(s);
}
END_TEST

/* Marking is all or nothing, and only for the lease holder; renewing extends only its own. */
START_TEST(sending_and_renew_need_the_lease)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    int64_t ids[3] = {add_action(s, "o-1", "k1", 100), add_action(s, "o-1", "k2", 100),
                      add_action(s, "o-1", "k3", 100)};
    st_action *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_actions_claim_for(s, 100, "w1", 1000, "pay", 2, &a, &n, err,
                                             sizeof(err)), 0);
    ck_assert_uint_eq(n, 2);
    st_actions_free(a, n);
    ck_assert_int_eq(store_actions_claim_for(s, 100, "w2", 1000, "pay", 2, &a, &n, err,
                                             sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(a[0].id, ids[2]);
    st_actions_free(a, n);
    /* One of three is w2's: nothing is marked. */
    ck_assert_int_eq(mark_sent(s, ids, 3, "w1", 5000), 1);
    ck_assert_int_eq(store_peek("SELECT sum(sent) FROM actions"), 0);
    ck_assert_int_eq(mark_sent(s, ids, 2, "w1", 5000), 0);
    ck_assert_int_eq(store_peek("SELECT sum(sent) FROM actions"), 2);
    /* Renewing: w2's lease is not w1's to extend; a longer lease is kept. */
    size_t renewed = 99;
    ck_assert_int_eq(store_actions_renew(s, ids, 3, "w1", 3000, &renewed, err, sizeof(err)), 0);
    ck_assert_uint_eq(renewed, 0); /* both already run to 5000 */
    ck_assert_int_eq(store_actions_renew(s, ids, 3, "w1", 9000, &renewed, err, sizeof(err)), 0);
    ck_assert_uint_eq(renewed, 2);
    ck_assert_int_eq(store_peek("SELECT lease_until_ms FROM actions WHERE idem_key = 'k3'"), 1100);
    ck_assert_int_eq(store_peek("SELECT min(lease_until_ms) FROM actions WHERE lease_owner = 'w1'"),
                     9000);
    ck_assert_int_eq(store_actions_renew(s, ids, 0, "w1", 9000, NULL, err, sizeof(err)), -1);
    ck_assert_int_eq(store_actions_sending(s, ids, 1, "", 9000, sending_done, &renewed), -1);
    store_close(s);
}
END_TEST

/* A per-instance claim takes that instance's expired leases too, within its max; the
 * instances with work are listed for the claims of instances a reload removed. */
START_TEST(claim_for_takes_expired_within_max)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    for (int i = 0; i < 6; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        add_action(s, "o-1", key, 100 + i);
    }
    st_action *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_actions_claim_for(s, 200, "w1", 1000, "pay", 4, &a, &n, err,
                                             sizeof(err)), 0);
    ck_assert_uint_eq(n, 4);
    st_actions_free(a, n);
    /* w1 died: w2 has room for 3: the 3 oldest expired ones, nothing beyond. */
    ck_assert_int_eq(store_actions_claim_for(s, 1300, "w2", 1000, "pay", 3, &a, &n, err,
                                             sizeof(err)), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(a[0].idem_key, "k0");
    ck_assert_str_eq(a[2].idem_key, "k2");
    st_actions_free(a, n);
    /* Then the last expired one before the pending ones. */
    ck_assert_int_eq(store_actions_claim_for(s, 1300, "w2", 1000, "pay", 2, &a, &n, err,
                                             sizeof(err)), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(a[0].idem_key, "k3");
    ck_assert_str_eq(a[1].idem_key, "k4");
    st_actions_free(a, n);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM actions WHERE lease_owner = 'w2'"), 5);
    ck_assert_int_eq(store_actions_claim_for(s, 1300, "w2", 1000, "other", 9, &a, &n, err,
                                             sizeof(err)), 0);
    ck_assert_uint_eq(n, 0);
    char **names = NULL;
    ck_assert_int_eq(store_action_instances(s, &names, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(names[0], "pay");
    st_strings_free(names, n);
    store_close(s);
}
END_TEST

#define CLAIM_ACTIONS 300
#define CLAIMERS 4

typedef struct claimer {
    store *s;
    char owner[16];
    int64_t ids[CLAIM_ACTIONS];
    size_t n;
    int failed;
} claimer;

static void *claim_loop(void *arg)
{
    claimer *c = arg;
    char e[ST_ERROR_MAX];
    for (;;) {
        st_action *a = NULL;
        size_t n = 0;
        if (store_actions_claim(c->s, 1000, c->owner, 60000, 7, &a, &n, e, sizeof(e)) != 0) {
            c->failed = 1;
            return NULL;
        }
        for (size_t i = 0; i < n && c->n < CLAIM_ACTIONS; i++)
            c->ids[c->n++] = a[i].id;
        st_actions_free(a, n);
        if (n == 0)
            return NULL;
    }
}

START_TEST(concurrent_claimers_never_share)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    st_action *batch = calloc(CLAIM_ACTIONS, sizeof(*batch));
    ck_assert_ptr_nonnull(batch);
    for (int i = 0; i < CLAIM_ACTIONS; i++) {
        char key[32];
        snprintf(key, sizeof(key), "k%d", i);
        action_init(&batch[i], "o-1", "notify", key, i);
    }
    st_unit u = {.new_actions = batch, .new_action_count = CLAIM_ACTIONS};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);

    claimer c[CLAIMERS];
    pthread_t th[CLAIMERS];
    for (int i = 0; i < CLAIMERS; i++) {
        memset(&c[i], 0, sizeof(c[i]));
        c[i].s = s;
        snprintf(c[i].owner, sizeof(c[i].owner), "w%d", i);
        ck_assert_int_eq(pthread_create(&th[i], NULL, claim_loop, &c[i]), 0);
    }
    char *seen = calloc(CLAIM_ACTIONS + 1, 1);
    ck_assert_ptr_nonnull(seen);
    size_t total = 0;
    for (int i = 0; i < CLAIMERS; i++) {
        pthread_join(th[i], NULL);
        ck_assert(!c[i].failed);
        for (size_t k = 0; k < c[i].n; k++) {
            int64_t id = c[i].ids[k];
            ck_assert(id >= 1 && id <= CLAIM_ACTIONS);
            ck_assert_msg(!seen[id], "action %lld claimed twice", (long long)id);
            seen[id] = 1;
        }
        total += c[i].n;
    }
    ck_assert_uint_eq(total, CLAIM_ACTIONS);
    free(seen);
    free(batch);
    store_close(s);
}
END_TEST

/* ---- timers ---------------------------------------------------------------------------- */

/* Claim every due timer of `s` at now_ms for `owner`; their number, ids into ids[]. */
static size_t claim_timers(store *s, const char *owner, int64_t now_ms, int64_t lease_ms,
                           size_t max, int64_t *ids)
{
    st_timer *t = NULL;
    size_t n = 0;
    ck_assert_msg(store_timers_claim(s, owner, now_ms, lease_ms, max, &t, &n, err,
                                     sizeof(err)) == 0, "%s", err);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(t[i].lease_owner, owner);
        ck_assert_int_eq(t[i].lease_until_ms, now_ms + lease_ms);
        if (ids != NULL)
            ids[i] = t[i].id;
    }
    st_timers_free(t, n);
    return n;
}

START_TEST(timers_claimed_replaced_cancelled_fired)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    st_order o;
    order_init(&o, "o-1", "placed");
    st_timer tm[2];
    timer_init(&tm[0], "o-1", "ship_by", 100);
    timer_init(&tm[1], "o-1", "ship_by_warning", 50);
    tm[1].data = "{\"level\":1}";
    st_unit u = {.order = &o, .expect_version = 1, .new_timers = tm, .new_timer_count = 2};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    int64_t old_ship_by = tm[0].id;

    st_timer *t = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_timers_claim(s, "w1", 49, 1000, 10, &t, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(store_timers_claim(s, "w1", 100, 1000, 1, &t, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(t[0].name, "ship_by_warning"); /* earliest first */
    ck_assert_str_eq(t[0].data, "{\"level\":1}");
    st_timers_free(t, n);
    ck_assert_int_eq(store_timers_claim(s, "w1", 100, 1000, 10, &t, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1); /* the other one is leased */
    ck_assert_str_eq(t[0].name, "ship_by");
    ck_assert_ptr_null(t[0].data);
    st_timers_free(t, n);
    ck_assert_uint_eq(claim_timers(s, "w1", 100, 1000, 10, NULL), 0);

    /* Setting the same name again replaces it, with a new id. */
    st_timer again;
    timer_init(&again, "o-1", "ship_by", 800);
    st_unit u2 = {.new_timers = &again, .new_timer_count = 1};
    ck_assert_int_eq(store_commit(s, &u2, err, sizeof(err)), 0);
    ck_assert_int_ne(again.id, old_ship_by);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM timers WHERE name = 'ship_by'"), 1);

    /* Firing the stale id deletes nothing; cancelling by name and firing by id do. */
    int64_t fired[] = {old_ship_by};
    st_unit u3 = {.fired_timers = fired, .fired_timer_count = 1};
    ck_assert_int_eq(store_commit(s, &u3, err, sizeof(err)), 0);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM timers"), 2);
    const char *names[] = {"ship_by_warning"};
    o.updated_ms = 3000;
    st_unit u4 = {.order = &o, .expect_version = 2, .cancel_timers = names,
                  .cancel_timer_count = 1};
    ck_assert_msg(store_commit(s, &u4, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM timers"), 1);
    fired[0] = again.id;
    ck_assert_int_eq(store_commit(s, &u3, err, sizeof(err)), 0);
    ck_assert_uint_eq(claim_timers(s, "w2", INT64_MAX - 1, 1, 10, NULL), 0);
    /* Bad arguments. */
    ck_assert_int_eq(store_timers_claim(s, "", 100, 10, 10, &t, &n, err, sizeof(err)), -1);
    ck_assert_int_eq(store_timers_claim(s, "w1", 100, -1, 10, &t, &n, err, sizeof(err)), -1);
    store_close(s);
}
END_TEST

/* A claim holds a timer until its lease ends; then anyone may claim it again. */
START_TEST(timer_lease_expiry_reclaimable)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    st_timer tm;
    timer_init(&tm, "o-1", "delivery_confirm", 100);
    st_unit u = {.new_timers = &tm, .new_timer_count = 1};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    int64_t id = 0;
    ck_assert_uint_eq(claim_timers(s, "dead-process", 100, 50, 10, &id), 1);
    ck_assert_int_eq(id, tm.id);
    /* Leased: nobody else, and not the holder either, until the lease ends at 150.  With
     * nothing claimable, a claim costs the writer no transaction (the dispatcher asks on
     * every poll). */
    uint64_t batches_before = 0, batches_after = 0;
    store_stats(s, NULL, &batches_before);
    ck_assert_uint_eq(claim_timers(s, "other", 149, 50, 10, NULL), 0);
    store_stats(s, NULL, &batches_after);
    ck_assert_uint_eq(batches_after, batches_before);
    ck_assert_uint_eq(claim_timers(s, "dead-process", 149, 50, 10, NULL), 0);
    /* A claimed timer is due again when its lease ends, not before. */
    ck_assert_int_eq(store_next_due_ms(s), 150);
    id = 0;
    ck_assert_uint_eq(claim_timers(s, "other", 150, 50, 10, &id), 1);
    ck_assert_int_eq(id, tm.id);
    ck_assert_int_eq(store_next_due_ms(s), 200);
    /* Its unit fires it: gone for everyone. */
    st_unit f = {.fired_timers = &id, .fired_timer_count = 1};
    ck_assert_int_eq(store_commit(s, &f, err, sizeof(err)), 0);
    ck_assert_uint_eq(claim_timers(s, "third", 10000, 50, 10, NULL), 0);
    ck_assert_int_eq(store_next_due_ms(s), INT64_MAX);
    store_close(s);
}
END_TEST

/* A timer set again while claimed is a new timer: not held by the old lease, not deleted
 * by the old claim's unit. */
START_TEST(replaced_timer_not_fired_under_old_lease)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    st_timer tm;
    timer_init(&tm, "o-1", "ship_by", 100);
    st_unit u = {.new_timers = &tm, .new_timer_count = 1};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    int64_t old_id = 0;
    ck_assert_uint_eq(claim_timers(s, "a", 100, 10000, 10, &old_id), 1);
    /* The order moves on and sets the timer again (due 300) while "a" still holds it. */
    st_timer again;
    timer_init(&again, "o-1", "ship_by", 300);
    st_unit u2 = {.new_timers = &again, .new_timer_count = 1};
    ck_assert_int_eq(store_commit(s, &u2, err, sizeof(err)), 0);
    ck_assert_int_ne(again.id, old_id);
    ck_assert_int_eq(store_next_due_ms(s), 300); /* the old lease is gone with its row */
    /* "a"'s unit fires the old id: the replacement stays. */
    st_unit f = {.fired_timers = &old_id, .fired_timer_count = 1};
    ck_assert_int_eq(store_commit(s, &f, err, sizeof(err)), 0);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM timers"), 1);
    ck_assert_uint_eq(claim_timers(s, "b", 299, 1000, 10, NULL), 0);
    int64_t id = 0;
    ck_assert_uint_eq(claim_timers(s, "b", 300, 1000, 10, &id), 1);
    ck_assert_int_eq(id, again.id);
    store_close(s);
}
END_TEST

/* Two store handles on one file are two processes as far as the store knows (separate
 * writer threads and connections; fcntl locks are per process, so both may open it).
 * Claiming the same due timers at once, they never both get one. */
#define SHARED_TIMERS 600
#define TIMER_CLAIMERS 4

typedef struct timer_claimer {
    store *s;
    char owner[16];
    int64_t ids[SHARED_TIMERS];
    size_t n;
    int failed;
} timer_claimer;

static void *timer_claim_loop(void *arg)
{
    timer_claimer *c = arg;
    char e[ST_ERROR_MAX];
    for (;;) {
        st_timer *t = NULL;
        size_t n = 0;
        if (store_timers_claim(c->s, c->owner, 1000, 60000, 5, &t, &n, e, sizeof(e)) != 0) {
            c->failed = 1;
            return NULL;
        }
        for (size_t i = 0; i < n && c->n < SHARED_TIMERS; i++)
            c->ids[c->n++] = t[i].id;
        st_timers_free(t, n);
        if (n == 0)
            return NULL;
    }
}

START_TEST(two_stores_never_claim_one_timer)
{
    store *a = open_store(0, 0);
    create_order(a, "o-1");
    st_timer *tm = calloc(SHARED_TIMERS, sizeof(*tm));
    ck_assert_ptr_nonnull(tm);
    for (int i = 0; i < SHARED_TIMERS; i++) {
        char name[32];
        snprintf(name, sizeof(name), "t%d", i);
        timer_init(&tm[i], "o-1", name, i);
    }
    st_unit u = {.new_timers = tm, .new_timer_count = SHARED_TIMERS};
    ck_assert_int_eq(store_commit(a, &u, err, sizeof(err)), 0);
    store *b = open_store(0, 0);

    timer_claimer *c = calloc(TIMER_CLAIMERS, sizeof(*c));
    ck_assert_ptr_nonnull(c);
    pthread_t th[TIMER_CLAIMERS];
    for (int i = 0; i < TIMER_CLAIMERS; i++) {
        c[i].s = i % 2 ? b : a;
        snprintf(c[i].owner, sizeof(c[i].owner), "p%d:w%d", i % 2, i);
        ck_assert_int_eq(pthread_create(&th[i], NULL, timer_claim_loop, &c[i]), 0);
    }
    char *seen = calloc(tm[SHARED_TIMERS - 1].id + 1, 1);
    ck_assert_ptr_nonnull(seen);
    size_t total = 0;
    for (int i = 0; i < TIMER_CLAIMERS; i++) {
        pthread_join(th[i], NULL);
        ck_assert(!c[i].failed);
        for (size_t k = 0; k < c[i].n; k++) {
            int64_t id = c[i].ids[k];
            ck_assert(id >= tm[0].id && id <= tm[SHARED_TIMERS - 1].id);
            ck_assert_msg(!seen[id], "timer %lld claimed twice", (long long)id);
            seen[id] = 1;
        }
        total += c[i].n;
    }
    ck_assert_uint_eq(total, SHARED_TIMERS);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM timers WHERE lease_owner = ''"), 0);
    free(seen);
    free(c);
    free(tm);
    store_close(b);
    store_close(a);
}
END_TEST

START_TEST(next_due)
{
    store *s = open_store(0, 0);
    ck_assert_int_eq(store_next_due_ms(s), INT64_MAX);
    create_order(s, "o-1");
    int64_t id = add_action(s, "o-1", "k", 700);
    ck_assert_int_eq(store_next_due_ms(s), 700);
    st_timer tm;
    timer_init(&tm, "o-1", "ship_by", 300);
    st_unit u = {.new_timers = &tm, .new_timer_count = 1};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    ck_assert_int_eq(store_next_due_ms(s), 300);
    /* A claimed timer is due again when its lease ends. */
    ck_assert_uint_eq(claim_timers(s, "w1", 300, 1000, 10, NULL), 1);
    ck_assert_int_eq(store_next_due_ms(s), 700);
    int64_t fired[] = {tm.id};
    st_unit u2 = {.fired_timers = fired, .fired_timer_count = 1};
    ck_assert_int_eq(store_commit(s, &u2, err, sizeof(err)), 0);
    ck_assert_int_eq(store_next_due_ms(s), 700);
    /* A claimed action is due again when its lease ends. */
    st_action *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_actions_claim(s, 800, "w1", 1200, 10, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    st_actions_free(a, n);
    ck_assert_int_eq(store_next_due_ms(s), 2000);
    ck_assert_int_eq(update_action(s, id, ST_ACTION_DONE, 1, 0, NULL), 0);
    ck_assert_int_eq(store_next_due_ms(s), INT64_MAX);
    int64_t due = 0;
    ck_assert_int_eq(store_next_due(s, &due, err, sizeof(err)), 0);
    ck_assert_int_eq(due, INT64_MAX);
    store_close(s);
}
END_TEST

/* ---- the writer thread ----------------------------------------------------------------- */

static store *reentrant_store;
static int reentrant_rc = 99;

static void commit_from_done(void *arg, int rc, const char *error)
{
    st_unit u = {0};
    char e[ST_ERROR_MAX];
    reentrant_rc = store_commit(reentrant_store, &u, e, sizeof(e));
}

START_TEST(commit_from_done_refused)
{
    store *s = open_store(0, 0);
    reentrant_store = s;
    st_unit u = {.done = commit_from_done};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    ck_assert_int_eq(reentrant_rc, -1);
    store_close(s);
}
END_TEST

#define SUBMITTERS 4
#define UNITS_PER_THREAD 2000

typedef struct submitter {
    store *s;
    int index;
    st_unit *units;
    st_order *orders;
    st_event *events;
    char (*data)[32];
    int failed;
} submitter;

static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t count_cv = PTHREAD_COND_INITIALIZER;
static int count_ok, count_bad;

static void count_done(void *arg, int rc, const char *error)
{
    pthread_mutex_lock(&count_mu);
    if (rc == 0)
        count_ok++;
    else
        count_bad++;
    pthread_cond_broadcast(&count_cv);
    pthread_mutex_unlock(&count_mu);
}

/* Each thread writes one order: unit k expects version k, so they only succeed if the
 * thread's units commit in submission order. */
static void *submit_loop(void *arg)
{
    submitter *t = arg;
    char id[32];
    snprintf(id, sizeof(id), "order-%d", t->index);
    for (int k = 0; k < UNITS_PER_THREAD; k++) {
        order_init(&t->orders[k], id, "placed");
        snprintf(t->data[k], sizeof(t->data[k]), "{\"k\":%d}", k);
        event_init(&t->events[k], id, "order.placed", t->data[k]);
        t->units[k] = (st_unit){.order = &t->orders[k], .expect_version = k,
                                .events = &t->events[k], .event_count = 1,
                                .done = count_done};
        if (store_submit(t->s, &t->units[k]) != 0)
            t->failed = 1;
    }
    return NULL;
}

START_TEST(concurrent_submitters_group_commit)
{
    store *s = open_store(1, 0);
    count_ok = count_bad = 0;
    submitter t[SUBMITTERS];
    pthread_t th[SUBMITTERS];
    for (int i = 0; i < SUBMITTERS; i++) {
        t[i] = (submitter){.s = s, .index = i};
        t[i].units = calloc(UNITS_PER_THREAD, sizeof(st_unit));
        t[i].orders = calloc(UNITS_PER_THREAD, sizeof(st_order));
        t[i].events = calloc(UNITS_PER_THREAD, sizeof(st_event));
        t[i].data = calloc(UNITS_PER_THREAD, sizeof(*t[i].data));
        ck_assert(t[i].units && t[i].orders && t[i].events && t[i].data);
    }
    for (int i = 0; i < SUBMITTERS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, submit_loop, &t[i]), 0);
    for (int i = 0; i < SUBMITTERS; i++) {
        pthread_join(th[i], NULL);
        ck_assert(!t[i].failed);
    }
    pthread_mutex_lock(&count_mu);
    while (count_ok + count_bad < SUBMITTERS * UNITS_PER_THREAD)
        pthread_cond_wait(&count_cv, &count_mu);
    pthread_mutex_unlock(&count_mu);
    ck_assert_int_eq(count_bad, 0);

    uint64_t units, batches;
    store_stats(s, &units, &batches);
    ck_assert_uint_eq(units, SUBMITTERS * UNITS_PER_THREAD);
    ck_assert_msg(batches * 8 < units, "%llu units in %llu transactions: no group commit",
                  (unsigned long long)units, (unsigned long long)batches);

    for (int i = 0; i < SUBMITTERS; i++) {
        ck_assert_int_eq(t[i].orders[UNITS_PER_THREAD - 1].version, UNITS_PER_THREAD);
        st_event *e = NULL;
        size_t n = 0;
        ck_assert_int_eq(store_events(s, t[i].orders[0].id, &e, &n, err, sizeof(err)), 0);
        ck_assert_uint_eq(n, UNITS_PER_THREAD);
        for (size_t k = 0; k < n; k++) {
            ck_assert_str_eq(e[k].data, t[i].data[k]);
            ck_assert_int_eq(e[k].seq, t[i].events[k].seq);
            ck_assert(k == 0 || e[k].seq > e[k - 1].seq);
        }
        st_events_free(e, n);
        free(t[i].units);
        free(t[i].orders);
        free(t[i].events);
        free(t[i].data);
    }
    store_close(s);
}
END_TEST

#define QUEUED 500

START_TEST(close_commits_queued_units)
{
    store *s = open_store(1, 16);
    st_order *o = calloc(QUEUED, sizeof(*o));
    st_unit *u = calloc(QUEUED, sizeof(*u));
    ck_assert(o && u);
    count_ok = count_bad = 0;
    for (int i = 0; i < QUEUED; i++) {
        char id[32];
        snprintf(id, sizeof(id), "o-%d", i);
        order_init(&o[i], id, "placed");
        u[i] = (st_unit){.order = &o[i], .done = count_done};
        ck_assert_int_eq(store_submit(s, &u[i]), 0);
    }
    store_close(s); /* most are still queued: 16 per batch, one fsync each */
    ck_assert_int_eq(count_ok, QUEUED);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM orders"), QUEUED);
    s = open_store(0, 0);
    st_order back;
    ck_assert_int_eq(store_order_get(s, "o-499", &back, err, sizeof(err)), 0);
    st_order_clear(&back);
    store_close(s);
    free(o);
    free(u);
}
END_TEST


/* ---- schema version 2 ------------------------------------------------------------------ */



/* Tracking numbers find their order; a document is stored, replaced, read back whole. */
START_TEST(tracking_and_documents)
{
    store *s = open_store(0, 0);
    create_order(s, "ord-t1");
    create_order(s, "ord-t2");
    static const unsigned char pdf[] = {'%', 'P', 'D', 'F', 0, 1, 2, 0xff};
    st_tracking t = {.carrier = "ups", .number = "1Z999AA10123456784", .order_id = "ord-t1"};
    st_document d = {.order_id = "ord-t1", .name = "label", .mime_type = "application/pdf",
                     .data = (unsigned char *)pdf, .len = sizeof(pdf), .created_ms = 7};
    st_unit u = {.tracking = &t, .tracking_count = 1, .documents = &d, .document_count = 1};
    ck_assert_msg(store_commit(s, &u, err, sizeof(err)) == 0, "%s", err);
    char id[ST_ID_MAX];
    ck_assert_int_eq(store_tracking_order(s, "ups", "1Z999AA10123456784", id, err,
                                          sizeof(err)), 0);
    ck_assert_str_eq(id, "ord-t1");
    ck_assert_int_eq(store_tracking_order(s, "fedex", "1Z999AA10123456784", id, err,
                                          sizeof(err)), 1);
    st_document got;
    ck_assert_int_eq(store_document_get(s, "ord-t1", "label", &got, err, sizeof(err)), 0);
    ck_assert_uint_eq(got.len, sizeof(pdf));
    ck_assert(memcmp(got.data, pdf, sizeof(pdf)) == 0);
    ck_assert_str_eq(got.mime_type, "application/pdf");
    st_document_clear(&got);
    ck_assert_int_eq(store_document_get(s, "ord-t1", "customs", &got, err, sizeof(err)), 1);
    /* The same number re-pointed (a re-used return label), the label replaced. */
    t.order_id = "ord-t2";
    snprintf(d.mime_type, sizeof(d.mime_type), "application/zpl");
    d.data = (unsigned char *)"^XA^XZ";
    d.len = 6;
    ck_assert_msg(store_commit(s, &u, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(store_tracking_order(s, "ups", "1Z999AA10123456784", id, err,
                                          sizeof(err)), 0);
    ck_assert_str_eq(id, "ord-t2");
    ck_assert_int_eq(store_document_get(s, "ord-t1", "label", &got, err, sizeof(err)), 0);
    ck_assert_str_eq(got.mime_type, "application/zpl");
    ck_assert_uint_eq(got.len, 6);
    st_document_clear(&got);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM documents"), 1);
    /* An empty document is refused before anything is written. */
    d.len = 0;
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "has no data") != NULL, "%s", err);
    store_close(s);
}
END_TEST





START_TEST(created_by_written_on_insert_only)
{
    store *s = open_store(0, 0);
    st_order o;
    order_init(&o, "o-1", "placed");
    snprintf(o.created_by, sizeof(o.created_by), "storefront-a");
    st_unit u = {.order = &o};
    ck_assert_msg(store_commit(s, &u, err, sizeof(err)) == 0, "%s", err);
    /* An update ignores created_by, even one that is not a string at all. */
    snprintf(o.state, sizeof(o.state), "confirmed");
    memset(o.created_by, 'z', sizeof(o.created_by));
    o.updated_ms = 2000;
    st_unit u2 = {.order = &o, .expect_version = 1};
    ck_assert_msg(store_commit(s, &u2, err, sizeof(err)) == 0, "%s", err);
    st_order back;
    ck_assert_int_eq(store_order_get(s, "o-1", &back, err, sizeof(err)), 0);
    ck_assert_str_eq(back.created_by, "storefront-a");
    ck_assert_str_eq(back.state, "confirmed");
    ck_assert_int_eq(back.version, 2);
    st_order_clear(&back);
    /* On insert it must fit, and may be empty. */
    st_order o2;
    order_init(&o2, "o-2", "placed");
    memset(o2.created_by, 'z', sizeof(o2.created_by));
    st_unit u3 = {.order = &o2};
    ck_assert_int_eq(store_commit(s, &u3, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "order created_by") != NULL, "%s", err);
    o2.created_by[0] = '\0';
    ck_assert_msg(store_commit(s, &u3, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(store_order_get(s, "o-2", &back, err, sizeof(err)), 0);
    ck_assert_str_eq(back.created_by, "");
    st_order_clear(&back);
    store_close(s);
}
END_TEST

/* ---- listing orders ------------------------------------------------------------------- */

typedef struct trow {
    char id[16], state[16], seller[8], by[8];
    int64_t updated, created, ship_by; /* ship_by 0: no deadline */
} trow;

#define LIST_ORDERS 157

static trow rows_made[LIST_ORDERS];

/* Orders with many ties on updated_ms, ids unrelated to time, some empty sellers/creators. */
static void make_list_orders(store *s)
{
    static const char *states[] = {"placed", "shipped", "delivered"};
    static const char *sellers[] = {"s1", "s2", "s3", ""};
    static const char *bys[] = {"shop-a", "shop-b", ""};
    unsigned seed = 12345;
    st_order *o = calloc(LIST_ORDERS, sizeof(*o));
    st_unit *u = calloc(LIST_ORDERS, sizeof(*u));
    ck_assert(o && u);
    count_ok = count_bad = 0;
    for (int i = 0; i < LIST_ORDERS; i++) {
        trow *t = &rows_made[i];
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        snprintf(t->id, sizeof(t->id), "ord-%03d", (i * 37) % LIST_ORDERS);
        snprintf(t->state, sizeof(t->state), "%s", states[r % 3]);
        snprintf(t->seller, sizeof(t->seller), "%s", sellers[(r / 3) % 4]);
        snprintf(t->by, sizeof(t->by), "%s", bys[(r / 12) % 3]);
        t->updated = 1000 + (int64_t)((r / 36) % 23);
        t->created = 100 + i;
        /* A third without a deadline; the rest with many ties, some late at 2010. */
        t->ship_by = (r / 828) % 3 == 0 ? 0 : 2000 + (int64_t)((seed >> 3) % 17);
        order_init(&o[i], t->id, t->state);
        o[i].ship_by_ms = t->ship_by;
        snprintf(o[i].seller_id, sizeof(o[i].seller_id), "%s", t->seller);
        snprintf(o[i].created_by, sizeof(o[i].created_by), "%s", t->by);
        o[i].updated_ms = t->updated;
        o[i].created_ms = t->created;
        u[i] = (st_unit){.order = &o[i], .done = count_done};
        ck_assert_int_eq(store_submit(s, &u[i]), 0);
    }
    pthread_mutex_lock(&count_mu);
    while (count_ok + count_bad < LIST_ORDERS)
        pthread_cond_wait(&count_cv, &count_mu);
    pthread_mutex_unlock(&count_mu);
    ck_assert_int_eq(count_bad, 0);
    free(o);
    free(u);
}

static st_order_sort cmp_sort; /* the order trow_cmp sorts in */

static int trow_cmp(const void *a, const void *b)
{
    const trow *x = a, *y = b;
    if (cmp_sort == ST_SORT_SHIP_BY)
        return x->ship_by != y->ship_by ? (x->ship_by < y->ship_by ? -1 : 1)
                                        : strcmp(x->id, y->id);
    if (x->updated != y->updated)
        return x->updated > y->updated ? -1 : 1;
    return -strcmp(x->id, y->id);
}

static int trow_match(const trow *t, const st_order_filter *f)
{
    return (!f->seller_id || strcmp(t->seller, f->seller_id) == 0) &&
           (!f->state || strcmp(t->state, f->state) == 0) &&
           (!f->created_by || strcmp(t->by, f->created_by) == 0) &&
           (f->since_ms <= 0 || t->updated >= f->since_ms) &&
           (f->late_at_ms <= 0 || (t->ship_by > 0 && t->ship_by <= f->late_at_ms)) &&
           (f->sort != ST_SORT_SHIP_BY || t->ship_by > 0);
}

/* Page through `f` with `limit` and compare with the expected list, row by row. */
static void check_listing(store *s, const st_order_filter *f, size_t limit)
{
    trow want[LIST_ORDERS];
    size_t nwant = 0;
    for (int i = 0; i < LIST_ORDERS; i++) {
        if (trow_match(&rows_made[i], f))
            want[nwant++] = rows_made[i];
    }
    cmp_sort = f->sort;
    qsort(want, nwant, sizeof(want[0]), trow_cmp);
    char cursor[ST_CURSOR_MAX] = "", next[ST_CURSOR_MAX];
    size_t seen = 0, pages = 0;
    for (;;) {
        st_order_row *r = NULL;
        size_t n = 99;
        int rc = store_orders_list(s, f, cursor, limit, &r, &n, next, sizeof(next), err,
                                   sizeof(err));
        ck_assert_msg(rc == 0, "list: %s", err);
        pages++;
        ck_assert_uint_le(n, limit);
        ck_assert(n > 0 || r == NULL);
        for (size_t i = 0; i < n; i++, seen++) {
            ck_assert_uint_lt(seen, nwant);
            const trow *w = &want[seen];
            ck_assert_msg(strcmp(r[i].id, w->id) == 0, "row %zu: %s, want %s (limit %zu)",
                          seen, r[i].id, w->id, limit);
            ck_assert_str_eq(r[i].state, w->state);
            ck_assert_str_eq(r[i].seller_id, w->seller);
            ck_assert_int_eq(r[i].updated_ms, w->updated);
            ck_assert_int_eq(r[i].created_ms, w->created);
            ck_assert_int_eq(r[i].ship_by_ms, w->ship_by);
        }
        free(r);
        if (next[0] == '\0') {
            ck_assert_uint_eq(seen, nwant);
            break;
        }
        ck_assert_uint_eq(n, limit); /* only a full page has a next one */
        char want_cursor[ST_CURSOR_MAX];
        snprintf(want_cursor, sizeof(want_cursor), "%lld:%s",
                 (long long)(f->sort == ST_SORT_SHIP_BY ? want[seen - 1].ship_by
                                                        : want[seen - 1].updated),
                 want[seen - 1].id);
        ck_assert_str_eq(next, want_cursor);
        memcpy(cursor, next, sizeof(cursor));
    }
    /* No empty trailing page: a multiple of limit ends on a full page with no cursor. */
    size_t full = nwant == 0 ? 1 : (nwant + limit - 1) / limit;
    ck_assert_uint_eq(pages, full);
}

START_TEST(list_orders_filters_and_pages)
{
    store *s = open_store(0, 0);
    make_list_orders(s);
    static const char *sellers[] = {NULL, "s2", ""};
    static const char *states[] = {NULL, "shipped", "nope"};
    static const char *bys[] = {NULL, "shop-a", ""};
    static const int64_t sinces[] = {0, 1011, 5000};
    static const size_t limits[] = {1, 7, 200};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 3; c++)
                for (int d = 0; d < 3; d++)
                    for (int l = 0; l < 3; l++)
                        for (int late = 0; late < 2; late++)
                            for (int so = 0; so < 2; so++) {
                                st_order_filter f = {.seller_id = sellers[a],
                                                     .state = states[b], .created_by = bys[c],
                                                     .since_ms = sinces[d],
                                                     .late_at_ms = late ? 2010 : 0,
                                                     .sort = so ? ST_SORT_SHIP_BY
                                                                : ST_SORT_UPDATED};
                                check_listing(s, &f, limits[l]);
                            }
    /* NULL filter = all; a limit that divides the count exactly. */
    st_order_row *r = NULL;
    size_t n = 0;
    char next[ST_CURSOR_MAX];
    ck_assert_int_eq(store_orders_list(s, NULL, NULL, ST_LIST_MAX, &r, &n, next, sizeof(next),
                                       err, sizeof(err)),
                     0);
    ck_assert_uint_eq(n, LIST_ORDERS);
    ck_assert_str_eq(next, "");
    free(r);
    st_order_filter none = {0};
    check_listing(s, &none, LIST_ORDERS);
    check_listing(s, &none, 1);
    /* Late orders by deadline: the cursor is a deadline, and a deadline after the late
     * time never shows. */
    st_order_filter late = {.late_at_ms = 2005, .sort = ST_SORT_SHIP_BY};
    check_listing(s, &late, 3);
    st_order_filter bad = {.sort = (st_order_sort)7};
    ck_assert_int_eq(store_orders_list(s, &bad, NULL, 10, &r, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     ST_EINVAL);
    store_close(s);
}
END_TEST

START_TEST(list_cursor_is_a_position)
{
    store *s = open_store(0, 0);
    const char *ids[] = {"a", "b", "c", "d"};
    st_order o[4];
    for (int i = 0; i < 4; i++) {
        order_init(&o[i], ids[i], "placed");
        o[i].updated_ms = 100 + i; /* d newest */
        st_unit u = {.order = &o[i]};
        ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    }
    st_order_row *r = NULL;
    size_t n = 0;
    char next[ST_CURSOR_MAX];
    ck_assert_int_eq(store_orders_list(s, NULL, "", 2, &r, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(r[0].id, "d");
    ck_assert_str_eq(r[1].id, "c");
    ck_assert_str_eq(next, "102:c");
    free(r);
    /* c is updated (moves to the top) and b shipped: the next page still starts after the
     * position (102, "c") and sees b's new state. */
    snprintf(o[2].state, sizeof(o[2].state), "shipped");
    o[2].updated_ms = 900;
    st_unit u = {.order = &o[2], .expect_version = 1};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    snprintf(o[1].state, sizeof(o[1].state), "shipped");
    st_unit u2 = {.order = &o[1], .expect_version = 1};
    ck_assert_int_eq(store_commit(s, &u2, err, sizeof(err)), 0);
    ck_assert_int_eq(store_orders_list(s, NULL, next, 2, &r, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(r[0].id, "b");
    ck_assert_str_eq(r[0].state, "shipped");
    ck_assert_str_eq(r[1].id, "a");
    ck_assert_str_eq(next, "");
    free(r);
    /* The state filter follows updates; a cursor from any position works (ids with ':'). */
    st_order_filter f = {.state = "shipped"};
    ck_assert_int_eq(store_orders_list(s, &f, "101:b", 5, &r, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(store_orders_list(s, &f, "900:c:x", 5, &r, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 2); /* c: "c" < "c:x" */
    ck_assert_str_eq(r[0].id, "c");
    ck_assert_str_eq(r[1].id, "b");
    free(r);
    ck_assert_int_eq(store_orders_list(s, &f, "-9223372036854775808:a", 5, &r, &n, next,
                                       sizeof(next), err, sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 0);
    store_close(s);
}
END_TEST

START_TEST(list_bad_arguments_refused)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    st_order_row *r = (st_order_row *)1;
    size_t n = 99;
    char next[ST_CURSOR_MAX] = "junk";
    static const char *bad[] = {
        "abc", "123", "123:", ":o-1", "12a:o-1", "+1:o-1", "01:o-1", "-0:o-1", "-:o-1",
        " 1:o-1", "1 :o-1", "0x10:o-1", "1e3:o-1", "9223372036854775808:o-1",
        "-9223372036854775809:o-1", "99999999999999999999:o-1",
        "1:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", /* 64 bytes */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(store_orders_list(s, NULL, bad[i], 10, &r, &n, next, sizeof(next), err,
                                        sizeof(err)) == ST_EINVAL,
                      "cursor '%s' accepted", bad[i]);
        ck_assert_msg(strstr(err, "malformed cursor") != NULL, "%s", err);
        ck_assert_ptr_null(r);
        ck_assert_uint_eq(n, 0);
        ck_assert_str_eq(next, "");
        r = (st_order_row *)1;
    }
    ck_assert_int_eq(store_orders_list(s, NULL, NULL, 0, &r, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     ST_EINVAL);
    ck_assert_int_eq(store_orders_list(s, NULL, NULL, ST_LIST_MAX + 1, &r, &n, next,
                                       sizeof(next), err, sizeof(err)),
                     ST_EINVAL);
    ck_assert_msg(strstr(err, "limit") != NULL, "%s", err);
    ck_assert_int_eq(store_orders_list(s, NULL, NULL, 10, &r, &n, next, ST_CURSOR_MAX - 1, err,
                                       sizeof(err)),
                     ST_EINVAL);
    ck_assert_int_eq(store_orders_list(s, NULL, NULL, 10, NULL, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     ST_EINVAL);
    ck_assert_int_eq(store_orders_list(NULL, NULL, NULL, 10, &r, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     -1);
    char longer[ST_NAME_MAX + 1];
    memset(longer, 's', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    st_order_filter f = {.state = longer};
    ck_assert_int_eq(store_orders_list(s, &f, NULL, 10, &r, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     ST_EINVAL);
    char longid[ST_ID_MAX + 1];
    memset(longid, 'i', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = '\0';
    f = (st_order_filter){.created_by = longid};
    ck_assert_int_eq(store_orders_list(s, &f, NULL, 10, &r, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     ST_EINVAL);

    /* SQL in a cursor or a filter is data: bound, never spliced. */
    f = (st_order_filter){.seller_id = "x' OR '1'='1",
                          .state = "placed'; DROP TABLE orders;--"};
    ck_assert_int_eq(store_orders_list(s, &f, NULL, 10, &r, &n, next, sizeof(next), err,
                                       sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(store_orders_list(s, NULL, "99999:zz') OR 1=1; DROP TABLE orders;--", 10,
                                       &r, &n, next, sizeof(next), err, sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 1); /* o-1 at 1000 sorts before (99999, ...) */
    free(r);
    ck_assert_int_eq(store_orders_list(s, NULL, "1000:o-1' OR '1'='1", 10, &r, &n, next,
                                       sizeof(next), err, sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 1); /* "o-1" < "o-1' OR ..." */
    free(r);
    ck_assert_int_eq(store_orders_list(s, NULL, "1000:o-1", 10, &r, &n, next, sizeof(next),
                                       err, sizeof(err)),
                     0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(store_peek("SELECT count(*) FROM orders"), 1);
    store_close(s);
}
END_TEST



/* ---- replays and counts ---------------------------------------------------------------- */

static store *replay_store;
static int replay_rc = 99;

static void replay_from_done(void *arg, int rc, const char *error)
{
    char e[ST_ERROR_MAX];
    replay_rc = store_action_replay(replay_store, 1, 0, e, sizeof(e));
}

START_TEST(action_replay)
{
    store *s = open_store(0, 0);
    create_order(s, "o-1");
    int64_t dead = add_action(s, "o-1", "k-dead", 100);
    int64_t done = add_action(s, "o-1", "k-done", 100);
    int64_t pending = add_action(s, "o-1", "k-pending", 100);
    st_action *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_actions_claim(s, 100, "w1", 1000, 2, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 2);
    st_actions_free(a, n);
    ck_assert_int_eq(update_action(s, dead, ST_ACTION_DEAD, 8, 0, "HTTP 500"), 0);
    ck_assert_int_eq(update_action(s, done, ST_ACTION_DONE, 1, 0, NULL), 0);

    /* Only a dead action is replayed; the others, and unknown ids, give 1 and stay. */
    ck_assert_int_eq(store_action_replay(s, done, 5000, err, sizeof(err)), 1);
    ck_assert_int_eq(store_action_replay(s, pending, 5000, err, sizeof(err)), 1);
    ck_assert_int_eq(store_action_replay(s, 999, 5000, err, sizeof(err)), 1);
    ck_assert_int_eq(store_action_replay(s, -1, 5000, err, sizeof(err)), 1);
    uint64_t b0, b1;
    store_stats(s, NULL, &b0);
    ck_assert_int_eq(store_action_replay(s, dead, 5000, err, sizeof(err)), 0);
    store_stats(s, NULL, &b1);
    ck_assert_uint_eq(b1, b0 + 1); /* one write transaction */
    ck_assert_int_eq(store_actions_dead(s, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(store_action_replay(s, dead, 5000, err, sizeof(err)), 1); /* not again */
    char q[128];
    snprintf(q, sizeof(q), "SELECT status FROM actions WHERE id = %lld", (long long)done);
    ck_assert_int_eq(store_peek(q), ST_ACTION_DONE);
    snprintf(q, sizeof(q), "SELECT attempts FROM actions WHERE id = %lld", (long long)pending);
    ck_assert_int_eq(store_peek(q), 0);

    /* Due at now: not claimable before, claimable at, with attempts 0 and its old error. */
    ck_assert_int_eq(store_next_due_ms(s), 100); /* `pending` is still due */
    ck_assert_int_eq(store_actions_claim(s, 4999, "w2", 1000, 10, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(a[0].id, pending);
    st_actions_free(a, n);
    ck_assert_int_eq(store_next_due_ms(s), 5000);
    ck_assert_int_eq(store_actions_claim(s, 5000, "w2", 1000, 10, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(a[0].id, dead);
    ck_assert_int_eq(a[0].attempts, 0);
    ck_assert_int_eq(a[0].status, ST_ACTION_CLAIMED);
    ck_assert_str_eq(a[0].last_error, "HTTP 500");
    st_actions_free(a, n);

    /* From a done callback it would wait for itself: refused. */
    replay_store = s;
    st_unit u = {.done = replay_from_done};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    ck_assert_int_eq(replay_rc, -1);
    ck_assert_int_eq(store_action_replay(NULL, dead, 0, err, sizeof(err)), -1);
    store_close(s);
}
END_TEST

START_TEST(counts)
{
    store *s = open_store(0, 0);
    st_counts c;
    memset(&c, 0x5a, sizeof(c));
    ck_assert_int_eq(store_counts(s, &c, err, sizeof(err)), 0);
    ck_assert_uint_eq(c.state_count, 0);
    ck_assert_int_eq(c.states_truncated, 0);
    ck_assert_int_eq(c.orders, 0);
    ck_assert_int_eq(c.events, 0);
    ck_assert_int_eq(c.actions_pending + c.actions_claimed + c.actions_done + c.actions_dead,
                     0);
    ck_assert_int_eq(c.timers, 0);

    create_order(s, "o-1"); /* placed, one event each */
    create_order(s, "o-2");
    st_order o;
    order_init(&o, "o-3", "shipped");
    st_event ev[3];
    for (int i = 0; i < 3; i++)
        event_init(&ev[i], "o-3", "order.placed", NULL);
    /* Counted by name: a warning, a breach; sla.other is neither. */
    snprintf(ev[0].name, sizeof(ev[0].name), "sla.ship_by_warning");
    snprintf(ev[1].name, sizeof(ev[1].name), "sla.ship_by_breached");
    st_timer tm[2];
    timer_init(&tm[0], "o-3", "ship_by", 10);
    timer_init(&tm[1], "o-3", "deliver_by", 20);
    st_unit u = {.order = &o, .events = ev, .event_count = 3, .new_timers = tm,
                 .new_timer_count = 2};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), 0);
    int64_t ids[6];
    for (int i = 0; i < 6; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        ids[i] = add_action(s, "o-1", key, 100 + i);
    }
    st_action *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_actions_claim(s, 1000, "w1", 1000, 4, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 4); /* ids 0..3 claimed */
    st_actions_free(a, n);
    ck_assert_int_eq(update_action(s, ids[0], ST_ACTION_DONE, 1, 0, NULL), 0);
    ck_assert_int_eq(update_action(s, ids[1], ST_ACTION_DONE, 1, 0, NULL), 0);
    ck_assert_int_eq(update_action(s, ids[2], ST_ACTION_DEAD, 1, 0, "x"), 0);

    ck_assert_int_eq(store_counts(s, &c, err, sizeof(err)), 0);
    ck_assert_uint_eq(c.state_count, 2);
    ck_assert_str_eq(c.states[0].state, "placed"); /* by name */
    ck_assert_int_eq(c.states[0].count, 2);
    ck_assert_str_eq(c.states[1].state, "shipped");
    ck_assert_int_eq(c.states[1].count, 1);
    ck_assert_int_eq(c.states_truncated, 0);
    ck_assert_int_eq(c.orders, 3);
    ck_assert_int_eq(c.events, 5);
    ck_assert_int_eq(c.events, store_peek("SELECT count(*) FROM events"));
    ck_assert_int_eq(c.actions_pending, 2);
    ck_assert_int_eq(c.actions_claimed, 1);
    ck_assert_int_eq(c.actions_done, 2);
    ck_assert_int_eq(c.actions_dead, 1);
    ck_assert_int_eq(c.timers, 2);
    ck_assert_int_eq(c.sla_warnings, 1);
    ck_assert_int_eq(c.sla_breaches, 1);

    /* A failed unit leaves no gap in seq: events is still their number. */
    st_event bad;
    event_init(&bad, "o-ghost", "order.placed", NULL);
    st_unit ub = {.events = &bad, .event_count = 1};
    ck_assert_int_eq(store_commit(s, &ub, err, sizeof(err)), -1);
    create_order(s, "o-4");
    ck_assert_int_eq(store_counts(s, &c, err, sizeof(err)), 0);
    ck_assert_int_eq(c.events, 6);
    ck_assert_int_eq(c.events, store_peek("SELECT count(*) FROM events"));

    /* More states than the array holds: the first ones by name, all in `orders`. */
    for (int i = 0; i < ST_COUNTS_STATES + 3; i++) {
        char id[16], state[16];
        snprintf(id, sizeof(id), "x-%d", i);
        snprintf(state, sizeof(state), "st%02d", i);
        st_order x;
        order_init(&x, id, state);
        st_unit ux = {.order = &x};
        ck_assert_int_eq(store_commit(s, &ux, err, sizeof(err)), 0);
    }
    ck_assert_int_eq(store_counts(s, &c, err, sizeof(err)), 0);
    ck_assert_uint_eq(c.state_count, ST_COUNTS_STATES);
    ck_assert_int_eq(c.states_truncated, 1);
    ck_assert_str_eq(c.states[0].state, "placed");
    ck_assert_str_eq(c.states[2].state, "st00");
    ck_assert_int_eq(c.orders, 4 + ST_COUNTS_STATES + 3);
    ck_assert_int_eq(store_counts(NULL, &c, err, sizeof(err)), -1);
    ck_assert_int_eq(store_counts(s, NULL, err, sizeof(err)), -1);
    store_close(s);
}
END_TEST

/* ---- inventory ------------------------------------------------------------------------- */

#define SELLER "seller-1"

static st_stock_set stock_write_of(const char *sku, st_stock_mode mode, int64_t value,
                                   int64_t expect_version)
{
    st_stock_set w;
    memset(&w, 0, sizeof(w));
    snprintf(w.seller_id, sizeof(w.seller_id), "%s", SELLER);
    snprintf(w.sku, sizeof(w.sku), "%s", sku);
    w.mode = mode;
    w.value = value;
    w.low_threshold = -2;
    w.expect_version = expect_version;
    return w;
}

static st_stock_move move_of(const char *sku, st_stock_op op, int64_t qty)
{
    st_stock_move m;
    memset(&m, 0, sizeof(m));
    snprintf(m.seller_id, sizeof(m.seller_id), "%s", SELLER);
    snprintf(m.sku, sizeof(m.sku), "%s", sku);
    m.op = op;
    m.qty = qty;
    return m;
}

/* Commit one unit of stock writes; store_commit's result. */
static int stock_write(store *s, st_stock_set *w, size_t n)
{
    st_unit u = {.stock_sets = w, .stock_set_count = n};
    return store_commit(s, &u, err, sizeof(err));
}

/* Commit one unit of stock moves; store_commit's result. */
static int stock_move(store *s, st_stock_move *m, size_t n, int refuse)
{
    st_unit u = {.stock_moves = m, .stock_move_count = n, .stock_untracked_refuse = refuse};
    return store_commit(s, &u, err, sizeof(err));
}

static void stock_put(store *s, const char *sku, int64_t on_hand, int64_t low)
{
    st_stock_set w = stock_write_of(sku, ST_STOCK_SET, on_hand, 0);
    w.low_threshold = low;
    ck_assert_msg(stock_write(s, &w, 1) == 0, "%s", err);
}

static st_stock stock_of(store *s, const char *sku)
{
    st_stock r;
    ck_assert_msg(store_stock_get(s, SELLER, sku, &r, err, sizeof(err)) == 0, "%s: %s", sku,
                  err);
    return r;
}

START_TEST(stock_set_adjust_get)
{
    store *s = open_store(1, 0);
    st_stock r;
    ck_assert_int_eq(store_stock_get(s, SELLER, "A", &r, err, sizeof(err)), 1);

    st_stock_set w[2] = {stock_write_of("A", ST_STOCK_SET, 10, 0),
                         stock_write_of("B", ST_STOCK_ADJUST, 7, 0)};
    w[1].low_threshold = 3;
    ck_assert_msg(stock_write(s, w, 2) == 0, "%s", err);
    ck_assert_int_eq(w[0].failed, 0);
    ck_assert_int_eq(w[0].after.on_hand, 10);
    ck_assert_int_eq(w[0].after.reserved, 0);
    ck_assert_int_eq(w[0].after.version, 1);
    ck_assert_int_eq(w[0].after.low_threshold, -1);   /* -2 on a new record: none */
    ck_assert_int_eq(w[1].after.on_hand, 7);
    ck_assert_int_eq(w[1].after.low_threshold, 3);
    r = stock_of(s, "A");
    ck_assert_str_eq(r.seller_id, SELLER);
    ck_assert_str_eq(r.sku, "A");
    ck_assert_int_eq(r.on_hand, 10);
    ck_assert_int_eq(r.version, 1);
    ck_assert_int_gt(r.updated_ms, 0);

    st_stock_set a = stock_write_of("A", ST_STOCK_ADJUST, 5, 0);
    ck_assert_msg(stock_write(s, &a, 1) == 0, "%s", err);
    ck_assert_int_eq(a.after.on_hand, 15);
    ck_assert_int_eq(a.after.version, 2);
    a = stock_write_of("A", ST_STOCK_ADJUST, -12, 0);
    a.low_threshold = 2;
    ck_assert_msg(stock_write(s, &a, 1) == 0, "%s", err);
    ck_assert_int_eq(a.after.on_hand, 3);
    ck_assert_int_eq(a.after.low_threshold, 2);
    a = stock_write_of("A", ST_STOCK_SET, 8, 3); /* expect_version = the current one */
    ck_assert_msg(stock_write(s, &a, 1) == 0, "%s", err);
    r = stock_of(s, "A");
    ck_assert_int_eq(r.on_hand, 8);
    ck_assert_int_eq(r.low_threshold, 2); /* -2 kept it */
    ck_assert_int_eq(r.version, 4);
    a = stock_write_of("A", ST_STOCK_SET, 8, 0);
    a.low_threshold = -1;
    ck_assert_msg(stock_write(s, &a, 1) == 0, "%s", err);
    ck_assert_int_eq(stock_of(s, "A").low_threshold, -1);

    /* Malformed writes and moves are refused before any SQL. */
    st_stock_set bad[] = {stock_write_of("", ST_STOCK_SET, 1, 0),
                          stock_write_of("A", 0, 1, 0),
                          stock_write_of("A", ST_STOCK_SET, ST_STOCK_QTY_MAX + 1, 0),
                          stock_write_of("A", ST_STOCK_ADJUST, -ST_STOCK_QTY_MAX - 1, 0),
                          stock_write_of("A", ST_STOCK_SET, 1, -1)};
    bad[4].expect_version = -1;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_int_eq(stock_write(s, &bad[i], 1), -1);
    st_stock_set longsku = stock_write_of("A", ST_STOCK_SET, 1, 0);
    memset(longsku.sku, 'x', sizeof(longsku.sku));
    ck_assert_int_eq(stock_write(s, &longsku, 1), -1);
    st_stock_move badm[] = {move_of("A", ST_STOCK_RESERVE, 0),
                            move_of("A", ST_STOCK_RESERVE, ST_STOCK_QTY_MAX + 1),
                            move_of("A", 0, 1), move_of("A", ST_STOCK_RESTOCK + 1, 1),
                            move_of("", ST_STOCK_RESERVE, 1)};
    badm[4].seller_id[0] = '\0';
    for (size_t i = 0; i < sizeof(badm) / sizeof(badm[0]); i++)
        ck_assert_int_eq(stock_move(s, &badm[i], 1, 0), -1);
    st_unit nolist = {.stock_move_count = 1};
    ck_assert_int_eq(store_commit(s, &nolist, err, sizeof(err)), -1);
    ck_assert_int_eq(stock_of(s, "A").version, 5);
    ck_assert_int_eq(store_stock_get(s, SELLER, NULL, &r, err, sizeof(err)), -1);
    store_close(s);
}
END_TEST

START_TEST(stock_version_conflict)
{
    store *s = open_store(1, 0);
    stock_put(s, "A", 10, -1);
    stock_put(s, "B", 10, -1);
    /* The first write would succeed: the unit is rolled back whole. */
    st_stock_set w[2] = {stock_write_of("B", ST_STOCK_SET, 1, 0),
                         stock_write_of("A", ST_STOCK_SET, 5, 2)};
    ck_assert_int_eq(stock_write(s, w, 2), ST_ECONFLICT);
    ck_assert_int_eq(w[0].failed, 0);
    ck_assert_int_eq(w[1].failed, 1);
    ck_assert_int_eq(w[1].after.version, 1);
    ck_assert_int_eq(w[1].after.on_hand, 10);
    ck_assert_int_eq(stock_of(s, "A").on_hand, 10);
    ck_assert_int_eq(stock_of(s, "B").on_hand, 10);
    ck_assert_int_eq(stock_of(s, "B").version, 1);

    st_stock_set absent = stock_write_of("C", ST_STOCK_SET, 5, 1);
    ck_assert_int_eq(stock_write(s, &absent, 1), ST_ECONFLICT);
    ck_assert_int_eq(absent.failed, 1);
    ck_assert_int_eq(absent.after.version, 0);
    st_stock r;
    ck_assert_int_eq(store_stock_get(s, SELLER, "C", &r, err, sizeof(err)), 1);

    st_stock_set ok = stock_write_of("A", ST_STOCK_ADJUST, 1, 1);
    ck_assert_msg(stock_write(s, &ok, 1) == 0, "%s", err);
    ck_assert_int_eq(ok.after.version, 2);
    store_close(s);
}
END_TEST

START_TEST(stock_out_of_range)
{
    store *s = open_store(1, 0);
    stock_put(s, "A", 10, -1);
    stock_put(s, "B", 2, -1);
    st_stock_move m = move_of("A", ST_STOCK_RESERVE, 4);
    ck_assert_msg(stock_move(s, &m, 1, 0) == 0, "%s", err);

    /* Below reserved: a set and an adjustment. */
    st_stock_set w = stock_write_of("A", ST_STOCK_SET, 3, 0);
    ck_assert_int_eq(stock_write(s, &w, 1), ST_ERANGE);
    ck_assert_int_eq(w.failed, 1);
    ck_assert_int_eq(w.after.reserved, 4);
    ck_assert_int_eq(w.after.on_hand, 10);
    w = stock_write_of("A", ST_STOCK_ADJUST, -7, 0);
    ck_assert_int_eq(stock_write(s, &w, 1), ST_ERANGE);
    ck_assert_int_eq(w.failed, 1);
    /* Below 0: an existing record and a new one. */
    w = stock_write_of("B", ST_STOCK_ADJUST, -3, 0);
    ck_assert_int_eq(stock_write(s, &w, 1), ST_ERANGE);
    ck_assert_int_eq(w.failed, 1);
    w = stock_write_of("N", ST_STOCK_ADJUST, -1, 0);
    ck_assert_int_eq(stock_write(s, &w, 1), ST_ERANGE);
    ck_assert_int_eq(w.failed, 1);
    st_stock r;
    ck_assert_int_eq(store_stock_get(s, SELLER, "N", &r, err, sizeof(err)), 1);
    /* Above the most a record holds. */
    w = stock_write_of("A", ST_STOCK_ADJUST, ST_STOCK_QTY_MAX, 0);
    ck_assert_int_eq(stock_write(s, &w, 1), ST_ERANGE);

    /* Moves: releasing or selling more than reserved, restocking past the maximum. */
    m = move_of("A", ST_STOCK_RELEASE, 5);
    ck_assert_int_eq(stock_move(s, &m, 1, 0), ST_ERANGE);
    m = move_of("A", ST_STOCK_SELL, 5);
    ck_assert_int_eq(stock_move(s, &m, 1, 0), ST_ERANGE);
    m = move_of("A", ST_STOCK_RESTOCK, ST_STOCK_QTY_MAX - 9);
    ck_assert_int_eq(stock_move(s, &m, 1, 0), ST_ERANGE);
    r = stock_of(s, "A");
    ck_assert_int_eq(r.on_hand, 10);
    ck_assert_int_eq(r.reserved, 4);
    ck_assert_int_eq(r.version, 2);
    ck_assert_int_eq(stock_of(s, "B").on_hand, 2);

    /* Exactly down to reserved, exactly up to the maximum. */
    w = stock_write_of("A", ST_STOCK_ADJUST, -6, 0);
    ck_assert_msg(stock_write(s, &w, 1) == 0, "%s", err);
    ck_assert_int_eq(w.after.on_hand, 4);
    m = move_of("A", ST_STOCK_RESTOCK, ST_STOCK_QTY_MAX - 4);
    ck_assert_msg(stock_move(s, &m, 1, 0) == 0, "%s", err);
    ck_assert_int_eq(stock_of(s, "A").on_hand, ST_STOCK_QTY_MAX);
    store_close(s);
}
END_TEST

START_TEST(stock_reserve_exact_and_short)
{
    store *s = open_store(1, 0);
    stock_put(s, "A", 5, -1);
    stock_put(s, "B", 2, -1);
    stock_put(s, "C", 1, -1);

    st_order o;
    order_init(&o, "o-short", "placed");
    st_stock_move m[3] = {move_of("A", ST_STOCK_RESERVE, 5), move_of("B", ST_STOCK_RESERVE, 3),
                          move_of("C", ST_STOCK_RESERVE, 2)};
    report r = {0};
    st_unit u = {.order = &o, .stock_moves = m, .stock_move_count = 3, .done = on_done,
                 .arg = &r};
    ck_assert_int_eq(store_commit(s, &u, err, sizeof(err)), ST_ESHORT);
    ck_assert_int_eq(r.rc, ST_ESHORT);
    ck_assert(r.error[0] != '\0');
    ck_assert_int_eq(m[0].is_short, 0);
    ck_assert_int_eq(m[1].is_short, 1);
    ck_assert_int_eq(m[1].available, 2);
    ck_assert_int_eq(m[2].is_short, 1);
    ck_assert_int_eq(m[2].available, 1);
    ck_assert_int_eq(o.version, 0);
    st_order back;
    ck_assert_int_eq(store_order_get(s, "o-short", &back, err, sizeof(err)), 1);
    const char *skus[] = {"A", "B", "C"};
    for (int i = 0; i < 3; i++) {
        st_stock k = stock_of(s, skus[i]);
        ck_assert_int_eq(k.reserved, 0);
        ck_assert_int_eq(k.version, 1);
    }

    /* The exact fit commits and leaves nothing available. */
    st_stock_move exact = move_of("A", ST_STOCK_RESERVE, 5);
    st_unit u2 = {.order = &o, .stock_moves = &exact, .stock_move_count = 1};
    ck_assert_msg(store_commit(s, &u2, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(exact.is_short, 0);
    ck_assert_int_eq(exact.available, 0);
    ck_assert_int_eq(stock_of(s, "A").reserved, 5);
    ck_assert_int_eq(store_order_get(s, "o-short", &back, err, sizeof(err)), 0);
    st_order_clear(&back);
    st_stock_move more = move_of("A", ST_STOCK_RESERVE, 1);
    ck_assert_int_eq(stock_move(s, &more, 1, 0), ST_ESHORT);
    ck_assert_int_eq(more.is_short, 1);
    ck_assert_int_eq(more.available, 0);
    store_close(s);
}
END_TEST

START_TEST(stock_untracked_skipped_or_refused)
{
    store *s = open_store(1, 0);
    stock_put(s, "A", 5, 2);
    st_stock_move m[2] = {move_of("A", ST_STOCK_RESERVE, 1), move_of("X", ST_STOCK_RESERVE, 3)};
    ck_assert_msg(stock_move(s, m, 2, 0) == 0, "%s", err);
    ck_assert_int_eq(m[0].untracked, 0);
    ck_assert_int_eq(m[0].available, 4);
    ck_assert_int_eq(m[0].low_threshold, 2);
    ck_assert_int_eq(m[1].untracked, 1);
    ck_assert_int_eq(m[1].is_short, 0);
    ck_assert_int_eq(m[1].available, 0);
    ck_assert_int_eq(m[1].low_threshold, -1);
    st_stock r;
    ck_assert_int_eq(store_stock_get(s, SELLER, "X", &r, err, sizeof(err)), 1);

    m[0] = move_of("A", ST_STOCK_RESERVE, 1);
    m[1] = move_of("X", ST_STOCK_RESERVE, 3);
    ck_assert_int_eq(stock_move(s, m, 2, 1), ST_ESHORT);
    ck_assert_int_eq(m[0].is_short, 0);
    ck_assert_int_eq(m[1].untracked, 1);
    ck_assert_int_eq(m[1].is_short, 1);
    ck_assert_int_eq(m[1].available, 0);
    ck_assert_int_eq(stock_of(s, "A").reserved, 1);

    /* Only a RESERVE is refused: the other moves of an untracked SKU are skipped. */
    st_stock_move other[3] = {move_of("X", ST_STOCK_RELEASE, 1), move_of("X", ST_STOCK_SELL, 1),
                              move_of("X", ST_STOCK_RESTOCK, 1)};
    ck_assert_msg(stock_move(s, other, 3, 1) == 0, "%s", err);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(other[i].untracked, 1);
    ck_assert_int_eq(store_stock_get(s, SELLER, "X", &r, err, sizeof(err)), 1);
    store_close(s);
}
END_TEST

START_TEST(stock_moves_arithmetic)
{
    store *s = open_store(1, 0);
    stock_put(s, "A", 10, 4);
    struct {
        st_stock_op op;
        int64_t qty, on_hand, reserved;
    } steps[] = {{ST_STOCK_RESERVE, 3, 10, 3},
                 {ST_STOCK_RELEASE, 1, 10, 2},
                 {ST_STOCK_SELL, 2, 8, 0},
                 {ST_STOCK_RESTOCK, 5, 13, 0},
                 {ST_STOCK_RESERVE, 13, 13, 13},
                 {ST_STOCK_SELL, 13, 0, 0}};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        st_stock_move m = move_of("A", steps[i].op, steps[i].qty);
        ck_assert_msg(stock_move(s, &m, 1, 0) == 0, "step %zu: %s", i, err);
        ck_assert_int_eq(m.untracked, 0);
        ck_assert_int_eq(m.available, steps[i].on_hand - steps[i].reserved);
        ck_assert_int_eq(m.low_threshold, 4);
        st_stock r = stock_of(s, "A");
        ck_assert_int_eq(r.on_hand, steps[i].on_hand);
        ck_assert_int_eq(r.reserved, steps[i].reserved);
        ck_assert_int_eq(r.version, (int64_t)i + 2);
    }
    /* Two moves of one SKU in one unit apply in turn. */
    st_stock_move two[2] = {move_of("A", ST_STOCK_RESTOCK, 2), move_of("A", ST_STOCK_RESERVE, 2)};
    ck_assert_msg(stock_move(s, two, 2, 0) == 0, "%s", err);
    ck_assert_int_eq(two[1].available, 0);
    ck_assert_int_eq(stock_of(s, "A").version, 9);
    store_close(s);
}
END_TEST

START_TEST(stock_list_pages_and_low)
{
    store *s = open_store(1, 0);
    char sku[16];
    for (int i = 6; i >= 0; i--) { /* written out of order: listed by SKU */
        snprintf(sku, sizeof(sku), "sku-%d", i);
        stock_put(s, sku, 10, i % 2 == 0 ? 5 : -1);
    }
    st_stock_set other = stock_write_of("sku-0", ST_STOCK_SET, 1, 0);
    snprintf(other.seller_id, sizeof(other.seller_id), "seller-2");
    other.low_threshold = 5;
    ck_assert_msg(stock_write(s, &other, 1) == 0, "%s", err);
    st_stock_move m[2] = {move_of("sku-2", ST_STOCK_RESERVE, 6), move_of("sku-3", ST_STOCK_RESERVE, 9)};
    ck_assert_msg(stock_move(s, m, 2, 0) == 0, "%s", err);

    st_stock *page = NULL;
    size_t n = 0;
    char after[ST_SKU_MAX] = "";
    int seen = 0;
    for (int round = 0; round < 4; round++) {
        ck_assert_int_eq(store_stock_list(s, SELLER, after, 0, 3, &page, &n, err, sizeof(err)),
                         0);
        ck_assert_uint_eq(n, round < 2 ? 3 : round == 2 ? 1 : 0);
        for (size_t i = 0; i < n; i++) {
            snprintf(sku, sizeof(sku), "sku-%d", seen++);
            ck_assert_str_eq(page[i].sku, sku);
            ck_assert_str_eq(page[i].seller_id, SELLER);
        }
        if (n > 0)
            snprintf(after, sizeof(after), "%s", page[n - 1].sku);
        else
            ck_assert_ptr_null(page);
        free(page);
    }
    ck_assert_int_eq(seen, 7);

    /* Low: available below the threshold (sku-2: 4 < 5); sku-3 has none (available 1). */
    ck_assert_int_eq(store_stock_list(s, SELLER, NULL, 1, 10, &page, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(page[0].sku, "sku-2");
    ck_assert_int_eq(page[0].reserved, 6);
    free(page);
    ck_assert_int_eq(store_stock_list(s, "seller-2", "", 1, 10, &page, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(page[0].on_hand, 1);
    free(page);

    char longid[ST_ID_MAX + ST_SKU_MAX]; /* too long for a seller_id and for a SKU */
    memset(longid, 'x', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = '\0';
    ck_assert_int_eq(store_stock_list(s, SELLER, NULL, 0, 0, &page, &n, err, sizeof(err)),
                     ST_EINVAL);
    ck_assert_int_eq(store_stock_list(s, SELLER, NULL, 0, ST_LIST_MAX + 1, &page, &n, err,
                                      sizeof(err)), ST_EINVAL);
    ck_assert_int_eq(store_stock_list(s, longid, NULL, 0, 5, &page, &n, err, sizeof(err)),
                     ST_EINVAL);
    ck_assert_int_eq(store_stock_list(s, SELLER, longid, 0, 5, &page, &n, err, sizeof(err)),
                     ST_EINVAL);
    ck_assert_int_eq(store_stock_list(NULL, SELLER, NULL, 0, 5, &page, &n, err, sizeof(err)), -1);
    store_close(s);
}
END_TEST

/* 8 threads race for the 100 units of one SKU, one unit (an order and its RESERVE) each. */
#define STOCK_THREADS 8
#define STOCK_UNITS 50

static pthread_mutex_t stock_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stock_cv = PTHREAD_COND_INITIALIZER;
static int stock_ok, stock_short, stock_other;

static void stock_done(void *arg, int rc, const char *error)
{
    (void)arg;
    (void)error;
    pthread_mutex_lock(&stock_mu);
    if (rc == 0)
        stock_ok++;
    else if (rc == ST_ESHORT)
        stock_short++;
    else
        stock_other++;
    pthread_cond_broadcast(&stock_cv);
    pthread_mutex_unlock(&stock_mu);
}

typedef struct stock_racer {
    store *s;
    int index;
    int failed;
    st_unit units[STOCK_UNITS];
    st_order orders[STOCK_UNITS];
    st_stock_move moves[STOCK_UNITS];
} stock_racer;

static void *stock_race(void *arg)
{
    stock_racer *t = arg;
    for (int k = 0; k < STOCK_UNITS; k++) {
        char id[32];
        snprintf(id, sizeof(id), "race-%d-%d", t->index, k);
        order_init(&t->orders[k], id, "placed");
        t->moves[k] = move_of("hot", ST_STOCK_RESERVE, 1);
        t->units[k] = (st_unit){.order = &t->orders[k], .stock_moves = &t->moves[k],
                                .stock_move_count = 1, .done = stock_done};
        if (store_submit(t->s, &t->units[k]) != 0)
            t->failed = 1;
    }
    return NULL;
}

START_TEST(stock_concurrent_reserves_never_oversell)
{
    store *s = open_store(0, 0);
    stock_put(s, "hot", 100, -1);
    stock_ok = stock_short = stock_other = 0;
    stock_racer *t = calloc(STOCK_THREADS, sizeof(*t));
    ck_assert_ptr_nonnull(t);
    pthread_t th[STOCK_THREADS];
    for (int i = 0; i < STOCK_THREADS; i++) {
        t[i].s = s;
        t[i].index = i;
        ck_assert_int_eq(pthread_create(&th[i], NULL, stock_race, &t[i]), 0);
    }
    for (int i = 0; i < STOCK_THREADS; i++) {
        pthread_join(th[i], NULL);
        ck_assert(!t[i].failed);
    }
    pthread_mutex_lock(&stock_mu);
    while (stock_ok + stock_short + stock_other < STOCK_THREADS * STOCK_UNITS)
        pthread_cond_wait(&stock_cv, &stock_mu);
    pthread_mutex_unlock(&stock_mu);
    ck_assert_int_eq(stock_ok, 100);
    ck_assert_int_eq(stock_short, STOCK_THREADS * STOCK_UNITS - 100);
    ck_assert_int_eq(stock_other, 0);

    st_stock r = stock_of(s, "hot");
    ck_assert_int_eq(r.on_hand, 100);
    ck_assert_int_eq(r.reserved, 100);
    ck_assert_int_eq(r.version, 101);
    st_counts c;
    ck_assert_msg(store_counts(s, &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(c.orders, 100);
    int committed = 0;
    for (int i = 0; i < STOCK_THREADS; i++) {
        for (int k = 0; k < STOCK_UNITS; k++) {
            committed += t[i].orders[k].version == 1;
            ck_assert_int_eq(t[i].moves[k].is_short, t[i].orders[k].version == 0);
        }
    }
    ck_assert_int_eq(committed, 100);
    free(t);
    store_close(s);
}
END_TEST

static Suite *store_suite(const char *driver)
{
    static char name[64];
    snprintf(name, sizeof(name), "store (%s)", driver);
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(driver);
    tcase_add_checked_fixture(tc, store_setup, store_teardown);
    tcase_add_test(tc, reopen_keeps_data);
    tcase_add_test(tc, bad_options_refused);
    tcase_add_test(tc, unit_commits_atomically_ids_written_back);
    tcase_add_test(tc, conflict_writes_nothing_rest_of_batch_commits);
    tcase_add_test(tc, invalid_units_refused);
    tcase_add_test(tc, duplicate_idempotency_key);
    tcase_add_test(tc, duplicate_action_key_skipped);
    tcase_add_test(tc, action_updates_and_dead_letters);
    tcase_add_test(tc, claim_due_only_and_lease_expiry);
    tcase_add_test(tc, expired_lease_counts_only_when_sent);
    tcase_add_test(tc, sending_and_renew_need_the_lease);
    tcase_add_test(tc, claim_for_takes_expired_within_max);
    tcase_add_test(tc, concurrent_claimers_never_share);
    tcase_add_test(tc, timers_claimed_replaced_cancelled_fired);
    tcase_add_test(tc, timer_lease_expiry_reclaimable);
    tcase_add_test(tc, replaced_timer_not_fired_under_old_lease);
    tcase_add_test(tc, two_stores_never_claim_one_timer);
    tcase_add_test(tc, next_due);
    tcase_add_test(tc, commit_from_done_refused);
    tcase_add_test(tc, concurrent_submitters_group_commit);
    tcase_add_test(tc, close_commits_queued_units);
    tcase_add_test(tc, created_by_written_on_insert_only);
    tcase_add_test(tc, list_orders_filters_and_pages);
    tcase_add_test(tc, list_cursor_is_a_position);
    tcase_add_test(tc, list_bad_arguments_refused);
    tcase_add_test(tc, action_replay);
    tcase_add_test(tc, counts);
    tcase_add_test(tc, tracking_and_documents);
    tcase_add_test(tc, stock_set_adjust_get);
    tcase_add_test(tc, stock_version_conflict);
    tcase_add_test(tc, stock_out_of_range);
    tcase_add_test(tc, stock_reserve_exact_and_short);
    tcase_add_test(tc, stock_untracked_skipped_or_refused);
    tcase_add_test(tc, stock_moves_arithmetic);
    tcase_add_test(tc, stock_list_pages_and_low);
    tcase_add_test(tc, stock_concurrent_reserves_never_oversell);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return store_suites_run(store_suite);
}
