/*
 * admin - the admin verbs (dead letters, replay, plugins, the store check) and
 * check-config, for the verb table (main.c): argc/argv as for ctl_parse; they return the
 * exit status.
 */
#ifndef OH_CTL_ADMIN_H
#define OH_CTL_ADMIN_H

#include "ctl.h"

int verb_dead_letters(ctl *c, int argc, char **argv);
int verb_replay(ctl *c, int argc, char **argv);
int verb_plugins(ctl *c, int argc, char **argv);
int verb_check_store(ctl *c, int argc, char **argv);
int verb_check_config(ctl *c, int argc, char **argv);

#endif
