/*
 * check_engine_timers - every lifecycle timer fired by the real engine, with durations of
 * seconds set in the configuration (sla = { ship_by = "2s"; ... }): the ship-by warning and
 * breach, the payment retry window, the delivery deadline with its refund, the return
 * window and a return's automatic approval; what a breach leaves on the order (its
 * deadline, listed as late) and the policy that cancels it.  Nothing here touches the
 * store to make a timer fall due; each test waits for it, and checks from the journal's
 * own times that it fell due no sooner than configured.
 */
#include "config.h"

#include "engine_fixture.h"
#include "testutil.h"

#include <check.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The order's snapshot member sla.`name` (an integer); -1 when absent. */
static int64_t sla_ms(const char *id, const char *name)
{
    st_order o;
    char err[256];
    ck_assert_int_eq(store_order_get(h.store, id, &o, err, sizeof(err)), 0);
    json_t *snap = json_loads(o.snapshot, 0, NULL);
    const json_t *v = json_object_get(json_object_get(snap, "sla"), name);
    int64_t at = json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
    json_decref(snap);
    st_order_clear(&o);
    return at;
}

/* 1 when a listing of late orders (by deadline, as of now) has order `id`. */
static int listed_late(const char *id)
{
    st_order_filter f = {.late_at_ms = now_ms(), .sort = ST_SORT_SHIP_BY};
    st_order_row *r = NULL;
    size_t n = 0;
    char next[ST_CURSOR_MAX], err[256];
    ck_assert_msg(store_orders_list(h.store, &f, NULL, ST_LIST_MAX, &r, &n, next, sizeof(next),
                                    err, sizeof(err)) == 0, "%s", err);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(r[i].id, id) == 0;
    free(r);
    return found;
}

/* The journal time of the order's first event `name`; -1 when it has none. */
static int64_t event_at(const char *id, const char *name)
{
    st_event *ev = NULL;
    size_t n = 0;
    char err[256];
    ck_assert_int_eq(store_events(h.store, id, &ev, &n, err, sizeof(err)), 0);
    int64_t at = -1;
    for (size_t i = 0; i < n && at < 0; i++)
        if (strcmp(ev[i].name, name) == 0)
            at = ev[i].at_ms;
    st_events_free(ev, n);
    return at;
}

/* Wait (at most timeout_ms) for the order's event `name`; its journal time, or -1. */
static int64_t wait_event(const char *id, const char *name, int64_t timeout_ms)
{
    for (int64_t waited = 0; waited <= timeout_ms; waited += 50) {
        int64_t at = event_at(id, name);
        if (at >= 0)
            return at;
        usleep(50000);
    }
    return -1;
}

static void place_paid(const char *id, int64_t total)
{
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order(id, total), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    ck_assert_msg(wait_state(id, "awaiting_shipment", 10000), "%s not paid: %s", id,
                  timeline(id));
}

/* Seller silent: a warning at three quarters of ship_by, the breach at all of it. */
START_TEST(ship_by_warning_then_breach)
{
    ef_extra_conf = "sla = { ship_by = \"2s\"; };\n";
    ef_start_hub(0, NULL);
    place_paid("sla-1", 1200);
    int64_t paid = event_at("sla-1", "payment.authorized");
    int64_t warned = wait_event("sla-1", "sla.ship_by_warning", 8000);
    int64_t breached = wait_event("sla-1", "sla.ship_by_breached", 8000);
    ck_assert_msg(warned > 0 && breached > 0, "%s", timeline("sla-1"));
    ck_assert_msg(warned - paid >= 1500, "warning after %lld ms", (long long)(warned - paid));
    ck_assert_msg(breached - paid >= 2000, "breach after %lld ms", (long long)(breached - paid));
    ck_assert_msg(breached >= warned, "breach before the warning");
}
END_TEST

/* The deadline is on the order from the authorization; the breach is recorded on it and
 * the order is listed late.  "record" (the default) changes nothing else. */
START_TEST(breach_recorded_and_listed_late)
{
    ef_extra_conf = "sla = { ship_by = \"2s\"; cancel_grace = \"1s\"; };\n";
    ef_start_hub(0, NULL);
    place_paid("sla-7", 1200);
    int64_t paid = event_at("sla-7", "payment.authorized");
    int64_t due = sla_ms("sla-7", "ship_by_ms");
    ck_assert_msg(due >= paid + 2000 && due < paid + 3000, "deadline %lld, paid %lld",
                  (long long)due, (long long)paid);
    ck_assert_int_eq(sla_ms("sla-7", "breached_ms"), -1);
    ck_assert(!listed_late("sla-7"));
    int64_t breached = wait_event("sla-7", "sla.ship_by_breached", 8000);
    ck_assert_msg(breached > 0, "%s", timeline("sla-7"));
    ck_assert_msg(wait_state("sla-7", "awaiting_shipment", 1000), "%s", timeline("sla-7"));
    ck_assert_int_ge(sla_ms("sla-7", "breached_ms"), due);
    ck_assert(listed_late("sla-7"));
    st_order o;
    char err[256];
    ck_assert_int_eq(store_order_get(h.store, "sla-7", &o, err, sizeof(err)), 0);
    ck_assert_int_eq(o.ship_by_ms, due);
    st_order_clear(&o);
    /* Past the grace a "cancel" policy would have used: still awaiting shipment. */
    sleep(2);
    ck_assert_msg(wait_state("sla-7", "awaiting_shipment", 100), "%s", timeline("sla-7"));
    char *t = timeline("sla-7");
    ck_assert_msg(strstr(t, "order.cancelled") == NULL, "%s", t);
    free(t);
    /* Shipped late, the breach stays on the order and in the late listing. */
    ck_assert_int_eq(input("sla-7", "acknowledge", NULL, NULL, 0), 0);
    ck_assert_int_eq(input("sla-7", "pack", NULL, NULL, 0), 0);
    ck_assert(listed_late("sla-7"));
}
END_TEST

/* A seller's "cancel" policy: cancel_grace after the breach the order is cancelled as a
 * cancel input would - stock released, the authorization voided. */
START_TEST(breach_cancels_after_grace)
{
    ef_extra_conf = "sla = { ship_by = \"2s\"; sellers = ( { id = \"s-1\"; "
                    "on_breach = \"cancel\"; cancel_grace = \"1s\"; } ); };\n";
    ef_start_hub(0, NULL);
    ef_set_stock("MUG-1", 5, -1);
    place_paid("sla-8", 1200);
    ck_assert_int_eq(ef_stock("MUG-1").reserved, 1);
    int64_t breached = wait_event("sla-8", "sla.ship_by_breached", 8000);
    ck_assert_msg(breached > 0, "%s", timeline("sla-8"));
    ck_assert_msg(wait_state("sla-8", "cancelled", 8000), "%s", timeline("sla-8"));
    int64_t cancelled = event_at("sla-8", "order.cancelled");
    ck_assert_msg(cancelled - breached >= 1000, "cancelled %lld ms after the breach",
                  (long long)(cancelled - breached));
    ck_assert_int_eq(ef_stock("MUG-1").reserved, 0);
    ck_assert_msg(wait_event("sla-8", "payment.voided", 8000) > 0, "%s", timeline("sla-8"));
    char *t = timeline("sla-8");
    ck_assert_msg(strstr(t, "sla.ship_by_breached order.cancelled inventory.released"), "%s",
                  t);
    free(t);
    ck_assert(listed_late("sla-8")); /* breached, so still late */
}
END_TEST

/* A seller's own "record" overrides the group's "cancel". */
START_TEST(seller_policy_overrides_group)
{
    ef_extra_conf = "sla = { ship_by = \"1s\"; on_breach = \"cancel\"; cancel_grace = \"1s\";"
                    " sellers = ( { id = \"s-1\"; on_breach = \"record\"; } ); };\n";
    ef_start_hub(0, NULL);
    place_paid("sla-9", 1200);
    ck_assert_msg(wait_event("sla-9", "sla.ship_by_breached", 8000) > 0, "%s",
                  timeline("sla-9"));
    sleep(2);
    ck_assert_msg(wait_state("sla-9", "awaiting_shipment", 100), "%s", timeline("sla-9"));
    ck_assert(listed_late("sla-9"));
}
END_TEST

/* orderhub_sla_events_total counts from the journal: a restart on the same store keeps
 * the breach counted. */
START_TEST(sla_counts_survive_restart)
{
    ef_extra_conf = "sla = { ship_by = \"1s\"; };\n";
    ef_start_hub(0, NULL);
    place_paid("sla-10", 1200);
    ck_assert_msg(wait_event("sla-10", "sla.ship_by_breached", 8000) > 0, "%s",
                  timeline("sla-10"));
    st_counts c;
    char err[256];
    ck_assert_int_eq(store_counts(h.store, &c, err, sizeof(err)), 0);
    ck_assert_int_eq(c.sla_warnings, 1);
    ck_assert_int_eq(c.sla_breaches, 1);
    hub_stop(&h);
    ef_start_hub(0, NULL);
    ck_assert_int_eq(store_counts(h.store, &c, err, sizeof(err)), 0);
    ck_assert_int_eq(c.sla_warnings, 1);
    ck_assert_int_eq(c.sla_breaches, 1);
    ck_assert(listed_late("sla-10"));
}
END_TEST

/* A seller who packs in time stops both ship-by timers. */
START_TEST(packing_in_time_stops_ship_by)
{
    ef_extra_conf = "sla = { ship_by = \"2s\"; };\n";
    ef_start_hub(0, NULL);
    place_paid("sla-2", 1200);
    ck_assert_int_eq(input("sla-2", "acknowledge", NULL, NULL, 0), 0);
    ck_assert_int_eq(input("sla-2", "pack", NULL, NULL, 0), 0);
    sleep(3);
    char *t = timeline("sla-2");
    ck_assert_msg(strstr(t, "sla.") == NULL, "%s", t);
    free(t);
}
END_TEST

/* A declined buyer who does not pay again within payment_retry: the order is cancelled. */
START_TEST(payment_retry_window_cancels)
{
    ef_extra_conf = "sla = { payment_retry = \"1s\"; };\n";
    ef_start_hub(0, NULL);
    waiter w = WAITER;
    ck_assert_int_eq(eng_place(h.engine, sample_order("sla-3", 150000), on_reply, &w), 0);
    ck_assert_int_eq(wait_reply(&w), 0);
    int64_t failed = wait_event("sla-3", "payment.failed", 10000);
    ck_assert_msg(failed > 0, "%s", timeline("sla-3"));
    ck_assert_msg(wait_state("sla-3", "cancelled", 8000), "%s", timeline("sla-3"));
    int64_t cancelled = event_at("sla-3", "order.cancelled");
    ck_assert_msg(cancelled - failed >= 1000, "cancelled after %lld ms",
                  (long long)(cancelled - failed));
    char *t = timeline("sla-3");
    ck_assert_msg(strstr(t, "payment.failed order.cancelled inventory.released"), "%s", t);
    free(t);
}
END_TEST

/* A carrier that never scans the parcel: at delivery_confirm the order is unconfirmed and
 * the gateway routed on delivery.unconfirmed refunds the buyer. */
START_TEST(unconfirmed_delivery_refunds)
{
    sr_stop(remote);
    remote = sr_start(0, 3600 * 1000); /* tracking stays at its first status for an hour */
    ck_assert_ptr_nonnull(remote);
    ef_extra_conf = "sla = { delivery_confirm = \"2s\"; };\n";
    ef_extra_routes = " { on = \"delivery.unconfirmed\"; chain = [\"pay\"]; },\n";
    ef_start_hub(0, NULL);
    place_paid("sla-4", 2599);
    ck_assert_int_eq(input("sla-4", "acknowledge", NULL, NULL, 0), 0);
    ck_assert_int_eq(input("sla-4", "pack", NULL, NULL, 0), 0);
    int64_t labelled = wait_event("sla-4", "shipment.label_created", 10000);
    ck_assert_msg(labelled > 0, "%s", timeline("sla-4"));
    ck_assert_msg(wait_state("sla-4", "refunded", 10000), "%s", timeline("sla-4"));
    int64_t unconfirmed = event_at("sla-4", "delivery.unconfirmed");
    ck_assert_msg(unconfirmed - labelled >= 2000, "unconfirmed after %lld ms",
                  (long long)(unconfirmed - labelled));
    char *t = timeline("sla-4");
    ck_assert_msg(strstr(t, "delivery.unconfirmed payment.refunded seller.debited"), "%s", t);
    ck_assert_msg(strstr(t, "shipment.delivered") == NULL, "%s", t);
    free(t);
    ck_assert_int_eq(eng_wait_idle(h.engine, 5000), 0);
    int booked, requests;
    sr_counts(remote, &booked, &requests);
    ck_assert_int_eq(booked, 3); /* authorize, capture, refund */
    /* What remains, all of it: nothing was refunded before. */
    ck_assert_int_eq(sr_booked_amount(remote, "sla-4", "refund"), 2599);
    st_payment p;
    char err[256];
    ck_assert_msg(store_payment_get(h.store, "sla-4", &p, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(p.refunded, 2599);
    ck_assert_int_eq(p.captured, 2599);
}
END_TEST

/* The order stays delivered for return_window, then completes. */
START_TEST(return_window_then_complete)
{
    ef_extra_conf = "sla = { return_window = \"2s\"; };\n";
    ef_start_hub(0, NULL);
    place_paid("sla-5", 1200);
    ck_assert_int_eq(input("sla-5", "acknowledge", NULL, NULL, 0), 0);
    ck_assert_int_eq(input("sla-5", "pack", NULL, NULL, 0), 0);
    ck_assert_msg(wait_state("sla-5", "completed", 15000), "%s", timeline("sla-5"));
    int64_t delivered = event_at("sla-5", "shipment.delivered");
    int64_t completed = event_at("sla-5", "order.completed");
    ck_assert_msg(delivered > 0 && completed - delivered >= 2000, "completed %lld ms after "
                  "delivery", (long long)(completed - delivered));
}
END_TEST

/* A return request the seller leaves alone is approved at return_auto_approve. */
START_TEST(return_approved_automatically)
{
    ef_extra_conf = "sla = { return_auto_approve = \"1s\"; };\n";
    ef_start_hub(0, NULL);
    complete_order("sla-6", 1200);
    json_t *req = json_pack("{s:s, s:s}", "return_id", "r1", "reason", "too small");
    ck_assert_int_eq(input("sla-6", "return.request", req, NULL, 0), 0);
    int64_t requested = event_at("sla-6", "return.requested");
    int64_t approved = wait_event("sla-6", "return.approved", 8000);
    ck_assert_msg(approved > 0, "%s", timeline("sla-6"));
    ck_assert_msg(approved - requested >= 1000, "approved after %lld ms",
                  (long long)(approved - requested));
    ck_assert_msg(wait_sub_state("sla-6", "returns", "r1", "label_issued"), "no return label");
}
END_TEST

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    Suite *s = suite_create("engine_timers");
    TCase *tc = tcase_create("timers");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, ef_setup, ef_teardown);
    tcase_add_test(tc, ship_by_warning_then_breach);
    tcase_add_test(tc, packing_in_time_stops_ship_by);
    tcase_add_test(tc, breach_recorded_and_listed_late);
    tcase_add_test(tc, breach_cancels_after_grace);
    tcase_add_test(tc, seller_policy_overrides_group);
    tcase_add_test(tc, sla_counts_survive_restart);
    tcase_add_test(tc, payment_retry_window_cancels);
    tcase_add_test(tc, unconfirmed_delivery_refunds);
    tcase_add_test(tc, return_window_then_complete);
    tcase_add_test(tc, return_approved_automatically);
    suite_add_tcase(s, tc);
    int rc = tu_run(s);
    curl_global_cleanup();
    return rc;
}
