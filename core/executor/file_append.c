/*
 * file_append - the file:// scheme: append a body to a local file with one write(2).
 *
 * URL form: file:///absolute/path or file://localhost/absolute/path, %XX escapes decoded;
 * no query or fragment.  The file is opened O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, mode 0640
 * (minus the umask), so appends of different requests never interleave within a line.
 */
#include "config.h"

#include "file_append.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The decoded path of a file:// URL (free it), or NULL with err set. */
static char *url_path(const char *url, char *err, size_t errlen)
{
    const char *p = url + strlen("file://");
    if (strncasecmp(p, "localhost/", 10) == 0)
        p += strlen("localhost");
    if (*p != '/') {
        snprintf(err, errlen, "file:// URL needs an absolute path on this host");
        return NULL;
    }
    if (strpbrk(p, "?#") != NULL) {
        snprintf(err, errlen, "file:// URL with a query or fragment");
        return NULL;
    }
    char *out = malloc(strlen(p) + 1);
    if (out == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    size_t o = 0;
    for (; *p; p++) {
        if (*p != '%') {
            out[o++] = *p;
            continue;
        }
        int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
        if (lo < 0 || (hi == 0 && lo == 0)) {
            snprintf(err, errlen, "file:// URL with a bad %% escape");
            free(out);
            return NULL;
        }
        out[o++] = (char)(hi * 16 + lo);
        p += 2;
    }
    out[o] = '\0';
    return out;
}

int ex_file_append(const char *url, const void *data, size_t len, char *err, size_t errlen)
{
    char *path = url_path(url, err, errlen);
    if (path == NULL)
        return -1;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    free(path);
    if (fd < 0) {
        snprintf(err, errlen, "file:// open: %s", strerror(errno));
        return -1;
    }
    ssize_t n;
    do {
        n = len > 0 ? write(fd, data, len) : 0;
    } while (n < 0 && errno == EINTR);
    int saved = errno;
    if (close(fd) != 0 && n >= 0) {
        n = -1;
        saved = errno;
    }
    if (n < 0) {
        snprintf(err, errlen, "file:// write: %s", strerror(saved));
        return -1;
    }
    if ((size_t)n != len) {
        snprintf(err, errlen, "file:// short write (%zd of %zu bytes)", n, len);
        return -1;
    }
    return 0;
}
