/*
 * admin.c - the operator's verbs: dead-letters, replay, plugins, check-store (admin token) and
 * check-config, which runs orderhubd --check-config and passes its exit status through.
 */
#include "config.h"

#include "admin.h"

#include "ctl.h"
#include "http.h"
#include "options.h"
#include "output.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int no_opt(void *arg, int id, const char *value)
{
    return CTL_USAGE;
}

/* GET path and print the array under key as a table of the given columns. */
static int table_of(ctl *c, const char *path, const char *key, size_t ncols,
                    const char *const *headers, const char *const *fields, unsigned right,
                    const char *none)
{
    ctl_resp r;
    int rc = ctl_call(c, "GET", path, NULL, NULL, &r);
    if (rc != 0)
        return rc;
    if (c->json) {
        out_raw(r.body, r.len);
        ctl_resp_free(&r);
        return CTL_OK;
    }
    const json_t *list = json_object_get(r.json, key);
    if (!json_is_array(list)) {
        fprintf(stderr, "orderhubctl: the answer has no \"%s\" array\n", key);
        ctl_resp_free(&r);
        return CTL_REFUSED;
    }
    out_table *t = out_table_new(ncols, headers, right);
    if (t == NULL) {
        ctl_resp_free(&r);
        fprintf(stderr, "orderhubctl: out of memory\n");
        return CTL_REFUSED;
    }
    size_t i;
    const json_t *x;
    json_array_foreach(list, i, x) {
        char *cells[16] = {0};
        for (size_t k = 0; k < ncols && k < 16; k++)
            cells[k] = out_scalar(json_object_get(x, fields[k]));
        const char *row[16];
        for (size_t k = 0; k < ncols && k < 16; k++)
            row[k] = cells[k] ? cells[k] : "";
        out_table_add(t, row);
        for (size_t k = 0; k < ncols && k < 16; k++)
            free(cells[k]);
    }
    out_table_or_none(t, none);
    out_table_free(t);
    ctl_resp_free(&r);
    return CTL_OK;
}

static const char dead_letters_help[] =
    "usage: orderhubctl dead-letters\n"
    "\n"
    "Admin: list the actions that gave up (GET /v1/dead-letters): id, order, plugin\n"
    "instance, operation, attempts and the last error.  'orderhubctl replay ID' puts\n"
    "one back in the queue.\n";

int verb_dead_letters(ctl *c, int argc, char **argv)
{
    int first, rc = ctl_parse(c, argc, argv, dead_letters_help, NULL, no_opt, NULL, 0, 0,
                              &first);
    if (rc >= 0)
        return rc;
    static const char *const hdr[] = {"ID", "ORDER", "INSTANCE", "OPERATION", "ATTEMPTS",
                                      "LAST ERROR"};
    static const char *const fields[] = {"id", "order_id", "instance", "operation",
                                         "attempts", "last_error"};
    return table_of(c, "/v1/dead-letters", "dead_letters", 6, hdr, fields, 1u << 4,
                    "no dead letters");
}

static const char replay_help[] =
    "usage: orderhubctl replay ACTION_ID\n"
    "\n"
    "Admin: put dead letter ACTION_ID back in the queue with its attempts reset\n"
    "(POST /v1/dead-letters/ACTION_ID/replay).\n";

int verb_replay(ctl *c, int argc, char **argv)
{
    int first, rc = ctl_parse(c, argc, argv, replay_help, NULL, no_opt, NULL, 1, 1, &first);
    if (rc >= 0)
        return rc;
    char *path = ctl_path("v1", "dead-letters", argv[first], "replay", (const char *)NULL);
    if (path == NULL) {
        fprintf(stderr, "orderhubctl: out of memory\n");
        return CTL_REFUSED;
    }
    ctl_resp r;
    rc = ctl_call(c, "POST", path, NULL, NULL, &r);
    free(path);
    if (rc != 0)
        return rc;
    if (c->json) {
        out_raw(r.body, r.len);
    } else {
        char *id = out_clean(argv[first]);
        printf("%s replayed\n", id ? id : "");
        free(id);
    }
    ctl_resp_free(&r);
    return CTL_OK;
}

static const char plugins_help[] =
    "usage: orderhubctl plugins\n"
    "\n"
    "Admin: the loaded plugin instances (GET /v1/plugins): instance id, module, kind,\n"
    "version and plugin ABI.\n";

int verb_plugins(ctl *c, int argc, char **argv)
{
    int first, rc = ctl_parse(c, argc, argv, plugins_help, NULL, no_opt, NULL, 0, 0, &first);
    if (rc >= 0)
        return rc;
    static const char *const hdr[] = {"ID", "MODULE", "KIND", "VERSION", "ABI"};
    static const char *const fields[] = {"id", "module", "kind", "version", "abi"};
    return table_of(c, "/v1/plugins", "plugins", 5, hdr, fields, 0, "no plugins");
}

static const char check_store_help[] =
    "usage: orderhubctl check-store\n"
    "\n"
    "Admin: check the daemon's database now (POST /v1/store/check): SQLite's PRAGMA\n"
    "quick_check, one read of the whole file while the daemon keeps serving (about\n"
    "0.15 s per 100,000 orders from the page cache).  Exits 0 after 'store OK', 1 with\n"
    "the problems found on stderr (/healthz then answers 503 until a check passes).\n"
    "A big database may need a longer --timeout.\n";

static void print_store_ok(const json_t *answer)
{
    printf("store OK: integrity check passed in %lld ms\n",
           (long long)json_integer_value(json_object_get(answer, "took_ms")));
}

int verb_check_store(ctl *c, int argc, char **argv)
{
    int first, rc = ctl_parse(c, argc, argv, check_store_help, NULL, no_opt, NULL, 0, 0,
                              &first);
    if (rc >= 0)
        return rc;
    return ctl_call_print(c, "POST", "/v1/store/check", NULL, print_store_ok);
}

/* ---- check-config ----------------------------------------------------------------- */

static const char check_config_help[] =
    "usage: orderhubctl check-config [-c FILE]\n"
    "\n"
    "Check a configuration file with 'orderhubd --check-config' (no daemon needed) and\n"
    "exit with its status: 0 valid, 1 invalid, 2 usage error; 127 when no orderhubd is\n"
    "found.  orderhubd is looked for next to orderhubctl (../sbin/orderhubd installed,\n"
    "../../core/orderhubd in the build tree), then in PATH.\n"
    "\n"
    "  -c, --config FILE  the file (default: orderhubd's default configuration)\n";

static int config_opt(void *arg, int id, const char *value)
{
    *(const char **)arg = value;
    return 0;
}

/* The directory of this program, as the kernel knows it; "" when unknown. */
static void self_dir(char *buf, size_t n)
{
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    buf[0] = '\0';
    if (len <= 0)
        return;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    /* A libtool wrapper runs the real program from .libs/. */
    size_t el = strlen(exe);
    if (el >= 6 && strcmp(exe + el - 6, "/.libs") == 0)
        exe[el - 6] = '\0';
    snprintf(buf, n, "%s", exe);
}

int verb_check_config(ctl *c, int argc, char **argv)
{
    static const ctl_opt opts[] = {{"config", required_argument, 1, 'c'}, {0}};
    const char *file = NULL;
    int first, rc = ctl_parse(c, argc, argv, check_config_help, opts, config_opt, &file, 0, 0,
                              &first);
    if (rc >= 0)
        return rc;
    char *args[5];
    int n = 0;
    args[n++] = (char *)"orderhubd";
    args[n++] = (char *)"--check-config";
    if (file != NULL) {
        args[n++] = (char *)"-c";
        args[n++] = (char *)file;
    }
    args[n] = NULL;

    char dir[PATH_MAX], cand[2][PATH_MAX + 32];
    self_dir(dir, sizeof(dir));
    snprintf(cand[0], sizeof(cand[0]), "%s/../sbin/orderhubd", dir);
    snprintf(cand[1], sizeof(cand[1]), "%s/../../core/orderhubd", dir);
    fflush(stdout);
    for (int i = 0; dir[0] && i < 2; i++) {
        if (access(cand[i], X_OK) != 0)
            continue;
        if (c->verbose)
            fprintf(stderr, "orderhubctl: running %s --check-config%s%s\n", cand[i],
                    file ? " -c " : "", file ? file : "");
        execv(cand[i], args);
        fprintf(stderr, "orderhubctl: cannot run %s: %s\n", cand[i], strerror(errno));
    }
    if (c->verbose)
        fprintf(stderr, "orderhubctl: running orderhubd from PATH\n");
    execvp("orderhubd", args);
    fprintf(stderr, "orderhubctl check-config: cannot run orderhubd: %s (looked in %s%s%s and "
            "PATH)\n", strerror(errno), dir[0] ? cand[0] : "", dir[0] ? ", " : "",
            dir[0] ? cand[1] : "");
    return CTL_NOTFOUND;
}
