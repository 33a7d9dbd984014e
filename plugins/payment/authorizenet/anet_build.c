/*
 * anet_build - one createTransactionRequest per operation, built with libxml2's tree API
 * so that every value is escaped, and children in the order of the XSD's sequences (the
 * API validates the order):
 *
 *   merchantAuthentication (name, transactionKey), refId,
 *   transactionRequest: transactionType, amount, payment, refTransId, order,
 *                       transactionSettings
 */
#include "anet.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const types[] = {
    [ANET_AUTHORIZE] = "authOnlyTransaction", [ANET_CAPTURE] = "priorAuthCaptureTransaction",
    [ANET_VOID] = "voidTransaction", [ANET_REFUND] = "refundTransaction"};

static void hex(const unsigned char *mac, size_t nhex, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < nhex; i++)
        out[i] = digits[(mac[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
    out[nhex] = '\0';
}

static int digest_hex(const anet *a, const char *text, size_t nhex, char *out)
{
    static const char key[] = "orderhub-refid";
    unsigned char mac[32];
    if (a->host->hmac_sha256(key, sizeof(key) - 1, text, strlen(text), mac) != 0)
        return -1;
    hex(mac, nhex, out);
    return 0;
}

/*
 * refId is at most 20 characters.  orderhub's keys ("ORDER/order.placed#1/pay/authorize")
 * are longer, and their first 20 characters are shared by every operation of one event of
 * one order: a truncation would give a capture the refId of its authorization.  80 bits of
 * a digest are stable across retries and restarts and distinct per key.
 */
int anet_refid(const anet *a, const char *idempotency_key, char out[ANET_REFID_MAX + 1])
{
    return digest_hex(a, idempotency_key, ANET_REFID_MAX, out);
}

/*
 * invoiceNumber takes part in the gateway's duplicate detection: two orders sharing a
 * truncated id, amount and card within the window would make the second a "duplicate" and
 * leave it unpaid.  So a longer id is replaced by a digest, never cut.
 */
int anet_invoice(const anet *a, const char *order_id, char out[ANET_INVOICE_MAX + 1])
{
    size_t n = strlen(order_id);
    if (n > 0 && n <= ANET_INVOICE_MAX) {
        memcpy(out, order_id, n + 1);
        return 0;
    }
    memcpy(out, "oh-", 3);
    return digest_hex(a, order_id, ANET_INVOICE_MAX - 3, out + 3);
}

int anet_split_id(const char *id, char *trans_id, size_t trans_len, char last4[5])
{
    size_t n = strspn(id, "0123456789");
    if (n == 0 || n >= trans_len)
        return -1;
    memcpy(trans_id, id, n);
    trans_id[n] = '\0';
    last4[0] = '\0';
    if (id[n] == '\0')
        return 0;
    if (id[n] != ':' || strlen(id + n + 1) != 4 || strspn(id + n + 1, "0123456789") != 4)
        return -1;
    memcpy(last4, id + n + 1, 5);
    return 0;
}

/*
 * Copy at most `max` characters of UTF-8 text: control characters become spaces and bytes
 * that are not UTF-8 become '?', so the document stays well-formed XML 1.0.
 */
static void clean_text(const char *src, size_t max, char *out, size_t outlen)
{
    size_t o = 0, chars = 0;
    const unsigned char *s = (const unsigned char *)src;
    while (*s != '\0' && chars < max && o + 5 < outlen) {
        size_t len = *s < 0x80 ? 1 : (*s >> 5) == 0x6 ? 2 : (*s >> 4) == 0xe ? 3
                                   : (*s >> 3) == 0x1e ? 4 : 0;
        size_t k = 1;
        while (k < len && (s[k] & 0xc0) == 0x80)
            k++;
        if (len == 0 || k < len) {
            out[o++] = '?';
            s += k;
        } else if (len == 1) {
            out[o++] = (*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r') || *s == 0x7f
                           ? ' ' : (char)*s;
            s++;
        } else {
            memcpy(out + o, s, len);
            o += len;
            s += len;
        }
        chars++;
    }
    out[o] = '\0';
}

static xmlNode *child(xmlNode *parent, const char *name, const char *text)
{
    /* xmlNewTextChild escapes text (xmlNewChild would not escape '&'). */
    return xmlNewTextChild(parent, parent->ns, (const xmlChar *)name, (const xmlChar *)text);
}

static int check_input(const anet *a, anet_op op, const oh_payment_input *in, char *ref_trans,
                       size_t ref_len, char last4[5], oh_error *err)
{
    if (op != ANET_VOID && in->amount <= 0)
        return oh_error_set(err, OH_FAIL, "amount must be positive (got %lld)",
                            (long long)in->amount);
    if (op != ANET_VOID && strcmp(in->currency, a->currency) != 0)
        return oh_error_set(err, OH_FAIL, "currency %.3s: this Authorize.Net account settles "
                            "in %s (setting currency)", in->currency, a->currency);
    if (op == ANET_AUTHORIZE) {
        if (in->payment_token == NULL || in->payment_token[0] == '\0')
            return oh_error_set(err, OH_FAIL, "no payment token (Accept.js opaque data)");
        if (in->order_id == NULL || in->order_id[0] == '\0')
            return oh_error_set(err, OH_FAIL, "no order id");
        return OH_OK;
    }
    if (in->transaction_id == NULL ||
        anet_split_id(in->transaction_id, ref_trans, ref_len, last4) != 0)
        return oh_error_set(err, OH_FAIL, "transaction id '%.64s' is not TRANSID[:LAST4]",
                            in->transaction_id ? in->transaction_id : "");
    if (op == ANET_REFUND && last4[0] == '\0')
        return oh_error_set(err, OH_FAIL, "refund of transaction %s: the card's last four "
                            "digits are unknown (the authorization answer had no "
                            "accountNumber); refund it in the Merchant Interface", ref_trans);
    return OH_OK;
}

static void add_payment(xmlNode *tr, anet_op op, const oh_payment_input *in,
                        const char *last4)
{
    if (op == ANET_AUTHORIZE) {
        xmlNode *opaque = xmlNewChild(child(tr, "payment", NULL), tr->ns,
                                      (const xmlChar *)"opaqueData", NULL);
        child(opaque, "dataDescriptor", "COMMON.ACCEPT.INAPP.PAYMENT");
        child(opaque, "dataValue", in->payment_token);
    } else if (op == ANET_REFUND) {
        /* The API refunds a card payment given refTransId plus the last four digits and a
         * masked expiry (creditCardSimpleType: cardNumber 4..16, expirationDate "XXXX"). */
        xmlNode *card = xmlNewChild(child(tr, "payment", NULL), tr->ns,
                                    (const xmlChar *)"creditCard", NULL);
        child(card, "cardNumber", last4);
        child(card, "expirationDate", "XXXX");
    }
}

static int add_order(const anet *a, xmlNode *tr, const oh_payment_input *in)
{
    char invoice[ANET_INVOICE_MAX + 1], text[1024], clean[4 * ANET_DESCRIPTION_MAX + 8];
    if (in->order_id == NULL || in->order_id[0] == '\0')
        return 0;
    if (anet_invoice(a, in->order_id, invoice) != 0)
        return -1;
    xmlNode *order = child(tr, "order", NULL);
    child(order, "invoiceNumber", invoice);
    snprintf(text, sizeof(text), "orderhub %s%s%s", in->order_id,
             in->description ? ": " : "", in->description ? in->description : "");
    clean_text(text, ANET_DESCRIPTION_MAX, clean, sizeof(clean));
    child(order, "description", clean);
    return 0;
}

static xmlDoc *request_doc(const anet *a, anet_op op, const oh_payment_input *in,
                           const char *ref_trans, const char *last4)
{
    char amount[32], refid[ANET_REFID_MAX + 1], window[24];
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"createTransactionRequest");
    xmlDocSetRootElement(doc, root);
    xmlSetNs(root, xmlNewNs(root, (const xmlChar *)ANET_NS, NULL));
    xmlNode *auth = child(root, "merchantAuthentication", NULL);
    child(auth, "name", a->login);
    child(auth, "transactionKey", a->key);
    if (in->idempotency_key != NULL && in->idempotency_key[0] != '\0') {
        if (anet_refid(a, in->idempotency_key, refid) != 0)
            goto fail;
        child(root, "refId", refid);
    }
    xmlNode *tr = child(root, "transactionRequest", NULL);
    child(tr, "transactionType", types[op]);
    if (op != ANET_VOID) {
        snprintf(amount, sizeof(amount), "%lld.%02lld", (long long)(in->amount / 100),
                 (long long)(in->amount % 100));
        child(tr, "amount", amount);
    }
    add_payment(tr, op, in, last4);
    if (op != ANET_AUTHORIZE)
        child(tr, "refTransId", ref_trans);
    if ((op == ANET_AUTHORIZE || op == ANET_REFUND) && add_order(a, tr, in) != 0)
        goto fail;
    if (op == ANET_AUTHORIZE || op == ANET_REFUND) {
        /* Present (with any value) it also asks for the "enhanced" duplicate answer: the
         * first transaction's transId and authCode, which is how a replay is recognised. */
        snprintf(window, sizeof(window), "%lld", (long long)a->duplicate_window_s);
        xmlNode *setting = child(child(tr, "transactionSettings", NULL), "setting", NULL);
        child(setting, "settingName", "duplicateWindow");
        child(setting, "settingValue", window);
    }
    return doc;
fail:
    xmlFreeDoc(doc);
    return NULL;
}

int anet_build(const anet *a, anet_op op, const oh_payment_input *in, oh_request *req,
               oh_error *err)
{
    char ref_trans[32], last4[5] = "";
    int rc = check_input(a, op, in, ref_trans, sizeof(ref_trans), last4, err);
    if (rc != OH_OK)
        return rc;
    xmlDoc *doc = request_doc(a, op, in, ref_trans, last4);
    xmlChar *text = NULL;
    int len = 0;
    if (doc != NULL)
        xmlDocDumpMemoryEnc(doc, &text, &len, "UTF-8");
    const oh_host_api *h = a->host;
    /* The body carries the transaction key: never log it (no host call prints bodies). */
    rc = (text != NULL && len > 0 && h->request_set(req, "POST", a->base_url) == 0 &&
          h->request_header(req, "Content-Type", "text/xml; charset=utf-8", 0) == 0 &&
          h->request_body(req, text, (size_t)len) == 0)
             ? OH_OK
             : oh_error_set(err, OH_FAIL, "cannot build the %s request", types[op]);
    if (text != NULL) {
        memset(text, 0, (size_t)len); /* the key lived here */
        xmlFree(text);
    }
    xmlFreeDoc(doc);
    return rc;
}
