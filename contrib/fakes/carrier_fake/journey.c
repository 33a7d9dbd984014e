#include "config.h"

#include "journey.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- first-seen registry: open addressing, FNV-1a, grows at 50% load ------------------- */

typedef struct slot {
    char *number;
    int64_t first_ms;
} slot;

struct jr_registry {
    pthread_mutex_t lock;
    slot *slots;
    size_t cap, used;
};

#define MAX_NUMBER 64
#define MAX_TRACKED (4u << 20) /* beyond this a number is "first seen" on every request */

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

jr_registry *jr_new(void)
{
    jr_registry *g = calloc(1, sizeof(*g));
    if (g == NULL)
        return NULL;
    g->cap = 1024;
    g->slots = calloc(g->cap, sizeof(slot));
    if (g->slots == NULL) {
        free(g);
        return NULL;
    }
    pthread_mutex_init(&g->lock, NULL);
    return g;
}

static void clear(jr_registry *g)
{
    for (size_t i = 0; i < g->cap; i++) {
        free(g->slots[i].number);
        g->slots[i] = (slot){0};
    }
    g->used = 0;
}

void jr_free(jr_registry *g)
{
    if (g == NULL)
        return;
    clear(g);
    free(g->slots);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

void jr_reset(jr_registry *g)
{
    pthread_mutex_lock(&g->lock);
    clear(g);
    pthread_mutex_unlock(&g->lock);
}

size_t jr_count(jr_registry *g)
{
    pthread_mutex_lock(&g->lock);
    size_t n = g->used;
    pthread_mutex_unlock(&g->lock);
    return n;
}

static slot *find(slot *slots, size_t cap, const char *number)
{
    size_t i = fnv(number) & (cap - 1);
    while (slots[i].number != NULL && strcmp(slots[i].number, number) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int grow(jr_registry *g)
{
    size_t cap = g->cap * 2;
    slot *s = calloc(cap, sizeof(slot));
    if (s == NULL)
        return -1;
    for (size_t i = 0; i < g->cap; i++)
        if (g->slots[i].number != NULL)
            *find(s, cap, g->slots[i].number) = g->slots[i];
    free(g->slots);
    g->slots = s;
    g->cap = cap;
    return 0;
}

/* First-seen instant of number, registering it at now_ms when new. */
static int64_t first_seen(jr_registry *g, const char *number, int64_t now_ms)
{
    int64_t t = now_ms;
    pthread_mutex_lock(&g->lock);
    slot *s = find(g->slots, g->cap, number);
    if (s->number != NULL) {
        t = s->first_ms;
    } else if (g->used < MAX_TRACKED && (2 * (g->used + 1) <= g->cap || grow(g) == 0)) {
        s = find(g->slots, g->cap, number);
        s->number = strdup(number);
        if (s->number != NULL) {
            s->first_ms = now_ms;
            g->used++;
        }
    }
    pthread_mutex_unlock(&g->lock);
    return t;
}

/* ---- number scheme ------------------------------------------------------------------- */

/* The last and second-to-last digits of the number (-1 when there are none). */
static void last_digits(const char *number, int *last, int *before)
{
    *last = *before = -1;
    for (const char *p = number; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            *before = *last;
            *last = *p - '0';
        }
    }
}

jr_kind jr_kind_of(const char *number)
{
    static const jr_kind by_digit[10] = {JR_NORMAL,  JR_NORMAL, JR_NORMAL,  JR_NORMAL,
                                         JR_DELAYED, JR_DAMAGED, JR_ADDRESS, JR_LOST,
                                         JR_RETURNED, JR_NOT_FOUND};
    int last, before;
    last_digits(number, &last, &before);
    return last < 0 ? JR_NORMAL : by_digit[last];
}

int jr_transit_count(const char *number)
{
    int last, before;
    last_digits(number, &last, &before);
    return 2 + (before < 0 ? 0 : before % 3);
}

const char *jr_kind_name(jr_kind k)
{
    static const char *names[] = {"normal", "delayed",  "damaged",  "address",
                                  "lost",   "returned", "not_found"};
    return names[k];
}

/* ---- plans --------------------------------------------------------------------------- */

typedef struct step {
    jr_stage stage;
    jr_place place;
    int hub;
    int vis;       /* steps after the previous scan before this one is visible */
    int story_min; /* story minutes after the previous scan */
} step;

static int add(step *p, int n, jr_stage st, jr_place pl, int hub, int vis, int story_min)
{
    if (n < JR_MAX_SCANS)
        p[n++] = (step){st, pl, hub, vis, story_min};
    return n;
}

static int add_transit(step *p, int n, int count, int vis)
{
    for (int k = 0; k < count; k++)
        n = add(p, n, k % 2 == 0 ? ST_ARRIVE : ST_DEPART, PL_HUB, k / 2, vis,
                k % 2 == 0 ? 215 : 95);
    return n;
}

static int plan(jr_kind kind, int transit, step *p)
{
    int n = 0;
    n = add(p, n, ST_LABEL, PL_ORIGIN, 0, 0, 0);
    n = add(p, n, ST_PICKUP, PL_ORIGIN, 0, 1, 187);
    switch (kind) {
    case JR_NORMAL:
        n = add_transit(p, n, transit, 1);
        n = add(p, n, ST_OUT_FOR_DELIVERY, PL_DEST, 0, 1, 610);
        n = add(p, n, ST_DELIVERED, PL_DEST, 0, 1, 263);
        break;
    case JR_DELAYED: /* long stalls around a weather delay, then delivered */
        n = add_transit(p, n, transit, 1);
        n = add(p, n, ST_DELAY, PL_HUB, (transit - 1) / 2, 4, 1517);
        n = add(p, n, ST_DEPART, PL_HUB, (transit - 1) / 2, 4, 1423);
        n = add(p, n, ST_OUT_FOR_DELIVERY, PL_DEST, 0, 1, 611);
        n = add(p, n, ST_DELIVERED, PL_DEST, 0, 1, 158);
        break;
    case JR_DAMAGED:
        n = add_transit(p, n, transit, 1);
        n = add(p, n, ST_DAMAGED, PL_HUB, (transit - 1) / 2, 1, 142);
        break;
    case JR_ADDRESS:
        n = add_transit(p, n, transit, 1);
        n = add(p, n, ST_OUT_FOR_DELIVERY, PL_DEST, 0, 1, 605);
        n = add(p, n, ST_ADDRESS, PL_DEST, 0, 1, 247);
        break;
    case JR_LOST: /* the scans simply stop */
        n = add_transit(p, n, transit, 1);
        break;
    case JR_RETURNED:
        n = add_transit(p, n, transit, 1);
        n = add(p, n, ST_OUT_FOR_DELIVERY, PL_DEST, 0, 1, 602);
        n = add(p, n, ST_RETURN_START, PL_DEST, 0, 1, 219);
        n = add(p, n, ST_RETURNED, PL_ORIGIN, 0, 2, 2941);
        break;
    case JR_NOT_FOUND:
        return 0;
    }
    return n;
}

static const char *const signers[] = {"J GARCIA", "M TREMBLAY", "A SMITH", "K MUELLER",
                                      "L NGUYEN", "R PATEL",    "S OKAFOR", "E ROSSI"};

void jr_view_get(const fk_req *r, const char *number, jr_view *v)
{
    step p[JR_MAX_SCANS];
    char num[MAX_NUMBER + 1];
    snprintf(num, sizeof(num), "%s", number);
    *v = (jr_view){.kind = jr_kind_of(num), .seed = fnv(num)};
    v->total = plan(v->kind, jr_transit_count(num), p);
    if (v->total == 0)
        return;
    int64_t anchor_ms, elapsed_ms;
    if (r->cfg->clock_s != 0) {
        anchor_ms = r->cfg->clock_s * 1000;
        elapsed_ms = INT64_MAX;
    } else {
        anchor_ms = first_seen(r->journeys, num, r->now_ms);
        elapsed_ms = r->now_ms - anchor_ms;
    }
    int story_total = 0;
    for (int i = 0; i < v->total; i++)
        story_total += p[i].story_min;
    /* Scan i is stamped (story_total - story_cum[i]) minutes before the anchor, then
     * rounded down to whole minutes plus a per-number second, as carriers' clocks are. */
    int64_t base = anchor_ms / 1000 - (int64_t)story_total * 60;
    base -= base % 60;
    int64_t vis_cum = 0, story_cum = 0;
    for (int i = 0; i < v->total; i++) {
        vis_cum += p[i].vis;
        story_cum += p[i].story_min;
        int64_t when = base + story_cum * 60 + (int64_t)((v->seed >> (i % 24)) % 60);
        if (i == 0)
            v->ship_when = when;
        bool visible = elapsed_ms == INT64_MAX || elapsed_ms >= vis_cum * r->cfg->step_ms;
        if (!visible || (r->scans_limit >= 0 && v->nscans >= r->scans_limit))
            break;
        v->scans[v->nscans++] = (jr_scan){p[i].stage, p[i].place, p[i].hub, when};
    }
    /* The promised date: a day and a bit after the label, whatever happens next. */
    v->eta = v->ship_when + 2 * 86400;
    if (jr_delivered(v))
        v->signer = signers[v->seed % (sizeof(signers) / sizeof(signers[0]))];
}

bool jr_delivered(const jr_view *v)
{
    return v->nscans > 0 && v->scans[v->nscans - 1].stage == ST_DELIVERED;
}
