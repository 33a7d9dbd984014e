/*
 * ctl - what every part of orderhubctl shares without one another's functions: the global
 * settings, the exit statuses and a verb's options.  The option parser is options.h, the
 * verbs orders.h, stock.h and admin.h, the verb table main.c.
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

#define CTL_PROG "orderhubctl"
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

#endif
