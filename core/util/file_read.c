#include "config.h"

#include "file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a plain file";
}

int fr_read_regular(const char *path, size_t max, char **out, size_t *len, char *why,
                    size_t whylen)
{
    *out = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(why, whylen, "cannot stat it: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "it is %s, not a regular file", kind_of(st.st_mode));
        close(fd);
        return -1;
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
        snprintf(why, whylen, "it is larger than %zu bytes", max);
        close(fd);
        return FR_TOO_LARGE;
    }
    /* Read one byte more than allowed: a file that grew since fstat is caught too. */
    size_t cap = (size_t)st.st_size + 1 <= max ? (size_t)st.st_size + 1 : max + 1;
    char *buf = malloc(cap + 1);
    size_t used = 0;
    ssize_t n = 0;
    while (buf != NULL && used < cap) {
        n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
        if (used == cap && cap <= max) { /* grew since fstat: widen up to the limit */
            size_t wider = cap * 2 <= max + 1 ? cap * 2 : max + 1;
            char *b = wider > cap ? realloc(buf, wider + 1) : buf;
            if (b == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap = wider;
        }
    }
    int err = errno;
    close(fd);
    if (buf == NULL) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    if (n < 0) {
        snprintf(why, whylen, "cannot read it: %s", strerror(err));
        free(buf);
        return -1;
    }
    if (used > max) {
        snprintf(why, whylen, "it is larger than %zu bytes", max);
        free(buf);
        return FR_TOO_LARGE;
    }
    buf[used] = '\0';
    *out = buf;
    *len = used;
    return 0;
}
