/*
 * track_batch - tracking polls of one carrier instance sent together (track_batch.c),
 * through the carrier's kind adapter.
 */
#ifndef OH_TRACK_BATCH_H
#define OH_TRACK_BATCH_H

#include "action_run.h"

/*
 * track_batch_run - send runs[0..n) (track runs of one instance, each batchable by its
 * adapter) in requests of at most the plugin's max_batch numbers.  Takes the runs (each
 * is settled, and freed, by eng_run_finish or eng_run_unsent); `runs` itself stays the caller's.
 * Dispatcher thread.
 */
void track_batch_run(engine *e, action_run **runs, size_t n);

#endif
