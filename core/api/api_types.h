/*
 * api_types - what the API's files share without each other's functions: the server, one
 * request's context and the caller's identity.  Each file has a header of its own for its
 * functions; api.c routes to the handlers, which answer through reply.c.
 *
 *   api.c     the server: connections, bodies, suspend/resume, dispatch by path
 *   reply.c   answers (JSON, bytes, errors, a suspended request's), their count for /metrics
 *   auth.c    bearer tokens, roles, who may see which order
 *   auth_limit.c   failed authentications per client, and the clients they block
 *   client_addr.c  which client is calling: the peer, or what a trusted proxy forwarded
 *   conn_guard.c   absolute deadlines for headers, bodies and idle kept-alive connections
 *   orders.c  /v1/orders...: placement (idempotent), reads, listing, actions
 *   stock.c, stock_body.c  /v1/stock...: a seller's stock records, read and written
 *   webhooks.c, carrier_webhooks.c  /v1/webhooks/{instance}
 *   admin.c   /v1/dead-letters, /v1/plugins, /metrics
 *   store_health.c  /healthz, /v1/store/check
 */
#ifndef OH_API_TYPES_H
#define OH_API_TYPES_H

#include "api/auth_limit.h"
#include "api/conn_guard.h"
#include "config/config_types.h"
#include "engine/hub.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

/* As in api.h, which the handlers do not include: it names the router's functions. */
typedef struct api api;

/* Request counters for /metrics, by answer class. */
typedef struct api_counters {
    atomic_ullong requests;
    atomic_ullong status_2xx, status_4xx, status_5xx;
    atomic_ullong latency_le[8];  /* cumulative buckets: see reply.c */
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

/* Role bits: a set of cfg_role values, as api_role_in (auth.h) and the actions take them. */
#define ROLE(r) (1u << (r))

#endif
