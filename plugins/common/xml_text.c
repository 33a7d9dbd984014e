#include "xml_text.h"

#include <ctype.h>
#include <string.h>

int pxml_is(const xmlNode *n, const char *name, const char *ns_prefix)
{
    if (n == NULL || n->type != XML_ELEMENT_NODE || !xmlStrEqual(n->name, (const xmlChar *)name))
        return 0;
    return ns_prefix == NULL || n->ns == NULL || n->ns->href == NULL ||
           strncmp((const char *)n->ns->href, ns_prefix, strlen(ns_prefix)) == 0;
}

const xmlNode *pxml_child(const xmlNode *parent, const char *name, const char *ns_prefix)
{
    for (const xmlNode *n = parent ? parent->children : NULL; n != NULL; n = n->next) {
        if (pxml_is(n, name, ns_prefix))
            return n;
    }
    return NULL;
}

void pxml_text(const xmlNode *n, char *out, size_t outlen)
{
    out[0] = '\0';
    xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
    if (t == NULL)
        return;
    const char *s = (const char *)t;
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    if (len >= outlen)
        len = outlen - 1;
    memcpy(out, s, len);
    out[len] = '\0';
    xmlFree(t);
}

void pxml_child_text(const xmlNode *parent, const char *name, const char *ns_prefix,
                     char *out, size_t outlen)
{
    pxml_text(pxml_child(parent, name, ns_prefix), out, outlen);
}
