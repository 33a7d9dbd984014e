/*
 * options - orderhubctl's command line: the global options, accepted before or after the
 * verb, and the parser every verb uses for them and its own.
 */
#include "config.h"

#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ctl_global_help[] =
    "Global options (before or after the verb):\n"
    "  --url URL            the daemon's API (env ORDERHUB_URL; default " CTL_DEFAULT_URL ")\n"
    "  --token TOKEN        bearer token (env ORDERHUB_TOKEN); visible to other local\n"
    "                       users while the process starts: prefer --token-file\n"
    "  --token-file PATH    read the token from the first line of PATH\n"
    "  --json               print the server's JSON answer as is\n"
    "  --timeout SECONDS    give up after SECONDS (default 30)\n"
    "  --verbose            print method, URL and status of each request on stderr\n"
    "  -h, --help           this help\n";

enum { G_URL = 0x1001, G_TOKEN, G_TOKEN_FILE, G_JSON, G_TIMEOUT, G_VERBOSE, G_HELP };

static const ctl_opt global_opts[] = {
    {"url", required_argument, G_URL, 0},
    {"token", required_argument, G_TOKEN, 0},
    {"token-file", required_argument, G_TOKEN_FILE, 0},
    {"json", no_argument, G_JSON, 0},
    {"timeout", required_argument, G_TIMEOUT, 0},
    {"verbose", no_argument, G_VERBOSE, 0},
    {"help", no_argument, G_HELP, 'h'},
};
#define N_GLOBAL (sizeof(global_opts) / sizeof(global_opts[0]))

int ctl_usage(const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, CTL_PROG "%s%s: ", verb ? " " : "", verb ? verb : "");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '" CTL_PROG "%s%s --help'.\n", verb ? " " : "", verb ? verb : "");
    return CTL_USAGE;
}

int ctl_parse_uint(const char *text, long long min, long long max, long long *out)
{
    if (text == NULL || *text < '0' || *text > '9')
        return -1;
    errno = 0;
    char *end;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int set_global(ctl *c, const char *verb, int id, char *value)
{
    switch (id) {
    case G_URL:
        c->opt_url = value;
        return 0;
    case G_TOKEN: {
        /* Keep a copy and blank the argument, so ps shows no token once we run. */
        char *copy = strdup(value);
        if (copy == NULL)
            return ctl_usage(verb, "out of memory");
        free((char *)c->opt_token);
        c->opt_token = copy;
        memset(value, 'x', strlen(value));
        return 0;
    }
    case G_TOKEN_FILE:
        c->token_file = value;
        return 0;
    case G_JSON:
        c->json = 1;
        return 0;
    case G_VERBOSE:
        c->verbose = 1;
        return 0;
    case G_TIMEOUT: {
        char *end;
        errno = 0;
        double s = strtod(value, &end);
        if (errno != 0 || end == value || *end != '\0' || !(s > 0) || s > 86400)
            return ctl_usage(verb, "--timeout: expected seconds from 0.001 to 86400, not '%s'",
                             value);
        c->timeout_ms = (long)(s * 1000.0 + 0.5);
        if (c->timeout_ms < 1)
            c->timeout_ms = 1;
        return 0;
    }
    }
    return ctl_usage(verb, "internal error: option %d", id);
}

static void print_help(const char *help)
{
    fputs(help, stdout);
    fputs("\n", stdout);
    fputs(ctl_global_help, stdout);
}

/* The parser shared by main (stop_at_verb: stop at the first positional argument) and
 * the verbs (permute: options anywhere). */
static int parse(ctl *c, int argc, char **argv, const char *verb, const char *help,
                 const ctl_opt *opts, ctl_opt_fn fn, void *arg, int stop_at_verb, int *first)
{
    size_t nv = 0;
    while (opts && opts[nv].name)
        nv++;
    struct option *lo = calloc(nv + N_GLOBAL + 1, sizeof(*lo));
    char shorts[64];
    size_t sl = 0;
    if (lo == NULL)
        return ctl_usage(verb, "out of memory");
    shorts[sl++] = stop_at_verb ? '+' : ':';
    if (stop_at_verb)
        shorts[sl++] = ':';
    for (size_t i = 0; i < nv + N_GLOBAL; i++) {
        const ctl_opt *o = i < nv ? &opts[i] : &global_opts[i - nv];
        lo[i] = (struct option){o->name, o->has_arg, NULL, 0x10000 + (int)i};
        if (o->short_name && sl + 3 < sizeof(shorts)) {
            shorts[sl++] = o->short_name;
            if (o->has_arg == required_argument)
                shorts[sl++] = ':';
        }
    }
    shorts[sl] = '\0';

    int rc = -1, ch;
    optind = 0; /* glibc: full re-initialization */
    opterr = 0;
    while (rc < 0 && (ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        const ctl_opt *o = NULL;
        if (ch >= 0x10000) {
            size_t i = (size_t)(ch - 0x10000);
            o = i < nv ? &opts[i] : &global_opts[i - nv];
        } else if (ch != '?' && ch != ':') {
            for (size_t i = 0; i < nv + N_GLOBAL && o == NULL; i++) {
                const ctl_opt *x = i < nv ? &opts[i] : &global_opts[i - nv];
                if (x->short_name == ch)
                    o = x;
            }
        }
        if (ch == ':') {
            rc = ctl_usage(verb, "option '%s' needs an argument", argv[optind - 1]);
        } else if (o == NULL) {
            if (optopt && optopt < 0x10000)
                rc = ctl_usage(verb, "unknown option '-%c'", optopt);
            else
                rc = ctl_usage(verb, "unknown option '%s'", argv[optind - 1]);
        } else if (o->id == G_HELP) {
            if (help != NULL) /* NULL: the program's help, printed by main */
                print_help(help);
            rc = 0;
        } else if (o->id >= G_URL) {
            int r = set_global(c, verb, o->id, optarg);
            if (r != 0)
                rc = r;
        } else {
            int r = fn(arg, o->id, optarg);
            if (r != 0)
                rc = r;
        }
    }
    free(lo);
    *first = optind;
    return rc;
}

int ctl_parse(ctl *c, int argc, char **argv, const char *help, const ctl_opt *opts,
              ctl_opt_fn fn, void *arg, int nargs_min, int nargs_max, int *first)
{
    int rc = parse(c, argc, argv, argv[0], help, opts, fn, arg, 0, first);
    if (rc >= 0)
        return rc;
    int n = argc - *first;
    if (n < nargs_min)
        return ctl_usage(argv[0], "missing argument (%d expected, %d given)", nargs_min, n);
    if (nargs_max >= 0 && n > nargs_max)
        return ctl_usage(argv[0], "unexpected argument '%s'", argv[*first + nargs_max]);
    return -1;
}

int ctl_parse_global(ctl *c, int argc, char **argv, int *first)
{
    return parse(c, argc, argv, NULL, NULL, NULL, NULL, NULL, 1, first);
}
