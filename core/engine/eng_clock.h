/*
 * eng_clock - the engine's wall clock (eng_clock.c).  Its own file, below every other of
 * the engine, so that reading the time joins no file to engine.c.
 */
#ifndef OH_ENG_CLOCK_H
#define OH_ENG_CLOCK_H

#include <stdint.h>

/* eng_now_ms - milliseconds since the epoch (CLOCK_REALTIME: due times are stored). */
int64_t eng_now_ms(void);

#endif
