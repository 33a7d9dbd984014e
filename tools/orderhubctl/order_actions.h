/*
 * order_actions - the actions on an order as a whole, for the verb table (main.c):
 * argc/argv as for ctl_parse; they return the exit status.
 */
#ifndef OH_CTL_ORDER_ACTIONS_H
#define OH_CTL_ORDER_ACTIONS_H

#include "ctl.h"

int verb_ack(ctl *c, int argc, char **argv);
int verb_pack(ctl *c, int argc, char **argv);
int verb_ship(ctl *c, int argc, char **argv);
int verb_cancel(ctl *c, int argc, char **argv);
int verb_payment(ctl *c, int argc, char **argv);

#endif
