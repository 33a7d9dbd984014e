/*
 * conn_guard - absolute deadlines for the parts of a request a client controls.
 *
 * libmicrohttpd's connection timeout is an idle timeout: every byte restarts it, so a client
 * that trickles its headers or body one byte at a time holds a connection for ever, and a
 * thousand such clients hold the server.  The guard follows each connection through MHD's
 * callbacks (its phase and when the phase began) and a thread of its own shuts down the
 * socket of any connection whose headers or body are not complete by their deadline, or
 * that waits too long for its next request - much sooner when the server is nearly full.
 * MHD then sees the closed socket and frees the connection the usual way.
 *
 * A connection whose request is complete (being answered, or suspended while the engine
 * works) has no deadline here: the answer is ours to give.
 */
#ifndef OH_API_CONN_GUARD_H
#define OH_API_CONN_GUARD_H

#include "config/config_file.h"

#include <microhttpd.h>
#include <stddef.h>

typedef struct conn_guard conn_guard;
typedef struct conn_track conn_track;

/* conn_guard_start - the guard and its thread.  0, or -1 with err set. */
int conn_guard_start(const cfg_api_limits *limits, conn_guard **out, char *err, size_t errlen);

/* conn_guard_stop_thread - no more deadlines enforced (before MHD_stop_daemon). */
void conn_guard_stop_thread(conn_guard *g);

/* conn_guard_free - after MHD_stop_daemon (which reported every connection closed). */
void conn_guard_free(conn_guard *g);

/* For MHD_OPTION_NOTIFY_CONNECTION and MHD_OPTION_URI_LOG_CALLBACK, cls = the guard. */
void conn_guard_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode code);
void *conn_guard_on_request_line(void *cls, const char *uri, struct MHD_Connection *c);

/* The connection's track (NULL if it could not be tracked). */
conn_track *conn_guard_track_of(struct MHD_Connection *c);

/* From the access handler and the completion callback: the request's progress. */
void conn_guard_headers_done(conn_guard *g, conn_track *t);
void conn_guard_request_complete(conn_guard *g, conn_track *t);
void conn_guard_answered(conn_guard *g, conn_track *t);

#endif
