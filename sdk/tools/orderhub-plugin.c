/*
 * orderhub-plugin - the SDK's test kit: inspect and exercise a plugin offline.
 *
 *   orderhub-plugin info PLUGIN     print the descriptor as JSON
 *
 * PLUGIN is a path to a .so (anything containing '/') or a module name looked up in
 * --plugin-path directories, ORDERHUB_PLUGIN_PATH, then the installed plugin directory.
 * The same loader as orderhubd's validates it, so a refusal here is a refusal there.
 */
#include "config.h"

#include "loader/describe.h"
#include "loader/loader.h"
#include "runtime/runtime.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: orderhub-plugin [--plugin-path DIR]... COMMAND ARGS\n"
            "Inspect and test an orderhub plugin offline.\n\n"
            "Commands:\n"
            "  info PLUGIN     print the plugin's descriptor (kind, ABI, operations, settings)\n"
            "                  as JSON; exit 1 with the reason if the loader refuses it\n\n"
            "PLUGIN is a path to a .so, or a module name searched in --plugin-path DIRs,\n"
            "ORDERHUB_PLUGIN_PATH and %s.\n\n"
            "Options:\n"
            "  -P, --plugin-path DIR  add a directory to search (repeatable)\n"
            "  -V, --version          print the version and the SDK ABI\n"
            "  -h, --help             this help\n",
            OH_PLUGINDIR);
}

/* Load PLUGIN as a path or a module name. */
static const ldr_module *load(ldr_registry *reg, const char *plugin, char **cli_dirs,
                              size_t ncli)
{
    char err[1024];
    const ldr_module *m = NULL;
    int rc;
    if (strchr(plugin, '/') != NULL) {
        rc = ldr_open(reg, plugin, &m, err, sizeof(err));
    } else {
        size_t nenv = 0;
        char **env = rt_split_path(getenv("ORDERHUB_PLUGIN_PATH"), &nenv);
        const char **dirs = calloc(ncli + nenv + 1, sizeof(char *));
        size_t n = 0;
        for (size_t i = 0; dirs && i < ncli; i++)
            dirs[n++] = cli_dirs[i];
        for (size_t i = 0; dirs && i < nenv; i++)
            dirs[n++] = env[i];
        if (dirs != NULL)
            dirs[n++] = OH_PLUGINDIR;
        rc = dirs ? ldr_find(reg, plugin, dirs, n, &m, err, sizeof(err)) : -1;
        if (dirs == NULL)
            snprintf(err, sizeof(err), "out of memory");
        free(dirs);
        rt_free_path(env);
    }
    if (rc != 0) {
        fprintf(stderr, "orderhub-plugin: %s\n", err);
        return NULL;
    }
    return m;
}

static int cmd_info(const ldr_module *m)
{
    json_t *j = ldr_describe(m);
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (text == NULL) {
        fprintf(stderr, "orderhub-plugin: out of memory\n");
        return 1;
    }
    printf("%s\n", text);
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {{"plugin-path", required_argument, NULL, 'P'},
                                          {"version", no_argument, NULL, 'V'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    char *dirs[32];
    size_t ndirs = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+P:Vh", longs, NULL)) != -1) {
        switch (c) {
        case 'P':
            if (ndirs == sizeof(dirs) / sizeof(dirs[0])) {
                fprintf(stderr, "orderhub-plugin: too many --plugin-path options\n");
                return 2;
            }
            dirs[ndirs++] = optarg;
            break;
        case 'V':
            printf("orderhub-plugin %s (plugin SDK ABI %d.%d)\n", PACKAGE_VERSION,
                   OH_ABI_MAJOR, OH_ABI_MINOR);
            return 0;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[optind];
    if (strcmp(cmd, "info") != 0) {
        fprintf(stderr, "orderhub-plugin: unknown command '%s' (try --help)\n", cmd);
        return 2;
    }
    if (optind + 2 != argc) {
        fprintf(stderr, "orderhub-plugin: usage: orderhub-plugin info PLUGIN\n");
        return 2;
    }
    ldr_registry reg;
    ldr_registry_init(&reg);
    const ldr_module *m = load(&reg, argv[optind + 1], dirs, ndirs);
    int rc = m ? cmd_info(m) : 1;
    ldr_registry_free(&reg);
    return rc;
}
