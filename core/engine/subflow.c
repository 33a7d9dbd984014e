/*
 * subflow - returns and disputes: sub-flows attached to an order, each with its own state
 * machine (lifecycle.c) and its own id, kept in the order snapshot under "returns" and
 * "disputes".  Inputs are named "return.approve", "dispute.resolve", ...; the sub-flow id
 * travels in the input's data ("return_id" / "dispute_id") and in every event it journals.
 */
#include "config.h"

#include "step_int.h"

#include "api/api_limits.h"

#include <stdio.h>
#include <string.h>

typedef struct flow {
    lc_machine machine;
    const char *prefix;       /* "return." */
    const char *collection;   /* snapshot member holding them: "returns" */
    const char *id_field;     /* "return_id" */
    const char *create;       /* the input that opens one */
    const char *const *order_states; /* order states in which one may be opened */
    size_t max_open;          /* per order, ever: each one stays in the snapshot */
} flow;

static const char *const returnable[] = {"delivered", "completed", NULL};
static const char *const disputable[] = {"awaiting_shipment", "awaiting_collection",
                                         "in_transit", "delivered", "completed",
                                         "delivery_unconfirmed", "cancelled", NULL};

static const flow flows[] = {
    {LC_RETURN, "return.", "returns", "return_id", "request", returnable,
     LIMIT_RETURNS_PER_ORDER},
    {LC_DISPUTE, "dispute.", "disputes", "dispute_id", "open", disputable,
     LIMIT_DISPUTES_PER_ORDER},
};

#define AUTO_APPROVE "return_auto_approve:"

static int in_list(const char *const *list, const char *s)
{
    for (; *list != NULL; list++) {
        if (strcmp(*list, s) == 0)
            return 1;
    }
    return 0;
}

/* The collection object in the snapshot, created on first use. */
static json_t *collection(unit_ctx *c, const flow *f)
{
    json_t *all = json_object_get(c->snapshot, f->collection);
    if (!json_is_object(all)) {
        all = json_object();
        json_object_set_new(c->snapshot, f->collection, all);
    }
    return all;
}

/* Timers that belong to a sub-flow step. */
static void subflow_timers(unit_ctx *c, const flow *f, const char *sub_input, const char *id)
{
    if (f->machine != LC_RETURN)
        return;
    char name[ST_NAME_MAX];
    snprintf(name, sizeof(name), AUTO_APPROVE "%s", id);
    if (strcmp(sub_input, "request") == 0)
        add_timer(c, name, eng_now_ms() + c->gen->cfg->return_auto_approve_hours * 3600000);
    else if (strcmp(sub_input, "approve") == 0 || strcmp(sub_input, "reject") == 0)
        cancel_timer(c, name);
}

static int open_id(unit_ctx *c, const flow *f, json_t *all, char *id, size_t idlen)
{
    if (!in_list(f->order_states, c->state)) {
        snprintf(c->error, sizeof(c->error), "a %.*s cannot be opened while the order is %s",
                 (int)strlen(f->prefix) - 1, f->prefix, c->state);
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
        snprintf(id, idlen, "%.3s-%zu", f->prefix, json_object_size(all) + 1);
    if (json_object_get(all, id) != NULL) {
        snprintf(c->error, sizeof(c->error), "%s '%s' exists", f->id_field, id);
        return -1;
    }
    return 0;
}

int step_subflow(unit_ctx *c, const char *input, const json_t *data)
{
    const flow *f = NULL;
    for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
        if (strncmp(input, flows[i].prefix, strlen(flows[i].prefix)) == 0)
            f = &flows[i];
    }
    if (f == NULL) {
        snprintf(c->error, sizeof(c->error), "'%s' is no sub-flow input", input);
        return -1;
    }
    const char *sub_input = input + strlen(f->prefix);
    json_t *all = collection(c, f);
    char id[ST_ID_MAX] = "";
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(data, f->id_field))
                                       ? json_string_value(json_object_get(data, f->id_field))
                                       : "");
    int creating = strcmp(sub_input, f->create) == 0;
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
    json_t *ev = json_deep_copy(sub);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < LC_MAX_EVENTS && t->events[i] != NULL; i++)
        rc = add_event(c, t->events[i], input, ev);
    json_decref(ev);
    subflow_timers(c, f, sub_input, id);
    return rc;
}

int subflow_timer(unit_ctx *c, const char *timer_name)
{
    if (strncmp(timer_name, AUTO_APPROVE, strlen(AUTO_APPROVE)) != 0)
        return 0;
    json_t *data = json_pack("{s:s}", "return_id", timer_name + strlen(AUTO_APPROVE));
    if (step_subflow(c, "return.approve", data) != 0)
        snprintf(c->error + strlen(c->error), sizeof(c->error) - strlen(c->error),
                 " (auto-approval)");
    json_decref(data);
    return 1;
}
