/*
 * check_engine - the whole engine for real: a SQLite file, the executor over loopback, the
 * sandbox plugins, and the sandbox remote answering like a gateway and a carrier.
 */
#include "config.h"

#include "engine_fixture.h"
#include "executor/executor.h"
#include "support/http_server.h"
#include "testutil.h"

#include <check.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


START_TEST(main_path_to_completed)
{
    ef_start_hub(0, NULL);
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("ord-1", 2599), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_str_eq(w.state, "awaiting_payment");
    ck_assert_msg(wait_state("ord-1", "awaiting_shipment", 10000), "not authorized");
    char err[512];
    ck_assert_int_eq(input("ord-1", "pack", NULL, err, sizeof(err)), ENG_EREFUSED);
    ck_assert_msg(strstr(err, "has not acknowledged") != NULL, "%s", err);
    ck_assert_int_eq(input("ord-1", "acknowledge", NULL, NULL, 0), 0);
    json_t *parcels = json_pack("{s:[{s:i}]}", "parcels", "weight_g", 450);
    ck_assert_int_eq(input("ord-1", "pack", parcels, NULL, 0), 0);
    ck_assert_msg(wait_state("ord-1", "completed", 15000), "not completed: %s",
                  timeline("ord-1"));
    char *t = timeline("ord-1");
    ck_assert_msg(strstr(t, "order.placed order.validated inventory.reserved payment.authorized "
                            "order.confirmed order.acknowledged fulfillment.packed "
                            "shipment.label_created") == t, "%s", t);
    ck_assert_msg(strstr(t, "shipment.delivered order.completed") != NULL, "%s", t);
    ck_assert_msg(strstr(t, "payment.captured") != NULL, "%s", t);
    free(t);
    /* Authorization and capture each reached the gateway once per idempotency key. */
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    int booked, requests;
    sr_counts(remote, &booked, &requests);
    ck_assert_int_eq(booked, 2);
    char path[512];
    snprintf(path, sizeof(path), "%s/timeline.jsonl", dir);
    char *log = tu_read(path);
    ck_assert_msg(log && strstr(log, "\"event\":\"shipment.delivered\""), "%s", log ? log : "");
    free(log);
}
END_TEST

START_TEST(decline_moves_to_payment_failed)
{
    ef_start_hub(0, NULL);
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("ord-2", 150000), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_msg(wait_state("ord-2", "payment_failed", 10000), "not declined");
    char *t = timeline("ord-2");
    ck_assert_msg(strstr(t, "payment.failed") != NULL, "%s", t);
    free(t);
    st_order o;
    char err[256];
    ck_assert_int_eq(store_order_get(h.store, "ord-2", &o, err, sizeof(err)), 0);
    ck_assert_msg(strstr(o.snapshot, "insufficient_funds") != NULL, "%s", o.snapshot);
    st_order_clear(&o);
}
END_TEST

START_TEST(filter_rejects_without_charging)
{
    ef_start_hub(0, NULL);
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("ord-3", 900000), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_str_eq(w.state, "rejected");
    ck_assert_int_eq(eng_wait_idle(h.engine, 3000), 0);
    int booked, requests;
    sr_counts(remote, &booked, &requests);
    ck_assert_int_eq(requests, 0);
    char *t = timeline("ord-3");
    ck_assert_str_eq(t, "order.placed order.rejected ");
    free(t);
    /* A second order with the same id is refused, and changes nothing. */
    waiter w2 = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("ord-3", 100), on_reply, &w2), 0);
    ck_assert_int_eq(wait_reply(&w2), ENG_EREFUSED);
    ck_assert_int_eq(input("nope", "acknowledge", NULL, NULL, 0), ENG_ENOTFOUND);
}
END_TEST

START_TEST(unreachable_gateway_dead_letters)
{
    ef_start_hub(3, "http://127.0.0.1:1/sandbox/payments");
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("ord-4", 1000), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    st_action *dead = NULL;
    size_t n = 0;
    char err[256];
    for (int i = 0; i < 200 && n == 0; i++) {
        usleep(25000);
        st_actions_free(dead, n);
        dead = NULL;
        ck_assert_int_eq(store_actions_dead(h.store, &dead, &n, err, sizeof(err)), 0);
    }
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(dead[0].operation, "authorize");
    ck_assert_int_eq(dead[0].attempts, 3);
    ck_assert_msg(dead[0].last_error[0] != '\0', "no error kept");
    st_actions_free(dead, n);
    ck_assert(wait_state("ord-4", "awaiting_payment", 100));
}
END_TEST

/* Dead actions for `order_id` once one appears (or after ~5 s): `*n` of them. */
static st_action *dead_for(const char *order_id, size_t *n)
{
    for (int i = 0; i < 200; i++) {
        st_action *dead = NULL;
        size_t all = 0, k = 0;
        char err[256];
        ck_assert_int_eq(store_actions_dead(h.store, &dead, &all, err, sizeof(err)), 0);
        for (size_t j = 0; j < all; j++) {
            if (strcmp(dead[j].order_id, order_id) == 0)
                dead[k++] = dead[j]; /* payload ownership moves with the copy */
            else
                free(dead[j].payload);
        }
        if (k > 0) {
            *n = k;
            return dead;
        }
        free(dead);
        usleep(25000);
    }
    *n = 0;
    return NULL;
}

/*
 * A carrier named at packing that the configuration does not have as a carrier (the API
 * refuses it, but a reload may remove it in between): the label action goes out and is
 * dead-lettered, visible and replayable, instead of the order waiting for nothing.
 */
START_TEST(packed_for_missing_carrier_dead_letters)
{
    ef_start_hub(2, NULL);
    static const char *const named[] = {"nosuch", "pay"};
    for (size_t i = 0; i < 2; i++) {
        char id[32];
        snprintf(id, sizeof(id), "ord-gone-%zu", i);
        waiter w = WAITER;
        ck_assert_int_eq(eng_place(h.engine, sample_order(id, 1000), on_reply, &w), 0);
        ck_assert_int_eq(wait_reply(&w), 0);
        ck_assert_msg(wait_state(id, "awaiting_shipment", 10000), "%s not paid", id);
        ck_assert_int_eq(input(id, "acknowledge", NULL, NULL, 0), 0);
        ck_assert_int_eq(input(id, "pack", json_pack("{s:s}", "carrier", named[i]), NULL, 0), 0);
        size_t n = 0;
        st_action *dead = dead_for(id, &n);
        ck_assert_msg(n == 1, "%s: packed for '%s': %zu dead actions", id, named[i], n);
        ck_assert_str_eq(dead[0].instance, named[i]);
        ck_assert_str_eq(dead[0].operation, "label");
        ck_assert_msg(dead[0].last_error[0] != '\0', "no error kept");
        st_actions_free(dead, n);
    }
}
END_TEST

/*
 * A captive portal answering the gateway's URL with a 200 HTML page: the payment plugin
 * (whose requests name no Accept type) must not parse it; the action is retried by the
 * normal policy and dead-lettered with the reason.
 */
START_TEST(html_portal_page_is_retried_not_parsed)
{
    hs_server *portal = hs_start();
    ck_assert_ptr_nonnull(portal);
    const char *html[] = {"Content-Type", "text/html", NULL};
    hs_route_set(portal, "/", &(hs_route){.body = "<html><body>{\"status\":\"authorized\"}"
                                                  "</body></html>", .headers = html});
    char *url = hs_url(portal, "/sandbox/payments");
    ef_start_hub(2, url);
    free(url);
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("ord-html", 1000), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    size_t n = 0;
    st_action *dead = dead_for("ord-html", &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(dead[0].attempts, 2);
    ck_assert_msg(strstr(dead[0].last_error, EX_HTML_ANSWER_ERROR) != NULL, "last error: %s",
                  dead[0].last_error);
    st_actions_free(dead, n);
    ck_assert_uint_eq(hs_hits(portal, "/"), 2);
    ck_assert(wait_state("ord-html", "awaiting_payment", 100));
    hs_stop(portal); /* nothing in flight: both attempts are over */
}
END_TEST

/* One integer from the stopped hub's database file. */
static int64_t db_int(const char *sql)
{
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "%s/hub.db", dir), 0);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(path);
    return v;
}

/*
 * A daemon stopping with authorizations waiting in its queue (the gateway is slow) puts them
 * back to pending without counting an attempt: only requests that left count (D2).
 */
START_TEST(stop_with_queued_actions_counts_only_sent)
{
    sr_stop(remote);
    setenv("ORDERHUB_SANDBOX_PAYMENT_DELAY_MS", "600", 1);
    remote = sr_start(0, 150);
    unsetenv("ORDERHUB_SANDBOX_PAYMENT_DELAY_MS");
    ck_assert_ptr_nonnull(remote);
    ef_start_hub(8, NULL);
    enum { ORDERS = 12 };
    for (int i = 0; i < ORDERS; i++) {
        char id[32];
        snprintf(id, sizeof(id), "ord-q%d", i);
        waiter w = WAITER;
        ck_assert_int_eq(eng_place(h.engine, sample_order(id, 1000), on_reply, &w), 0);
        ck_assert_int_eq(wait_reply(&w), 0);
    }
    /* The first 4 (the queue's concurrency) reach the gateway; 4 more wait behind them. */
    int booked = 0, requests = 0;
    for (int i = 0; i < 250 && requests < 4; i++) {
        usleep(20000);
        sr_counts(remote, &booked, &requests);
    }
    ck_assert_int_ge(requests, 4);
    usleep(100000);
    hub_stop(&h);
    sr_counts(remote, &booked, &requests);
    int64_t attempts = db_int("SELECT sum(attempts) FROM actions WHERE operation = 'authorize'");
    int64_t kept = db_int("SELECT count(*) FROM actions WHERE operation = 'authorize' AND "
                          "status = 0 AND attempts = 0");
    ck_assert_msg(attempts <= requests, "%lld attempts counted for %d requests sent",
                  (long long)attempts, requests);
    ck_assert_int_ge(kept, ORDERS - requests);
    ck_assert_int_eq(db_int("SELECT count(*) FROM actions WHERE status = 3"), 0);
    ck_assert_int_eq(db_int("SELECT count(*) FROM actions WHERE status = 1"), 0);
}
END_TEST

/*
 * Replay an order's journal through the state machine: every event's input must be legal
 * in the state the previous events left, and lead to the state the event recorded.
 */
static void check_journal_replays(const char *id)
{
    st_event *ev = NULL;
    size_t n = 0;
    char err[256];
    ck_assert_int_eq(store_events(h.store, id, &ev, &n, err, sizeof(err)), 0);
    char state[64] = "", last_input[64] = "";
    int64_t last_seq = 0;
    lc_facts facts = {0};
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(ev[i].seq > last_seq, "%s: seq not increasing", id);
        last_seq = ev[i].seq;
        json_t *data = json_loads(ev[i].data, 0, NULL);
        const char *input = json_string_value(json_object_get(data, "input"));
        const char *recorded = json_string_value(json_object_get(data, "state"));
        ck_assert_ptr_nonnull(input);
        /* One input journals several events: step once per input. */
        if (strcmp(last_input, input) != 0 ||
            strcmp(recorded, state) != 0) {
            const char *next = NULL;
            char why[512];
            ck_assert_msg(lc_step(LC_ORDER, state, input, &facts, &next, why, sizeof(why)),
                          "%s: journal step %s from %s is illegal: %s", id, input, state, why);
            snprintf(state, sizeof(state), "%s", next);
            if (strcmp(input, "acknowledge") == 0)
                facts.acknowledged = 1;
        }
        ck_assert_msg(strcmp(recorded, state) == 0, "%s: event %s says %s, replay says %s", id,
                      ev[i].name, recorded, state);
        snprintf(last_input, sizeof(last_input), "%s", input);
        json_decref(data);
    }
    st_events_free(ev, n);
}

START_TEST(many_orders_in_parallel)
{
    ef_start_hub(0, NULL);
    enum { N = 60 };
    waiter w[N];
    char id[N][32];
    for (int i = 0; i < N; i++) {
        w[i] = (waiter)WAITER;
        snprintf(id[i], sizeof(id[i]), "par-%d", i);
        ck_assert_int_eq(eng_place(h.engine, sample_order(id[i], 1000 + i), on_reply, &w[i]), 0);
    }
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(wait_reply(&w[i]), 0);
    for (int i = 0; i < N; i++) {
        ck_assert_msg(wait_state(id[i], "awaiting_shipment", 10000), "%s not paid", id[i]);
        ck_assert_int_eq(input(id[i], "acknowledge", NULL, NULL, 0), 0);
        ck_assert_int_eq(input(id[i], "pack", NULL, NULL, 0), 0);
    }
    for (int i = 0; i < N; i++) {
        ck_assert_msg(wait_state(id[i], "completed", 20000), "%s: %s", id[i], timeline(id[i]));
        check_journal_replays(id[i]);
    }
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    int booked, requests;
    sr_counts(remote, &booked, &requests);
    ck_assert_int_eq(booked, 2 * N); /* one authorization and one capture per order */
}
END_TEST

/* Routing order.confirmed to the gateway captures at once, before any label. */
START_TEST(capture_at_once_when_routed_on_confirmation)
{
    ef_start_hub_with(0, NULL, "\"limits\", \"pay\"", "order.confirmed");
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("cap-1", 1500), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_msg(wait_state("cap-1", "awaiting_shipment", 10000), "not paid");
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    char *t = timeline("cap-1");
    ck_assert_msg(strstr(t, "payment.authorized") != NULL && strstr(t, "payment.captured") != NULL &&
                      strstr(t, "shipment.label_created") == NULL,
                  "%s", t);
    free(t);
}
END_TEST

START_TEST(return_refunded_after_inspection)
{
    ef_start_hub(0, NULL);
    complete_order("ret-1", 2599);
    char err[512];
    /* A return can only be asked for once delivered; this one is: request it. */
    json_t *req = json_pack("{s:s, s:[s]}", "reason", "arrived cracked", "skus", "MUG-1");
    ck_assert_int_eq(input("ret-1", "return.request", req, err, sizeof(err)), 0);
    ck_assert_int_eq(input("ret-1", "return.received", json_pack("{s:s}", "return_id", "ret-1"),
                           err, sizeof(err)), ENG_EREFUSED);
    ck_assert_msg(strstr(err, "'received' is not allowed in state 'requested'"), "%s", err);
    ck_assert_int_eq(input("ret-1", "return.approve", json_pack("{s:s}", "return_id", "ret-1"),
                           err, sizeof(err)), 0);
    /* The carrier's return label arrives by itself. */
    ck_assert_msg(wait_sub_state("ret-1", "returns", "ret-1", "label_issued"), "no label");
    ck_assert_int_eq(input("ret-1", "return.received", json_pack("{s:s}", "return_id", "ret-1"),
                           err, sizeof(err)), 0);
    ck_assert_int_eq(input("ret-1", "return.inspected",
                           json_pack("{s:s, s:s}", "return_id", "ret-1", "outcome", "refund"),
                           err, sizeof(err)), 0);
    ck_assert_msg(wait_sub_state("ret-1", "returns", "ret-1", "refunded"), "not refunded");
    char *t = timeline("ret-1");
    ck_assert_msg(strstr(t, "return.requested return.approved return.label_created "
                            "return.received return.inspected return.refunded payment.refunded "
                            "inventory.restocked"), "%s", t);
    free(t);
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    int booked, requests;
    sr_counts(remote, &booked, &requests);
    ck_assert_int_eq(booked, 3); /* authorize, capture, refund */
    /* The payment keeps the authorization's transaction (a later partial refund needs it);
     * the refund's own id is kept beside it. */
    st_order o;
    ck_assert_int_eq(store_order_get(h.store, "ret-1", &o, err, sizeof(err)), 0);
    json_t *snap = json_loads(o.snapshot, 0, NULL);
    st_order_clear(&o);
    const json_t *pay = json_object_get(snap, "payment");
    const json_t *ret = json_object_get(json_object_get(snap, "returns"), "ret-1");
    const char *tx = json_string_value(json_object_get(pay, "transaction_id"));
    const char *refund = json_string_value(json_object_get(ret, "refund_id"));
    ck_assert_msg(tx != NULL && strstr(tx, "authorize") != NULL, "transaction_id %s", tx);
    ck_assert_msg(refund != NULL, "no refund_id in the return");
    ck_assert_ptr_null(json_object_get(ret, "transaction_id"));
    json_decref(snap);
}
END_TEST

START_TEST(return_refused_before_delivery_and_dispute_refund)
{
    ef_start_hub(0, NULL);
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("dis-1", 1500), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_msg(wait_state("dis-1", "awaiting_shipment", 10000), "not paid");
    char err[512];
    ck_assert_int_eq(input("dis-1", "return.request", NULL, err, sizeof(err)), ENG_EREFUSED);
    ck_assert_msg(strstr(err, "cannot be opened while the order is awaiting_shipment"), "%s",
                  err);
    ck_assert_int_eq(input("dis-1", "dispute.open", json_pack("{s:s}", "reason", "late"), err,
                           sizeof(err)), 0);
    ck_assert_int_eq(input("dis-1", "dispute.resolve",
                           json_pack("{s:s, s:s}", "dispute_id", "dis-1", "resolution", "refund"),
                           err, sizeof(err)), 0);
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    char *s = sub_state("dis-1", "disputes", "dis-1");
    ck_assert_str_eq(s, "resolved");
    free(s);
    int booked, requests;
    sr_counts(remote, &booked, &requests);
    ck_assert_int_eq(booked, 2); /* authorize, refund */
}
END_TEST

START_TEST(undecided_filter_retries_then_rejects)
{
    ef_start_hub_with(3, NULL, "\"judge\", \"pay\"", "shipment.label_created");
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("judge-1", 1000), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_str_eq(w.state, "placed");
    ck_assert_msg(wait_state("judge-1", "rejected", 10000), "%s", timeline("judge-1"));
    st_order o;
    char err[256];
    ck_assert_int_eq(store_order_get(h.store, "judge-1", &o, err, sizeof(err)), 0);
    ck_assert_msg(strstr(o.snapshot, "still undecided after 3 attempts"), "%s", o.snapshot);
    st_order_clear(&o);
    int booked, requests;
    sr_counts(remote, &booked, &requests);
    ck_assert_int_eq(requests, 0); /* never authorized */
}
END_TEST

/* A reload that brings a new gateway instance: its queue exists before its first action. */
START_TEST(reload_brings_new_instance_queues)
{
    ef_start_hub(0, NULL);
    char conf[2048];
    snprintf(conf, sizeof(conf),
             "store = { path = \"hub.db\"; };\n"
             "plugins = ( { id = \"pay2\"; module = \"payment_sandbox\"; settings = {\n"
             "  base_url = \"http://127.0.0.1:%u/sandbox/payments\"; api_key = \"sk_test\"; }; } );\n"
             "routes = ( { on = \"order.placed\"; chain = [\"pay2\"]; } );\n",
             sr_port(remote));
    hub_install(&h, ef_build("reload.conf", conf, 0));
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("rel-1", 1200), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_msg(wait_state("rel-1", "awaiting_shipment", 10000), "%s", timeline("rel-1"));
}
END_TEST

/* The notify_log line of `event` for `id` in dir/file, once written (~5 s); or NULL. */
static json_t *logged_in(const char *file, const char *id, const char *event)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    for (int i = 0; i < 250; i++) {
        char *text = tu_read(path);
        for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
            json_t *j = json_loads(line, 0, NULL);
            if (j && strcmp(json_string_value(json_object_get(j, "order_id")), id) == 0 &&
                strcmp(json_string_value(json_object_get(j, "event")), event) == 0) {
                free(text);
                return j;
            }
            json_decref(j);
        }
        free(text);
        usleep(20000);
    }
    return NULL;
}

static json_t *logged(const char *id, const char *event)
{
    return logged_in("timeline.jsonl", id, event);
}

/* How many times the order journaled `event`. */
static int journaled(const char *id, const char *event)
{
    char *t = timeline(id);
    int n = 0;
    size_t len = strlen(event);
    for (const char *p = t; (p = strstr(p, event)) != NULL; p += len)
        n += (p == t || p[-1] == ' ') && p[len] == ' ';
    free(t);
    return n;
}

/* Confirm order `id` and return the notify_log line of order.confirmed. */
static json_t *confirmed_line(const char *id)
{
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order(id, 1000), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_msg(wait_state(id, "awaiting_shipment", 10000), "%s not paid", id);
    json_t *line = logged(id, "order.confirmed");
    ck_assert_msg(line != NULL, "no order.confirmed notification for %s", id);
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    return line;
}

/* A route naming the buyer: the notifier gets the buyer's role and address; the seller
 * was not told, so no seller.notified. */
START_TEST(buyer_audience_route)
{
    ef_extra_routes = " { on = \"order.confirmed\"; chain = [\"timeline\"]; "
                      "audience = \"buyer\"; },\n";
    ef_start_hub(0, NULL);
    json_t *line = confirmed_line("aud-b");
    ck_assert_str_eq(json_string_value(json_object_get(line, "role")), "buyer");
    ck_assert_str_eq(json_string_value(json_object_get(line, "recipient")), "ada@example.test");
    json_decref(line);
    ck_assert_int_eq(journaled("aud-b", "seller.notified"), 0);
}
END_TEST

/* No audience named: the seller's role and address, as before audiences existed, but no
 * seller.notified (a plugin may pick its own recipient).  The seller named: seller.notified
 * once it settled, and the order goes on as before. */
START_TEST(seller_audience_route_journals_seller_notified)
{
    /* One instance takes one notification per event: the first route that reaches it wins
     * (the action's idempotency key), so the named route comes first and takes EUR only. */
    ef_extra_routes = " { on = \"order.confirmed\"; chain = [\"timeline\"]; "
                      "audience = \"seller\"; when = { currency = [\"EUR\"]; }; },\n"
                      " { on = \"order.confirmed\"; chain = [\"timeline\"]; },\n";
    ef_start_hub(0, NULL);
    json_t *line = confirmed_line("aud-u");
    ck_assert_str_eq(json_string_value(json_object_get(line, "role")), "seller");
    ck_assert_str_eq(json_string_value(json_object_get(line, "recipient")),
                     "seller@example.test");
    json_decref(line);
    ck_assert_int_eq(journaled("aud-u", "seller.notified"), 0);
    /* An EUR order takes the named route: the seller is told. */
    json_t *eur = sample_order("aud-s", 1000);
    json_object_set_new(eur, "currency", json_string("EUR"));
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, eur, on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_msg(wait_state("aud-s", "awaiting_shipment", 10000), "aud-s not paid");
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    char *t = timeline("aud-s");
    ck_assert_msg(journaled("aud-s", "seller.notified") == 1, "%s", t);
    ck_assert_msg(strstr(t, "order.confirmed seller.notified") != NULL, "%s", t);
    free(t);
    ck_assert(wait_state("aud-s", "awaiting_shipment", 100));
    ck_assert_int_eq(input("aud-s", "acknowledge", NULL, NULL, 0), 0);
}
END_TEST

/* An instance's audience applies where its route names none; a route's wins over it. */
START_TEST(instance_audience_and_route_override)
{
    ef_start_hub(0, NULL);
    char conf[2048];
    snprintf(conf, sizeof(conf),
             "store = { path = \"hub.db\"; };\n"
             "plugins = ( { id = \"pay\"; module = \"payment_sandbox\"; settings = {\n"
             "  base_url = \"http://127.0.0.1:%u/sandbox/payments\"; api_key = \"sk_test\"; }; },\n"
             " { id = \"to-buyer\"; module = \"notify_log\"; audience = \"buyer\";\n"
             "   settings = { path = \"%s/buyer.jsonl\"; }; },\n"
             " { id = \"overridden\"; module = \"notify_log\"; audience = \"buyer\";\n"
             "   settings = { path = \"%s/ops.jsonl\"; }; } );\n"
             "routes = ( { on = \"order.placed\"; chain = [\"pay\"]; },\n"
             " { on = \"order.confirmed\"; chain = [\"to-buyer\"]; },\n"
             " { on = \"order.confirmed\"; chain = [\"overridden\"]; audience = \"operator\"; } );\n",
             sr_port(remote), dir, dir);
    hub_install(&h, ef_build("audience.conf", conf, 0));
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("aud-i", 1000), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    json_t *line = logged_in("buyer.jsonl", "aud-i", "order.confirmed");
    ck_assert_msg(line != NULL, "no buyer notification: %s", timeline("aud-i"));
    ck_assert_str_eq(json_string_value(json_object_get(line, "role")), "buyer");
    ck_assert_str_eq(json_string_value(json_object_get(line, "recipient")), "ada@example.test");
    json_decref(line);
    line = logged_in("ops.jsonl", "aud-i", "order.confirmed");
    ck_assert_msg(line != NULL, "no operator notification");
    ck_assert_str_eq(json_string_value(json_object_get(line, "role")), "operator");
    ck_assert(json_is_null(json_object_get(line, "recipient")));
    json_decref(line);
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    ck_assert_int_eq(journaled("aud-i", "seller.notified"), 0);
}
END_TEST

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("engine");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, ef_setup, ef_teardown);
    tcase_add_test(tc, main_path_to_completed);
    tcase_add_test(tc, decline_moves_to_payment_failed);
    tcase_add_test(tc, filter_rejects_without_charging);
    tcase_add_test(tc, unreachable_gateway_dead_letters);
    tcase_add_test(tc, packed_for_missing_carrier_dead_letters);
    tcase_add_test(tc, html_portal_page_is_retried_not_parsed);
    tcase_add_test(tc, stop_with_queued_actions_counts_only_sent);
    tcase_add_test(tc, many_orders_in_parallel);
    tcase_add_test(tc, reload_brings_new_instance_queues);
    tcase_add_test(tc, return_refunded_after_inspection);
    tcase_add_test(tc, capture_at_once_when_routed_on_confirmation);
    tcase_add_test(tc, return_refused_before_delivery_and_dispute_refund);
    tcase_add_test(tc, undecided_filter_retries_then_rejects);
    tcase_add_test(tc, buyer_audience_route);
    tcase_add_test(tc, seller_audience_route_journals_seller_notified);
    tcase_add_test(tc, instance_audience_and_route_override);
    suite_add_tcase(s, tc);
    int rc = tu_run(s);
    curl_global_cleanup();
    return rc;
}
