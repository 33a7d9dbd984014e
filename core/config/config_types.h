/*
 * config_types - the checked values of orderhub.conf (cfg_file and its parts) and their
 * defaults, without the functions that read them: config_file.h is the reader's front,
 * config_api.h, config_plugins.h and config_get.h its parts, and each of them includes this.
 */
#ifndef OH_CONFIG_TYPES_H
#define OH_CONFIG_TYPES_H

#include "config/config_text.h"
#include "util/diag.h"

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cfg_where {
    const char *file; /* borrowed from the libconfig tree */
    int line;
} cfg_where;

/* limits = { ... } of an instance: how the executor treats its requests (0: defaults). */
typedef struct cfg_limits {
    int64_t concurrency;        /* requests in flight at once */
    double rate_per_s;          /* requests started per second */
    int64_t connect_timeout_ms;
    int64_t timeout_ms;         /* whole request */
    int64_t max_response_bytes;
    int insecure_tls;           /* no TLS verification: local test servers only */
} cfg_limits;

/*
 * Who a notifier instance writes to.  The numbers are oh_recipient_role's
 * (orderhub/notifier.h), so the runtime hands them on unchanged; UNSET leaves the choice to
 * the next level (route, then instance, then seller).
 */
typedef enum cfg_audience { CFG_AUDIENCE_UNSET = 0, CFG_AUDIENCE_BUYER = 1,
                            CFG_AUDIENCE_SELLER = 2, CFG_AUDIENCE_OPERATOR = 3 } cfg_audience;

typedef struct cfg_instance {
    const char *id;                   /* borrowed */
    const char *module;               /* borrowed */
    const config_setting_t *settings; /* the group, or NULL */
    cfg_limits limits;
    cfg_audience audience;            /* notifiers only (checked once the module is known) */
    cfg_where audience_where;
    cfg_where where;
} cfg_instance;

/*
 * A route condition: the order's value of `field` must be one of `values`.  Fields are the
 * order snapshot's: seller -> seller.id, country -> shipping_address.country, currency,
 * service_level.
 */
typedef struct cfg_condition {
    const char *field;        /* one of CFG_CONDITION_FIELDS */
    const char **values;      /* owned array of borrowed strings */
    size_t value_count;
} cfg_condition;

#define CFG_CONDITION_FIELDS {"seller", "country", "currency", "service_level", NULL}
#define CFG_MAX_CONDITIONS 4

typedef struct cfg_route {
    const char *on;           /* borrowed: event name or "family.*" */
    const char **chain;       /* owned array of borrowed instance ids */
    size_t chain_len;
    cfg_condition when[CFG_MAX_CONDITIONS]; /* all must hold; unused entries have no field */
    size_t when_count;
    cfg_audience audience;    /* for the notifiers of its chain; wins over theirs */
    cfg_where where;
    cfg_where chain_where;
} cfg_route;

/* api = { tokens = ( { name; role; token; } ); } - who may call the HTTP API. */
typedef enum cfg_role { CFG_ROLE_ADMIN = 1, CFG_ROLE_SUPPORT, CFG_ROLE_STOREFRONT,
                        CFG_ROLE_SELLER } cfg_role;

typedef struct cfg_token {
    const char *name;          /* borrowed: shown in logs and recorded as created_by */
    cfg_role role;
    const char *seller_id;     /* borrowed, CFG_ROLE_SELLER only: the part after "seller:" */
    char *secret;              /* owned: resolved env:/file: value; never printed */
    unsigned char digest[32];  /* SHA-256 of secret, compared in constant time */
    cfg_where where;
} cfg_token;

/*
 * api = { connections = { ... }; failed_auth = { ... }; trusted_proxies = [ ... ]; } -
 * what one client may hold of the HTTP server (read once, at start).
 */
typedef struct cfg_api_limits {
    int64_t max_connections;      /* open at once, all clients */
    int64_t max_per_client;       /* open at once from one address (0: no limit) */
    int64_t header_timeout_ms;    /* request line and headers complete, counted from the
                                   * connection's start (a kept-alive one: its request line) */
    int64_t body_timeout_ms;      /* body complete, counted from the end of the headers */
    int64_t idle_timeout_ms;      /* a kept-alive connection waiting for its next request */
    int64_t busy_idle_timeout_ms; /* the same once 3/4 of max_connections are open */
    int64_t auth_fail_limit;      /* failed authentications from one client ... */
    int64_t auth_fail_window_s;   /* ... within this window block it ... */
    int64_t auth_block_s;         /* ... this long */
    int64_t auth_clients;         /* clients whose failures are tracked at once */
    uint32_t *trusted_proxies;    /* owned: IPv4, network order */
    size_t trusted_proxy_count;
} cfg_api_limits;

#define CFG_DEFAULT_MAX_CONNECTIONS 1024
#define CFG_DEFAULT_MAX_PER_CLIENT 64
#define CFG_DEFAULT_HEADER_TIMEOUT_MS 10000
#define CFG_DEFAULT_BODY_TIMEOUT_MS 30000
#define CFG_DEFAULT_IDLE_TIMEOUT_MS 15000
#define CFG_DEFAULT_BUSY_IDLE_TIMEOUT_MS 1000
#define CFG_DEFAULT_AUTH_FAIL_LIMIT 10
#define CFG_DEFAULT_AUTH_FAIL_WINDOW_S 60
#define CFG_DEFAULT_AUTH_BLOCK_S 60
#define CFG_DEFAULT_AUTH_CLIENTS 4096

/* inventory = { sellers = ( { id; untracked; } ); } - one seller's own setting. */
typedef struct cfg_inventory_seller {
    const char *id;          /* borrowed: the orders' seller.id */
    int refuse_untracked;    /* 1: untracked = "refuse" */
} cfg_inventory_seller;

/* sla = { sellers = ( { id; on_breach; cancel_grace; } ); } - one seller's own policy. */
typedef struct cfg_sla_seller {
    const char *id;          /* borrowed: the orders' seller.id */
    int cancel;              /* 1: on_breach = "cancel" */
    int64_t cancel_grace_ms;
} cfg_sla_seller;

typedef struct cfg_file {
    config_t lc;             /* the libconfig tree: owns every borrowed string */
    ct_text src;             /* the names of the files read: settings point to them */
    char *path;              /* absolute path of the main file, owned */
    char *base_dir;          /* its directory, owned */
    const char *listen;      /* "host:port" */
    const char *store_driver;
    char *store_path;        /* owned, absolute */
    int store_check_at_start; /* store.check_at_start: PRAGMA quick_check at open (1) */
    int store_init_empty;    /* store.init_empty: an existing empty file may become a
                                store (0); orderhubd --create-store sets it too */
    char **plugin_path;      /* owned absolute directories */
    size_t plugin_path_count;
    cfg_instance *instances; /* owned array */
    size_t instance_count;
    cfg_route *routes;       /* owned array */
    size_t route_count;
    /* sla = { ... }, each in milliseconds (config_sla.c) */
    int64_t ship_by_ms;
    int64_t delivery_confirm_ms;
    int64_t return_auto_approve_ms;
    int64_t payment_retry_ms;    /* a declined buyer may pay again this long */
    int64_t return_window_ms;    /* a delivered order completes when this closes (0: at once) */
    int64_t tracking_expire_ms;  /* a shipment with no news this long is "expired" */
    int sla_cancel;              /* on_breach: 0 "record" (default), 1 "cancel" */
    int64_t sla_cancel_grace_ms; /* a breached order is cancelled this long after */
    cfg_sla_seller *sla_sellers; /* owned array: sellers with their own policy */
    size_t sla_seller_count;
    struct {                 /* engine = { ... }: 0 means the engine's default */
        int64_t workers;
        int64_t max_attempts;
        int64_t track_poll_ms;
        int64_t backoff_base_ms;
        int64_t backoff_max_ms;
        int64_t lease_ms;
        int64_t cache_orders;
    } engine;
    /* inventory = { ... } (config_inventory.c): what a placement does with a SKU that has
     * no stock record */
    int inventory_refuse_untracked;          /* 0: "unlimited" (default), 1: "refuse" */
    cfg_inventory_seller *inventory_sellers; /* owned array: sellers with their own */
    size_t inventory_seller_count;
    cfg_token *tokens;       /* owned array */
    size_t token_count;
    cfg_api_limits api_limits;
    const char *log_level;   /* NULL: not set in the file */
    int log_syslog;          /* -1: not set */
    const char *pid_file;    /* NULL: not set */
} cfg_file;

/* Default values of the sla group. */
#define CFG_DEFAULT_LISTEN "127.0.0.1:8780"
#define CFG_DEFAULT_SHIP_BY_MS (INT64_C(72) * 3600000)
#define CFG_DEFAULT_DELIVERY_CONFIRM_MS (INT64_C(30) * 86400000)
#define CFG_DEFAULT_RETURN_AUTO_APPROVE_MS (INT64_C(48) * 3600000)
#define CFG_DEFAULT_PAYMENT_RETRY_MS (INT64_C(24) * 3600000)
#define CFG_DEFAULT_RETURN_WINDOW_MS INT64_C(0)
#define CFG_DEFAULT_TRACKING_EXPIRE_MS (INT64_C(30) * 86400000)
#define CFG_DEFAULT_SLA_CANCEL_GRACE_MS (INT64_C(2) * 3600000)

#endif
