/*
 * order_submit - the submit verb, for the verb table (main.c):
 * argc/argv as for ctl_parse; they return the exit status.
 */
#ifndef OH_CTL_ORDER_SUBMIT_H
#define OH_CTL_ORDER_SUBMIT_H

#include "ctl.h"

int verb_submit(ctl *c, int argc, char **argv);

#endif
