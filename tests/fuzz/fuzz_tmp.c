/*
 * fuzz_tmp - see fuzz_tmp.h.
 */
#include "config.h"

#include "fuzz_tmp.h"

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[PATH_MAX];

static void die(const char *what)
{
    perror(what);
    abort();
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void remove_dir(void)
{
    if (dir[0] != '\0')
        nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

const char *fz_tmp_dir(void)
{
    if (dir[0] != '\0')
        return dir;
    /* Memory, not disk: every execution rewrites a file, and a disk file system flushes
     * a file truncated and written again (ext4 auto_da_alloc), 100 times slower. */
    const char *base = getenv("TMPDIR");
    if (base == NULL || *base == '\0')
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof(dir), "%s/orderhub-fuzz.XXXXXX", base);
    if (mkdtemp(dir) == NULL)
        die("fuzz: mkdtemp");
    atexit(remove_dir);
    /* A configuration may @include "/dev/stdin": reading it must end, not wait. */
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0)
        die("fuzz: /dev/null");
    close(null);
    return dir;
}

const char *fz_tmp_write(const char *name, const void *data, size_t len)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", fz_tmp_dir(), name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    if (mkdir(path, 0700) != 0 && access(path, W_OK) != 0)
        die(path);
    *slash = '/';
    unlink(path); /* a new file, never a truncated one (see fz_tmp_dir) */
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die(path);
    return path;
}
