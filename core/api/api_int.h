/*
 * api_int - what the API's files share: the server, one request's context, the caller's
 * identity, and the helpers that answer.
 *
 *   api.c     the server: connections, bodies, suspend/resume, dispatch by path
 *   auth.c    bearer tokens, roles, who may see which order
 *   auth_limit.c   failed authentications per client, and the clients they block
 *   client_addr.c  which client is calling: the peer, or what a trusted proxy forwarded
 *   conn_guard.c   absolute deadlines for headers, bodies and idle kept-alive connections
 *   orders.c  /v1/orders...: placement (idempotent), reads, listing, actions
 *   admin.c   /v1/dead-letters, /v1/plugins, /metrics
 *   store_health.c  /healthz, /v1/store/check
 */
#ifndef OH_API_INT_H
#define OH_API_INT_H

#include "api/api.h"
#include "api/auth_limit.h"
#include "api/conn_guard.h"
#include "config/config_file.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

/* Request counters for /metrics, by answer class. */
typedef struct api_counters {
    atomic_ullong requests;
    atomic_ullong status_2xx, status_4xx, status_5xx;
    atomic_ullong latency_le[8];  /* cumulative buckets: see admin.c */
    atomic_ullong latency_sum_us;
} api_counters;

struct api {
    hub *h;
    char host[INET_ADDRSTRLEN];
    struct MHD_Daemon *daemon;
    unsigned port;
    atomic_int suspended;     /* connections waiting for the engine */
    cfg_api_limits limits;    /* from the configuration at start; trusted_proxies owned */
    auth_limit *auth_limit;
    conn_guard *guard;
    api_counters counters;
    /* POST /v1/store/check (store_health.c): at most one check thread */
    atomic_int check_running;
    pthread_mutex_t check_mu;  /* guards the three below */
    pthread_t check_thread;
    int check_started;         /* check_thread is to be joined */
    int check_stopping;        /* api_stop: no new check */
};

/* Who is calling: from the token. */
typedef struct principal {
    char name[ST_ID_MAX];
    cfg_role role;
    char seller_id[ST_ID_MAX];
} principal;

/* One request: its body while it arrives, then the engine's answer. */
typedef struct req_ctx {
    api *a;
    struct MHD_Connection *conn;
    conn_track *track;         /* the connection's deadlines (NULL: untracked) */
    int64_t started_us;        /* monotonic, for the latency histogram */
    char *body;
    size_t len;
    int too_big;
    principal who;
    int final_deferred;        /* the final call was declined once (see handle()) */
    int waiting;               /* suspended until the engine replies */
    int created;               /* the engine's success means 201 (a placement) */
    int webhook;               /* signed by a plugin's scheme, not a bearer token */
    json_t *extra;             /* members added to a successful answer (ids made here) */
    char idem_key[ST_KEY_MAX]; /* placement with Idempotency-Key: the scoped key */
    pthread_mutex_t lock;
    int ready;                 /* the reply below is set */
    int status;
    char *response;            /* JSON text, owned */
} req_ctx;

/* carrier_webhooks.c: a verified carrier webhook (its tracking updates) for `inst`. */
enum MHD_Result api_carrier_webhook(req_ctx *ctx, struct oh_instance *inst,
                                    const oh_inbound *in);

/* api.c */
enum MHD_Result api_send_text(req_ctx *ctx, int status, const char *text);
enum MHD_Result api_send_json(req_ctx *ctx, int status, json_t *j);   /* steals j */
/* api_send_bytes - a stored document as an attachment of its own MIME type (copied). */
enum MHD_Result api_send_bytes(req_ctx *ctx, int status, const char *mime_type,
                               const void *data, size_t len);
enum MHD_Result api_send_error(req_ctx *ctx, int status, const char *error, const char *field);
void api_suspend(req_ctx *ctx);
void api_on_engine_reply(void *arg, int rc, const char *state, const char *error);
/* api_reply_raw - answer a suspended request with `status` and `text` (copied). */
void api_reply_raw(req_ctx *ctx, int status, const char *text);
/* api_placement_failure - the body (JSON text, free it; NULL out of memory) answering a
 * placement the store or engine failed to record: it says the order was not accepted
 * and reports no state, since no order exists. */
char *api_placement_failure(const char *error);
/* api_current - the current configuration generation (a reference: rt_gen_unref it). */
rt_gen *api_current(api *a);

/* client_addr.c: the client a failed authentication is counted against. */
void api_client_of(const api *a, struct MHD_Connection *c, client_key *out);

/* auth.c */
/* api_authenticate - 0 with *who filled, or the HTTP status to answer (401, 429). */
int api_authenticate(api *a, struct MHD_Connection *c, principal *who);
/* api_may_see - whether `who` may see `order` (a snapshot). */
int api_may_see(const principal *who, const json_t *order);
/* api_role_in - whether who's role is one of `roles` (a bit mask of 1 << cfg_role). */
int api_role_in(const principal *who, unsigned roles);
#define ROLE(r) (1u << (r))

/* orders.c */
enum MHD_Result api_orders(req_ctx *ctx, const char *method, const char *url);

/* webhooks.c: POST /v1/webhooks/{instance} (signed by the plugin's scheme, no token) */
enum MHD_Result api_webhook(req_ctx *ctx, const char *method, const char *instance);

/* admin.c */
enum MHD_Result api_admin(req_ctx *ctx, const char *method, const char *url);
enum MHD_Result api_metrics(req_ctx *ctx);
void api_count(api *a, int status, int64_t elapsed_us);

/* store_health.c */
enum MHD_Result api_healthz(req_ctx *ctx);
enum MHD_Result api_store_check(req_ctx *ctx);  /* admin only: the caller checks */
/* Interrupt and join a running check (api_stop, before the store may close). */
void api_store_check_stop(api *a);

#endif
