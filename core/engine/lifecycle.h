/*
 * lifecycle - the order state machine and the return and dispute sub-flows
 * (ARCHITECTURE.md s4) as transition tables: data, not nested ifs.
 *
 * An input (a command from a seller or buyer, or a fact from a plugin or a timer) is legal
 * in some states only.  lc_step looks the pair up and returns the transition: the next
 * state and the canonical events it emits, in order.  An illegal pair is refused with a
 * message naming the current state and the inputs it would accept; nothing changes.
 *
 * Some transitions keep the state (a shipment scan while in transit, a capture after the
 * label): `to` equals `from`, the events still go to the journal.
 */
#ifndef OH_LIFECYCLE_H
#define OH_LIFECYCLE_H

#include <stddef.h>

typedef enum lc_machine { LC_ORDER = 0, LC_RETURN = 1, LC_DISPUTE = 2 } lc_machine;

/* Facts a guard may look at, taken from the order snapshot by the caller. */
typedef struct lc_facts {
    int acknowledged; /* the seller acknowledged the order */
} lc_facts;

typedef enum lc_guard {
    LC_ALWAYS = 0,
    LC_IF_ACKNOWLEDGED,    /* the seller acknowledged first (pack) */
    LC_IF_NOT_ACKNOWLEDGED /* only once (acknowledge) */
} lc_guard;

#define LC_MAX_FROM 6
#define LC_MAX_EVENTS 4

typedef struct lc_transition {
    lc_machine machine;
    const char *input;                    /* e.g. "payment_authorized" */
    const char *from[LC_MAX_FROM];        /* states it is legal in; "" = creation */
    lc_guard guard;
    const char *to;                       /* NULL: stay in the current state */
    const char *events[LC_MAX_EVENTS];    /* canonical names, NULL-terminated */
} lc_transition;

/*
 * lc_step - the transition for `input` in `state` (pass "" to create the sub-flow or the
 * order).  Returns it, with *next set to the state after it (static storage, never the
 * caller's `state` buffer); or NULL with err naming the state and the inputs legal there.  `facts` may be NULL (no guard passes that needs one).
 */
const lc_transition *lc_step(lc_machine m, const char *state, const char *input,
                             const lc_facts *facts, const char **next, char *err,
                             size_t errlen);

/* lc_states - the states of a machine (NULL-terminated, static). */
const char *const *lc_states(lc_machine m);

/* lc_is_final - nonzero when no input is legal in `state`. */
int lc_is_final(lc_machine m, const char *state);

/* lc_table - the whole table (for docs and tests); *count receives its length. */
const lc_transition *lc_table(size_t *count);

#endif
