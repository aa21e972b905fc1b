/*
 * rvstate.c - the server's Relationship Value snapshot, its live norm, the incremental updates
 * that writes bring and the background reloads (rvstate.h). When a new interaction moves its
 * contact into or out of an exception against the live norm, the change goes to the live stream.
 */
#include "api/rvstate.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/rv_levels.h"
#include "api/rv_stream.h"
#include "io/rv_json.h"
#include "model/table.h"
#include "util/alloc.h"
#include "util/num.h"

#include "util/banned.h"

#define LIVE_THREADS       1 /* the norm is recomputed beside serving: one core of two */
#define REPLAY_MAX         100000
#define NORM_SECONDS_DEF   300
#define RELOAD_SECONDS_DEF 10
#define PING_SECONDS       15
#define WATCH_SECONDS      0.5   /* how often data_version is read: half of the 2 s bound at most */
#define CATCH_UP_MAX       20000 /* new rows of others applied one by one; more: a reload */
#define OWN_RANGES         64    /* ranges of own interaction ids kept for the catching up */

/* A write seen while a reload was reading: applied again to the new snapshot. */
enum replay_kind { R_INTERACTION, R_CONTACT, R_ACCOUNT };
struct replay {
    enum replay_kind kind;
    int64_t id;
};

static struct {
    pthread_rwlock_t lock; /* snap and norm */
    /*
     * Held from reading levels off the snapshot to storing them (taken before lock): without
     * it, the levels of every contact read just before an interaction was applied could be
     * stored just after that interaction's own, undoing it.
     */
    pthread_mutex_t levels_mu;
    struct rv_snapshot *snap;
    struct norm_result *norm;
    char *db_path;

    pthread_mutex_t mu; /* everything below */
    pthread_cond_t wake;
    pthread_cond_t reloaded; /* broadcast when a reload is over (reload_gen moved) */
    unsigned long reload_gen;
    bool reload_now; /* a writer waits, or another process wrote: reload without the delay */
    pthread_t thread;
    atomic_bool running;
    bool stop, stale, reloading, replay_overflow;
    struct replay *replays;
    size_t nreplays, replaycap;
    unsigned norm_seconds, reload_seconds;

    /*
     * Watching for other processes' writes (the background thread's own; "Writes from other
     * processes" in docs/internals/rv.md). base is the table mark as it was when the snapshot
     * was last loaded; the cursors are the highest interaction and contact ids the snapshot has
     * caught up to, and read counts the rows above base's highest ids that the catching up has
     * passed since (applied, or found applied already).
     */
    struct store *watch;
    struct store *levels; /* the background thread's connection for storing levels, or NULL */
    int64_t data_version;
    struct store_change_mark base;
    uint64_t base_own_other;
    int64_t cursor[2], read[2]; /* [0]: interactions, [1]: contacts */
    /* ids of interactions this server applied itself, as ranges, not yet passed by the cursor */
    pthread_mutex_t own_mu;
    struct id_range {
        int64_t lo, hi;
    } own[OWN_RANGES];
    size_t nown;
    atomic_uint_fast64_t own_other; /* any write of this server to a table the mark covers */
} g = {.lock = PTHREAD_RWLOCK_INITIALIZER,
       .levels_mu = PTHREAD_MUTEX_INITIALIZER,
       .mu = PTHREAD_MUTEX_INITIALIZER,
       .own_mu = PTHREAD_MUTEX_INITIALIZER,
       .wake = PTHREAD_COND_INITIALIZER,
       .reloaded = PTHREAD_COND_INITIALIZER};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned env_seconds(const char *name, unsigned def)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    int64_t n;
    if (num_int64(v, 1, 86400, &n, name, NULL) < 0) {
        fprintf(stderr, "kith serve: %s=%s is not 1..86400 seconds; using %u\n", name, v, def);
        return def;
    }
    return (unsigned)n;
}

/* The norm live exceptions are judged by: cumulative RV by team, weekly, over every contact. */
static int live_norm(const struct rv_snapshot *snap, struct norm_result **out,
                     struct kith_error *err)
{
    struct norm_spec spec;
    norm_spec_init(&spec, NORM_TEAM, store_now_ms());
    spec.nthreads = LIVE_THREADS;
    return norm_compute(snap, &spec, out, err);
}

static int load(const char *db_path, struct rv_snapshot **snap, struct norm_result **norm,
                struct kith_error *err)
{
    struct store *s;
    int rc = store_open(db_path, STORE_READONLY, &s, err);
    if (rc < 0)
        return rc;
    rc = rv_snapshot_load(store_rv_source(s), 2, snap, err);
    store_close(s);
    if (rc < 0)
        return rc;
    if ((rc = live_norm(*snap, norm, err)) < 0) {
        rv_snapshot_free(*snap);
        *snap = NULL;
    }
    return rc;
}

/*
 * Brings the contacts' stored level and stage in line with the snapshot (analysis/rv_levels.h):
 * the rows are taken under the read lock, written after it on a connection of our own.
 */
static void store_all_levels(const char *when)
{
    struct kith_error err = {0};
    struct store *st = NULL;
    struct store_contact_level *rows = NULL;
    size_t n = 0, changed = 0;
    pthread_mutex_lock(&g.levels_mu);
    pthread_rwlock_rdlock(&g.lock);
    if (g.snap && (rows = alloc_array(g.snap->nc, sizeof(*rows))) != NULL) {
        n = g.snap->nc;
        for (size_t c = 0; c < n; c++)
            rv_levels_of(g.snap, c, &rows[c]);
    }
    pthread_rwlock_unlock(&g.lock);
    int rc = rows ? store_open(g.db_path, 0, &st, &err)
                  : kith_err(&err, KITH_ENOMEM, "out of memory for the contacts' levels");
    if (rc == 0)
        rc = store_contacts_set_levels(st, rows, n, &changed, &err);
    pthread_mutex_unlock(&g.levels_mu);
    store_close(st);
    free(rows);
    if (rc < 0)
        fprintf(stderr, "kith serve: storing the contacts' levels %s failed: %s\n", when, err.msg);
    else if (changed && strcmp(when, "at start-up") != 0) /* the first line is "listening" */
        fprintf(stderr, "kith serve: level and stage of %zu contact%s derived %s\n", changed,
                changed == 1 ? "" : "s", when);
}

const struct rv_snapshot *rvstate_read_begin(const struct norm_result **live)
{
    pthread_rwlock_rdlock(&g.lock);
    if (live)
        *live = g.norm;
    return g.snap;
}

void rvstate_read_end(void)
{
    pthread_rwlock_unlock(&g.lock);
}

/* ---- writes ---------------------------------------------------------------------------------- */

void rvstate_changed(const char *why)
{
    pthread_mutex_lock(&g.mu);
    if (g.running && !g.stale && why)
        fprintf(stderr, "kith serve: RV snapshot to be reloaded (%s)\n", why);
    g.stale = true;
    pthread_cond_signal(&g.wake);
    pthread_mutex_unlock(&g.mu);
}

/* Remembers a write while a reload reads it may miss (a no-op otherwise). */
static void remember(enum replay_kind kind, int64_t id)
{
    pthread_mutex_lock(&g.mu);
    if (g.reloading) {
        if (g.nreplays == g.replaycap) {
            size_t cap = g.replaycap ? g.replaycap * 2 : 256;
            struct replay *r = cap <= REPLAY_MAX ? realloc(g.replays, cap * sizeof(*r)) : NULL;
            if (r) {
                g.replays = r;
                g.replaycap = cap;
            }
        }
        if (g.nreplays < g.replaycap)
            g.replays[g.nreplays++] = (struct replay){kind, id};
        else
            g.replay_overflow = true; /* the reload is then done again */
    }
    pthread_mutex_unlock(&g.mu);
}

static int upsert_contact(void *ctx, const struct rv_contact_in *c)
{
    struct rv_snapshot *snap = ctx;
    struct kith_error err = {0};
    return rv_snapshot_upsert_contact(snap, c, &err) < 0 ? -1 : 0;
}

/* Status against the live norm (its first group: the team), UNKNOWN when outside it. */
static int status_of(const struct norm_result *norm, const struct rv_snapshot *snap, int32_t c,
                     int64_t as_of, struct norm_position *pos)
{
    size_t n = 0;
    if (norm && c >= 0)
        norm_position_of(norm, snap, (size_t)c, as_of, pos, 1, &n);
    return n ? pos->status : NORM_UNKNOWN;
}

static bool exceptional(int status)
{
    return status == NORM_BEHIND || status == NORM_AHEAD;
}

static int put(json_t *o, const char *k, json_t *v)
{
    return v && json_object_set_new(o, k, v) == 0 ? 0 : -1;
}

/* The event the live stream sends (rv_stream.h), or NULL when out of memory. */
static char *exception_event(const struct rv_snapshot *snap, const struct norm_result *norm,
                             const struct rv_update *up, const struct norm_position *pos,
                             int status, int was, int64_t as_of, int64_t interaction_id,
                             int64_t occurred_at, const char *name)
{
    json_t *o = rvjson_update(snap, up, norm, as_of);
    if (!o)
        return NULL;
    const struct norm_group *grp = &norm->groups[pos->group];
    const struct norm_row *row = &norm->rows[grp->row_off + pos->row];
    char *text = NULL;
    if (put(o, "contact_name", name && *name ? json_string(name) : json_null()) == 0 &&
        put(o, "status", json_string(norm_status_name(status))) == 0 &&
        put(o, "previous_status", json_string(norm_status_name(was))) == 0 &&
        put(o, "change", json_string(exceptional(status) ? "entered" : "left")) == 0 &&
        put(o, "rv", json_integer(pos->rv)) == 0 &&
        put(o, "age_days", json_integer(pos->age_days)) == 0 &&
        put(o, "percentile", rvjson_number(pos->percentile)) == 0 &&
        put(o, "n", json_integer(row->n)) == 0 && put(o, "p10", rvjson_number(row->p10)) == 0 &&
        put(o, "p50", rvjson_number(row->p50)) == 0 &&
        put(o, "p90", rvjson_number(row->p90)) == 0 &&
        put(o, "group", rvjson_key(snap, norm->spec.by, grp->key)) == 0 &&
        put(o, "interaction_id", json_integer(interaction_id)) == 0 &&
        put(o, "at", rvjson_time(rv_time_from_ms(occurred_at))) == 0)
        text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(o);
    return text;
}

/* Notes that interactions lo..hi are this server's and applied (or about to be). */
static void own_range_add(int64_t lo, int64_t hi)
{
    pthread_mutex_lock(&g.own_mu);
    struct id_range *last = g.nown ? &g.own[g.nown - 1] : NULL;
    if (last && lo == last->hi + 1)
        last->hi = hi;
    else if (g.nown < OWN_RANGES)
        g.own[g.nown++] = (struct id_range){lo, hi};
    /* full: the catching up reads the rest as another's and finds them applied */
    pthread_mutex_unlock(&g.own_mu);
}

/*
 * Applies interaction id, read on s, to the snapshot, stores the level and stage it moved on w
 * and publishes the exception it makes, if any. Applied already (by the request that wrote it,
 * or by the catching up): nothing happens.
 */
static void apply_interaction(struct store *s, struct store *w, int64_t id)
{
    struct kith_error err = {0};
    struct store_interaction_row row;
    int64_t voided_contact = 0;
    int found = store_rv_interaction(s, id, &row, &voided_contact, &err);
    if (found == KITH_ENOTFOUND) /* its contact withdrew its consent to analytics: left out */
        return;
    if (found < 0) {
        fprintf(stderr, "kith serve: RV update of interaction %lld: %s\n", (long long)id, err.msg);
        rvstate_changed("an interaction could not be read");
        return;
    }
    struct rv_interaction_in in = {
        .id = row.id,
        .contact_id = row.contact_id,
        .user_id = row.user_id,
        .type_id = row.type_id,
        .occurred_at = row.occurred_at,
        .rv = row.rv,
        .cost = row.cost,
        .voids_id = row.voids_id,
        .has_rv = row.has_rv,
        .has_cost = row.has_cost,
    };
    int64_t as_of = store_now_ms();
    if (row.occurred_at > as_of)
        as_of = row.occurred_at;
    char *event = NULL;
    struct rv_update up;
    pthread_mutex_lock(&g.levels_mu);
    pthread_rwlock_wrlock(&g.lock);
    struct rv_snapshot *snap = g.snap;
    struct norm_position before, after;
    int was = status_of(g.norm, snap, rv_snapshot_contact(snap, row.contact_id), as_of, &before);
    int rc = rv_snapshot_add_interaction(
        snap, &in, voided_contact == row.contact_id ? 0 : voided_contact, &up, &err);
    int now = rc == 0 ? status_of(g.norm, snap, up.contact, as_of, &after) : NORM_UNKNOWN;
    /* the stored copies of level and stage follow the contacts this interaction moved */
    struct store_contact_level moved[2];
    size_t nmoved = 0;
    if (rc == 0 && (up.before.level != up.after.level || up.before.stage != up.after.stage))
        rv_levels_of(snap, (size_t)up.contact, &moved[nmoved++]);
    if (rc == 0 && up.voided_contact >= 0 && up.voided_contact != up.contact)
        rv_levels_of(snap, (size_t)up.voided_contact, &moved[nmoved++]);
    bool publish = rc == 0 && now != was && (exceptional(now) || exceptional(was));
    if (publish) {
        /* the stream sends it only to those who may read the contact (rv_stream.c) */
        char name[STORE_CONTACT_NAME_MAX];
        store_rv_contact_name(s, row.contact_id, name, sizeof(name), NULL);
        event = exception_event(snap, g.norm, &up, exceptional(now) ? &after : &before, now, was,
                                as_of, row.id, row.occurred_at, name);
    }
    pthread_rwlock_unlock(&g.lock);
    if (rc < 0 && rc != KITH_ECONFLICT) {
        fprintf(stderr, "kith serve: RV update of interaction %lld: %s\n", (long long)id, err.msg);
        rvstate_changed("an interaction could not be applied");
    }
    if (nmoved && store_contacts_set_levels(w, moved, nmoved, NULL, &err) < 0) {
        fprintf(stderr, "kith serve: storing the level of contact %lld: %s\n",
                (long long)row.contact_id, err.msg);
        rvstate_changed("a contact's level could not be stored");
    }
    pthread_mutex_unlock(&g.levels_mu);
    if (event) {
        rv_stream_publish(s, row.contact_id, "exception", event);
        free(event);
    }
}

void rvstate_interaction_written(struct store *s, int64_t id)
{
    if (!g.running)
        return;
    own_range_add(id, id);
    remember(R_INTERACTION, id);
    apply_interaction(s, s, id);
}

void rvstate_interactions_added(struct store *s, const struct store_interaction_row *rows, size_t n)
{
    struct kith_error err = {0};
    int64_t as_of = store_now_ms();
    size_t i;
    for (i = 0; i < n; i++) {
        if (rows[i].voids_id || rows[i].contact_id != rows[0].contact_id)
            break; /* not the batch this is for: one by one */
        if (rows[i].occurred_at > as_of)
            as_of = rows[i].occurred_at;
    }
    if (n < 2 || i < n || !g.running) {
        for (i = 0; i < n; i++)
            rvstate_interaction_written(s, rows[i].id);
        return;
    }
    for (i = 0; i < n; i++) {
        own_range_add(rows[i].id, rows[i].id);
        remember(R_INTERACTION, rows[i].id);
    }
    char *event = NULL;
    struct rv_update first = {0}, up = {0};
    struct norm_position before, after;
    size_t added = 0;
    int rc = 0;
    pthread_mutex_lock(&g.levels_mu);
    pthread_rwlock_wrlock(&g.lock);
    struct rv_snapshot *snap = g.snap;
    int was =
        status_of(g.norm, snap, rv_snapshot_contact(snap, rows[0].contact_id), as_of, &before);
    for (i = 0; i < n; i++) {
        const struct store_interaction_row *row = &rows[i];
        struct rv_interaction_in in = {.id = row->id,
                                       .contact_id = row->contact_id,
                                       .user_id = row->user_id,
                                       .type_id = row->type_id,
                                       .occurred_at = row->occurred_at,
                                       .rv = row->rv,
                                       .cost = row->cost,
                                       .has_rv = row->has_rv,
                                       .has_cost = row->has_cost};
        struct rv_update u;
        rc = rv_snapshot_add_interaction(snap, &in, 0, &u, &err);
        if (rc < 0 && rc != KITH_ECONFLICT)
            break;
        if (rc == 0) {
            if (added++ == 0)
                first = u;
            up = u;
        }
        rc = 0;
    }
    int now = added ? status_of(g.norm, snap, up.contact, as_of, &after) : was;
    struct store_contact_level moved;
    bool level_moved =
        added && (first.before.level != up.after.level || first.before.stage != up.after.stage);
    if (level_moved)
        rv_levels_of(snap, (size_t)up.contact, &moved);
    if (added && now != was && (exceptional(now) || exceptional(was))) {
        char name[STORE_CONTACT_NAME_MAX];
        const struct store_interaction_row *last = &rows[n - 1];
        up.before = first.before; /* the batch's change as a whole */
        store_rv_contact_name(s, last->contact_id, name, sizeof(name), NULL);
        event = exception_event(snap, g.norm, &up, exceptional(now) ? &after : &before, now, was,
                                as_of, last->id, last->occurred_at, name);
    }
    pthread_rwlock_unlock(&g.lock);
    if (rc < 0) {
        fprintf(stderr, "kith serve: RV update of %zu interactions: %s\n", n, err.msg);
        rvstate_changed("interactions could not be applied");
    }
    if (level_moved && store_contacts_set_levels(s, &moved, 1, NULL, &err) < 0) {
        fprintf(stderr, "kith serve: storing the level of contact %lld: %s\n",
                (long long)rows[0].contact_id, err.msg);
        rvstate_changed("a contact's level could not be stored");
    }
    pthread_mutex_unlock(&g.levels_mu);
    if (event) {
        rv_stream_publish(s, rows[0].contact_id, "exception", event);
        free(event);
    }
}

static void contacts_written(struct store *s, int64_t contact_id, int64_t account_id)
{
    struct kith_error err = {0};
    if (!g.running)
        return;
    pthread_rwlock_wrlock(&g.lock);
    int rc = store_rv_contacts(s, contact_id, account_id, upsert_contact, g.snap, &err);
    pthread_rwlock_unlock(&g.lock);
    if (rc != 0) {
        fprintf(stderr, "kith serve: RV update of %s %lld failed%s%s\n",
                contact_id ? "contact" : "the contacts of account",
                (long long)(contact_id ? contact_id : account_id), err.msg[0] ? ": " : "", err.msg);
        rvstate_changed("a contact could not be applied");
    }
}

void rvstate_contact_written(struct store *s, int64_t id)
{
    remember(R_CONTACT, id);
    contacts_written(s, id, 0);
}

void rvstate_account_written(struct store *s, int64_t id)
{
    /* an account's contacts take their team, unit, owner and labels from it */
    remember(R_ACCOUNT, id);
    contacts_written(s, 0, id);
}

void rvstate_on_interaction(struct api_request *req, int64_t id, enum resource_change change)
{
    if (change == RESOURCE_CREATED)
        rvstate_interaction_written(req->store, id);
}

void rvstate_on_contact(struct api_request *req, int64_t id, enum resource_change change)
{
    if (change == RESOURCE_DELETED) {
        rvstate_changed("a contact was deleted");
    } else {
        rvstate_contact_written(req->store, id);
    }
}

void rvstate_on_account(struct api_request *req, int64_t id, enum resource_change change)
{
    atomic_fetch_add(&g.own_other, 1);
    if (change == RESOURCE_UPDATED)
        rvstate_account_written(req->store, id);
    /* a new account has no contacts yet; one that is deleted had none */
}

void rvstate_on_catalogue(struct api_request *req, int64_t id, enum resource_change change)
{
    (void)req;
    (void)id;
    (void)change;
    /*
     * Every contact's level and stage may move with the catalogue (its triggers, levels and
     * phases), and interactions of a new type must find it: the answer waits for the reload,
     * which the background thread does at once. Catalogue edits are rare administrative acts.
     */
    rvstate_reload_now();
}

void rvstate_reload_now(void)
{
    atomic_fetch_add(&g.own_other, 1);
    pthread_mutex_lock(&g.mu);
    if (g.running && !g.stop) {
        unsigned long gen = g.reload_gen;
        g.stale = true;
        g.reload_now = true;
        pthread_cond_signal(&g.wake);
        while (g.reload_gen == gen && !g.stop)
            pthread_cond_wait(&g.reloaded, &g.mu);
    }
    pthread_mutex_unlock(&g.mu);
}

void rvstate_on_other(struct api_request *req, int64_t id, enum resource_change change)
{
    (void)req;
    (void)id;
    (void)change;
    atomic_fetch_add(&g.own_other, 1);
    rvstate_changed("orders, events, users, teams, units or the catalogue changed");
}

/* ---- writes of other processes --------------------------------------------------------------- */

/*
 * Takes the mark the checks compare with, before a load reads the database, and puts the
 * cursors at its highest ids: what commits between the mark and the load is read again by the
 * next catching up and found applied.
 */
static void watch_rebase(void)
{
    struct kith_error err = {0};
    g.base_own_other = atomic_load(&g.own_other);
    if (store_change_mark(g.watch, 0, &g.base, &err) < 0)
        fprintf(stderr, "kith serve: watching for writes: %s\n", err.msg);
    g.cursor[0] = g.base.max_id[STORE_MARK_INTERACTIONS];
    g.cursor[1] = g.base.max_id[STORE_MARK_CONTACTS];
    g.read[0] = g.read[1] = 0;
    pthread_mutex_lock(&g.own_mu);
    g.nown = 0;
    pthread_mutex_unlock(&g.own_mu);
}

static bool mark_differs(const struct store_change_mark *a, const struct store_change_mark *b,
                         int t)
{
    return a->count[t] != b->count[t] || a->max_id[t] != b->max_id[t];
}

static bool own_id(int64_t id)
{
    bool own = false;
    pthread_mutex_lock(&g.own_mu);
    for (size_t i = 0; i < g.nown && !own; i++)
        own = id >= g.own[i].lo && id <= g.own[i].hi;
    pthread_mutex_unlock(&g.own_mu);
    return own;
}

/* Forgets the own ranges the cursor has passed. */
static void own_forget(int64_t upto)
{
    pthread_mutex_lock(&g.own_mu);
    size_t k = 0;
    for (size_t i = 0; i < g.nown; i++)
        if (g.own[i].hi > upto)
            g.own[k++] = g.own[i];
    g.nown = k;
    pthread_mutex_unlock(&g.own_mu);
}

/*
 * Catching up (inside the read transaction of the mark m): the contacts, then the interactions,
 * added above the cursors up to m's highest ids by anyone are applied as this server applies
 * its own (an interaction's exception is published, the level it moved stored), the server's
 * own found applied and skipped. Applying is idempotent, so a row applied twice is no harm.
 * false: more rows than CATCH_UP_MAX, or a failure: a reload is the answer.
 */
static bool catch_up(const struct store_change_mark *m)
{
    struct kith_error err = {0};
    size_t n = 0, cap = 4 * CATCH_UP_MAX;
    int64_t *ids = alloc_array(cap + 1, sizeof(*ids));
    if (!ids)
        return false;
    bool ok = store_ids_between(g.watch, model_table("contacts"), g.cursor[1],
                                m->max_id[STORE_MARK_CONTACTS], ids, CATCH_UP_MAX, &n, &err) == 0 &&
              n <= CATCH_UP_MAX;
    if (ok && n) {
        pthread_rwlock_wrlock(&g.lock);
        for (size_t i = 0; ok && i < n; i++)
            ok = store_rv_contacts(g.watch, ids[i], 0, upsert_contact, g.snap, &err) == 0;
        pthread_rwlock_unlock(&g.lock);
    }
    if (ok) {
        g.read[1] += (int64_t)n;
        g.cursor[1] = m->max_id[STORE_MARK_CONTACTS];
        ok = store_ids_between(g.watch, model_table("interactions"), g.cursor[0],
                               m->max_id[STORE_MARK_INTERACTIONS], ids, cap, &n, &err) == 0 &&
             n <= cap;
    }
    size_t others = 0;
    for (size_t i = 0; ok && i < n; i++)
        if (!own_id(ids[i]))
            ids[others++] = ids[i];
    ok = ok && others <= CATCH_UP_MAX;
    if (ok && others && !g.levels && store_open(g.db_path, 0, &g.levels, &err) < 0)
        ok = false;
    for (size_t i = 0; ok && i < others; i++)
        apply_interaction(g.watch, g.levels, ids[i]);
    if (ok) {
        g.read[0] += (int64_t)n;
        g.cursor[0] = m->max_id[STORE_MARK_INTERACTIONS];
        own_forget(g.cursor[0]);
    }
    if (err.msg[0])
        fprintf(stderr, "kith serve: catching up with other processes' writes: %s\n", err.msg);
    free(ids);
    return ok;
}

/*
 * Whether the database changed since the last check in a way that the snapshot cannot follow
 * by catching up, so that it must be reloaded (docs/internals/rv.md, "Writes from other
 * processes"). The background thread calls it every WATCH_SECONDS; it costs one PRAGMA when
 * nothing changed.
 */
static bool others_wrote(void)
{
    struct kith_error err = {0};
    int64_t version;
    if (store_data_version(g.watch, &version, &err) < 0) {
        fprintf(stderr, "kith serve: watching for writes: %s\n", err.msg);
        return false;
    }
    bool moved = version != g.data_version;
    g.data_version = version;
    if (!moved)
        return false;
    uint64_t oo = atomic_load(&g.own_other);
    struct store_change_mark m;
    if (store_read_begin(g.watch, &err) < 0 ||
        store_change_mark(g.watch, g.base.max_id[STORE_MARK_INTERACTIONS], &m, &err) < 0) {
        store_read_end(g.watch);
        fprintf(stderr, "kith serve: watching for writes: %s\n", err.msg);
        return false;
    }
    bool caught = catch_up(&m);
    store_read_end(g.watch);
    if (!caught)
        return true;
    /* rows above the base's highest ids that the cursors did not pass: deleted, or put below */
    if (m.count[STORE_MARK_INTERACTIONS] != g.read[0] ||
        m.count[STORE_MARK_CONTACTS] != g.base.count[STORE_MARK_CONTACTS] + g.read[1])
        return true;
    if (oo != g.base_own_other)
        return false; /* the server wrote those tables itself: the snapshot is already stale */
    for (int t = STORE_MARK_ACCOUNTS; t < STORE_MARK_NTABLES; t++)
        if (mark_differs(&m, &g.base, t))
            return true;
    return m.catalogue_hash != g.base.catalogue_hash;
}

/* ---- the background thread ------------------------------------------------------------------ */

/* Applies the writes remembered during a reload to the new snapshot (under the write lock). */
static void replay(struct store *s, struct rv_snapshot *snap, const struct replay *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct kith_error err = {0};
        if (r[i].kind != R_INTERACTION) {
            bool contact = r[i].kind == R_CONTACT;
            store_rv_contacts(s, contact ? r[i].id : 0, contact ? 0 : r[i].id, upsert_contact, snap,
                              &err);
            continue;
        }
        struct store_interaction_row row;
        int64_t voided_contact = 0;
        if (store_rv_interaction(s, r[i].id, &row, &voided_contact, &err) < 0)
            continue;
        struct rv_interaction_in in = {row.id,          row.contact_id, row.user_id, row.type_id,
                                       row.occurred_at, row.rv,         row.cost,    row.voids_id,
                                       row.has_rv,      row.has_cost};
        /* already in the new snapshot when it was committed before the reload read: a conflict */
        rv_snapshot_add_interaction(
            snap, &in, voided_contact == row.contact_id ? 0 : voided_contact, NULL, &err);
    }
}

static void reload(void)
{
    struct kith_error err = {0};
    struct rv_snapshot *snap = NULL;
    struct norm_result *norm = NULL;
    double t0 = now_s();
    pthread_mutex_lock(&g.mu);
    g.stale = false;
    g.reloading = true;
    g.replay_overflow = false;
    g.nreplays = 0;
    pthread_mutex_unlock(&g.mu);
    watch_rebase();
    int rc = load(g.db_path, &snap, &norm, &err);
    struct store *s = NULL;
    if (rc == 0)
        rc = store_open(g.db_path, STORE_READONLY, &s, &err);
    pthread_rwlock_wrlock(&g.lock);
    pthread_mutex_lock(&g.mu);
    g.reloading = false;
    if (rc == 0) {
        replay(s, snap, g.replays, g.nreplays);
        if (g.replay_overflow)
            g.stale = true;
    }
    pthread_mutex_unlock(&g.mu);
    if (rc == 0) {
        struct rv_snapshot *old_snap = g.snap;
        struct norm_result *old_norm = g.norm;
        g.snap = snap;
        g.norm = norm;
        snap = old_snap;
        norm = old_norm;
    }
    pthread_rwlock_unlock(&g.lock);
    store_close(s);
    rv_snapshot_free(snap);
    norm_result_free(norm);
    if (rc < 0) {
        fprintf(stderr, "kith serve: reloading the RV snapshot failed (the old one stays): %s\n",
                err.msg);
        /* the mark was taken for a load that did not happen: try again after the usual delay */
        pthread_mutex_lock(&g.mu);
        g.stale = true;
        pthread_mutex_unlock(&g.mu);
        return;
    }
    fprintf(stderr, "kith serve: RV snapshot reloaded in %.2f s\n", now_s() - t0);
    store_all_levels("after the reload");
}

/* Recomputes the live norm over the current snapshot (read lock), then swaps it in. */
static void renorm(void)
{
    struct kith_error err = {0};
    struct norm_result *norm = NULL;
    pthread_rwlock_rdlock(&g.lock);
    int rc = live_norm(g.snap, &norm, &err);
    pthread_rwlock_unlock(&g.lock);
    if (rc < 0) {
        fprintf(stderr, "kith serve: recomputing the live RV norm failed: %s\n", err.msg);
        return;
    }
    pthread_rwlock_wrlock(&g.lock);
    struct norm_result *old = g.norm;
    g.norm = norm;
    pthread_rwlock_unlock(&g.lock);
    norm_result_free(old);
}

static void *background(void *arg)
{
    (void)arg;
    double last_norm = now_s(), last_reload = 0, last_ping = now_s(), last_watch = now_s();
    pthread_mutex_lock(&g.mu);
    while (!g.stop) {
        double t = now_s();
        double next = last_watch + WATCH_SECONDS;
        if (last_ping + PING_SECONDS < next)
            next = last_ping + PING_SECONDS;
        if (last_norm + g.norm_seconds < next)
            next = last_norm + g.norm_seconds;
        if (g.stale && last_reload + g.reload_seconds < next)
            next = last_reload + g.reload_seconds;
        if (g.stale && g.reload_now)
            next = t;
        if (next > t) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            double wait = next - t;
            until.tv_sec += (time_t)wait;
            until.tv_nsec += (long)((wait - (double)(time_t)wait) * 1e9);
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            int w = pthread_cond_timedwait(&g.wake, &g.mu, &until);
            if (w != ETIMEDOUT)
                continue; /* woken: re-evaluate */
            t = now_s();
        }
        pthread_mutex_unlock(&g.mu);
        if (t >= last_ping + PING_SECONDS) {
            rv_stream_ping();
            last_ping = t;
        }
        bool others = false;
        if (t >= last_watch + WATCH_SECONDS) {
            others = others_wrote();
            last_watch = t;
        }
        if (others)
            rvstate_changed("another process wrote to the database");
        pthread_mutex_lock(&g.mu);
        if (others)
            g.reload_now = true; /* within the 2 s bound, not KITH_RV_RELOAD_SECONDS */
        bool do_reload = g.stale && (g.reload_now || t >= last_reload + g.reload_seconds);
        g.reload_now = false;
        pthread_mutex_unlock(&g.mu);
        if (do_reload) {
            reload();
            last_reload = last_norm = now_s();
            pthread_mutex_lock(&g.mu);
            g.reload_gen++;
            pthread_cond_broadcast(&g.reloaded);
            pthread_mutex_unlock(&g.mu);
        } else if (t >= last_norm + g.norm_seconds) {
            renorm();
            last_norm = now_s();
        }
        pthread_mutex_lock(&g.mu);
    }
    pthread_mutex_unlock(&g.mu);
    return NULL;
}

int rvstate_start(const char *db_path, struct rvstate_info *info, struct kith_error *err)
{
    double t0 = now_s();
    memset(info, 0, sizeof(*info));
    g.db_path = strdup(db_path);
    if (!g.db_path)
        return kith_err(err, KITH_ENOMEM, "out of memory");
    int rc = store_open(db_path, STORE_READONLY, &g.watch, err);
    if (rc == 0)
        rc = store_data_version(g.watch, &g.data_version, err);
    if (rc == 0) {
        watch_rebase();
        rc = load(db_path, &g.snap, &g.norm, err);
    }
    if (rc < 0) {
        store_close(g.watch);
        g.watch = NULL;
        free(g.db_path);
        g.db_path = NULL;
        return rc;
    }
    store_all_levels("at start-up");
    g.norm_seconds = env_seconds("KITH_RV_NORM_SECONDS", NORM_SECONDS_DEF);
    g.reload_seconds = env_seconds("KITH_RV_RELOAD_SECONDS", RELOAD_SECONDS_DEF);
    g.stop = false;
    g.stale = false;
    if (pthread_create(&g.thread, NULL, background, NULL) != 0) {
        rvstate_stop();
        return kith_err(err, KITH_ENOMEM, "cannot start the RV background thread");
    }
    g.running = true;
    info->contacts = g.snap->nc;
    info->interactions = g.snap->nlive;
    info->seconds = now_s() - t0;
    return 0;
}

void rvstate_stop(void)
{
    if (g.running) {
        pthread_mutex_lock(&g.mu);
        g.stop = true;
        pthread_cond_signal(&g.wake);
        pthread_cond_broadcast(&g.reloaded);
        pthread_mutex_unlock(&g.mu);
        pthread_join(g.thread, NULL);
        g.running = false;
    }
    pthread_rwlock_wrlock(&g.lock);
    rv_snapshot_free(g.snap);
    norm_result_free(g.norm);
    g.snap = NULL;
    g.norm = NULL;
    pthread_rwlock_unlock(&g.lock);
    free(g.replays);
    g.replays = NULL;
    g.nreplays = g.replaycap = 0;
    store_close(g.watch);
    g.watch = NULL;
    store_close(g.levels);
    g.levels = NULL;
    free(g.db_path);
    g.db_path = NULL;
}
