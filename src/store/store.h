/*
 * store.h - the only door to persistence. Nothing above this header writes SQL.
 *
 * The SQLite backend lives in sqlite.c and migrations.c; its internals stay in store_int.h.
 * Rows travel as arrays of struct store_value in the field order of their model/table.h
 * description, so import, export and the API share one generic path. Durability: WAL with
 * synchronous=FULL, so a write acknowledged by store_commit() survives power loss; or, for a
 * connection opened with STORE_GROUP_SYNC, one acknowledged after store_sync().
 */
#ifndef KITH_STORE_STORE_H
#define KITH_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/deal_data.h"
#include "model/feed.h"
#include "model/dsr.h"
#include "model/v2t2_data.h"
#include "model/rv_rows.h"
#include "model/table.h"
#include "model/alike_data.h"
#include "model/value_data.h"
#include "model/voice_data.h"
#include "model/voids.h"
#include "util/error.h"

/* The schema version this binary creates and understands. */
#define STORE_SCHEMA_VERSION 24

struct store;

enum store_open_flags {
    STORE_CREATE = 1 << 0,   /* create the file when missing */
    STORE_READONLY = 1 << 1, /* open for reading only; no migration */
    /*
     * Commits do not wait for the disk (synchronous=NORMAL); store_sync() makes them durable,
     * one fsync of the WAL shared by every connection that asks meanwhile (group commit).
     * For kith serve, which answers a write only after store_sync().
     */
    STORE_GROUP_SYNC = 1 << 2,
    /*
     * The caller uses only the store functions that run on PostgreSQL too (docs/storage.md,
     * "PostgreSQL (in progress)"): a postgresql:// or postgres:// path is accepted. Without it
     * such a path is refused with KITH_EINVAL.
     */
    STORE_PG_READY = 1 << 3,
};

/* Whether path names a PostgreSQL database (postgresql://... or postgres://...). */
bool store_path_is_pg(const char *path);

/*
 * kith migrate-store: copies every table of the SQLite database at src_path (at schema version
 * STORE_SCHEMA_VERSION) into the PostgreSQL database at dst_url, which must be at the same
 * version (kith init) and hold no rows but those its migrations wrote (KITH_ECONFLICT naming a
 * table otherwise): every row and column as it is (secrets included), in one transaction, so the
 * destination has all of it or nothing. progress (may be NULL) is called after each table with
 * the rows copied. A source or destination at another version is KITH_EVERSION naming both.
 */
typedef void (*store_copy_progress_fn)(void *ctx, const char *table, int64_t rows);
int store_migrate_store(const char *src_path, const char *dst_url, store_copy_progress_fn progress,
                        void *ctx, struct kith_error *err);

/* Whether s is on PostgreSQL. */
bool store_is_pg(const struct store *s);

/*
 * Opens (and with STORE_CREATE creates) the database at path (a file, or a PostgreSQL URL with
 * STORE_PG_READY), applies the pragmas and brings
 * its schema to STORE_SCHEMA_VERSION in one transaction. A database of a newer schema is refused
 * with KITH_EVERSION. On success *out is owned by the caller: release it with store_close().
 */
int store_open(const char *path, int flags, struct store **out, struct kith_error *err);

/*
 * Makes every write of s so far durable, as a commit under synchronous=FULL would have: returns
 * once an fsync of the WAL that began after those writes has finished. Threads that call it
 * together share one fsync. Nothing to do (0) without STORE_GROUP_SYNC or when s has written
 * nothing since its last sync. KITH_EIO when the fsync fails (the writes are then committed,
 * but may not survive a power loss).
 */
int store_sync(struct store *s, struct kith_error *err);

/* Checkpoints the WAL and closes. NULL is a no-op. */
void store_close(struct store *s);

/* The schema version of the open database. */
int store_schema_version(struct store *s);

/* Transactions. store_begin() starts an IMMEDIATE transaction (the writer lock is taken now). */
int store_begin(struct store *s, struct kith_error *err);
int store_commit(struct store *s, struct kith_error *err);
/* Rolls back the open transaction, if any; never fails in a way the caller can act on. */
void store_rollback(struct store *s);

enum store_value_kind { SV_NULL = 0, SV_INT, SV_REAL, SV_TEXT };

/* One column value. For SV_TEXT, s points to len bytes owned by whoever filled the value. */
struct store_value {
    enum store_value_kind kind;
    int64_t i;
    double r;
    const char *s;
    size_t len;
};

/*
 * Inserts one row of t. vals has t->nfields entries in field order; an SV_NULL id lets the
 * store assign one, an SV_NULL created_at becomes now. *id_out (when non-NULL) receives the id.
 * A taken unique key is KITH_ECONFLICT, a missing referenced row KITH_EINVAL; the message
 * names the column.
 */
int store_insert(struct store *s, const struct table_def *t, const struct store_value *vals,
                 int64_t *id_out, struct kith_error *err);

/*
 * Inserts the n rows rows[0..n) of t (each t->nfields values, as for store_insert) in order,
 * several to a statement: about half the cost per row of store_insert for bulk loads. Text
 * values are not copied and must stay valid until it returns. Ids are assigned as store_insert
 * would. When a statement fails, the rows it held are undone and it stops: *done receives how
 * many rows went in (rows[0..*done)), and the error is store_insert's for one of the rows from
 * *done on (store_insert them one by one to know which).
 */
int store_insert_rows(struct store *s, const struct table_def *t,
                      const struct store_value *const *rows, size_t n, size_t *done,
                      struct kith_error *err);

/*
 * Calls fn for each row of t in id order with t->nfields values (text valid during the call).
 * Secret fields come as SV_NULL. fn returns 0 to go on, anything else to stop; that value is
 * then returned.
 */
typedef int (*store_row_fn)(void *ctx, const struct store_value *vals);
int store_scan(struct store *s, const struct table_def *t, store_row_fn fn, void *ctx,
               struct kith_error *err);

/*
 * Finds the id of the row of t whose unique column equals the text key. KITH_ENOTFOUND if none.
 * column must be one of t's natural keys.
 */
int store_find_id(struct store *s, const struct table_def *t, const char *column, const char *key,
                  int64_t *id_out, struct kith_error *err);

/*
 * The ids of the rows of t whose column (any readable field of t, unique or not) equals key,
 * in id order: the first cap into ids, and how many there are, up to cap + 1, into *n (so
 * *n > 1 says the key is ambiguous). For kith import's references by a key the user names.
 */
int store_find_ids(struct store *s, const struct table_def *t, const char *column,
                   const struct store_value *key, int64_t *ids, size_t cap, size_t *n,
                   struct kith_error *err);

/* Calls fn with each distinct non-null value of column of t (at most limit of them), as text
 * valid during the call; fn returns 0 to go on, anything else stops and is returned. */
typedef int (*store_text_fn)(void *ctx, const char *text, size_t len);
int store_distinct_text(struct store *s, const struct table_def *t, const char *column,
                        size_t limit, store_text_fn fn, void *ctx, struct kith_error *err);

/* True if t has a row with this id. */
bool store_row_exists(struct store *s, const struct table_def *t, int64_t id);

/*
 * What model/voids.h needs to know of interaction id (all of them, no scope) into *out: whether
 * it exists, its contact, what it voids and what voids it (found even when id is not there).
 * One cached statement, two index lookups: cheap enough for every void an import reads.
 */
int store_void_target(struct store *s, int64_t id, struct void_target *out, struct kith_error *err);

/* The largest id of t into *id (0 when t is empty). */
int store_max_id(struct store *s, const struct table_def *t, int64_t *id, struct kith_error *err);

/*
 * Bulk loading of one table (io/import.c), in four steps around one transaction:
 *   store_bulk_begin()    outside a transaction: turns foreign key enforcement off (the caller
 *                         must verify every reference it writes), raises the page cache and,
 *                         when no other connection has the database open, switches from the WAL
 *                         to a rollback journal for the load, so that the rows are written once
 *                         instead of twice (as durable: synchronous stays FULL);
 *   store_bulk_defer_indexes()  inside the transaction, once the load is known to be large
 *                         next to the table: drops t's secondary indexes (not those that
 *                         enforce a unique key, nor partial ones), which is much faster than
 *                         updating them row by row; empty (NULL: none known), one flag per
 *                         field of t, marks the fields every new row leaves NULL: an index
 *                         that starts with one of them is kept, as is an index of an also-table
 *                         that starts with its reference to t, since their new entries all go
 *                         to one place (a wrong flag costs time, never correctness); the
 *                         change counters' triggers on the loaded tables (value_inputs,
 *                         deal_inputs) are set aside too, each counter moved once at the end;
 *   store_bulk_finish()   inside the transaction, before the commit: builds them again;
 *   store_bulk_end()      after the commit or rollback: restores the connection and frees b.
 * A rollback restores dropped indexes with everything else. On success *out is owned by the
 * caller until store_bulk_end().
 */
struct store_bulk;
int store_bulk_begin(struct store *s, const struct table_def *t, struct store_bulk **out,
                     struct kith_error *err);
int store_bulk_defer_indexes(struct store_bulk *b, const bool *empty, struct kith_error *err);
/*
 * Before store_bulk_defer_indexes: another table the load writes many rows into (a deal's lines,
 * its first stage changes) has its indexes set aside and rebuilt with t's. At most 4;
 * KITH_EINVAL past that or once indexes are deferred.
 */
int store_bulk_also(struct store_bulk *b, const struct table_def *t);
/*
 * Inside the transaction, before any row goes in: a load of deals whose new rows all get ids
 * above after_id sets the per-row trigger deals_first_stage aside; store_bulk_finish() then does
 * what it does (the first stage change of each new deal, a missing outcome from its stage) for
 * all those rows at once, and puts the trigger back. Other tables: nothing to do.
 */
int store_bulk_defer_triggers(struct store_bulk *b, int64_t after_id, struct kith_error *err);
int store_bulk_finish(struct store_bulk *b, struct kith_error *err);
void store_bulk_end(struct store_bulk *b);

/* Number of rows of t into *n. */
int store_count(struct store *s, const struct table_def *t, int64_t *n, struct kith_error *err);

/* Size of the database in bytes (pages in use, main file). */
int store_size(struct store *s, int64_t *bytes, struct kith_error *err);

/* Copies the WAL into the main file and truncates it (on shutdown). */
int store_checkpoint(struct store *s, struct kith_error *err);

/* ---- backup and restore (backup.c; docs/storage.md, "Backup and restore") ---- */

/* Called now and then during a copy with the bytes copied so far of total; may be NULL. */
typedef void (*store_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/*
 * Copies the database of s to dest_path with SQLite's online backup API, a few pages per step,
 * while other connections and processes go on reading and writing: the copy is the database as
 * it was when store_backup() started (a read transaction holds that snapshot in WAL mode, which
 * never blocks a writer). It is written to a temporary file beside dest_path (mode 0600), fsync'd
 * and only then renamed over dest_path (with any stale dest_path-wal/-shm removed), so dest_path
 * is either its old self or a complete backup. The backup is one self-contained file (rollback
 * journal mode, no -wal companion). Refuses dest_path when it is the database itself, and when
 * s has a transaction open. progress (when non-NULL) gets ctx. Nothing for the caller to free;
 * s stays the caller's.
 */
int store_backup(struct store *s, const char *dest_path, store_progress_fn progress, void *ctx,
                 struct kith_error *err);

/*
 * Replaces the database at db_path (which need not exist) with the one at src_path. src_path is
 * checked first, opened read-only and never written: it must pass PRAGMA integrity_check and be
 * a kith database of a schema version this binary knows (KITH_EINVAL naming the damage,
 * KITH_EVERSION naming both versions). While another connection has db_path open (a running
 * `kith serve`), the restore is refused with KITH_ECONFLICT; from that check to the end it holds
 * an exclusive lock on db_path, so no one opens the old file meanwhile. The copy goes to a
 * temporary file beside db_path, is brought to STORE_SCHEMA_VERSION (an older backup is
 * migrated) in WAL mode with the permissions of the file it replaces (0600 for a new one),
 * fsync'd and renamed over db_path; stale db_path-wal/-shm are removed first. On any failure
 * db_path is untouched. progress (when non-NULL) gets ctx.
 */
int store_restore(const char *src_path, const char *db_path, store_progress_fn progress, void *ctx,
                  struct kith_error *err);

/* ---- generic queries for the API (query.c) ---- */

/*
 * Which rows of a table a caller may see or change, as the API's access module decided it
 * (api_scope() in api/access.c). With all set every row is in scope. Otherwise a row is in scope
 * when one of the non-zero conditions holds for the row that scopes it: contacts, accounts and
 * users scope themselves, interactions go through their contact, orders and events through their
 * contact or (without one) their account, order lines through their order; a unit is its own
 * unit, a team its own team, a user its own owner. With no condition set, no row is in scope.
 * docs/internals/access.md has the whole table.
 */
struct store_scope {
    bool all;
    int64_t unit_id;  /* the scoping row's unit_id equals this */
    int64_t team_id;  /* or its team_id equals this */
    int64_t owner_id; /* or its owner_id equals this */
    /*
     * And, whatever the above: a row reached through a contact is out of scope when the
     * contact's unit keeps its detail private (a unit of one of model_independent_unit_kinds
     * whose shares_detail is false). With all: every row but those.
     */
    bool hide_private;
    /*
     * And: a row reached through a contact is out of scope when the contact has withdrawn its
     * consent to sharing with partners (the partner role's records; docs/portal.md "Consent").
     */
    bool hide_unshared;
};

/* True if the scope lets no row through. */
bool store_scope_is_empty(const struct store_scope *scope);

enum store_op {
    STORE_EQ, /* the field equals the value (text compares with the column's collation) */
    STORE_GE, /* at least the value */
    STORE_LE, /* at most the value */
};

struct store_filter {
    size_t field; /* index into t->fields */
    enum store_op op;
    struct store_value value; /* text owned by the caller */
};

#define STORE_QUERY_MAX_FILTERS 32
#define STORE_QUERY_MAX_SEARCH  4 /* fields a search looks at */
#define STORE_SEARCH_MAX_WORDS  4
#define STORE_SEARCH_MAX_LEN    200 /* bytes of the search text */
#define STORE_LIST_MAX          1001

/*
 * A page of a list: filters (ANDed), an optional search, one sort field and a keyset position.
 * search: whitespace-separated words (at most STORE_SEARCH_MAX_WORDS); a row matches when every
 * word is a case-insensitive prefix of one of search_fields (LIKE 'word%', served by the NOCASE
 * indexes of migration 3). The order is (sort field, id), ascending or descending; NULLs sort
 * first ascending and last descending. With after set, the page starts after the row whose sort
 * key is after_key and id after_id: keyset pagination, never OFFSET.
 */
struct store_query {
    struct store_filter filters[STORE_QUERY_MAX_FILTERS];
    size_t nfilters;
    const char *search; /* NULL or "" for none; owned by the caller */
    size_t search_fields[STORE_QUERY_MAX_SEARCH];
    size_t nsearch;
    size_t sort_field; /* index into t->fields; 0 is id */
    bool descending;
    bool after;
    struct store_value after_key; /* ignored when sorting by id */
    int64_t after_id;
    size_t limit; /* 1..STORE_LIST_MAX rows */
};

/*
 * Calls fn for each row of t that is in scope and matches q, in q's order, at most q->limit
 * times, with t->nfields values (secret fields as SV_NULL; text valid during the call). fn returns
 * 0 to go on, anything else to stop; that value is returned. KITH_EINVAL for a query the store
 * cannot answer (a JSON field as sort key or filter, a search text too long); the message says why.
 */
int store_list(struct store *s, const struct table_def *t, const struct store_query *q,
               const struct store_scope *scope, store_row_fn fn, void *ctx, struct kith_error *err);

/*
 * The ids of every row of t in scope, ascending (no paging: for the analytics that need the whole
 * set, e.g. an RV mask). On success *ids is the caller's (free(); NULL when *n is 0).
 */
int store_scope_ids(struct store *s, const struct table_def *t, const struct store_scope *scope,
                    int64_t **ids, size_t *n, struct kith_error *err);

/*
 * Whether a row of t holding vals (t->nfields values in field order, as a write would leave it)
 * would be in scope, decided before the write touches the table: 0 if it would, KITH_ENOTFOUND
 * if not, another code if the store failed. Rows that scope themselves are judged by their own
 * unit_id, team_id and owner_id; the others by the row their reference names (the contact of an
 * interaction, ...), read under scope. The API checks a write this way before it is made, so
 * that nothing the table holds (a taken unique key) shows through a refused write.
 */
int store_row_in_scope(struct store *s, const struct table_def *t, const struct store_value *vals,
                       const struct store_scope *scope, struct kith_error *err);

/*
 * Calls fn for every row of t whose field (an index into t->fields) equals value, in id order,
 * in one statement: no scope, no paging, no planning. For reading all of one record's rows at
 * once (the data-subject export, io/dsr_export.h); fn returns 0 to go on, else that value.
 */
int store_each_eq(struct store *s, const struct table_def *t, size_t field, int64_t value,
                  store_row_fn fn, void *ctx, struct kith_error *err);

/*
 * Calls fn (when non-NULL) once with the row of t whose id is id, if it exists and is in scope;
 * KITH_ENOTFOUND ("no contact 12") otherwise: a row out of scope is reported as missing.
 */
int store_get(struct store *s, const struct table_def *t, int64_t id,
              const struct store_scope *scope, store_row_fn fn, void *ctx, struct kith_error *err);

/*
 * Sets the fields of row id of t whose set[] entry is true to vals[] (both t->nfields long, in
 * field order; id and created_at are never changed). KITH_ENOTFOUND if no such row; otherwise
 * the errors of store_insert() (KITH_ECONFLICT for a taken unique key, naming the column).
 */
int store_update(struct store *s, const struct table_def *t, int64_t id,
                 const struct store_value *vals, const bool *set, struct kith_error *err);

/*
 * Deletes row id of t. KITH_ENOTFOUND if none; KITH_ECONFLICT when other rows still refer to it,
 * with a message naming them ("contact 12 is still referred to by interactions.contact_id").
 */
int store_delete(struct store *s, const struct table_def *t, int64_t id, struct kith_error *err);

/* A position in a contact's timeline: newest first by (at, kind, id). */
struct store_timeline_pos {
    int64_t at; /* occurred_at / ordered_at, Unix ms */
    int kind;   /* 0 interaction, 1 order, 2 event: ties at one instant sort events first */
    int64_t id;
};

/* fn receives the table of the row (interactions, orders or events) and its position. */
typedef int (*store_timeline_fn)(void *ctx, const struct table_def *t,
                                 const struct store_timeline_pos *pos,
                                 const struct store_value *vals);

/*
 * Calls fn for the interactions, orders and events of contact contact_id, newest first, at most
 * limit (1..STORE_LIST_MAX) of them, starting after *after when it is non-NULL. The caller checks
 * that the contact is in scope: everything on its timeline is scoped by it.
 */
int store_timeline(struct store *s, int64_t contact_id, const struct store_timeline_pos *after,
                   size_t limit, store_timeline_fn fn, void *ctx, struct kith_error *err);

/* ---- Relationship Value snapshot (snapshot.c) ---- */

/* One interaction as the RV engine reads it. 0 stands for a NULL reference. */
struct store_interaction_row {
    int64_t id, contact_id, user_id, type_id;
    int64_t occurred_at; /* Unix ms */
    int64_t rv, cost;    /* as recorded; meaningful when has_rv / has_cost */
    int64_t voids_id;
    bool has_rv, has_cost;
};

/* fn returns 0 to go on, anything else to stop (that value is then returned). */
typedef int (*store_interaction_fn)(void *ctx, const struct store_interaction_row *row);

/*
 * Streams every interaction ordered by (contact_id, occurred_at, id) through the
 * interactions_contact_time index. Suits a subset or a database whose rows were written contact
 * by contact; for a whole database written in time order the rowid scan below is ~25x faster
 * (each index entry costs a random table lookup), which is what store_rv_source() uses.
 */
int store_scan_interactions_by_contact(struct store *s, store_interaction_fn fn, void *ctx,
                                       struct kith_error *err);

/* Streams the interactions with from_id <= id <= to_id in id order (a rowid range scan). */
int store_scan_interactions_by_id(struct store *s, int64_t from_id, int64_t to_id,
                                  store_interaction_fn fn, void *ctx, struct kith_error *err);

/*
 * The rows of an RV snapshot (model/rv_rows.h), for rv_snapshot_load() in engine/snapshot.h: the
 * catalogue, units, teams, users, contacts with their accounts' attributes, interactions, orders
 * and events, in one read transaction. Its read() takes 1..8 threads (KITH_EINVAL otherwise),
 * which read interaction id ranges on that many connections in parallel (a database in memory is
 * read on one). The source borrows s: it is valid while s is open. The contacts that withdrew
 * their consent to analytics are left out, with their interactions, orders and events (an order
 * of their account without a contact stays): docs/portal.md "Consent".
 */
struct rv_source store_rv_source(struct store *s);

/*
 * One interaction by id, as the loader reads it, and the contact of the interaction it voids (0
 * when it voids none). KITH_ENOTFOUND when there is no such interaction, or its contact withdrew
 * its consent to analytics (it is not the snapshot's).
 */
int store_rv_interaction(struct store *s, int64_t id, struct store_interaction_row *row,
                         int64_t *voided_contact_id, struct kith_error *err);

/* fn gets one contact with its account's attributes (text valid during the call); it returns 0
 * to go on, anything else to stop (that value is then returned). */
typedef int (*store_rv_contact_fn)(void *ctx, const struct rv_contact_in *c);

/* The contact contact_id when it is > 0, else every contact of account account_id. */
int store_rv_contacts(struct store *s, int64_t contact_id, int64_t account_id,
                      store_rv_contact_fn fn, void *ctx, struct kith_error *err);

/*
 * "First Last" of contact id into buf (either name alone when the other is empty; "" when both
 * are, or when there is no such contact: then KITH_ENOTFOUND; KITH_ERANGE when it does not fit,
 * which STORE_CONTACT_NAME_MAX bytes always do). Names never enter the RV engine; whoever shows
 * an RV answer with names reads them here, after checking the caller's scope.
 */
#define STORE_CONTACT_NAME_MAX 1024 /* two names of at most 100 characters of 4 bytes, a space */
int store_rv_contact_name(struct store *s, int64_t id, char *buf, size_t size,
                          struct kith_error *err);

/* ---- sign-in (sessions.c) ---- */

/* Number of sessions whose expires_at is after now_ms. */
int store_count_open_sessions(struct store *s, int64_t now_ms, int64_t *n, struct kith_error *err);

/*
 * Secrets (session ids, CSRF tokens, API tokens) reach these functions only as hex hashes
 * (util/secret.h); passwords only as argon2id strings (util/password.h). All structs below are
 * caller-owned copies; text is NUL-terminated. An id of 0 means "none".
 */
#define STORE_HASH_SIZE 65 /* a hex hash with its NUL */

struct store_user_auth {
    int64_t id;
    char email[256];
    char name[256];
    char role[16];
    int64_t unit_id;         /* 0 when none */
    int64_t team_id;         /* 0 when none */
    char password_hash[128]; /* argon2id string; "" when none is set */
    bool disabled;
};

/* A new user (store_user_add); NULL password_hash for none, 0 ids for none. */
struct store_user_new {
    int64_t created_at; /* 0: now */
    const char *email, *name, *role;
    int64_t unit_id, team_id;
    const char *password_hash;
};

/*
 * Adds a user (on SQLite and PostgreSQL: users.c); *id_out (when non-NULL) gets the id. A taken
 * email is KITH_ECONFLICT "a user with email '...' exists already". Validation is the caller's.
 */
int store_user_add(struct store *s, const struct store_user_new *u, int64_t *id_out,
                   struct kith_error *err);

/* A user as kith user list shows it: unit and team by name ("" for none). */
struct store_user_listed {
    int64_t id;
    char email[256];
    char name[256];
    char role[16];
    char unit[256];
    char team[256];
    bool disabled;
};

/* Calls fn for each user in id order (SQLite and PostgreSQL); fn's nonzero return stops the
 * loop and is returned. */
typedef int (*store_user_list_fn)(void *ctx, const struct store_user_listed *u);
int store_user_list(struct store *s, store_user_list_fn fn, void *ctx, struct kith_error *err);

/* The user with this email (case-insensitive for ASCII) or id; KITH_ENOTFOUND when none. */
int store_user_find_by_email(struct store *s, const char *email, struct store_user_auth *out,
                             struct kith_error *err);
int store_user_get(struct store *s, int64_t id, struct store_user_auth *out,
                   struct kith_error *err);

/*
 * Ending a user's credentials: the one rule behind sign-out, disabling, a password change, a token
 * revocation and a change of role, unit or team (docs/internals/auth.md, "Ending credentials").
 */
struct store_credential_end {
    int64_t user_id;         /* whose credentials end */
    const char *why;         /* the change that ends them ("sign_out", "password_change" ...) */
    int64_t keep_session;    /* a session of user_id that stays (the caller's own), or 0 */
    int64_t keep_token;      /* an API token of user_id that stays, or 0 */
    int64_t actor_id;        /* who acted, for the audit log; 0 = nobody signed in (the CLI) */
    const char *client_addr; /* for the audit log: the client's address, or "cli" */
};

/*
 * Deletes every session and revokes (revoked_at = now_ms) every API token of e->user_id but
 * e->keep_session and e->keep_token, and when that ended any, writes the audit entry
 * "credentials_end" (users / user_id, detail "<why>: N sessions ended, M API tokens revoked").
 * All or nothing, inside or outside the caller's transaction: call it in the transaction of the
 * change that ends the credentials. *ended (when non-NULL) gets the sessions and tokens ended.
 */
int store_user_end_credentials(struct store *s, const struct store_credential_end *e,
                               int64_t now_ms, int64_t *ended, struct kith_error *err);

/*
 * Sets the password hash of e->user_id and ends their credentials as
 * store_user_end_credentials(e) does (whoever knew the old password is out), all or nothing.
 * KITH_ENOTFOUND for an unknown user.
 */
int store_user_set_password(struct store *s, const struct store_credential_end *e,
                            const char *password_hash, int64_t now_ms, struct kith_error *err);

/*
 * Disables (or enables) user e->user_id. Disabling also ends all their credentials as
 * store_user_end_credentials(e) does, all or nothing; enabling revives none of them.
 * KITH_ENOTFOUND for an unknown user.
 */
int store_user_set_disabled(struct store *s, const struct store_credential_end *e, bool disabled,
                            int64_t now_ms, struct kith_error *err);

/* A credential as a live stream holds it: whose, as what, and the session or token it is. */
struct store_credential {
    int64_t user_id;
    char role[16];
    int64_t unit_id, team_id;     /* 0 when none */
    int64_t session_id, token_id; /* the one the stream came with; the other is 0 */
};

/*
 * True while c still holds at now_ms: its session is live (not deleted, not expired) or its token
 * not revoked, and its user is enabled with the same role, unit and team. One look-up by primary
 * key, cheap enough to make before every event a stream sends. A database error counts as false:
 * a stream that cannot check its credential stops.
 */
bool store_credential_holds(struct store *s, const struct store_credential *c, int64_t now_ms);

struct store_session {
    int64_t id, user_id;
    int64_t created_at, expires_at, last_seen_at; /* Unix ms */
    char csrf_hash[STORE_HASH_SIZE];
};

/* Creates a session (last_seen_at = created_at = now_ms); *id_out gets its id. */
int store_session_create(struct store *s, int64_t user_id, const char *token_hash,
                         const char *csrf_hash, int64_t now_ms, int64_t expires_at, int64_t *id_out,
                         struct kith_error *err);

/*
 * The live session whose token hash is token_hash: expires_at after now_ms and its user not
 * disabled. user (when non-NULL) receives that user. KITH_ENOTFOUND when there is none.
 */
int store_session_find(struct store *s, const char *token_hash, int64_t now_ms,
                       struct store_session *out, struct store_user_auth *user,
                       struct kith_error *err);

/* The session with this id, live or not; KITH_ENOTFOUND when none. */
int store_session_get(struct store *s, int64_t id, struct store_session *out,
                      struct kith_error *err);

/* Records a use: last_seen_at = now_ms and the new expires_at. */
int store_session_touch(struct store *s, int64_t id, int64_t now_ms, int64_t expires_at,
                        struct kith_error *err);

/* Deletes a session (sign-out); KITH_ENOTFOUND when it is gone already. */
int store_session_delete(struct store *s, int64_t id, struct kith_error *err);

/* Deletes the sessions expired at now_ms; *purged (when non-NULL) gets how many. */
int store_sessions_purge(struct store *s, int64_t now_ms, int64_t *purged, struct kith_error *err);

struct store_token {
    int64_t id, user_id;
    int64_t created_at, last_used_at, revoked_at; /* Unix ms; 0 = never */
    char name[128];
};

/* Creates an API token of user_id; *id_out gets its id. */
int store_token_create(struct store *s, int64_t user_id, const char *name, const char *token_hash,
                       int64_t now_ms, int64_t *id_out, struct kith_error *err);

/*
 * The active token whose hash is token_hash: not revoked, its user not disabled. user (when
 * non-NULL) receives its user. KITH_ENOTFOUND when there is none.
 */
int store_token_find(struct store *s, const char *token_hash, struct store_token *out,
                     struct store_user_auth *user, struct kith_error *err);

/* The token with this id, revoked or not; KITH_ENOTFOUND when none. */
int store_token_get(struct store *s, int64_t id, struct store_token *out, struct kith_error *err);

/* Records a use: last_used_at = now_ms. */
int store_token_touch(struct store *s, int64_t id, int64_t now_ms, struct kith_error *err);

/* Calls fn for each token of user_id (revoked ones too) in id order; fn returns 0 to go on. */
typedef int (*store_token_fn)(void *ctx, const struct store_token *t);
int store_token_list(struct store *s, int64_t user_id, store_token_fn fn, void *ctx,
                     struct kith_error *err);

/* Number of tokens of user_id that are not revoked. */
int store_token_count_active(struct store *s, int64_t user_id, int64_t *n, struct kith_error *err);

/* Revokes a token (revoked_at = now_ms); KITH_ENOTFOUND when no such active token exists. */
int store_token_revoke(struct store *s, int64_t id, int64_t now_ms, struct kith_error *err);

/* One row of audit_log. On insert, created_at 0 means now; text may be NULL. */
struct store_audit_entry {
    int64_t id;
    int64_t created_at;
    int64_t user_id; /* who acted; 0 = nobody signed in (the CLI, a failed sign-in) */
    const char *action;
    const char *table_name;
    int64_t record_id;
    const char *client_addr;
    const char *detail; /* never a secret */
};

/* Appends an entry; *id_out (when non-NULL) gets its id. */
int store_audit_insert(struct store *s, const struct store_audit_entry *e, int64_t *id_out,
                       struct kith_error *err);

#define STORE_AUDIT_LIMIT_MAX 10000

/* Filters of store_audit_query(); a zero or NULL field does not filter. */
struct store_audit_filter {
    int64_t user_id;
    const char *action;
    const char *table_name;
    int64_t record_id;
    int64_t since_ms;  /* created_at >= since_ms */
    int64_t until_ms;  /* created_at <= until_ms */
    int64_t before_id; /* the cursor: only ids below it */
    int limit;         /* 1 .. STORE_AUDIT_LIMIT_MAX rows */
};

/*
 * Calls fn for each matching entry, newest (highest id) first; the entry's text is valid during
 * the call only. fn returns 0 to go on, anything else to stop (that value is returned).
 */
typedef int (*store_audit_fn)(void *ctx, const struct store_audit_entry *e);
int store_audit_query(struct store *s, const struct store_audit_filter *f, store_audit_fn fn,
                      void *ctx, struct kith_error *err);

/*
 * Among the entries of action created after since_ms, counts into *n_detail those whose
 * detail equals detail and into *n_addr those whose client_addr equals client_addr (sign-in
 * throttling counts failures per account and per address this way).
 */
int store_audit_recent_counts(struct store *s, const char *action, int64_t since_ms,
                              const char *detail, const char *client_addr, int64_t *n_detail,
                              int64_t *n_addr, struct kith_error *err);

/* Unix milliseconds now (the clock the store stamps created_at with). */
int64_t store_now_ms(void);

/* The file of s's database (absolute), for opening another connection to it; owned by s. */
const char *store_path(struct store *s);

/* ---- the customer portal's credentials (portal.c; docs/portal.md) ---------------------- */

/*
 * A contact's portal access, apart from staff users: secrets arrive only as hex hashes and
 * passwords only as argon2id strings, as for staff (above). Tokens are single use: kind
 * STORE_PORTAL_INVITATION (sets a password) or STORE_PORTAL_SIGN_IN (a one-time sign-in link).
 */
#define STORE_PORTAL_INVITATION "invitation"
#define STORE_PORTAL_SIGN_IN    "sign_in"

struct store_portal_account {
    int64_t contact_id;
    int64_t account_id;             /* the contact's account, 0 when none */
    char email[256];                /* the contact's email, what it signs in with; "" when none */
    char name[256];                 /* first and last name */
    char password_hash[128];        /* argon2id string; "" until the contact sets one */
    int64_t created_at, revoked_at; /* Unix ms; revoked_at 0 while the access holds */
};

/* The portal access of contact_id, revoked or not; KITH_ENOTFOUND when it was never invited. */
int store_portal_account_get(struct store *s, int64_t contact_id, struct store_portal_account *out,
                             struct kith_error *err);

/* The portal access of the contact with this email (case-insensitive); KITH_ENOTFOUND if none. */
int store_portal_account_find_by_email(struct store *s, const char *email,
                                       struct store_portal_account *out, struct kith_error *err);

/*
 * Gives contact_id portal access (created, or revived when staff had revoked it; a password
 * set before a revocation is gone) and stores the single-use token of kind whose hash is
 * token_hash, valid until expires_at, made by user created_by (0: none). *id_out (when non-NULL)
 * gets the token's id. KITH_ENOTFOUND when the contact does not exist. For STORE_PORTAL_SIGN_IN
 * the access must exist and not be revoked (KITH_ENOTFOUND otherwise).
 */
int store_portal_token_create(struct store *s, int64_t contact_id, const char *kind,
                              const char *token_hash, int64_t now_ms, int64_t expires_at,
                              int64_t created_by, int64_t *id_out, struct kith_error *err);

/*
 * Spends the token of kind whose hash is token_hash: it must be unspent, expire after now_ms and
 * its contact's access must hold; *contact_id gets its contact. KITH_ENOTFOUND otherwise (one
 * answer for unknown, spent, expired and revoked). Call inside a transaction.
 */
int store_portal_token_use(struct store *s, const char *kind, const char *token_hash,
                           int64_t now_ms, int64_t *contact_id, struct kith_error *err);

/*
 * Sets contact_id's password hash and ends its portal sessions but keep_session (0: none);
 * *ended (when non-NULL) gets how many ended. KITH_ENOTFOUND when its access is revoked or none.
 */
int store_portal_set_password(struct store *s, int64_t contact_id, const char *password_hash,
                              int64_t now_ms, int64_t keep_session, int64_t *ended,
                              struct kith_error *err);

/*
 * Revokes contact_id's portal access at now_ms: its password is cleared, every portal session
 * ends and every unspent token is spent, all at once. *ended (when non-NULL) gets the sessions
 * ended. KITH_ENOTFOUND when the contact holds no access (never invited or revoked already).
 */
int store_portal_revoke(struct store *s, int64_t contact_id, int64_t now_ms, int64_t *ended,
                        struct kith_error *err);

struct store_portal_session {
    int64_t id, contact_id;
    int64_t created_at, expires_at, last_seen_at; /* Unix ms */
    char csrf_hash[STORE_HASH_SIZE];
};

/* Creates a portal session of contact_id (last_seen_at = created_at = now_ms). */
int store_portal_session_create(struct store *s, int64_t contact_id, const char *token_hash,
                                const char *csrf_hash, int64_t now_ms, int64_t expires_at,
                                int64_t *id_out, struct kith_error *err);

/*
 * The live portal session whose token hash is token_hash: expires after now_ms and its contact's
 * access holds. KITH_ENOTFOUND otherwise.
 */
int store_portal_session_find(struct store *s, const char *token_hash, int64_t now_ms,
                              struct store_portal_session *out, struct kith_error *err);

/* The portal session with this id, live or not; KITH_ENOTFOUND when none. */
int store_portal_session_get(struct store *s, int64_t id, struct store_portal_session *out,
                             struct kith_error *err);

/* Records a use of a portal session: last_seen_at = now_ms and the new expires_at. */
int store_portal_session_touch(struct store *s, int64_t id, int64_t now_ms, int64_t expires_at,
                               struct kith_error *err);

/* Deletes one portal session (sign-out); KITH_ENOTFOUND when it is gone already. */
int store_portal_session_delete(struct store *s, int64_t id, struct kith_error *err);

/*
 * Deletes contact_id's portal sessions but keep_session (0: none); *ended (when non-NULL) gets
 * how many. Also deletes every expired portal session of anyone.
 */
int store_portal_sessions_end(struct store *s, int64_t contact_id, int64_t keep_session,
                              int64_t now_ms, int64_t *ended, struct kith_error *err);

/* A unit that holds a contact's data, and why (STORE_HOLDS_* bits). Text valid during the call. */
#define STORE_HOLDS_RECORD       1u /* the contact's own unit */
#define STORE_HOLDS_ACCOUNT      2u /* the unit of the contact's account */
#define STORE_HOLDS_INTERACTIONS 4u /* its staff recorded interactions with the contact */
#define STORE_HOLDS_DEALS        8u /* it keeps a deal of which the contact is the primary contact */
#define STORE_HOLDS_ORDERS       16u /* its staff sold the orders of the contact or its account */
struct store_holder {
    int64_t unit_id;
    const char *name;
    const char *kind; /* units.kind: manufacturer, business_unit, partner ... */
    unsigned why;
};
typedef int (*store_holder_fn)(void *ctx, const struct store_holder *h);

/*
 * Calls fn for each unit holding contact_id's data (its unit, its account's unit, the units of the
 * staff who recorded its interactions or sold its orders, the units of its deals), by unit id; fn
 * returns 0 to go on, else that value.
 */
int store_portal_holders(struct store *s, int64_t contact_id, store_holder_fn fn, void *ctx,
                         struct kith_error *err);
/* ---- someone like me (alike.c; docs/voice.md "Someone like me") ---- */

/*
 * Reads every contact or account (kind) with what "someone like me" compares into *out
 * (model/alike_data.h; zeroed first), in one read transaction unless the caller holds one: the
 * attributes as codes, sale lines and sales (a contact's: its account's, else those naming it),
 * the products of stated intents in answers the contact shares, the RV windows ending at the
 * latest interaction and churn events. The caller owns *out (alike_data_release()); on failure
 * nothing is left to free. Scope is the caller's to apply.
 */
int store_alike_load(struct store *s, enum alike_kind kind, struct alike_data *out,
                     struct kith_error *err);

/* Whether contact_id opted in to be found in the portal's people map (false when never said). */
int store_findable_get(struct store *s, int64_t contact_id, bool *findable, struct kith_error *err);

/* Records contact_id's choice to be found (or not) at now_ms. */
int store_findable_set(struct store *s, int64_t contact_id, bool findable, int64_t now_ms,
                       struct kith_error *err);
/* ---- data-subject requests and erasure (dsrs.c; docs/portal.md) ------------------------ */

#define STORE_DSR_LIST_MAX 1000

/* One request as the store holds it (migration 15); a caller-owned copy. Text "" is none. */
struct store_dsr {
    int64_t id, created_at, contact_id;
    enum dsr_kind kind;
    enum dsr_status status;
    int64_t received_at, due_at; /* Unix ms; due_at the extended date once extended */
    int64_t handled_by;          /* users.id of the last staff who acted; 0 none */
    int64_t closed_at;           /* 0 while open */
    int64_t extended_at;         /* 0 unless extended */
    char notes[DSR_NOTES_MAX + 1];
    char extension_reason[DSR_REASON_MAX + 1];
    char answer[DSR_REASON_MAX + 1];
    char filed_by[16]; /* "customer", "staff" or "" */
};

/* Files d (its id and created_at are ignored; created_at is now); *id_out gets its id. */
int store_dsr_insert(struct store *s, const struct store_dsr *d, int64_t *id_out,
                     struct kith_error *err);

/* Request id into *out; KITH_ENOTFOUND "no data-subject request 12". */
int store_dsr_get(struct store *s, int64_t id, struct store_dsr *out, struct kith_error *err);

/* Writes d's status, due_at, handled_by, closed_at, notes, extension and answer to its row. */
int store_dsr_update(struct store *s, const struct store_dsr *d, struct kith_error *err);

struct store_dsr_filter {
    int64_t contact_id; /* 0: every contact */
    bool open_only;     /* open or extended */
    int status;         /* an enum dsr_status, or -1: any */
    int kind;           /* an enum dsr_kind, or -1: any */
    bool by_receipt;    /* newest received first; else by due date, soonest first */
    int64_t limit;      /* 1..STORE_DSR_LIST_MAX (0: the max) */
};

/* fn gets each request (valid during the call); 0 to go on, anything else stops. */
typedef int (*store_dsr_fn)(void *ctx, const struct store_dsr *d);
int store_dsr_list(struct store *s, const struct store_dsr_filter *f, store_dsr_fn fn, void *ctx,
                   struct kith_error *err);

struct store_dsr_counts {
    int64_t open;        /* open or extended */
    int64_t overdue;     /* of those, due before now */
    int64_t next_due_at; /* the soonest due date among them; 0 without any */
};
int store_dsr_counts(struct store *s, int64_t now_ms, struct store_dsr_counts *out,
                     struct kith_error *err);

/*
 * The restriction predicate (model/dsr.h, dsr_restricts()): the ids of the contacts with a
 * restriction request in force, ascending and distinct, into *ids (the caller's: free(); NULL
 * when *n is 0). Analytics and outreach leave these contacts out (docs/portal.md,
 * "Restriction"); store_ids_has() answers for one id.
 */
int store_restricted_contacts(struct store *s, int64_t **ids, size_t *n, struct kith_error *err);
bool store_ids_has(const int64_t *ids, size_t n, int64_t id);

/* The same predicate for one contact (one index lookup): for outreach and live events. A failure
 * to read counts as restricted: nothing goes out that should not. */
bool store_contact_is_restricted(struct store *s, int64_t contact_id);

/* What an erasure removed (counts only: never the values). */
struct store_erasure {
    int64_t rows;        /* rows of other tables whose personal fields were emptied */
    int64_t portal_rows; /* portal sessions, links and access deleted */
    int64_t devices;     /* devices deleted (their readings stay, values emptied) */
    int64_t audit_rows;  /* audit entries whose detail named the contact, scrubbed */
};

/*
 * Erases contact_id inside the caller's transaction, with secure_delete on so that the freed
 * bytes are zeroed: every personal field (field_def.personal) of its row and of the rows that
 * name it is emptied (a required one becomes MODEL_ERASED_TEXT), free-text survey answers go,
 * its devices are deleted (the interactions of their readings stay, their notes emptied, their
 * device_readings links deleted), its portal account, sessions and links are deleted, and audit
 * entries whose detail holds its
 * email, full name or phone are scrubbed. Interactions, orders, events, scores and references
 * stay: the contact remains as an anonymous one, so aggregates do not move. KITH_ENOTFOUND when
 * there is no such contact. After the commit, store_checkpoint() moves the change into the
 * main file and empties the WAL, which otherwise keeps older copies of the pages.
 */
int store_contact_erase(struct store *s, int64_t contact_id, struct store_erasure *out,
                        struct kith_error *err);

/*
 * After an erasure: copies the WAL into the main file and truncates it, waiting at most wait_ms
 * for readers and writers (then it copies what it can without waiting: the rest is copied and
 * overwritten by later checkpoints). *complete (when non-NULL) says whether the WAL was emptied.
 * Never holds other connections' writes for longer than wait_ms.
 */
int store_checkpoint_erasure(struct store *s, int wait_ms, bool *complete, struct kith_error *err);

/*
 * Rewrites the whole database file (SQLite's VACUUM), outside any transaction: every page is
 * written afresh, so nothing remains of what earlier erasures removed, not even the copies of
 * old row versions that SQLite's rebalancing of b-tree pages may have left in the unused space
 * of a page before the erasure (docs/portal.md, "Erasure"). Blocks writers for as long as it
 * runs (about a minute per GB) and needs as much free disk as the file. `kith dsr vacuum`.
 */
int store_vacuum(struct store *s, struct kith_error *err);
/* ---- the customer's devices and their readings (devices.c; docs/portal.md "Devices") ------ */

/* A device a contact registered in the portal (migration 15). Its token is stored hashed only. */
struct store_device {
    int64_t id, contact_id;
    char name[128], kind[64];
    int64_t created_at, paused_at, last_seen_at; /* Unix ms; 0 while not paused / never seen */
    int64_t readings;                            /* readings it has posted and that are kept */
};

/* Registers a device of contact_id whose token's hash is token_hash; *id_out gets its id. */
int store_device_create(struct store *s, int64_t contact_id, const char *name, const char *kind,
                        const char *token_hash, int64_t now_ms, int64_t *id_out,
                        struct kith_error *err);

/* The device whose token hashes to token_hash, paused or not; KITH_ENOTFOUND when none. */
int store_device_find(struct store *s, const char *token_hash, struct store_device *out,
                      struct kith_error *err);

/* Device id when it belongs to contact_id; KITH_ENOTFOUND ("no device 12") otherwise. */
int store_device_get(struct store *s, int64_t id, int64_t contact_id, struct store_device *out,
                     struct kith_error *err);

/* Calls fn for each device of contact_id, oldest first; fn returns non-zero to stop. */
typedef int (*store_device_fn)(void *ctx, const struct store_device *d);
int store_device_list(struct store *s, int64_t contact_id, store_device_fn fn, void *ctx,
                      struct kith_error *err);

/*
 * Changes device id of contact_id: name (NULL: kept) and pause (-1: kept, 1: paused at now_ms
 * unless it is already, 0: resumed). KITH_ENOTFOUND when it is not the contact's.
 */
int store_device_update(struct store *s, int64_t id, int64_t contact_id, const char *name,
                        int pause, int64_t now_ms, struct kith_error *err);

/*
 * Deletes device id of contact_id with its data, inside the caller's transaction: the
 * interactions it posted, the voids staff recorded of them, its device_readings rows and the
 * device (its token with it). *readings (when non-NULL) gets how many readings went.
 * KITH_ENOTFOUND when it is not the contact's.
 */
int store_device_delete(struct store *s, int64_t id, int64_t contact_id, int64_t *readings,
                        struct kith_error *err);

/* A telemetry type of the catalogue, as a reading takes it. */
struct store_telemetry_type {
    int64_t id, rv, cost;
    char channel[64];
};

/*
 * Adds to the catalogue those of the telemetry types of migration 15 (device.usage, device.alert,
 * device.error) that it lacks, by code; *added (when non-NULL) gets how many. Migration 15 adds
 * them only to a catalogue that had types; a device's registration calls this.
 */
int store_telemetry_types_ensure(struct store *s, int64_t *added, struct kith_error *err);

/* The interaction type whose code is code; KITH_ENOTFOUND when there is none. */
int store_telemetry_type(struct store *s, const char *code, struct store_telemetry_type *out,
                         struct kith_error *err);

/* One reading to store: an interaction of type type (its rv, cost and channel) at at. */
struct store_reading_in {
    const struct store_telemetry_type *type;
    int64_t at;        /* Unix ms */
    const char *value; /* compact JSON, kept in the interaction's notes */
    size_t value_len;
};

/*
 * Stores the n readings of device (inside the caller's transaction): each an interaction of the
 * device's contact with source "device", no user, and a device_readings row; the device's
 * last_seen_at and count follow. ids[0..n) get the interactions' ids. On failure some may be in:
 * the caller rolls back.
 */
int store_device_readings_add(struct store *s, const struct store_device *device,
                              const struct store_reading_in *rows, size_t n, int64_t now_ms,
                              int64_t *ids, struct kith_error *err);

/* A stored reading as the portal shows it; text valid during the callback only. */
struct store_reading {
    int64_t id; /* the interaction's */
    int64_t at, received_at;
    const char *type;  /* the type's code */
    const char *value; /* JSON text */
};

/*
 * Calls fn for the readings of device id, newest received first, those with an id below before
 * (0: from the newest), at most limit; fn returns non-zero to stop.
 */
typedef int (*store_reading_fn)(void *ctx, const struct store_reading *r);
int store_device_readings_list(struct store *s, int64_t device_id, int64_t before, int64_t limit,
                               store_reading_fn fn, void *ctx, struct kith_error *err);

/* ---- customer value (value.c) ---- */

/* What store_cv_load() reads; STORE_CV_LINES also reads the products. */
enum store_cv_part {
    STORE_CV_ACCOUNTS = 1 << 0,
    STORE_CV_ORDERS = 1 << 1,
    STORE_CV_LINES = 1 << 2,
    STORE_CV_COSTS = 1 << 3,
    STORE_CV_REFERRALS = 1 << 4,
    STORE_CV_ALL = (1 << 5) - 1,
};

/* as_of_day meaning "the day of the latest order" (today when there is no order). */
#define STORE_CV_AS_OF_LATEST INT32_MIN

struct store_cv_request {
    unsigned parts; /* enum store_cv_part bits */
    /*
     * The accounts the caller may see, ascending and distinct (caller-owned), or NULL for all.
     * Rows are kept when their account is in the set: orders, lines and costs by their
     * account, referrals by the referrer's account.
     */
    const int64_t *accounts;
    size_t naccounts;
    int32_t as_of_day; /* day number (model/value_data.h) or STORE_CV_AS_OF_LATEST */
    int current_days;  /* 1..36600: the cost window "current" is the days up to as_of_day */
    /*
     * Set by store_cv_load() on its own copy (a caller's values are ignored): the accounts left
     * out whatever accounts says, those whose every contact withdrew its consent to analytics
     * (docs/portal.md "Consent"). Such a contact's own orders, lines, costs and referrals are
     * left out too.
     */
    const int64_t *excluded;
    size_t nexcluded;
};

/*
 * Reads the parts of req into *out (model/value_data.h; zeroed first), in one read transaction
 * unless the caller holds one. out->as_of_day receives the day used. Orders, lines and costs
 * come in the orders documented in value_data.h. On success the caller owns *out and frees it
 * with cv_data_release(); on failure nothing is left to free. docs/internals/value.md defines
 * which interactions count as cost to serve and whom a referral credits.
 */
int store_cv_load(struct store *s, const struct store_cv_request *req, struct cv_data *out,
                  struct kith_error *err);

/* The latest ordered_at of all orders into *at (*found false and *at 0 when there is none). */
int store_cv_latest_order(struct store *s, int64_t *at, bool *found, struct kith_error *err);

/*
 * The accounts in scope, for store_cv_request.accounts: the same rows store_list() shows on the
 * accounts table under scope. With scope->all, *ids is NULL and *n 0 ("every account", read by
 * nobody here). Otherwise *ids is a malloc'd array of *n ids, ascending and distinct, never NULL
 * even when *n is 0 (no account: nothing to analyse, not everything); the caller frees it. On
 * failure *ids is NULL and nothing is left to free.
 */
int store_scope_account_ids(struct store *s, const struct store_scope *scope, int64_t **ids,
                            size_t *n, struct kith_error *err);

/* ---- kept customer value figures (value_kept.c) ------------------------------------------- */
/*
 * The figures the server computes once per version of the value inputs and keeps in the store
 * (docs/internals/value.md, "Kept figures"). The store holds them without knowing what they
 * mean: a generation is a header (key, layout, version, computed_at and an opaque head blob the
 * analysis layer writes) and one row of numbers per customer, columns enum store_vk_col.
 */

/*
 * The version of the value inputs into *version: value_inputs.changes (moved by the triggers of
 * migration 24 on every table the figures read) + max(interactions.id). Equal versions: the
 * figures computed from one hold for the other. Microseconds.
 */
int store_value_version(struct store *s, int64_t *version, struct kith_error *err);

/*
 * value_inputs.changes alone: the version of the value inputs but inserted interactions, for
 * figures that read no interaction (xsell's rules).
 */
int store_value_changes(struct store *s, int64_t *version, struct kith_error *err);

/* The numbers of a kept customer row, in value_kept_customers' column order. */
enum store_vk_col {
    STORE_VK_FIRST_DAY,
    STORE_VK_LAST_DAY,
    STORE_VK_ORDERS,
    STORE_VK_RETURNS,
    STORE_VK_X,
    STORE_VK_T_X,
    STORE_VK_T,
    STORE_VK_ZBAR,
    STORE_VK_FIRST_SPEND,
    STORE_VK_AMOUNT_TO_DATE,
    STORE_VK_AMOUNT_CURRENT,
    STORE_VK_WALLET,
    STORE_VK_SHARE_OF_WALLET,
    STORE_VK_TO_DATE,
    STORE_VK_CURRENT,
    STORE_VK_RETURNED,
    STORE_VK_COST_TO_DATE,
    STORE_VK_COST_CURRENT,
    STORE_VK_P_ALIVE,
    STORE_VK_EXPECTED_ORDERS,
    STORE_VK_PREDICTED,
    STORE_VK_LIFETIME,
    STORE_VK_BASIS,
    STORE_VK_PROXY_REASON,
    STORE_VK_NCOLS
};

/* One kept customer: NaN stands for an unknown number (stored as NULL). */
struct store_vk_row {
    int64_t account_id;
    double v[STORE_VK_NCOLS];
};

/* A generation's header. head is malloc'd by store_vk_latest() (the caller frees it). */
struct store_vk_head {
    int64_t gen; /* set by store_vk_save() */
    char key[128];
    int64_t layout, data_version, computed_at; /* computed_at: Unix ms */
    void *head;
    size_t headlen;
};

/*
 * The newest complete generation kept under key into *h (*found false when there is none).
 * The caller frees h->head.
 */
int store_vk_latest(struct store *s, const char *key, struct store_vk_head *h, bool *found,
                    struct kith_error *err);

/* Called with each row of a generation, ascending account_id; nonzero stops (and is returned). */
typedef int (*store_vk_row_fn)(void *ctx, const struct store_vk_row *row, struct kith_error *err);
int store_vk_rows(struct store *s, int64_t gen, store_vk_row_fn fn, void *ctx,
                  struct kith_error *err);

/* Fills row i (0 .. n-1) for store_vk_save(). */
typedef void (*store_vk_fill_fn)(void *ctx, size_t i, struct store_vk_row *row);

/*
 * Writes a new generation of h (h->gen receives its number) with rows fill(ctx, 0 .. n-1), in
 * transactions of a few thousand rows so that the writer lock is never held for long, marks it
 * complete, and deletes every older generation of the same key (in batches too). On failure
 * the rows written are deleted again, as far as possible.
 */
int store_vk_save(struct store *s, struct store_vk_head *h, size_t n, store_vk_fill_fn fill,
                  void *ctx, struct kith_error *err);

/* ---- deals ------------------------------------------------------------------------------ */

/*
 * The deal stages and the deals whose ids are in ids[0..nids) (ascending, as store_scope_ids()
 * gives them; NULL: every deal), with their lines, into *out (the caller's; deal_data_release()).
 * On failure nothing is left to release.
 */
int store_deals_load(struct store *s, const int64_t *ids, size_t nids, struct deal_data *out,
                     struct kith_error *err);

/* ---- changing deals: the stage rules of every door (deal_write.c; docs/deals.md) -------- */

/* What a stage says of a deal in it: open, won or lost. */
enum store_deal_kind { STORE_DEAL_OPEN, STORE_DEAL_WON, STORE_DEAL_LOST };

/* "open", "won" or "lost": the static spelling of model/tables.c (nobody frees it). */
const char *store_deal_kind_name(enum store_deal_kind k);

/* A deal as the rules see it: its stage, its unit (0: none) and its outcome. */
struct store_deal_state {
    int64_t stage_id, unit_id;
    enum store_deal_kind kind; /* the deal's outcome, else its stage's kind */
};

/* Deal id as it is into *out; KITH_ENOTFOUND "no deal 12" when there is none. */
int store_deal_state(struct store *s, int64_t id, struct store_deal_state *out,
                     struct kith_error *err);

/*
 * The stage called name (case-insensitively; an exact spelling first) that serves the deals of
 * unit_id (0: none): the unit's own stage before the company's. KITH_ENOTFOUND naming it.
 */
int store_deal_stage_find(struct store *s, int64_t unit_id, const char *name, int64_t *id,
                          struct kith_error *err);

/* The first open stage (by position) of the list that serves unit_id: where a new deal starts. */
int store_deal_default_stage(struct store *s, int64_t unit_id, int64_t *id, struct kith_error *err);

/*
 * The stage rules of a write to deals, inside the caller's transaction and before the row is
 * written. id is the deal being changed (0: one being created); vals and set (deals' nfields
 * long, in field order) are the values the write sets and which of them it sets; the rules may
 * set more (text they set is static). The stage the deal is left in must be a company stage or
 * one of the deal's unit (else KITH_EINVAL, *field "stage_id"). On create and whenever stage_id
 * changes: probability, outcome and closed_at follow the new stage unless the write sets them
 * (a won or lost stage closes the deal at now_ms, an open one reopens it: closed_at null), and a
 * loss_reason the write does not set is cleared unless the stage is lost. The outcome must be
 * the stage's kind (*field "outcome"), and only a lost deal has a loss reason (*field
 * "loss_reason"). A change of stage of an existing deal is recorded in deal_stage_changes (from,
 * to, user_id, 0 for none, and now_ms); the first row of a new deal is the store's trigger's
 * (store_deal_created()). A missing or unknown stage_id is left to the caller's required-field
 * and reference checks (0). KITH_ENOTFOUND when deal id does not exist.
 */
int store_deal_stage_rules(struct store *s, int64_t id, struct store_value *vals, bool *set,
                           int64_t user_id, int64_t now_ms, const char **field,
                           struct kith_error *err);

/*
 * After the insert of deal id, in the same transaction: names user_id (0: nobody, a no-op) as
 * who put the deal in its first stage, in the history row the store's trigger wrote.
 */
int store_deal_created(struct store *s, int64_t id, int64_t user_id, struct kith_error *err);

/* The verbs of a deal's life (kith deals move|win|lose|reopen). */
enum store_deal_verb { STORE_DEAL_MOVE, STORE_DEAL_WIN, STORE_DEAL_LOSE, STORE_DEAL_REOPEN };

struct store_deal_change {
    enum store_deal_verb verb;
    int64_t stage_id;        /* the stage to go to; 0: the verb's default (not for move) */
    const char *loss_reason; /* lose: required, not empty; owned by the caller */
};

/*
 * Turns a verb on deal id into the write that makes it: sets stage_id (and, for lose,
 * loss_reason, pointing at c's text) in vals and set, for store_deal_stage_rules() and
 * store_update(). move and reopen go to an open stage, win to a won one, lose to a lost one;
 * without a stage: win and lose take the first stage of their kind of the list that serves
 * the deal's unit, reopen the open stage the deal last left (else the first open stage).
 * Refused with KITH_EINVAL and *field: move, win or lose of a closed deal, reopen of an open
 * one, a move to the stage the deal is in, a stage of another kind, lose without a reason.
 * KITH_ENOTFOUND when the deal or the stage does not exist.
 */
int store_deal_verb(struct store *s, int64_t id, const struct store_deal_change *c,
                    struct store_value *vals, bool *set, const char **field,
                    struct kith_error *err);

/*
 * Adds to d (filled by store_deals_load()) the stage history of its deals: d->changes, each
 * deal's change0 and nchanges. On failure d keeps what it had (release it as usual).
 */
int store_deal_changes_load(struct store *s, struct deal_data *d, struct kith_error *err);

/*
 * Adds to d the quotas whose ids are in ids[0..nids) (ascending; NULL: every quota). On failure
 * d keeps what it had.
 */
int store_deal_quotas_load(struct store *s, const int64_t *ids, size_t nids, struct deal_data *d,
                           struct kith_error *err);

/* ---- the customer's voice (docs/voice.md) ---------------------------------------------- */

/*
 * The latest survey answers given in [from, to) (Unix ms) by the contacts whose ids are in
 * ids[0..nids) (ascending, as store_scope_ids() gives them; NULL: every contact), every survey
 * with the opt-ins of those contacts, and, when with_rv, their interactions' RV per channel in
 * [from, to) (an interaction's channel, else its type's), into *out (the caller's;
 * voice_data_release()). On failure nothing is left to release.
 */
int store_voice_load(struct store *s, const int64_t *ids, size_t nids, int64_t from, int64_t to,
                     bool with_rv, struct voice_data *out, struct kith_error *err);

/* ---- digital paths and do vs say (store/voice_paths.c; docs/voice.md) ------------------- */

/* An interaction type as the digital paths name their steps. Texts are cut to fit. */
struct store_voice_type {
    int64_t id;
    char code[64];
    char name[128];
    char channel[32]; /* "" when the type has none */
};

/* Every interaction type, ascending by id, into *out (the caller's: free()). */
int store_voice_types(struct store *s, struct store_voice_type **out, size_t *n,
                      struct kith_error *err);

/* A contact's latest answer to a survey, as do vs say reads it. Strings owned by the data. */
struct store_dosay_answer {
    int64_t id, contact_id, survey_id, answered_at;
    int nps;         /* 0..10, or -1 */
    bool shared;     /* the contact's latest opt-in to the survey is granted and shares */
    char *survey;    /* its name */
    char *answers;   /* the answer's JSON ({"q1": value, ...}) */
    char *questions; /* the survey's questions JSON (model/survey.h) */
};

/* A line of a sale (an order of kind sale), with its product's category (NULL: none). */
struct store_dosay_line {
    int64_t contact_id, account_id, ordered_at, product_id;
    char *category;
};

struct store_dosay_data {
    struct store_dosay_answer *answers; /* by contact_id, answered_at, id */
    size_t n;
    struct store_dosay_line *lines;
    size_t nlines;
};

/*
 * The latest answers given before as_of (Unix ms) by the contacts whose ids are in ids[0..nids)
 * (ascending; NULL: every contact), and every line of a sale ordered before as_of, into *out
 * (the caller's: store_dosay_release()). On failure nothing is left to release.
 */
int store_dosay_load(struct store *s, const int64_t *ids, size_t nids, int64_t as_of,
                     struct store_dosay_data *out, struct kith_error *err);
void store_dosay_release(struct store_dosay_data *d);
/*
 * The questions of survey (the JSON text of its questions field) into *out (the caller frees
 * it; NULL when the survey has none). Returns 0, KITH_ENOTFOUND when there is no such survey, or
 * a store error.
 */
int store_survey_questions(struct store *s, int64_t survey, char **out, struct kith_error *err);

/*
 * fn(ctx, contact_id, answers, len) for each latest answer to survey given in [from, to) (Unix
 * ms) by a contact in ids[0..nids) (as store_voice_load(); NULL: every contact), answers being
 * the JSON text of its answers field. Returns 0, fn's nonzero return, or a store error.
 */
typedef int (*store_answer_fn)(void *ctx, int64_t contact_id, const char *answers, size_t len);
int store_voice_survey_answers(struct store *s, int64_t survey, const int64_t *ids, size_t nids,
                               int64_t from, int64_t to, store_answer_fn fn, void *ctx,
                               struct kith_error *err);

/* ---- V2T2 (store/v2t2.c) ------------------------------------------------------------- */

/*
 * The catalogue's touch and tech weights, the units, teams and users, the accounts that have a
 * unit, the units' V2T2 settings and, with subjects, every order and every deal that is not
 * lost, into *out (the caller's: v2t2_data_release());
 * docs/v2t2.md says how each subject's rep, team and unit are found. On failure nothing is left
 * to release.
 */
int store_v2t2_load(struct store *s, bool subjects, struct v2t2_data *out, struct kith_error *err);

/*
 * Writes the V2T2 settings of unit in->unit_id (docs/v2t2.md, "Settings"): the values in->set
 * says the unit sets, the others back to their defaults (a unit with none set keeps no row),
 * stamped now_ms and in->updated_by (0: nobody, the command line). Every value is checked first
 * (v2t2_settings_check(): KITH_EINVAL with *field the setting). Inside the caller's transaction
 * when there is one; the caller has checked that the unit exists.
 */
int store_v2t2_settings_set(struct store *s, const struct v2t2_settings *in, int64_t now_ms,
                            const char **field, struct kith_error *err);

/* The name of account id into buf (KITH_ENOTFOUND when there is none; KITH_ERANGE when it does
 * not fit, which 1024 bytes always do). */
int store_v2t2_account_name(struct store *s, int64_t id, char *buf, size_t size,
                            struct kith_error *err);

/* ---- feeds that keep in touch (feeds.c; docs/voice.md "Feeds") ----------------------------- */

/* Checks p (feed_post_check(): KITH_EINVAL with *field) and writes it at now_ms; *id its id. */
int store_feed_post_add(struct store *s, const struct feed_post *p, int64_t now_ms, int64_t *id,
                        const char **field, struct kith_error *err);

/*
 * A new secret feed URL of contact_id: revokes its live token (one per contact) and stores the
 * hash of the new one. Inside the caller's transaction; the caller checked the portal access.
 */
int store_feed_token_create(struct store *s, int64_t contact_id, const char *token_hash,
                            int64_t now_ms, int64_t created_by, struct kith_error *err);

/* Revokes contact_id's live feed token at now_ms; *revoked how many (0 or 1). */
int store_feed_token_revoke(struct store *s, int64_t contact_id, int64_t now_ms, int *revoked,
                            struct kith_error *err);

/* The contact of the live token whose hash is token_hash, whose portal access holds too;
 * KITH_ENOTFOUND otherwise (revoked, unknown, or the contact's access revoked). */
int store_feed_token_find(struct store *s, const char *token_hash, int64_t *contact_id,
                          struct kith_error *err);

/* When contact_id's live feed token was made; KITH_ENOTFOUND when it has none. */
int store_feed_token_live(struct store *s, int64_t contact_id, int64_t *created_at,
                          struct kith_error *err);

/* One item of a feed; texts owned by the item (store_feed_items_free()). */
struct store_feed_item {
    char kind[16];              /* "idea", "idea_status", "rating", "post" */
    int64_t id;                 /* the idea's, the status change's, the rating's or the post's id */
    int64_t ref_id;             /* idea_status: the idea; rating, product post: the product */
    int64_t at;                 /* Unix ms: created, changed, rated or published */
    char *title;                /* the idea's or post's title; a rating: the product's name */
    char *body;                 /* the idea's body, the review, the post's body; NULL: none */
    char *status, *from_status; /* idea: its status; idea_status: to and from */
    int stars;
    bool verified;
    char *segment; /* a segment post: its filter of contacts */
    char *author;  /* a post: its author's name; NULL otherwise */
    bool by_staff; /* an idea without a contact, or a post */
};

struct store_feed_query {
    int audience;                 /* enum feed_audience: which feed */
    int64_t product_id;           /* FEED_PRODUCT */
    const char *contact_ids_json; /* a JSON array of the contacts whose ideas and ratings the
                                   * reader may see; NULL: every one, and staff's ideas */
    size_t limit;
    int64_t now_ms; /* posts published after it are not out yet */
};

/* The items of a feed, newest first, at most q->limit, into *out (the caller's:
 * store_feed_items_free()). */
int store_feed_items(struct store *s, const struct store_feed_query *q,
                     struct store_feed_item **out, size_t *n, struct kith_error *err);
void store_feed_items_free(struct store_feed_item *items, size_t n);

struct store_feed_product {
    int64_t id;
    char name[256];
};

/* The name of product id into buf (cut to size); KITH_ENOTFOUND when there is none. */
int store_feed_product_name(struct store *s, int64_t id, char *buf, size_t size,
                            struct kith_error *err);

/* The products that have ratings or posts (by id, at most max) into out[0..*n). */
int store_feed_products(struct store *s, struct store_feed_product *out, size_t max, size_t *n,
                        struct kith_error *err);

/* ---- derived contact fields ------------------------------------------------------------- */

/* A contact's relationship level and lifecycle stage as the RV engine derives them. */
struct store_contact_level {
    int64_t contact_id;
    int level;         /* 1..; 0 when no interaction counts (stored as NULL) */
    const char *stage; /* "acquisition", "closing", "retention"; NULL with level 0 */
};

/*
 * Stores the level and stage of n contacts in one transaction, writing only the rows whose
 * stored values differ; *changed (when non-NULL) gets their number. A contact that no longer
 * exists is skipped. rows stay the caller's.
 */
int store_contacts_set_levels(struct store *s, const struct store_contact_level *rows, size_t n,
                              size_t *changed, struct kith_error *err);

/* ---- the community (community.c; issue 15, docs/voice.md) -------------------------------- */

/* A contact's engagement since a start: the counts engine/community.h derives its role from. */
struct store_community_counts {
    int64_t contact_id;
    int64_t ideas;     /* ideas it posted (created_at) */
    int64_t votes;     /* ideas it voted on (the vote's created_at) */
    int64_t reviews;   /* ratings it gave (rated_at) */
    int64_t referrals; /* events of kind referral it made (occurred_at) */
};

/*
 * The engagement since since (Unix ms) of every contact (contact_id 0), ascending by id, or of
 * contact contact_id alone (none when it does not exist), into *out (the caller's: free()).
 */
int store_community_counts(struct store *s, int64_t since, int64_t contact_id,
                           struct store_community_counts **out, size_t *n, struct kith_error *err);

/* A contact's derived community role ("leader", "doer", "watcher"; NULL: none). */
struct store_contact_role {
    int64_t contact_id;
    const char *role;
};

/*
 * Stores the community role of n contacts in one transaction, writing only the rows whose
 * stored value differs; *changed (when non-NULL) gets their number. rows stay the caller's.
 */
int store_contacts_set_community_roles(struct store *s, const struct store_contact_role *rows,
                                       size_t n, size_t *changed, struct kith_error *err);

/*
 * Sets ratings.verified of rating rating_id (0: of every rating) to whether its contact, or the
 * contact's account, has a sale with a line of the rated product; *changed (when non-NULL) gets
 * the number of ratings whose flag moved. Runs in the caller's transaction when there is one.
 */
int store_ratings_verify(struct store *s, int64_t rating_id, size_t *changed,
                         struct kith_error *err);

struct store_community_idea {
    int64_t id, contact_id; /* contact_id 0: posted by staff */
    char status[16];        /* "new", "planned", "done", "declined" */
    int64_t up, down;       /* votes +1 and -1 */
    int64_t product_id;     /* 0: none */
    char title[201];        /* "" once erased */
};
struct store_community_rating {
    int64_t contact_id;
    int stars;
    bool verified;
    bool reviewed;      /* with a text review */
    int64_t product_id; /* the rated product */
    char product[128];  /* its name ("" when unknown) */
};
/* Every idea and rating, by id; owned by the holder (store_community_items_release()). */
struct store_community_items {
    struct store_community_idea *ideas;
    size_t nideas;
    struct store_community_rating *ratings;
    size_t nratings;
};

/* Reads every idea (with its votes) and rating into *out; on failure nothing is left to free. */
int store_community_items(struct store *s, struct store_community_items *out,
                          struct kith_error *err);
void store_community_items_release(struct store_community_items *items);

/* ---- watching for writes of other processes (watch.c) ------------------------------------ */

/*
 * SQLite's PRAGMA data_version of s's connection into *version: it changes when another
 * connection (of this process or another) committed since s last read, and only then. The
 * values mean nothing but their equality.
 */
int store_data_version(struct store *s, int64_t *version, struct kith_error *err);

/*
 * deal_inputs.changes (migration 24): moves with every write to deals, deal lines, deal stages,
 * users, teams, units and products (what store_deals_load() reads), and only then.
 */
int store_deal_changes(struct store *s, int64_t *version, struct kith_error *err);

/*
 * The number of commits made so far by every connection this process opened with store_open()
 * (an SQLite commit hook; counted as the commit begins, so a commit that then fails counts).
 */
uint64_t store_commit_count(void);

/* The tables the RV snapshot reflects, in store_change_mark's arrays. */
enum store_mark_table {
    STORE_MARK_INTERACTIONS,
    STORE_MARK_CONTACTS,
    STORE_MARK_ACCOUNTS,
    STORE_MARK_ORDERS,
    STORE_MARK_EVENTS,
    STORE_MARK_USERS,
    STORE_MARK_TEAMS,
    STORE_MARK_UNITS,
    STORE_MARK_TYPES,
    STORE_MARK_NTABLES
};

/*
 * Rows and highest id of each of those tables, read in one statement, and a hash of the
 * columns the snapshot reads of the small ones (interaction types, units, teams, users).
 */
struct store_change_mark {
    int64_t count[STORE_MARK_NTABLES];
    int64_t max_id[STORE_MARK_NTABLES];
    uint64_t catalogue_hash;
};

/*
 * Reads the mark into *out (zeroed first). It sees inserts and deletes everywhere, updates in
 * place only in the small tables. count(*) walks the smallest index of each table, a few
 * milliseconds per million rows; so that the largest table does not cost that on every check,
 * count[STORE_MARK_INTERACTIONS] counts only the interactions whose id is above
 * interactions_after (0: all), a range of the rowid. The hash reads every row of the small
 * tables.
 */
int store_change_mark(struct store *s, int64_t interactions_after, struct store_change_mark *out,
                      struct kith_error *err);

/*
 * A read transaction on s: what is read between the two calls is one state of the database
 * (the mark and the rows it counts agree). store_read_end() ends it; it is a no-op when none
 * is open.
 */
int store_read_begin(struct store *s, struct kith_error *err);
void store_read_end(struct store *s);

/*
 * The ids of the rows of t (interactions or contacts) above after and at most upto, in order,
 * into ids (room for cap); *n receives how many there are, up to cap + 1: more than cap means
 * that not all were read.
 */
int store_ids_between(struct store *s, const struct table_def *t, int64_t after, int64_t upto,
                      int64_t *ids, size_t cap, size_t *n, struct kith_error *err);

/* ---- privacy of the comparison of units (docs/internals/rv.md, "Privacy policy") -------- */

#define STORE_PRIVACY_ROLE_MAX    16
#define STORE_PRIVACY_NO_LIMIT    (-1.0) /* daily_budget: no budget (stored as NULL) */
#define STORE_PRIVACY_KEY_BYTES   32
#define STORE_PRIVACY_QUERY_BYTES 16

/* The policy of one role: what its users may ask of the comparison of units. */
struct store_privacy_policy {
    char role[STORE_PRIVACY_ROLE_MAX]; /* "admin", "executive", ... (api_role_name) */
    int64_t min_k;                     /* groups of fewer contacts are never shown (>= 1) */
    double max_epsilon;                /* the most epsilon a query may spend (> 0) */
    bool require_noise;                /* exact figures (epsilon 0) are refused */
    double daily_budget;               /* epsilon per user per UTC day; STORE_PRIVACY_NO_LIMIT */
    int64_t updated_at;                /* Unix ms; 0: the migration's default, never changed */
    int64_t updated_by;                /* users.id; 0: none (the CLI, or never changed) */
};

/* The policy of role into *out; KITH_ENOTFOUND when the role has no row. */
int store_privacy_policy_get(struct store *s, const char *role, struct store_privacy_policy *out,
                             struct kith_error *err);

/* Every role's policy, by role name, into out[0..max); *n gets how many. */
int store_privacy_policy_list(struct store *s, struct store_privacy_policy *out, size_t max,
                              size_t *n, struct kith_error *err);

/*
 * Writes p (its role's row, made when missing) with updated_at now. No transaction of its own:
 * the caller's (the API audits the change in it). A value out of range is KITH_EINVAL.
 */
int store_privacy_policy_set(struct store *s, const struct store_privacy_policy *p,
                             struct kith_error *err);

/*
 * The server's secret key of the noise into key: made from libsodium's CSPRNG and stored on the
 * first call (two processes racing keep the first one written), read afterwards.
 */
int store_privacy_key(struct store *s, uint8_t key[STORE_PRIVACY_KEY_BYTES],
                      struct kith_error *err);

/* What store_privacy_spend() did. */
struct store_privacy_spent {
    double spent; /* epsilon spent by the user on the day, this query included when charged */
    bool charged; /* the query was new today and its epsilon was added */
    bool refused; /* it was new and would have passed the budget: nothing was written */
};

/*
 * Spends epsilon of user_id's budget on day (days since 1970-01-01, UTC) for the distinct query
 * `query`, in one transaction of its own: a query already spent that day costs nothing again;
 * a new one is written when the day's total stays within budget, else refused (out->refused,
 * return 0). budget STORE_PRIVACY_NO_LIMIT never refuses.
 */
int store_privacy_spend(struct store *s, int64_t user_id, int64_t day,
                        const uint8_t query[STORE_PRIVACY_QUERY_BYTES], double epsilon,
                        double budget, struct store_privacy_spent *out, struct kith_error *err);

/* ---- consent (consent.c; model/consent.h, docs/portal.md "Consent") --------------------- */

#include "model/consent.h"

/* The latest record of one (purpose, channel) of a contact. */
struct store_consent_latest {
    char purpose[16];
    char channel[16];
    enum consent_state state;
    int64_t recorded_at; /* Unix ms */
    int64_t id;
};

/* At most this many (purpose, channel) pairs exist (model/consent.h: 5 purposes x 6 channels). */
#define STORE_CONSENT_PAIRS_MAX 64

/*
 * The latest record of each (purpose, channel) contact_id has recorded, by purpose and channel,
 * into out[0..max) (*n of them); KITH_ERANGE when there are more than max.
 */
int store_consent_latest(struct store *s, int64_t contact_id, struct store_consent_latest *out,
                         size_t max, size_t *n, struct kith_error *err);

/* The state for purpose on channel that rows (from store_consent_latest()) give, by the least
 * permissive rule (consent_fold()). */
enum consent_state store_consent_fold(const struct store_consent_latest *rows, size_t n,
                                      const char *purpose, const char *channel);

/* The state of contact_id for purpose on channel (model/consent.h's rule). KITH_EINVAL for an
 * unknown purpose or channel. */
int store_consent_state(struct store *s, int64_t contact_id, const char *purpose,
                        const char *channel, enum consent_state *out, struct kith_error *err);

/*
 * Whether contact_id's consent allows a use for purpose on channel ("any" for purposes without
 * channels) now: the state by the least permissive rule, and with nothing recorded the purpose's
 * default (consent_default_allows()). Every use that needs consent asks this (outreach) or its
 * bulk SQL form (STORE_SQL_ANALYTICS_WITHDRAWN, the partner scope). *allowed false on error.
 */
int consent_allows(struct store *s, int64_t contact_id, const char *purpose, const char *channel,
                   bool *allowed, struct kith_error *err);

/*
 * The bulk form of consent_allows() for analytics, as constant SQL for the store's loaders: the
 * ids of the contacts whose current record of analytics (recorded on "any" only) withdraws it.
 * "... contact_id NOT IN " STORE_SQL_ANALYTICS_WITHDRAWN keeps the others.
 */
#define STORE_SQL_ANALYTICS_WITHDRAWN                                                              \
    "(SELECT contact_id FROM consents_current WHERE purpose = 'analytics'"                         \
    " AND channel = 'any' AND state = 'withdrawn')"

/* Whether any contact's current state for purpose (on "any" or a channel) is a withdrawal. */
int store_consent_any_withdrawn(struct store *s, const char *purpose, bool *any,
                                struct kith_error *err);

/* Stores a receipt as issued (receipt_id unique; append-only). */
int store_consent_receipt_insert(struct store *s, const char *receipt_id, int64_t contact_id,
                                 const char *jws, int64_t now, struct kith_error *err);

/* The receipt receipt_id: its contact and the JWS (malloc'd, the caller frees it);
 * KITH_ENOTFOUND when there is none. */
int store_consent_receipt_get(struct store *s, const char *receipt_id, int64_t *contact_id,
                              char **jws, struct kith_error *err);

#define STORE_SIGN_PK 32 /* an Ed25519 public key */
#define STORE_SIGN_SK 64 /* an Ed25519 secret key (libsodium's: seed and public key) */

/* The server's Ed25519 key pair (sk may be NULL: the public key only); KITH_ENOTFOUND when the
 * database has none yet. The secret key is for signing only: never print or log it. */
int store_signing_key_get(struct store *s, unsigned char pk[STORE_SIGN_PK],
                          unsigned char sk[STORE_SIGN_SK], struct kith_error *err);

/* Stores the key pair unless the database has one already (the first one stays). */
int store_signing_key_put(struct store *s, const unsigned char pk[STORE_SIGN_PK],
                          const unsigned char sk[STORE_SIGN_SK], int64_t now,
                          struct kith_error *err);

#endif
