#include "config.h"

#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int pidfile_acquire(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
        return -1;
    }
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &lk) != 0) {
        char buf[32] = "";
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        snprintf(err, errlen, "pid file %s is locked: orderhubd already runs (pid %s)", path,
                 buf[0] ? buf : "?");
        close(fd);
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || write(fd, pid, (size_t)len) != len) {
        snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

void pidfile_release(const char *path, int fd)
{
    if (fd < 0)
        return;
    unlink(path);
    close(fd);
}

int daemonize(char *err, size_t errlen)
{
    pid_t pid = fork();
    if (pid < 0)
        goto fail;
    if (pid > 0)
        _exit(0);
    if (setsid() < 0)
        goto fail;
    /* A second fork: the daemon is no session leader and can never regain a terminal. */
    pid = fork();
    if (pid < 0)
        goto fail;
    if (pid > 0)
        _exit(0);
    umask(027);
    if (chdir("/") != 0)
        goto fail;
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0)
        goto fail;
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO)
        close(fd);
    return 0;
fail:
    snprintf(err, errlen, "daemonize: %s", strerror(errno));
    return -1;
}
