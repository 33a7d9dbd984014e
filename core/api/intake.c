#include "config.h"

#include "intake.h"

#include "api/api_limits.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define MAX_AMOUNT INT64_C(100000000000) /* 1e11 minor units: far above any real order */
#define MAX_FIXES 4 /* normalisations: postal code and region of two addresses */

/* ---- code tables (sorted: bsearch) ---------------------------------------------------- */

/* ISO 3166-1 alpha-2: the 249 officially assigned codes. */
static const char *const countries[] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX",
    "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ",
    "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK",
    "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
    "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR",
    "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
    "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN",
    "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
    "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV",
    "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ",
    "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI",
    "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC",
    "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV",
    "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR",
    "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW"};

/*
 * ISO 4217 currencies an order can be priced in: list one's currency codes, including the
 * recent ZWG (2024) and XCG (2025) and the codes they replace while those circulate; not
 * HRK (withdrawn 2023), the fund codes (BOV CHE CHW CLF COU MXV USN UYI UYW), precious
 * metals, SDR, bond-market units, XSU, XUA, XTS (testing) or XXX (no currency).
 */
static const char *const currencies[] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF",
    "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
    "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB",
    "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD",
    "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD",
    "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER",
    "ZAR", "ZMW", "ZWG", "ZWL"};

/* USPS: the states, DC, the territories, the freely associated states, the APO/FPO codes. */
static const char *const us_regions[] = {
    "AA", "AE", "AK", "AL", "AP", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "FM",
    "GA", "GU", "HI", "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MH", "MI",
    "MN", "MO", "MP", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK",
    "OR", "PA", "PR", "PW", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI",
    "WV", "WY"};

/* Canada Post: the provinces and territories. */
static const char *const ca_regions[] = {"AB", "BC", "MB", "NB", "NL", "NS", "NT",
                                         "NU", "ON", "PE", "QC", "SK", "YT"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int cmp_code(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

static int in_table(const char *code, const char *const *table, size_t n)
{
    return code != NULL && bsearch(code, table, n, sizeof(*table), cmp_code) != NULL;
}

int intake_country_known(const char *code)
{
    return in_table(code, countries, NELEM(countries));
}

int intake_currency_known(const char *code)
{
    return in_table(code, currencies, NELEM(currencies));
}

int intake_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 63)
        return 0;
    for (const char *p = id; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return 0;
    }
    return 1;
}

/* ---- the validation context ------------------------------------------------------------ */

typedef struct vctx {
    char *field, *why; /* the caller's buffers: the first malformation (400) */
    size_t fl, wl;
    int impossible;    /* a 422 was found: kept while no 400 turns up */
    char ifield[128], iwhy[256];
    struct {
        json_t *str;
        char val[16];
    } fix[MAX_FIXES];  /* normalisations, applied only when the order is valid */
    size_t nfix;
} vctx;

/* A malformation (400): `prefix`.`name` (either may be empty) and why.  Returns -1. */
__attribute__((format(printf, 4, 5))) static int e400(vctx *c, const char *prefix,
                                                      const char *name, const char *fmt, ...)
{
    snprintf(c->field, c->fl, "%s%s%s", prefix, *prefix && *name ? "." : "", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, c->wl, fmt, ap);
    va_end(ap);
    return INTAKE_MALFORMED;
}

/* A semantic impossibility (422): the first one is kept, validation goes on. */
__attribute__((format(printf, 4, 5))) static void e422(vctx *c, const char *prefix,
                                                       const char *name, const char *fmt, ...)
{
    if (c->impossible)
        return;
    c->impossible = 1;
    snprintf(c->ifield, sizeof(c->ifield), "%s%s%s", prefix, *prefix && *name ? "." : "",
             name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->iwhy, sizeof(c->iwhy), fmt, ap);
    va_end(ap);
}

static void add_fix(vctx *c, json_t *str, const char *val)
{
    if (strcmp(json_string_value(str), val) == 0 || c->nfix == MAX_FIXES)
        return;
    c->fix[c->nfix].str = str;
    snprintf(c->fix[c->nfix].val, sizeof(c->fix[c->nfix].val), "%s", val);
    c->nfix++;
}

/* ---- string helpers -------------------------------------------------------------------- */

size_t intake_chars(const json_t *s)
{
    const unsigned char *p = (const unsigned char *)json_string_value(s);
    size_t n = json_string_length(s), count = 0;
    for (size_t i = 0; i < n; i++)
        count += (p[i] & 0xC0) != 0x80;
    return count;
}

static int has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x20 || b == 0x7f)
            return 1;
    }
    return 0;
}

static int blank(const char *s)
{
    for (; *s; s++) {
        if (*s != ' ')
            return 0;
    }
    return 1;
}

static int is_upper(char ch)
{
    return ch >= 'A' && ch <= 'Z';
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static char to_upper(char ch)
{
    return ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
}

static int upper_code(const char *s, size_t len)
{
    if (s == NULL || strlen(s) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_upper(s[i]))
            return 0;
    }
    return 1;
}

/*
 * A string member of `obj`: absent is fine unless `required`; when present, a string of
 * lo..hi characters (not blank when lo > 0).  *out: the member or NULL.
 */
static int str_member(vctx *c, const json_t *obj, const char *prefix, const char *key,
                      int required, size_t lo, size_t hi, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = v;
    if (v == NULL)
        return required ? e400(c, prefix, key, "is required") : 0;
    if (!json_is_string(v))
        return e400(c, prefix, key, "must be a string");
    size_t n = intake_chars(v);
    if (n < lo || n > hi)
        return lo == 0 ? e400(c, prefix, key, "must be at most %zu characters", hi)
                       : e400(c, prefix, key, "must be %zu to %zu characters", lo, hi);
    if (lo > 0 && blank(json_string_value(v)))
        return e400(c, prefix, key, "must not be blank");
    return 0;
}

static int in_list(const char *const *list, const char *s)
{
    for (; list != NULL && *list != NULL; list++) {
        if (strcmp(*list, s) == 0)
            return 1;
    }
    return 0;
}

/*
 * Members of `obj` outside `allowed` (NULL-terminated): the first one is refused.  One that
 * orderhub writes there itself (`owned`, NULL-terminated, may be NULL) is refused as such,
 * so the submitter learns it can never be set.
 */
static int only_members(vctx *c, const json_t *obj, const char *prefix,
                        const char *const *allowed, const char *const *owned)
{
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (in_list(owned, key))
            return e400(c, prefix, key, "is set by orderhub, not by the submitter");
        if (!in_list(allowed, key))
            return e400(c, prefix, key, "is not a known member");
    }
    return 0;
}

/* ---- field rules ----------------------------------------------------------------------- */

static int check_email(vctx *c, const json_t *obj, const char *prefix)
{
    json_t *v;
    if (str_member(c, obj, prefix, "email", 0, 1, 254, &v) != 0)
        return INTAKE_MALFORMED;
    if (v == NULL)
        return 0;
    const char *s = json_string_value(v), *at = strchr(s, '@');
    const char *why = NULL;
    if (json_string_length(v) > 254)
        why = "must be at most 254 bytes";
    else if (strchr(s, ' ') != NULL)
        why = "must not contain spaces";
    else if (at == NULL || strchr(at + 1, '@') != NULL)
        why = "must contain exactly one @";
    else if (at == s || at - s > 64)
        why = "must have a local part of 1 to 64 characters before the @";
    else if (strchr(at + 1, '.') == NULL || at[1] == '.' || s[strlen(s) - 1] == '.' ||
             strstr(at + 1, "..") != NULL)
        why = "must have a domain with a dot after the @ (like example.com)";
    return why ? e400(c, prefix, "email", "%s", why) : 0;
}

static int check_phone(vctx *c, const json_t *obj, const char *prefix)
{
    json_t *v;
    if (str_member(c, obj, prefix, "phone", 0, 1, 32, &v) != 0)
        return INTAKE_MALFORMED;
    if (v == NULL)
        return 0;
    int digits = 0;
    for (const char *p = json_string_value(v); *p; p++) {
        if (!is_digit(*p) && !strchr(" +-()", *p))
            return e400(c, prefix, "phone", "may hold only digits, spaces, + - ( )");
        digits += is_digit(*p);
    }
    return digits ? 0 : e400(c, prefix, "phone", "must contain a digit");
}

/* Canada: A1A 1A1 (no D F I O Q U; W Z not first), space optional, any case. */
static int postal_ca(const char *s, char *out)
{
    char t[8];
    size_t n = strlen(s), k = 0;
    if (n != 6 && n != 7)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (n == 7 && i == 3) {
            if (s[i] != ' ')
                return 0;
            continue;
        }
        t[k++] = to_upper(s[i]);
    }
    static const char first[] = "ABCEGHJKLMNPRSTVXY";
    for (size_t i = 0; i < 6; i++) {
        if (i % 2 == 1 ? !is_digit(t[i]) : !is_upper(t[i]) || strchr("DFIOQU", t[i]))
            return 0;
    }
    if (!strchr(first, t[0]))
        return 0;
    snprintf(out, 16, "%.3s %.3s", t, t + 3);
    return 1;
}

/*
 * United Kingdom: outward code A9, A99, AA9, AA99, A9A or AA9A, inward code 9AA, or GIR 0AA;
 * the letters each position allows (Royal Mail's rules); one space optional, any case.
 */
static int postal_gb(const char *s, char *out)
{
    char t[8];
    size_t n = strlen(s), k = 0;
    if (n < 5 || n > 8)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' && i == n - 4 && n >= 6)
            continue;
        if (s[i] == ' ' || k == 7)
            return 0;
        t[k++] = to_upper(s[i]);
    }
    t[k] = '\0';
    if (k < 5)
        return 0;
    const char *in = t + k - 3;
    size_t on = k - 3;
    if (strcmp(t, "GIR0AA") != 0) {
        static const char in_letters[] = "ABDEFGHJLNPQRSTUWXYZ";
        if (!is_digit(in[0]) || !is_upper(in[1]) || !is_upper(in[2]) ||
            !strchr(in_letters, in[1]) || !strchr(in_letters, in[2]))
            return 0;
        /* position 1: not Q V X; 2 (a letter): not I J Z */
        if (!is_upper(t[0]) || strchr("QVX", t[0]))
            return 0;
        int l2 = is_upper(t[1]);
        if (l2 && strchr("IJZ", t[1]))
            return 0;
        const char *d = t + 1 + l2; /* the district: 9, 99 or 9A */
        size_t rest = on - 1 - (size_t)l2;
        if (rest < 1 || rest > 2 || !is_digit(d[0]))
            return 0;
        if (rest == 2 && !is_digit(d[1]) &&
            !strchr(l2 ? "ABEHMNPRVWXY" : "ABCDEFGHJKPSTUW", d[1])) /* AA9A, A9A */
            return 0;
    }
    snprintf(out, 16, "%.*s %s", (int)on, t, in);
    return 1;
}

static int digits_only(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return 0;
    }
    return 1;
}

static int postal_us(const char *s)
{
    size_t n = strlen(s);
    return (n == 5 && digits_only(s, 5)) ||
           (n == 10 && digits_only(s, 5) && s[5] == '-' && digits_only(s + 6, 4));
}

static int check_postal(vctx *c, const json_t *addr, const char *prefix, const char *country)
{
    json_t *v;
    if (str_member(c, addr, prefix, "postal_code", 1, 1, 12, &v) != 0)
        return INTAKE_MALFORMED;
    const char *s = json_string_value(v);
    for (const char *p = s; *p; p++) {
        if (!is_digit(*p) && !is_upper(to_upper(*p)) && *p != ' ' && *p != '-')
            return e400(c, prefix, "postal_code", "may hold only A-Z a-z 0-9, space and -");
    }
    char norm[16];
    if (country == NULL)
        return 0;
    if (strcmp(country, "US") == 0 && !postal_us(s))
        e422(c, prefix, "postal_code", "is not a US ZIP code (12345 or 12345-6789)");
    else if (strcmp(country, "DE") == 0 && !(strlen(s) == 5 && digits_only(s, 5)))
        e422(c, prefix, "postal_code", "is not a German postal code (5 digits)");
    else if (strcmp(country, "CA") == 0) {
        if (postal_ca(s, norm))
            add_fix(c, v, norm);
        else
            e422(c, prefix, "postal_code", "is not a Canadian postal code (A1A 1A1)");
    } else if (strcmp(country, "GB") == 0) {
        if (postal_gb(s, norm))
            add_fix(c, v, norm);
        else
            e422(c, prefix, "postal_code", "is not a UK postcode (like SW1A 1AA)");
    }
    return 0;
}

static int check_region(vctx *c, const json_t *addr, const char *prefix, const char *country)
{
    json_t *v;
    if (str_member(c, addr, prefix, "region", 0, 0, 64, &v) != 0)
        return INTAKE_MALFORMED;
    if (v == NULL || country == NULL)
        return 0;
    int us = strcmp(country, "US") == 0, ca = strcmp(country, "CA") == 0;
    if (!us && !ca)
        return 0;
    const char *s = json_string_value(v);
    char code[3] = "";
    if (strlen(s) == 2)
        code[0] = to_upper(s[0]), code[1] = to_upper(s[1]);
    if (us && !in_table(code, us_regions, NELEM(us_regions)))
        e422(c, prefix, "region", "is not a USPS state or territory code (like \"NY\")");
    else if (ca && !in_table(code, ca_regions, NELEM(ca_regions)))
        e422(c, prefix, "region", "is not a Canadian province or territory code (like \"ON\")");
    else
        add_fix(c, v, code);
    return 0;
}

static int check_address(vctx *c, const json_t *addr, const char *prefix)
{
    static const char *const allowed[] = {"name",    "company",     "street1", "street2",
                                          "city",    "region",      "postal_code",
                                          "country", "phone",       "email",   NULL};
    if (!json_is_object(addr))
        return e400(c, prefix, "", "must be an object");
    json_t *v;
    if (only_members(c, addr, prefix, allowed, NULL) != 0 ||
        str_member(c, addr, prefix, "name", 1, 1, 100, &v) != 0 ||
        str_member(c, addr, prefix, "company", 0, 1, 100, &v) != 0 ||
        str_member(c, addr, prefix, "street1", 1, 1, 100, &v) != 0 ||
        str_member(c, addr, prefix, "street2", 0, 1, 100, &v) != 0 ||
        str_member(c, addr, prefix, "city", 1, 1, 64, &v) != 0 ||
        str_member(c, addr, prefix, "country", 1, 2, 2, &v) != 0)
        return INTAKE_MALFORMED;
    const char *country = json_string_value(v);
    if (!upper_code(country, 2))
        return e400(c, prefix, "country", "must be an ISO 3166-1 alpha-2 code like \"US\"");
    if (!intake_country_known(country)) {
        e422(c, prefix, "country", "is not an assigned ISO 3166-1 alpha-2 code");
        country = NULL; /* no country rules for the postal code and region */
    }
    if (check_postal(c, addr, prefix, country) != 0 ||
        check_region(c, addr, prefix, country) != 0 || check_phone(c, addr, prefix) != 0 ||
        check_email(c, addr, prefix) != 0)
        return INTAKE_MALFORMED;
    return 0;
}

static int check_seller(vctx *c, const json_t *seller)
{
    static const char *const allowed[] = {"id", "email", "address", NULL};
    if (seller == NULL)
        return e400(c, "seller", "", "is required");
    if (!json_is_object(seller))
        return e400(c, "seller", "", "must be an object");
    if (only_members(c, seller, "seller", allowed, NULL) != 0)
        return INTAKE_MALFORMED;
    if (!intake_id_ok(json_string_value(json_object_get(seller, "id"))))
        return e400(c, "seller.id", "", "must be 1 to 63 of A-Z a-z 0-9 - _");
    if (check_email(c, seller, "seller") != 0)
        return INTAKE_MALFORMED;
    const json_t *addr = json_object_get(seller, "address");
    return addr == NULL ? 0 : check_address(c, addr, "seller.address");
}

static int check_buyer(vctx *c, const json_t *buyer)
{
    static const char *const allowed[] = {"id", "name", "email", "phone", NULL};
    if (buyer == NULL)
        return 0;
    if (!json_is_object(buyer))
        return e400(c, "buyer", "", "must be an object");
    if (only_members(c, buyer, "buyer", allowed, NULL) != 0)
        return INTAKE_MALFORMED;
    const json_t *id = json_object_get(buyer, "id");
    if (id != NULL && !intake_id_ok(json_string_value(id)))
        return e400(c, "buyer.id", "", "must be 1 to 63 of A-Z a-z 0-9 - _");
    json_t *v;
    if (str_member(c, buyer, "buyer", "name", 0, 1, 100, &v) != 0 ||
        check_email(c, buyer, "buyer") != 0 || check_phone(c, buyer, "buyer") != 0)
        return INTAKE_MALFORMED;
    return 0;
}

/* Items: sum of quantity x unit_price (*over set when it passes the limit). */
/* What a customs declaration needs of an item, when given: HS code, origin, weight. */
static int check_customs_fields(vctx *c, const json_t *it, const char *f)
{
    json_t *v;
    if (str_member(c, it, f, "hs_code", 0, 4, 14, &v) != 0 ||
        str_member(c, it, f, "origin_country", 0, 2, 2, &v) != 0)
        return -1;
    const char *hs = json_string_value(json_object_get(it, "hs_code"));
    for (const char *p = hs; p != NULL && *p; p++) {
        if ((*p < '0' || *p > '9') && *p != '.')
            return e400(c, f, "hs_code", "must be a harmonized system code: digits and dots");
    }
    const char *origin = json_string_value(json_object_get(it, "origin_country"));
    if (origin != NULL && (!upper_code(origin, 2) || !intake_country_known(origin)))
        return e400(c, f, "origin_country", "must be an ISO 3166-1 alpha-2 code like \"CN\"");
    const json_t *w = json_object_get(it, "weight_g");
    if (w != NULL && (!json_is_integer(w) || json_integer_value(w) < 1 ||
                      json_integer_value(w) > 1000000))
        return e400(c, f, "weight_g", "must be an integer from 1 to 1000000");
    return 0;
}

static int check_items(vctx *c, const json_t *items, int64_t *sum, int *over)
{
    static const char *const allowed[] = {"sku",     "quantity",       "unit_price", "name",
                                          "hs_code", "origin_country", "weight_g",   NULL};
    if (!json_is_array(items) || json_array_size(items) == 0)
        return e400(c, "items", "", "must be a non-empty array");
    if (json_array_size(items) > LIMIT_ORDER_ITEMS)
        return e400(c, "items", "", "more than %d lines", LIMIT_ORDER_ITEMS);
    *sum = 0;
    *over = 0;
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it) {
        char f[32];
        snprintf(f, sizeof(f), "items[%zu]", i);
        if (!json_is_object(it))
            return e400(c, f, "", "must be an object");
        if (only_members(c, it, f, allowed, NULL) != 0)
            return INTAKE_MALFORMED;
        json_t *v;
        if (str_member(c, it, f, "sku", 1, 1, 64, &v) != 0 ||
            str_member(c, it, f, "name", 0, 0, 200, &v) != 0)
            return INTAKE_MALFORMED;
        if (check_customs_fields(c, it, f) != 0)
            return INTAKE_MALFORMED;
        const json_t *q = json_object_get(it, "quantity"), *p = json_object_get(it, "unit_price");
        int64_t qv = json_integer_value(q), pv = json_integer_value(p);
        if (!json_is_integer(q) || qv < 1 || qv > 10000)
            return e400(c, f, "quantity", "must be an integer from 1 to 10000");
        if (!json_is_integer(p) || pv < 0 || pv > MAX_AMOUNT)
            return e400(c, f, "unit_price", "must be an integer amount in minor units");
        if (!*over) {
            *sum += qv * pv; /* both bounded, the sum below 1e11 before: no overflow */
            *over = *sum > MAX_AMOUNT;
        }
    }
    if (*over)
        e422(c, "items", "", "order total too large");
    return 0;
}

/*
 * The payment is the buyer's token and nothing else.  What the gateways answer (the
 * authorization's transaction id, the instance that holds it, ...) is recorded next to it
 * by the engine, and a cancel or refund sends that transaction id back to the gateway:
 * accepting one here would let a storefront void or refund another's authorization.
 */
static int check_payment(vctx *c, const json_t *payment)
{
    static const char *const allowed[] = {"token", NULL};
    static const char *const owned[] = {"instance", "status",       "transaction_id",
                                        "amount",   "currency",     "code",
                                        "decline_code", "message",  NULL};
    if (payment == NULL)
        return e400(c, "payment", "", "is required");
    if (!json_is_object(payment))
        return e400(c, "payment", "", "must be an object");
    json_t *v;
    if (only_members(c, payment, "payment", allowed, owned) != 0 ||
        str_member(c, payment, "payment", "token", 1, 1, LIMIT_PAYMENT_TOKEN, &v) != 0)
        return INTAKE_MALFORMED;
    return 0;
}

static int check_metadata(vctx *c, const json_t *md)
{
    if (md == NULL)
        return 0;
    if (!json_is_object(md))
        return e400(c, "metadata", "", "must be an object");
    if (json_object_size(md) > LIMIT_ORDER_METADATA)
        return e400(c, "metadata", "", "more than %d members", LIMIT_ORDER_METADATA);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)md, key, v) {
        size_t n = strlen(key);
        int ok = n >= 1 && n <= LIMIT_METADATA_NAME;
        for (const char *p = key; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || is_digit(*p) || *p == '_';
        if (!ok)
            return e400(c, "metadata", key, "member names must be 1 to %d of a-z 0-9 _",
                        LIMIT_METADATA_NAME);
        if (!json_is_string(v))
            return e400(c, "metadata", key, "must be a string");
        if (intake_chars(v) > LIMIT_METADATA_VALUE)
            return e400(c, "metadata", key, "must be at most %d characters",
                        LIMIT_METADATA_VALUE);
    }
    return 0;
}

/*
 * No control character in any string or member name: `path` (of `cap` bytes) holds the
 * location of `j`, extended in place while descending.
 */
/* Whether any string or member name holds a control character: the cheap pass, with no
 * path built (walk_controls names the field only when there is one to name). */
static int any_control(const json_t *j)
{
    if (json_is_string(j))
        return has_control(json_string_value(j), json_string_length(j));
    size_t i;
    const json_t *v;
    if (json_is_array(j)) {
        json_array_foreach(j, i, v) {
            if (any_control(v))
                return 1;
        }
        return 0;
    }
    const char *key;
#if JANSSON_VERSION_HEX >= 0x020e00
    size_t klen; /* a member name may hold a NUL: strlen would stop at it */
    json_object_keylen_foreach((json_t *)j, key, klen, v) {
#else
    json_object_foreach((json_t *)j, key, v) {
        size_t klen = strlen(key);
#endif
        if (has_control(key, klen) || any_control(v))
            return 1;
    }
    return 0;
}

static int walk_controls(vctx *c, const json_t *j, char *path, size_t cap)
{
    size_t len = strlen(path);
    if (json_is_string(j)) {
        if (has_control(json_string_value(j), json_string_length(j)))
            return e400(c, path, "", "must not contain control characters");
    } else if (json_is_array(j)) {
        size_t i;
        const json_t *v;
        json_array_foreach(j, i, v) {
            snprintf(path + len, cap - len, "[%zu]", i);
            if (walk_controls(c, v, path, cap) != 0)
                return INTAKE_MALFORMED;
        }
    } else if (json_is_object(j)) {
        const char *key;
        const json_t *v;
#if JANSSON_VERSION_HEX >= 0x020e00
        size_t klen;
        json_object_keylen_foreach((json_t *)j, key, klen, v) {
#else
        json_object_foreach((json_t *)j, key, v) {
            size_t klen = strlen(key);
#endif
            path[len] = '\0';
            if (has_control(key, klen))
                return e400(c, path, "", "has a member name with a control character");
            snprintf(path + len, cap - len, "%s%s", len ? "." : "", key);
            if (walk_controls(c, v, path, cap) != 0)
                return INTAKE_MALFORMED;
        }
    }
    path[len] = '\0';
    return 0;
}

static int new_id(char *id, size_t len)
{
    unsigned char r[8];
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
        return -1;
    snprintf(id, len, "ord_%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4],
             r[5], r[6], r[7]);
    return 0;
}

static int check_order(vctx *c, json_t *order, int64_t *sum)
{
    static const char *const allowed[] = {
        "id",      "seller",        "buyer",       "items",    "currency", "total",
        "shipping_address", "payment", "service_level", "description", "metadata", NULL};
    /* orderhub keeps its own bookkeeping under these names. */
    static const char *const reserved[] = {"state",        "_engine",   "created_by",
                                           "acknowledged", "returns",   "disputes",
                                           "shipment",     "fulfillment", "quotes",
                                           "cancellation", "rejection", NULL};
    static const char *const levels[] = {"economy", "standard", "express", "overnight", NULL};
    if (!json_is_object(order))
        return e400(c, "", "", "the body must be a JSON object");
    char path[256] = "";
    if (any_control(order) && walk_controls(c, order, path, sizeof(path)) != 0)
        return INTAKE_MALFORMED;
    for (size_t i = 0; reserved[i] != NULL; i++) {
        if (json_object_get(order, reserved[i]) != NULL)
            return e400(c, reserved[i], "", "is set by orderhub, not by the submitter");
    }
    if (only_members(c, order, "", allowed, NULL) != 0)
        return INTAKE_MALFORMED;
    const json_t *id = json_object_get(order, "id");
    if (id != NULL && !intake_id_ok(json_string_value(id)))
        return e400(c, "id", "", "must be 1 to 63 of A-Z a-z 0-9 - _");
    if (check_seller(c, json_object_get(order, "seller")) != 0 ||
        check_buyer(c, json_object_get(order, "buyer")) != 0)
        return INTAKE_MALFORMED;
    const char *currency = json_string_value(json_object_get(order, "currency"));
    if (!upper_code(currency, 3))
        return e400(c, "currency", "", "must be an ISO 4217 code like \"USD\"");
    if (!intake_currency_known(currency))
        e422(c, "currency", "", "is not an ISO 4217 currency code in use");
    int over = 0;
    if (check_items(c, json_object_get(order, "items"), sum, &over) != 0)
        return INTAKE_MALFORMED;
    const json_t *total = json_object_get(order, "total");
    if (total != NULL && !json_is_integer(total))
        return e400(c, "total", "", "must be an integer amount in minor units");
    if (total != NULL && !over && json_integer_value(total) != *sum)
        e422(c, "total", "", "must equal the sum of the items' quantity x unit_price (minor "
             "units): %lld", (long long)*sum);
    if (check_payment(c, json_object_get(order, "payment")) != 0)
        return INTAKE_MALFORMED;
    json_t *v;
    const json_t *addr = json_object_get(order, "shipping_address");
    if (addr == NULL)
        return e400(c, "shipping_address", "", "is required");
    if (check_address(c, addr, "shipping_address") != 0)
        return INTAKE_MALFORMED;
    const char *level = json_string_value(json_object_get(order, "service_level"));
    size_t i = 0;
    while (level != NULL && levels[i] != NULL && strcmp(levels[i], level) != 0)
        i++;
    if (json_object_get(order, "service_level") != NULL && (level == NULL || levels[i] == NULL))
        return e400(c, "service_level", "", "must be economy, standard, express or overnight");
    if (str_member(c, order, "", "description", 0, 0, LIMIT_DESCRIPTION, &v) != 0 ||
        check_metadata(c, json_object_get(order, "metadata")) != 0)
        return INTAKE_MALFORMED;
    return 0;
}

int intake_validate(json_t *order, char *field, size_t fl, char *why, size_t wl)
{
    vctx c = {.field = field, .fl = fl, .why = why, .wl = wl};
    int64_t sum = 0;
    if (check_order(&c, order, &sum) != 0)
        return INTAKE_MALFORMED;
    if (c.impossible) {
        snprintf(field, fl, "%s", c.ifield);
        snprintf(why, wl, "%s", c.iwhy);
        return INTAKE_IMPOSSIBLE;
    }
    char id[32];
    if (json_object_get(order, "id") == NULL &&
        (new_id(id, sizeof(id)) != 0 ||
         json_object_set_new(order, "id", json_string(id)) != 0))
        return e400(&c, "id", "", "could not generate an id");
    for (size_t i = 0; i < c.nfix; i++)
        json_string_set(c.fix[i].str, c.fix[i].val);
    if (json_object_get(order, "total") == NULL)
        json_object_set_new(order, "total", json_integer(sum));
    if (json_object_get(order, "service_level") == NULL)
        json_object_set_new(order, "service_level", json_string("standard"));
    return INTAKE_OK;
}
