/*
 * lifecycle - the order state machine and the return and dispute sub-flows
 * (docs/architecture.md §4): lookups over the rows of lifecycle_table.c.
 *
 * An input (a command from a seller or buyer, or a fact from a plugin or a timer) is legal
 * in some states only.  lc_step looks the pair up and returns the transition: the next
 * state and the canonical events it emits, in order.  An illegal pair is refused with a
 * message naming the current state and the inputs it would accept; nothing changes.
 *
 * Some transitions keep the state (a shipment scan while in transit, a capture after the
 * label): `to` is LC_NO_STATE, the events still go to the journal.
 */
#ifndef OH_LIFECYCLE_H
#define OH_LIFECYCLE_H

#include "engine/lifecycle_table.h"

#include <stddef.h>

/* lc_state_name - the canonical name ("" for LC_NEW, NULL for no state of the table). */
const char *lc_state_name(lc_state s);

/* lc_state_from_name - the state of machine m called `name` ("" is LC_NEW), or
 * LC_NO_STATE. */
lc_state lc_state_from_name(lc_machine m, const char *name);

/* lc_input_name - the canonical name, sub-flows prefixed ("return.approve"), or NULL. */
const char *lc_input_name(lc_input in);

/* lc_input_short - the name within its machine ("approve"), or NULL. */
const char *lc_input_short(lc_input in);

/* lc_input_from_name - the input with canonical name `name` ("pack", "return.approve"),
 * or LC_NO_INPUT. */
lc_input lc_input_from_name(const char *name);

/* lc_creates - nonzero when `in` creates its machine's order, return or dispute. */
int lc_creates(lc_input in);

/* lc_state_has - nonzero when state s carries every flag of `flags` (LC_RETURNABLE, ...). */
int lc_state_has(lc_state s, unsigned flags);

/*
 * lc_transition_of - the transition for `in` in state `from` when `facts` pass its guard
 * (facts may be NULL: no guard that needs one passes), else NULL with err naming the state
 * (shown as `shown`, or its name when NULL) and the inputs legal there.  *next receives
 * the state after it.
 */
const lc_transition *lc_transition_of(lc_state from, lc_input in, const lc_facts *facts,
                                      lc_state *next, char *err, size_t errlen);

/*
 * lc_step - lc_transition_of by names: `input` is the name within machine m ("approve"),
 * `state` its state's name ("" to create the sub-flow or the order).  *next is set to the
 * name of the state after it (static storage, never the caller's `state` buffer).
 */
const lc_transition *lc_step(lc_machine m, const char *state, const char *input,
                             const lc_facts *facts, const char **next, char *err,
                             size_t errlen);

/* lc_is_final - nonzero when no input is legal in `state` (by name, of machine m). */
int lc_is_final(lc_machine m, const char *state);

/* lc_timer_name - the stored name of timer t ("ship_by_warning"), or NULL. */
const char *lc_timer_name(lc_timer t);

/* lc_timer_from_name - the timer stored as `name` (a sub-flow's with its id after the
 * name, "return_auto_approve:RID"), or LC_NO_TIMER; *suffix points at the id or "". */
lc_timer lc_timer_from_name(const char *name, const char **suffix);

/* lc_event_operation - what a plugin of `kind` does on `event` ("check" for filters,
 * "notify" for notifiers), or NULL; *row (may be NULL) receives the row when one says. */
const char *lc_event_operation(oh_plugin_kind kind, const char *event,
                               const lc_event_op **row);

#endif
