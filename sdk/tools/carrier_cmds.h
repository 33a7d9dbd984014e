/*
 * carrier_cmds - the test kit's carrier verbs (track, auth, label and rate), for the
 * command table of orderhub-plugin.c.
 */
#ifndef TK_CARRIER_CMDS_H
#define TK_CARRIER_CMDS_H

#include "tk_instance.h"

/* argv[0] is the verb; exit codes 0 done, 1 refused / failed, 2 usage. */
int cmd_track_parse(int argc, char **argv, const tk_common *common);
int cmd_track_request(int argc, char **argv, const tk_common *common);
int cmd_auth_parse(int argc, char **argv, const tk_common *common);
int cmd_label_parse(int argc, char **argv, const tk_common *common);
int cmd_rate_parse(int argc, char **argv, const tk_common *common);
int cmd_label_request(int argc, char **argv, const tk_common *common);
int cmd_rate_request(int argc, char **argv, const tk_common *common);

#endif
