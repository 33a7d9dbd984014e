/*
 * options - orderhubctl's command line: the global options and the parser every verb
 * uses (main.c for the part before the verb).
 */
#ifndef OH_CTL_OPTIONS_H
#define OH_CTL_OPTIONS_H

#include "ctl.h"

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

/*
 * ctl_parse_global - the global options before the verb (argv[0] is the program): -1 to
 * go on with the verb in argv[*first]; 0 when --help asked for the program's help (the
 * caller prints it); otherwise the exit status after a usage message.
 */
int ctl_parse_global(ctl *c, int argc, char **argv, int *first);

/* The help text of the global options, which every help ends with. */
extern const char ctl_global_help[];

#endif
