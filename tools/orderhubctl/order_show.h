/*
 * order_show - the verbs that read one order, for the verb table (main.c):
 * argc/argv as for ctl_parse; they return the exit status.
 */
#ifndef OH_CTL_ORDER_SHOW_H
#define OH_CTL_ORDER_SHOW_H

#include "ctl.h"

int verb_show(ctl *c, int argc, char **argv);
int verb_timeline(ctl *c, int argc, char **argv);

#endif
