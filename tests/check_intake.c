/*
 * check_intake - order validation (POST /v1/orders): a valid sample, then one invalid variant
 * per rule, each naming the field expected in the error and its class (-1: 400 malformed,
 * -2: 422 semantically impossible); normalisations; the code tables; the sample orders that
 * ship with orderhub and its tests.
 */
#include "config.h"

#include "api/intake.h"
#include "api/intake_codes.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OK INTAKE_OK
#define E400 INTAKE_MALFORMED
#define E422 INTAKE_IMPOSSIBLE

static const char sample_text[] =
    "{\"id\": \"ord-t-1\","
    " \"seller\": {\"id\": \"s-1\", \"email\": \"orders@acme.example\","
    "   \"address\": {\"name\": \"ACME Mugs\", \"street1\": \"200 Kiln Way\","
    "     \"city\": \"Columbus\", \"region\": \"OH\", \"postal_code\": \"43215\","
    "     \"country\": \"US\"}},"
    " \"buyer\": {\"id\": \"b-1\", \"name\": \"Ada Lovelace\", \"email\": \"ada@example.test\","
    "   \"phone\": \"+1 (555) 010-4242\"},"
    " \"items\": [{\"sku\": \"MUG-1\", \"quantity\": 2, \"unit_price\": 1450,"
    "              \"name\": \"Blue mug\"},"
    "            {\"sku\": \"COASTER\", \"quantity\": 1, \"unit_price\": 899}],"
    " \"currency\": \"USD\", \"total\": 3799,"
    " \"shipping_address\": {\"name\": \"Ada Lovelace\", \"street1\": \"12 Analytical Row\","
    "   \"street2\": \"Apt 3\", \"city\": \"Springfield\", \"region\": \"IL\","
    "   \"postal_code\": \"62701\", \"country\": \"US\", \"phone\": \"555-0100\"},"
    " \"payment\": {\"token\": \"tok_visa_4242\"},"
    " \"service_level\": \"express\","
    " \"description\": \"Two mugs and a coaster\","
    " \"metadata\": {\"cart_id\": \"c-991\", \"channel\": \"web\"}}";

static json_t *sample(void)
{
    json_error_t je;
    json_t *o = json_loads(sample_text, 0, &je);
    ck_assert_msg(o != NULL, "sample: %s", je.text);
    return o;
}

/*
 * The member at `path` ("a.b", "items[1].name") of `root`: its parent object, with the last
 * member's name copied to `key`.
 */
static json_t *parent_of(json_t *root, const char *path, char *key, size_t keylen)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *cur = root;
    char *seg = buf, *dot;
    while ((dot = strchr(seg, '.')) != NULL) {
        *dot = '\0';
        char *br = strchr(seg, '[');
        if (br != NULL) {
            *br = '\0';
            cur = json_array_get(json_object_get(cur, seg), strtoul(br + 1, NULL, 10));
        } else {
            cur = json_object_get(cur, seg);
        }
        ck_assert_msg(json_is_object(cur), "test bug: no object at %s in %s", seg, path);
        seg = dot + 1;
    }
    snprintf(key, keylen, "%s", seg);
    return cur;
}

/* The sample with `path` set to `value` (stolen), or removed when value is NULL. */
static json_t *with_value(const char *path, json_t *value)
{
    json_t *o = sample();
    char key[128];
    json_t *parent = parent_of(o, path, key, sizeof(key));
    if (value == NULL)
        json_object_del(parent, key);
    else
        json_object_set_new(parent, key, value);
    return o;
}

/* The sample with `path` set to the JSON text `json` (NULL: removed). */
static json_t *with(const char *path, const char *json)
{
    json_t *v = NULL;
    if (json != NULL) {
        json_error_t je;
        v = json_loads(json, JSON_DECODE_ANY, &je);
        ck_assert_msg(v != NULL, "test bug: %s: %s", json, je.text);
    }
    return with_value(path, v);
}

/* A string of n copies of `unit` (as a JSON string value). */
static json_t *repeat(const char *unit, size_t n)
{
    size_t ul = strlen(unit);
    char *s = malloc(ul * n + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    s[ul * n] = '\0';
    json_t *j = json_string(s);
    free(s);
    return j;
}

/* Validate `o` (consumed) and check the class and the named field. */
#define EXPECT(o, rc, fld) expect_at(__LINE__, (o), (rc), (fld))
static void expect_at(int line, json_t *o, int rc, const char *fld)
{
    char field[64] = "", why[256] = "";
    int got = intake_validate(o, field, sizeof(field), why, sizeof(why));
    ck_assert_msg(got == rc && strcmp(field, fld) == 0,
                  "line %d: expected %d at \"%s\", got %d at \"%s\" (%s)", line, rc, fld, got,
                  field, why);
    if (rc != OK)
        ck_assert_msg(why[0] != '\0', "line %d: no reason given", line);
    json_decref(o);
}

/* Validate and return the (normalised) string at `path` afterwards (static buffer). */
static const char *after(json_t *o, const char *path)
{
    static char out[128];
    char field[64] = "", why[256] = "", key[128];
    int rc = intake_validate(o, field, sizeof(field), why, sizeof(why));
    ck_assert_msg(rc == OK, "refused: %d %s %s", rc, field, why);
    snprintf(out, sizeof(out), "%s", json_string_value(json_object_get(parent_of(o, path, key,
                                                                                 sizeof(key)),
                                                                       key)));
    json_decref(o);
    return out;
}

/* ---- the valid sample, defaults -------------------------------------------------------- */

START_TEST(valid_sample)
{
    EXPECT(sample(), OK, "");
    json_t *o = sample();
    char field[64], why[256];
    ck_assert_int_eq(intake_validate(o, field, sizeof(field), why, sizeof(why)), OK);
    ck_assert_str_eq(json_string_value(json_object_get(o, "service_level")), "express");
    ck_assert_int_eq(json_integer_value(json_object_get(o, "total")), 3799);
    json_decref(o);
}
END_TEST

START_TEST(defaults_filled_in)
{
    json_t *o = sample();
    json_object_del(o, "id");
    json_object_del(o, "total");
    json_object_del(o, "service_level");
    json_object_del(o, "buyer");
    json_object_del(o, "description");
    json_object_del(o, "metadata");
    json_object_del(json_object_get(o, "seller"), "address");
    json_object_del(json_object_get(o, "seller"), "email");
    char field[64], why[256];
    ck_assert_int_eq(intake_validate(o, field, sizeof(field), why, sizeof(why)), OK);
    const char *id = json_string_value(json_object_get(o, "id"));
    ck_assert_ptr_nonnull(id);
    ck_assert_int_eq(strlen(id), 20);
    ck_assert(strncmp(id, "ord_", 4) == 0 && intake_id_ok(id));
    ck_assert_int_eq(json_integer_value(json_object_get(o, "total")), 3799);
    ck_assert_str_eq(json_string_value(json_object_get(o, "service_level")), "standard");
    json_decref(o);
}
END_TEST

/* ---- the rules -------------------------------------------------------------------------- */

START_TEST(body_and_id)
{
    EXPECT(json_array(), E400, "");
    EXPECT(with("id", "\"bad id!\""), E400, "id");
    EXPECT(with("id", "42"), E400, "id");
    EXPECT(with_value("id", repeat("a", 64)), E400, "id");
    EXPECT(with_value("id", repeat("a", 63)), OK, "");
}
END_TEST

START_TEST(shipping_address_required_and_complete)
{
    EXPECT(with("shipping_address", NULL), E400, "shipping_address");
    EXPECT(with("shipping_address", "\"12 Analytical Row\""), E400, "shipping_address");
    EXPECT(with("shipping_address", "null"), E400, "shipping_address");
    EXPECT(with("shipping_address.name", NULL), E400, "shipping_address.name");
    EXPECT(with("shipping_address.street1", NULL), E400, "shipping_address.street1");
    EXPECT(with("shipping_address.city", NULL), E400, "shipping_address.city");
    EXPECT(with("shipping_address.postal_code", NULL), E400, "shipping_address.postal_code");
    EXPECT(with("shipping_address.country", NULL), E400, "shipping_address.country");
    EXPECT(with("shipping_address.name", "42"), E400, "shipping_address.name");
    EXPECT(with("shipping_address.street2", "null"), E400, "shipping_address.street2");
    /* optional members may be absent */
    EXPECT(with("shipping_address.street2", NULL), OK, "");
    EXPECT(with("shipping_address.region", NULL), OK, "");
    EXPECT(with("shipping_address.phone", NULL), OK, "");
    EXPECT(with("shipping_address.company", "\"Analytical Engines Ltd\""), OK, "");
}
END_TEST

START_TEST(address_unknown_member)
{
    EXPECT(with("shipping_address.zip", "\"62701\""), E400, "shipping_address.zip");
    EXPECT(with("shipping_address.stret2", "\"Apt 3\""), E400, "shipping_address.stret2");
}
END_TEST

START_TEST(address_string_lengths)
{
    EXPECT(with("shipping_address.name", "\"\""), E400, "shipping_address.name");
    EXPECT(with("shipping_address.name", "\"   \""), E400, "shipping_address.name");
    EXPECT(with_value("shipping_address.name", repeat("x", 100)), OK, "");
    EXPECT(with_value("shipping_address.name", repeat("x", 101)), E400, "shipping_address.name");
    /* characters, not bytes */
    EXPECT(with_value("shipping_address.name", repeat("\xc3\xa9", 100)), OK, "");
    EXPECT(with_value("shipping_address.name", repeat("\xc3\xa9", 101)), E400,
           "shipping_address.name");
    EXPECT(with_value("shipping_address.street1", repeat("x", 100)), OK, "");
    EXPECT(with_value("shipping_address.street1", repeat("x", 101)), E400,
           "shipping_address.street1");
    EXPECT(with("shipping_address.street2", "\"\""), E400, "shipping_address.street2");
    EXPECT(with_value("shipping_address.street2", repeat("x", 101)), E400,
           "shipping_address.street2");
    EXPECT(with_value("shipping_address.city", repeat("x", 64)), OK, "");
    EXPECT(with_value("shipping_address.city", repeat("x", 65)), E400, "shipping_address.city");
    EXPECT(with("shipping_address.city", "\"\""), E400, "shipping_address.city");
    EXPECT(with_value("shipping_address.company", repeat("x", 101)), E400,
           "shipping_address.company");
    json_t *o = with("shipping_address.country", "\"FR\"");
    json_object_set_new(json_object_get(o, "shipping_address"), "postal_code",
                        json_string("75008"));
    json_object_set_new(json_object_get(o, "shipping_address"), "region", repeat("x", 64));
    EXPECT(o, OK, "");
    o = with("shipping_address.country", "\"FR\"");
    json_object_set_new(json_object_get(o, "shipping_address"), "postal_code",
                        json_string("75008"));
    json_object_set_new(json_object_get(o, "shipping_address"), "region", repeat("x", 65));
    EXPECT(o, E400, "shipping_address.region");
}
END_TEST

START_TEST(phone)
{
    EXPECT(with("shipping_address.phone", "\"+44 (20) 7946-0958\""), OK, "");
    EXPECT(with("shipping_address.phone", "\"555-CALL-NOW\""), E400, "shipping_address.phone");
    EXPECT(with("shipping_address.phone", "\"555.0100\""), E400, "shipping_address.phone");
    EXPECT(with("shipping_address.phone", "\"()\""), E400, "shipping_address.phone");
    EXPECT(with("shipping_address.phone", "\"\""), E400, "shipping_address.phone");
    EXPECT(with("shipping_address.phone", "5550100"), E400, "shipping_address.phone");
    EXPECT(with_value("shipping_address.phone", repeat("5", 32)), OK, "");
    EXPECT(with_value("shipping_address.phone", repeat("5", 33)), E400, "shipping_address.phone");
    EXPECT(with("buyer.phone", "\"call me\""), E400, "buyer.phone");
}
END_TEST

START_TEST(country)
{
    EXPECT(with("shipping_address.country", "\"us\""), E400, "shipping_address.country");
    EXPECT(with("shipping_address.country", "\"USA\""), E400, "shipping_address.country");
    EXPECT(with("shipping_address.country", "840"), E400, "shipping_address.country");
    /* well-formed but not assigned: 422 */
    EXPECT(with("shipping_address.country", "\"ZZ\""), E422, "shipping_address.country");
    EXPECT(with("shipping_address.country", "\"UK\""), E422, "shipping_address.country");
    EXPECT(with("shipping_address.country", "\"XK\""), E422, "shipping_address.country");
}
END_TEST

START_TEST(control_characters)
{
    EXPECT(with("shipping_address.street1", "\"12\\tAnalytical Row\""), E400,
           "shipping_address.street1");
    EXPECT(with("shipping_address.name", "\"Ada\\u007f\""), E400, "shipping_address.name");
    EXPECT(with("buyer.name", "\"Ada\\nLovelace\""), E400, "buyer.name");
    EXPECT(with("items[1].sku", "\"COASTER\\u0001\""), E400, "items[1].sku");
    EXPECT(with("description", "\"line one\\r\\nline two\""), E400, "description");
    EXPECT(with("metadata.note", "\"\\u001b[31m\""), E400, "metadata.note");
    EXPECT(with("payment.token", "\"tok\\bx\""), E400, "payment.token");
    EXPECT(with_value("seller.email", json_stringn("a\0b@example.com", 15)), E400, "seller.email");
    /* a member name with a control character names its parent */
    EXPECT(with("shipping_address.x\ty", "\"1\""), E400, "shipping_address");
    json_t *o = sample();
    json_object_setn_new(o, "ab\0c", 4, json_string("x"));
    EXPECT(o, E400, "");
    /* other characters are fine */
    EXPECT(with("shipping_address.street1", "\"Stra\\u00dfe 12 \\u2014 Hof\""), OK, "");
}
END_TEST

START_TEST(postal_code_generic)
{
    EXPECT(with("shipping_address.postal_code", "\"\""), E400, "shipping_address.postal_code");
    EXPECT(with("shipping_address.postal_code", "\"   \""), E400, "shipping_address.postal_code");
    EXPECT(with("shipping_address.postal_code", "62701"), E400, "shipping_address.postal_code");
    EXPECT(with("shipping_address.postal_code", "\"#62701\""), E400,
           "shipping_address.postal_code");
    EXPECT(with_value("shipping_address.postal_code", repeat("1", 13)), E400,
           "shipping_address.postal_code");
    /* other countries: 1..12 of A-Z a-z 0-9 space - */
    static const char *const ok[][2] = {
        {"FR", "75008"}, {"JP", "100-0001"}, {"NL", "1012 jS"}, {"IE", "D02 X285"},
        {"BR", "01310-100"}, {"SE", "114 55"}, {"AQ", "1"}};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        json_t *o = with_value("shipping_address.country", json_string(ok[i][0]));
        json_t *a = json_object_get(o, "shipping_address");
        json_object_set_new(a, "postal_code", json_string(ok[i][1]));
        json_object_del(a, "region");
        EXPECT(o, OK, "");
    }
    /* the generic rule is not a country rule: an unassigned country is the error */
    json_t *o = with("shipping_address.country", "\"ZZ\"");
    json_object_set_new(json_object_get(o, "shipping_address"), "postal_code",
                        json_string("anything-9"));
    EXPECT(o, E422, "shipping_address.country");
}
END_TEST

/* An address in country `cc` with `postal`, no region. */
static json_t *addr_in(const char *cc, const char *postal)
{
    json_t *o = with_value("shipping_address.country", json_string(cc));
    json_t *a = json_object_get(o, "shipping_address");
    json_object_set_new(a, "postal_code", json_string(postal));
    json_object_del(a, "region");
    return o;
}

START_TEST(postal_code_us)
{
    EXPECT(addr_in("US", "62701"), OK, "");
    EXPECT(addr_in("US", "62701-1234"), OK, "");
    static const char *const bad[] = {"6270",  "627011",      "62701-123", "62701-12345",
                                      "6270A", "62701 1234", "62701-",    "ABCDE",
                                      "-62701"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        EXPECT(addr_in("US", bad[i]), E422, "shipping_address.postal_code");
    EXPECT(with("seller.address.postal_code", "\"4321\""), E422, "seller.address.postal_code");
}
END_TEST

START_TEST(postal_code_ca)
{
    ck_assert_str_eq(after(addr_in("CA", "K1A 0B1"), "shipping_address.postal_code"),
                     "K1A 0B1");
    ck_assert_str_eq(after(addr_in("CA", "k1a0b1"), "shipping_address.postal_code"),
                     "K1A 0B1");
    ck_assert_str_eq(after(addr_in("CA", "h2x 1y4"), "shipping_address.postal_code"),
                     "H2X 1Y4");
    ck_assert_str_eq(after(addr_in("CA", "V6B1A1"), "shipping_address.postal_code"),
                     "V6B 1A1");
    static const char *const bad[] = {"K1A  0B1", "K1A-0B1", "K1A 0B",  "1K1 A0B",
                                      "D1A 0B1",  "W1A 0B1", "K1O 0B1", "K1A 0U1",
                                      "12345",    "K1A0B1X", " K1A 0B1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        EXPECT(addr_in("CA", bad[i]), E422, "shipping_address.postal_code");
}
END_TEST

START_TEST(postal_code_gb)
{
    static const char *const good[][2] = {
        {"SW1A 1AA", "SW1A 1AA"}, {"sw1a1aa", "SW1A 1AA"}, {"gir 0aa", "GIR 0AA"},
        {"GIR0AA", "GIR 0AA"},    {"M1 1AE", "M1 1AE"},    {"m11ae", "M1 1AE"},
        {"B33 8TH", "B33 8TH"},   {"CR2 6XH", "CR2 6XH"},  {"DN55 1PT", "DN55 1PT"},
        {"W1A 0AX", "W1A 0AX"},   {"EC1A 1BB", "EC1A 1BB"}, {"ec1a 1bb", "EC1A 1BB"}};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        ck_assert_str_eq(after(addr_in("GB", good[i][0]), "shipping_address.postal_code"),
                         good[i][1]);
    static const char *const bad[] = {
        "SW1A 1CA",  /* C is no inward letter */
        "Q1 1AA",    /* Q never first */
        "AI1 1AA",   /* I never second */
        "SW1A  1AA", /* two spaces */
        "SW1 A1AA",  /* space in the wrong place */
        "SW1A1AAA", "12345", "SW1A", "1AA", "EC1C 1BB", /* C not a 4th-position letter */
        "W1I 0AX",                                      /* I not a 3rd-position letter */
        "SWW1A 1AA", "GIR 0AB"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        EXPECT(addr_in("GB", bad[i]), E422, "shipping_address.postal_code");
}
END_TEST

START_TEST(postal_code_de)
{
    EXPECT(addr_in("DE", "10115"), OK, "");
    EXPECT(addr_in("DE", "1011"), E422, "shipping_address.postal_code");
    EXPECT(addr_in("DE", "101150"), E422, "shipping_address.postal_code");
    EXPECT(addr_in("DE", "D-10115"), E422, "shipping_address.postal_code");
}
END_TEST

START_TEST(region_us_ca)
{
    ck_assert_str_eq(after(with("shipping_address.region", "\"il\""), "shipping_address.region"),
                     "IL");
    EXPECT(with("shipping_address.region", "\"PR\""), OK, "");
    EXPECT(with("shipping_address.region", "\"DC\""), OK, "");
    EXPECT(with("shipping_address.region", "\"AE\""), OK, "");
    EXPECT(with("shipping_address.region", "\"ZZ\""), E422, "shipping_address.region");
    EXPECT(with("shipping_address.region", "\"ON\""), E422, "shipping_address.region");
    EXPECT(with("shipping_address.region", "\"Illinois\""), E422, "shipping_address.region");
    EXPECT(with("shipping_address.region", "\"\""), E422, "shipping_address.region");
    EXPECT(with("shipping_address.region", "17"), E400, "shipping_address.region");
    EXPECT(with("seller.address.region", "\"XX\""), E422, "seller.address.region");
    json_t *o = addr_in("CA", "K1A 0B1");
    json_object_set_new(json_object_get(o, "shipping_address"), "region", json_string("on"));
    ck_assert_str_eq(after(o, "shipping_address.region"), "ON");
    o = addr_in("CA", "K1A 0B1");
    json_object_set_new(json_object_get(o, "shipping_address"), "region", json_string("IL"));
    EXPECT(o, E422, "shipping_address.region");
    /* elsewhere a region is free text */
    o = addr_in("DE", "10115");
    json_object_set_new(json_object_get(o, "shipping_address"), "region", json_string("Berlin"));
    EXPECT(o, OK, "");
}
END_TEST

START_TEST(buyer)
{
    EXPECT(with("buyer", NULL), OK, "");
    EXPECT(with("buyer", "{}"), OK, "");
    EXPECT(with("buyer", "\"Ada\""), E400, "buyer");
    EXPECT(with("buyer", "null"), E400, "buyer");
    EXPECT(with("buyer.name", "\"\""), E400, "buyer.name");
    EXPECT(with_value("buyer.name", repeat("x", 100)), OK, "");
    EXPECT(with_value("buyer.name", repeat("x", 101)), E400, "buyer.name");
    EXPECT(with("buyer.id", "\"b 77\""), E400, "buyer.id");
    EXPECT(with("buyer.nickname", "\"ada\""), E400, "buyer.nickname");
    EXPECT(with("buyer.email", "42"), E400, "buyer.email");
}
END_TEST

START_TEST(email)
{
    static const char *const good[] = {"ada@example.test", "a.b+tag@mail.example.co.uk",
                                       "x@y.z"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        EXPECT(with_value("buyer.email", json_string(good[i])), OK, "");
    static const char *const bad[] = {"",          "ada",           "ada@",
                                      "@example.com", "ada@localhost", "ada@@example.com",
                                      "a@b@example.com", "ada @example.com", "ada@example .com",
                                      "ada@.example.com", "ada@example.com.", "ada@example..com"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        EXPECT(with_value("buyer.email", json_string(bad[i])), E400, "buyer.email");
    /* 254 bytes at most, a local part of 64 */
    char long_ok[255], long_bad[256];
    memset(long_ok, 'a', sizeof(long_ok));
    memcpy(long_ok, "ada@", 4);
    memcpy(long_ok + 250, ".com", 5); /* 254 characters */
    EXPECT(with_value("buyer.email", json_string(long_ok)), OK, "");
    memset(long_bad, 'a', sizeof(long_bad));
    memcpy(long_bad, "ada@", 4);
    memcpy(long_bad + 251, ".com", 5);
    EXPECT(with_value("buyer.email", json_string(long_bad)), E400, "buyer.email");
    /* bytes, not characters: ada@ + 123 or 124 times U+00E9 (2 bytes) + .com */
    for (int extra = 0; extra <= 1; extra++) {
        json_t *dom = repeat("\xc3\xa9", 123 + (size_t)extra);
        char mail[300];
        snprintf(mail, sizeof(mail), "ada@%s.com", json_string_value(dom));
        json_decref(dom);
        ck_assert_int_eq(strlen(mail), 254 + 2 * extra);
        EXPECT(with_value("buyer.email", json_string(mail)), extra ? E400 : OK,
               extra ? "buyer.email" : "");
    }
    json_t *local = repeat("a", 65);
    char e[128];
    snprintf(e, sizeof(e), "%s@example.com", json_string_value(local));
    json_decref(local);
    EXPECT(with_value("buyer.email", json_string(e)), E400, "buyer.email");
    EXPECT(with("seller.email", "\"orders at acme\""), E400, "seller.email");
    EXPECT(with("shipping_address.email", "\"ada@example\""), E400, "shipping_address.email");
    EXPECT(with("shipping_address.email", "\"ada@example.test\""), OK, "");
}
END_TEST

START_TEST(seller)
{
    EXPECT(with("seller", NULL), E400, "seller");
    EXPECT(with("seller", "\"s-1\""), E400, "seller");
    EXPECT(with("seller.id", NULL), E400, "seller.id");
    EXPECT(with("seller.id", "\"s 1\""), E400, "seller.id");
    EXPECT(with("seller.name", "\"ACME\""), E400, "seller.name");
    EXPECT(with("seller.email", NULL), OK, "");
    EXPECT(with("seller.address", NULL), OK, "");
    EXPECT(with("seller.address", "[]"), E400, "seller.address");
    EXPECT(with("seller.address.street1", NULL), E400, "seller.address.street1");
    EXPECT(with("seller.address.country", "\"QQ\""), E422, "seller.address.country");
    EXPECT(with("seller.address.phone", "\"ext. 5\""), E400, "seller.address.phone");
    EXPECT(with("seller.address.fax", "\"5\""), E400, "seller.address.fax");
}
END_TEST

START_TEST(currency)
{
    EXPECT(with("currency", NULL), E400, "currency");
    EXPECT(with("currency", "\"usd\""), E400, "currency");
    EXPECT(with("currency", "\"US\""), E400, "currency");
    EXPECT(with("currency", "840"), E400, "currency");
    EXPECT(with("currency", "\"XYZ\""), E422, "currency");
    EXPECT(with("currency", "\"XTS\""), E422, "currency"); /* testing code */
    EXPECT(with("currency", "\"XAU\""), E422, "currency"); /* gold */
    EXPECT(with("currency", "\"HRK\""), E422, "currency"); /* withdrawn 2023 */
    EXPECT(with("currency", "\"EUR\""), OK, "");
    EXPECT(with("currency", "\"JPY\""), OK, "");
    EXPECT(with("currency", "\"KWD\""), OK, "");
}
END_TEST

START_TEST(amounts)
{
    EXPECT(with("total", "3799.0"), E400, "total");
    EXPECT(with("total", "\"3799\""), E400, "total");
    EXPECT(with("total", "3800"), E422, "total");
    EXPECT(with("total", "-3799"), E422, "total");
    EXPECT(with("items[0].unit_price", "14.5"), E400, "items[0].unit_price");
    EXPECT(with("items[0].unit_price", "\"1450\""), E400, "items[0].unit_price");
    EXPECT(with("items[0].unit_price", "-1"), E400, "items[0].unit_price");
    EXPECT(with("items[1].quantity", "0"), E400, "items[1].quantity");
    EXPECT(with("items[1].quantity", "1.5"), E400, "items[1].quantity");
    json_t *o = with("items[0].unit_price", "100000000000");
    json_object_del(o, "total");
    EXPECT(o, E422, "items");
}
END_TEST

START_TEST(items)
{
    EXPECT(with("items", "[]"), E400, "items");
    EXPECT(with("items", "{}"), E400, "items");
    EXPECT(with("items[1].sku", NULL), E400, "items[1].sku");
    EXPECT(with("items[1].sku", "\"\""), E400, "items[1].sku");
    EXPECT(with_value("items[0].name", repeat("x", 200)), OK, "");
    EXPECT(with_value("items[0].name", repeat("x", 201)), E400, "items[0].name");
    EXPECT(with("items[0].name", "5"), E400, "items[0].name");
    EXPECT(with("items[1].colour", "\"blue\""), E400, "items[1].colour");
    EXPECT(with("items[1].price", "899"), E400, "items[1].price");
    json_t *o = with("items", "[\"MUG-1\"]");
    EXPECT(o, E400, "items[0]");
}
END_TEST

START_TEST(unknown_top_level)
{
    json_t *o = with("shiping_address", "{}");
    EXPECT(o, E400, "shiping_address");
    EXPECT(with("extra", "null"), E400, "extra");
    EXPECT(with("Currency", "\"USD\""), E400, "Currency");
    /* orderhub's own bookkeeping */
    EXPECT(with("state", "\"completed\""), E400, "state");
    EXPECT(with("created_by", "\"me\""), E400, "created_by");
    EXPECT(with("fulfillment", "{}"), E400, "fulfillment");
}
END_TEST

START_TEST(service_level)
{
    static const char *const levels[] = {"economy", "standard", "express", "overnight"};
    for (size_t i = 0; i < 4; i++)
        EXPECT(with_value("service_level", json_string(levels[i])), OK, "");
    EXPECT(with("service_level", "\"fast\""), E400, "service_level");
    EXPECT(with("service_level", "\"Standard\""), E400, "service_level");
    EXPECT(with("service_level", "\"\""), E400, "service_level");
    EXPECT(with("service_level", "1"), E400, "service_level");
    EXPECT(with("service_level", "null"), E400, "service_level");
    ck_assert_str_eq(after(with("service_level", NULL), "service_level"), "standard");
}
END_TEST

START_TEST(description_and_payment)
{
    EXPECT(with_value("description", repeat("x", 500)), OK, "");
    EXPECT(with_value("description", repeat("x", 501)), E400, "description");
    EXPECT(with("description", "[\"x\"]"), E400, "description");
    EXPECT(with("payment", NULL), E400, "payment");
    EXPECT(with("payment.token", "\"\""), E400, "payment.token");
    EXPECT(with_value("payment.token", repeat("t", 256)), E400, "payment.token");
}
END_TEST

/* Only the token: what the gateways answer is the engine's to record (a submitted
 * transaction_id would be voided on cancel as if this order owned it). */
START_TEST(payment_members)
{
    static const char *const owned[] = {"instance", "status",       "transaction_id",
                                        "amount",   "currency",     "code",
                                        "decline_code", "message"};
    char path[64];
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        snprintf(path, sizeof(path), "payment.%s", owned[i]);
        EXPECT(with(path, "\"sbx_authorize_1\""), E400, path);
    }
    EXPECT(with("payment.transaction_id", "{}"), E400, "payment.transaction_id");
    EXPECT(with("payment.tx", "\"x\""), E400, "payment.tx");
    EXPECT(with("payment.Token", "\"x\""), E400, "payment.Token");
    EXPECT(with("payment", "\"tok_visa\""), E400, "payment");
    EXPECT(with("quotes", "{}"), E400, "quotes");
    EXPECT(with("cancellation", "{}"), E400, "cancellation");
    EXPECT(with("rejection", "{}"), E400, "rejection");
}
END_TEST

START_TEST(metadata)
{
    EXPECT(with("metadata", NULL), OK, "");
    EXPECT(with("metadata", "{}"), OK, "");
    EXPECT(with("metadata", "[]"), E400, "metadata");
    EXPECT(with("metadata", "\"x\""), E400, "metadata");
    EXPECT(with("metadata.Cart", "\"x\""), E400, "metadata.Cart");
    EXPECT(with("metadata.cart-id", "\"x\""), E400, "metadata.cart-id");
    EXPECT(with("metadata.count", "3"), E400, "metadata.count");
    EXPECT(with("metadata.nested", "{}"), E400, "metadata.nested");
    EXPECT(with("metadata.gift_note", "\"\""), OK, "");
    EXPECT(with_value("metadata.gift_note", repeat("x", 200)), OK, "");
    EXPECT(with_value("metadata.gift_note", repeat("x", 201)), E400, "metadata.gift_note");
    char key[48];
    memset(key, 'k', 40);
    key[40] = '\0';
    char path[64];
    snprintf(path, sizeof(path), "metadata.%s", key);
    EXPECT(with(path, "\"x\""), OK, "");
    memset(key, 'k', 41);
    key[41] = '\0';
    snprintf(path, sizeof(path), "metadata.%s", key);
    EXPECT(with(path, "\"x\""), E400, path);
    json_t *o = with("metadata", "{}");
    for (int i = 0; i < 20; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        json_object_set_new(json_object_get(o, "metadata"), key, json_string("v"));
    }
    EXPECT(json_deep_copy(o), OK, "");
    json_object_set_new(json_object_get(o, "metadata"), "k20", json_string("v"));
    EXPECT(o, E400, "metadata");
}
END_TEST

/* ---- classes: 400 before 422, the first 422, nothing changed on error ------------------- */

START_TEST(malformed_wins_over_impossible)
{
    json_t *o = with("currency", "\"XYZ\"");               /* 422 */
    json_object_set_new(o, "service_level", json_string("warp")); /* 400, checked later */
    EXPECT(o, E400, "service_level");
    o = with("total", "1");                                /* 422 */
    json_object_set_new(json_object_get(o, "shipping_address"), "name", json_string(""));
    EXPECT(o, E400, "shipping_address.name");
    /* among several impossibilities the first is named */
    o = with("currency", "\"XYZ\"");
    json_object_set_new(o, "total", json_integer(1));
    EXPECT(o, E422, "currency");
}
END_TEST

START_TEST(unchanged_on_error)
{
    json_t *o = addr_in("CA", "k1a0b1");
    json_object_del(o, "id");
    json_object_del(o, "service_level");
    json_object_set_new(json_object_get(o, "shipping_address"), "region", json_string("on"));
    json_object_set_new(o, "currency", json_string("XYZ"));
    json_t *before = json_deep_copy(o);
    char field[64], why[256];
    ck_assert_int_eq(intake_validate(o, field, sizeof(field), why, sizeof(why)), E422);
    ck_assert_str_eq(field, "currency");
    ck_assert_msg(json_equal(o, before), "the order was changed by a refused validation");
    json_decref(before);
    json_decref(o);
}
END_TEST

START_TEST(normalised_both_addresses)
{
    json_t *o = sample();
    json_t *s = json_object_get(json_object_get(o, "seller"), "address");
    json_object_set_new(s, "country", json_string("GB"));
    json_object_set_new(s, "postal_code", json_string("ec1a1bb"));
    json_object_set_new(s, "region", json_string("London"));
    json_t *a = json_object_get(o, "shipping_address");
    json_object_set_new(a, "country", json_string("CA"));
    json_object_set_new(a, "postal_code", json_string("h2x1y4"));
    json_object_set_new(a, "region", json_string("qc"));
    char field[64], why[256];
    ck_assert_int_eq(intake_validate(o, field, sizeof(field), why, sizeof(why)), OK);
    ck_assert_str_eq(json_string_value(json_object_get(s, "postal_code")), "EC1A 1BB");
    ck_assert_str_eq(json_string_value(json_object_get(s, "region")), "London");
    ck_assert_str_eq(json_string_value(json_object_get(a, "postal_code")), "H2X 1Y4");
    ck_assert_str_eq(json_string_value(json_object_get(a, "region")), "QC");
    json_decref(o);
}
END_TEST

/* ---- the tables ------------------------------------------------------------------------- */

/* Every code of the alphabet through the lookups: a misplaced entry would go missing. */
START_TEST(code_tables)
{
    int countries = 0, currencies = 0;
    char code[4] = "";
    for (char a = 'A'; a <= 'Z'; a++) {
        for (char b = 'A'; b <= 'Z'; b++) {
            code[0] = a, code[1] = b, code[2] = '\0';
            countries += intake_country_known(code);
            for (char c = 'A'; c <= 'Z'; c++) {
                code[2] = c;
                currencies += intake_currency_known(code);
            }
        }
    }
    ck_assert_int_eq(countries, 249);
    ck_assert_int_eq(currencies, 160);
    static const char *const known[] = {"AD", "ZW", "US", "GB", "DE", "CA", "AX", "SS"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        ck_assert_msg(intake_country_known(known[i]), "%s", known[i]);
    ck_assert(!intake_country_known("XK")); /* Kosovo: user-assigned, not ISO's */
    ck_assert(!intake_country_known("us"));
    ck_assert(!intake_country_known(NULL));
    ck_assert(intake_currency_known("AED") && intake_currency_known("ZWG"));
    ck_assert(intake_currency_known("USD") && intake_currency_known("XCG"));
    ck_assert(!intake_currency_known("XXX") && !intake_currency_known("usd"));
}
END_TEST

/* ---- the sample orders others rely on ---------------------------------------------------- */

START_TEST(shipped_samples_valid)
{
    char *path;
    ck_assert_int_ge(asprintf(&path, "%s/conf/sample-order.json", tu_env("top_srcdir")), 0);
    json_error_t je;
    json_t *o = json_load_file(path, 0, &je);
    ck_assert_msg(o != NULL, "%s: %s", path, je.text);
    free(path);
    EXPECT(o, OK, "");

    /* tests/check_engine.c's sample_order() and bench/engine_bench.c's */
    json_int_t total = 1450;
    o = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:[{s:s, s:i, s:I}], s:s, s:I, "
                  "s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s}, s:s}",
                  "id", "ord-e-1", "seller", "id", "s-1", "email", "seller@example.test",
                  "buyer", "name", "Ada Buyer", "email", "ada@example.test",
                  "items", "sku", "MUG-1", "quantity", 1, "unit_price", total,
                  "currency", "USD", "total", total,
                  "shipping_address", "name", "Ada Buyer", "street1", "1 Main St", "city",
                  "Springfield", "postal_code", "62701", "country", "US",
                  "payment", "token", "tok_visa", "service_level", "standard");
    EXPECT(o, OK, "");

    /* tests/crash_safety.sh's order_json */
    o = json_loads(
        "{\"id\":\"ord-c-1-1\",\"seller\":{\"id\":\"s-crash-1\",\"email\":\"seller1@example.test\","
        " \"address\":{\"name\":\"Crash Test Goods\",\"street1\":\"1 Kill Street\","
        "   \"city\":\"Columbus\",\"region\":\"OH\",\"postal_code\":\"43215\",\"country\":\"US\"}},"
        " \"buyer\":{\"id\":\"b-1\",\"email\":\"buyer1@example.test\"},"
        " \"items\":[{\"sku\":\"MUG-RED\",\"quantity\":2,\"unit_price\":1450},"
        "   {\"sku\":\"LID\",\"quantity\":1,\"unit_price\":99}],"
        " \"currency\":\"USD\",\"total\":2999,"
        " \"shipping_address\":{\"name\":\"Ada\",\"street1\":\"12 Analytical Row\","
        "   \"city\":\"Springfield\",\"region\":\"IL\",\"postal_code\":\"62701\","
        "   \"country\":\"US\"},"
        " \"payment\":{\"token\":\"tok_visa_4242\"},\"service_level\":\"standard\"}",
        0, &je);
    ck_assert_msg(o != NULL, "%s", je.text);
    EXPECT(o, OK, "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("intake");
    TCase *tc = tcase_create("intake");
    tcase_add_test(tc, valid_sample);
    tcase_add_test(tc, defaults_filled_in);
    tcase_add_test(tc, body_and_id);
    tcase_add_test(tc, shipping_address_required_and_complete);
    tcase_add_test(tc, address_unknown_member);
    tcase_add_test(tc, address_string_lengths);
    tcase_add_test(tc, phone);
    tcase_add_test(tc, country);
    tcase_add_test(tc, control_characters);
    tcase_add_test(tc, postal_code_generic);
    tcase_add_test(tc, postal_code_us);
    tcase_add_test(tc, postal_code_ca);
    tcase_add_test(tc, postal_code_gb);
    tcase_add_test(tc, postal_code_de);
    tcase_add_test(tc, region_us_ca);
    tcase_add_test(tc, buyer);
    tcase_add_test(tc, email);
    tcase_add_test(tc, seller);
    tcase_add_test(tc, currency);
    tcase_add_test(tc, amounts);
    tcase_add_test(tc, items);
    tcase_add_test(tc, unknown_top_level);
    tcase_add_test(tc, service_level);
    tcase_add_test(tc, description_and_payment);
    tcase_add_test(tc, metadata);
    tcase_add_test(tc, payment_members);
    tcase_add_test(tc, malformed_wins_over_impossible);
    tcase_add_test(tc, unchanged_on_error);
    tcase_add_test(tc, normalised_both_addresses);
    tcase_add_test(tc, code_tables);
    tcase_add_test(tc, shipped_samples_valid);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
