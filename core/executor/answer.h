/*
 * answer - answers that must not reach a plugin's parser: redirects and HTML pages.
 */
#ifndef OH_EXECUTOR_ANSWER_H
#define OH_EXECUTOR_ANSWER_H

#include "executor/executor_types.h"

/*
 * ex_is_html_answer - a 2xx answer whose Content-Type is text/html or XHTML.  For callers
 * that know the answer must be an API's (a payment or carrier plugin about to parse it)
 * even when the request named no Accept type.
 */
int ex_is_html_answer(const oh_response *r);

/* The error of an HTML page where an API answer was expected (EX_UNEXPECTED's, the engine's). */
#define EX_HTML_ANSWER_ERROR "HTML page instead of an API answer (captive portal or proxy?)"

/* For the executor's files: turn a redirect, or an HTML page where the request's Accept
 * asked for something else, into EX_UNEXPECTED (status and headers stay set). */
void ex_refuse_unexpected(const oh_request *req, ex_result *res);

#endif
