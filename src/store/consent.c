/*
 * consent.c - the store's side of consent (migration 15, docs/portal.md "Consent"): the latest
 * record of each (purpose, channel) of a contact, the state a use asks about (folded by the least
 * permissive rule of model/consent.h), the receipts as issued and the server's signing key. The
 * consent rows themselves are written by store_insert() like any table's; triggers keep them and
 * the receipts append-only. Every statement is prepared from constant SQL and every value bound.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/consent.h"

#include "util/banned.h"

static struct store_value cs_int(int64_t i)
{
    return (struct store_value){.kind = SV_INT, .i = i};
}

static struct store_value cs_text(const char *s)
{
    return (struct store_value){.kind = SV_TEXT, .s = s, .len = strlen(s)};
}

static enum consent_state state_of(const unsigned char *s)
{
    if (!s)
        return CONSENT_NONE;
    return strcmp((const char *)s, "granted") == 0     ? CONSENT_GRANTED
           : strcmp((const char *)s, "withdrawn") == 0 ? CONSENT_WITHDRAWN
                                                       : CONSENT_NONE;
}

/* ---- the latest records of a contact ---- */

struct latest_ctx {
    struct store_consent_latest *out;
    size_t max, n;
};

static int latest_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct latest_ctx *l = ctx;
    if (l->n == l->max)
        return kith_err(err, KITH_ERANGE, "more than %zu current consent records", l->max);
    struct store_consent_latest *r = &l->out[l->n];
    const unsigned char *p = sqlite3_column_text(st, 0), *c = sqlite3_column_text(st, 1);
    snprintf(r->purpose, sizeof(r->purpose), "%s", p ? (const char *)p : "");
    snprintf(r->channel, sizeof(r->channel), "%s", c ? (const char *)c : "");
    r->state = state_of(sqlite3_column_text(st, 2));
    r->recorded_at = sqlite3_column_int64(st, 3);
    r->id = sqlite3_column_int64(st, 4);
    l->n++;
    return 0;
}

int store_consent_latest(struct store *s, int64_t contact_id, struct store_consent_latest *out,
                         size_t max, size_t *n, struct kith_error *err)
{
    struct latest_ctx l = {out, max, 0};
    const struct store_value b[] = {cs_int(contact_id)};
    const struct store_rows q = {
        .sql = "SELECT purpose, channel, state, recorded_at, id FROM consents_current"
               " WHERE contact_id = ?1 ORDER BY purpose, channel",
        .binds = b,
        .nbinds = 1,
        .what = "reading a contact's consents"};
    int rc = store_each_row(s, &q, latest_row, &l, NULL, err);
    *n = l.n;
    return rc;
}

enum consent_state store_consent_fold(const struct store_consent_latest *rows, size_t n,
                                      const char *purpose, const char *channel)
{
    enum consent_state on_channel = CONSENT_NONE, on_any = CONSENT_NONE;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].purpose, purpose) != 0)
            continue;
        if (strcmp(rows[i].channel, channel) == 0)
            on_channel = rows[i].state;
        if (strcmp(rows[i].channel, CONSENT_ANY) == 0)
            on_any = rows[i].state;
    }
    return consent_fold(on_channel, on_any);
}

/* ---- the state a use asks about ---- */

struct fold_ctx {
    const char *channel;
    enum consent_state on_channel, on_any;
};

static int fold_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct fold_ctx *f = ctx;
    const unsigned char *c = sqlite3_column_text(st, 0);
    enum consent_state v = state_of(sqlite3_column_text(st, 1));
    if (c && strcmp((const char *)c, CONSENT_ANY) == 0)
        f->on_any = v;
    if (c && strcmp((const char *)c, f->channel) == 0)
        f->on_channel = v;
    return 0;
}

int store_consent_state(struct store *s, int64_t contact_id, const char *purpose,
                        const char *channel, enum consent_state *out, struct kith_error *err)
{
    *out = CONSENT_NONE;
    if (!consent_purpose_known(purpose) || !consent_channel_known(channel))
        return kith_err(err, KITH_EINVAL, "no consent purpose '%s' on channel '%s'",
                        purpose ? purpose : "", channel ? channel : "");
    struct fold_ctx f = {.channel = channel};
    const struct store_value b[] = {cs_int(contact_id), cs_text(purpose), cs_text(channel)};
    const struct store_rows q = {
        .sql = "SELECT channel, state FROM consents_current"
               " WHERE contact_id = ?1 AND purpose = ?2 AND channel IN (?3, 'any')",
        .binds = b,
        .nbinds = 3,
        .what = "reading a contact's consent"};
    int rc = store_each_row(s, &q, fold_row, &f, NULL, err);
    if (rc == 0)
        *out = consent_fold(f.on_channel, f.on_any);
    return rc;
}

int consent_allows(struct store *s, int64_t contact_id, const char *purpose, const char *channel,
                   bool *allowed, struct kith_error *err)
{
    enum consent_state st;
    *allowed = false;
    int rc = store_consent_state(s, contact_id, purpose, channel, &st, err);
    if (rc == 0)
        *allowed = consent_state_allows(st, purpose);
    return rc;
}

int store_consent_any_withdrawn(struct store *s, const char *purpose, bool *any,
                                struct kith_error *err)
{
    int64_t n = 0;
    sqlite3_stmt *st;
    *any = false;
    const char *sql = "SELECT EXISTS (SELECT 1 FROM consents_current"
                      " WHERE purpose = ?1 AND state = 'withdrawn')";
    if (store_stmt_get(s, sql, strlen(sql), &st) != SQLITE_OK)
        return store_db_err(err, s->db, "reading consents");
    sqlite3_bind_text(st, 1, purpose, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    store_stmt_done(s, st);
    if (step != SQLITE_ROW)
        return store_db_err(err, s->db, "reading consents");
    *any = n != 0;
    return 0;
}

/* ---- receipts ---- */

int store_consent_receipt_insert(struct store *s, const char *receipt_id, int64_t contact_id,
                                 const char *jws, int64_t now, struct kith_error *err)
{
    sqlite3_stmt *st;
    const char *sql = "INSERT INTO consent_receipts (created_at, receipt_id, contact_id, jws)"
                      " VALUES (?1, ?2, ?3, ?4)";
    if (store_stmt_get(s, sql, strlen(sql), &st) != SQLITE_OK)
        return store_db_err(err, s->db, "storing a consent receipt");
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, receipt_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, contact_id);
    sqlite3_bind_text(st, 4, jws, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    int rc = step == SQLITE_DONE ? 0 : store_db_err(err, s->db, "storing a consent receipt");
    store_stmt_done(s, st);
    return rc;
}

int store_consent_receipt_get(struct store *s, const char *receipt_id, int64_t *contact_id,
                              char **jws, struct kith_error *err)
{
    sqlite3_stmt *st;
    *jws = NULL;
    *contact_id = 0;
    const char *sql = "SELECT contact_id, jws FROM consent_receipts WHERE receipt_id = ?1";
    if (store_stmt_get(s, sql, strlen(sql), &st) != SQLITE_OK)
        return store_db_err(err, s->db, "reading a consent receipt");
    sqlite3_bind_text(st, 1, receipt_id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW) {
        bool fail = false;
        *contact_id = sqlite3_column_int64(st, 0);
        *jws = store_text_dup(st, 1, &fail);
        if (fail || !*jws)
            rc = kith_err(err, KITH_ENOMEM, "out of memory reading a consent receipt");
    } else if (step == SQLITE_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "no consent receipt %s", receipt_id);
    } else {
        rc = store_db_err(err, s->db, "reading a consent receipt");
    }
    store_stmt_done(s, st);
    return rc;
}

/* The signing key's store_signing_key_get() and _put() are in signing_keys.c, on db.h. */
