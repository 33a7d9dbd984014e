#include "config.h"

#include "host_time.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

/* Read exactly `n` digits at *p into *out, advancing *p. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap);
}

/* Optional "Z" / "+hh:mm" / "-hhmm" / "+hh": offset in seconds; 1 if present, 0 if not. */
static int parse_offset(const char **p, long *offset)
{
    *offset = 0;
    if (**p == 'Z' || **p == 'z') {
        (*p)++;
        return 1;
    }
    if (**p != '+' && **p != '-')
        return 0;
    int sign = **p == '-' ? -1 : 1, hh = 0, mm = 0;
    (*p)++;
    if (digits(p, 2, &hh) != 0)
        return -1;
    if (**p == ':')
        (*p)++;
    if (isdigit((unsigned char)**p) && digits(p, 2, &mm) != 0)
        return -1;
    if (hh > 23 || mm > 59)
        return -1;
    *offset = sign * (hh * 3600L + mm * 60L);
    return 1;
}

int host_time_parse(const char *text, int64_t *unix_ms)
{
    if (text == NULL || unix_ms == NULL)
        return -1;
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, s = 0, ms = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &s))
                return -1;
            if (*p == '.' || *p == ',') {
                p++;
                int scale = 100, any = 0;
                for (; isdigit((unsigned char)*p); p++, any = 1) {
                    ms += (*p - '0') * scale;
                    scale /= 10;
                }
                if (!any)
                    return -1;
            }
        }
        if (h > 23 || mi > 59 || s > 60)
            return -1;
    }
    long offset = 0;
    int has_offset = parse_offset(&p, &offset);
    if (has_offset < 0 || *p != '\0')
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi, .tm_sec = s};
    time_t t = timegm(&tm);
    *unix_ms = ((int64_t)t - offset) * 1000 + ms;
    return has_offset;
}
