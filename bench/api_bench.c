/*
 * api_bench - an HTTP load generator for order ingest: K keep-alive connections, each
 * POSTing varied, valid orders (unique ids, 1 to 4 items, varied prices and totals) with a
 * bearer token, one request in flight per connection.  See bench/README.md.
 *
 *   api_bench --url URL [--token T] [--connections K] [--orders N] [--warmup M]
 *             [--threads C] [--max-seconds T] [--server-pid PID] [--label NAME]
 *             [--id-prefix P]
 *
 * The token comes from --token or, better (it stays out of `ps`), $API_BENCH_TOKEN.
 * $API_BENCH_VERBOSE (any value) turns on libcurl's trace of every transfer, for debugging.
 * libcurl's multi interface driven by epoll (curl_multi_socket_action): the client's cost
 * per request does not grow with K.  A new request goes out on a connection as soon as its
 * previous answer has been read.  M warm-up requests are sent and drained first and are not
 * counted; the measured window runs from the first measured request to the last measured
 * answer.
 *
 * A request succeeds when it is answered 201 and the answer names the order's id.  Latency
 * of a request = time its answer was complete - time it was handed to libcurl, as the
 * client sees it (it includes the client's own queueing on a busy machine).
 *
 * CPU: the client's own (getrusage), the server's when --server-pid is given (utime+stime
 * from /proc/PID/stat), and the whole machine's (/proc/stat), all over the measured window:
 * the client and the server share the same cores, and anything else running takes from
 * both.
 *
 * Exit status: 0 when every request sent succeeded (a run cut short by --max-seconds
 * reports what it measured, marked TRUNCATED, and still exits 0); 1 otherwise; 2 on bad
 * options.
 */
#include "config.h"

#include <curl/curl.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 8
#define MAX_CONNECTIONS 4096
#define BODY_MAX 2048
#define RESP_MAX 512
#define STATUS_SLOTS 600 /* index 0: no HTTP answer (transport error) */

/* ---- options ----------------------------------------------------------------------------- */

typedef struct options {
    const char *url;
    const char *token;
    const char *label;
    const char *id_prefix;
    int connections;
    int threads;
    long orders;
    long warmup;
    double max_seconds; /* the whole run, warm-up included */
    long server_pid;
} options;

/* ---- shared state ------------------------------------------------------------------------ */

typedef struct bench {
    const options *opt;
    char url[1024];
    struct curl_slist *headers;
    char prefix[48];
    int64_t deadline_ns;
    atomic_long next;      /* next request index to send in the current phase */
    long phase_end;        /* requests [.., phase_end) belong to the current phase */
    atomic_int truncated;
    int64_t *lat;          /* measured requests' latency (ns), -1 until answered */
    atomic_long sent;      /* all phases */
    atomic_long answered;  /* all phases, whatever the answer */
    atomic_long ok;        /* 201 with the id */
    atomic_long measured_answered;
    atomic_long measured_ok;
    atomic_long status[STATUS_SLOTS];
    atomic_long bad_body;  /* 201 without the order's id in the answer */
    atomic_llong last_answer_ns;
    atomic_long connects;  /* new connections opened, summed over the transfers */
    pthread_mutex_t mu;
    char first_error[STATUS_SLOTS][160]; /* first answer seen for each failing status */
    char first_bad_body[RESP_MAX];
} bench;

struct worker;

typedef struct slot {
    struct worker *w;
    CURL *h;
    long index;            /* request index (warm-up first, then measured) */
    int64_t start_ns;
    char id[64];
    char body[BODY_MAX];
    size_t body_len;
    char resp[RESP_MAX];
    size_t resp_len;
    char errbuf[CURL_ERROR_SIZE];
} slot;

typedef struct worker {
    bench *b;
    int index;
    CURLM *m;
    int ep;
    int64_t timer_due_ns;  /* when libcurl wants CURL_SOCKET_TIMEOUT; -1: not wanted */
    slot *slots;
    int nslots;
    int in_flight;
} worker;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- orders -------------------------------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

static const char *const skus[] = {"MUG-BLUE-12OZ", "MUG-RED-12OZ",  "COASTER-4PK",
                                   "TEAPOT-1L",     "SPOON-SET-6",   "TRAY-OAK-M",
                                   "CUP-ESPRESSO-2", "KETTLE-STEEL", "SAUCER-WHITE",
                                   "BOWL-CERAMIC-L"};
static const char *const names[] = {"Ada Lovelace",  "Grace Hopper",   "Alan Turing",
                                    "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth",
                                    "Katherine Johnson", "Ken Thompson", "Frances Allen",
                                    "John Backus"};
/* Where orders ship: currency, region (US and CA want one) and a postal-code pattern whose
 * '#' become digits; every code is valid for its country (ZIP, UK postcode, Canadian A1A 1A1,
 * German 5 digits...). */
static const struct {
    const char *city, *country, *currency, *region, *postal;
} places[] = {{"Springfield", "US", "USD", "IL", "627##"},
              {"Austin", "US", "USD", "TX", "787##-####"},
              {"Lyon", "FR", "EUR", NULL, "6900#"},
              {"Leeds", "GB", "GBP", NULL, "LS1 #AP"},
              {"London", "GB", "GBP", NULL, "EC1A #BB"},
              {"Toronto", "CA", "CAD", "ON", "M5V #T#"},
              {"Vancouver", "CA", "CAD", "BC", "V6B #Y#"},
              {"Munich", "DE", "EUR", NULL, "803##"},
              {"Osaka", "JP", "JPY", NULL, "530-00##"},
              {"Porto", "PT", "EUR", NULL, "4000-###"}};
static const char *const levels[] = {"standard", "express", "economy", "overnight"};
static const char *const channels[] = {"web", "ios", "android", "pos"};

#define PICK(arr, r) (arr)[(r) % (sizeof(arr) / sizeof((arr)[0]))]

/* Append to a fixed buffer; the buffer is large enough for any order made below. */
#define PUT(...)                                                                          \
    do {                                                                                  \
        int n_ = snprintf(p, (size_t)(end - p), __VA_ARGS__);                             \
        p += n_ > 0 && n_ < end - p ? n_ : 0;                                             \
    } while (0)

/* Order number `index`: the same varied order on every run, with a unique id. */
static void make_order(const bench *b, slot *s, long index)
{
    uint64_t r = mix64((uint64_t)index);
    uint64_t r2 = mix64(r);
    snprintf(s->id, sizeof(s->id), "%s-%08ld", b->prefix, index);
    char *p = s->body, *end = s->body + sizeof(s->body);
    unsigned nitems = 1 + (unsigned)(r % 4);
    unsigned pl = (unsigned)((r >> 8) % (sizeof(places) / sizeof(places[0])));
    const char *name = PICK(names, r >> 16);
    unsigned seller = 1 + (unsigned)((r >> 24) % 50);
    unsigned buyer = (unsigned)((r >> 32) % 100000);
    PUT("{\"id\":\"%s\",\"seller\":{\"id\":\"s-%u\",\"email\":\"orders@seller%u.example\"},"
        "\"buyer\":{\"id\":\"b-%u\",\"name\":\"%s\",\"email\":\"buyer%u@example.test\","
        "\"phone\":\"+1 555 %04u\"},\"items\":[",
        s->id, seller, seller, buyer, name, buyer, buyer % 10000);
    long long total = 0;
    for (unsigned i = 0; i < nitems; i++) {
        uint64_t ri = mix64(r2 + i);
        unsigned q = 1 + (unsigned)(ri % 3);
        long long price = 199 + (long long)((ri >> 8) % 9801); /* 1.99 .. 99.99 */
        total += q * price;
        PUT("%s{\"sku\":\"%s\",\"quantity\":%u,\"unit_price\":%lld}", i ? "," : "",
            PICK(skus, (ri >> 24) + i), q, price);
    }
    char postal[16];
    size_t k = 0;
    uint64_t rd = r2 >> 12;
    for (const char *f = places[pl].postal; *f && k < sizeof(postal) - 1; f++) {
        postal[k++] = *f == '#' ? (char)('0' + rd % 10) : *f;
        rd = *f == '#' ? rd / 10 : rd;
    }
    postal[k] = '\0';
    PUT("],\"currency\":\"%s\",\"total\":%lld,"
        "\"shipping_address\":{\"name\":\"%s\",\"street1\":\"%u Main St\",\"city\":\"%s\"",
        places[pl].currency, total, name, 1 + (unsigned)((r2 >> 40) % 999), places[pl].city);
    if (places[pl].region != NULL)
        PUT(",\"region\":\"%s\"", places[pl].region);
    PUT(",\"postal_code\":\"%s\",\"country\":\"%s\"},"
        "\"payment\":{\"token\":\"tok_visa_%04u\"},\"service_level\":\"%s\"",
        postal, places[pl].country, (unsigned)((r2 >> 4) % 10000), PICK(levels, r2 >> 50));
    if ((r2 >> 56) % 2 == 0)
        PUT(",\"metadata\":{\"channel\":\"%s\",\"cart\":\"c%u\"}", PICK(channels, r2 >> 58),
            (unsigned)(r % 1000000));
    PUT("}");
    s->body_len = (size_t)(p - s->body);
}

/* ---- libcurl: epoll-driven multi ----------------------------------------------------------- */

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    slot *s = arg;
    size_t len = size * n, room = sizeof(s->resp) - 1 - s->resp_len;
    size_t take = len < room ? len : room;
    memcpy(s->resp + s->resp_len, data, take);
    s->resp_len += take;
    s->resp[s->resp_len] = '\0';
    return len;
}

static int on_socket(CURL *e, curl_socket_t fd, int what, void *arg, void *sockp)
{
    worker *w = arg;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL); /* may already be closed: fine */
        return 0;
    }
    struct epoll_event ev = {.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) |
                                       (what & CURL_POLL_OUT ? EPOLLOUT : 0u),
                             .data.fd = fd};
    if (sockp == NULL) {
        if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
            epoll_ctl(w->ep, EPOLL_CTL_MOD, fd, &ev);
        curl_multi_assign(w->m, fd, w); /* any non-NULL mark: registered */
    } else if (epoll_ctl(w->ep, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT) {
        epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev);
    }
    return 0;
}

static int on_timer(CURLM *m, long timeout_ms, void *arg)
{
    worker *w = arg;
    w->timer_due_ns = timeout_ms < 0 ? -1 : mono_ns() + (int64_t)timeout_ms * 1000000;
    return 0;
}

static int past_deadline(const bench *b)
{
    return mono_ns() >= b->deadline_ns;
}

/* Send the next request of the phase on slot s; 0, or -1 when the phase has none left. */
static int send_next(worker *w, slot *s)
{
    bench *b = w->b;
    if (atomic_load(&b->truncated))
        return -1;
    if (past_deadline(b)) {
        atomic_store(&b->truncated, 1);
        return -1;
    }
    long i = atomic_fetch_add(&b->next, 1);
    if (i >= b->phase_end)
        return -1;
    s->index = i;
    s->resp_len = 0;
    s->resp[0] = '\0';
    s->errbuf[0] = '\0';
    make_order(b, s, i);
    curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE, (long)s->body_len);
    atomic_fetch_add(&b->sent, 1);
    s->start_ns = mono_ns();
    if (curl_multi_add_handle(w->m, s->h) != CURLM_OK) {
        fprintf(stderr, "api_bench: curl_multi_add_handle failed\n");
        exit(1);
    }
    w->in_flight++;
    return 0;
}

static void record(bench *b, slot *s, CURLcode cc)
{
    int64_t now = mono_ns();
    long status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
    long nconn = 0;
    curl_easy_getinfo(s->h, CURLINFO_NUM_CONNECTS, &nconn);
    atomic_fetch_add(&b->connects, nconn);
    int slot_no = status > 0 && status < STATUS_SLOTS ? (int)status : 0;
    atomic_fetch_add(&b->status[slot_no], 1);
    int good = 0;
    if (status == 201) {
        char want[96];
        snprintf(want, sizeof(want), "\"id\":\"%s\"", s->id);
        good = strstr(s->resp, want) != NULL;
        if (!good && atomic_fetch_add(&b->bad_body, 1) == 0) {
            pthread_mutex_lock(&b->mu);
            snprintf(b->first_bad_body, sizeof(b->first_bad_body), "%s", s->resp);
            pthread_mutex_unlock(&b->mu);
        }
    } else {
        pthread_mutex_lock(&b->mu);
        if (b->first_error[slot_no][0] == '\0')
            snprintf(b->first_error[slot_no], sizeof(b->first_error[slot_no]), "%s",
                     cc != CURLE_OK ? (s->errbuf[0] ? s->errbuf : curl_easy_strerror(cc))
                                    : s->resp);
        pthread_mutex_unlock(&b->mu);
    }
    atomic_fetch_add(&b->answered, 1);
    if (good)
        atomic_fetch_add(&b->ok, 1);
    long first = b->opt->warmup;
    if (s->index >= first) {
        b->lat[s->index - first] = now - s->start_ns;
        atomic_fetch_add(&b->measured_answered, 1);
        if (good)
            atomic_fetch_add(&b->measured_ok, 1);
        long long seen = atomic_load(&b->last_answer_ns);
        while (seen < now && !atomic_compare_exchange_weak(&b->last_answer_ns, &seen, now))
            ;
    }
}

/* Finished transfers: record them and put each connection straight back to work. */
static void reap(worker *w)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(w->m, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *h = msg->easy_handle;
        CURLcode cc = msg->data.result;
        slot *s = NULL;
        curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&s);
        record(w->b, s, cc);
        curl_multi_remove_handle(w->m, h);
        w->in_flight--;
        send_next(w, s);
    }
}

/* One phase on this worker's connections: until the phase has no requests left and every
 * request sent has been answered (or has failed). */
static void *phase_main(void *arg)
{
    worker *w = arg;
    int running = 0;
    for (int i = 0; i < w->nslots; i++) {
        if (send_next(w, &w->slots[i]) != 0)
            break;
    }
    struct epoll_event evs[64];
    while (w->in_flight > 0) {
        /* libcurl's timer (a new transfer wants a call at once; a timeout is due): kept as
         * an absolute time, so a steady stream of socket events cannot starve it. */
        int64_t now = mono_ns();
        if (w->timer_due_ns >= 0 && now >= w->timer_due_ns) {
            w->timer_due_ns = -1;
            curl_multi_socket_action(w->m, CURL_SOCKET_TIMEOUT, 0, &running);
            reap(w);
            continue;
        }
        int64_t left_ms = w->timer_due_ns < 0 ? 200 : (w->timer_due_ns - now) / 1000000 + 1;
        int n = epoll_wait(w->ep, evs, 64, left_ms > 200 ? 200 : (int)left_ms);
        if (n < 0 && errno != EINTR) {
            perror("api_bench: epoll_wait");
            exit(1);
        }
        for (int i = 0; i < n; i++) {
            int mask = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                       (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                       (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            curl_multi_socket_action(w->m, evs[i].data.fd, mask, &running);
        }
        reap(w);
    }
    return NULL;
}

static int worker_init(bench *b, worker *w, int index, int nslots)
{
    const options *opt = b->opt;
    *w = (worker){.b = b, .index = index, .timer_due_ns = -1, .nslots = nslots};
    w->m = curl_multi_init();
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    w->slots = calloc((size_t)nslots, sizeof(slot));
    if (w->m == NULL || w->ep < 0 || w->slots == NULL)
        return -1;
    curl_multi_setopt(w->m, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(w->m, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->m, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(w->m, CURLMOPT_TIMERDATA, w);
    /* Exactly one connection per slot, kept open between requests; no pipelining. */
    curl_multi_setopt(w->m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)nslots);
    curl_multi_setopt(w->m, CURLMOPT_MAXCONNECTS, (long)nslots);
    curl_multi_setopt(w->m, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
    for (int i = 0; i < nslots; i++) {
        slot *s = &w->slots[i];
        s->w = w;
        s->h = curl_easy_init();
        if (s->h == NULL)
            return -1;
        curl_easy_setopt(s->h, CURLOPT_URL, b->url);
        curl_easy_setopt(s->h, CURLOPT_PROXY, "");          /* loopback: never a proxy */
        curl_easy_setopt(s->h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(s->h, CURLOPT_POST, 1L);
        curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, s->body);
        curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, b->headers);
        curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
        curl_easy_setopt(s->h, CURLOPT_PRIVATE, s);
        curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->errbuf);
        curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(s->h, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(s->h, CURLOPT_TIMEOUT_MS,
                         (long)(opt->max_seconds * 1000) + 30000L);
        curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
        if (getenv("API_BENCH_VERBOSE") != NULL) /* libcurl's trace of every transfer */
            curl_easy_setopt(s->h, CURLOPT_VERBOSE, 1L);
    }
    return 0;
}

static void worker_free(worker *w)
{
    for (int i = 0; w->slots != NULL && i < w->nslots; i++) {
        if (w->slots[i].h != NULL) {
            curl_multi_remove_handle(w->m, w->slots[i].h);
            curl_easy_cleanup(w->slots[i].h);
        }
    }
    free(w->slots);
    if (w->m != NULL)
        curl_multi_cleanup(w->m);
    if (w->ep >= 0)
        close(w->ep);
}

/* Requests [from, to) over every worker's connections; returns when all are answered. */
static void run_phase(bench *b, worker *ws, int n, long from, long to)
{
    atomic_store(&b->next, from);
    b->phase_end = to;
    pthread_t th[MAX_THREADS];
    for (int i = 1; i < n; i++) {
        if (pthread_create(&th[i], NULL, phase_main, &ws[i]) != 0) {
            fprintf(stderr, "api_bench: cannot start a client thread\n");
            exit(1);
        }
    }
    phase_main(&ws[0]);
    for (int i = 1; i < n; i++)
        pthread_join(th[i], NULL);
}

/* ---- CPU accounting -------------------------------------------------------------------------- */

#define MAX_TASKS 64

typedef struct task_cpu {
    long tid;
    char comm[20];
    double cpu_s;
} task_cpu;

typedef struct cpu_snap {
    double self_s;            /* this process, user + sys */
    double server_s;          /* --server-pid, user + sys; -1 unknown */
    double machine_busy_s;    /* all cores: not idle, not iowait */
    double machine_total_s;
    task_cpu tasks[MAX_TASKS]; /* the server's threads */
    int ntasks;
} cpu_snap;

/* utime + stime of /proc/PID/stat or /proc/PID/task/TID/stat (tid > 0); comm if asked. */
static double proc_cpu_s(long pid, long tid, char *comm, size_t commlen)
{
    char path[96], buf[1024];
    if (tid > 0)
        snprintf(path, sizeof(path), "/proc/%ld/task/%ld/stat", pid, tid);
    else
        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* after the command name */
    const char *open = strchr(buf, '(');
    if (comm != NULL && open != NULL && p != NULL && p > open)
        snprintf(comm, commlen, "%.*s", (int)(p - open - 1), open + 1);
    unsigned long long ut = 0, st = 0;
    if (p == NULL ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void machine_cpu(double *busy, double *total)
{
    unsigned long long v[8] = {0};
    *busy = *total = 0;
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return;
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (n < 4)
        return;
    unsigned long long all = 0;
    for (int i = 0; i < 8; i++)
        all += v[i];
    double hz = (double)sysconf(_SC_CLK_TCK);
    *total = (double)all / hz;
    *busy = (double)(all - v[3] - v[4]) / hz; /* minus idle and iowait */
}

static void cpu_now(const options *opt, cpu_snap *c)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    c->self_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    c->server_s = opt->server_pid > 0 ? proc_cpu_s(opt->server_pid, 0, NULL, 0) : -1;
    c->ntasks = 0;
    if (opt->server_pid > 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%ld/task", opt->server_pid);
        DIR *d = opendir(path);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL && c->ntasks < MAX_TASKS) {
            long tid = atol(e->d_name);
            if (tid <= 0)
                continue;
            task_cpu *t = &c->tasks[c->ntasks];
            t->tid = tid;
            t->cpu_s = proc_cpu_s(opt->server_pid, tid, t->comm, sizeof(t->comm));
            if (t->cpu_s >= 0)
                c->ntasks++;
        }
        if (d != NULL)
            closedir(d);
    }
    machine_cpu(&c->machine_busy_s, &c->machine_total_s);
}

static int cmp_task(const void *a, const void *b)
{
    double x = ((const task_cpu *)a)->cpu_s, y = ((const task_cpu *)b)->cpu_s;
    return (x < y) - (x > y);
}

/* The server's threads by CPU over the window, busiest first. */
static void print_threads(const cpu_snap *c0, const cpu_snap *c1, double wall)
{
    task_cpu d[MAX_TASKS];
    int n = 0;
    for (int i = 0; i < c1->ntasks; i++) {
        d[n] = c1->tasks[i];
        for (int k = 0; k < c0->ntasks; k++) {
            if (c0->tasks[k].tid == c1->tasks[i].tid)
                d[n].cpu_s -= c0->tasks[k].cpu_s;
        }
        n++;
    }
    qsort(d, (size_t)n, sizeof(d[0]), cmp_task);
    printf("    server threads  ");
    for (int j = 0; j < n && j < 8 && d[j].cpu_s / wall >= 0.005; j++)
        printf(" %s/%ld %.2f", d[j].comm, d[j].tid, d[j].cpu_s / wall);
    printf("  (cores, busiest first)\n");
}

/* ---- main ---------------------------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: api_bench --url URL [options]\n"
            "  --url URL          the orders endpoint, e.g. http://127.0.0.1:8080/v1/orders\n"
            "                     (a URL without a path gets /v1/orders)\n"
            "  --token T          bearer token (default $API_BENCH_TOKEN; the environment keeps\n"
            "                     it out of ps)\n"
            "  --connections K    keep-alive connections, one request in flight on each\n"
            "                     (default 64; keep it under 128 against libmicrohttpd's epoll\n"
            "                     mode, see bench/README.md)\n"
            "  --orders N         measured requests (default 50000)\n"
            "  --warmup M         requests sent and drained first, not counted (default 5000)\n"
            "  --threads C        client threads sharing the K connections, 1..%d (default 1)\n"
            "  --max-seconds T    bound on the whole run, warm-up included; a run cut short is\n"
            "                     marked TRUNCATED (default 120)\n"
            "  --server-pid PID   also report that process's CPU over the measured window\n"
            "  --label NAME       name on the RESULT line (default api)\n"
            "  --id-prefix P      order ids are P-<8 digits> (default ab<pid><time>, unique)\n",
            MAX_THREADS);
    exit(status);
}

int main(int argc, char **argv)
{
    options opt = {.connections = 64, .threads = 1, .orders = 50000, .warmup = 5000,
                   .max_seconds = 120, .label = "api"};
    static const struct option longs[] = {
        {"url", required_argument, NULL, 'U'},         {"token", required_argument, NULL, 'T'},
        {"connections", required_argument, NULL, 'k'}, {"orders", required_argument, NULL, 'n'},
        {"warmup", required_argument, NULL, 'u'},      {"threads", required_argument, NULL, 'c'},
        {"max-seconds", required_argument, NULL, 't'},
        {"server-pid", required_argument, NULL, 'p'},  {"label", required_argument, NULL, 'L'},
        {"id-prefix", required_argument, NULL, 'I'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "U:T:k:n:u:c:t:p:L:I:h", longs, NULL)) != -1) {
        switch (c) {
        case 'U': opt.url = optarg; break;
        case 'T': opt.token = optarg; break;
        case 'k': opt.connections = atoi(optarg); break;
        case 'n': opt.orders = atol(optarg); break;
        case 'u': opt.warmup = atol(optarg); break;
        case 'c': opt.threads = atoi(optarg); break;
        case 't': opt.max_seconds = atof(optarg); break;
        case 'p': opt.server_pid = atol(optarg); break;
        case 'L': opt.label = optarg; break;
        case 'I': opt.id_prefix = optarg; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    if (opt.token == NULL)
        opt.token = getenv("API_BENCH_TOKEN");
    if (optind != argc || opt.url == NULL || opt.token == NULL || *opt.token == '\0' ||
        opt.connections < 1 || opt.connections > MAX_CONNECTIONS || opt.orders < 1 ||
        opt.warmup < 0 || opt.threads < 1 || opt.threads > MAX_THREADS ||
        opt.threads > opt.connections || opt.max_seconds <= 0 ||
        (opt.id_prefix != NULL && (strlen(opt.id_prefix) == 0 || strlen(opt.id_prefix) > 40 ||
                                   strspn(opt.id_prefix, "abcdefghijklmnopqrstuvwxyz"
                                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                         "0123456789-_") !=
                                       strlen(opt.id_prefix))))
        usage(2);
    if (strncmp(opt.url, "http://", 7) != 0) {
        fprintf(stderr, "api_bench: --url must start with http://\n");
        return 2;
    }

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "api_bench: curl_global_init failed\n");
        return 1;
    }
    bench *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return 1;
    b->opt = &opt;
    pthread_mutex_init(&b->mu, NULL);
    snprintf(b->url, sizeof(b->url), "%s%s", opt.url,
             strchr(opt.url + 7, '/') == NULL ? "/v1/orders" : "");
    if (opt.id_prefix != NULL)
        snprintf(b->prefix, sizeof(b->prefix), "%s", opt.id_prefix);
    else
        snprintf(b->prefix, sizeof(b->prefix), "ab%lx%lx", (unsigned long)getpid(),
                 (unsigned long)time(NULL));
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", opt.token);
    b->headers = curl_slist_append(b->headers, auth);
    b->headers = curl_slist_append(b->headers, "Content-Type: application/json");
    b->headers = curl_slist_append(b->headers, "Expect:"); /* no 100-continue round trip */
    b->lat = malloc((size_t)opt.orders * sizeof(*b->lat));
    if (b->headers == NULL || b->lat == NULL)
        return 1;
    for (long i = 0; i < opt.orders; i++)
        b->lat[i] = -1;

    worker ws[MAX_THREADS];
    for (int i = 0; i < opt.threads; i++) {
        int per = opt.connections / opt.threads + (i < opt.connections % opt.threads);
        if (worker_init(b, &ws[i], i, per) != 0) {
            fprintf(stderr, "api_bench: cannot set up client %d\n", i);
            return 1;
        }
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (opt.connections >= 127)
        fprintf(stderr, "api_bench: warning: with %d connections a libmicrohttpd server in "
                "epoll mode can stall for its connection timeout when 128 of them are ready "
                "at once (see bench/README.md)\n", opt.connections);
    printf("api_bench: POST %s, %ld orders (+%ld warm-up), %d keep-alive connection(s), "
           "%d client thread(s); the client and the server share this machine's %ld core(s), "
           "so the client's CPU is taken from the server's\n",
           b->url, opt.orders, opt.warmup, opt.connections, opt.threads, ncpu);
    fflush(stdout);

    b->deadline_ns = mono_ns() + (int64_t)(opt.max_seconds * 1e9);
    if (opt.warmup > 0)
        run_phase(b, ws, opt.threads, 0, opt.warmup);
    long warm_conn = atomic_load(&b->connects);
    cpu_snap c0, c1;
    cpu_now(&opt, &c0);
    int64_t t0 = mono_ns();
    if (!atomic_load(&b->truncated))
        run_phase(b, ws, opt.threads, opt.warmup, opt.warmup + opt.orders);
    int64_t t1 = atomic_load(&b->last_answer_ns);
    cpu_now(&opt, &c1);

    long measured = atomic_load(&b->measured_answered);
    long measured_ok = atomic_load(&b->measured_ok);
    double secs = t1 > t0 ? (double)(t1 - t0) / 1e9 : 0;
    double rate = secs > 0 ? (double)measured_ok / secs : 0;
    double p50 = 0, p90 = 0, p99 = 0, pmax = 0, mean = 0;
    if (measured > 0) {
        int64_t *lat = malloc((size_t)measured * sizeof(*lat));
        long n = 0;
        double sum = 0;
        for (long i = 0; lat != NULL && i < opt.orders; i++) {
            if (b->lat[i] >= 0 && n < measured) {
                lat[n++] = b->lat[i];
                sum += (double)b->lat[i];
            }
        }
        if (n > 0) {
            qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
            p50 = (double)lat[(n - 1) * 50 / 100] / 1e6;
            p90 = (double)lat[(n - 1) * 90 / 100] / 1e6;
            p99 = (double)lat[(n - 1) * 99 / 100] / 1e6;
            pmax = (double)lat[n - 1] / 1e6;
            mean = sum / (double)n / 1e6;
        }
        free(lat);
    }
    long failed = atomic_load(&b->answered) - atomic_load(&b->ok);
    int truncated = atomic_load(&b->truncated);

    printf("[%s]\n", opt.label);
    printf("    measured         %ld requests in %.3f s (+%ld warm-up), %ld succeeded, %ld "
           "failed (all phases)%s\n",
           measured, secs, opt.warmup, measured_ok, failed,
           truncated ? "  ** TRUNCATED by --max-seconds **" : "");
    printf("    orders/s         %.0f   (201 with the order's id, per second of the measured "
           "window)\n",
           rate);
    printf("    latency ms       p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (mean %.2f; %d "
           "connections in flight, so mean ~ K / throughput)\n",
           p50, p90, p99, pmax, mean, opt.connections);
    printf("    answers          ");
    for (int s = 1; s < STATUS_SLOTS; s++) {
        long v = atomic_load(&b->status[s]);
        if (v > 0)
            printf("%d: %ld  ", s, v);
    }
    if (atomic_load(&b->status[0]) > 0)
        printf("no HTTP answer: %ld", atomic_load(&b->status[0]));
    printf("  (all phases)\n");
    for (int s = 0; s < STATUS_SLOTS; s++) {
        if (atomic_load(&b->status[s]) > 0 && b->first_error[s][0] != '\0')
        {
            if (s > 0)
                printf("      first %d answer: %s\n", s, b->first_error[s]);
            else
                printf("      first failure without an answer: %s\n", b->first_error[0]);
        }
    }
    if (atomic_load(&b->bad_body) > 0)
        printf("      201 without the order's id: %ld  first: %s\n", atomic_load(&b->bad_body),
               b->first_bad_body);
    long conns = atomic_load(&b->connects);
    printf("    connections      %ld opened (%ld during warm-up); %.0f requests per "
           "connection\n",
           conns, warm_conn, conns ? (double)atomic_load(&b->answered) / (double)conns : 0.0);
    double wall = secs > 0 ? secs : 1;
    double self = c1.self_s - c0.self_s;
    double server = c0.server_s >= 0 && c1.server_s >= 0 ? c1.server_s - c0.server_s : -1;
    double busy = c1.machine_busy_s - c0.machine_busy_s;
    double total = c1.machine_total_s - c0.machine_total_s;
    double cores_busy = total > 0 ? busy / total * (double)ncpu : 0;
    double other = cores_busy - self / wall - (server >= 0 ? server / wall : 0);
    double per = measured > 0 ? 1e6 / (double)measured : 0;
    printf("    cpu              client %.2f cores (%.1f us/request)", self / wall, self * per);
    if (server >= 0)
        printf(", server %.2f cores (%.1f us/request)", server / wall, server * per);
    printf("; machine %.2f of %ld cores busy, other processes %.2f\n", cores_busy, ncpu,
           other > 0 ? other : 0);
    if (server >= 0 && c1.ntasks > 0)
        print_threads(&c0, &c1, wall);
    printf("RESULT label=%s orders=%ld ok=%ld secs=%.3f orders_per_s=%.0f p50_ms=%.3f "
           "p90_ms=%.3f p99_ms=%.3f max_ms=%.3f failed=%ld truncated=%d connections=%d "
           "client_us=%.1f server_us=%.1f busy_cores=%.2f other_cores=%.2f\n",
           opt.label, measured, measured_ok, secs, rate, p50, p90, p99, pmax, failed,
           truncated, opt.connections, self * per, server >= 0 ? server * per : -1.0,
           cores_busy, other > 0 ? other : 0);
    fflush(stdout);

    for (int i = 0; i < opt.threads; i++)
        worker_free(&ws[i]);
    curl_slist_free_all(b->headers);
    curl_global_cleanup();
    int status = failed > 0 || measured_ok == 0 ? 1 : 0;
    if (truncated && failed == 0 && measured_ok > 0)
        status = 0;
    pthread_mutex_destroy(&b->mu);
    free(b->lat);
    free(b);
    return status;
}
