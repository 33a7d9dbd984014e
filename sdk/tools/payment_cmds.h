/*
 * payment_cmds - the test kit's payment gateway verbs (a gateway's answers and requests,
 * its webhooks), for the command table of orderhub-plugin.c.
 */
#ifndef TK_PAYMENT_CMDS_H
#define TK_PAYMENT_CMDS_H

#include "tk_instance.h"

/* argv[0] is the verb; exit codes 0 done, 1 refused / failed, 2 usage. */
int cmd_payment_parse(int argc, char **argv, const tk_common *common);
int cmd_payment_request(int argc, char **argv, const tk_common *common);
int cmd_webhook_verify(int argc, char **argv, const tk_common *common);
int cmd_webhook_parse(int argc, char **argv, const tk_common *common);

#endif
