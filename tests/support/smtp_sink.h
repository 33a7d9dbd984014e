/*
 * smtp_sink - a minimal SMTP server for tests, on 127.0.0.1 with an ephemeral port.
 *
 * Speaks just enough of RFC 5321 for libcurl: greeting, EHLO/HELO, MAIL FROM, RCPT TO,
 * DATA (dot-unstuffed), RSET, NOOP, QUIT.  No STARTTLS, no AUTH.  One thread per connection,
 * so a connection kept open by a client's cache never blocks the next one.  Each accepted
 * message is recorded.
 *
 * THREADING: every function is thread-safe; records stay valid until ss_stop.
 */
#ifndef OH_TEST_SMTP_SINK_H
#define OH_TEST_SMTP_SINK_H

#include <stddef.h>

typedef struct ss_sink ss_sink;

typedef struct ss_message {
    char *from;   /* the MAIL FROM argument, e.g. "<a@example.org>" */
    char **rcpt;  /* RCPT TO arguments */
    size_t rcpt_count;
    char *data;   /* the message as received after DATA, dot-unstuffed, without the final
                     ".\r\n"; data_len bytes + NUL */
    size_t data_len;
} ss_message;

/* ss_start - start listening; NULL on failure. */
ss_sink *ss_start(void);

/* ss_stop - close every connection, join the threads, free.  NULL is a no-op. */
void ss_stop(ss_sink *s);

unsigned short ss_port(const ss_sink *s);

/* ss_reject_rcpt - answer every RCPT TO with `code` (e.g. 550 or 450); 0 accepts again. */
void ss_reject_rcpt(ss_sink *s, int code);

/* ss_count / ss_message_at - accepted messages, in order. */
size_t ss_count(ss_sink *s);
const ss_message *ss_message_at(ss_sink *s, size_t i);

#endif
