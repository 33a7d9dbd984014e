#include "config.h"

#include "parse.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <string.h>

/*
 * jansson's own nesting limit is a compile-time 2048; remote answers never need more than a
 * few levels, so a cheap scan refuses deep documents before the parser recurses.
 */
static int json_depth_ok(const char *text, size_t len, int max)
{
    int depth = 0, in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > max)
                return 0;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return 1;
}

json_t *host_json_parse(const char *text, size_t len, oh_error *err)
{
    if (text == NULL)
        return oh_error_set(err, 0, "JSON: no input"), NULL;
    if (len > HOST_PARSE_MAX_BYTES)
        return oh_error_set(err, 0, "JSON: %zu bytes, over the %u-byte limit", len,
                            HOST_PARSE_MAX_BYTES), NULL;
    if (!json_depth_ok(text, len, HOST_JSON_MAX_DEPTH))
        return oh_error_set(err, 0, "JSON: nested deeper than %d levels", HOST_JSON_MAX_DEPTH),
               NULL;
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL)
        oh_error_set(err, 0, "JSON: %s at line %d column %d", je.text, je.line, je.column);
    return j;
}

/* Set when the document carries a DOCTYPE: remote answers never need one, attacks do. */
typedef struct xml_guard {
    int saw_dtd;
} xml_guard;

static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = ctx;
    ((xml_guard *)ctxt->_private)->saw_dtd = 1;
    xmlStopParser(ctxt);
}

static void quiet(void *ctx, const char *msg, ...)
{
}

xmlDoc *host_xml_parse(const char *text, size_t len, oh_error *err)
{
    if (text == NULL)
        return oh_error_set(err, 0, "XML: no input"), NULL;
    if (len > HOST_PARSE_MAX_BYTES || len > (size_t)INT32_MAX)
        return oh_error_set(err, 0, "XML: %zu bytes, over the %u-byte limit", len,
                            HOST_PARSE_MAX_BYTES), NULL;
    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(text, (int)len);
    if (ctxt == NULL)
        return oh_error_set(err, 0, "XML: cannot create a parser (empty input?)"), NULL;
    xml_guard guard = {0};
    ctxt->_private = &guard;
    /* No entity substitution (no XML_PARSE_NOENT), no DTD loading, no network. */
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ctxt->sax->internalSubset = refuse_dtd;
    ctxt->sax->externalSubset = refuse_dtd;
    ctxt->sax->error = quiet;
    ctxt->sax->warning = quiet;
    xmlParseDocument(ctxt);
    xmlDoc *doc = ctxt->myDoc;
    int well_formed = ctxt->wellFormed;
    const xmlError *xe = xmlCtxtGetLastError(ctxt);
    if (guard.saw_dtd) {
        oh_error_set(err, 0, "XML: document declares a DTD (refused: no entities, no DTDs)");
    } else if (!well_formed || doc == NULL) {
        oh_error_set(err, 0, "XML: not well-formed at line %d: %s", xe ? xe->line : 0,
                     xe && xe->message ? xe->message : "parse error");
        /* xmlError messages end with a newline: keep the error to one line. */
        char *nl = err ? strchr(err->message, '\n') : NULL;
        if (nl != NULL)
            *nl = '\0';
    } else {
        ctxt->myDoc = NULL;
        xmlFreeParserCtxt(ctxt);
        return doc;
    }
    if (doc != NULL)
        xmlFreeDoc(doc);
    ctxt->myDoc = NULL;
    xmlFreeParserCtxt(ctxt);
    return NULL;
}
