/*
 * intake_address - the rules of an address and its parts: e-mail, phone, postal codes by
 * country (US, CA, GB, DE), regions by country (US, CA), normalised to one spelling.
 */
#include "config.h"

#include "intake_address.h"

#include "intake_codes.h"
#include "intake_context.h"

#include <stdio.h>
#include <string.h>

int iv_check_email(vctx *c, const json_t *obj, const char *prefix)
{
    json_t *v;
    if (iv_str_member(c, obj, prefix, "email", 0, 1, 254, &v) != 0)
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
    return why ? iv_e400(c, prefix, "email", "%s", why) : 0;
}

int iv_check_phone(vctx *c, const json_t *obj, const char *prefix)
{
    json_t *v;
    if (iv_str_member(c, obj, prefix, "phone", 0, 1, 32, &v) != 0)
        return INTAKE_MALFORMED;
    if (v == NULL)
        return 0;
    int digits = 0;
    for (const char *p = json_string_value(v); *p; p++) {
        if (!iv_is_digit(*p) && !strchr(" +-()", *p))
            return iv_e400(c, prefix, "phone", "may hold only digits, spaces, + - ( )");
        digits += iv_is_digit(*p);
    }
    return digits ? 0 : iv_e400(c, prefix, "phone", "must contain a digit");
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
        t[k++] = iv_to_upper(s[i]);
    }
    static const char first[] = "ABCEGHJKLMNPRSTVXY";
    for (size_t i = 0; i < 6; i++) {
        if (i % 2 == 1 ? !iv_is_digit(t[i]) : !iv_is_upper(t[i]) || strchr("DFIOQU", t[i]))
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
        t[k++] = iv_to_upper(s[i]);
    }
    t[k] = '\0';
    if (k < 5)
        return 0;
    const char *in = t + k - 3;
    size_t on = k - 3;
    if (strcmp(t, "GIR0AA") != 0) {
        static const char in_letters[] = "ABDEFGHJLNPQRSTUWXYZ";
        if (!iv_is_digit(in[0]) || !iv_is_upper(in[1]) || !iv_is_upper(in[2]) ||
            !strchr(in_letters, in[1]) || !strchr(in_letters, in[2]))
            return 0;
        /* position 1: not Q V X; 2 (a letter): not I J Z */
        if (!iv_is_upper(t[0]) || strchr("QVX", t[0]))
            return 0;
        int l2 = iv_is_upper(t[1]);
        if (l2 && strchr("IJZ", t[1]))
            return 0;
        const char *d = t + 1 + l2; /* the district: 9, 99 or 9A */
        size_t rest = on - 1 - (size_t)l2;
        if (rest < 1 || rest > 2 || !iv_is_digit(d[0]))
            return 0;
        if (rest == 2 && !iv_is_digit(d[1]) &&
            !strchr(l2 ? "ABEHMNPRVWXY" : "ABCDEFGHJKPSTUW", d[1])) /* AA9A, A9A */
            return 0;
    }
    snprintf(out, 16, "%.*s %s", (int)on, t, in);
    return 1;
}

static int digits_only(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!iv_is_digit(s[i]))
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
    if (iv_str_member(c, addr, prefix, "postal_code", 1, 1, 12, &v) != 0)
        return INTAKE_MALFORMED;
    const char *s = json_string_value(v);
    for (const char *p = s; *p; p++) {
        if (!iv_is_digit(*p) && !iv_is_upper(iv_to_upper(*p)) && *p != ' ' && *p != '-')
            return iv_e400(c, prefix, "postal_code", "may hold only A-Z a-z 0-9, space and -");
    }
    char norm[16];
    if (country == NULL)
        return 0;
    if (strcmp(country, "US") == 0 && !postal_us(s))
        iv_e422(c, prefix, "postal_code", "is not a US ZIP code (12345 or 12345-6789)");
    else if (strcmp(country, "DE") == 0 && !(strlen(s) == 5 && digits_only(s, 5)))
        iv_e422(c, prefix, "postal_code", "is not a German postal code (5 digits)");
    else if (strcmp(country, "CA") == 0) {
        if (postal_ca(s, norm))
            iv_add_fix(c, v, norm);
        else
            iv_e422(c, prefix, "postal_code", "is not a Canadian postal code (A1A 1A1)");
    } else if (strcmp(country, "GB") == 0) {
        if (postal_gb(s, norm))
            iv_add_fix(c, v, norm);
        else
            iv_e422(c, prefix, "postal_code", "is not a UK postcode (like SW1A 1AA)");
    }
    return 0;
}

static int check_region(vctx *c, const json_t *addr, const char *prefix, const char *country)
{
    json_t *v;
    if (iv_str_member(c, addr, prefix, "region", 0, 0, 64, &v) != 0)
        return INTAKE_MALFORMED;
    if (v == NULL || country == NULL)
        return 0;
    int us = strcmp(country, "US") == 0, ca = strcmp(country, "CA") == 0;
    if (!us && !ca)
        return 0;
    const char *s = json_string_value(v);
    char code[3] = "";
    if (strlen(s) == 2)
        code[0] = iv_to_upper(s[0]), code[1] = iv_to_upper(s[1]);
    if (us && !iv_us_region_known(code))
        iv_e422(c, prefix, "region", "is not a USPS state or territory code (like \"NY\")");
    else if (ca && !iv_ca_region_known(code))
        iv_e422(c, prefix, "region", "is not a Canadian province or territory code (like \"ON\")");
    else
        iv_add_fix(c, v, code);
    return 0;
}

int iv_check_address(vctx *c, const json_t *addr, const char *prefix)
{
    static const char *const allowed[] = {"name",    "company",     "street1", "street2",
                                          "city",    "region",      "postal_code",
                                          "country", "phone",       "email",   NULL};
    if (!json_is_object(addr))
        return iv_e400(c, prefix, "", "must be an object");
    json_t *v;
    if (iv_only_members(c, addr, prefix, allowed, NULL) != 0 ||
        iv_str_member(c, addr, prefix, "name", 1, 1, 100, &v) != 0 ||
        iv_str_member(c, addr, prefix, "company", 0, 1, 100, &v) != 0 ||
        iv_str_member(c, addr, prefix, "street1", 1, 1, 100, &v) != 0 ||
        iv_str_member(c, addr, prefix, "street2", 0, 1, 100, &v) != 0 ||
        iv_str_member(c, addr, prefix, "city", 1, 1, 64, &v) != 0 ||
        iv_str_member(c, addr, prefix, "country", 1, 2, 2, &v) != 0)
        return INTAKE_MALFORMED;
    const char *country = json_string_value(v);
    if (!iv_upper_code(country, 2))
        return iv_e400(c, prefix, "country", "must be an ISO 3166-1 alpha-2 code like \"US\"");
    if (!intake_country_known(country)) {
        iv_e422(c, prefix, "country", "is not an assigned ISO 3166-1 alpha-2 code");
        country = NULL; /* no country rules for the postal code and region */
    }
    if (check_postal(c, addr, prefix, country) != 0 ||
        check_region(c, addr, prefix, country) != 0 || iv_check_phone(c, addr, prefix) != 0 ||
        iv_check_email(c, addr, prefix) != 0)
        return INTAKE_MALFORMED;
    return 0;
}
