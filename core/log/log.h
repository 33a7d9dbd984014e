/*
 * log - the daemon's log: levels, stderr or syslog.
 *
 * One process-wide logger, configured once in main (log_setup) before threads start and
 * changed only from the main thread afterwards (log_set_level on reload).  Writing is
 * thread-safe: each line is formatted first and written with one call.
 */
#ifndef OH_LOG_H
#define OH_LOG_H

#include <orderhub/host.h> /* oh_log_level */

/* log_setup - choose the sink.  `ident` is the syslog identity and the stderr prefix. */
void log_setup(const char *ident, int use_syslog, oh_log_level level);

/* log_set_level - change the threshold (lines above it are dropped). */
void log_set_level(oh_log_level level);

/* log_level_parse - "error", "warn", "info", "debug" -> level; -1 if unknown. */
int log_level_parse(const char *name);

/* log_msg - write one line at `level`.  No trailing newline in fmt. */
void log_msg(oh_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* log_vmsg - va_list form, with an optional "[prefix] " before the message. */
void log_vmsg(oh_log_level level, const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#define log_error(...) log_msg(OH_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(OH_LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(OH_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(OH_LOG_DEBUG, __VA_ARGS__)

#endif
