/*
 * devices.c - the store's queries for the customer's devices and their readings (migration 15,
 * docs/portal.md "Devices"): a device's row with its hashed token, the readings it posts as
 * interactions of its contact (source 'device') linked to it by device_readings, and their
 * deletion with the device. Every statement is prepared from constant SQL, every value bound.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

static struct store_value dv_int(int64_t i)
{
    return (struct store_value){.kind = SV_INT, .i = i};
}

static struct store_value dv_text(const char *s)
{
    return (struct store_value){.kind = SV_TEXT, .s = s, .len = strlen(s)};
}

/* Prepares sql with vals[0..n) bound to ?1..?n; on failure *st is NULL and err is filled. */
static int prepare(struct store *s, const char *sql, const struct store_value *vals, int n,
                   sqlite3_stmt **st, const char *what, struct kith_error *err)
{
    if (store_stmt_get(s, sql, strlen(sql), st) != SQLITE_OK) {
        *st = NULL;
        return store_db_err(err, store_db(s), what);
    }
    for (int i = 0; i < n; i++)
        if (store_bind_value(*st, i + 1, &vals[i]) != SQLITE_OK) {
            store_db_err(err, store_db(s), what);
            store_stmt_done(s, *st);
            *st = NULL;
            return KITH_EDB;
        }
    return 0;
}

/* Runs a statement without rows; *changes (when non-NULL) gets the rows it touched. */
static int exec(struct store *s, const char *sql, const struct store_value *vals, int n,
                int64_t *changes, const char *what, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare(s, sql, vals, n, &st, what, err);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_DONE) {
        if (changes)
            *changes = sqlite3_changes(store_db(s));
    } else {
        rc = store_db_err(err, store_db(s), what);
    }
    store_stmt_done(s, st);
    return rc;
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

#define DEVICE_SELECT                                                                              \
    "SELECT id, contact_id, name, kind, created_at, paused_at, last_seen_at, readings"             \
    " FROM devices"

static void read_device(sqlite3_stmt *st, struct store_device *d)
{
    d->id = sqlite3_column_int64(st, 0);
    d->contact_id = sqlite3_column_int64(st, 1);
    copy_text(d->name, sizeof(d->name), st, 2);
    copy_text(d->kind, sizeof(d->kind), st, 3);
    d->created_at = sqlite3_column_int64(st, 4);
    d->paused_at = sqlite3_column_int64(st, 5);
    d->last_seen_at = sqlite3_column_int64(st, 6);
    d->readings = sqlite3_column_int64(st, 7);
}

/* Runs a device query; fn (or, when NULL, *one) gets each row. KITH_ENOTFOUND with no row. */
static int devices(struct store *s, const char *sql, const struct store_value *vals, int n,
                   store_device_fn fn, void *ctx, struct store_device *one, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare(s, sql, vals, n, &st, "reading devices", err), step, rows = 0;
    if (rc < 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_device d;
        read_device(st, fn ? &d : one);
        rows++;
        if (!fn)
            break;
        if ((rc = fn(ctx, &d)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = store_db_err(err, store_db(s), "reading devices");
    else if (rc == 0 && !fn && rows == 0)
        rc = kith_err(err, KITH_ENOTFOUND, "no such device");
    store_stmt_done(s, st);
    return rc;
}

int store_device_create(struct store *s, int64_t contact_id, const char *name, const char *kind,
                        const char *token_hash, int64_t now_ms, int64_t *id_out,
                        struct kith_error *err)
{
    struct store_value v[] = {dv_int(now_ms), dv_int(contact_id), dv_text(name), dv_text(kind),
                              dv_text(token_hash)};
    int rc = exec(s,
                  "INSERT INTO devices (created_at, contact_id, name, kind, token_hash)"
                  " VALUES (?1, ?2, ?3, ?4, ?5)",
                  v, 5, NULL, "registering a device", err);
    if (rc == 0 && id_out)
        *id_out = sqlite3_last_insert_rowid(store_db(s));
    return rc;
}

int store_device_find(struct store *s, const char *token_hash, struct store_device *out,
                      struct kith_error *err)
{
    struct store_value v = dv_text(token_hash);
    return devices(s, DEVICE_SELECT " WHERE token_hash = ?1", &v, 1, NULL, NULL, out, err);
}

int store_device_get(struct store *s, int64_t id, int64_t contact_id, struct store_device *out,
                     struct kith_error *err)
{
    struct store_value v[] = {dv_int(id), dv_int(contact_id)};
    int rc =
        devices(s, DEVICE_SELECT " WHERE id = ?1 AND contact_id = ?2", v, 2, NULL, NULL, out, err);
    if (rc == KITH_ENOTFOUND)
        kith_err(err, rc, "no device %lld", (long long)id);
    return rc;
}

int store_device_list(struct store *s, int64_t contact_id, store_device_fn fn, void *ctx,
                      struct kith_error *err)
{
    struct store_value v = dv_int(contact_id);
    return devices(s, DEVICE_SELECT " WHERE contact_id = ?1 ORDER BY id", &v, 1, fn, ctx, NULL,
                   err);
}

int store_device_update(struct store *s, int64_t id, int64_t contact_id, const char *name,
                        int pause, int64_t now_ms, struct kith_error *err)
{
    /* ?3 NULL keeps the name; ?4: -1 keeps the pause, 1 pauses (once), 0 resumes */
    struct store_value v[] = {dv_int(id), dv_int(contact_id),
                              name ? dv_text(name) : (struct store_value){.kind = SV_NULL},
                              dv_int(pause), dv_int(now_ms)};
    int64_t changed = 0;
    int rc = exec(s,
                  "UPDATE devices SET name = coalesce(?3, name),"
                  " paused_at = CASE ?4 WHEN -1 THEN paused_at WHEN 0 THEN NULL"
                  " ELSE coalesce(paused_at, ?5) END WHERE id = ?1 AND contact_id = ?2",
                  v, 5, &changed, "changing a device", err);
    if (rc == 0 && changed == 0)
        rc = kith_err(err, KITH_ENOTFOUND, "no device %lld", (long long)id);
    return rc;
}

int store_device_delete(struct store *s, int64_t id, int64_t contact_id, int64_t *readings,
                        struct kith_error *err)
{
    struct store_value v[] = {dv_int(id), dv_int(contact_id)};
    struct store_device d;
    int64_t n = 0;
    int rc = store_device_get(s, id, contact_id, &d, err);
    /* voids first (they refer to the readings), then the readings (device_readings cascades) */
    if (rc == 0)
        rc = exec(s,
                  "DELETE FROM interactions WHERE voids_id IN"
                  " (SELECT interaction_id FROM device_readings WHERE device_id = ?1)",
                  v, 1, NULL, "deleting the voids of a device's readings", err);
    if (rc == 0)
        rc = exec(s,
                  "DELETE FROM interactions WHERE id IN"
                  " (SELECT interaction_id FROM device_readings WHERE device_id = ?1)",
                  v, 1, &n, "deleting a device's readings", err);
    if (rc == 0)
        rc = exec(s, "DELETE FROM devices WHERE id = ?1 AND contact_id = ?2", v, 2, NULL,
                  "deleting a device", err);
    if (rc == 0 && readings)
        *readings = n;
    return rc;
}

/* The rows of migration 15, for a catalogue that was empty then (or lost them since). */
#define TELEMETRY_TYPES                                                                            \
    "WITH t(n, code, name, description) AS (VALUES"                                                \
    " (1, 'device.usage', 'Device usage reading',"                                                 \
    "  'A reading of use (hours run, cycles, volume) sent by a device of the contact.'),"          \
    " (2, 'device.alert', 'Device alert',"                                                         \
    "  'A condition a device of the contact reports for attention (a threshold crossed).'),"       \
    " (3, 'device.error', 'Device error',"                                                         \
    "  'A fault a device of the contact reports (an error code, a failed self-test).'))"           \
    " INSERT INTO interaction_types (id, created_at, code, name, phase, level, channel, touch,"    \
    " tech, rv, cost, is_trigger, is_voc, description)"                                            \
    " SELECT max(coalesce((SELECT max(id) FROM interaction_types), 0), 9000) + n,"                 \
    " 1796688000000, code, name, 'acquisition', 1, 'device', 0, 1, 0, 0, 0, 0, description"        \
    " FROM t WHERE NOT EXISTS (SELECT 1 FROM interaction_types i WHERE i.code = t.code)"

int store_telemetry_types_ensure(struct store *s, int64_t *added, struct kith_error *err)
{
    return exec(s, TELEMETRY_TYPES, NULL, 0, added, "adding the telemetry types", err);
}

int store_telemetry_type(struct store *s, const char *code, struct store_telemetry_type *out,
                         struct kith_error *err)
{
    struct store_value v = dv_text(code);
    sqlite3_stmt *st;
    int rc = prepare(s, "SELECT id, rv, cost, channel FROM interaction_types WHERE code = ?1", &v,
                     1, &st, "reading an interaction type", err);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->rv = sqlite3_column_int64(st, 1);
        out->cost = sqlite3_column_int64(st, 2);
        copy_text(out->channel, sizeof(out->channel), st, 3);
    } else if (step == SQLITE_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "no interaction type '%s'", code);
    } else {
        rc = store_db_err(err, store_db(s), "reading an interaction type");
    }
    store_stmt_done(s, st);
    return rc;
}

#define INSERT_INTERACTION                                                                         \
    "INSERT INTO interactions (created_at, contact_id, type_id, occurred_at, channel, direction,"  \
    " rv, cost, notes, source) VALUES (?1, ?2, ?3, ?4, ?5, 'inbound', ?6, ?7, ?8, 'device')"
#define INSERT_LINK "INSERT INTO device_readings (interaction_id, device_id) VALUES (?1, ?2)"

int store_device_readings_add(struct store *s, const struct store_device *device,
                              const struct store_reading_in *rows, size_t n, int64_t now_ms,
                              int64_t *ids, struct kith_error *err)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *ins = NULL, *link = NULL;
    int rc = 0;
    if (store_stmt_get(s, INSERT_INTERACTION, strlen(INSERT_INTERACTION), &ins) != SQLITE_OK ||
        store_stmt_get(s, INSERT_LINK, strlen(INSERT_LINK), &link) != SQLITE_OK) {
        rc = store_db_err(err, db, "storing readings");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct store_reading_in *r = &rows[i];
        sqlite3_bind_int64(ins, 1, now_ms);
        sqlite3_bind_int64(ins, 2, device->contact_id);
        sqlite3_bind_int64(ins, 3, r->type->id);
        sqlite3_bind_int64(ins, 4, r->at);
        sqlite3_bind_text(ins, 5, r->type->channel, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 6, r->type->rv);
        sqlite3_bind_int64(ins, 7, r->type->cost);
        sqlite3_bind_text(ins, 8, r->value, (int)r->value_len, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = store_db_err(err, db, "storing a reading");
            goto out;
        }
        sqlite3_reset(ins);
        ids[i] = sqlite3_last_insert_rowid(db);
        sqlite3_bind_int64(link, 1, ids[i]);
        sqlite3_bind_int64(link, 2, device->id);
        if (sqlite3_step(link) != SQLITE_DONE) {
            rc = store_db_err(err, db, "storing a reading's device");
            goto out;
        }
        sqlite3_reset(link);
    }
    struct store_value v[] = {dv_int(device->id), dv_int(now_ms), dv_int((int64_t)n)};
    rc = exec(s, "UPDATE devices SET last_seen_at = ?2, readings = readings + ?3 WHERE id = ?1", v,
              3, NULL, "counting a device's readings", err);
out:
    if (ins)
        store_stmt_done(s, ins);
    if (link)
        store_stmt_done(s, link);
    return rc;
}

int store_device_readings_list(struct store *s, int64_t device_id, int64_t before, int64_t limit,
                               store_reading_fn fn, void *ctx, struct kith_error *err)
{
    struct store_value v[] = {dv_int(device_id), dv_int(before > 0 ? before : INT64_MAX),
                              dv_int(limit)};
    sqlite3_stmt *st;
    int rc = prepare(s,
                     "SELECT i.id, i.occurred_at, i.created_at, t.code, i.notes"
                     " FROM device_readings r JOIN interactions i ON i.id = r.interaction_id"
                     " JOIN interaction_types t ON t.id = i.type_id"
                     " WHERE r.device_id = ?1 AND r.interaction_id < ?2"
                     " ORDER BY r.interaction_id DESC LIMIT ?3",
                     v, 3, &st, "reading a device's readings", err),
        step;
    if (rc < 0)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *type = sqlite3_column_text(st, 3), *value = sqlite3_column_text(st, 4);
        struct store_reading r = {.id = sqlite3_column_int64(st, 0),
                                  .at = sqlite3_column_int64(st, 1),
                                  .received_at = sqlite3_column_int64(st, 2),
                                  .type = type ? (const char *)type : "",
                                  .value = value ? (const char *)value : "null"};
        if ((rc = fn(ctx, &r)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE)
        rc = store_db_err(err, store_db(s), "reading a device's readings");
    store_stmt_done(s, st);
    return rc;
}
