/*
 * dhl_status - see dhl_status.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "dhl_status.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* The documented statusCode enum (DHL Unified Tracking OpenAPI, "statusCode"). */
static const struct {
    const char *code;
    oh_track_status status;
} codes[] = {
    {"pre-transit", OH_TRACK_INFO_RECEIVED}, /* data received, parcel not handed over */
    {"transit", OH_TRACK_IN_TRANSIT},
    {"delivered", OH_TRACK_DELIVERED},
    {"failure", OH_TRACK_EXCEPTION},
    {"unknown", OH_TRACK_UNKNOWN},
};

/*
 * Phrases DHL's divisions use for the last mile (Express "With delivery courier", Parcel
 * Germany "loaded onto the delivery vehicle").  UNVERIFIED against a DHL list: none is
 * published.  English only: the request asks for language=en.
 */
static const char *const out_for_delivery[] = {
    "out for delivery", "with delivery courier", "onto the delivery vehicle",
    "on the delivery vehicle"};

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay != NULL && *hay != '\0'; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    }
    return 0;
}

oh_track_status dhl_event_status(const char *code, const char *status,
                                 const char *description)
{
    oh_track_status st = OH_TRACK_UNKNOWN;
    for (size_t i = 0; code != NULL && i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strcmp(codes[i].code, code) == 0)
            st = codes[i].status;
    }
    if (st == OH_TRACK_IN_TRANSIT) {
        for (size_t i = 0; i < sizeof(out_for_delivery) / sizeof(out_for_delivery[0]); i++) {
            if (contains_nocase(status, out_for_delivery[i]) ||
                contains_nocase(description, out_for_delivery[i]))
                return OH_TRACK_OUT_FOR_DELIVERY;
        }
    }
    return st;
}

/* ---- addressLocality ------------------------------------------------------------------ */

#define MAX_PARTS 8

typedef struct part {
    const char *p;
    size_t len;
} part;

/* Comma-separated, blanks trimmed, empty parts dropped. */
static size_t split(const char *s, part *parts)
{
    size_t n = 0;
    while (*s != '\0' && n < MAX_PARTS) {
        const char *end = strchr(s, ',');
        if (end == NULL)
            end = s + strlen(s);
        const char *a = s, *b = end;
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (b > a)
            parts[n++] = (part){a, (size_t)(b - a)};
        s = *end ? end + 1 : end;
    }
    return n;
}

static int has_digit(part x)
{
    for (size_t i = 0; i < x.len; i++) {
        if (isdigit((unsigned char)x.p[i]))
            return 1;
    }
    return 0;
}

/* "OH", "NSW": a short upper-case code, as a region or a country is written. */
static int is_code(part x)
{
    if (x.len < 2 || x.len > 3)
        return 0;
    for (size_t i = 0; i < x.len; i++) {
        if (!isupper((unsigned char)x.p[i]))
            return 0;
    }
    return 1;
}

static void put(char *dst, size_t cap, part x)
{
    size_t n = x.len < cap - 1 ? x.len : cap - 1;
    memcpy(dst, x.p, n);
    dst[n] = '\0';
}

/*
 * The rule (README.md "Locations"): the city is the first part without a digit (a part with
 * one is a street or a postal code); a short upper-case code right after the city is the
 * region unless it is the last part and equals the country code ("HONG KONG, HK"); other
 * parts (a country name, "Germany") are dropped, since countryCode says it better, and so is
 * a " - COUNTRY" tail inside the city part.  No part
 * without a digit: the whole text is the city, as sent.
 */
void dhl_locality(const char *locality, const char *country, oh_location *out)
{
    part parts[MAX_PARTS];
    if (locality == NULL || locality[0] == '\0')
        return;
    size_t n = split(locality, parts), city = n;
    for (size_t i = 0; i < n && city == n; i++) {
        if (!has_digit(parts[i]))
            city = i;
    }
    if (city == n) {
        snprintf(out->city, sizeof(out->city), "%s", locality);
        return;
    }
    part c = parts[city];
    for (size_t i = 0; i + 3 <= c.len; i++) {
        if (memcmp(c.p + i, " - ", 3) == 0) { /* "LEIPZIG - GERMANY": city - country */
            c.len = i;
            break;
        }
    }
    put(out->city, sizeof(out->city), c);
    if (city + 1 < n && is_code(parts[city + 1])) {
        part r = parts[city + 1];
        int last = city + 2 == n;
        int is_country = country != NULL && strlen(country) == r.len &&
                         strncasecmp(country, r.p, r.len) == 0;
        if (!(last && is_country))
            put(out->region, sizeof(out->region), r);
    }
}
