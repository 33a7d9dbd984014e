/*
 * clock - the executor's monotonic clock (queue.c's token buckets, executor.c's jobs).
 */
#ifndef OH_EXECUTOR_CLOCK_H
#define OH_EXECUTOR_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC. */
double ex_now_ms(void);

#endif
