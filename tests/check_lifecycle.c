/*
 * check_lifecycle - the transition tables: the main path, refusals that change nothing
 * and say why, guards, and the table's own consistency with the canonical names.
 */
#include "config.h"

#include "engine/lifecycle.h"
#include "engine/router.h"
#include "events/events.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

/* Apply `inputs` from `state`; returns the final state and appends every event to log. */
static const char *walk(lc_machine m, const char *state, const char *const *inputs,
                        lc_facts *facts, char *log, size_t loglen)
{
    for (size_t i = 0; inputs[i] != NULL; i++) {
        char err[512];
        const char *next = NULL;
        const lc_transition *t = lc_step(m, state, inputs[i], facts, &next, err, sizeof(err));
        ck_assert_msg(t != NULL, "step %s from %s refused: %s", inputs[i], state, err);
        for (size_t k = 0; k < LC_MAX_EVENTS && t->events[k] != NULL; k++) {
            strncat(log, t->events[k], loglen - strlen(log) - 1);
            strncat(log, " ", loglen - strlen(log) - 1);
        }
        if (strcmp(inputs[i], "acknowledge") == 0 && facts != NULL)
            facts->acknowledged = 1;
        state = next;
    }
    return state;
}

START_TEST(main_path)
{
    static const char *const inputs[] = {"place", "validate", "payment_authorized",
                                         "acknowledge", "pack", "label_created",
                                         "payment_captured", "in_transit",
                                         "out_for_delivery", "delivered", "complete", NULL};
    char log[1024] = "";
    lc_facts facts = {0};
    const char *end = walk(LC_ORDER, "", inputs, &facts, log, sizeof(log));
    ck_assert_str_eq(end, "completed");
    ck_assert_str_eq(log, "order.placed order.validated inventory.reserved payment.authorized "
                          "order.confirmed order.acknowledged fulfillment.packed "
                          "shipment.label_created payment.captured shipment.in_transit "
                          "shipment.out_for_delivery shipment.delivered order.completed ");
}
END_TEST

START_TEST(decline_then_new_payment_method)
{
    static const char *const inputs[] = {"place", "validate", "payment_declined",
                                         "payment_resubmitted", "payment_authorized", NULL};
    char log[512] = "";
    ck_assert_str_eq(walk(LC_ORDER, "", inputs, NULL, log, sizeof(log)), "awaiting_shipment");
    ck_assert_ptr_nonnull(strstr(log, "payment.failed"));
}
END_TEST

START_TEST(unconfirmed_delivery_refunds)
{
    static const char *const inputs[] = {"delivery_unconfirmed", "refund", NULL};
    char log[512] = "";
    ck_assert_str_eq(walk(LC_ORDER, "in_transit", inputs, NULL, log, sizeof(log)), "refunded");
    ck_assert_str_eq(log, "delivery.unconfirmed payment.refunded seller.debited ");
    ck_assert(lc_is_final(LC_ORDER, "refunded"));
}
END_TEST

START_TEST(illegal_transition_refused_with_reason)
{
    char err[512];
    const char *next = "untouched";
    char kept[32] = "in_transit";
    ck_assert_ptr_nonnull(lc_step(LC_ORDER, kept, "exception", NULL, &next, err, sizeof(err)));
    ck_assert_ptr_ne(next, kept); /* static storage, not the caller's buffer */
    ck_assert_str_eq(next, "in_transit");
    next = "untouched";
    ck_assert_ptr_null(lc_step(LC_ORDER, "awaiting_payment", "pack", NULL, &next, err,
                               sizeof(err)));
    ck_assert_str_eq(next, "untouched");
    ck_assert_str_eq(err, "'pack' is not allowed in state 'awaiting_payment' (allowed: "
                          "payment_authorized, payment_declined, cancel)");
    ck_assert_ptr_null(lc_step(LC_ORDER, "rejected", "validate", NULL, &next, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "(allowed: none: it is final)"));
    ck_assert_ptr_null(lc_step(LC_ORDER, "delivered", "no_such_input", NULL, &next, err,
                               sizeof(err)));
}
END_TEST

START_TEST(guards)
{
    char err[512];
    const char *next = NULL;
    lc_facts not_acked = {0}, acked = {.acknowledged = 1};
    ck_assert_ptr_null(lc_step(LC_ORDER, "awaiting_shipment", "pack", &not_acked, &next, err,
                               sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "the seller has not acknowledged the order"));
    ck_assert_ptr_nonnull(lc_step(LC_ORDER, "awaiting_shipment", "pack", &acked, &next, err,
                                  sizeof(err)));
    ck_assert_str_eq(next, "awaiting_collection");
    ck_assert_ptr_null(lc_step(LC_ORDER, "awaiting_shipment", "acknowledge", &acked, &next,
                               err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "already acknowledged"));
}
END_TEST

START_TEST(return_and_dispute_flows)
{
    static const char *const ret[] = {"request", "approve", "label_created", "in_transit",
                                      "received", "inspected", "refund", NULL};
    char log[1024] = "";
    ck_assert_str_eq(walk(LC_RETURN, "", ret, NULL, log, sizeof(log)), "refunded");
    ck_assert_ptr_nonnull(strstr(log, "return.refunded payment.refunded inventory.restocked"));
    static const char *const dis[] = {"open", "review", "resolve", NULL};
    log[0] = '\0';
    ck_assert_str_eq(walk(LC_DISPUTE, "", dis, NULL, log, sizeof(log)), "resolved");
    ck_assert_str_eq(log, "dispute.opened dispute.resolved ");
    ck_assert(lc_is_final(LC_DISPUTE, "resolved"));
    ck_assert(lc_is_final(LC_RETURN, "exchanged"));
}
END_TEST

START_TEST(table_uses_only_canonical_names)
{
    size_t n;
    const lc_transition *t = lc_transitions(&n);
    for (size_t i = 0; i < n; i++) {
        const lc_input_row *in = lc_input_info(t[i].input);
        ck_assert_msg(in != NULL, "row %zu: no input", i);
        for (size_t k = 0; k < LC_MAX_EVENTS && t[i].events[k] != NULL; k++)
            ck_assert_msg(evt_find(t[i].events[k]) != NULL, "%s emits unknown event %s",
                          in->name, t[i].events[k]);
        ck_assert_msg(t[i].from[0] != LC_NO_STATE, "%s: legal nowhere", in->name);
        for (size_t k = 0; k < LC_MAX_FROM && t[i].from[k] != LC_NO_STATE; k++)
            ck_assert_msg(t[i].from[k] == LC_NEW ||
                              lc_state_info(t[i].from[k])->machine == in->machine,
                          "%s: state %d of another machine", in->name, t[i].from[k]);
        ck_assert_msg(t[i].to == LC_NO_STATE || lc_state_info(t[i].to)->machine == in->machine,
                      "%s: leads to a state of another machine", in->name);
    }
    /* And every canonical event is emitted by some transition, but inventory.low: the
     * engine journals it after a reservation, from the store's answer (es_msg.c). */
    size_t ne;
    const evt_info *ev = evt_all(&ne);
    for (size_t e = 0; e < ne; e++) {
        int found = strcmp(ev[e].name, "inventory.low") == 0;
        for (size_t i = 0; i < n && !found; i++) {
            for (size_t k = 0; k < LC_MAX_EVENTS && t[i].events[k] != NULL; k++)
                found |= strcmp(t[i].events[k], ev[e].name) == 0;
        }
        ck_assert_msg(found, "no transition emits %s", ev[e].name);
    }
}
END_TEST

/* Every enum value has its row, names are unique per machine, and names map back. */
START_TEST(every_value_has_a_row)
{
    for (lc_state s = LC_NEW; s < LC_STATE_COUNT; s++) {
        const char *name = lc_state_name(s);
        ck_assert_msg(name != NULL && (s == LC_NEW) == (name[0] == '\0'), "state %d: no row", s);
        ck_assert_int_eq(lc_state_from_name(lc_state_info(s)->machine, name), s);
    }
    for (lc_input in = LC_NO_INPUT + 1; in < LC_INPUT_COUNT; in++) {
        const lc_input_row *r = lc_input_info(in);
        ck_assert_msg(r->name != NULL, "input %d: no row", in);
        ck_assert_int_eq(lc_input_from_name(r->name), in);
        ck_assert_msg(strncmp(r->name, lc_machine_prefix(r->machine),
                              strlen(lc_machine_prefix(r->machine))) == 0,
                      "%s: not prefixed by its machine", r->name);
        /* One row per input: the engine reads an input's timers and merges from it. */
        size_t n, rows = 0;
        const lc_transition *t = lc_transitions(&n);
        for (size_t i = 0; i < n; i++)
            rows += t[i].input == in;
        ck_assert_msg(rows == 1, "input %s has %zu transitions", r->name, rows);
    }
    for (lc_timer tm = LC_NO_TIMER + 1; tm < LC_TIMER_COUNT; tm++) {
        const lc_timer_row *r = lc_timer_info(tm);
        ck_assert_msg(r->name != NULL, "timer %d: no row", tm);
        const char *suffix;
        ck_assert_int_eq(lc_timer_from_name(r->per_subflow ? "return_auto_approve:ret-1"
                                                           : r->name, &suffix),
                         tm);
    }
    ck_assert_int_eq(lc_state_from_name(LC_RETURN, "in_transit"), LC_RET_IN_TRANSIT);
    ck_assert_int_eq(lc_state_from_name(LC_ORDER, "in_transit"), LC_IN_TRANSIT);
    ck_assert_int_eq(lc_state_from_name(LC_DISPUTE, "in_transit"), LC_NO_STATE);
    ck_assert_str_eq(lc_input_short(LC_IN_RET_APPROVE), "approve");
    ck_assert_int_eq(lc_input_from_name("approve"), LC_NO_INPUT);
}
END_TEST

/* What the engine reads besides transitions: per state, per input, per timer. */
START_TEST(policy_rows)
{
    ck_assert(lc_state_has(LC_DELIVERED, LC_RETURNABLE | LC_DISPUTABLE));
    ck_assert(!lc_state_has(LC_IN_TRANSIT, LC_RETURNABLE));
    ck_assert(lc_state_has(LC_AWAITING_COLLECTION, LC_TRACKED));
    ck_assert(!lc_state_has(LC_DELIVERED, LC_TRACKED));
    ck_assert(lc_state_has(LC_CANCELLED, LC_DISPUTABLE));
    ck_assert(!lc_state_has(LC_PLACED, LC_DISPUTABLE));
    ck_assert_str_eq(lc_input_info(LC_IN_PACK)->merge, "fulfillment");
    ck_assert_str_eq(lc_input_info(LC_IN_PAYMENT_CAPTURED)->payment, "captured");
    ck_assert(lc_input_info(LC_IN_PAYMENT_CAPTURED)->payment_once);
    ck_assert(!lc_input_info(LC_IN_PAYMENT_AUTHORIZED)->payment_once);
    ck_assert(lc_input_info(LC_IN_DELIVERED)->flags & LC_FROM_CARRIER);
    ck_assert(!(lc_input_info(LC_IN_COMPLETE)->flags & LC_FROM_CARRIER));
    ck_assert(lc_creates(LC_IN_RET_REQUEST) && lc_creates(LC_IN_DIS_OPEN));
    ck_assert(!lc_creates(LC_IN_RET_APPROVE));
    ck_assert_int_eq(lc_timer_info(LC_T_DELIVERY_CONFIRM)->fires, LC_IN_DELIVERY_UNCONFIRMED);
    const char *id;
    ck_assert_int_eq(lc_timer_from_name("return_auto_approve:ret-7", &id),
                     LC_T_RETURN_AUTO_APPROVE);
    ck_assert_str_eq(id, "ret-7");
    ck_assert_int_eq(lc_timer_from_name("placement_retry", &id), LC_NO_TIMER);
    /* Timers started by a transition are stopped on the ways out of its state. */
    lc_state next;
    char err[256];
    const lc_transition *t = lc_transition_of(LC_AWAITING_PAYMENT, LC_IN_PAYMENT_AUTHORIZED,
                                              NULL, &next, err, sizeof(err));
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(next, LC_AWAITING_SHIPMENT);
    ck_assert_int_eq(t->starts[0], LC_T_SHIP_BY_WARNING);
    ck_assert_int_eq(t->starts[1], LC_T_SHIP_BY_BREACHED);
    ck_assert_ptr_null(lc_transition_of(LC_AWAITING_PAYMENT, LC_IN_PACK, NULL, &next, err,
                                        sizeof(err)));
    ck_assert_str_eq(err, "'pack' is not allowed in state 'awaiting_payment' (allowed: "
                          "payment_authorized, payment_declined, cancel)");
}
END_TEST

START_TEST(every_state_reachable)
{
    size_t n;
    const lc_transition *t = lc_transitions(&n);
    int reached[LC_STATE_COUNT] = {0};
    reached[LC_NEW] = 1;
    /* Fixed point: a state is reached when a transition leads there from a reached one. */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < n; i++) {
            int from_reached = 0;
            for (size_t k = 0; k < LC_MAX_FROM && t[i].from[k] != LC_NO_STATE; k++)
                from_reached |= reached[t[i].from[k]];
            if (from_reached && t[i].to != LC_NO_STATE && !reached[t[i].to])
                reached[t[i].to] = changed = 1;
        }
    }
    for (lc_state s = LC_NEW; s < LC_STATE_COUNT; s++)
        ck_assert_msg(reached[s], "state %s is unreachable", lc_state_name(s));
}
END_TEST

START_TEST(router_operations_cover_allowed_kinds)
{
    size_t ne;
    const evt_info *ev = evt_all(&ne);
    for (size_t e = 0; e < ne; e++) {
        for (oh_plugin_kind k = OH_KIND_PAYMENT; k <= OH_KIND_FILTER; k++) {
            int allowed = (ev[e].kinds & EVT_KIND_BIT(k)) != 0;
            ck_assert_msg(allowed == (router_operation(k, ev[e].name) != NULL),
                          "events.c and router.c disagree on kind %d at %s", k, ev[e].name);
        }
    }
    ck_assert_str_eq(router_operation(OH_KIND_PAYMENT, "order.cancelled"), "void");
    ck_assert_str_eq(router_operation(OH_KIND_CARRIER, "fulfillment.packed"), "label");
}
END_TEST

#ifdef LC_TEST_STATE
/* Built with -DLC_TEST_STATE: "on_hold", added by its enum values and rows alone. */
START_TEST(test_state_from_its_rows_alone)
{
    static const char *const inputs[] = {"hold", "release", "acknowledge", "pack", NULL};
    char log[256] = "";
    lc_facts facts = {0};
    ck_assert_str_eq(walk(LC_ORDER, "awaiting_shipment", inputs, &facts, log, sizeof(log)),
                     "awaiting_collection");
    ck_assert_int_eq(lc_state_from_name(LC_ORDER, "on_hold"), LC_ON_HOLD);
    ck_assert(lc_state_has(LC_ON_HOLD, LC_DISPUTABLE) && !lc_state_has(LC_ON_HOLD, LC_TRACKED));
    ck_assert_str_eq(lc_input_info(LC_IN_HOLD)->merge, "hold");
    char err[256];
    const char *next;
    ck_assert_ptr_null(lc_step(LC_ORDER, "on_hold", "pack", &facts, &next, err, sizeof(err)));
    ck_assert_str_eq(err, "'pack' is not allowed in state 'on_hold' (allowed: release)");
    ck_assert(!lc_is_final(LC_ORDER, "on_hold"));
}
END_TEST
#endif

int main(void)
{
    Suite *s = suite_create("lifecycle");
    TCase *tc = tcase_create("lifecycle");
    tcase_add_test(tc, main_path);
    tcase_add_test(tc, decline_then_new_payment_method);
    tcase_add_test(tc, unconfirmed_delivery_refunds);
    tcase_add_test(tc, illegal_transition_refused_with_reason);
    tcase_add_test(tc, guards);
    tcase_add_test(tc, return_and_dispute_flows);
    tcase_add_test(tc, table_uses_only_canonical_names);
    tcase_add_test(tc, every_value_has_a_row);
    tcase_add_test(tc, policy_rows);
    tcase_add_test(tc, every_state_reachable);
    tcase_add_test(tc, router_operations_cover_allowed_kinds);
#ifdef LC_TEST_STATE
    tcase_add_test(tc, test_state_from_its_rows_alone);
#endif
    suite_add_tcase(s, tc);
    return tu_run(s);
}
