/*
 * nt_template - message templates of the notifier plugins: load, validate, render.
 *
 * Compiled into each notifier module that renders text (notify_email, notify_sms,
 * notify_chat); nothing here is exported (the modules export only orderhub_plugin_entry).
 *
 * FILES
 *   <template_dir>/<channel>/<stem>.<ext>: `stem` is an event name ("shipment.delivered"),
 *   an event family ("shipment") or "default"; `ext` one of the channel's parts ("txt",
 *   "html", "subject").  nt_find looks a part up by the exact event, then its family, then
 *   "default", each part on its own.
 *
 * SYNTAX
 *   Text with {{variable}} (spaces inside the braces allowed).  Variables come from a FIXED
 *   list (nt_vars.c, documented in README.md); each reads the event's data or the order
 *   snapshot.  A variable must open and close on one line.  An unknown variable, a "{{"
 *   without its "}}" or a "}}" without its "{{" refuses the whole set at load time with
 *   "FILE:LINE: ..." - plugins load in init, so `orderhubd --check-config` reports it.
 *
 * OWNERSHIP / THREADING
 *   An nt_set is built once in init and read-only afterwards: any thread may render from
 *   it concurrently.  nt_render returns a malloc'd string the caller frees.
 */
#ifndef NT_TEMPLATE_H
#define NT_TEMPLATE_H

#include <orderhub/orderhub.h>

#include <stddef.h>

/* The installed templates, $(pkgdatadir)/templates: set by Makefile.am. */
#ifndef NT_TEMPLATE_DIR
#define NT_TEMPLATE_DIR "/usr/local/share/orderhub/templates"
#endif

/* How values are written into the text. */
typedef enum nt_escape {
    NT_TEXT = 0,  /* as they are */
    NT_HTML = 1,  /* & < > " ' as entities */
    NT_LINE = 2,  /* control characters (CR, LF, TAB, ...) become spaces: header values */
    NT_SLACK = 3  /* & < > as Slack's &amp; &lt; &gt;, so order data cannot forge links */
} nt_escape;

/* What a rendering reads: the event, and the audience the instance chose. */
typedef struct nt_ctx {
    const oh_notify_input *in;
    const char *audience;  /* "buyer", "seller", ... : {{recipient.role}} */
    const char *address;   /* the address the message goes to: {{recipient.address}} */
} nt_ctx;

typedef struct nt_template nt_template;
typedef struct nt_set nt_set;

/*
 * nt_set_load - read and validate every file <dir>/<channel>/STEM.<ext> whose ext is listed in
 * `exts` (NULL-terminated); other files are ignored.  `required` (may be NULL) names an ext
 * that must exist as "default.<ext>" so every event finds a template.  0 and *out set, or
 * -1 with the reason in err ("FILE:LINE: unknown variable {{x}}").
 */
int nt_set_load(const char *dir, const char *channel, const char *const *exts,
                const char *required, nt_set **out, char *err, size_t errlen);
void nt_set_free(nt_set *set);

/* nt_set_count - how many templates were loaded (for a log line). */
size_t nt_set_count(const nt_set *set);

/* nt_find - the template of part `ext` for `event`: exact, family, default; or NULL. */
const nt_template *nt_find(const nt_set *set, const char *event, const char *ext);

/* nt_template_path - the file a template came from (for messages). */
const char *nt_template_path(const nt_template *t);

/* nt_render - the template with its variables replaced; malloc'd, *len set (may be NULL).
 * NULL when out of memory. */
char *nt_render(const nt_template *t, const nt_ctx *ctx, nt_escape esc, size_t *len);

/*
 * nt_var_index / nt_var_value - the fixed variable list (nt_vars.c).  nt_var_index gives
 * the index of a name, or -1.  nt_var_value writes the value of variable `i` (UTF-8,
 * unescaped; "" when the order or event does not carry it) into buf and returns buf.
 */
int nt_var_index(const char *name, size_t len);
const char *nt_var_value(int i, const nt_ctx *ctx, char *buf, size_t buflen);

/* nt_default_dir - the installed template directory compiled in (NT_TEMPLATE_DIR). */
const char *nt_default_dir(void);

#endif
