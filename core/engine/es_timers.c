/*
 * es_timers - the timers a transition starts and stops (its row in the lifecycle table),
 * and when each falls due by the configuration in force.  The ship-by clock is also kept
 * on the order (snapshot "sla"): listings find late orders by it, and a breach stays on
 * the order after the clock stops.
 */
#include "config.h"

#include "es_timers.h"

#include "config/config_sla.h"
#include "eng_clock.h"

#include <stdio.h>

static int64_t due_at(const es_unit *c, lc_due base)
{
    const cfg_file *cfg = c->gen->cfg;
    int64_t now = eng_now_ms();
    switch (base) {
    case LC_DUE_SHIP_BY_75: return now + cfg->ship_by_ms * 3 / 4;
    case LC_DUE_SHIP_BY: return now + cfg->ship_by_ms;
    case LC_DUE_DELIVERY_CONFIRM: return now + cfg->delivery_confirm_ms;
    case LC_DUE_PAYMENT_RETRY: return now + cfg->payment_retry_ms;
    case LC_DUE_TRACK_POLL: return now + c->e->o.track_poll_ms;
    case LC_DUE_RETURN_WINDOW: return now + cfg->return_window_ms;
    case LC_DUE_RETURN_AUTO_APPROVE: return now + cfg->return_auto_approve_ms;
    case LC_DUE_SLA_CANCEL_GRACE: {
        int64_t grace = 0;
        cfg_sla_cancels(cfg, es_seller_id(c), &grace);
        return now + grace;
    }
    }
    return now;
}

/* The snapshot's "sla" member, created empty when absent. */
static json_t *sla_of(es_unit *c)
{
    json_t *sla = json_object_get(c->snapshot, "sla");
    if (!json_is_object(sla)) {
        sla = json_object();
        json_object_set_new(c->snapshot, "sla", sla);
    }
    return sla;
}

/* A (re)started clock is a new deadline: an earlier one's end and breach are history. */
static void ship_by_started(es_unit *c, int64_t due)
{
    json_t *sla = sla_of(c);
    json_object_clear(sla);
    json_object_set_new(sla, "ship_by_ms", json_integer(due));
}

static void ship_by_stopped(es_unit *c)
{
    json_t *sla = json_object_get(c->snapshot, "sla");
    if (json_is_object(sla) && json_object_get(sla, "ship_by_ms") != NULL)
        json_object_set_new(sla, "stopped_ms", json_integer(eng_now_ms()));
}

/* The timers transition t starts and stops; a sub-flow's carry its id (`suffix`). */
void es_apply_timers(es_unit *c, const lc_transition *t, const char *suffix)
{
    char name[ST_NAME_MAX];
    if (t->input == LC_IN_SHIP_BY_BREACHED)
        json_object_set_new(sla_of(c), "breached_ms", json_integer(eng_now_ms()));
    for (size_t i = 0; i < LC_MAX_TIMERS && t->starts[i] != LC_NO_TIMER; i++) {
        const lc_timer_row *r = lc_timer_info(t->starts[i]);
        /* "record" (the default): the breach is on the order and nothing else happens. */
        if (t->starts[i] == LC_T_SLA_CANCEL && !cfg_sla_cancels(c->gen->cfg, es_seller_id(c),
                                                                NULL))
            continue;
        snprintf(name, sizeof(name), "%s%s", r->name, r->per_subflow ? suffix : "");
        int64_t due = due_at(c, r->due);
        es_add_timer(c, name, due);
        if (t->starts[i] == LC_T_SHIP_BY_BREACHED)
            ship_by_started(c, due);
    }
    for (size_t i = 0; i < LC_MAX_TIMERS && t->stops[i] != LC_NO_TIMER; i++) {
        const lc_timer_row *r = lc_timer_info(t->stops[i]);
        if (t->stops[i] == LC_T_SHIP_BY_BREACHED)
            ship_by_stopped(c);
        snprintf(name, sizeof(name), "%s%s", r->name, r->per_subflow ? suffix : "");
        es_cancel_timer(c, name);
    }
}
