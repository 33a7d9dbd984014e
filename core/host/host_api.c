#include "config.h"

#include "host_api.h"

#include "host_time.h"
#include "kv.h"
#include "parse.h"
#include "request.h"
#include "results.h"

#include "log/log.h"
#include "settings/settings.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <time.h>

/* The attribute lets clang check fmt as a format (its -Wformat-nonliteral otherwise
 * refuses the vprintf-style hand-over below). */
static void host_log(const oh_instance *self, oh_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void host_log(const oh_instance *self, oh_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, self != NULL ? host_instance_id(self) : "plugin", fmt, ap);
    va_end(ap);
}

/* The clock plugins see: real time unless a test or `--now` fixed it. */
static atomic_llong fixed_now_ms;

void host_now_override(int64_t unix_ms)
{
    atomic_store(&fixed_now_ms, (long long)unix_ms);
}

static int64_t host_now_ms(void)
{
    long long fixed = atomic_load(&fixed_now_ms);
    if (fixed != 0)
        return fixed;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int host_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                            unsigned char out[32])
{
    unsigned int out_len = 0;
    if (key == NULL || (data == NULL && len > 0) || key_len > INT32_MAX)
        return -1;
    if (HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len) == NULL ||
        out_len != 32)
        return -1;
    return 0;
}

static const oh_host_api table = {
    .struct_size = (uint32_t)sizeof(oh_host_api),
    .abi_major = OH_ABI_MAJOR,
    .abi_minor = OH_ABI_MINOR,
    .log = host_log,
    .setting_string = set_get_string,
    .setting_int = set_get_int,
    .setting_bool = set_get_bool,
    .setting_double = set_get_double,
    .now_ms = host_now_ms,
    .time_parse = host_time_parse,
    .json_parse = host_json_parse,
    .xml_parse = host_xml_parse,
    .request_set = host_request_set,
    .request_header = host_request_header,
    .request_body = host_request_body,
    .request_mail = host_request_mail,
    .url_encode = host_url_encode,
    .track_add_shipment = host_track_add_shipment,
    .track_add_event = host_track_add_event,
    .label_document = host_label_document,
    .rate_add = host_rate_add,
    .hmac_sha256 = host_hmac_sha256,
    .kv_set = host_kv_set,
    .kv_get = host_kv_get,
    .label_parcel = host_label_parcel,
    .label_parcel_document = host_label_parcel_document,
};

const oh_host_api *host_api(void)
{
    return &table;
}
