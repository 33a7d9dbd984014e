/*
 * order_cases - returns and disputes, for the verb table (main.c):
 * argc/argv as for ctl_parse; they return the exit status.
 */
#ifndef OH_CTL_ORDER_CASES_H
#define OH_CTL_ORDER_CASES_H

#include "ctl.h"

int verb_return(ctl *c, int argc, char **argv);
int verb_dispute(ctl *c, int argc, char **argv);

#endif
