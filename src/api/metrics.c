/*
 * metrics.c - GET /metrics in Prometheus text format: requests by route and status, a latency
 * histogram, open sessions, database size and data-subject requests open and overdue. Counters live
 * in memory, guarded by one mutex.
 */
#include "api/handlers.h"
#include "api/server_int.h"
#include "util/buf.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define METRICS_MAX_SERIES 512
#define METRICS_PAGE_MAX   (4u << 20) /* bytes: 512 series take about 40 KiB */

static const double bucket_le[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

struct series {
    const char *route; /* a route pattern: static storage */
    int status;
    uint64_t count;
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct series g_series[METRICS_MAX_SERIES];
static size_t g_nseries;
static uint64_t g_overflow; /* requests whose (route, status) found no free series */
static uint64_t g_buckets[NBUCKETS];
static uint64_t g_latency_count;
static double g_latency_sum;

void api_metrics_record(const char *route, int status, double seconds)
{
    pthread_mutex_lock(&g_lock);
    size_t i = 0;
    while (i < g_nseries &&
           !(g_series[i].status == status && strcmp(g_series[i].route, route) == 0))
        i++;
    if (i == g_nseries && g_nseries < METRICS_MAX_SERIES)
        g_series[g_nseries++] = (struct series){route, status, 0};
    if (i < g_nseries)
        g_series[i].count++;
    else
        g_overflow++;
    for (size_t b = 0; b < NBUCKETS; b++)
        if (seconds <= bucket_le[b])
            g_buckets[b]++;
    g_latency_count++;
    g_latency_sum += seconds;
    pthread_mutex_unlock(&g_lock);
}

/* The page being written (capped at METRICS_PAGE_MAX) and the first append that failed. */
struct textbuf {
    struct buf b;
    int rc;
};

static void tb_printf(struct textbuf *tb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tb_printf(struct textbuf *tb, const char *fmt, ...)
{
    if (tb->rc < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    tb->rc = buf_vaddf(&tb->b, fmt, ap);
    va_end(ap);
}

void api_get_metrics(struct api_request *req, struct api_response *res)
{
    struct textbuf tb = {.rc = 0};
    buf_init(&tb.b, METRICS_PAGE_MAX);
    pthread_mutex_lock(&g_lock);
    tb_printf(&tb, "# HELP kith_http_requests_total Requests answered, by route and status.\n"
                   "# TYPE kith_http_requests_total counter\n");
    for (size_t i = 0; i < g_nseries; i++)
        tb_printf(&tb, "kith_http_requests_total{route=\"%s\",status=\"%d\"} %" PRIu64 "\n",
                  g_series[i].route, g_series[i].status, g_series[i].count);
    if (g_overflow)
        tb_printf(&tb, "kith_http_requests_total{route=\"(other)\",status=\"\"} %" PRIu64 "\n",
                  g_overflow);
    tb_printf(&tb, "# HELP kith_http_request_duration_seconds Time to answer a request.\n"
                   "# TYPE kith_http_request_duration_seconds histogram\n");
    for (size_t b = 0; b < NBUCKETS; b++)
        tb_printf(&tb, "kith_http_request_duration_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                  bucket_le[b], g_buckets[b]);
    tb_printf(&tb,
              "kith_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n"
              "kith_http_request_duration_seconds_sum %.6f\n"
              "kith_http_request_duration_seconds_count %" PRIu64 "\n",
              g_latency_count, g_latency_sum, g_latency_count);
    pthread_mutex_unlock(&g_lock);

    struct kith_error err = {0};
    int64_t sessions = 0, bytes = 0;
    if (store_count_open_sessions(req->store, store_now_ms(), &sessions, &err) == 0)
        tb_printf(&tb,
                  "# HELP kith_open_sessions Sessions not yet expired.\n"
                  "# TYPE kith_open_sessions gauge\nkith_open_sessions %" PRId64 "\n",
                  sessions);
    if (store_size(req->store, &bytes, &err) == 0)
        tb_printf(&tb,
                  "# HELP kith_database_bytes Size of the database file.\n"
                  "# TYPE kith_database_bytes gauge\nkith_database_bytes %" PRId64 "\n",
                  bytes);
    struct store_dsr_counts dsr;
    if (store_dsr_counts(req->store, store_now_ms(), &dsr, &err) == 0)
        tb_printf(&tb,
                  "# HELP kith_dsr_open Data-subject requests still to be answered (open or"
                  " extended).\n"
                  "# TYPE kith_dsr_open gauge\nkith_dsr_open %" PRId64 "\n"
                  "# HELP kith_dsr_overdue Of those, the ones past their due date.\n"
                  "# TYPE kith_dsr_overdue gauge\nkith_dsr_overdue %" PRId64 "\n",
                  dsr.open, dsr.overdue);
    if (tb.rc < 0) {
        buf_release(&tb.b);
        api_error(res, 500, "internal", NULL, "metrics page: %s", kith_strerror(tb.rc));
        return;
    }
    res->status = 200;
    res->text = buf_detach(&tb.b, &res->text_len);
    res->content_type = "text/plain; version=0.0.4";
}
