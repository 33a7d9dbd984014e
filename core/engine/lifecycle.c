/*
 * lifecycle - lookups over the lifecycle's rows (lifecycle_table.c): names to enums and
 * back, the transition an input takes in a state, and the refusal when there is none.
 */
#include "config.h"

#include "lifecycle.h"

#include <stdio.h>
#include <string.h>

const char *lc_state_name(lc_state s)
{
    const lc_state_row *r = lc_state_info(s);
    return r != NULL ? r->name : NULL;
}

lc_state lc_state_from_name(lc_machine m, const char *name)
{
    if (name[0] == '\0')
        return LC_NEW;
    for (lc_state s = LC_NEW + 1; s < LC_STATE_COUNT; s++) {
        const lc_state_row *r = lc_state_info(s);
        if (r->machine == m && strcmp(r->name, name) == 0)
            return s;
    }
    return LC_NO_STATE;
}

const char *lc_input_name(lc_input in)
{
    const lc_input_row *r = lc_input_info(in);
    return r != NULL ? r->name : NULL;
}

const char *lc_input_short(lc_input in)
{
    const lc_input_row *r = lc_input_info(in);
    return r != NULL ? r->name + strlen(lc_machine_prefix(r->machine)) : NULL;
}

lc_input lc_input_from_name(const char *name)
{
    for (lc_input in = LC_NO_INPUT + 1; in < LC_INPUT_COUNT; in++) {
        if (strcmp(lc_input_info(in)->name, name) == 0)
            return in;
    }
    return LC_NO_INPUT;
}

/* The input of machine m called `short_name` there ("approve"), or LC_NO_INPUT. */
static lc_input input_in_machine(lc_machine m, const char *short_name)
{
    for (lc_input in = LC_NO_INPUT + 1; in < LC_INPUT_COUNT; in++) {
        if (lc_input_info(in)->machine == m && strcmp(lc_input_short(in), short_name) == 0)
            return in;
    }
    return LC_NO_INPUT;
}

int lc_state_has(lc_state s, unsigned flags)
{
    const lc_state_row *r = lc_state_info(s);
    return r != NULL && (r->flags & flags) == flags;
}

const char *lc_timer_name(lc_timer t)
{
    const lc_timer_row *r = lc_timer_info(t);
    return r != NULL ? r->name : NULL;
}

lc_timer lc_timer_from_name(const char *name, const char **suffix)
{
    for (lc_timer t = LC_NO_TIMER + 1; t < LC_TIMER_COUNT; t++) {
        const lc_timer_row *r = lc_timer_info(t);
        size_t n = strlen(r->name);
        if (r->per_subflow ? strncmp(r->name, name, n) == 0 : strcmp(r->name, name) == 0) {
            *suffix = name + n;
            return t;
        }
    }
    *suffix = "";
    return LC_NO_TIMER;
}

const char *lc_event_operation(oh_plugin_kind kind, const char *event,
                               const lc_event_op **row)
{
    if (row != NULL)
        *row = NULL;
    if (kind == OH_KIND_FILTER)
        return "check";
    if (kind == OH_KIND_NOTIFIER)
        return "notify";
    size_t n;
    const lc_event_op *ops = lc_event_ops(&n);
    for (size_t i = 0; i < n; i++) {
        if (ops[i].kind == kind && strcmp(ops[i].event, event) == 0) {
            if (row != NULL)
                *row = &ops[i];
            return ops[i].operation;
        }
    }
    return NULL;
}

/* ---- transitions ---------------------------------------------------------------------- */

static lc_machine machine_of(lc_input in)
{
    return lc_input_info(in)->machine;
}

int lc_creates(lc_input in)
{
    size_t n;
    const lc_transition *table = lc_transitions(&n);
    for (size_t i = 0; i < n; i++) {
        if (table[i].input == in && table[i].from[0] == LC_NEW)
            return 1;
    }
    return 0;
}

static int legal_from(const lc_transition *t, lc_state s)
{
    for (size_t i = 0; i < LC_MAX_FROM && t->from[i] != LC_NO_STATE; i++) {
        if (t->from[i] == s)
            return 1;
    }
    return 0;
}

static int guard_passes(lc_guard g, const lc_facts *f)
{
    switch (g) {
    case LC_ALWAYS: return 1;
    case LC_IF_ACKNOWLEDGED: return f != NULL && f->acknowledged;
    case LC_IF_NOT_ACKNOWLEDGED: return f == NULL || !f->acknowledged;
    }
    return 0;
}

static const char *guard_text(lc_guard g)
{
    return g == LC_IF_ACKNOWLEDGED ? "the seller has not acknowledged the order"
                                   : "the seller already acknowledged the order";
}

/* The inputs of machine m legal in `state`, for the refusal message. */
static void legal_inputs(lc_machine m, lc_state state, const lc_facts *f, char *buf,
                         size_t len)
{
    size_t used = 0, n;
    const lc_transition *table = lc_transitions(&n);
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        const lc_transition *t = &table[i];
        if (machine_of(t->input) == m && legal_from(t, state) && guard_passes(t->guard, f)) {
            int k = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
                             lc_input_short(t->input));
            used += k > 0 ? (size_t)k : 0;
        }
    }
    if (used == 0)
        snprintf(buf, len, "none: it is final");
}

/* The row for `in` in `from` whose guard passes; else NULL and *guarded the row (if any)
 * whose guard alone refused. */
static const lc_transition *find(lc_state from, lc_input in, const lc_facts *facts,
                                 const lc_transition **guarded)
{
    size_t n;
    const lc_transition *table = lc_transitions(&n);
    *guarded = NULL;
    for (size_t i = 0; i < n; i++) {
        const lc_transition *t = &table[i];
        if (t->input != in || !legal_from(t, from))
            continue;
        if (guard_passes(t->guard, facts))
            return t;
        *guarded = t;
    }
    return NULL;
}

static void refuse(lc_machine m, lc_state from, const char *input, const char *state,
                   const lc_facts *facts, const lc_transition *guarded, char *err,
                   size_t errlen)
{
    char legal[512];
    legal_inputs(m, from, facts, legal, sizeof(legal));
    if (guarded != NULL)
        snprintf(err, errlen, "'%s' is not allowed in state '%s': %s (allowed: %s)", input,
                 state, guard_text(guarded->guard), legal);
    else
        snprintf(err, errlen, "'%s' is not allowed in state '%s' (allowed: %s)", input,
                 *state ? state : "(new)", legal);
}

const lc_transition *lc_transition_of(lc_state from, lc_input in, const lc_facts *facts,
                                      lc_state *next, char *err, size_t errlen)
{
    const lc_transition *guarded;
    const lc_transition *t = lc_input_info(in) ? find(from, in, facts, &guarded) : NULL;
    if (t != NULL) {
        *next = t->to != LC_NO_STATE ? t->to : from;
        return t;
    }
    if (lc_input_info(in) != NULL)
        refuse(machine_of(in), from, lc_input_short(in),
               lc_state_name(from) ? lc_state_name(from) : "?", facts, guarded, err, errlen);
    else
        snprintf(err, errlen, "no such input");
    return NULL;
}

const lc_transition *lc_step(lc_machine m, const char *state, const char *input,
                             const lc_facts *facts, const char **next, char *err,
                             size_t errlen)
{
    lc_state from = lc_state_from_name(m, state);
    lc_input in = input_in_machine(m, input);
    const lc_transition *guarded = NULL;
    const lc_transition *t =
        from != LC_NO_STATE && in != LC_NO_INPUT ? find(from, in, facts, &guarded) : NULL;
    if (t != NULL) {
        *next = lc_state_name(t->to != LC_NO_STATE ? t->to : from);
        return t;
    }
    refuse(m, from, input, state, facts, guarded, err, errlen);
    return NULL;
}

int lc_is_final(lc_machine m, const char *state)
{
    lc_state s = lc_state_from_name(m, state);
    lc_facts both[2] = {{.acknowledged = 0}, {.acknowledged = 1}};
    size_t n;
    const lc_transition *table = lc_transitions(&n);
    for (size_t i = 0; s != LC_NO_STATE && i < n; i++) {
        const lc_transition *t = &table[i];
        if (machine_of(t->input) == m && legal_from(t, s) &&
            (guard_passes(t->guard, &both[0]) || guard_passes(t->guard, &both[1])))
            return 0;
    }
    return 1;
}
