/*
 * dsr_export.c - the data-subject export of one contact (dsr_export.h; docs/dsr-export.md): which
 * rows belong to it, gathered table by table in model order, then written as JSON and CSV.
 *
 * Which tables: the contact itself; every exportable table with a contact_id (its interactions,
 * events, survey answers and opt-ins, ratings, ideas and votes, consents, requests, deals where it
 * is the primary contact, and any table added later that names a contact, such as devices), by
 * each of its references to a contact (an event's related contact too); the
 * orders of its account besides its own; the rows that hang off those by a required reference
 * (order lines, deal lines, deal stage moves); and the catalogue rows they refer to, which give
 * them meaning (interaction types, products, surveys, deal stages). Staff, units, teams, the audit
 * log and secrets are not the contact's data and are left out.
 */
#include "io/dsr_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/dsr_export_int.h"
#include "io/dsr_export_zip.h"
#include "io/export.h"
#include "util/timefmt.h"

#include "util/banned.h"

#ifndef KITH_VERSION
#define KITH_VERSION "0.0.0-dev"
#endif

static const char *const catalogue_tables[] = {"interaction_types", "products", "surveys",
                                               "deal_stages", NULL};
/* Tables that name a contact but are not the contact's data (none yet); the company's own
 * records (users, units, teams, quotas, the audit log) have no contact_id and are never picked. */
static const char *const never_tables[] = {"accounts",  "users",  "units", "teams",
                                           "audit_log", "quotas", NULL};

static bool in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return true;
    return false;
}

enum dsr_role dsr_table_role(const struct table_def *t, const enum dsr_role *earlier,
                             size_t *parent_field)
{
    if (!t->exportable || in_list(never_tables, t->name))
        return DSR_NONE;
    if (strcmp(t->name, "contacts") == 0)
        return DSR_SUBJECT;
    if (in_list(catalogue_tables, t->name))
        return DSR_CATALOGUE;
    size_t i;
    const struct field_def *f = table_field(t, "contact_id", &i);
    if (f && f->type == FT_REF && strcmp(f->ref_table, "contacts") == 0)
        return DSR_OWNED;
    for (i = 0; i < t->nfields; i++) {
        f = &t->fields[i];
        if (f->type != FT_REF || !f->required || strcmp(f->ref_table, t->name) == 0)
            continue;
        for (size_t k = 0; k < model_ntables; k++) {
            if (strcmp(model_tables[k]->name, f->ref_table) == 0 &&
                (earlier[k] == DSR_OWNED || earlier[k] == DSR_CHILD)) {
                *parent_field = i;
                return DSR_CHILD;
            }
        }
    }
    return DSR_NONE;
}

const char *dsr_table_description(const char *name)
{
    static const struct {
        const char *table, *text;
    } d[] = {
        {"contacts", "You as a contact: the fields held about you."},
        {"interaction_types",
         "The kinds of interaction in your interactions: name, relationship level and phase, and "
         "the RV (relationship value) an interaction of that kind counts when it records none."},
        {"interactions",
         "Every contact between you and the company: when, what kind, through which channel, its "
         "RV and cost, and notes."},
        {"products", "The products in your orders, deals and ratings."},
        {"deal_stages", "The stages of the sales pipeline your deals went through."},
        {"deals", "Sales opportunities in which you are the primary contact."},
        {"deal_lines", "The products of those deals."},
        {"deal_stage_changes", "The history of those deals: each move from stage to stage."},
        {"orders", "The orders of your account (placed by you or by a colleague of yours), and "
                   "any order that names you."},
        {"order_lines", "The lines of those orders: product, quantity and amount."},
        {"events", "Events recorded about you: repeat purchases, referrals, recommendations and "
                   "the like."},
        {"surveys", "The surveys you were asked or answered."},
        {"survey_responses", "Your answers to surveys, with their history."},
        {"survey_optins", "Whether you agreed to be surveyed and to let staff read your answers."},
        {"ratings", "Your ratings and reviews of products."},
        {"ideas", "Ideas you proposed."},
        {"idea_votes", "Your votes on ideas."},
        {"consents", "Your consent history: each grant or withdrawal, per purpose and channel."},
        {"dsrs", "Your data-subject requests (access, rectification, erasure and others)."},
        {"devices", "Your devices that send readings to the company."},
        {"corrections", "Corrections you proposed to your fields, and what staff decided."},
    };
    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
        if (strcmp(d[i].table, name) == 0)
            return d[i].text;
    return "Records of this kind that name you.";
}

/* ----- sets of ids --------------------------------------------------------------------------- */

static int idset_add(struct dsr_idset *set, int64_t id)
{
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        int64_t *v = realloc(set->v, cap * sizeof(*v));
        if (!v)
            return KITH_ENOMEM;
        set->v = v;
        set->cap = cap;
    }
    set->v[set->n++] = id;
    return 0;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts and drops duplicates. */
static void idset_sort(struct dsr_idset *set)
{
    if (set->n < 2)
        return;
    qsort(set->v, set->n, sizeof(*set->v), cmp_id);
    size_t w = 1;
    for (size_t r = 1; r < set->n; r++)
        if (set->v[r] != set->v[w - 1])
            set->v[w++] = set->v[r];
    set->n = w;
}

/* ----- gathering ------------------------------------------------------------------------------ */

struct gather {
    struct dsr_plan *plan;
    size_t table; /* index into model_tables */
    struct kith_error *err;
};

static int table_index(const char *name)
{
    for (size_t k = 0; k < model_ntables; k++)
        if (strcmp(model_tables[k]->name, name) == 0)
            return (int)k;
    return -1;
}

/* Adds the catalogue rows that row vals of table k refers to. */
static int add_catalogue_refs(struct dsr_plan *plan, size_t k, const struct store_value *vals)
{
    const struct table_def *t = model_tables[k];
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        if (f->type != FT_REF || vals[i].kind != SV_INT)
            continue;
        int r = table_index(f->ref_table);
        if (r >= 0 && plan->role[r] == DSR_CATALOGUE && idset_add(&plan->ids[r], vals[i].i) < 0)
            return KITH_ENOMEM;
    }
    return 0;
}

static int gather_row(void *arg, const struct store_value *vals)
{
    struct gather *g = arg;
    struct dsr_idset *set = &g->plan->ids[g->table];
    if (set->n >= DSR_EXPORT_ROWS_MAX)
        return kith_err(g->err, KITH_ERANGE, "more than %d rows of %s: too many for one export",
                        DSR_EXPORT_ROWS_MAX, model_tables[g->table]->name);
    if (idset_add(set, vals[0].i) < 0 || add_catalogue_refs(g->plan, g->table, vals) < 0)
        return kith_err(g->err, KITH_ENOMEM, "out of memory gathering the export");
    return 0;
}

/* Calls fn for every row of t whose field equals value, in id order (one statement). */
static int list_eq(struct store *s, const struct table_def *t, size_t field, int64_t value,
                   store_row_fn fn, void *ctx, struct kith_error *err)
{
    return store_each_eq(s, t, field, value, fn, ctx, err);
}

/* Adds every row of table k whose field equals value; remembers the query when it is the
 * table's only one, so that the rows are written by the same query (one pass, in id order). */
static int gather_eq(struct store *s, struct dsr_plan *plan, size_t k, size_t field, int64_t value,
                     struct kith_error *err)
{
    struct gather g = {.plan = plan, .table = k, .err = err};
    if (plan->queries[k]++ == 0) {
        plan->query_field[k] = field;
        plan->query_value[k] = value;
    }
    return list_eq(s, model_tables[k], field, value, gather_row, &g, err);
}

static int gather_catalogue_row(void *arg, const struct store_value *vals)
{
    struct gather *g = arg;
    return add_catalogue_refs(g->plan, g->table, vals) < 0
               ? kith_err(g->err, KITH_ENOMEM, "out of memory gathering the export")
               : 0;
}

static int read_contact(void *arg, const struct store_value *vals)
{
    int64_t *account = arg;
    size_t i;
    table_field(model_table("contacts"), "account_id", &i);
    *account = vals[i].kind == SV_INT ? vals[i].i : 0;
    return 0;
}

int dsr_plan_build(struct store *s, int64_t contact_id, struct dsr_plan *plan,
                   struct kith_error *err)
{
    memset(plan, 0, sizeof(*plan));
    plan->contact_id = contact_id;
    if (model_ntables > DSR_TABLES_MAX)
        BUG("more tables (%zu) than DSR_TABLES_MAX", model_ntables);
    struct store_scope all = {.all = true};
    int rc = store_get(s, model_table("contacts"), contact_id, &all, read_contact,
                       &plan->account_id, err);
    if (rc < 0)
        return rc;
    for (size_t k = 0; k < model_ntables && rc == 0; k++) {
        const struct table_def *t = model_tables[k];
        size_t parent = 0, field;
        plan->role[k] = dsr_table_role(t, plan->role, &parent);
        switch (plan->role[k]) {
        case DSR_SUBJECT:
            rc = idset_add(&plan->ids[k], contact_id) < 0
                     ? kith_err(err, KITH_ENOMEM, "out of memory gathering the export")
                     : 0;
            break;
        case DSR_OWNED:
            /* every reference to a contact: contact_id, and e.g. an event's related contact */
            for (field = 0; field < t->nfields && rc == 0; field++)
                if (t->fields[field].type == FT_REF &&
                    strcmp(t->fields[field].ref_table, "contacts") == 0)
                    rc = gather_eq(s, plan, k, field, contact_id, err);
            if (rc == 0 && plan->account_id && strcmp(t->name, "orders") == 0) {
                table_field(t, "account_id", &field);
                rc = gather_eq(s, plan, k, field, plan->account_id, err);
            }
            break;
        case DSR_CHILD: {
            int p = table_index(t->fields[parent].ref_table);
            for (size_t j = 0; p >= 0 && j < plan->ids[p].n && rc == 0; j++)
                rc = gather_eq(s, plan, k, parent, plan->ids[p].v[j], err);
            break;
        }
        case DSR_CATALOGUE:
        case DSR_NONE:
            break;
        }
        idset_sort(&plan->ids[k]);
    }
    /* Catalogue rows refer only to earlier tables: from the last back, each adds its own. */
    for (size_t k = model_ntables; k-- > 0 && rc == 0;) {
        if (plan->role[k] != DSR_CATALOGUE)
            continue;
        idset_sort(&plan->ids[k]);
        struct gather g = {.plan = plan, .table = k, .err = err};
        for (size_t j = 0; j < plan->ids[k].n && rc == 0; j++) {
            rc = store_get(s, model_tables[k], plan->ids[k].v[j], &all, gather_catalogue_row, &g,
                           err);
            if (rc == KITH_ENOTFOUND)
                rc = 0;
        }
    }
    for (size_t k = 0; k < model_ntables; k++)
        idset_sort(&plan->ids[k]);
    if (rc < 0)
        dsr_plan_release(plan);
    return rc;
}

void dsr_plan_release(struct dsr_plan *plan)
{
    for (size_t k = 0; k < DSR_TABLES_MAX; k++)
        free(plan->ids[k].v);
    memset(plan, 0, sizeof(*plan));
}

/* ----- writing -------------------------------------------------------------------------------- */

/* The fields of a survey answer that are its content, withheld from staff when confidential. */
static const char *const answer_fields[] = {"nps",   "csat",    "intent", "wants",
                                            "needs", "answers", NULL};

struct emit {
    const struct table_def *t;
    json_t *rows;           /* the table's rows, or NULL */
    struct csv_writer *csv; /* the table's CSV, or NULL */
    bool redact;            /* withhold confidential answers (survey_responses, for staff) */
    size_t withheld;        /* rows whose content was withheld */
    struct store_value vals[DSR_FIELDS_MAX];
    struct kith_error *err;
};

/* vals with the content of a confidential answer made NULL, when e->redact says so. */
static const struct store_value *redacted(struct emit *e, const struct store_value *vals)
{
    size_t i;
    if (!e->redact || !table_field(e->t, "confidential", &i) || vals[i].kind != SV_INT ||
        !vals[i].i)
        return vals;
    memcpy(e->vals, vals, e->t->nfields * sizeof(*vals));
    for (const char *const *f = answer_fields; *f; f++)
        if (table_field(e->t, *f, &i))
            e->vals[i] = (struct store_value){.kind = SV_NULL};
    e->withheld++;
    return e->vals;
}

static int emit_row(void *arg, const struct store_value *all_vals)
{
    struct emit *e = arg;
    const struct store_value *vals = redacted(e, all_vals);
    if (e->rows) {
        json_t *o = json_object();
        if (!o || json_array_append_new(e->rows, o) < 0)
            return kith_err(e->err, KITH_ENOMEM, "out of memory writing the export");
        for (size_t i = 0; i < e->t->nfields; i++) {
            const struct field_def *f = &e->t->fields[i];
            if (f->secret)
                continue;
            json_t *v = export_value_json(f, &vals[i]);
            if (!v || json_object_set_new_nocheck(o, f->name, v) < 0) /* names are ASCII */
                return kith_err(e->err, KITH_EINVAL, "%s row %lld: %s is not valid UTF-8",
                                e->t->name, (long long)vals[0].i, f->name);
        }
    }
    if (e->csv) {
        for (size_t i = 0; i < e->t->nfields; i++)
            if (!e->t->fields[i].secret)
                export_value_csv(e->csv, &e->t->fields[i], &vals[i]);
        csv_writer_end_record(e->csv);
    }
    return 0;
}

static json_t *columns_json(const struct table_def *t)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        if (f->secret)
            continue;
        json_t *c = json_pack("{s:s, s:s}", "name", f->name, "type", field_type_name(f->type));
        if (c && f->type == FT_REF)
            json_object_set_new(c, "references", json_string(f->ref_table));
        if (!c || json_array_append_new(a, c) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The meaning of a relationship level and of a stage (docs/internals/rv.md, "Relationship level").
 */
static const char level_meaning[] =
    "Your relationship level: how far your relationship with the company has come, from 1 (first "
    "contact) to the highest level of the catalogue. kith's RV engine derives it from your "
    "interactions: 1 plus the highest level of a trigger interaction you have had (a trigger marks "
    "the completion of its level), 0 with no interaction; voided interactions do not count.";
static const char stage_meaning[] =
    "Your lifecycle stage (acquisition, closing or retention): the phase of the catalogue to "
    "which your relationship level belongs, derived with the level by kith's RV engine.";
static const char value_meaning[] =
    "Value segment: a band of customer value (value to date, predicted and lifetime value) of your "
    "account. It ranks the account against every other account with models fitted over all of "
    "them (kith value clv), so it is not computed for one export; the company's value analysis "
    "may compute it when it runs.";
static const char rfm_meaning[] =
    "RFM segment: recency, frequency and monetary scores of your account's orders, each a quintile "
    "among all accounts, and the named segment they make. It needs every account's orders, so it "
    "is not computed for one export; the company's value analysis may compute it when it runs.";

const char *dsr_inference_meaning(const char *name)
{
    return strcmp(name, "relationship_level") == 0 ? level_meaning
           : strcmp(name, "lifecycle_stage") == 0  ? stage_meaning
           : strcmp(name, "value_segment") == 0    ? value_meaning
           : strcmp(name, "rfm_segment") == 0      ? rfm_meaning
                                                   : NULL;
}

static json_t *inference(const char *name, json_t *value, const char *meaning)
{
    return json_pack("{s:s, s:o, s:s, s:s}", "name", name, "value", value ? value : json_null(),
                     "status", value && !json_is_null(value) ? "computed" : "not computed",
                     "meaning", meaning);
}

static json_t *inferences_json(const json_t *contact)
{
    json_t *level = json_object_get(contact, "level");
    json_t *stage = json_object_get(contact, "stage");
    json_t *a = json_array();
    if (!a)
        return NULL;
    json_array_append_new(a, inference("relationship_level", json_incref(level), level_meaning));
    json_array_append_new(a, inference("lifecycle_stage", json_incref(stage), stage_meaning));
    json_array_append_new(a, inference("value_segment", NULL, value_meaning));
    json_array_append_new(a, inference("rfm_segment", NULL, rfm_meaning));
    return a;
}

/* The row of rows whose "id" is id (rows in ascending id order, as exported), or NULL. */
static json_t *row_by_id(json_t *rows, json_int_t id)
{
    size_t lo = 0, hi = json_array_size(rows);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        json_t *r = json_array_get(rows, mid);
        json_int_t x = json_integer_value(json_object_get(r, "id"));
        if (x == id)
            return r;
        if (x < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Sets key of o to v (a new reference, or NULL for null); false when out of memory. */
static bool explain(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new_nocheck(o, key, v ? v : json_null()) == 0;
}

/*
 * Each interaction with its RV (its own, else its type's) and its type's name, and whether it
 * counts: neither voiding another nor voided (docs/internals/rv.md, "Rules"). A voided
 * interaction is one a voiding row of the same contact names; both are in the export.
 */
static json_t *interactions_explained(json_t *tables)
{
    json_t *types = json_object_get(json_object_get(tables, "interaction_types"), "rows");
    json_t *rows = json_object_get(json_object_get(tables, "interactions"), "rows");
    json_t *out = json_array();
    size_t n = json_array_size(rows), nvoided = 0, i;
    int64_t *voided = malloc((n ? n : 1) * sizeof(*voided));
    json_t *r;
    if (!out || !voided)
        goto fail;
    json_array_foreach(rows, i, r)
    {
        json_t *v = json_object_get(r, "voids_id");
        if (json_is_integer(v))
            voided[nvoided++] = json_integer_value(v);
    }
    qsort(voided, nvoided, sizeof(*voided), cmp_id);
    json_array_foreach(rows, i, r)
    {
        json_int_t id = json_integer_value(json_object_get(r, "id"));
        json_t *type = row_by_id(types, json_integer_value(json_object_get(r, "type_id")));
        json_t *rv = json_object_get(r, "rv");
        bool own = json_is_integer(rv);
        bool counted = json_is_null(json_object_get(r, "voids_id")) &&
                       !bsearch(&(int64_t){id}, voided, nvoided, sizeof(*voided), cmp_id);
        /* by hand rather than json_pack(): one per interaction, and keys are constants */
        json_t *item = json_object();
        if (!item || json_array_append_new(out, item) < 0 ||
            !explain(item, "interaction_id", json_integer(id)) ||
            !explain(item, "occurred_at", json_incref(json_object_get(r, "occurred_at"))) ||
            !explain(item, "type_code", json_incref(json_object_get(type, "code"))) ||
            !explain(item, "type_name", json_incref(json_object_get(type, "name"))) ||
            !explain(item, "rv", json_incref(own ? rv : json_object_get(type, "rv"))) ||
            !explain(item, "rv_from", json_string_nocheck(own ? "interaction" : "type")) ||
            !explain(item, "counted", json_boolean(counted)))
            goto fail;
    }
    free(voided);
    return out;
fail:
    free(voided);
    json_decref(out);
    return NULL;
}

static json_t *account_json(struct store *s, int64_t account_id, struct kith_error *err);

/* ----- devices: kept by the portal's store code, not a table of the data model -------------- */

static const char *const device_columns[] = {"id",        "created_at",   "name",     "kind",
                                             "paused_at", "last_seen_at", "readings", NULL};

struct device_rows {
    json_t *rows;
    struct csv_writer *csv; /* NULL: no CSV */
};

static json_t *time_or_null(int64_t ms)
{
    char t[TIMEFMT_SIZE];
    if (!ms)
        return json_null();
    timefmt_format(ms, t);
    return json_string(t);
}

static void csv_int(struct csv_writer *csv, int64_t v, bool is_time)
{
    char b[TIMEFMT_SIZE];
    if (is_time && !v)
        csv_writer_null(csv);
    else if (is_time)
        csv_writer_field(csv, b, timefmt_format(v, b));
    else
        csv_writer_field(csv, b, (size_t)snprintf(b, sizeof(b), "%lld", (long long)v));
}

static int add_device_row(void *ctx, const struct store_device *d)
{
    struct device_rows *r = ctx;
    /* never the token nor its hash: the store does not hand them out */
    json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:o, s:o, s:I}", "id", (json_int_t)d->id,
                          "created_at", time_or_null(d->created_at), "name", d->name, "kind",
                          d->kind, "paused_at", time_or_null(d->paused_at), "last_seen_at",
                          time_or_null(d->last_seen_at), "readings", (json_int_t)d->readings);
    if (!o || json_array_append_new(r->rows, o) < 0)
        return KITH_ENOMEM;
    if (r->csv) {
        csv_int(r->csv, d->id, false);
        csv_int(r->csv, d->created_at, true);
        csv_writer_text(r->csv, d->name, strlen(d->name));
        csv_writer_text(r->csv, d->kind, strlen(d->kind));
        csv_int(r->csv, d->paused_at, true);
        csv_int(r->csv, d->last_seen_at, true);
        csv_int(r->csv, d->readings, false);
        csv_writer_end_record(r->csv);
    }
    return 0;
}

/*
 * The "devices" entry of tables (docs/dsr-export.md, "Devices"): the contact's devices without
 * their token hashes; with zip set, devices.csv too, and the entry gets file and row_count.
 */
static int devices_entry(struct store *s, int64_t contact_id, int64_t now_ms,
                         struct csv_writer *csv, struct dsr_zip *zip, json_t *tables,
                         struct kith_error *err)
{
    static const char *const types[] = {"integer id", "time", "text",   "text",
                                        "time",       "time", "integer"};
    struct device_rows r = {.rows = json_array()};
    json_t *cols = json_array();
    char *mem = NULL;
    size_t mem_len = 0;
    FILE *f = NULL;
    int rc = 0;
    for (size_t i = 0; cols && device_columns[i]; i++)
        if (json_array_append_new(
                cols, json_pack("{s:s, s:s}", "name", device_columns[i], "type", types[i])) < 0)
            rc = KITH_ENOMEM;
    if (!r.rows || !cols || rc < 0) {
        json_decref(r.rows);
        json_decref(cols);
        return kith_err(err, KITH_ENOMEM, "out of memory writing the export");
    }
    if (zip) {
        if (!(f = open_memstream(&mem, &mem_len))) {
            json_decref(r.rows);
            json_decref(cols);
            return kith_err(err, KITH_ENOMEM, "out of memory writing devices.csv");
        }
        csv_writer_init(csv, f);
        r.csv = csv;
        for (size_t i = 0; device_columns[i]; i++)
            csv_writer_field(csv, device_columns[i], strlen(device_columns[i]));
        csv_writer_end_record(csv);
    }
    rc = store_device_list(s, contact_id, add_device_row, &r, err);
    if (rc > 0 || rc == KITH_ENOMEM)
        rc = kith_err(err, KITH_ENOMEM, "out of memory writing the export");
    json_t *entry =
        json_pack("{s:s, s:o}", "description", dsr_table_description("devices"), "columns", cols);
    if (!entry && rc == 0)
        rc = kith_err(err, KITH_ENOMEM, "out of memory writing the export");
    if (zip) {
        int frc = csv_writer_flush(csv, rc < 0 ? NULL : err);
        fclose(f);
        if (rc == 0)
            rc = frc;
        if (rc == 0)
            rc = dsr_zip_add(zip, "devices.csv", mem ? mem : "", mem ? mem_len : 0, now_ms, err);
        free(mem);
        if (entry) {
            json_object_set_new(entry, "file", json_string("devices.csv"));
            json_object_set_new(entry, "row_count",
                                json_integer((json_int_t)json_array_size(r.rows)));
        }
        json_decref(r.rows);
    } else if (entry) {
        json_object_set_new(entry, "rows", r.rows);
    } else {
        json_decref(r.rows);
    }
    if (rc < 0)
        json_decref(entry);
    else if (json_object_set_new(tables, "devices", entry) < 0)
        rc = kith_err(err, KITH_ENOMEM, "out of memory writing the export");
    return rc;
}

/*
 * The document; with zip set, each table's CSV is added to zip and its rows stay out of the
 * document (the manifest), which gets "file" and "row_count" instead.
 */
static int build(struct store *s, int64_t contact_id, int64_t now_ms,
                 enum dsr_export_audience audience, struct dsr_zip *zip, json_t **out,
                 struct kith_error *err)
{
    struct dsr_plan plan;
    int rc = dsr_plan_build(s, contact_id, &plan, err);
    if (rc < 0)
        return rc;
    char at[TIMEFMT_SIZE];
    timefmt_format(now_ms, at);
    json_t *tables = json_object();
    json_t *full = json_object(); /* rows of every table, for the explanations, when zipping */
    json_t *doc = NULL;
    struct csv_writer *csv = zip ? malloc(sizeof(*csv)) : NULL;
    if (!tables || !full || (zip && !csv)) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory writing the export");
        goto out;
    }
    struct store_scope all = {.all = true};
    for (size_t k = 0; k < model_ntables && rc == 0; k++) {
        const struct table_def *t = model_tables[k];
        if (plan.role[k] == DSR_NONE)
            continue;
        char *mem = NULL;
        size_t mem_len = 0;
        FILE *f = NULL;
        if (t->nfields > DSR_FIELDS_MAX)
            BUG("%s has more than DSR_FIELDS_MAX fields", t->name);
        struct emit e = {.t = t, .rows = json_array(), .err = err};
        e.redact = audience == DSR_FOR_STAFF && strcmp(t->name, "survey_responses") == 0;
        json_t *cols = columns_json(t);
        json_t *entry = json_pack("{s:s, s:o*}", "description", dsr_table_description(t->name),
                                  "columns", cols);
        if (!e.rows || !entry || json_object_set_new(tables, t->name, entry) < 0) {
            json_decref(e.rows);
            rc = kith_err(err, KITH_ENOMEM, "out of memory writing the export");
            break;
        }
        if (zip) {
            if (!(f = open_memstream(&mem, &mem_len))) {
                json_decref(e.rows);
                rc = kith_err(err, KITH_ENOMEM, "out of memory writing %s.csv", t->name);
                break;
            }
            csv_writer_init(csv, f);
            e.csv = csv;
            for (size_t i = 0; i < t->nfields; i++)
                if (!t->fields[i].secret)
                    csv_writer_field(csv, t->fields[i].name, strlen(t->fields[i].name));
            csv_writer_end_record(csv);
        }
        if (plan.queries[k] == 1) /* the rows in id order: the gathering query again */
            rc = list_eq(s, t, plan.query_field[k], plan.query_value[k], emit_row, &e, err);
        for (size_t j = 0; plan.queries[k] != 1 && j < plan.ids[k].n && rc == 0; j++) {
            rc = store_get(s, t, plan.ids[k].v[j], &all, emit_row, &e, err);
            if (rc == KITH_ENOTFOUND) /* deleted meanwhile */
                rc = 0;
        }
        size_t nrows = json_array_size(e.rows);
        if (e.withheld) {
            json_object_set_new(entry, "withheld", json_integer((json_int_t)e.withheld));
            json_object_set_new(entry, "withheld_reason",
                                json_string("The contact keeps these answers from staff "
                                            "(confidential): their content is null here; the "
                                            "contact's own export holds them."));
        }
        if (zip) {
            int frc = csv_writer_flush(csv, rc < 0 ? NULL : err);
            fclose(f);
            char name[128];
            snprintf(name, sizeof(name), "%s.csv", t->name);
            if (rc == 0)
                rc = frc;
            if (rc == 0)
                rc = dsr_zip_add(zip, name, mem ? mem : "", mem ? mem_len : 0, now_ms, err);
            free(mem);
            json_object_set_new(entry, "file", json_string(name));
            json_object_set_new(entry, "row_count", json_integer((json_int_t)nrows));
            json_object_set_new(full, t->name, json_pack("{s:O}", "rows", e.rows));
            json_decref(e.rows);
        } else {
            json_object_set_new(entry, "rows", e.rows);
        }
    }
    if (rc == 0)
        rc = devices_entry(s, contact_id, now_ms, csv, zip, tables, err);
    if (rc < 0)
        goto out;
    json_t *rows_of = zip ? full : tables;
    json_t *contact =
        json_array_get(json_object_get(json_object_get(rows_of, "contacts"), "rows"), 0);
    json_t *account = account_json(s, plan.account_id, err);
    json_t *not_held = json_array(); /* every kind of data this kith keeps is exported */
    doc = json_pack("{s:s, s:s, s:s, s:{s:I, s:o}, s:O, s:o*, s:o*, s:o*}", "schema",
                    DSR_EXPORT_SCHEMA, "generated_at", at, "generator", "kith " KITH_VERSION,
                    "subject", "contact_id", (json_int_t)contact_id, "account",
                    account ? account : json_null(), "tables", tables, "interactions_explained",
                    interactions_explained(rows_of), "inferences", inferences_json(contact),
                    "not_held", not_held);
    if (!doc)
        rc = kith_err(err, KITH_ENOMEM, "out of memory writing the export");
out:
    free(csv);
    json_decref(tables);
    json_decref(full);
    dsr_plan_release(&plan);
    if (rc == 0)
        *out = doc;
    else
        json_decref(doc);
    return rc;
}

static int read_account(void *arg, const struct store_value *vals)
{
    json_t **o = arg;
    const struct table_def *t = model_table("accounts");
    size_t i_name, i_ext;
    table_field(t, "name", &i_name);
    table_field(t, "external_id", &i_ext);
    *o = json_pack("{s:I, s:o, s:o}", "id", (json_int_t)vals[0].i, "name",
                   export_value_json(&t->fields[i_name], &vals[i_name]), "external_id",
                   export_value_json(&t->fields[i_ext], &vals[i_ext]));
    return 0;
}

/* {"id", "name", "external_id"} of the account, or NULL (none, or unreadable). */
static json_t *account_json(struct store *s, int64_t account_id, struct kith_error *err)
{
    json_t *o = NULL;
    struct store_scope all = {.all = true};
    if (account_id)
        store_get(s, model_table("accounts"), account_id, &all, read_account, &o, err);
    return o;
}

int dsr_export_json(struct store *s, int64_t contact_id, int64_t now_ms,
                    enum dsr_export_audience audience, json_t **out, struct kith_error *err)
{
    return build(s, contact_id, now_ms, audience, NULL, out, err);
}

int dsr_export_zip(struct store *s, int64_t contact_id, int64_t now_ms,
                   enum dsr_export_audience audience, unsigned char **data, size_t *len,
                   struct kith_error *err)
{
    struct dsr_zip *zip = dsr_zip_new();
    json_t *manifest = NULL;
    if (!zip)
        return kith_err(err, KITH_ENOMEM, "out of memory writing the export");
    int rc = build(s, contact_id, now_ms, audience, zip, &manifest, err);
    char *text = NULL;
    if (rc == 0 && !(text = json_dumps(manifest, JSON_INDENT(2))))
        rc = kith_err(err, KITH_ENOMEM, "out of memory writing manifest.json");
    if (rc == 0)
        rc = dsr_zip_add(zip, "manifest.json", text, strlen(text), now_ms, err);
    if (rc == 0)
        rc = dsr_zip_finish(zip, data, len, err);
    free(text);
    json_decref(manifest);
    dsr_zip_free(zip);
    return rc;
}
