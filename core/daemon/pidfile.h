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

/* daemonize - fork twice, setsid, chdir /, stdio to /dev/null.  0 in the child, -1 on error. */
int daemonize(char *err, size_t errlen);

#endif
