/*
 * order_submit.c - the submit verb: an order from a file (or standard input), placed as
 * read, byte for byte, with an optional idempotency key.
 */
#include "config.h"

#include "order_submit.h"

#include "ctl.h"
#include "http.h"
#include "options.h"
#include "orders.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (16 * 1024 * 1024)

static const char submit_help[] =
    "usage: orderhubctl submit [--idempotency-key K] FILE\n"
    "\n"
    "Place the order in FILE (a JSON object, see docs/api.md; - reads standard input)\n"
    "with POST /v1/orders, and print its id and state (awaiting_payment, placed while a\n"
    "filter is undecided, rejected when a filter refused it).\n"
    "\n"
    "  --idempotency-key K  1 to 128 visible ASCII characters: sending the same file again\n"
    "                       with the same key returns the first answer, not a new order\n";

static int submit_opt(void *arg, int id, const char *value)
{
    size_t n = strlen(value);
    if (n == 0 || n > 128)
        return ctl_usage("submit", "--idempotency-key: 1 to 128 characters");
    for (const char *p = value; *p; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p > 0x7e)
            return ctl_usage("submit", "--idempotency-key: visible ASCII characters only "
                                       "(no spaces)");
    }
    *(const char **)arg = value;
    return 0;
}

static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "orderhubctl submit: %s: %s\n", path, strerror(errno));
        return CTL_USAGE;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *b = realloc(buf, cap);
            if (b == NULL) {
                rc = ord_oom();
                break;
            }
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > MAX_FILE) {
            fprintf(stderr, "orderhubctl submit: %s: larger than %d MiB\n", path,
                    MAX_FILE >> 20);
            rc = CTL_USAGE;
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                fprintf(stderr, "orderhubctl submit: %s: %s\n", path, strerror(errno));
                rc = CTL_USAGE;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int verb_submit(ctl *c, int argc, char **argv)
{
    static const ctl_opt opts[] = {{"idempotency-key", required_argument, 1, 0}, {0}};
    const char *key = NULL;
    int first, rc = ctl_parse(c, argc, argv, submit_help, opts, submit_opt, &key, 1, 1, &first);
    if (rc >= 0)
        return rc;
    const char *file = argv[first];
    char *body;
    size_t len;
    if ((rc = read_file(file, &body, &len)) != 0)
        return rc;
    /* Checked here for a precise message; sent as read, byte for byte, so that a retry
     * with the same idempotency key has the same body. */
    json_error_t e;
    json_t *doc = json_loadb(body, len, 0, &e);
    if (!json_is_object(doc)) {
        if (doc == NULL)
            fprintf(stderr, "orderhubctl submit: %s:%d:%d: %s\n", file, e.line, e.column,
                    e.text);
        else
            fprintf(stderr, "orderhubctl submit: %s: the order must be a JSON object\n", file);
        json_decref(doc);
        free(body);
        return CTL_USAGE;
    }
    json_decref(doc);
    ctl_resp r;
    rc = ctl_call_raw(c, "POST", "/v1/orders", body, len, key, &r);
    free(body);
    return rc != 0 ? rc : ord_print_state(c, &r, "");
}
