/*
 * carrier_ups - UPS through its OAuth2 JSON APIs: tracking (Track API v1), labels with a
 * commercial invoice for international parcels (Shipping API v2409) and rate shopping
 * (Rating API v2409).  See README.md for endpoints, settings and the status table.
 *
 * This file: settings, instance life, the OAuth2 client-credentials step and the headers
 * every call shares.  Tracking, labels and rates live in ups_track.c, ups_label.c and
 * ups_rate.c; the shipment body both labels and rates send in ups_shipment.c.
 */
#include "ups.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const oh_setting_spec settings[] = {
    {"base_url", OH_SETTING_STRING, "https://onlinetools.ups.com",
     "API root: https://onlinetools.ups.com (production) or https://wwwcie.ups.com (test)", OH_SETTING_HTTP_URL,
     0, 0},
    {"client_id", OH_SETTING_STRING, NULL, "OAuth2 client id of the UPS developer app",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"client_secret", OH_SETTING_STRING, NULL, "OAuth2 client secret of the UPS developer app",
     OH_SETTING_REQUIRED | OH_SETTING_SENSITIVE, 0, 0},
    {"account_number", OH_SETTING_STRING, "",
     "UPS shipper (account) number billed for labels; needed for labels and rates", 0, 0, 0},
    {"transaction_src", OH_SETTING_STRING, "orderhub",
     "transactionSrc header: names this application to UPS", 0, 0, 0},
    {"label_format", OH_SETTING_STRING, "ZPL", "Label image format: ZPL (4x6 thermal) or GIF",
     0, 0, 0},
    {"shipper_name", OH_SETTING_STRING, "", "Shipper contact name (when ship_from is empty)", 0,
     0, 0},
    {"shipper_company", OH_SETTING_STRING, "", "Shipper company name", 0, 0, 0},
    {"shipper_phone", OH_SETTING_STRING, "", "Shipper phone number", 0, 0, 0},
    {"shipper_street1", OH_SETTING_STRING, "", "Shipper street, first line", 0, 0, 0},
    {"shipper_street2", OH_SETTING_STRING, "", "Shipper street, second line", 0, 0, 0},
    {"shipper_city", OH_SETTING_STRING, "", "Shipper city", 0, 0, 0},
    {"shipper_region", OH_SETTING_STRING, "", "Shipper state or province code", 0, 0, 0},
    {"shipper_postal_code", OH_SETTING_STRING, "", "Shipper postal code", 0, 0, 0},
    {"shipper_country", OH_SETTING_STRING, "", "Shipper country, ISO 3166-1 alpha-2", 0, 0, 0},
    OH_SETTINGS_END};

static int carrier_init(const oh_host_api *host, oh_instance *self, const oh_settings *s,
                        void **state, oh_error *err)
{
    ups *u = calloc(1, sizeof(*u));
    if (u == NULL)
        return oh_error_set(err, OH_FAIL, "out of memory");
    u->host = host;
    u->self = self;
    u->base_url = host->setting_string(s, "base_url");
    u->client_id = host->setting_string(s, "client_id");
    u->client_secret = host->setting_string(s, "client_secret");
    u->account_number = host->setting_string(s, "account_number");
    u->transaction_src = host->setting_string(s, "transaction_src");
    const char *format = host->setting_string(s, "label_format");
    u->shipper.name = host->setting_string(s, "shipper_name");
    u->shipper.company = host->setting_string(s, "shipper_company");
    u->shipper.phone = host->setting_string(s, "shipper_phone");
    u->shipper.street1 = host->setting_string(s, "shipper_street1");
    u->shipper.street2 = host->setting_string(s, "shipper_street2");
    u->shipper.city = host->setting_string(s, "shipper_city");
    u->shipper.region = host->setting_string(s, "shipper_region");
    u->shipper.postal_code = host->setting_string(s, "shipper_postal_code");
    u->shipper.country = host->setting_string(s, "shipper_country");
    atomic_init(&u->seq, 0);
    const char *why = NULL;
    size_t blen = u->base_url ? strlen(u->base_url) : 0;
    if (blen == 0 || blen > 512 || u->base_url[blen - 1] == '/')
        why = "base_url must be at most 512 characters, without a trailing '/'";
    else if (u->client_id == NULL || u->client_id[0] == '\0' || u->client_secret == NULL ||
             u->client_secret[0] == '\0')
        why = "client_id and client_secret must not be empty";
    else if (strlen(u->client_id) + strlen(u->client_secret) > 1024)
        why = "client_id and client_secret are longer than 1024 characters together";
    else if (format != NULL && strcasecmp(format, "ZPL") == 0)
        u->label_format = "ZPL";
    else if (format != NULL && strcasecmp(format, "GIF") == 0)
        u->label_format = "GIF";
    else
        why = "label_format must be ZPL or GIF";
    const char *cc = u->shipper.country;
    if (why == NULL && cc != NULL && cc[0] != '\0' &&
        !(strlen(cc) == 2 && isupper((unsigned char)cc[0]) && isupper((unsigned char)cc[1])))
        why = "shipper_country must be an upper-case ISO 3166-1 alpha-2 code";
    if (why != NULL) {
        free(u);
        return oh_error_set(err, OH_FAIL, "%s", why);
    }
    *state = u;
    return OH_OK;
}

static void carrier_destroy(void *state)
{
    free(state);
}

int ups_set_common(ups *u, oh_request *req, const char *method, const char *url,
                   const char *trans_id, oh_error *err)
{
    if (req->auth_token == NULL || req->auth_token[0] == '\0')
        return oh_error_set(err, OH_FAIL, "no UPS access token: the auth step has not run");
    char bearer[4200], fresh[40];
    int n = snprintf(bearer, sizeof(bearer), "Bearer %s", req->auth_token);
    if (n < 0 || (size_t)n >= sizeof(bearer))
        return oh_error_set(err, OH_FAIL, "UPS access token longer than 4096 bytes");
    if (trans_id == NULL) {
        /* Unique per call (UPS logs it, 32 characters at most): clock plus a counter. */
        uint64_t seq = atomic_fetch_add(&u->seq, 1);
        snprintf(fresh, sizeof(fresh), "oh%012llx%08llx",
                 (unsigned long long)(u->host->now_ms() & 0xffffffffffffLL),
                 (unsigned long long)(seq & 0xffffffffu));
        trans_id = fresh;
    }
    if (u->host->request_set(req, method, url) != 0 ||
        u->host->request_header(req, "Authorization", bearer, OH_HEADER_SENSITIVE) != 0 ||
        u->host->request_header(req, "transId", trans_id, 0) != 0 ||
        u->host->request_header(req, "transactionSrc", u->transaction_src, 0) != 0 ||
        u->host->request_header(req, "Accept", "application/json", 0) != 0)
        return oh_error_set(err, OH_FAIL, "cannot build the UPS request (URL %zu bytes)",
                            strlen(url));
    return OH_OK;
}

/* OAuth2 client credentials (RFC 6749 4.4) with HTTP basic client authentication. */
static int auth_build(void *state, oh_request *req, oh_error *err)
{
    ups *u = state;
    char url[600], pair[1100], basic[1500 + 8] = "Basic ";
    int n = snprintf(url, sizeof(url), "%s/security/v1/oauth/token", u->base_url);
    int m = snprintf(pair, sizeof(pair), "%s:%s", u->client_id, u->client_secret);
    if (n < 0 || (size_t)n >= sizeof(url) || m < 0 || (size_t)m >= sizeof(pair))
        return oh_error_set(err, OH_FAIL, "token URL or credentials too long");
    ups_b64_encode((const unsigned char *)pair, (size_t)m, basic + 6);
    static const char body[] = "grant_type=client_credentials";
    int rc = u->host->request_set(req, "POST", url) == 0 &&
             u->host->request_header(req, "Content-Type",
                                     "application/x-www-form-urlencoded", 0) == 0 &&
             u->host->request_header(req, "Accept", "application/json", 0) == 0 &&
             u->host->request_header(req, "Authorization", basic, OH_HEADER_SENSITIVE) == 0 &&
             (u->account_number[0] == '\0' ||
              u->host->request_header(req, "x-merchant-id", u->account_number, 0) == 0) &&
             u->host->request_body(req, body, sizeof(body) - 1) == 0;
    memset(pair, 0, sizeof(pair));
    memset(basic, 0, sizeof(basic));
    return rc ? OH_OK : oh_error_set(err, OH_FAIL, "cannot build the UPS token request");
}

/* expires_in: UPS sends a string of seconds ("14399"); accept a JSON integer too. */
static int expires_in(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
    } else if (json_is_string(v)) {
        const char *t = json_string_value(v);
        size_t len = strlen(t);
        if (len == 0 || len > 9 || strspn(t, "0123456789") != len)
            return -1;
        *out = strtoll(t, NULL, 10);
    } else {
        return -1;
    }
    return *out > 0 && *out <= 30 * 86400 ? 0 : -1;
}

static int auth_parse(void *state, const oh_response *resp, oh_auth_token *out, oh_error *err)
{
    ups *u = state;
    if (resp->status != 200)
        return ups_http_failure(u, resp, "token request", err);
    json_t *j = u->host->json_parse(resp->body, resp->body_len, err);
    if (j == NULL)
        return OH_FAIL;
    const char *token = json_string_value(json_object_get(j, "access_token"));
    const char *status = json_string_value(json_object_get(j, "status"));
    int64_t ttl = 0;
    int rc = OH_OK;
    if (token == NULL || token[0] == '\0')
        rc = oh_error_set(err, OH_FAIL, "token answer has no access_token");
    else if (strlen(token) >= sizeof(out->token))
        rc = oh_error_set(err, OH_FAIL, "access_token longer than %zu bytes",
                          sizeof(out->token) - 1);
    else if (status != NULL && strcasecmp(status, "approved") != 0)
        rc = oh_error_set(err, OH_FAIL, "token status is \"%.40s\", not \"approved\"", status);
    else if (expires_in(json_object_get(j, "expires_in"), &ttl) != 0)
        rc = oh_error_set(err, OH_FAIL,
                          "token answer has no expires_in of 1 to 2592000 seconds");
    if (rc == OH_OK) {
        OH_STRLCPY(out->token, token);
        out->expires_in_s = ttl;
    }
    json_decref(j);
    return rc;
}

static const oh_carrier_ops ops = OH_OPS_INIT(oh_carrier_ops, .max_batch = 1,
    .track_build = ups_track_build, .track_parse = ups_track_parse,
    .label_build = ups_label_build, .label_parse = ups_label_parse,
    .rate_build = ups_rate_build, .rate_parse = ups_rate_parse);

static const oh_plugin plugin = OH_PLUGIN_INIT(
    .name = "carrier_ups", .version = "1.0.0", .kind = OH_KIND_CARRIER,
    .description = "UPS: tracking, labels with customs invoice, rate shopping (OAuth2 JSON)",
    .settings = settings, .init = carrier_init, .destroy = carrier_destroy,
    .auth_build = auth_build, .auth_parse = auth_parse, .carrier = &ops);

OH_PLUGIN_DEFINE(plugin)
