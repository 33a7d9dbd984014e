/*
 * clock - the executor's monotonic clock, apart from executor.c so that queue.c reads it
 * without seeing the executor's calls (which use the queues).
 */
#include "config.h"

#include "clock.h"

#include <time.h>

double ex_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
