/* dispatch - the dispatcher thread (dispatch.c), started by eng_start. */
#ifndef OH_DISPATCH_H
#define OH_DISPATCH_H

/* dispatch_main - the thread's body: claims actions and fires timers of the engine `arg`
 * until it stops. */
void *dispatch_main(void *arg);

#endif
