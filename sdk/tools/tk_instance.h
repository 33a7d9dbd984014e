/*
 * tk_instance - the SDK test kit's one plugin instance: a module loaded by the daemon's own
 * loader, settings validated by the daemon's own schema code from `--setting key=value`
 * pairs, init called with the daemon's host table.  What the test kit accepts, orderhubd
 * accepts, and the other way round.  Also what every verb shares: its options, recorded
 * answers, and how a rejection is reported.
 */
#ifndef TK_INSTANCE_H
#define TK_INSTANCE_H

#include "host/host.h"
#include "loader/loader.h"
#include "runtime/instance.h"

#include <stdio.h>

/* What every verb gets from the command line before the verb. */
typedef struct tk_common {
    ldr_registry *reg;
    char **dirs; /* --plugin-path directories */
    size_t ndirs;
} tk_common;

/* The options of a verb: --setting and --help always; the others when the verb takes them. */
#define TK_OPT_STATUS 0x1u     /* --status HTTP_CODE (default 200) */
#define TK_OPT_NUMBER 0x2u     /* --number N, repeatable */
#define TK_OPT_AUTH_TOKEN 0x4u /* --auth-token TOKEN (default a placeholder) */
#define TK_OPT_INPUT 0x8u      /* --input INPUT.json */
#define TK_OPT_HEADER 0x10u    /* --header 'Name: value', repeatable */
#define TK_OPT_SECRET 0x20u    /* --secret S: the plugin's webhook_secret setting */
#define TK_OPT_NOW 0x40u       /* --now UNIX_TIME: the host clock, fixed */

#define TK_MAX_HEADERS 64

typedef struct tk_args {
    char **settings;   /* --setting key=value, in order (--secret adds webhook_secret=S) */
    size_t nsettings;
    char **numbers;    /* --number N */
    size_t nnumbers;
    int status;
    const char *auth_token;
    const char *input;
    oh_header headers[TK_MAX_HEADERS]; /* owned strings */
    size_t nheaders;
    int64_t now_s;     /* 0: the real clock */
    char *secret_pair; /* owned */
    char **positional; /* what is left after the options (the verb excluded) */
    size_t npositional;
} tk_args;

/*
 * tk_args_parse - read a verb's options (argv[0] is the verb), any order, options and
 * positional arguments mixed.  Returns 0 when parsed, 2 on a usage error (printed); --help
 * prints the usage and exits 0.  Free with tk_args_free in every case.
 */
int tk_args_parse(tk_args *a, int argc, char **argv, unsigned allowed);
void tk_args_free(tk_args *a);

typedef struct tk_instance {
    struct oh_instance inst;
    int initialised;
} tk_instance;

/*
 * tk_instance_open - load `plugin` (path or module name, see tk_load), check it is of
 * `kind`, build its settings from a->settings ("key=value", typed by the plugin's schema)
 * and call init.  Prints every problem on stderr and returns -1; 0 when `out` is ready for
 * tk_instance_close.
 */
int tk_instance_open(const tk_common *common, const char *plugin, oh_plugin_kind kind,
                     const tk_args *a, tk_instance *out);
void tk_instance_close(tk_instance *t);

/* tk_load - load PLUGIN as a path (contains '/') or a module name searched in the
 * --plugin-path directories, then ORDERHUB_PLUGIN_PATH, then the installed directory.
 * Prints the refusal; NULL on one. */
const ldr_module *tk_load(const tk_common *common, const char *plugin);

/* A recorded answer: the file's bytes as an oh_response with the given status. */
typedef struct tk_answer {
    oh_response resp;
    char *body; /* owned */
} tk_answer;

/* tk_answer_read - read `path` (at most the daemon's parse cap); 0, or -1 printed. */
int tk_answer_read(const char *path, int status, tk_answer *out);
void tk_answer_free(tk_answer *a);

/* tk_report_rejection - "PLUGIN rejected the answer (transient|permanent): reason". */
void tk_report_rejection(const char *plugin, int rc, const oh_error *err);

/* tk_read_file - the whole of `path` (at most `max` bytes) NUL-terminated; NULL with the
 * reason printed on stderr. */
char *tk_read_file(const char *path, size_t max, size_t *len);

/* tk_print_json - print `j` indented, keys in insertion order; steals the reference. */
int tk_print_json(json_t *j);

#endif
