/*
 * check_duration - the configuration's duration syntax ("90s", "30m", "48h", "7d"): what it
 * reads, what it refuses and why, and that formatting reads back to the same value.
 */
#include "config.h"

#include "util/duration.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS INT64_C(86400000)

static int64_t parse_ok(const char *s)
{
    int64_t ms = -1;
    char why[160] = "";
    ck_assert_msg(duration_parse(s, 0, 365 * DAY_MS, &ms, why, sizeof(why)) == 0, "%s: %s", s,
                  why);
    return ms;
}

static void parse_bad(const char *s, int64_t min, int64_t max, const char *says)
{
    int64_t ms = 12345;
    char why[160] = "";
    ck_assert_int_eq(duration_parse(s, min, max, &ms, why, sizeof(why)), -1);
    ck_assert_msg(strstr(why, says) != NULL, "%s: \"%s\" lacks \"%s\"", s ? s : "NULL", why, says);
    ck_assert_int_eq(ms, 12345); /* untouched on failure */
}

START_TEST(units_read)
{
    ck_assert_int_eq(parse_ok("90s"), 90000);
    ck_assert_int_eq(parse_ok("30m"), 1800000);
    ck_assert_int_eq(parse_ok("48h"), 48 * 3600000);
    ck_assert_int_eq(parse_ok("7d"), 7 * DAY_MS);
    ck_assert_int_eq(parse_ok("0s"), 0);
    ck_assert_int_eq(parse_ok("007m"), 7 * 60000);
    ck_assert_int_eq(parse_ok("365d"), 365 * DAY_MS);
}
END_TEST

START_TEST(refusals_say_why)
{
    parse_bad(NULL, 0, DAY_MS, "number and a unit");
    parse_bad("", 0, DAY_MS, "number and a unit");
    parse_bad("72", 0, DAY_MS, "has no unit");
    parse_bad("h", 0, DAY_MS, "does not start with a number");
    parse_bad("-5s", 0, DAY_MS, "does not start with a number");
    parse_bad(" 5s", 0, DAY_MS, "does not start with a number");
    parse_bad("+5s", 0, DAY_MS, "does not start with a number");
    parse_bad("5 s", 0, DAY_MS, "the unit must be");
    parse_bad("5w", 0, DAY_MS, "the unit must be");
    parse_bad("5ms", 0, DAY_MS, "the unit must be");
    parse_bad("1h30m", 0, DAY_MS, "the unit must be");
    parse_bad("1.5h", 0, DAY_MS, "the unit must be");
    parse_bad("25h", 0, DAY_MS, "more than 1d");
    parse_bad("2d", 0, DAY_MS, "more than 1d");
    parse_bad("99999999999999999999s", 0, DAY_MS, "too large");
    parse_bad("9223372036854775807d", 0, DAY_MS, "more than 1d");
    parse_bad("0s", 1000, DAY_MS, "less than 1s");
    parse_bad("59s", 60000, DAY_MS, "less than 1m");
}
END_TEST

START_TEST(bounds_inclusive)
{
    int64_t ms = 0;
    char why[160];
    ck_assert_int_eq(duration_parse("1d", 0, DAY_MS, &ms, why, sizeof(why)), 0);
    ck_assert_int_eq(ms, DAY_MS);
    ck_assert_int_eq(duration_parse("1s", 1000, DAY_MS, &ms, why, sizeof(why)), 0);
    ck_assert_int_eq(ms, 1000);
    /* the largest value that fits at all, and one past it */
    ck_assert_int_eq(duration_parse("9223372036854775807s", 0, INT64_MAX, &ms, why, sizeof(why)),
                     -1);
    ck_assert_int_eq(duration_parse("9223372036854775s", 0, INT64_MAX, &ms, why, sizeof(why)), 0);
    ck_assert_int_eq(ms, INT64_C(9223372036854775000));
}
END_TEST

START_TEST(format_reads_back)
{
    static const int64_t v[] = {0, 1000, 59000, 60000, 90000, 3600000, 5400000, 86400000,
                                7 * 86400000, 48 * 3600000};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char buf[32];
        duration_format(v[i], buf, sizeof(buf));
        ck_assert_int_eq(parse_ok(buf), v[i]);
    }
    char buf[32];
    duration_format(48 * 3600000, buf, sizeof(buf));
    ck_assert_str_eq(buf, "2d");
    duration_format(90000, buf, sizeof(buf));
    ck_assert_str_eq(buf, "90s");
    duration_format(1500, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1s");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("duration");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, units_read);
    tcase_add_test(tc, refusals_say_why);
    tcase_add_test(tc, bounds_inclusive);
    tcase_add_test(tc, format_reads_back);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
