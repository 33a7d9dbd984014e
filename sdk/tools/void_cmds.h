/*
 * void_cmds - the test kit's label void verbs (SDK 1.2), for the command table of
 * orderhub-plugin.c.
 */
#ifndef TK_VOID_CMDS_H
#define TK_VOID_CMDS_H

#include "tk_instance.h"

/* argv[0] is the verb; exit codes 0 done, 1 refused / failed, 2 usage. */
int cmd_void_request(int argc, char **argv, const tk_common *common);
int cmd_void_parse(int argc, char **argv, const tk_common *common);

#endif
