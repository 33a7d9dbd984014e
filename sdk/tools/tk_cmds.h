/*
 * tk_cmds - the verbs of orderhub-plugin beyond `info`, and what they share.
 */
#ifndef TK_CMDS_H
#define TK_CMDS_H

#include "loader/loader.h"
#include "tk_instance.h"

#include <jansson.h>
#include <stdio.h>

/* tk_usage - the tool's whole usage text. */
void tk_usage(FILE *out);

/*
 * tk_auth_request - when the plugin has an auth step (OAuth2), add the request its
 * auth_build makes to `out` as "auth_request".  0, or 1 with the reason printed.
 */
int tk_auth_request(const tk_instance *t, json_t *out);

/* The verbs: argv[0] is the verb; exit codes 0 done, 1 refused / failed, 2 usage. */
int cmd_track_parse(int argc, char **argv, const tk_common *common);
int cmd_track_request(int argc, char **argv, const tk_common *common);
int cmd_auth_parse(int argc, char **argv, const tk_common *common);
int cmd_label_parse(int argc, char **argv, const tk_common *common);
int cmd_rate_parse(int argc, char **argv, const tk_common *common);
int cmd_label_request(int argc, char **argv, const tk_common *common);
int cmd_rate_request(int argc, char **argv, const tk_common *common);
int cmd_notify_render(int argc, char **argv, const tk_common *common);
/* payment_cmds.c */
int cmd_payment_parse(int argc, char **argv, const tk_common *common);
int cmd_payment_request(int argc, char **argv, const tk_common *common);
int cmd_webhook_verify(int argc, char **argv, const tk_common *common);
int cmd_webhook_parse(int argc, char **argv, const tk_common *common);

#endif
