/*
 * anet_parse - a createTransactionResponse (or the ErrorResponse of a request the API could
 * not read) into an oh_payment_result.  The transaction's own outcome,
 * transactionResponse/responseCode, decides first: declines and errors also carry the
 * top-level resultCode "Error" / E00027, which says nothing more.  Without a
 * transactionResponse, the top-level message code decides.  README: the full table.
 */
#include "anet.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

typedef struct answer {
    char result[16], msg_code[16], msg_text[256];
    int has_tr;
    char response_code[8], auth_code[16], trans_id[32], account[32];
    char err_code[16], err_text[256], tr_code[16], tr_text[256];
} answer;

static int is_anet(const xmlNode *n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
           xmlStrEqual(n->ns->href, (const xmlChar *)ANET_NS) &&
           xmlStrEqual(n->name, (const xmlChar *)name);
}

static xmlNode *kid(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c != NULL; c = c->next)
        if (is_anet(c, name))
            return c;
    return NULL;
}

/* The trimmed text of n's child `name` into buf ("" when absent). */
static void text_of(const xmlNode *n, const char *name, char *buf, size_t len)
{
    buf[0] = '\0';
    xmlNode *c = kid(n, name);
    xmlChar *t = c ? xmlNodeGetContent(c) : NULL;
    if (t == NULL)
        return;
    const char *s = (const char *)t;
    s += strspn(s, " \t\r\n");
    size_t n_ = strlen(s);
    while (n_ > 0 && strchr(" \t\r\n", s[n_ - 1]) != NULL)
        n_--;
    snprintf(buf, len, "%.*s", (int)n_, s);
    xmlFree(t);
}

static void read_answer(const xmlNode *root, answer *a)
{
    const xmlNode *msgs = kid(root, "messages");
    text_of(msgs, "resultCode", a->result, sizeof(a->result));
    const xmlNode *m = kid(msgs, "message");
    text_of(m, "code", a->msg_code, sizeof(a->msg_code));
    text_of(m, "text", a->msg_text, sizeof(a->msg_text));
    const xmlNode *tr = kid(root, "transactionResponse");
    a->has_tr = tr != NULL;
    text_of(tr, "responseCode", a->response_code, sizeof(a->response_code));
    text_of(tr, "authCode", a->auth_code, sizeof(a->auth_code));
    text_of(tr, "transId", a->trans_id, sizeof(a->trans_id));
    text_of(tr, "accountNumber", a->account, sizeof(a->account));
    const xmlNode *e = kid(kid(tr, "errors"), "error");
    text_of(e, "errorCode", a->err_code, sizeof(a->err_code));
    text_of(e, "errorText", a->err_text, sizeof(a->err_text));
    const xmlNode *tm = kid(kid(tr, "messages"), "message");
    text_of(tm, "code", a->tr_code, sizeof(a->tr_code));
    text_of(tm, "description", a->tr_text, sizeof(a->tr_text));
    /* The gateway writes transId 0 for transactions it never created. */
    if (strcmp(a->trans_id, "0") == 0 || strspn(a->trans_id, "0123456789") !=
                                             strlen(a->trans_id))
        a->trans_id[0] = '\0';
}

/*
 * Our transaction id: "TRANSID:LAST4" when the answer shows the card's last four digits
 * (accountNumber "XXXX1111"), which a later refund must send; else the bare transId.
 */
static void own_id(const answer *a, char *out, size_t len)
{
    size_t n = strlen(a->account);
    const char *tail = n >= 4 ? a->account + n - 4 : "";
    if (n >= 4 && strspn(tail, "0123456789") == 4)
        snprintf(out, len, "%s:%s", a->trans_id, tail);
    else
        snprintf(out, len, "%s", a->trans_id);
}

static const oh_payment_status approved[] = {
    [ANET_AUTHORIZE] = OH_PAYMENT_AUTHORIZED, [ANET_CAPTURE] = OH_PAYMENT_CAPTURED,
    [ANET_VOID] = OH_PAYMENT_CANCELED, [ANET_REFUND] = OH_PAYMENT_REFUNDED};

/* An approval (or a replay of one): the id to keep for the operations that follow. */
static void set_approved(anet_op op, oh_payment_status st, const oh_payment_input *in,
                         const answer *a, oh_payment_result *out)
{
    out->status = st;
    if (op == ANET_CAPTURE || op == ANET_VOID) {
        /* Same gateway transaction: keep the id we were given (it carries LAST4). */
        OH_STRLCPY(out->transaction_id, in->transaction_id ? in->transaction_id : a->trans_id);
    } else {
        own_id(a, out->transaction_id, sizeof(out->transaction_id));
    }
    out->amount = in->amount;
    OH_STRLCPY(out->currency, in->currency);
}

static void set_failure(oh_payment_status st, const char *code, const char *text,
                        oh_payment_result *out)
{
    out->status = st;
    OH_STRLCPY(out->code, code);
    OH_STRLCPY(out->message, text);
}

/* responseCode 3 with errorCode 11: the gateway's duplicate check matched an earlier
 * transaction within duplicateWindow and, since we send that setting, names it. */
static void duplicate(anet_op op, const oh_payment_input *in, const answer *a,
                      oh_payment_result *out)
{
    int earlier_ok = a->trans_id[0] != '\0' &&
                     (a->auth_code[0] != '\0' || op == ANET_REFUND);
    if ((op == ANET_AUTHORIZE || op == ANET_REFUND) && earlier_ok) {
        set_approved(op, approved[op], in, a, out);
    } else if (op == ANET_AUTHORIZE && a->trans_id[0] != '\0') {
        out->status = OH_PAYMENT_DECLINED; /* the earlier one was not approved */
        OH_STRLCPY(out->transaction_id, a->trans_id);
    } else {
        out->status = OH_PAYMENT_ERROR; /* no earlier id: retrying would only repeat this */
    }
    OH_STRLCPY(out->code, "11");
    OH_STRLCPY(out->message, a->err_text);
}

static int map_transaction(anet_op op, const oh_payment_input *in, const answer *a,
                           oh_payment_result *out, oh_error *err)
{
    const char *rc = a->response_code;
    const char *code = a->err_code[0] ? a->err_code : a->tr_code;
    const char *text = a->err_text[0] ? a->err_text : a->tr_text[0] ? a->tr_text : a->msg_text;
    if (strcmp(rc, "1") == 0 || strcmp(rc, "4") == 0) {
        set_approved(op, strcmp(rc, "1") == 0 ? approved[op] : OH_PAYMENT_HELD_FOR_REVIEW, in,
                     a, out);
        if (strcmp(rc, "4") == 0)
            OH_STRLCPY(out->code, code);
        OH_STRLCPY(out->message, a->tr_text[0] ? a->tr_text : text);
        return OH_OK;
    }
    if (strcmp(rc, "2") == 0 ||
        (strcmp(rc, "3") == 0 && op == ANET_AUTHORIZE && anet_decline_name(code) != NULL)) {
        /* A decline, or a card the gateway cannot charge (6 invalid number, 8 expired):
         * either way the buyer must pay otherwise. */
        set_failure(OH_PAYMENT_DECLINED, code, text, out);
        OH_STRLCPY(out->decline_code, anet_decline_name(code));
        OH_STRLCPY(out->transaction_id, a->trans_id);
        return OH_OK;
    }
    if (strcmp(rc, "3") != 0)
        return oh_error_set(err, OH_FAIL, "unknown transactionResponse/responseCode '%.8s'",
                            rc);
    if (strcmp(code, "11") == 0) {
        duplicate(op, in, a, out);
    } else if ((op == ANET_CAPTURE && strcmp(code, "311") == 0) ||
               (op == ANET_VOID && strcmp(code, "310") == 0)) {
        set_approved(op, approved[op], in, a, out); /* already captured / already voided */
        OH_STRLCPY(out->code, code);
        OH_STRLCPY(out->message, text);
    } else {
        set_failure(OH_PAYMENT_ERROR, code, text, out);
        out->retryable = anet_error_retryable(code);
    }
    return OH_OK;
}

static int map_answer(anet_op op, const oh_payment_input *in, const answer *a,
                      oh_payment_result *out, oh_error *err)
{
    if (strcmp(a->result, "Ok") != 0 && strcmp(a->result, "Error") != 0)
        return oh_error_set(err, OH_FAIL, "messages/resultCode '%.16s' is neither Ok nor Error",
                            a->result);
    if (a->has_tr && a->response_code[0] != '\0')
        return map_transaction(op, in, a, out, err);
    if (strcmp(a->result, "Ok") == 0)
        return oh_error_set(err, OH_FAIL, "resultCode Ok without a transactionResponse");
    if (anet_message_auth(a->msg_code))
        return oh_error_set(err, OH_FAIL, "Authorize.Net refused api_login_id / "
                            "transaction_key: %s %s", a->msg_code, a->msg_text);
    set_failure(OH_PAYMENT_ERROR, a->msg_code, a->msg_text, out);
    out->retryable = anet_message_retryable(a->msg_code);
    return OH_OK;
}

int anet_parse(const anet *an, anet_op op, const oh_payment_input *in, const oh_response *resp,
               oh_payment_result *out, oh_error *err)
{
    if (resp->status == 429 || resp->status >= 500) {
        out->status = OH_PAYMENT_ERROR;
        out->retryable = 1;
        return oh_error_set(err, OH_RETRY, "Authorize.Net answered HTTP %d", resp->status);
    }
    const char *body = resp->body;
    size_t len = resp->body_len;
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) { /* live answers start with a BOM */
        body += 3;
        len -= 3;
    }
    oh_error perr = {{0}};
    xmlDoc *doc = an->host->xml_parse(body, len, &perr);
    if (doc == NULL)
        return resp->status != 200
                   ? oh_error_set(err, OH_FAIL, "Authorize.Net answered HTTP %d (%s)",
                                  resp->status, perr.message)
                   : oh_error_set(err, OH_FAIL, "Authorize.Net answer: %s", perr.message);
    const xmlNode *root = xmlDocGetRootElement(doc);
    int rc;
    if (!is_anet(root, "createTransactionResponse") && !is_anet(root, "ErrorResponse")) {
        rc = oh_error_set(err, OH_FAIL, "answer is <%.64s>, not a createTransactionResponse "
                          "in %s", root ? (const char *)root->name : "", ANET_NS);
    } else {
        answer a;
        memset(&a, 0, sizeof(a));
        read_answer(root, &a);
        rc = map_answer(op, in, &a, out, err);
    }
    xmlFreeDoc(doc);
    return rc;
}
