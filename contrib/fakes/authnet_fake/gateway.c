/*
 * gateway - orderhub-fake-authnet's Authorize.Net: it reads createTransactionRequest
 * (authOnly, priorAuthCapture, void, refund), keeps a ledger of the transactions it
 * creates, and answers createTransactionResponse in the live API's shape (README: rules,
 * duplicate window).  The ledger is what tests inspect: how many requests each transaction
 * got, under which refIds, and how many of its answers actually left the fake.
 */
#include "config.h"

#include "gateway.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS "AnetApi/xml/v1/schema/AnetApiSchema.xsd"
#define MAX_REFIDS 8

typedef struct txn {
    int64_t id;              /* the transId */
    char type[40], status[40];
    int64_t cents, refunded;
    char invoice[32], last4[5], auth_code[8], fingerprint[512];
    int64_t ref_trans;       /* refunds: the transaction refunded */
    int response_code;
    char error_code[8];
    int64_t created_ms, window_s;
    int requests, duplicates, captures, voids, answers_sent;
    char ref_ids[MAX_REFIDS][24];
    int nref;
} txn;

struct gw {
    const gw_config *cfg;
    pthread_mutex_t lock;
    txn *t;
    size_t n, cap;
    int64_t next_id, requests;
};

/* One parsed request. */
typedef struct req {
    char root[64], name[64], key[64], ref_id[64], type[48], amount[32], token[512],
        card[32], ref_trans[32], invoice[64];
    int has_window;
    int64_t window_s;
} req;

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

gw *gw_new(const gw_config *cfg)
{
    gw *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return NULL;
    g->cfg = cfg;
    g->next_id = 60000000001;
    pthread_mutex_init(&g->lock, NULL);
    return g;
}

void gw_free(gw *g)
{
    if (g == NULL)
        return;
    pthread_mutex_destroy(&g->lock);
    free(g->t);
    free(g);
}

void gw_reset(gw *g)
{
    pthread_mutex_lock(&g->lock);
    g->n = 0;
    g->requests = 0;
    pthread_mutex_unlock(&g->lock);
}

/* ---- reading the request -------------------------------------------------------------- */

static xmlNode *kid(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, (const xmlChar *)name))
            return c;
    return NULL;
}

static void text(xmlNode *n, char *buf, size_t len)
{
    xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
    snprintf(buf, len, "%s", t ? (const char *)t : "");
    xmlFree(t);
}

/* 0 parsed, -1 not XML (E00003), -2 not a createTransactionRequest (E00004). */
static int read_request(const char *body, size_t len, req *r)
{
    xmlDoc *doc = xmlReadMemory(body, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL || doc->intSubset != NULL) {
        xmlFreeDoc(doc);
        return -1;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    snprintf(r->root, sizeof(r->root), "%s", root ? (const char *)root->name : "");
    if (root == NULL || strcmp(r->root, "createTransactionRequest") != 0 || root->ns == NULL ||
        !xmlStrEqual(root->ns->href, (const xmlChar *)NS)) {
        xmlFreeDoc(doc);
        return -2;
    }
    xmlNode *auth = kid(root, "merchantAuthentication"), *tr = kid(root, "transactionRequest");
    text(kid(auth, "name"), r->name, sizeof(r->name));
    text(kid(auth, "transactionKey"), r->key, sizeof(r->key));
    text(kid(root, "refId"), r->ref_id, sizeof(r->ref_id));
    text(kid(tr, "transactionType"), r->type, sizeof(r->type));
    text(kid(tr, "amount"), r->amount, sizeof(r->amount));
    xmlNode *pay = kid(tr, "payment");
    text(kid(kid(pay, "opaqueData"), "dataValue"), r->token, sizeof(r->token));
    text(kid(kid(pay, "creditCard"), "cardNumber"), r->card, sizeof(r->card));
    text(kid(tr, "refTransId"), r->ref_trans, sizeof(r->ref_trans));
    text(kid(kid(tr, "order"), "invoiceNumber"), r->invoice, sizeof(r->invoice));
    for (xmlNode *s = kid(kid(tr, "transactionSettings"), "setting"); s; s = s->next) {
        char name[64], value[32];
        text(kid(s, "settingName"), name, sizeof(name));
        text(kid(s, "settingValue"), value, sizeof(value));
        if (s->type == XML_ELEMENT_NODE && strcmp(name, "duplicateWindow") == 0) {
            r->has_window = 1;
            r->window_s = atoll(value);
        }
    }
    xmlFreeDoc(doc);
    /* The API's rule: no value -> 120 s, below 0 -> 0, above 28800 -> 28800. */
    if (!r->has_window)
        r->window_s = 120;
    r->window_s = r->window_s < 0 ? 0 : r->window_s > 28800 ? 28800 : r->window_s;
    return 0;
}

/* "12.34" -> 1234; -1 when it is not a positive decimal with at most two places. */
static int64_t cents_of(const char *s)
{
    int64_t whole = 0, frac = 0;
    int places = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++)
        whole = whole * 10 + (*p - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9' && places < 2; p++, places++)
            frac = frac * 10 + (*p - '0');
    if (*p != '\0' || whole > 99999999999LL)
        return -1;
    while (places++ < 2)
        frac *= 10;
    int64_t c = whole * 100 + frac;
    return c > 0 ? c : -1;
}

/* ---- writing the answer ----------------------------------------------------------------- */

typedef struct outcome {
    int ok;                 /* messages/resultCode Ok (else Error / E00027) */
    int response_code;      /* 0: no transactionResponse */
    const char *code, *text;/* transactionResponse message (1, 4) or error (2, 3) */
    const txn *t;           /* the transaction answered for, or NULL (transId 0) */
    int64_t ref_trans;
} outcome;

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void head(const gw *g, FILE *f, const char *root)
{
    if (g->cfg->bom)
        fputs("\xEF\xBB\xBF", f);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"utf-8\"?><%s xmlns:xsi=\"http://www.w3.org/"
               "2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
               "xmlns=\"" NS "\">", root);
}

static void messages(FILE *f, int ok, const char *code, const char *text_)
{
    fprintf(f, "<messages><resultCode>%s</resultCode><message><code>%s</code><text>",
            ok ? "Ok" : "Error", code);
    esc(f, text_);
    fputs("</text></message></messages>", f);
}

static void set_body(gw_reply *out, int status, char *buf, size_t len)
{
    out->status = status;
    out->body = buf;
    out->len = len;
    out->content_type = "application/xml; charset=utf-8";
}

/* An answer without a transactionResponse: ErrorResponse or an E0000x error. */
static void api_error(const gw *g, const char *root, const char *ref_id, const char *code,
                      const char *text_, gw_reply *out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    head(g, f, root);
    if (ref_id && ref_id[0]) {
        fputs("<refId>", f);
        esc(f, ref_id);
        fputs("</refId>", f);
    }
    messages(f, 0, code, text_);
    fprintf(f, "</%s>", root);
    fclose(f);
    set_body(out, 200, buf, len);
}

static void answer(const gw *g, const req *r, const outcome *o, gw_reply *out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    head(g, f, "createTransactionResponse");
    if (r->ref_id[0]) {
        fputs("<refId>", f);
        esc(f, r->ref_id);
        fputs("</refId>", f);
    }
    if (o->ok)
        messages(f, 1, "I00001", "Successful.");
    else
        messages(f, 0, "E00027", "The transaction was unsuccessful.");
    const txn *t = o->t;
    int approved = o->response_code == 1 || o->response_code == 4;
    fprintf(f, "<transactionResponse><responseCode>%d</responseCode>", o->response_code);
    if (t && t->auth_code[0] && (approved || (o->code && strcmp(o->code, "11") == 0)))
        fprintf(f, "<authCode>%s</authCode>", t->auth_code);
    else
        fputs("<authCode />", f);
    fprintf(f, "<avsResultCode>%s</avsResultCode><cvvResultCode>%s</cvvResultCode>"
               "<cavvResultCode>2</cavvResultCode><transId>%lld</transId>",
            t ? "Y" : "P", t ? "P" : "", t ? (long long)t->id : 0LL);
    if (o->ref_trans)
        fprintf(f, "<refTransID>%lld</refTransID>", (long long)o->ref_trans);
    else
        fputs("<refTransID />", f);
    fputs("<transHash /><testRequest>0</testRequest>", f);
    fprintf(f, "<accountNumber>XXXX%s</accountNumber><accountType>Visa</accountType>",
            t ? t->last4 : "1111");
    if (approved) {
        fprintf(f, "<messages><message><code>%s</code><description>", o->code);
        esc(f, o->text);
        fputs("</description></message></messages>", f);
    } else {
        fprintf(f, "<errors><error><errorCode>%s</errorCode><errorText>", o->code);
        esc(f, o->text);
        fputs("</errorText></error></errors>", f);
    }
    fputs("<transHashSha2 /><SupplementalDataQualificationIndicator>0"
          "</SupplementalDataQualificationIndicator></transactionResponse>"
          "</createTransactionResponse>", f);
    fclose(f);
    set_body(out, 200, buf, len);
    out->trans_id = t ? t->id : 0;
}

/* ---- the ledger ---------------------------------------------------------------------- */

static txn *find(gw *g, int64_t id)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->t[i].id == id)
            return &g->t[i];
    return NULL;
}

static void note_ref(txn *t, const char *ref_id)
{
    for (int i = 0; i < t->nref; i++)
        if (strcmp(t->ref_ids[i], ref_id) == 0)
            return;
    if (t->nref < MAX_REFIDS && ref_id[0])
        snprintf(t->ref_ids[t->nref++], sizeof(t->ref_ids[0]), "%s", ref_id);
}

static txn *add(gw *g, const req *r, int64_t cents)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        txn *t = realloc(g->t, cap * sizeof(*t));
        if (t == NULL)
            return NULL;
        g->t = t;
        g->cap = cap;
    }
    txn *t = &g->t[g->n++];
    memset(t, 0, sizeof(*t));
    t->id = g->next_id++;
    snprintf(t->type, sizeof(t->type), "%s", r->type);
    snprintf(t->invoice, sizeof(t->invoice), "%s", r->invoice);
    t->cents = cents;
    t->created_ms = wall_ms();
    t->window_s = r->window_s;
    t->requests = 1;
    note_ref(t, r->ref_id);
    return t;
}

/* What the duplicate check compares (the fields Authorize.Net lists: login, card, type,
 * amount, invoice...; the Accept token stands for the card it carries). */
static void fingerprint(const req *r, char *out, size_t len)
{
    snprintf(out, len, "%s|%s|%s|%s|%s|%s", r->name, r->type, r->amount,
             r->token[0] ? r->token : r->card, r->invoice, r->ref_trans);
}

static txn *duplicate_of(gw *g, const req *r)
{
    char fp[512];
    fingerprint(r, fp, sizeof(fp));
    int64_t since = wall_ms() - r->window_s * 1000;
    for (size_t i = g->n; i-- > 0;)
        if (g->t[i].response_code != 3 && g->t[i].created_ms >= since &&
            strcmp(g->t[i].fingerprint, fp) == 0)
            return &g->t[i];
    return NULL;
}

/* ---- the operations -------------------------------------------------------------------- */

static int has_token(const req *r, const char *word)
{
    return strstr(r->token, word) != NULL;
}

static void last4_of(const char *s, char out[5])
{
    size_t n = strlen(s);
    if (n >= 4 && strspn(s + n - 4, "0123456789") == 4)
        memcpy(out, s + n - 4, 5);
    else
        memcpy(out, "1111", 5);
}

static void authorize(gw *g, const req *r, int64_t cents, gw_reply *out)
{
    int64_t c = cents % 100;
    outcome o = {.ok = 1, .response_code = 1, .code = "1",
                 .text = "This transaction has been approved."};
    if (has_token(r, "fake-500") || c == 5) {
        out->status = 500;
        out->body = strdup("<html><body><h1>500 Internal Server Error</h1></body></html>\n");
        out->len = strlen(out->body);
        out->content_type = "text/html";
        return;
    }
    if (has_token(r, "fake-decline") || c == 2)
        o = (outcome){0, 2, "2", "This transaction has been declined.", NULL, 0};
    else if (has_token(r, "fake-error") || c == 3)
        o = (outcome){0, 3, "19",
                      "An error occurred during processing. Please try again in 5 minutes.",
                      NULL, 0};
    else if (has_token(r, "fake-invalid"))
        o = (outcome){0, 3, "6", "The credit card number is invalid.", NULL, 0};
    else if (has_token(r, "fake-hold") || c == 4)
        o = (outcome){1, 4, "252", "Your order has been received. Thank you for your business!",
                      NULL, 0};
    txn *t = add(g, r, cents);
    if (t == NULL) {
        api_error(g, "createTransactionResponse", r->ref_id, "E00001",
                  "An error occurred during processing. Please try again.", out);
        return;
    }
    fingerprint(r, t->fingerprint, sizeof(t->fingerprint));
    t->response_code = o.response_code;
    last4_of(r->token, t->last4);
    if (o.response_code == 1 || o.response_code == 4)
        snprintf(t->auth_code, sizeof(t->auth_code), "A%05lld", (long long)(t->id % 100000));
    snprintf(t->status, sizeof(t->status), "%s",
             o.response_code == 1 ? "authorizedPendingCapture"
             : o.response_code == 4 ? "FDSAuthorizedPendingReview"
             : o.response_code == 2 ? "declined" : "generalError");
    if (o.response_code == 3)
        snprintf(t->error_code, sizeof(t->error_code), "%s", o.code);
    o.t = o.response_code == 3 ? NULL : t;
    answer(g, r, &o, out);
    out->trans_id = t->id; /* even an error's answer is counted on its ledger row */
    const char *slow = strstr(r->token, "fake-slow-");
    if (slow != NULL)
        out->delay_ms = atoll(slow + 10);
    if (has_token(r, "fake-malformed") && out->len > 2)
        out->len /= 2; /* a dropped connection: unbalanced XML */
}

static void follow_on(gw *g, const req *r, int64_t cents, gw_reply *out)
{
    txn *t = find(g, atoll(r->ref_trans));
    int capture = strcmp(r->type, "priorAuthCaptureTransaction") == 0;
    outcome o = {.ok = 1, .response_code = 1, .code = "1",
                 .text = "This transaction has been approved.", .t = t,
                 .ref_trans = atoll(r->ref_trans)};
    if (t == NULL || strcmp(t->type, "authOnlyTransaction") != 0 ||
        (strcmp(t->status, "declined") == 0 || strcmp(t->status, "generalError") == 0)) {
        o = (outcome){0, 3, "16", "The transaction cannot be found.", NULL, o.ref_trans};
    } else if (capture) {
        t->captures++;
        if (strcmp(t->status, "capturedPendingSettlement") == 0)
            o.code = "311", o.text = "This transaction has already been captured.";
        else if (strcmp(t->status, "voided") == 0)
            o = (outcome){0, 3, "16", "The transaction cannot be found.", NULL, o.ref_trans};
        else if (cents > t->cents)
            o = (outcome){0, 3, "47", "The amount requested for settlement cannot be greater "
                          "than the original amount authorized.", NULL, o.ref_trans};
        else {
            snprintf(t->status, sizeof(t->status), "capturedPendingSettlement");
            if (cents > 0)
                t->cents = cents;
        }
    } else {
        t->voids++;
        if (strcmp(t->status, "voided") == 0)
            o.code = "310", o.text = "This transaction has already been voided.";
        else
            snprintf(t->status, sizeof(t->status), "voided");
    }
    if (t != NULL)
        t->requests++, note_ref(t, r->ref_id);
    answer(g, r, &o, out);
    out->trans_id = t ? t->id : 0;
}

static void refund(gw *g, const req *r, int64_t cents, gw_reply *out)
{
    txn *orig = find(g, atoll(r->ref_trans));
    int64_t ref = atoll(r->ref_trans);
    outcome o = {0, 3, "54", "The referenced transaction does not meet the criteria for "
                 "issuing a credit.", NULL, ref};
    if (orig != NULL && strcmp(orig->status, "capturedPendingSettlement") == 0) {
        char card4[5];
        last4_of(r->card, card4);
        if (strlen(r->card) < 4 || strcmp(card4, orig->last4) != 0)
            o = (outcome){0, 3, "6", "The credit card number is invalid.", NULL, ref};
        else if (orig->refunded + cents > orig->cents)
            o = (outcome){0, 3, "55", "The sum of credits against the referenced transaction "
                          "would exceed original debit amount.", NULL, ref};
        else {
            txn *t = add(g, r, cents);
            orig = find(g, ref); /* add() may have moved the array */
            if (t != NULL && orig != NULL) {
                orig->refunded += cents;
                fingerprint(r, t->fingerprint, sizeof(t->fingerprint));
                memcpy(t->last4, orig->last4, 5);
                t->ref_trans = ref;
                t->response_code = 1;
                snprintf(t->status, sizeof(t->status), "refundPendingSettlement");
                o = (outcome){1, 1, "1", "This transaction has been approved.", t, ref};
            }
        }
    }
    answer(g, r, &o, out);
}

void gw_handle(gw *g, const char *body, size_t len, gw_reply *out)
{
    req r;
    memset(&r, 0, sizeof(r));
    memset(out, 0, sizeof(*out));
    int rc = read_request(body, len, &r);
    pthread_mutex_lock(&g->lock);
    g->requests++;
    if (rc == -1) {
        api_error(g, "ErrorResponse", NULL, "E00003",
                  "An error occurred while parsing the XML request.", out);
    } else if (rc == -2) {
        api_error(g, "ErrorResponse", NULL, "E00004",
                  "The name of the requested API method is invalid.", out);
    } else if (strcmp(r.name, g->cfg->login) != 0 || strcmp(r.key, g->cfg->key) != 0) {
        api_error(g, "createTransactionResponse", r.ref_id, "E00007",
                  "User authentication failed due to invalid authentication values.", out);
    } else {
        int64_t cents = r.amount[0] ? cents_of(r.amount) : 0;
        int needs_amount = strcmp(r.type, "authOnlyTransaction") == 0 ||
                           strcmp(r.type, "refundTransaction") == 0;
        txn *dup = needs_amount && cents > 0 ? duplicate_of(g, &r) : NULL;
        if (cents < 0 || (needs_amount && cents == 0)) {
            outcome o = {0, 3, "5", "A valid amount is required.", NULL, 0};
            answer(g, &r, &o, out);
        } else if (dup != NULL) {
            /* The enhanced duplicate answer: the first transaction's id, AVS, CVV and, if
             * it was approved, its authorization code. */
            dup->requests++;
            dup->duplicates++;
            note_ref(dup, r.ref_id);
            /* Without the setting in the request: no details of the first one. */
            outcome o = {0, 3, "11", "A duplicate transaction has been submitted.",
                         r.has_window ? dup : NULL, r.has_window ? dup->ref_trans : 0};
            answer(g, &r, &o, out);
            out->trans_id = dup->id;
        } else if (strcmp(r.type, "authOnlyTransaction") == 0) {
            authorize(g, &r, cents, out);
        } else if (strcmp(r.type, "priorAuthCaptureTransaction") == 0 ||
                   strcmp(r.type, "voidTransaction") == 0) {
            follow_on(g, &r, cents, out);
        } else if (strcmp(r.type, "refundTransaction") == 0) {
            refund(g, &r, cents, out);
        } else {
            api_error(g, "createTransactionResponse", r.ref_id, "E00013",
                      "Transaction type is invalid.", out);
        }
    }
    if (out->body == NULL) { /* out of memory */
        out->status = 500;
        out->content_type = "text/plain";
    }
    if (strcmp(r.type, "authOnlyTransaction") == 0)
        out->delay_ms += g->cfg->auth_latency_ms;
    out->delay_ms += g->cfg->latency_ms;
    pthread_mutex_unlock(&g->lock);
}

void gw_answer_sent(gw *g, int64_t trans_id)
{
    pthread_mutex_lock(&g->lock);
    txn *t = find(g, trans_id);
    if (t != NULL)
        t->answers_sent++;
    pthread_mutex_unlock(&g->lock);
}

char *gw_ledger_json(gw *g)
{
    json_t *list = json_array();
    pthread_mutex_lock(&g->lock);
    for (size_t i = 0; i < g->n; i++) {
        const txn *t = &g->t[i];
        json_t *refs = json_array();
        for (int k = 0; k < t->nref; k++)
            json_array_append_new(refs, json_string(t->ref_ids[k]));
        char amount[32];
        snprintf(amount, sizeof(amount), "%lld.%02lld", (long long)(t->cents / 100),
                 (long long)(t->cents % 100));
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:i, s:i, s:i, s:i, "
                            "s:i, s:s, s:I}",
                            "trans_id", (json_int_t)t->id, "type", t->type, "status",
                            t->status, "amount", amount, "invoice", t->invoice, "last4",
                            t->last4, "ref_ids", refs, "response_code", t->response_code,
                            "requests", t->requests, "duplicates", t->duplicates, "captures",
                            t->captures, "voids", t->voids, "answers_sent", t->answers_sent,
                            "error_code", t->error_code, "ref_trans_id",
                            (json_int_t)t->ref_trans));
    }
    json_t *doc = json_pack("{s:I, s:o}", "requests", (json_int_t)g->requests, "transactions",
                            list);
    pthread_mutex_unlock(&g->lock);
    char *text_ = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text_;
}
