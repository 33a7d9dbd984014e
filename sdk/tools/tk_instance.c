#include "config.h"

#include "tk_instance.h"
#include "tk_usage.h"

#include "host/host.h"
#include "loader/plugin_path.h"
#include "settings/settings.h"
#include "util/diag.h"

#include <errno.h>
#include <getopt.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

const ldr_module *tk_load(const tk_common *common, const char *plugin)
{
    ldr_registry *reg = common->reg;
    char **cli_dirs = common->dirs;
    size_t ncli = common->ndirs;
    char err[1024];
    const ldr_module *m = NULL;
    int rc;
    if (strchr(plugin, '/') != NULL) {
        rc = ldr_open(reg, plugin, &m, err, sizeof(err));
    } else {
        size_t nenv = 0;
        char **env = ldr_split_path(getenv("ORDERHUB_PLUGIN_PATH"), &nenv);
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
        ldr_free_path(env);
    }
    if (rc != 0) {
        fprintf(stderr, "orderhub-plugin: %s\n", err);
        return NULL;
    }
    return m;
}

/* A libconfig string literal: the value quoted with its backslashes and quotes escaped. */
static void append_quoted(FILE *f, const char *v)
{
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            fputc('\\', f);
        fputc(*v, f);
    }
    fputc('"', f);
}

static const oh_setting_spec *spec_named(const ldr_module *m, const char *name, size_t n)
{
    for (size_t i = 0; i < m->setting_count; i++) {
        if (strlen(m->settings[i].name) == n && strncmp(m->settings[i].name, name, n) == 0)
            return &m->settings[i];
    }
    return NULL;
}

/*
 * The `--setting` pairs as the libconfig text of a settings group, each value written as
 * the literal its declared type takes, so the daemon's own validation judges it.
 */
static char *settings_text(const ldr_module *m, char **pairs, size_t npairs)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    fputs("settings = {\n", f);
    int ok = 1;
    for (size_t i = 0; i < npairs; i++) {
        const char *eq = strchr(pairs[i], '=');
        if (eq == NULL || eq == pairs[i]) {
            fprintf(stderr, "orderhub-plugin: --setting '%s': expected key=value\n", pairs[i]);
            ok = 0;
            continue;
        }
        const oh_setting_spec *spec = spec_named(m, pairs[i], (size_t)(eq - pairs[i]));
        if (spec == NULL) {
            fprintf(stderr,
                    "orderhub-plugin: --setting '%.*s': %s declares no such setting (see "
                    "`orderhub-plugin info %s`)\n",
                    (int)(eq - pairs[i]), pairs[i], m->desc.name, m->desc.name);
            ok = 0;
            continue;
        }
        fprintf(f, "  %s = ", spec->name);
        if (spec->type == OH_SETTING_STRING)
            append_quoted(f, eq + 1);
        else
            fputs(eq + 1, f); /* int, bool, double: libconfig judges the literal */
        fputs(";\n", f);
    }
    fputs("};\n", f);
    if (fclose(f) != 0 || !ok) {
        free(text);
        return NULL;
    }
    return text;
}

int tk_instance_open(const tk_common *common, const char *plugin, oh_plugin_kind kind,
                     const tk_args *a, tk_instance *out)
{
    memset(out, 0, sizeof(*out));
    const ldr_module *m = tk_load(common, plugin);
    if (m == NULL)
        return -1;
    if (m->desc.kind != kind) {
        fprintf(stderr, "orderhub-plugin: %s is a %s plugin, not a %s\n", m->desc.name,
                ldr_kind_name(m->desc.kind), ldr_kind_name(kind));
        return -1;
    }
    char *text = settings_text(m, a->settings, a->nsettings);
    if (text == NULL)
        return -1;
    config_t cfg;
    config_init(&cfg);
    if (config_read_string(&cfg, text) != CONFIG_TRUE) {
        fprintf(stderr, "orderhub-plugin: --setting: %s\n", config_error_text(&cfg));
        config_destroy(&cfg);
        free(text);
        return -1;
    }
    free(text);
    diag_list d = {0};
    oh_settings *s = set_build(m->settings, m->setting_count, config_lookup(&cfg, "settings"),
                               m->desc.name, ".", NULL, 0, &d);
    /* Errors only: the warning about secrets written in a file means nothing here. */
    for (size_t i = 0; i < d.count; i++)
        if (d.items[i].severity == DIAG_ERROR)
            fprintf(stderr, "orderhub-plugin: %s\n", d.items[i].text);
    diag_free(&d);
    config_destroy(&cfg);
    if (s == NULL)
        return -1;
    out->inst.id = strdup(m->desc.name);
    out->inst.module = m;
    out->inst.settings = s;
    oh_error err = {{0}};
    if (out->inst.id == NULL ||
        m->desc.init(host_api(), &out->inst, s, &out->inst.state, &err) != OH_OK) {
        fprintf(stderr, "orderhub-plugin: %s: init refused: %s\n", m->desc.name,
                out->inst.id ? err.message : "out of memory");
        tk_instance_close(out);
        return -1;
    }
    out->initialised = 1;
    return 0;
}

void tk_instance_close(tk_instance *t)
{
    if (t->initialised && t->inst.module->desc.destroy != NULL)
        t->inst.module->desc.destroy(t->inst.state);
    set_free(t->inst.settings);
    free(t->inst.id);
    memset(t, 0, sizeof(*t));
}

char *tk_read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "orderhub-plugin: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    int bad = buf == NULL || ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "orderhub-plugin: %s: cannot read\n", path);
        free(buf);
        return NULL;
    }
    if (n > max) {
        fprintf(stderr, "orderhub-plugin: %s: larger than %zu bytes (the daemon's cap)\n",
                path, max);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int tk_print_json(json_t *j)
{
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

/* An HTTP status 100..599 from `text`, or -1 with the reason printed. */
static int parse_status(const char *text)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < 100 || v > 599) {
        fprintf(stderr, "orderhub-plugin: --status '%s': an HTTP status 100..599\n", text);
        return -1;
    }
    return (int)v;
}

/* "Name: value" (or "Name:value") into a header with strings of its own. */
static int header_parse(const char *arg, oh_header *out)
{
    memset(out, 0, sizeof(*out));
    const char *colon = strchr(arg, ':');
    if (colon == NULL || colon == arg || strpbrk(arg, "\r\n") != NULL) {
        fprintf(stderr, "orderhub-plugin: --header '%s': expected 'Name: value'\n", arg);
        return -1;
    }
    char *name = strndup(arg, (size_t)(colon - arg));
    const char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    char *value = strdup(v);
    if (name == NULL || value == NULL) {
        free(name);
        free(value);
        fprintf(stderr, "orderhub-plugin: out of memory\n");
        return -1;
    }
    out->name = name;
    out->value = value;
    return 0;
}

static void header_free(oh_header *h)
{
    free(h->name);
    free(h->value);
    memset(h, 0, sizeof(*h));
}

static int parse_now(const char *text, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v <= 0 || v > 253402300799LL) {
        fprintf(stderr, "orderhub-plugin: --now '%s': Unix seconds\n", text);
        return -1;
    }
    *out = v;
    return 0;
}

int tk_args_parse(tk_args *a, int argc, char **argv, unsigned allowed)
{
    static const struct option longs[] = {{"status", required_argument, NULL, 's'},
                                          {"setting", required_argument, NULL, 'S'},
                                          {"number", required_argument, NULL, 'n'},
                                          {"auth-token", required_argument, NULL, 'a'},
                                          {"input", required_argument, NULL, 'i'},
                                          {"header", required_argument, NULL, 'H'},
                                          {"secret", required_argument, NULL, 'k'},
                                          {"now", required_argument, NULL, 'N'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    static const struct {
        int c;
        unsigned bit;
        const char *name;
    } gated[] = {{'s', TK_OPT_STATUS, "status"}, {'n', TK_OPT_NUMBER, "number"},
                 {'a', TK_OPT_AUTH_TOKEN, "auth-token"}, {'i', TK_OPT_INPUT, "input"},
                 {'H', TK_OPT_HEADER, "header"}, {'k', TK_OPT_SECRET, "secret"},
                 {'N', TK_OPT_NOW, "now"}};
    memset(a, 0, sizeof(*a));
    a->status = 200;
    a->auth_token = "ACCESS-TOKEN-FROM-AUTH-STEP";
    a->settings = calloc((size_t)argc + 2, sizeof(char *));
    a->numbers = calloc((size_t)argc + 1, sizeof(char *));
    if (a->settings == NULL || a->numbers == NULL) {
        fprintf(stderr, "orderhub-plugin: out of memory\n");
        return 2;
    }
    int c;
    optind = 0; /* a fresh scan of this verb's vector (GNU getopt) */
    while ((c = getopt_long(argc, argv, "s:S:n:a:i:H:k:N:h", longs, NULL)) != -1) {
        for (size_t g = 0; g < sizeof(gated) / sizeof(gated[0]); g++) {
            if (gated[g].c == c && !(allowed & gated[g].bit)) {
                fprintf(stderr, "orderhub-plugin: %s takes no --%s\n", argv[0], gated[g].name);
                return 2;
            }
        }
        switch (c) {
        case 's':
            if ((a->status = parse_status(optarg)) < 0)
                return 2;
            break;
        case 'S': a->settings[a->nsettings++] = optarg; break;
        case 'n': a->numbers[a->nnumbers++] = optarg; break;
        case 'a': a->auth_token = optarg; break;
        case 'i': a->input = optarg; break;
        case 'H':
            if (a->nheaders == TK_MAX_HEADERS) {
                fprintf(stderr, "orderhub-plugin: more than %d --header options\n",
                        TK_MAX_HEADERS);
                return 2;
            }
            if (header_parse(optarg, &a->headers[a->nheaders]) != 0)
                return 2;
            a->nheaders++;
            break;
        case 'k': {
            /* The plugin's webhook_secret, as the daemon's configuration would set it. */
            size_t n = strlen(optarg) + sizeof("webhook_secret=");
            free(a->secret_pair);
            if ((a->secret_pair = malloc(n)) == NULL)
                return 2;
            snprintf(a->secret_pair, n, "webhook_secret=%s", optarg);
            a->settings[a->nsettings++] = a->secret_pair;
            break;
        }
        case 'N':
            if (parse_now(optarg, &a->now_s) != 0)
                return 2;
            break;
        case 'h': tk_usage(stdout); exit(0); /* a CLI's --help ends the run */
        default: return 2;
        }
    }
    a->positional = argv + optind;
    a->npositional = (size_t)(argc - optind);
    return 0;
}

void tk_args_free(tk_args *a)
{
    for (size_t i = 0; i < a->nheaders; i++)
        header_free(&a->headers[i]);
    free(a->secret_pair);
    free(a->settings);
    free(a->numbers);
    memset(a, 0, sizeof(*a));
}

int tk_answer_read(const char *path, int status, tk_answer *out)
{
    memset(out, 0, sizeof(*out));
    size_t len = 0;
    out->body = tk_read_file(path, HOST_PARSE_MAX_BYTES, &len);
    if (out->body == NULL)
        return -1;
    out->resp = (oh_response){.struct_size = sizeof(out->resp), .status = status,
                              .body = out->body, .body_len = len};
    return 0;
}

void tk_answer_free(tk_answer *a)
{
    free(a->body);
    memset(a, 0, sizeof(*a));
}

void tk_report_rejection(const char *plugin, int rc, const oh_error *err)
{
    fprintf(stderr, "orderhub-plugin: %s rejected the answer (%s): %s\n", plugin,
            rc == OH_RETRY ? "transient: the daemon retries later" : "permanent",
            err->message[0] ? err->message : "no reason given");
}
