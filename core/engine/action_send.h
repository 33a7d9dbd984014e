/*
 * action_send - one claimed action's request, from its inputs to the hand-over of its
 * answer (action_send.c).  Used by the dispatcher (dispatch.c); track polls that share a
 * request go through track_batch.c instead.
 */
#ifndef OH_ACTION_SEND_H
#define OH_ACTION_SEND_H

#include "action_run.h"

/*
 * eng_send_on_worker - for a run whose kind adapter reads the order (ka_adapter.needs_order):
 * post it to its order's worker, which fills its inputs from the committed order (the
 * worker's cached snapshot when no unit of the order is pending) and sends it as
 * eng_send_run does.  Takes the run.  Any thread.
 */
void eng_send_on_worker(action_run *r);

/*
 * eng_send_run - a run whose inputs are filled: fetch the instance's auth token if its plugin
 * has an auth step, have the adapter build the request, submit it gated by its send mark
 * (lease.c); the answer is parsed on the order's worker.  Takes the run: every path ends
 * in eng_run_finish or eng_run_unsent.  Any thread.
 */
void eng_send_run(action_run *r);

#endif
