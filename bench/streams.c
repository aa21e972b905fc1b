/*
 * streams.c - the device streams benchmark (make bench-streams, bench/streams.sh; issue 16 item
 * 8): readings ingested durably per second through POST /api/v1/streams, against SQLite
 * inserting the same rows directly. Three modes:
 *
 *   bench-streams setup DB N              registers N devices (contacts 1..N) through the store,
 *                                         as the portal does, and prints their tokens, one a line
 *   bench-streams post PORT TOKENS S B    one client thread per token (a file), each on its own
 *                                         keep-alive connection, posts batches of B readings for
 *                                         S seconds; every answer must be 200 with all B accepted
 *   bench-streams direct DB ROWS B        inserts ROWS readings (the same interaction and
 *                                         device_readings rows) with SQLite alone, B per
 *                                         transaction, WAL and synchronous=FULL: each commit
 *                                         durable, as each of kith's answers is
 *
 * A raw-socket HTTP/1.1 client (libcurl is not a dependency of kith). Prints one line for the
 * script: "RESULT <readings> <seconds> <readings/s> <batches>" (post) or "RESULT <readings>
 * <seconds> <readings/s> <CPU seconds>" (direct).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "util/secret.h"

#include "util/banned.h"

#define TOKENS_MAX 64

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fail(const char *what, const char *why)
{
    fprintf(stderr, "bench-streams: %s: %s\n", what, why);
    exit(1);
}

/* ---- setup ---- */

static int setup(const char *db, long n)
{
    struct kith_error err = {0};
    struct store *s;
    if (store_open(db, 0, &s, &err) < 0 || store_begin(s, &err) < 0 ||
        store_telemetry_types_ensure(s, NULL, &err) < 0) /* as the portal's registration does */
        fail(db, err.msg);
    for (long i = 1; i <= n; i++) {
        char token[SECRET_TEXT_SIZE], hash[SECRET_HASH_HEX_SIZE];
        secret_new("kithd_", token);
        secret_hash(token, strlen(token), hash);
        if (store_device_create(s, i, "Bench meter", "meter", hash, store_now_ms(), NULL, &err) < 0)
            fail("registering a device", err.msg);
        printf("%s\n", token);
    }
    if (store_commit(s, &err) < 0)
        fail(db, err.msg);
    store_close(s);
    return 0;
}

/* ---- one reading's line, the same in both modes ---- */

/*
 * Readings are dated from a week before the start, 10 ms apart, each client a day after the
 * previous one: in time order and after the demo's interactions (which end at its "now"), as a
 * device sends them, and never ahead of the server's clock.
 */
static int64_t g_base_ms;

static int reading_line(char *out, size_t size, long seq)
{
    static const char *const types[] = {"device.usage", "device.usage", "device.usage",
                                        "device.alert"};
    char at[40];
    int64_t ms = g_base_ms + (int64_t)seq * 10;
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(at + n, sizeof(at) - n, ".%03dZ", (int)(ms % 1000));
    return snprintf(out, size, "{\"type\":\"%s\",\"at\":\"%s\",\"value\":{\"kwh\":%ld.%ld}}\n",
                    types[seq % 4], at, seq % 97, seq % 10);
}

/* ---- post ---- */

struct client {
    int port;
    const char *token;
    double seconds;
    long batch;
    long readings; /* accepted */
    long requests;
    int id;
};

static atomic_int g_failed;

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        fail("connect", strerror(errno));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0)
            fail("send", strerror(errno));
        p += k;
        n -= (size_t)k;
    }
}

/* Reads one response into buf (size bytes); returns the status, *body at its body. */
static int read_response(int fd, char *buf, size_t size, const char **body)
{
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        ssize_t k = recv(fd, buf + have, size - 1 - have, 0);
        if (k <= 0)
            fail("recv", k == 0 ? "the server closed the connection" : strerror(errno));
        have += (size_t)k;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (!end && have == size - 1)
            fail("recv", "headers too long");
    }
    int status = (int)strtol(buf + 9, NULL, 10); /* "HTTP/1.1 200" */
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    size_t len = cl ? (size_t)strtoul(cl + 17, NULL, 10) : 0, head = (size_t)(end + 4 - buf);
    if (head + len >= size)
        fail("recv", "answer too long");
    while (have < head + len) {
        ssize_t k = recv(fd, buf + have, size - 1 - have, 0);
        if (k <= 0)
            fail("recv", "short body");
        have += (size_t)k;
    }
    buf[head + len] = '\0';
    *body = buf + head;
    return status;
}

static void *client_run(void *arg)
{
    struct client *c = arg;
    size_t cap = (size_t)c->batch * 128 + 1024;
    char *req = malloc(cap + 512), *body = malloc(cap), answer[65536];
    if (!req || !body)
        fail("client", "out of memory");
    int fd = connect_to(c->port);
    char want[64];
    snprintf(want, sizeof(want), "\"accepted\":%ld,", c->batch);
    long seq = (long)c->id * 8640000L; /* a day of readings 10 ms apart per client */
    double end = now_s() + c->seconds;
    while (now_s() < end) {
        size_t n = 0;
        for (long i = 0; i < c->batch; i++)
            n += (size_t)reading_line(body + n, cap - n, seq++);
        int h = snprintf(req, 512,
                         "POST /api/v1/streams HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Authorization: Bearer %s\r\nContent-Type: application/x-ndjson\r\n"
                         "Content-Length: %zu\r\n\r\n",
                         c->token, n);
        memcpy(req + h, body, n);
        send_all(fd, req, (size_t)h + n);
        const char *text;
        int status = read_response(fd, answer, sizeof(answer), &text);
        if (status != 200 || !strstr(text, want)) {
            fprintf(stderr, "bench-streams: client %d: %d %.300s\n", c->id, status, text);
            atomic_store(&g_failed, 1);
            break;
        }
        c->readings += c->batch;
        c->requests++;
    }
    close(fd);
    free(req);
    free(body);
    return NULL;
}

static int post(int port, const char *tokens_file, double seconds, long batch)
{
    static char tokens[TOKENS_MAX][SECRET_TEXT_SIZE];
    struct client clients[TOKENS_MAX];
    pthread_t threads[TOKENS_MAX];
    int n = 0;
    FILE *f = fopen(tokens_file, "r");
    if (!f)
        fail(tokens_file, strerror(errno));
    while (n < TOKENS_MAX && fgets(tokens[n], sizeof(tokens[n]), f)) {
        tokens[n][strcspn(tokens[n], "\n")] = '\0';
        if (tokens[n][0])
            n++;
    }
    fclose(f);
    double start = now_s();
    for (int i = 0; i < n; i++) {
        clients[i] = (struct client){
            .port = port, .token = tokens[i], .seconds = seconds, .batch = batch, .id = i};
        pthread_create(&threads[i], NULL, client_run, &clients[i]);
    }
    long total = 0, requests = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
        total += clients[i].readings;
        requests += clients[i].requests;
    }
    double secs = now_s() - start;
    if (atomic_load(&g_failed))
        return 1;
    printf("RESULT %ld %.3f %.0f %ld\n", total, secs, (double)total / secs, requests);
    return 0;
}

/* ---- direct ---- */

static void check(int rc, sqlite3 *db, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        fail(what, sqlite3_errmsg(db));
}

static int direct(const char *path, long rows, long batch)
{
    sqlite3 *db;
    sqlite3_stmt *ins, *link, *seen;
    check(sqlite3_open(path, &db), db, path);
    check(sqlite3_exec(db,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                       NULL, NULL, NULL),
          db, "pragmas");
    check(sqlite3_prepare_v2(db,
                             "INSERT INTO interactions (created_at, contact_id, type_id,"
                             " occurred_at, channel, direction, rv, cost, notes, source)"
                             " VALUES (?1, 1, (SELECT id FROM interaction_types WHERE code = ?2),"
                             " ?3, 'device', 'inbound', 0, 0, ?4, 'device')",
                             -1, &ins, NULL),
          db, "prepare");
    check(sqlite3_prepare_v2(db,
                             "INSERT INTO device_readings (interaction_id, device_id)"
                             " VALUES (?1, 1)",
                             -1, &link, NULL),
          db, "prepare");
    check(sqlite3_prepare_v2(db,
                             "UPDATE devices SET last_seen_at = ?1, readings = readings + ?2"
                             " WHERE id = 1",
                             -1, &seen, NULL),
          db, "prepare");
    double start = now_s();
    char line[256];
    for (long done = 0; done < rows;) {
        check(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), db, "begin");
        long n = rows - done < batch ? rows - done : batch;
        for (long i = 0; i < n; i++, done++) {
            /* the same values kith stores: type and time and value from the same line */
            reading_line(line, sizeof(line), done);
            char *type = strstr(line, "device."), *q = strchr(type, '"');
            char *value = strstr(line, "\"value\":") + 8;
            size_t vlen = strlen(value) - 2; /* without "}\n" */
            check(sqlite3_bind_int64(ins, 1, g_base_ms), db, "bind");
            check(sqlite3_bind_text(ins, 2, type, (int)(q - type), SQLITE_STATIC), db, "bind");
            check(sqlite3_bind_int64(ins, 3, g_base_ms + (int64_t)done * 10), db, "bind");
            check(sqlite3_bind_text(ins, 4, value, (int)vlen, SQLITE_STATIC), db, "bind");
            check(sqlite3_step(ins), db, "insert");
            sqlite3_reset(ins);
            check(sqlite3_bind_int64(link, 1, sqlite3_last_insert_rowid(db)), db, "bind");
            check(sqlite3_step(link), db, "insert");
            sqlite3_reset(link);
        }
        check(sqlite3_bind_int64(seen, 1, g_base_ms), db, "bind");
        check(sqlite3_bind_int64(seen, 2, n), db, "bind");
        check(sqlite3_step(seen), db, "update");
        sqlite3_reset(seen);
        check(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), db, "commit");
    }
    double secs = now_s() - start;
    struct timespec cpu;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    sqlite3_finalize(ins);
    sqlite3_finalize(link);
    sqlite3_finalize(seen);
    sqlite3_close(db);
    printf("RESULT %ld %.3f %.0f %.3f\n", rows, secs, (double)rows / secs,
           (double)cpu.tv_sec + (double)cpu.tv_nsec * 1e-9);
    return 0;
}

int main(int argc, char **argv)
{
    g_base_ms = store_now_ms() - 7LL * 86400000;
    if (argc == 4 && strcmp(argv[1], "setup") == 0)
        return setup(argv[2], strtol(argv[3], NULL, 10));
    if (argc == 6 && strcmp(argv[1], "post") == 0)
        return post((int)strtol(argv[2], NULL, 10), argv[3], strtod(argv[4], NULL),
                    strtol(argv[5], NULL, 10));
    if (argc == 5 && strcmp(argv[1], "direct") == 0)
        return direct(argv[2], strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
    fprintf(stderr, "usage: bench-streams setup DB N | post PORT TOKENS SECONDS BATCH |"
                    " direct DB ROWS BATCH\n");
    return 2;
}
