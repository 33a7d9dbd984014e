/*
 * parse - JSON and XML parsing for plugins, within the host's limits (host_types.h).
 */
#ifndef OH_HOST_PARSE_H
#define OH_HOST_PARSE_H

#include "host/host_types.h"

/* The oh_host_api parsers (orderhub/host.h has their contracts). */
json_t *host_json_parse(const char *text, size_t len, oh_error *err);
xmlDoc *host_xml_parse(const char *text, size_t len, oh_error *err);

#endif
