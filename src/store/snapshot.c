/*
 * snapshot.c - the store's streaming reads for the Relationship Value engine, and the source that
 * pushes every row of a snapshot into a sink (model/rv_rows.h; the engine's builder in practice).
 * Interactions are read by rowid ranges on parallel connections: in a database written in time
 * order that is sequential I/O, where the contact-ordered index scan would seek once per row.
 * docs/internals/rv.md ("Loading").
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/rv_rows.h"
#include "util/par.h"

#include "util/banned.h"

#define INTERACTION_COLUMNS "id, contact_id, user_id, type_id, occurred_at, rv, cost, voids_id"

/* A contact with the attributes it takes from its account (see rv_contact_in). */
#define CONTACT_SELECT                                                                             \
    "SELECT c.id, c.account_id, coalesce(c.owner_id, a.owner_id),"                                 \
    " coalesce(c.unit_id, a.unit_id), coalesce(c.team_id, a.team_id),"                             \
    " a.industry, a.territory, coalesce(c.source, a.source), a.revenue_band,"                      \
    " c.community_role"                                                                            \
    " FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id"                                 \
    " WHERE c.id NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN

#define READERS_MAX PAR_MAX /* connections, one par_run() job each */

static int db_fail(struct kith_error *err, sqlite3 *db, const char *what)
{
    return kith_err(err, KITH_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

static int64_t col_id(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, col);
}

static const char *col_text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

/* The hot loop of a snapshot load: a NULL reference reads as 0 without a type check (ids are
 * positive), only rv and cost need one (NULL there means "the type's"). */
static void read_interaction(sqlite3_stmt *st, struct rv_interaction_in *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->contact_id = sqlite3_column_int64(st, 1);
    r->user_id = sqlite3_column_int64(st, 2);
    r->type_id = sqlite3_column_int64(st, 3);
    r->occurred_at = sqlite3_column_int64(st, 4);
    r->has_rv = sqlite3_column_type(st, 5) != SQLITE_NULL;
    r->rv = r->has_rv ? sqlite3_column_int64(st, 5) : 0;
    r->has_cost = sqlite3_column_type(st, 6) != SQLITE_NULL;
    r->cost = r->has_cost ? sqlite3_column_int64(st, 6) : 0;
    r->voids_id = sqlite3_column_int64(st, 7);
}

static struct store_interaction_row to_store_row(const struct rv_interaction_in *r)
{
    return (struct store_interaction_row){
        .id = r->id,
        .contact_id = r->contact_id,
        .user_id = r->user_id,
        .type_id = r->type_id,
        .occurred_at = r->occurred_at,
        .rv = r->rv,
        .cost = r->cost,
        .voids_id = r->voids_id,
        .has_rv = r->has_rv,
        .has_cost = r->has_cost,
    };
}

/* Steps st to the end, handing each row to fn; finalizes st. */
static int stream_interactions(sqlite3 *db, sqlite3_stmt *st, store_interaction_fn fn, void *ctx,
                               struct kith_error *err)
{
    struct rv_interaction_in in;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_interaction(st, &in);
        struct store_interaction_row row = to_store_row(&in);
        if ((rc = fn(ctx, &row)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(err, db, "reading interactions");
    sqlite3_finalize(st);
    return rc;
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct kith_error *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return db_fail(err, db, "preparing the snapshot's reads");
    return 0;
}

/*
 * The interactions of an id range; with exclude, without those of the contacts that withdrew
 * their consent to analytics (docs/portal.md "Consent"). Only then: the plain range scan is the
 * hot loop of a load, and SQLite answers the NOT IN from a list it builds once per statement.
 */
static int prepare_range(sqlite3 *db, int64_t from_id, int64_t to_id, bool exclude,
                         sqlite3_stmt **st, struct kith_error *err)
{
    if (sqlite3_prepare_v2(db,
                           exclude ? "SELECT " INTERACTION_COLUMNS " FROM interactions"
                                     " WHERE id >= ?1 AND id <= ?2"
                                     " AND contact_id NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN
                                     " ORDER BY id"
                                   : "SELECT " INTERACTION_COLUMNS " FROM interactions"
                                     " WHERE id >= ?1 AND id <= ?2 ORDER BY id",
                           -1, st, NULL) != SQLITE_OK)
        return db_fail(err, db, "reading interactions");
    sqlite3_bind_int64(*st, 1, from_id);
    sqlite3_bind_int64(*st, 2, to_id);
    return 0;
}

int store_scan_interactions_by_contact(struct store *s, store_interaction_fn fn, void *ctx,
                                       struct kith_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " INTERACTION_COLUMNS " FROM interactions"
                           " INDEXED BY interactions_contact_time"
                           " ORDER BY contact_id, occurred_at, id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(err, s->db, "reading interactions by contact");
    return stream_interactions(s->db, st, fn, ctx, err);
}

int store_scan_interactions_by_id(struct store *s, int64_t from_id, int64_t to_id,
                                  store_interaction_fn fn, void *ctx, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare_range(s->db, from_id, to_id, false, &st, err);
    return rc < 0 ? rc : stream_interactions(s->db, st, fn, ctx, err);
}

/* ---- the source ------------------------------------------------------------------------------
 */

/* Runs sql and hands each row to add(); finalizes. */
typedef int (*row_fn)(const struct rv_sink *k, sqlite3_stmt *st, struct kith_error *err);

static int each_row(sqlite3 *db, const char *sql, row_fn add, const struct rv_sink *k,
                    struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare(db, sql, &st, err), step;
    if (rc < 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = add(k, st, err)) < 0)
            break;
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(err, db, "reading the snapshot's rows");
    sqlite3_finalize(st);
    return rc;
}

static int add_type(const struct rv_sink *k, sqlite3_stmt *st, struct kith_error *err)
{
    struct rv_type_in t = {
        .id = sqlite3_column_int64(st, 0),
        .rv = sqlite3_column_int64(st, 1),
        .cost = sqlite3_column_int64(st, 2),
        .level = sqlite3_column_int64(st, 3),
        .phase = col_text(st, 4),
        .is_trigger = sqlite3_column_int(st, 5) != 0,
        .is_voc = sqlite3_column_int(st, 6) != 0,
    };
    return k->add_type(k->ctx, &t, err);
}

static int add_unit(const struct rv_sink *k, sqlite3_stmt *st, struct kith_error *err)
{
    return k->add_unit(k->ctx, sqlite3_column_int64(st, 0), col_text(st, 1), err);
}

static int add_team(const struct rv_sink *k, sqlite3_stmt *st, struct kith_error *err)
{
    return k->add_team(k->ctx, sqlite3_column_int64(st, 0), col_text(st, 1), col_id(st, 2), err);
}

static int add_user(const struct rv_sink *k, sqlite3_stmt *st, struct kith_error *err)
{
    return k->add_user(k->ctx, sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2),
                       col_id(st, 3), col_id(st, 4), err);
}

static struct rv_contact_in contact_in(sqlite3_stmt *st)
{
    return (struct rv_contact_in){
        .id = sqlite3_column_int64(st, 0),
        .account_id = col_id(st, 1),
        .owner_id = col_id(st, 2),
        .unit_id = col_id(st, 3),
        .team_id = col_id(st, 4),
        .industry = col_text(st, 5),
        .territory = col_text(st, 6),
        .source = col_text(st, 7),
        .revenue_band = col_text(st, 8),
        .community_role = col_text(st, 9),
    };
}

static int add_contact(const struct rv_sink *k, sqlite3_stmt *st, struct kith_error *err)
{
    struct rv_contact_in c = contact_in(st);
    return k->add_contact(k->ctx, &c, err);
}

static int add_order(const struct rv_sink *k, sqlite3_stmt *st, struct kith_error *err)
{
    struct rv_order_in o = {
        .account_id = col_id(st, 0),
        .contact_id = col_id(st, 1),
        .ordered_at = sqlite3_column_int64(st, 2),
        .amount = sqlite3_column_int64(st, 3),
        .margin = col_id(st, 4),
        .is_return = sqlite3_column_int(st, 5) != 0,
    };
    return k->add_order(k->ctx, &o, err);
}

static int add_event(const struct rv_sink *k, sqlite3_stmt *st, struct kith_error *err)
{
    struct rv_event_in e = {
        .contact_id = col_id(st, 0),
        .account_id = col_id(st, 1),
        .kind = col_text(st, 2),
        .occurred_at = sqlite3_column_int64(st, 3),
    };
    return k->add_event(k->ctx, &e, err);
}

static int expect_contacts(sqlite3 *db, const struct rv_sink *k, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare(db, "SELECT count(*) FROM contacts", &st, err);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = k->expect_contacts(k->ctx, (size_t)sqlite3_column_int64(st, 0), err);
    sqlite3_finalize(st);
    return rc;
}

/* The interactions with from_id <= id <= to_id into segment seg of the sink. */
static int read_range(sqlite3 *db, int64_t from_id, int64_t to_id, bool exclude,
                      const struct rv_sink *k, unsigned seg, struct kith_error *err)
{
    sqlite3_stmt *st;
    struct rv_interaction_in in;
    int rc = prepare_range(db, from_id, to_id, exclude, &st, err), step;
    if (rc < 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_interaction(st, &in);
        if ((rc = k->add_interaction(k->ctx, seg, &in, err)) < 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(err, db, "reading interactions");
    sqlite3_finalize(st);
    return rc;
}

/*
 * One reader, a par_run() job: a connection and an id range feeding one sink segment. The first
 * also reads the contacts before its range, the last the orders and events after it, so that
 * these overlap the other readers' interactions instead of waiting for them.
 */
struct reader {
    sqlite3 *db; /* the store's own for segment 0, else opened here */
    const struct rv_sink *sink;
    unsigned seg;
    bool contacts, outcomes;
    bool exclude; /* some contact withdrew its consent to analytics: leave its rows out */
    int64_t from_id, to_id;
    int rc;
    struct kith_error err;
};

static void *reader_run(void *arg)
{
    struct reader *rd = arg;
    const struct rv_sink *k = rd->sink;
    struct kith_error *err = &rd->err;
    if (rd->contacts &&
        ((rd->rc = expect_contacts(rd->db, k, err)) < 0 ||
         (rd->rc = each_row(rd->db, CONTACT_SELECT " ORDER BY c.id", add_contact, k, err)) < 0))
        return NULL;
    if ((rd->rc = read_range(rd->db, rd->from_id, rd->to_id, rd->exclude, k, rd->seg, err)) < 0)
        return NULL;
    /* an order or event of such a contact goes too; one of its account alone stays */
    if (rd->outcomes &&
        ((rd->rc = each_row(rd->db,
                            "SELECT account_id, contact_id, ordered_at, amount, margin,"
                            " coalesce(kind, CASE WHEN amount < 0 THEN 'return' ELSE 'sale'"
                            " END) <> 'sale' FROM orders"
                            " WHERE coalesce(contact_id, 0) NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN,
                            add_order, k, err)) < 0 ||
         (rd->rc = each_row(rd->db,
                            "SELECT contact_id, account_id, kind, occurred_at FROM events"
                            " WHERE coalesce(contact_id, 0) NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN,
                            add_event, k, err)) < 0))
        return NULL;
    return NULL;
}

/* A second read connection on the same file, in a read transaction; NULL when impossible. */
static sqlite3 *open_reader(sqlite3 *main_db)
{
    const char *path = sqlite3_db_filename(main_db, "main");
    sqlite3 *db = NULL;
    if (!path || !*path)
        return NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int read_interactions(struct store *s, const struct rv_sink *k, unsigned nthreads,
                             struct kith_error *err)
{
    int64_t lo = 0, hi = 0;
    sqlite3_stmt *st;
    /* two subqueries: SQLite answers a lone min() or max() from the b-tree's edge, but a query
     * with both scans the whole table (three quarters of a second on ten million rows) */
    int rc = prepare(s->db,
                     "SELECT coalesce((SELECT min(id) FROM interactions), 1),"
                     " coalesce((SELECT max(id) FROM interactions), 0)",
                     &st, err);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        lo = sqlite3_column_int64(st, 0);
        hi = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    bool exclude = false;
    if ((rc = store_consent_any_withdrawn(s, CONSENT_ANALYTICS, &exclude, err)) < 0)
        return rc;
    struct reader rd[READERS_MAX];
    unsigned n = 1;
    memset(rd, 0, sizeof(rd));
    rd[0].db = s->db;
    /* more connections only when there is enough to share */
    for (unsigned j = 1; j < nthreads && hi - lo > 100000; j++, n++)
        if (!(rd[j].db = open_reader(s->db)))
            break;
    if ((rc = k->begin(k->ctx, n, err)) < 0)
        goto out_close;
    /*
     * Ranges of about equal rows, the first a little shorter when there are two or more: it
     * reads the contacts first (on 500,000 contacts and ten million interactions, about a tenth
     * of a reader's work), while the last reads orders and events after its range (a twentieth).
     */
    int64_t span = hi >= lo ? hi - lo + 1 : 0;
    int64_t first = n > 1 ? span * 92 / (100 * (int64_t)n) : span;
    for (unsigned j = 0; j < n; j++) {
        rd[j].sink = k;
        rd[j].seg = j;
        rd[j].contacts = j == 0;
        rd[j].outcomes = j + 1 == n;
        rd[j].exclude = exclude;
        rd[j].from_id = j == 0 ? lo : lo + first + (span - first) * (j - 1) / (n - 1);
        rd[j].to_id = j + 1 == n ? hi : lo + first + (span - first) * j / (n - 1) - 1;
    }
    /* ids are nearly dense in practice, so a range is a good hint of its rows; untouched room
     * costs address space only */
    for (unsigned j = 0; j < n && rc == 0; j++) {
        int64_t rows = rd[j].to_id - rd[j].from_id + 1;
        if (rows > 0)
            rc = k->reserve(k->ctx, j, (size_t)(rows < (1 << 26) ? rows : 1 << 26), err);
    }
    if (rc < 0)
        goto out_close;
    par_run(n, reader_run, rd, sizeof(rd[0]));
    for (unsigned j = 0; j < n && rc == 0; j++) {
        if (rd[j].rc < 0) {
            *err = rd[j].err;
            rc = rd[j].rc;
        }
    }
out_close:
    for (unsigned j = 1; j < READERS_MAX; j++) {
        if (rd[j].db) {
            sqlite3_exec(rd[j].db, "COMMIT", NULL, NULL, NULL);
            sqlite3_close(rd[j].db);
        }
    }
    return rc;
}

/* rv_source.read: every row of the snapshot, in one read transaction. */
static int read_rows(void *ctx, unsigned nthreads, const struct rv_sink *k, struct kith_error *err)
{
    struct store *s = ctx;
    if (nthreads < 1 || nthreads > READERS_MAX)
        return kith_err(err, KITH_EINVAL, "1 to %d reader threads, not %u", READERS_MAX, nthreads);
    bool txn = sqlite3_get_autocommit(s->db) != 0;
    int rc = 0;
    if (txn && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(err, s->db, "starting to read the snapshot");
    if ((rc = each_row(s->db,
                       "SELECT id, rv, cost, level, phase, is_trigger, is_voc"
                       " FROM interaction_types",
                       add_type, k, err)) < 0 ||
        (rc = each_row(s->db, "SELECT id, name FROM units", add_unit, k, err)) < 0 ||
        (rc = each_row(s->db, "SELECT id, name, unit_id FROM teams", add_team, k, err)) < 0 ||
        (rc = each_row(s->db, "SELECT id, email, name, team_id, unit_id FROM users", add_user, k,
                       err)) < 0)
        goto out_commit;
    rc = read_interactions(s, k, nthreads, err);
out_commit:
    if (txn)
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

struct rv_source store_rv_source(struct store *s)
{
    return (struct rv_source){.ctx = s, .read = read_rows};
}

/* ---- single rows, for a snapshot kept up to date ------------------------------------------- */

int store_rv_interaction(struct store *s, int64_t id, struct store_interaction_row *row,
                         int64_t *voided_contact_id, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare(s->db,
                     "SELECT i.id, i.contact_id, i.user_id, i.type_id, i.occurred_at, i.rv, i.cost,"
                     " i.voids_id, v.contact_id FROM interactions i"
                     " LEFT JOIN interactions v ON v.id = i.voids_id WHERE i.id = ?"
                     " AND i.contact_id NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN,
                     &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        struct rv_interaction_in in;
        read_interaction(st, &in);
        *row = to_store_row(&in);
        *voided_contact_id = col_id(st, 8);
    } else if (step == SQLITE_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "no interaction %lld", (long long)id);
    } else {
        rc = db_fail(err, s->db, "reading an interaction");
    }
    sqlite3_finalize(st);
    return rc;
}

int store_rv_contacts(struct store *s, int64_t contact_id, int64_t account_id,
                      store_rv_contact_fn fn, void *ctx, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare(s->db,
                     contact_id > 0 ? CONTACT_SELECT " AND c.id = ?"
                                    : CONTACT_SELECT " AND c.account_id = ? ORDER BY c.id",
                     &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, contact_id > 0 ? contact_id : account_id);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct rv_contact_in c = contact_in(st);
        if ((rc = fn(ctx, &c)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = db_fail(err, s->db, "reading contacts");
    sqlite3_finalize(st);
    return rc;
}

/* s without the blanks around it: its start, and its length in *n. */
static const char *trimmed(const char *s, int *n)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t len = strlen(s);
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    *n = (int)len; /* names are at most 100 bytes (model/tables.c) */
    return s;
}

int store_rv_contact_name(struct store *s, int64_t id, char *buf, size_t size,
                          struct kith_error *err)
{
    sqlite3_stmt *st;
    if (size)
        buf[0] = '\0';
    int rc = prepare(s->db,
                     "SELECT coalesce(first_name, ''), coalesce(last_name, '') FROM contacts"
                     " WHERE id = ?",
                     &st, err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        /* blanks around either part are no name: a contact named " " has none ("") */
        const char *f = col_text(st, 0), *l = col_text(st, 1);
        int nf, nl;
        f = trimmed(f, &nf);
        l = trimmed(l, &nl);
        int w = snprintf(buf, size, "%.*s%s%.*s", nf, f, nf && nl ? " " : "", nl, l);
        if (w < 0 || (size_t)w >= size)
            rc = kith_err(err, KITH_ERANGE, "the name of contact %lld is longer than %zu bytes",
                          (long long)id, size ? size - 1 : 0);
    } else if (step == SQLITE_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "no contact %lld", (long long)id);
    } else {
        rc = db_fail(err, s->db, "reading a contact's name");
    }
    sqlite3_finalize(st);
    return rc;
}
