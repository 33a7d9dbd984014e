#include "config.h"

#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[] = {"error", "warn", "info", "debug"};

/* The logger singleton: written by main before threads exist, level atomic for reloads. */
static struct {
    const char *ident;
    int use_syslog;
    atomic_int level;
} logger = {"orderhub", 0, OH_LOG_INFO};

void log_setup(const char *ident, int use_syslog, oh_log_level level)
{
    logger.ident = ident;
    logger.use_syslog = use_syslog;
    atomic_store(&logger.level, (int)level);
    if (use_syslog)
        openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(oh_log_level level)
{
    atomic_store(&logger.level, (int)level);
}

int log_level_parse(const char *name)
{
    for (int i = 0; i < (int)(sizeof(level_names) / sizeof(level_names[0])); i++) {
        if (strcmp(name, level_names[i]) == 0)
            return i;
    }
    return -1;
}

void log_vmsg(oh_log_level level, const char *prefix, const char *fmt, va_list ap)
{
    if ((int)level > atomic_load(&logger.level) || (int)level < 0)
        return;
    char msg[2048];
    int off = 0;
    if (prefix != NULL)
        off = snprintf(msg, sizeof(msg), "[%s] ", prefix);
    if (off < 0 || (size_t)off >= sizeof(msg))
        off = 0;
    vsnprintf(msg + off, sizeof(msg) - (size_t)off, fmt, ap);

    if (logger.use_syslog) {
        static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
        syslog(prio[level], "%s", msg);
        return;
    }
    char stamp[32];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    /* One fprintf per line: stdio locks the stream, so lines of threads never interleave. */
    fprintf(stderr, "%s.%03ldZ %s[%ld] %s: %s\n", stamp, ts.tv_nsec / 1000000L, logger.ident,
            (long)getpid(), level_names[level], msg);
}

void log_msg(oh_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, NULL, fmt, ap);
    va_end(ap);
}
