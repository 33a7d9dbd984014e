/*
 * notify_cmds - the test kit's notifier verb, for the command table of orderhub-plugin.c.
 */
#ifndef TK_NOTIFY_CMDS_H
#define TK_NOTIFY_CMDS_H

#include "tk_instance.h"

/* argv[0] is the verb; exit codes 0 done, 1 refused / failed, 2 usage. */
int cmd_notify_render(int argc, char **argv, const tk_common *common);

#endif
