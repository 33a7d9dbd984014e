/*
 * mail_format - the RFC 5322 / MIME pieces notify_email assembles: a growable buffer,
 * header-safe values (RFC 2047 encoded-words for non-ASCII), quoted-printable bodies with
 * CRLF line ends, the Date header, address checks.  Nothing here lets CR or LF from order
 * data into a header: values are either checked plain ASCII without controls or encoded.
 */
#ifndef MAIL_FORMAT_H
#define MAIL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

typedef struct mf_buf {
    char *data;
    size_t len, cap;
    int oom;
} mf_buf;

void mf_put(mf_buf *b, const char *s, size_t n);
void mf_puts(mf_buf *b, const char *s);
void mf_printf(mf_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void mf_free(mf_buf *b);

/* mf_addr_ok - a plain addr-spec: printable ASCII, one '@', no specials or spaces. */
int mf_addr_ok(const char *addr);

/* mf_header_text - append `text` as an unstructured header value (Subject): as it is when
 * printable ASCII, else RFC 2047 B encoded-words (UTF-8) of at most 75 characters folded
 * with CRLF SP.  Control characters never pass. */
void mf_header_text(mf_buf *b, const char *text);

/* mf_mailbox - append `name <addr>`: the name quoted or encoded; no name: `<addr>`. */
void mf_mailbox(mf_buf *b, const char *name, const char *addr);

/* mf_qp - append `text` quoted-printable (RFC 2045): lines end CRLF, none over 76
 * characters, a leading '.' encoded (SMTP dot-stuffing is then moot). */
void mf_qp(mf_buf *b, const char *text, size_t len);

/* mf_date - RFC 5322 date-time of Unix milliseconds, in UTC ("Thu, 26 Nov 2026 19:26:58
 * +0000"), locale-independent. */
void mf_date(int64_t ms, char *out, size_t outlen);

#endif
