/*
 * fake.h - shared types of orderhub-fake-carrier: configuration, one request as the carrier
 * renderers see it (no libmicrohttpd types here), and the reply they fill.
 *
 * Threading: an fk_req lives on one MHD worker thread for one request; renderers are pure
 * functions of it plus the journey registry (which has its own lock).
 */
#ifndef CARRIER_FAKE_H
#define CARRIER_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jr_registry jr_registry;

typedef struct fk_config {
    uint16_t port;            /* 0 = let the kernel pick */
    int threads;              /* MHD internal thread pool size */
    int64_t step_ms;          /* one scan per step since a number was first seen */
    int64_t clock_s;          /* 0 = live; else time frozen here (unix seconds, UTC) */
    int64_t latency_ms;       /* added to every answer (suspend/resume, no blocked thread) */
    double error_rate;        /* fraction of answers replaced by a 503 */
    uint64_t seed;            /* for the error-rate draw */
    const char *token;        /* the one accepted bearer token / API key / USERID / password */
    const char *client_secret;/* the one accepted OAuth client secret (any client id) */
} fk_config;

typedef struct fk_req fk_req;
struct fk_req {
    const fk_config *cfg;
    jr_registry *journeys;
    const char *method;
    const char *url;          /* path only, decoded by MHD */
    const char *body;         /* NUL-terminated copy of the request body ("" when none) */
    size_t body_len;
    int64_t now_ms;           /* wall clock, or the frozen --clock */
    int scans_limit;          /* X-Fake-Scans / fake_scans: show at most this many, -1 = all */
    /* Header and query lookups (NULL when absent); valid during the request only. */
    const char *(*header)(const fk_req *r, const char *name);
    const char *(*query)(const fk_req *r, const char *name);
    void *conn;
};

typedef struct fk_reply {
    int status;
    char *body;               /* malloc'd, owned by the reply */
    size_t len;
    const char *content_type; /* static string */
    const char *www_auth;     /* WWW-Authenticate value on 401, static, or NULL */
} fk_reply;

/* Sets a reply from a malloc'd string (takes ownership; NULL body = out of memory -> 500). */
void fk_reply_set(fk_reply *out, int status, const char *content_type, char *body);

/* A carrier's tracking and OAuth endpoints, and its error shape for any HTTP status (used
 * for auth failures and injected errors: X-Fake-Status, --error-rate). */
typedef struct fk_carrier {
    const char *name;
    void (*handle)(const fk_req *r, fk_reply *out);
    void (*error)(const fk_req *r, int status, fk_reply *out);
} fk_carrier;

extern const fk_carrier fk_usps, fk_canadapost, fk_ups, fk_fedex, fk_dhl;

/* Auth helpers: "Authorization: Bearer <token>", and Basic with password == token. */
bool fk_bearer_ok(const fk_req *r);
bool fk_basic_password_ok(const fk_req *r, const char *want_password);
/* Basic credentials split into user and password (buffers NUL-terminated); false if absent. */
bool fk_basic_credentials(const fk_req *r, char *user, size_t usz, char *pass, size_t psz);
/* Value of key in an application/x-www-form-urlencoded body, decoded into buf. */
bool fk_form_value(const char *body, const char *key, char *buf, size_t size);

#endif
