/*
 * eng_queue - messages to the workers and the dispatcher's wake-up (eng_queue.c): what
 * the step layer, the dispatcher and the runs use to hand work on.  Calls nothing of the
 * files that post, so none of them depends on engine.c, which starts the threads.
 */
#ifndef OH_ENG_QUEUE_H
#define OH_ENG_QUEUE_H

#include "engine_int.h"

eng_msg *eng_msg_new(msg_kind kind, const char *order_id);
void eng_msg_free(eng_msg *m);
void eng_docs_free(st_document *docs, size_t n);

/* eng_worker_of - the index of the worker that owns order_id's messages (and parses the
 * answers of its actions). */
int eng_worker_of(const engine *e, const char *order_id);

void eng_post(engine *e, eng_msg *m);       /* to the order's worker; takes m */
void eng_wake(engine *e);                    /* the dispatcher: new work may be due */

#endif
