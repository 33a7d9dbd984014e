/*
 * es_timers - the timers a transition starts and stops (its row in the lifecycle table),
 * and when each falls due by the configuration in force.
 */
#include "config.h"

#include "es_timers.h"

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
    }
    return now;
}

/* The timers transition t starts and stops; a sub-flow's carry its id (`suffix`). */
void es_apply_timers(es_unit *c, const lc_transition *t, const char *suffix)
{
    char name[ST_NAME_MAX];
    for (size_t i = 0; i < LC_MAX_TIMERS && t->starts[i] != LC_NO_TIMER; i++) {
        const lc_timer_row *r = lc_timer_info(t->starts[i]);
        snprintf(name, sizeof(name), "%s%s", r->name, r->per_subflow ? suffix : "");
        es_add_timer(c, name, due_at(c, r->due));
    }
    for (size_t i = 0; i < LC_MAX_TIMERS && t->stops[i] != LC_NO_TIMER; i++) {
        const lc_timer_row *r = lc_timer_info(t->stops[i]);
        snprintf(name, sizeof(name), "%s%s", r->name, r->per_subflow ? suffix : "");
        es_cancel_timer(c, name);
    }
}
