/*
 * lc_table_print - the lifecycle table as tests/lifecycle_docs.sh compares it with
 * docs/api.md: each machine's states in order, then each API action with the states it is
 * legal in and the state it leads to.
 *
 *   state MACHINE NAME...
 *   action PATH: FROM... -> TO       (TO empty: the state is kept)
 *
 * An action creating a return or dispute is legal in the order states that allow one.
 */
#include "config.h"

#include "api/order_actions.h"
#include "engine/lifecycle.h"

#include <stdio.h>

static const char *const machines[LC_MACHINE_COUNT] = {"order", "return", "dispute"};

static void print_states(void)
{
    for (lc_machine m = LC_ORDER; m <= LC_DISPUTE; m++) {
        printf("state %s", machines[m]);
        for (lc_state s = LC_NEW + 1; s < LC_STATE_COUNT; s++) {
            if (lc_state_info(s)->machine == m)
                printf(" %s", lc_state_name(s));
        }
        printf("\n");
    }
}

/* The transition of `in` (one per input: check_lifecycle holds the table to that). */
static const lc_transition *transition(lc_input in)
{
    size_t n;
    const lc_transition *t = lc_transitions(&n);
    for (size_t i = 0; i < n; i++) {
        if (t[i].input == in)
            return &t[i];
    }
    return NULL;
}

static void print_action(const char *path, lc_input in)
{
    const lc_transition *t = transition(in);
    printf("action %s:", path);
    if (t == NULL) {
        printf(" (no transition)\n");
        return;
    }
    if (lc_creates(in)) {
        unsigned flag = lc_input_info(in)->machine == LC_RETURN ? LC_RETURNABLE : LC_DISPUTABLE;
        for (lc_state s = LC_NEW + 1; s < LC_STATE_COUNT; s++) {
            if (lc_state_info(s)->machine == LC_ORDER && lc_state_has(s, flag))
                printf(" %s", lc_state_name(s));
        }
        printf(" ->\n");
        return;
    }
    for (size_t k = 0; k < LC_MAX_FROM && t->from[k] != LC_NO_STATE; k++)
        printf(" %s", lc_state_name(t->from[k]));
    printf(" ->%s%s\n", t->to != LC_NO_STATE ? " " : "",
           t->to != LC_NO_STATE ? lc_state_name(t->to) : "");
}

int main(void)
{
    print_states();
    lc_input in;
    for (size_t i = 0; api_order_action(i, &in) != NULL; i++)
        print_action(api_order_action(i, &in), in);
    return 0;
}
