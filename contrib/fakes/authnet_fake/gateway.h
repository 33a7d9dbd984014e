/*
 * gateway.h - the Authorize.Net side of orderhub-fake-authnet: createTransactionRequest in,
 * createTransactionResponse (or ErrorResponse) out, and the ledger of every transaction it
 * created.  No libmicrohttpd types here: server.c does the HTTP.
 *
 * Threading: every gw_* function may be called from any MHD worker; the ledger has its own
 * lock.
 */
#ifndef AUTHNET_FAKE_GATEWAY_H
#define AUTHNET_FAKE_GATEWAY_H

#include <stddef.h>
#include <stdint.h>

typedef struct gw_config {
    uint16_t port;
    int threads;
    const char *login;        /* the accepted merchantAuthentication/name */
    const char *key;          /* the accepted transactionKey */
    int64_t latency_ms;       /* added to every API answer */
    int64_t auth_latency_ms;  /* added to authorizations (authOnlyTransaction) only */
    int bom;                  /* start answers with a UTF-8 BOM, as the live API does */
} gw_config;

typedef struct gw gw;

/* One answer: HTTP status, body (malloc'd, owned), delay before it may be sent, and the
 * ledger transaction it answers for (0 = none) so the server can count it as sent. */
typedef struct gw_reply {
    int status;
    char *body;
    size_t len;
    const char *content_type;
    int64_t delay_ms;
    int64_t trans_id;
} gw_reply;

gw *gw_new(const gw_config *cfg);
void gw_free(gw *g);
/* POST / : the API.  Fills out (status 200 for every API-level answer, as the real one). */
void gw_handle(gw *g, const char *body, size_t len, gw_reply *out);
/* The answer for trans_id left the fake (counted in the ledger as "answers_sent"). */
void gw_answer_sent(gw *g, int64_t trans_id);
/* GET /fake/ledger as JSON (malloc'd), POST /fake/reset. */
char *gw_ledger_json(gw *g);
void gw_reset(gw *g);

#endif
