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

static int is_state(lc_machine m, const char *s)
{
    for (const char *const *p = lc_states(m); *p != NULL; p++) {
        if (strcmp(*p, s) == 0)
            return 1;
    }
    return 0;
}

START_TEST(table_uses_only_canonical_names)
{
    size_t n;
    const lc_transition *t = lc_table(&n);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < LC_MAX_EVENTS && t[i].events[k] != NULL; k++)
            ck_assert_msg(evt_find(t[i].events[k]) != NULL, "%s emits unknown event %s",
                          t[i].input, t[i].events[k]);
        for (size_t k = 0; k < LC_MAX_FROM && t[i].from[k] != NULL; k++)
            ck_assert_msg(t[i].from[k][0] == '\0' || is_state(t[i].machine, t[i].from[k]),
                          "%s: unknown state %s", t[i].input, t[i].from[k]);
        ck_assert_msg(t[i].to == NULL || is_state(t[i].machine, t[i].to), "%s: unknown state %s",
                      t[i].input, t[i].to);
    }
    /* And every canonical event is emitted by some transition. */
    size_t ne;
    const evt_info *ev = evt_all(&ne);
    for (size_t e = 0; e < ne; e++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++) {
            for (size_t k = 0; k < LC_MAX_EVENTS && t[i].events[k] != NULL; k++)
                found |= strcmp(t[i].events[k], ev[e].name) == 0;
        }
        ck_assert_msg(found, "no transition emits %s", ev[e].name);
    }
}
END_TEST

START_TEST(every_state_reachable)
{
    for (lc_machine m = LC_ORDER; m <= LC_DISPUTE; m++) {
        const char *const *states = lc_states(m);
        size_t count = 0;
        while (states[count] != NULL)
            count++;
        int reached[32] = {0};
        size_t n;
        const lc_transition *t = lc_table(&n);
        /* Fixed point: a state is reached when a transition leads there from "" or from a
         * reached state. */
        for (int changed = 1; changed;) {
            changed = 0;
            for (size_t i = 0; i < n; i++) {
                if (t[i].machine != m || t[i].to == NULL)
                    continue;
                int from_reached = 0;
                for (size_t k = 0; k < LC_MAX_FROM && t[i].from[k] != NULL; k++) {
                    if (t[i].from[k][0] == '\0')
                        from_reached = 1;
                    for (size_t s = 0; s < count; s++)
                        from_reached |= reached[s] && strcmp(states[s], t[i].from[k]) == 0;
                }
                for (size_t s = 0; s < count && from_reached; s++) {
                    if (!reached[s] && strcmp(states[s], t[i].to) == 0)
                        reached[s] = changed = 1;
                }
            }
        }
        for (size_t s = 0; s < count; s++)
            ck_assert_msg(reached[s], "state %s of machine %d is unreachable", states[s], m);
    }
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
    tcase_add_test(tc, every_state_reachable);
    tcase_add_test(tc, router_operations_cover_allowed_kinds);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
