/*
 * es_subflow - returns and disputes: sub-flows attached to an order, each with its own state
 * machine (the lifecycle table) and its own id, kept in the order snapshot under "returns" and
 * "disputes".  Inputs are named "return.approve", "dispute.resolve", ...; the sub-flow id
 * travels in the input's data ("return_id" / "dispute_id") and in every event it journals.
 */
#include "config.h"

#include "es_subflow.h"

#include "api/api_limits.h"
#include "es_route.h"
#include "es_stock.h"
#include "es_timers.h"

#include <stdio.h>
#include <string.h>

typedef struct flow {
    lc_machine machine;
    const char *collection;   /* snapshot member holding them: "returns" */
    const char *id_field;     /* "return_id" */
    unsigned opens_in;        /* the order state flag that allows opening one */
    size_t max_open;          /* per order, ever: each one stays in the snapshot */
} flow;

static const flow flows[] = {
    {LC_RETURN, "returns", "return_id", LC_RETURNABLE, LIMIT_RETURNS_PER_ORDER},
    {LC_DISPUTE, "disputes", "dispute_id", LC_DISPUTABLE, LIMIT_DISPUTES_PER_ORDER},
};

static const flow *flow_of(lc_machine m)
{
    for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
        if (flows[i].machine == m)
            return &flows[i];
    }
    return NULL;
}

/* The collection object in the snapshot, created on first use. */
static json_t *collection(es_unit *c, const flow *f)
{
    json_t *all = json_object_get(c->snapshot, f->collection);
    if (!json_is_object(all)) {
        all = json_object();
        json_object_set_new(c->snapshot, f->collection, all);
    }
    return all;
}

static int open_id(es_unit *c, const flow *f, json_t *all, char *id, size_t idlen)
{
    if (!lc_state_has(lc_state_from_name(LC_ORDER, c->state), f->opens_in)) {
        const char *prefix = lc_machine_prefix(f->machine);
        snprintf(c->error, sizeof(c->error), "a %.*s cannot be opened while the order is %s",
                 (int)strlen(prefix) - 1, prefix, c->state);
        return -1;
    }
    /* Checked here, on the order's worker, so concurrent requests cannot pass it together:
     * the snapshot holding them is rewritten whole on every later event. */
    if (json_object_size(all) >= f->max_open) {
        snprintf(c->error, sizeof(c->error), "the order has %zu %s, the most it may have",
                 json_object_size(all), f->collection);
        return -1;
    }
    if (id[0] == '\0')
        snprintf(id, idlen, "%.3s-%zu", lc_machine_prefix(f->machine), json_object_size(all) + 1);
    if (json_object_get(all, id) != NULL) {
        snprintf(c->error, sizeof(c->error), "%s '%s' exists", f->id_field, id);
        return -1;
    }
    return 0;
}

int es_subflow_step(es_unit *c, const char *input, const json_t *data)
{
    const flow *f = NULL;
    for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
        const char *prefix = lc_machine_prefix(flows[i].machine);
        if (strncmp(input, prefix, strlen(prefix)) == 0)
            f = &flows[i];
    }
    if (f == NULL) {
        snprintf(c->error, sizeof(c->error), "'%s' is no sub-flow input", input);
        return -1;
    }
    const char *sub_input = input + strlen(lc_machine_prefix(f->machine));
    json_t *all = collection(c, f);
    char id[ST_ID_MAX] = "";
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(data, f->id_field))
                                       ? json_string_value(json_object_get(data, f->id_field))
                                       : "");
    int creating = lc_creates(lc_input_from_name(input));
    if (creating && open_id(c, f, all, id, sizeof(id)) != 0)
        return -1;
    json_t *sub = json_object_get(all, id);
    if (!creating && sub == NULL) {
        snprintf(c->error, sizeof(c->error), "no %s '%s' on this order", f->id_field, id);
        return -1;
    }
    const char *state = creating ? "" : json_string_value(json_object_get(sub, "state"));
    const char *next = NULL;
    const lc_transition *t = lc_step(f->machine, state ? state : "", sub_input, NULL, &next,
                                     c->error, sizeof(c->error));
    if (t == NULL)
        return -1;
    if (creating) {
        sub = json_object();
        json_object_set_new(all, id, sub);
    }
    if (json_is_object(data))
        json_object_update(sub, (json_t *)data);
    json_object_set_new(sub, f->id_field, json_string(id));
    json_object_set_new(sub, "state", json_string(next));
    c->changed = 1;
    if (t->input == LC_IN_RET_REFUND || t->input == LC_IN_RET_EXCHANGE)
        es_stock_return(c, sub);
    json_t *ev = json_deep_copy(sub);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < LC_MAX_EVENTS && t->events[i] != NULL; i++) {
        json_t *payload = es_stock_event_data(c, t->events[i], ev);
        rc = es_emit(c, t->events[i], input, payload);
        json_decref(payload);
    }
    json_decref(ev);
    es_apply_timers(c, t, id);
    return rc;
}

int es_subflow_timer(es_unit *c, const char *timer_name)
{
    const char *id;
    const lc_timer_row *r = lc_timer_info(lc_timer_from_name(timer_name, &id));
    if (r == NULL || !r->per_subflow)
        return 0;
    const flow *f = flow_of(lc_input_info(r->fires)->machine);
    json_t *data = json_pack("{s:s}", f->id_field, id);
    if (es_subflow_step(c, lc_input_name(r->fires), data) != 0)
        snprintf(c->error + strlen(c->error), sizeof(c->error) - strlen(c->error),
                 " (auto-approval)");
    json_decref(data);
    return 1;
}
