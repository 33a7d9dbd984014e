/*
 * stock - the stock verb (stock set|adjust|show|import), for the verb table (main.c):
 * argc/argv as for ctl_parse; it returns the exit status.
 */
#ifndef OH_CTL_STOCK_H
#define OH_CTL_STOCK_H

#include "ctl.h"

int verb_stock(ctl *c, int argc, char **argv);

#endif
