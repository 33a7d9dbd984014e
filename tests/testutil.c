#include "config.h"

#include "testutil.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *dir = NULL;
    ck_assert_int_ge(asprintf(&dir, "%s/ohtest.XXXXXX", base ? base : "/tmp"), 0);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void tu_rmdir(char *dir)
{
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

char *tu_write(const char *dir, const char *name, const char *text)
{
    char *path = NULL;
    ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

char *tu_read(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        fwrite(chunk, 1, n, mem);
    fclose(f);
    fclose(mem);
    return buf;
}

const char *tu_env(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v != NULL && *v != '\0', "the test harness must set %s", name);
    return v;
}

int tu_diag_has(const diag_list *d, const char *needle)
{
    for (size_t i = 0; i < d->count; i++) {
        if (strstr(d->items[i].text, needle) != NULL)
            return 1;
    }
    return 0;
}

const char *tu_diag_dump(const diag_list *d)
{
    static char buf[8192];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->count && used < sizeof(buf); i++) {
        int n = snprintf(buf + used, sizeof(buf) - used, "\n  %s", d->items[i].text);
        used += n > 0 ? (size_t)n : 0;
    }
    return buf;
}

int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
