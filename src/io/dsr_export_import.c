/*
 * dsr_export_import.c - takes a data-subject export (io/dsr_export.h) into another kith: the
 * contact and its rows as new rows, references mapped from the export's ids to the new ones,
 * catalogue rows and the account matched by natural key or created. Every value goes through
 * field_parse() as it does through kith import and the API. docs/dsr-export.md, "Import".
 */
#include "io/dsr_export.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/dsr_export_int.h"
#include "io/export.h"
#include "model/consent.h"
#include "model/validate.h"

#include "util/banned.h"

struct idmap {
    int64_t *old_ids, *new_ids;
    size_t n, cap;
};

struct importer {
    struct store *s;
    struct idmap map[DSR_TABLES_MAX]; /* per model table: export id -> new id */
    enum dsr_role role[DSR_TABLES_MAX];
    struct dsr_import_result *res;
    bool history_exported; /* the export holds deal_stage_changes */
    struct kith_error *err;
};

static int map_add(struct idmap *m, int64_t old_id, int64_t new_id)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        int64_t *o = realloc(m->old_ids, cap * sizeof(*o));
        if (!o)
            return KITH_ENOMEM;
        m->old_ids = o;
        int64_t *n = realloc(m->new_ids, cap * sizeof(*n));
        if (!n)
            return KITH_ENOMEM;
        m->new_ids = n;
        m->cap = cap;
    }
    m->old_ids[m->n] = old_id;
    m->new_ids[m->n++] = new_id;
    return 0;
}

/* The new id of old_id, or 0. Exports list rows in id order, so the map is usually ascending. */
static int64_t map_get(const struct idmap *m, int64_t old_id)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->old_ids[mid] == old_id)
            return m->new_ids[mid];
        if (m->old_ids[mid] < old_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = 0; i < m->n; i++) /* not ascending after all */
        if (m->old_ids[i] == old_id)
            return m->new_ids[i];
    return 0;
}

static int table_index(const char *name)
{
    for (size_t k = 0; k < model_ntables; k++)
        if (strcmp(model_tables[k]->name, name) == 0)
            return (int)k;
    return -1;
}

/* The text of a JSON value as field_parse() reads it, into *text (malloc'd when *owned). */
static int json_text(json_t *v, const char **text, size_t *len, char **owned)
{
    char num[40];
    *owned = NULL;
    if (json_is_string(v)) {
        *text = json_string_value(v);
        *len = json_string_length(v);
        return 0;
    }
    if (json_is_integer(v))
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        export_format_real(json_real_value(v), num, sizeof(num));
    else if (json_is_boolean(v))
        snprintf(num, sizeof(num), "%s", json_is_true(v) ? "true" : "false");
    else if (json_is_object(v))
        *owned = json_dumps(v, JSON_COMPACT);
    else
        return KITH_EINVAL;
    if (!*owned)
        *owned = strdup(num);
    if (!*owned)
        return KITH_ENOMEM;
    *text = *owned;
    *len = strlen(*owned);
    return 0;
}

/*
 * The new id for reference field f of an exported row holding old_id: the mapped row of the
 * export; 0 when the row is not in it (another contact, staff, a unit or team of the company).
 */
static int64_t map_ref(struct importer *im, const struct field_def *f, int64_t old_id)
{
    int r = table_index(f->ref_table);
    return r < 0 ? 0 : map_get(&im->map[r], old_id);
}

/* The text of field name of a row ("" when none), NUL-terminated in out (size bytes). */
static void value_text(const struct table_def *t, const struct store_value *vals, const char *name,
                       char *out, size_t size)
{
    size_t i;
    out[0] = '\0';
    if (table_field(t, name, &i) && vals[i].kind == SV_TEXT)
        snprintf(out, size, "%.*s", (int)vals[i].len, vals[i].s);
}

/* A consent row's purpose and channel make a pair the model allows (model/consent.h). */
static int consent_values_check(const struct table_def *t, const struct store_value *vals,
                                struct kith_error *err)
{
    char purpose[32], channel[32], state[32];
    value_text(t, vals, "purpose", purpose, sizeof(purpose));
    value_text(t, vals, "channel", channel, sizeof(channel));
    value_text(t, vals, "state", state, sizeof(state));
    return consent_check(purpose, channel, state, err);
}

/*
 * Builds the values of row (an object of the export) for t into vals and checks them: 0, 1 when
 * the row must be skipped (a required reference outside the export), or KITH_EINVAL naming the
 * field. owned[] receives texts to free after the write.
 */
static int row_values(struct importer *im, const struct table_def *t, json_t *row, size_t index,
                      struct store_value *vals, char **owned)
{
    bool given[DSR_FIELDS_MAX];
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        json_t *v = json_object_get(row, f->name);
        vals[i] = (struct store_value){.kind = SV_NULL};
        given[i] = false;
        if (f->type == FT_ID || f->secret || !v || json_is_null(v))
            continue;
        const char *text;
        size_t len;
        int rc = json_text(v, &text, &len, &owned[i]);
        if (rc < 0)
            return kith_err(im->err, rc, "%s row %zu: %s: %s", t->name, index + 1, f->name,
                            rc == KITH_ENOMEM ? "out of memory" : "not a value of this field");
        struct field_value fv;
        struct kith_error e = {0};
        if (field_parse(f, text, len, &fv, &e) < 0)
            return kith_err(im->err, KITH_EINVAL, "%s row %zu: %s: %s", t->name, index + 1, f->name,
                            e.msg);
        switch (fv.kind) {
        case FV_NULL:
            continue;
        case FV_INT:
            vals[i] = (struct store_value){.kind = SV_INT, .i = fv.i};
            break;
        case FV_REAL:
            vals[i] = (struct store_value){.kind = SV_REAL, .r = fv.r};
            break;
        case FV_TEXT:
            vals[i] = (struct store_value){.kind = SV_TEXT, .s = fv.s, .len = fv.len};
            break;
        }
        if (f->type == FT_REF) {
            int64_t id = map_ref(im, f, vals[i].i);
            if (!id) {
                if (f->required)
                    return 1;
                vals[i] = (struct store_value){.kind = SV_NULL};
                continue;
            }
            vals[i].i = id;
        }
        given[i] = vals[i].kind != SV_NULL && !(vals[i].kind == SV_TEXT && vals[i].len == 0);
    }
    size_t at = 0;
    struct kith_error e = {0};
    if (table_check_required(t, given, &at, &e) < 0)
        return kith_err(im->err, KITH_EINVAL, "%s row %zu: %s: %s", t->name, index + 1,
                        t->fields[at].name, e.msg);
    if (strcmp(t->name, "consents") == 0 && consent_values_check(t, vals, &e) < 0)
        return kith_err(im->err, KITH_EINVAL, "%s row %zu: %s", t->name, index + 1, e.msg);
    return 0;
}

/* A catalogue row already in the database, by the first natural key the row gives; 0 if none. */
static int64_t find_catalogue(struct importer *im, const struct table_def *t, json_t *row)
{
    for (size_t k = 0; t->natural_keys[k]; k++) {
        json_t *v = json_object_get(row, t->natural_keys[k]);
        int64_t id;
        if (json_is_string(v) && json_string_length(v) > 0 &&
            store_find_id(im->s, t, t->natural_keys[k], json_string_value(v), &id, NULL) == 0)
            return id;
    }
    return 0;
}

struct first_stage {
    int64_t ids[8];
    size_t n;
};

static int collect_stage_change(void *arg, const struct store_value *vals)
{
    struct first_stage *fs = arg;
    if (fs->n < sizeof(fs->ids) / sizeof(fs->ids[0]))
        fs->ids[fs->n++] = vals[0].i;
    return 0;
}

/*
 * The store records a new deal's first stage (migrations.c, trigger deals_first_stage); the
 * export holds the deal's whole history, that first move included, so the recorded one goes.
 */
static int drop_first_stage(struct importer *im, int64_t deal_id)
{
    const struct table_def *t = model_table("deal_stage_changes");
    size_t field;
    if (!t || !table_field(t, "deal_id", &field))
        return 0;
    struct store_scope all = {.all = true};
    struct store_query q = {.nfilters = 1, .limit = 8};
    q.filters[0] = (struct store_filter){
        .field = field, .op = STORE_EQ, .value = {.kind = SV_INT, .i = deal_id}};
    struct first_stage fs = {.n = 0};
    int rc = store_list(im->s, t, &q, &all, collect_stage_change, &fs, im->err);
    for (size_t i = 0; i < fs.n && rc == 0; i++)
        rc = store_delete(im->s, t, fs.ids[i], im->err);
    return rc;
}

static int import_row(struct importer *im, size_t k, json_t *row, size_t index)
{
    const struct table_def *t = model_tables[k];
    json_t *jid = json_object_get(row, "id");
    if (!json_is_integer(jid) || json_integer_value(jid) <= 0)
        return kith_err(im->err, KITH_EINVAL, "%s row %zu: no id", t->name, index + 1);
    int64_t old_id = json_integer_value(jid), new_id = 0;
    if (im->role[k] == DSR_CATALOGUE && (new_id = find_catalogue(im, t, row)) > 0) {
        im->res->matched++;
        return map_add(&im->map[k], old_id, new_id) < 0
                   ? kith_err(im->err, KITH_ENOMEM, "out of memory importing")
                   : 0;
    }
    if (t->nfields > DSR_FIELDS_MAX)
        BUG("table %s has more than DSR_FIELDS_MAX fields", t->name);
    struct store_value vals[DSR_FIELDS_MAX];
    char *owned[DSR_FIELDS_MAX] = {0};
    int rc = row_values(im, t, row, index, vals, owned);
    if (rc == 0) {
        rc = store_insert(im->s, t, vals, &new_id, im->err);
        if (rc < 0)
            kith_err_prefix(im->err, "%s row %zu: ", t->name, index + 1);
    }
    for (size_t i = 0; i < t->nfields; i++)
        free(owned[i]);
    if (rc == 1) {
        im->res->skipped++;
        return 0;
    }
    if (rc < 0)
        return rc;
    im->res->inserted++;
    if (im->role[k] == DSR_SUBJECT)
        im->res->contact_id = new_id;
    if (im->history_exported && strcmp(t->name, "deals") == 0 &&
        (rc = drop_first_stage(im, new_id)) < 0)
        return rc;
    return map_add(&im->map[k], old_id, new_id) < 0
               ? kith_err(im->err, KITH_ENOMEM, "out of memory importing")
               : 0;
}

/* The account: found by external_id, else by name, else created with both. */
static int import_account(struct importer *im, json_t *account)
{
    if (!json_is_object(account))
        return 0;
    int k = table_index("accounts");
    json_t *jid = json_object_get(account, "id");
    if (!json_is_integer(jid))
        return kith_err(im->err, KITH_EINVAL, "subject.account has no id");
    const struct table_def *t = model_tables[k];
    int64_t id = 0;
    if (!(id = find_catalogue(im, t, account))) {
        json_t *row =
            json_pack("{s:O, s:O*, s:O*}", "id", jid, "name", json_object_get(account, "name"),
                      "external_id", json_object_get(account, "external_id"));
        if (!row)
            return kith_err(im->err, KITH_ENOMEM, "out of memory importing");
        struct store_value vals[DSR_FIELDS_MAX];
        char *owned[DSR_FIELDS_MAX] = {0};
        int rc = row_values(im, t, row, 0, vals, owned);
        if (rc == 0)
            rc = store_insert(im->s, t, vals, &id, im->err);
        for (size_t i = 0; i < t->nfields; i++)
            free(owned[i]);
        json_decref(row);
        if (rc != 0)
            return rc < 0 ? kith_err_prefix(im->err, "subject.account: ")
                          : kith_err(im->err, KITH_EINVAL, "subject.account cannot be created");
        im->res->inserted++;
    } else {
        im->res->matched++;
    }
    return map_add(&im->map[k], json_integer_value(jid), id) < 0
               ? kith_err(im->err, KITH_ENOMEM, "out of memory importing")
               : 0;
}

int dsr_import_json(struct store *s, const json_t *doc, struct dsr_import_result *out,
                    struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    json_t *schema = json_object_get(doc, "schema");
    json_t *tables = json_object_get(doc, "tables");
    json_t *subject = json_object_get(doc, "subject");
    if (!json_is_string(schema) || strcmp(json_string_value(schema), DSR_EXPORT_SCHEMA) != 0)
        return kith_err(err, KITH_EINVAL,
                        "not a kith data-subject export: \"schema\" must be "
                        "\"" DSR_EXPORT_SCHEMA "\"");
    if (!json_is_object(tables) || !json_is_object(subject))
        return kith_err(err, KITH_EINVAL, "the export has no \"tables\" or \"subject\" object");
    const char *name;
    json_t *entry;
    json_object_foreach((json_t *)tables, name, entry)
    {
        /* devices are not imported: a device without its token, which never leaves the
           exporting kith, could post nothing (docs/dsr-export.md, "Devices") */
        if (strcmp(name, "devices") == 0)
            continue;
        int k = table_index(name);
        if (k < 0 && json_array_size(json_object_get(entry, "rows")) > 0)
            return kith_err(err, KITH_EINVAL,
                            "the export holds rows of %s, a table this kith does not have", name);
        if (k >= 0 && !json_is_array(json_object_get(entry, "rows")))
            return kith_err(err, KITH_EINVAL,
                            "tables.%s has no \"rows\" array (a manifest of a "
                            "zip cannot be imported: import the JSON export)",
                            name);
    }
    struct importer im = {.s = s, .res = out, .err = err};
    im.history_exported =
        json_is_array(json_object_get(json_object_get(tables, "deal_stage_changes"), "rows"));
    for (size_t k = 0; k < model_ntables; k++) {
        size_t parent = 0;
        im.role[k] = dsr_table_role(model_tables[k], im.role, &parent);
    }
    int rc = store_begin(s, err);
    if (rc < 0)
        goto out;
    rc = import_account(&im, json_object_get(subject, "account"));
    for (size_t k = 0; k < model_ntables && rc == 0; k++) {
        if (im.role[k] == DSR_NONE)
            continue;
        json_t *rows = json_object_get(json_object_get(tables, model_tables[k]->name), "rows");
        if (im.role[k] == DSR_SUBJECT && json_array_size(rows) != 1) {
            rc = kith_err(err, KITH_EINVAL, "the export must hold exactly one contact");
            break;
        }
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            if ((rc = import_row(&im, k, row, i)) < 0)
                break;
        }
    }
    if (rc == 0)
        rc = store_commit(s, err);
    if (rc < 0)
        store_rollback(s);
out:
    for (size_t k = 0; k < DSR_TABLES_MAX; k++) {
        free(im.map[k].old_ids);
        free(im.map[k].new_ids);
    }
    return rc;
}
