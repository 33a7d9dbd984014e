/*
 * pidfile - a locked pid file: a second daemon on the same file refuses to start.
 */
#ifndef OH_PIDFILE_H
#define OH_PIDFILE_H

#include <stddef.h>

/*
 * pidfile_acquire - create/lock `path` and write our pid.  Returns an fd to keep open for
 * the life of the process, or -1 with err set (naming the running pid when locked).
 */
int pidfile_acquire(const char *path, char *err, size_t errlen);

/* pidfile_release - unlink and close. */
void pidfile_release(const char *path, int fd);

/*
 * daemonize - fork twice, setsid, chdir /, stdio to /dev/null.  Returns 0 in the daemon
 * with *ready_fd set; the process that called it waits until the daemon calls
 * daemon_ready, then exits 0 (started) or 1 (failed: the reason is in the log), so the
 * shell that ran `orderhubd --daemon` learns whether it really started.  -1 on error.
 */
int daemonize(int *ready_fd, char *err, size_t errlen);

/* daemon_ready - tell the waiting parent the outcome and close fd (no-op when fd < 0). */
void daemon_ready(int fd, int started);

#endif
