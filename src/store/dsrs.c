/*
 * dsrs.c - the store's side of data-subject requests (migration 15; docs/portal.md,
 * "Data-subject requests", "Erasure", "Restriction"): the requests themselves, the restriction
 * predicate the analytics loaders use, and erasure, which empties every personal field
 * (model/table.h, field_def.personal) of an erased contact's rows under secure_delete. The rules
 * (clock, status machine) are model/dsr.h's; every statement is prepared from constant SQL or
 * from the model's own names, and every value is bound.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#include "util/banned.h"

#define DSR_COLUMNS                                                                                \
    "id, created_at, contact_id, kind, status, received_at, due_at, handled_by, closed_at, notes," \
    " extended_at, extension_reason, answer, filed_by"

static void copy_text(sqlite3_stmt *st, int col, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(out, size, "%s", t ? (const char *)t : "");
}

static void read_dsr(sqlite3_stmt *st, struct store_dsr *d)
{
    memset(d, 0, sizeof(*d));
    d->id = sqlite3_column_int64(st, 0);
    d->created_at = sqlite3_column_int64(st, 1);
    d->contact_id = sqlite3_column_int64(st, 2);
    d->kind = dsr_kind_parse((const char *)sqlite3_column_text(st, 3));
    d->status = dsr_status_parse((const char *)sqlite3_column_text(st, 4));
    d->received_at = sqlite3_column_int64(st, 5);
    d->due_at = sqlite3_column_int64(st, 6);
    d->handled_by = sqlite3_column_int64(st, 7);
    d->closed_at = sqlite3_column_int64(st, 8);
    copy_text(st, 9, d->notes, sizeof(d->notes));
    d->extended_at = sqlite3_column_int64(st, 10);
    copy_text(st, 11, d->extension_reason, sizeof(d->extension_reason));
    copy_text(st, 12, d->answer, sizeof(d->answer));
    copy_text(st, 13, d->filed_by, sizeof(d->filed_by));
}

static void bind_text_or_null(sqlite3_stmt *st, int col, const char *s)
{
    if (s && s[0])
        sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, col);
}

static void bind_id_or_null(sqlite3_stmt *st, int col, int64_t v)
{
    if (v)
        sqlite3_bind_int64(st, col, v);
    else
        sqlite3_bind_null(st, col);
}

static int get_stmt(struct store *s, const char *sql, sqlite3_stmt **st, const char *what,
                    struct kith_error *err)
{
    if (store_stmt_get(s, sql, strlen(sql), st) != SQLITE_OK) {
        *st = NULL;
        return store_db_err(err, store_db(s), what);
    }
    return 0;
}

int store_dsr_insert(struct store *s, const struct store_dsr *d, int64_t *id_out,
                     struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = get_stmt(s,
                      "INSERT INTO dsrs (created_at, contact_id, kind, status, received_at,"
                      " due_at, handled_by, closed_at, notes, extended_at, extension_reason,"
                      " answer, filed_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                      " ?12, ?13)",
                      &st, "filing a data-subject request", err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, d->created_at ? d->created_at : store_now_ms());
    sqlite3_bind_int64(st, 2, d->contact_id);
    sqlite3_bind_text(st, 3, dsr_kind_name(d->kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, dsr_status_name(d->status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, d->received_at);
    sqlite3_bind_int64(st, 6, d->due_at);
    bind_id_or_null(st, 7, d->handled_by);
    bind_id_or_null(st, 8, d->closed_at);
    bind_text_or_null(st, 9, d->notes);
    bind_id_or_null(st, 10, d->extended_at);
    bind_text_or_null(st, 11, d->extension_reason);
    bind_text_or_null(st, 12, d->answer);
    bind_text_or_null(st, 13, d->filed_by);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_write_error(s, model_table("dsrs"), "filing a data-subject request", err);
    else if (id_out)
        *id_out = sqlite3_last_insert_rowid(store_db(s));
    store_stmt_done(s, st);
    return rc;
}

int store_dsr_get(struct store *s, int64_t id, struct store_dsr *out, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = get_stmt(s, "SELECT " DSR_COLUMNS " FROM dsrs WHERE id = ?1", &st,
                      "reading a data-subject request", err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        read_dsr(st, out);
    else if (step == SQLITE_DONE)
        rc = kith_err(err, KITH_ENOTFOUND, "no data-subject request %lld", (long long)id);
    else
        rc = store_db_err(err, store_db(s), "reading a data-subject request");
    store_stmt_done(s, st);
    return rc;
}

int store_dsr_update(struct store *s, const struct store_dsr *d, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = get_stmt(s,
                      "UPDATE dsrs SET status = ?2, due_at = ?3, handled_by = ?4, closed_at = ?5,"
                      " notes = ?6, extended_at = ?7, extension_reason = ?8, answer = ?9"
                      " WHERE id = ?1",
                      &st, "changing a data-subject request", err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_text(st, 2, dsr_status_name(d->status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, d->due_at);
    bind_id_or_null(st, 4, d->handled_by);
    bind_id_or_null(st, 5, d->closed_at);
    bind_text_or_null(st, 6, d->notes);
    bind_id_or_null(st, 7, d->extended_at);
    bind_text_or_null(st, 8, d->extension_reason);
    bind_text_or_null(st, 9, d->answer);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_write_error(s, model_table("dsrs"), "changing a data-subject request", err);
    else if (sqlite3_changes(store_db(s)) == 0)
        rc = kith_err(err, KITH_ENOTFOUND, "no data-subject request %lld", (long long)d->id);
    store_stmt_done(s, st);
    return rc;
}

struct list_ctx {
    store_dsr_fn fn;
    void *ctx;
};

static int list_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct list_ctx *l = ctx;
    struct store_dsr d;
    read_dsr(st, &d);
    return l->fn(l->ctx, &d);
}

int store_dsr_list(struct store *s, const struct store_dsr_filter *f, store_dsr_fn fn, void *ctx,
                   struct kith_error *err)
{
    /* ?1 contact (0 any), ?2 open only, ?3 status (NULL any), ?4 kind (NULL any), ?5 limit */
    static const char by_due[] =
        "SELECT " DSR_COLUMNS " FROM dsrs WHERE (?1 = 0 OR contact_id = ?1)"
        " AND (?2 = 0 OR status IN ('open', 'extended')) AND (?3 IS NULL OR status = ?3)"
        " AND (?4 IS NULL OR kind = ?4) ORDER BY due_at, id LIMIT ?5";
    static const char by_receipt[] =
        "SELECT " DSR_COLUMNS " FROM dsrs WHERE (?1 = 0 OR contact_id = ?1)"
        " AND (?2 = 0 OR status IN ('open', 'extended')) AND (?3 IS NULL OR status = ?3)"
        " AND (?4 IS NULL OR kind = ?4) ORDER BY received_at DESC, id DESC LIMIT ?5";
    struct store_value binds[5] = {
        {.kind = SV_INT, .i = f->contact_id},
        {.kind = SV_INT, .i = f->open_only},
        {.kind = SV_NULL},
        {.kind = SV_NULL},
        {.kind = SV_INT, .i = f->limit > 0 ? f->limit : STORE_DSR_LIST_MAX},
    };
    if (f->status >= 0) {
        const char *n = dsr_status_name((enum dsr_status)f->status);
        binds[2] = (struct store_value){.kind = SV_TEXT, .s = n, .len = strlen(n)};
    }
    if (f->kind >= 0) {
        const char *n = dsr_kind_name((enum dsr_kind)f->kind);
        binds[3] = (struct store_value){.kind = SV_TEXT, .s = n, .len = strlen(n)};
    }
    struct list_ctx l = {fn, ctx};
    struct store_rows q = {.sql = f->by_receipt ? by_receipt : by_due,
                           .binds = binds,
                           .nbinds = 5,
                           .what = "listing data-subject requests"};
    return store_each_row(s, &q, list_row, &l, NULL, err);
}

int store_dsr_counts(struct store *s, int64_t now_ms, struct store_dsr_counts *out,
                     struct kith_error *err)
{
    sqlite3_stmt *st;
    memset(out, 0, sizeof(*out));
    int rc = get_stmt(s,
                      "SELECT count(*), count(CASE WHEN due_at < ?1 THEN 1 END),"
                      " min(due_at) FROM dsrs WHERE status IN ('open', 'extended')",
                      &st, "counting data-subject requests", err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, now_ms);
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->open = sqlite3_column_int64(st, 0);
        out->overdue = sqlite3_column_int64(st, 1);
        out->next_due_at = sqlite3_column_int64(st, 2);
    } else {
        rc = store_db_err(err, store_db(s), "counting data-subject requests");
    }
    store_stmt_done(s, st);
    return rc;
}

/* ---- restriction ---- */

#define RESTRICTED_CONTACTS_SQL                                                                    \
    "SELECT DISTINCT contact_id FROM (" STORE_RESTRICTED_CONTACTS ") ORDER BY contact_id"

int store_restricted_contacts(struct store *s, int64_t **ids, size_t *n, struct kith_error *err)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    int rc = get_stmt(s, RESTRICTED_CONTACTS_SQL, &st, "reading restricted contacts", err), step;
    if (rc < 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = store_grow((void **)ids, &cap, *n + 1, sizeof(**ids), SIZE_MAX / 16,
                             "restricted contacts", err)) < 0)
            break;
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_db_err(err, store_db(s), "reading restricted contacts");
    store_stmt_done(s, st);
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return rc;
}

bool store_ids_has(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else if (ids[mid] > id)
            hi = mid;
        else
            return true;
    }
    return false;
}

bool store_contact_is_restricted(struct store *s, int64_t contact_id)
{
    static const char sql[] =
        "SELECT EXISTS (SELECT 1 FROM (" STORE_RESTRICTED_CONTACTS ") WHERE contact_id = ?1)";
    sqlite3_stmt *st;
    if (store_stmt_get(s, sql, sizeof(sql) - 1, &st) != SQLITE_OK)
        return true;
    sqlite3_bind_int64(st, 1, contact_id);
    bool restricted = sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != 0;
    store_stmt_done(s, st);
    return restricted;
}

/* ---- erasure ---- */

/*
 * The statement that empties the personal fields of t's rows that belong to the contact ?1
 * (its own row for contacts; else the rows whose reference to a contact names it), into b.
 * Returns false when t has no personal field or no reference to a contact.
 */
static bool erase_sql(const struct table_def *t, struct buf *b)
{
    bool own = strcmp(t->name, "contacts") == 0, any_ref = own, any_personal = false;
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        any_ref |= f->type == FT_REF && strcmp(f->ref_table, "contacts") == 0;
        any_personal |= f->personal;
    }
    if (!any_ref || !any_personal)
        return false;
    buf_reset(b);
    buf_addf(b, "UPDATE %s SET ", t->name);
    const char *sep = "";
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        if (!f->personal)
            continue;
        if (f->required)
            buf_addf(b, "%s%s = '" MODEL_ERASED_TEXT "'", sep, f->name);
        else
            buf_addf(b, "%s%s = NULL", sep, f->name);
        sep = ", ";
    }
    buf_addf(b, " WHERE (");
    sep = "";
    if (own) {
        buf_addf(b, "id = ?1");
    } else {
        for (size_t i = 0; i < t->nfields; i++) {
            const struct field_def *f = &t->fields[i];
            if (f->type == FT_REF && strcmp(f->ref_table, "contacts") == 0) {
                buf_addf(b, "%s%s = ?1", sep, f->name);
                sep = " OR ";
            }
        }
    }
    /* only rows that still hold something: an erased row is not written again */
    buf_addf(b, ") AND (");
    sep = "";
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        if (!f->personal)
            continue;
        if (f->required)
            buf_addf(b, "%s%s IS NOT '" MODEL_ERASED_TEXT "'", sep, f->name);
        else
            buf_addf(b, "%s%s IS NOT NULL", sep, f->name);
        sep = " OR ";
    }
    buf_addf(b, ")");
    return true;
}

/*
 * Survey answers to free-text questions (kinds text, wants, needs, intent's wording) are
 * personal; scores and choices stay, as the voice analyses count them. A key whose question is
 * unknown goes too.
 */
static const char erase_answers_sql[] =
    "UPDATE survey_responses SET answers = ("
    " SELECT CASE WHEN count(*) = 0 THEN NULL ELSE json_group_object(a.key,"
    " CASE WHEN a.type IN ('array', 'object') THEN json(a.value) ELSE a.value END) END"
    " FROM json_each(survey_responses.answers) a"
    " WHERE (SELECT json_extract(q.value, '$.kind') FROM surveys sv,"
    " json_each(sv.questions, '$.items') q WHERE sv.id = survey_responses.survey_id"
    " AND json_extract(q.value, '$.id') = a.key) IN ('nps', 'csat', 'single', 'multiple'))"
    " WHERE contact_id = ?1 AND answers IS NOT NULL";

static int exec_contact(struct store *s, const char *sql, size_t len, int64_t contact_id,
                        int64_t *changed, const char *what, struct kith_error *err)
{
    sqlite3_stmt *st;
    if (store_stmt_get(s, sql, len, &st) != SQLITE_OK)
        return store_db_err(err, store_db(s), what);
    sqlite3_bind_int64(st, 1, contact_id);
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_db_err(err, store_db(s), what);
    else if (changed)
        *changed += sqlite3_changes(store_db(s));
    store_stmt_done(s, st);
    return rc;
}

/* The values by which the audit log could name the contact: its email, full name and phone. */
struct erase_keys {
    char email[256], name[STORE_CONTACT_NAME_MAX], phone[64];
};

static int scrub_audit(struct store *s, const struct erase_keys *k, int64_t *changed,
                       struct kith_error *err)
{
    sqlite3_stmt *st;
    /* instr on lower(): an email is matched whatever its case (sign-in failures lower it) */
    int rc = get_stmt(s,
                      "UPDATE audit_log SET detail = '" MODEL_ERASED_TEXT "' WHERE detail IS NOT"
                      " NULL AND ((?1 <> '' AND instr(lower(detail), lower(?1)) > 0)"
                      " OR (?2 <> '' AND instr(lower(detail), lower(?2)) > 0)"
                      " OR (?3 <> '' AND instr(detail, ?3) > 0))",
                      &st, "scrubbing the audit log", err);
    if (rc < 0)
        return rc;
    sqlite3_bind_text(st, 1, k->email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, k->phone, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_db_err(err, store_db(s), "scrubbing the audit log");
    else
        *changed += sqlite3_changes(store_db(s));
    store_stmt_done(s, st);
    return rc;
}

static int read_keys(struct store *s, int64_t contact_id, struct erase_keys *k,
                     struct kith_error *err)
{
    sqlite3_stmt *st;
    memset(k, 0, sizeof(*k));
    int rc = get_stmt(s,
                      "SELECT coalesce(email, ''), trim(coalesce(first_name, '') || ' ' ||"
                      " coalesce(last_name, '')), coalesce(phone, '') FROM contacts WHERE id = ?1",
                      &st, "reading the contact to erase", err);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 1, contact_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        copy_text(st, 0, k->email, sizeof(k->email));
        copy_text(st, 1, k->name, sizeof(k->name));
        copy_text(st, 2, k->phone, sizeof(k->phone));
        /* a name that is only the placeholder, or too short to be one, names nobody */
        if (strcmp(k->name, MODEL_ERASED_TEXT) == 0 || strlen(k->name) < 3)
            k->name[0] = '\0';
        if (strlen(k->phone) < 5)
            k->phone[0] = '\0';
    } else if (step == SQLITE_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "no contact %lld", (long long)contact_id);
    } else {
        rc = store_db_err(err, store_db(s), "reading the contact to erase");
    }
    store_stmt_done(s, st);
    return rc;
}

/* Sets secure_delete to on (1) or off (0); *was (when non-NULL) gets what it was. */
static int set_secure_delete(struct store *s, int on, int *was, struct kith_error *err)
{
    int64_t v = 0;
    if (was && store_query_int64(store_db(s), "PRAGMA secure_delete", &v, "secure_delete", err) < 0)
        return KITH_EDB;
    if (was)
        *was = (int)v;
    return store_exec(store_db(s), on ? "PRAGMA secure_delete = ON" : "PRAGMA secure_delete = OFF",
                      err);
}

int store_contact_erase(struct store *s, int64_t contact_id, struct store_erasure *out,
                        struct kith_error *err)
{
    struct erase_keys keys;
    struct buf sql;
    memset(out, 0, sizeof(*out));
    int rc = read_keys(s, contact_id, &keys, err);
    if (rc < 0)
        return rc;
    buf_init(&sql, 64 * 1024);
    /* freed cells and pages are overwritten with zeros: nothing erased lingers in the file */
    int was = 0;
    if ((rc = set_secure_delete(s, 1, &was, err)) < 0)
        goto out;
    for (size_t i = 0; i < model_ntables && rc == 0; i++) {
        const struct table_def *t = model_tables[i];
        if (!erase_sql(t, &sql))
            continue;
        int64_t changed = 0;
        rc = exec_contact(s, buf_str(&sql), sql.len, contact_id, &changed,
                          "erasing personal fields", err);
        if (strcmp(t->name, "contacts") != 0)
            out->rows += changed;
    }
    if (rc == 0)
        rc = exec_contact(s, erase_answers_sql, sizeof(erase_answers_sql) - 1, contact_id,
                          &out->rows, "erasing free-text survey answers", err);
    /*
     * its devices (name, kind, token hash) and the links of their readings go; the readings stay
     * as interactions (facts of an anonymous contact) whose notes, the values, were emptied above
     */
    if (rc == 0)
        rc = exec_contact(s,
                          "DELETE FROM device_readings WHERE device_id IN"
                          " (SELECT id FROM devices WHERE contact_id = ?1)",
                          strlen("DELETE FROM device_readings WHERE device_id IN"
                                 " (SELECT id FROM devices WHERE contact_id = ?1)"),
                          contact_id, NULL, "unlinking the readings of its devices", err);
    if (rc == 0)
        rc = exec_contact(s, "DELETE FROM devices WHERE contact_id = ?1",
                          strlen("DELETE FROM devices WHERE contact_id = ?1"), contact_id,
                          &out->devices, "deleting its devices", err);
    /* the portal account, its sessions and links: the erased contact never signs in again */
    if (rc == 0)
        rc = exec_contact(s, "DELETE FROM portal_sessions WHERE contact_id = ?1",
                          strlen("DELETE FROM portal_sessions WHERE contact_id = ?1"), contact_id,
                          &out->portal_rows, "ending portal sessions", err);
    if (rc == 0)
        rc = exec_contact(s, "DELETE FROM portal_tokens WHERE contact_id = ?1",
                          strlen("DELETE FROM portal_tokens WHERE contact_id = ?1"), contact_id,
                          &out->portal_rows, "deleting portal links", err);
    if (rc == 0)
        rc = exec_contact(s, "DELETE FROM portal_accounts WHERE contact_id = ?1",
                          strlen("DELETE FROM portal_accounts WHERE contact_id = ?1"), contact_id,
                          &out->portal_rows, "deleting portal access", err);
    if (rc == 0)
        rc = scrub_audit(s, &keys, &out->audit_rows, err);
    struct kith_error ignored = {0};
    set_secure_delete(s, was, NULL, &ignored);
out:
    buf_release(&sql);
    memset(&keys, 0, sizeof(keys));
    return rc;
}

int store_vacuum(struct store *s, struct kith_error *err)
{
    int rc = store_exec(store_db(s), "VACUUM", err);
    if (rc == 0)
        rc = store_checkpoint(s, err);
    return rc;
}

int store_checkpoint_erasure(struct store *s, int wait_ms, bool *complete, struct kith_error *err)
{
    sqlite3 *db = store_db(s);
    sqlite3_busy_timeout(db, wait_ms);
    int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
    if (complete)
        *complete = rc == SQLITE_OK;
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
        return store_db_err(err, db, "checkpointing the WAL after an erasure");
    return 0;
}
