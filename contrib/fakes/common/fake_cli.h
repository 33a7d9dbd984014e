/*
 * fake_cli - what every fake remote service's main does the same way: read a bounded
 * integer option, set signals up before any thread exists, announce the port on stdout
 * (line-buffered: test scripts wait for that line), and wait for SIGTERM or SIGINT.
 */
#ifndef FAKE_CLI_H
#define FAKE_CLI_H

#include <signal.h>

/* fake_parse_long - the decimal integer s, lo..hi, into *out; 0, or -1 when it is not. */
int fake_parse_long(const char *s, long lo, long hi, long *out);

/*
 * fake_signals_block - line-buffer stdout, ignore SIGPIPE, and block SIGTERM and SIGINT
 * (into *set) in this thread and every thread started after it: call before the server's
 * threads exist, then fake_ready_wait.
 */
void fake_signals_block(sigset_t *set);

/* fake_ready_wait - print "listening on 127.0.0.1:PORT", then wait for a signal of *set. */
void fake_ready_wait(const sigset_t *set, unsigned port);

#endif
