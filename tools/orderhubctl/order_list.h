/*
 * order_list - the list verb, for the verb table (main.c):
 * argc/argv as for ctl_parse; they return the exit status.
 */
#ifndef OH_CTL_ORDER_LIST_H
#define OH_CTL_ORDER_LIST_H

#include "ctl.h"

int verb_list(ctl *c, int argc, char **argv);

#endif
