/*
 * orders - the verbs on orders (submit, show, timeline, list and the actions), for the verb
 * table (main.c): argc/argv as for ctl_parse; they return the exit status.
 */
#ifndef OH_CTL_ORDERS_H
#define OH_CTL_ORDERS_H

#include "ctl.h"

int verb_submit(ctl *c, int argc, char **argv);
int verb_show(ctl *c, int argc, char **argv);
int verb_timeline(ctl *c, int argc, char **argv);
int verb_list(ctl *c, int argc, char **argv);
int verb_ack(ctl *c, int argc, char **argv);
int verb_pack(ctl *c, int argc, char **argv);
int verb_ship(ctl *c, int argc, char **argv);
int verb_cancel(ctl *c, int argc, char **argv);
int verb_payment(ctl *c, int argc, char **argv);
int verb_return(ctl *c, int argc, char **argv);
int verb_dispute(ctl *c, int argc, char **argv);

#endif
