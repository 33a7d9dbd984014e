/*
 * xml_text - reading a parsed XML answer (from the host's xml_parse) the same way in every
 * XML plugin: elements found by local name (and, when asked, namespace), text trimmed and
 * cut to the caller's buffer.  Compiled into each plugin that uses it (a plugin links
 * against no orderhubd symbol); nothing here is exported from the module.
 */
#ifndef OH_PLUGIN_XML_TEXT_H
#define OH_PLUGIN_XML_TEXT_H

#include <libxml/tree.h>
#include <stddef.h>

/* 1 when `n` is an element called `name` whose namespace is absent or begins with
 * `ns_prefix` (NULL: any namespace). */
int pxml_is(const xmlNode *n, const char *name, const char *ns_prefix);

/* The first child element of `parent` that pxml_is `name`, or NULL. */
const xmlNode *pxml_child(const xmlNode *parent, const char *name, const char *ns_prefix);

/* The trimmed text of `n` ("" when NULL) into out[outlen], cut to fit. */
void pxml_text(const xmlNode *n, char *out, size_t outlen);

/* pxml_text of pxml_child(parent, name, ns_prefix). */
void pxml_child_text(const xmlNode *parent, const char *name, const char *ns_prefix,
                     char *out, size_t outlen);

#endif
