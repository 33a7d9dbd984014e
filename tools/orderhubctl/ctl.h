/*
 * ctl - what every part of orderhubctl shares: the global settings, the exit statuses,
 * option parsing for a verb (main.c) and the verbs themselves (orders.c, admin.c).
 */
#ifndef OH_CTL_H
#define OH_CTL_H

#include <getopt.h>

/* Exit statuses (docs/man/orderhubctl.1, EXIT STATUS). */
enum {
    CTL_OK = 0,
    CTL_REFUSED = 1,   /* the server answered 3xx, 4xx or 5xx, or an answer it cannot read */
    CTL_USAGE = 2,     /* bad command line, unreadable input file or token file */
    CTL_CONNECT = 3,   /* no answer: cannot connect, resolve, or the timeout ran out */
    CTL_NOTFOUND = 127 /* check-config: no orderhubd program found */
};

#define CTL_DEFAULT_URL "http://127.0.0.1:8780"
#define CTL_DEFAULT_TIMEOUT_MS 30000L

/* The global settings: command line first, then the environment, then the defaults. */
typedef struct ctl {
    const char *prog;        /* "orderhubctl" */
    const char *opt_url;     /* --url */
    const char *opt_token;   /* --token (a copy: the argv text is blanked) */
    const char *token_file;  /* --token-file */
    int json;                /* --json: print the server's JSON as is */
    int verbose;             /* --verbose: method, URL and status on stderr */
    long timeout_ms;         /* --timeout */
    /* Resolved on the first request (http.c). */
    int resolved;
    char *url;               /* base URL without a trailing '/' */
    char *token;             /* NULL: none given */
    void *curl;              /* the CURL easy handle, reused across requests */
} ctl;

/* One option of a verb; id > 0 is handed to the verb's handler. */
typedef struct ctl_opt {
    const char *name;
    int has_arg;             /* no_argument or required_argument */
    int id;
    char short_name;         /* 0: long form only */
} ctl_opt;

/* A verb's option handler: 0, or an exit status after printing why (CTL_USAGE). */
typedef int (*ctl_opt_fn)(void *arg, int id, const char *value);

/*
 * ctl_parse - parse a verb's command line: argv[0] is the verb's name (as shown in
 * messages, "return approve"), then the global options, --help and the verb's own
 * options in any order with its positional arguments.  Returns -1 to go on with the
 * positional arguments in argv[*first] .. argv[argc - 1]; otherwise the exit status to
 * return at once (0 after printing the help, CTL_USAGE after a usage message).
 * nargs_min/nargs_max bound the positional arguments (max -1: no bound).
 */
int ctl_parse(ctl *c, int argc, char **argv, const char *help, const ctl_opt *opts,
              ctl_opt_fn fn, void *arg, int nargs_min, int nargs_max, int *first);

/* ctl_usage - print "orderhubctl VERB: message" and the --help hint; CTL_USAGE. */
int ctl_usage(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ctl_parse_uint - a decimal integer in [min, max]; 0, or -1 when text is not one. */
int ctl_parse_uint(const char *text, long long min, long long max, long long *out);

/* The verbs: argc/argv as for ctl_parse; they return the exit status. */
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
int verb_dead_letters(ctl *c, int argc, char **argv);
int verb_replay(ctl *c, int argc, char **argv);
int verb_plugins(ctl *c, int argc, char **argv);
int verb_check_store(ctl *c, int argc, char **argv);
int verb_check_config(ctl *c, int argc, char **argv);

#endif
