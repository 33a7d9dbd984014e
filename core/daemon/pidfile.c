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

/* The first parent: wait for the daemon's verdict and exit with it. */
static void wait_for_daemon(int fd)
{
    char verdict = 0;
    ssize_t n;
    do {
        n = read(fd, &verdict, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1 && verdict == '0')
        _exit(0);
    fprintf(stderr, "orderhubd: the daemon failed to start; the reason is in the system log\n");
    _exit(1);
}

int daemonize(int *ready_fd, char *err, size_t errlen)
{
    int pipefd[2];
    if (pipe(pipefd) != 0)
        goto fail;
    pid_t pid = fork();
    if (pid < 0)
        goto fail;
    if (pid > 0) {
        close(pipefd[1]);
        wait_for_daemon(pipefd[0]);
    }
    close(pipefd[0]);
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
    *ready_fd = pipefd[1];
    return 0;
fail:
    snprintf(err, errlen, "daemonize: %s", strerror(errno));
    return -1;
}

void daemon_ready(int fd, int started)
{
    if (fd < 0)
        return;
    char verdict = started ? '0' : '1';
    ssize_t n = write(fd, &verdict, 1);
    (void)n; /* the parent treats a missing verdict as failure */
    close(fd);
}
