/*
 * claim - the writer jobs other than units: claims of actions and timers, sent marks and
 * lease renewals, replays.
 */
#ifndef OH_STORE_SQLITE_CLAIM_H
#define OH_STORE_SQLITE_CLAIM_H

#include "sqlite_types.h"

/* Claim actions for a claim job (fills j->claimed). */
int sti_apply_claim(sti_conn *c, sti_job *j, char *err, size_t errlen);
/* Mark sent or renew the leases of a lease job (sets j->renewed); 1 when mark_sent and an
 * action is no longer leased to j->owner. */
int sti_apply_lease(sti_conn *c, sti_job *j, char *err, size_t errlen);
/* Claim due timers for a timer claim job (fills j->timers). */
int sti_apply_timer_claim(sti_conn *c, sti_job *j, char *err, size_t errlen);
/* Replay a dead action for a replay job (sets j->replayed). */
int sti_apply_replay(sti_conn *c, sti_job *j, char *err, size_t errlen);

#endif
