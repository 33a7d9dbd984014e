/*
 * auth_step - runs a plugin's auth step (OAuth2 client credentials: plugin.h auth_build /
 * auth_parse) on the executor like any request, and caches the token per instance.
 *
 * One fetch per instance at a time: runs that need a token while it is being fetched wait
 * in a list and are resumed, in order, by the answer.  The token is refreshed a little
 * before it expires (a tenth of its life, at most a minute), and dropped when the remote
 * answers 401 with it, so the next attempt fetches a new one.
 */
#include "config.h"

#include "auth_step.h"

#include "eng_clock.h"
#include "host/host.h"
#include "log/log.h"
#include "runtime/instance.h"

#include <stdlib.h>
#include <string.h>

struct auth_waiter {
    struct auth_waiter *next;
    auth_ready_fn ready;
    void *arg;
};

typedef struct auth_fetch {
    struct oh_instance *inst;
} auth_fetch;

/* Take the waiters out under the lock, then call them without it.  `token` is the caller's. */
static void resume_all(struct oh_instance *inst, const char *token, int rc, const char *why)
{
    pthread_mutex_lock(&inst->auth.lock);
    struct auth_waiter *w = inst->auth.waiters;
    inst->auth.waiters = NULL;
    inst->auth.fetching = 0;
    pthread_mutex_unlock(&inst->auth.lock);
    /* The list was pushed at its head: reverse it so runs resume in arrival order. */
    struct auth_waiter *ordered = NULL;
    while (w != NULL) {
        struct auth_waiter *next = w->next;
        w->next = ordered;
        ordered = w;
        w = next;
    }
    while (ordered != NULL) {
        struct auth_waiter *next = ordered->next;
        ordered->ready(ordered->arg, token, rc, why);
        free(ordered);
        ordered = next;
    }
}

static int64_t refresh_margin_ms(int64_t life_ms)
{
    int64_t m = life_ms / 10;
    return m > 60000 ? 60000 : m;
}

static void on_auth_answer(void *arg, const oh_request *req, const ex_result *res)
{
    (void)req;
    auth_fetch *f = arg;
    struct oh_instance *inst = f->inst;
    free(f);
    if (res->outcome != EX_RESPONSE) {
        resume_all(inst, NULL, ex_classify(res) == EX_RETRY ? OH_RETRY : OH_FAIL, res->error);
        return;
    }
    if (ex_is_html_answer(&res->response)) { /* a portal's page, not the token endpoint's */
        resume_all(inst, NULL, OH_RETRY, EX_HTML_ANSWER_ERROR);
        return;
    }
    oh_auth_token tok;
    memset(&tok, 0, sizeof(tok));
    tok.struct_size = (uint32_t)sizeof(tok);
    oh_error err = {{0}};
    int rc = inst->module->desc.auth_parse(inst->state, &res->response, &tok, &err);
    tok.token[sizeof(tok.token) - 1] = '\0';
    if (rc == OH_OK && (tok.token[0] == '\0' || tok.expires_in_s <= 0))
        rc = oh_error_set(&err, OH_FAIL, "auth step gave no token or no lifetime");
    if (rc != OH_OK) {
        log_warn("instance '%s': auth step failed (HTTP %d): %s", inst->id,
                 res->response.status, err.message);
        resume_all(inst, NULL, rc, err.message);
        return;
    }
    int64_t life_ms = tok.expires_in_s * 1000;
    char *mine = strdup(tok.token), *kept = strdup(tok.token);
    memset(tok.token, 0, sizeof(tok.token));
    if (mine == NULL || kept == NULL) {
        free(mine);
        free(kept);
        resume_all(inst, NULL, OH_RETRY, "out of memory");
        return;
    }
    pthread_mutex_lock(&inst->auth.lock);
    free(inst->auth.token);
    inst->auth.token = kept;
    inst->auth.refresh_at_ms = eng_now_ms() + life_ms - refresh_margin_ms(life_ms);
    pthread_mutex_unlock(&inst->auth.lock);
    log_info("instance '%s': auth token fetched, valid %lld s", inst->id,
             (long long)tok.expires_in_s);
    resume_all(inst, mine, OH_OK, NULL);
    free(mine);
}

int auth_token_get(executor *ex, struct oh_instance *inst, auth_ready_fn ready, void *arg)
{
    if (inst->module->desc.auth_build == NULL) {
        ready(arg, NULL, OH_OK, NULL);
        return 0;
    }
    struct auth_waiter *w = malloc(sizeof(*w));
    if (w == NULL) {
        ready(arg, NULL, OH_RETRY, "out of memory");
        return 0;
    }
    pthread_mutex_lock(&inst->auth.lock);
    if (inst->auth.token != NULL && eng_now_ms() < inst->auth.refresh_at_ms) {
        char *token = strdup(inst->auth.token);
        pthread_mutex_unlock(&inst->auth.lock);
        free(w);
        ready(arg, token, token ? OH_OK : OH_RETRY, token ? NULL : "out of memory");
        free(token);
        return 0;
    }
    w->ready = ready;
    w->arg = arg;
    w->next = inst->auth.waiters;
    inst->auth.waiters = w;
    int start = !inst->auth.fetching;
    inst->auth.fetching = 1;
    pthread_mutex_unlock(&inst->auth.lock);
    if (!start)
        return 1;
    oh_request *req = host_request_new();
    oh_error err = {{0}};
    auth_fetch *f = malloc(sizeof(*f));
    int rc = req && f ? inst->module->desc.auth_build(inst->state, req, &err)
                      : oh_error_set(&err, OH_RETRY, "out of memory");
    if (rc == OH_OK && req->url == NULL)
        rc = oh_error_set(&err, OH_FAIL, "auth step built no request");
    if (rc != OH_OK) {
        host_request_free(req);
        free(f);
        resume_all(inst, NULL, rc, err.message);
        return 1;
    }
    f->inst = inst;
    if (ex_submit(ex, inst->id, req, on_auth_answer, f) != 0) {
        free(f);
        resume_all(inst, NULL, OH_RETRY, "executor refused the auth request");
    }
    return 1;
}

void auth_token_drop(struct oh_instance *inst, const char *token)
{
    if (inst->module->desc.auth_build == NULL || token == NULL)
        return;
    pthread_mutex_lock(&inst->auth.lock);
    /* Only the token that was refused: a newer one may already be there. */
    if (inst->auth.token != NULL && strcmp(inst->auth.token, token) == 0) {
        free(inst->auth.token);
        inst->auth.token = NULL;
        log_info("instance '%s': remote refused the auth token; fetching a new one", inst->id);
    }
    pthread_mutex_unlock(&inst->auth.lock);
}
