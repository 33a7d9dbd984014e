#include "config.h"

#include "sandbox_remote.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY (64 * 1024)
#define MAX_KEYS 4096
#define MAX_LABELS 4096

typedef struct booked {
    char *key;
    int status;
    char *body;
    char *order_id;    /* from the first request's body */
    char operation[16];
    int requests;      /* every request with this key, the first one and each replay */
} booked;

typedef struct label {
    char number[32];
    int64_t created_ms;
} label;

struct sandbox_remote {
    struct MHD_Daemon *daemon;
    uint16_t port;
    int64_t step_ms;
    int64_t payment_delay_ms; /* env ORDERHUB_SANDBOX_PAYMENT_DELAY_MS: answer late */
    pthread_mutex_t lock;
    booked keys[MAX_KEYS];
    int nkeys;
    label labels[MAX_LABELS];
    int nlabels;
    int requests;
    int next_id;
};

typedef struct body_buf {
    char *data;
    size_t len;
    int too_big;
} body_buf;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

/* A payment call: the plugin's "simulate" directive decides, the key makes it idempotent. */
static enum MHD_Result payment(sandbox_remote *s, struct MHD_Connection *c, const char *op,
                               const body_buf *b)
{
    json_t *in = json_loadb(b->data ? b->data : "", b->len, 0, NULL);
    const char *sim = json_string_value(json_object_get(in, "simulate"));
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (in == NULL || sim == NULL) {
        json_decref(in);
        return reply(c, 400, "{\"status\":\"error\",\"message\":\"malformed request\"}");
    }
    if (strncmp(sim, "slow:", 5) == 0)
        usleep((useconds_t)atoi(sim + 5) * 1000);
    if (strncmp(sim, "error:", 6) == 0) {
        json_decref(in);
        return reply(c, atoi(sim + 6), "{\"status\":\"error\",\"message\":\"sandbox failure\"}");
    }
    pthread_mutex_lock(&s->lock);
    for (int i = 0; key != NULL && i < s->nkeys; i++) {
        if (strcmp(s->keys[i].key, key) == 0) {
            s->keys[i].requests++;
            int status = s->keys[i].status;
            char *body = strdup(s->keys[i].body);
            pthread_mutex_unlock(&s->lock);
            json_decref(in);
            enum MHD_Result rc = reply(c, status, body ? body : "{}");
            free(body);
            return rc;
        }
    }
    int status = 200;
    json_t *out;
    if (strncmp(sim, "decline:", 8) == 0) {
        status = 402;
        out = json_pack("{s:s, s:s, s:s, s:s}", "status", "declined", "code", "card_declined",
                        "decline_code", sim + 8, "message", "Your card was declined.");
    } else {
        char id[40];
        const char *tx = json_string_value(json_object_get(in, "transaction_id"));
        snprintf(id, sizeof(id), "sbx_%s_%d", op, ++s->next_id);
        out = json_pack("{s:s, s:s, s:I, s:s?}", "status", "approved", "id",
                        strcmp(op, "authorize") == 0 || tx == NULL ? id : tx, "amount",
                        json_integer_value(json_object_get(in, "amount")), "currency",
                        json_string_value(json_object_get(in, "currency")));
    }
    char *text = json_dumps(out, JSON_COMPACT);
    if (key != NULL && s->nkeys < MAX_KEYS && text != NULL) {
        const char *order_id = json_string_value(json_object_get(in, "order_id"));
        booked *k = &s->keys[s->nkeys++];
        *k = (booked){strdup(key), status, strdup(text), strdup(order_id ? order_id : ""),
                      "", 1};
        snprintf(k->operation, sizeof(k->operation), "%s", op);
    }
    pthread_mutex_unlock(&s->lock);
    /* Booked, answer still on its way: a caller that dies now must replay the key. */
    if (s->payment_delay_ms > 0)
        usleep((useconds_t)s->payment_delay_ms * 1000);
    enum MHD_Result rc = reply(c, status, text ? text : "{}");
    free(text);
    json_decref(out);
    json_decref(in);
    return rc;
}

static enum MHD_Result create_label(sandbox_remote *s, struct MHD_Connection *c)
{
    char body[256];
    pthread_mutex_lock(&s->lock);
    if (s->nlabels == MAX_LABELS) {
        pthread_mutex_unlock(&s->lock);
        return reply(c, 503, "{\"error\":\"label capacity\"}");
    }
    label *l = &s->labels[s->nlabels++];
    snprintf(l->number, sizeof(l->number), "SBX%06d", 100000 + s->nlabels);
    l->created_ms = now_ms();
    snprintf(body, sizeof(body),
             "{\"tracking_number\":\"%s\",\"service\":\"ground\",\"cost\":899,\"currency\":"
             "\"USD\",\"label\":{\"mime\":\"application/zpl\",\"content\":\"^XA^FO50,50^FD%s"
             "^FS^XZ\"}}", l->number, l->number);
    pthread_mutex_unlock(&s->lock);
    return reply(c, 201, body);
}

/* The scripted journey, one step per step_ms since the label was made. */
static const struct {
    const char *code, *text, *city;
} journey[] = {
    {"IR", "Shipping information received", "Columbus"},
    {"PU", "Picked up", "Columbus"},
    {"IT", "In transit to destination facility", "Chicago"},
    {"OD", "Out for delivery", "Springfield"},
    {"DL", "Delivered, front door", "Springfield"},
};

static json_t *shipment_json(const sandbox_remote *s, const char *number)
{
    for (int i = 0; i < s->nlabels; i++) {
        if (strcmp(s->labels[i].number, number) != 0)
            continue;
        int64_t steps = (now_ms() - s->labels[i].created_ms) / (s->step_ms > 0 ? s->step_ms : 1);
        json_t *events = json_array();
        for (int64_t k = 0; k <= steps && k < 5; k++) {
            /* Milliseconds: a fast test journey still has one instant per scan. */
            int64_t at = s->labels[i].created_ms + k * s->step_ms;
            time_t t = (time_t)(at / 1000);
            struct tm tm;
            gmtime_r(&t, &tm);
            char when[48], second[32];
            strftime(second, sizeof(second), "%Y-%m-%dT%H:%M:%S", &tm);
            snprintf(when, sizeof(when), "%s.%03d+00:00", second, (int)(at % 1000));
            json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", journey[k].code,
                                   "text", journey[k].text, "time", when, "city",
                                   journey[k].city, "country", "US");
            if (k == 4)
                json_object_set_new(ev, "signed_by", json_string("J. DOE"));
            json_array_append_new(events, ev);
        }
        return json_pack("{s:s, s:o}", "number", number, "events", events);
    }
    return json_pack("{s:s, s:s, s:[]}", "number", number, "error", "not found", "events");
}

static enum MHD_Result track(sandbox_remote *s, struct MHD_Connection *c)
{
    const char *numbers = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "numbers");
    if (numbers == NULL)
        return reply(c, 400, "{\"error\":\"numbers missing\"}");
    char *copy = strdup(numbers), *save = NULL;
    json_t *list = json_array();
    pthread_mutex_lock(&s->lock);
    for (char *n = strtok_r(copy, ",", &save); n != NULL; n = strtok_r(NULL, ",", &save))
        json_array_append_new(list, shipment_json(s, n));
    pthread_mutex_unlock(&s->lock);
    free(copy);
    json_t *out = json_pack("{s:o}", "shipments", list);
    char *text = json_dumps(out, JSON_COMPACT);
    enum MHD_Result rc = reply(c, 200, text ? text : "{}");
    free(text);
    json_decref(out);
    return rc;
}

/*
 * GET /sandbox/ledger - read-only, for tests auditing what was charged: every booked key as
 * {"entries":[{"key","operation","order_id","status","requests"}]}, where requests counts
 * the first request with the key and every replay of it.
 */
static enum MHD_Result ledger(sandbox_remote *s, struct MHD_Connection *c)
{
    json_t *entries = json_array();
    pthread_mutex_lock(&s->lock);
    for (int i = 0; entries != NULL && i < s->nkeys; i++) {
        const booked *k = &s->keys[i];
        json_array_append_new(entries, json_pack("{s:s, s:s, s:s, s:i, s:i}", "key", k->key,
                                                 "operation", k->operation, "order_id",
                                                 k->order_id ? k->order_id : "", "status",
                                                 k->status, "requests", k->requests));
    }
    pthread_mutex_unlock(&s->lock);
    json_t *out = entries ? json_pack("{s:o}", "entries", entries) : NULL;
    char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
    enum MHD_Result rc = reply(c, text ? 200 : 500,
                               text ? text : "{\"error\":\"out of memory\"}");
    free(text);
    json_decref(out);
    return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    sandbox_remote *s = cls;
    body_buf *b = *con_cls;
    if (b == NULL) {
        b = calloc(1, sizeof(*b));
        *con_cls = b;
        return b ? MHD_YES : MHD_NO;
    }
    if (*upload_size > 0) {
        if (b->len + *upload_size > MAX_BODY) {
            b->too_big = 1;
        } else {
            char *d = realloc(b->data, b->len + *upload_size + 1);
            if (d == NULL)
                return MHD_NO;
            memcpy(d + b->len, upload, *upload_size);
            b->data = d;
            b->len += *upload_size;
            d[b->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->lock);
    s->requests++;
    pthread_mutex_unlock(&s->lock);
    if (b->too_big)
        return reply(c, 413, "{\"error\":\"body too large\"}");
    static const char pay[] = "/sandbox/payments/";
    if (strcmp(method, "POST") == 0 && strncmp(url, pay, sizeof(pay) - 1) == 0)
        return payment(s, c, url + sizeof(pay) - 1, b);
    if (strcmp(method, "POST") == 0 && strcmp(url, "/sandbox/carrier/labels") == 0)
        return create_label(s, c);
    if (strcmp(method, "GET") == 0 && strcmp(url, "/sandbox/carrier/track") == 0)
        return track(s, c);
    if (strcmp(method, "GET") == 0 && strcmp(url, "/sandbox/ledger") == 0)
        return ledger(s, c);
    return reply(c, 404, "{\"error\":\"no such endpoint\"}");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    body_buf *b = *con_cls;
    if (b != NULL) {
        free(b->data);
        free(b);
        *con_cls = NULL;
    }
}

sandbox_remote *sr_start(uint16_t port, int64_t step_ms)
{
    sandbox_remote *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->step_ms = step_ms;
    const char *delay = getenv("ORDERHUB_SANDBOX_PAYMENT_DELAY_MS");
    s->payment_delay_ms = delay ? strtoll(delay, NULL, 10) : 0;
    if (s->payment_delay_ms < 0 || s->payment_delay_ms > 60000)
        s->payment_delay_ms = 0;
    pthread_mutex_init(&s->lock, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, &addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_END);
    if (s->daemon == NULL) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    return s;
}

uint16_t sr_port(const sandbox_remote *s)
{
    return s->port;
}

void sr_counts(sandbox_remote *s, int *booked_keys, int *requests)
{
    pthread_mutex_lock(&s->lock);
    *booked_keys = s->nkeys;
    *requests = s->requests;
    pthread_mutex_unlock(&s->lock);
}

void sr_stop(sandbox_remote *s)
{
    if (s == NULL)
        return;
    MHD_stop_daemon(s->daemon);
    for (int i = 0; i < s->nkeys; i++) {
        free(s->keys[i].key);
        free(s->keys[i].body);
        free(s->keys[i].order_id);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}
