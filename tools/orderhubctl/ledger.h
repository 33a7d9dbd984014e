/*
 * ledger - the ledger verb (a seller's entries, a month's statement as CSV), for the verb
 * table (main.c): argc/argv as for ctl_parse; it returns the exit status.
 */
#ifndef OH_CTL_LEDGER_H
#define OH_CTL_LEDGER_H

#include "ctl.h"

int verb_ledger(ctl *c, int argc, char **argv);

#endif
