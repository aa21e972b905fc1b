/*
 * import_upsert.c - where a checked row goes: set aside into the rejects file (--rejects), onto
 * the row its natural key names (--upsert; a row --create-missing made earlier is filled by the
 * file's own row the same way), or into the queue with the deal line it carries. An update
 * writes only the fields that differ, so importing the same export twice changes nothing.
 */
#include "io/import_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/banned.h"

#define MAX_LINES 16 /* lines of one deal compared by an upsert */

/* ----- rejects ------------------------------------------------------------------------------ */

/* reason as a CSV field into f. */
static void write_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void import_write_rejects_header(struct importer *imp, const struct csv_record *h)
{
    char *line = malloc(IMPORT_SCRATCH);
    size_t n = line ? import_csv_line(h, line, IMPORT_SCRATCH) : 0;
    if (n)
        fwrite(line, 1, n, imp->opt->rejects);
    fputs(n ? ",reject_reason\n" : "reject_reason\n", imp->opt->rejects);
    free(line);
}

static void write_reject(struct importer *imp)
{
    FILE *f = imp->opt->rejects;
    if (imp->row_raw)
        fwrite(imp->row_raw, 1, imp->row_rawlen, f);
    fputc(',', f);
    char reason[KITH_ERROR_MSG_MAX + 40];
    snprintf(reason, sizeof(reason), "line %" PRIu64 ": %s", imp->line, imp->reject_reason);
    write_field(f, reason);
    fputc('\n', f);
    imp->rep->rejected++;
}

/* ----- updates ------------------------------------------------------------------------------ */

static bool same_value(const struct store_value *a, const struct store_value *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case SV_NULL:
        return true;
    case SV_INT:
        return a->i == b->i;
    case SV_REAL:
        return a->r == b->r;
    case SV_TEXT:
        return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
    }
    return false;
}

struct compare {
    const struct importer *imp;
    bool *set;
    bool differ;
    int64_t old_stage; /* deals: the stage before */
};

/* True when the file gives field i (a column, or a --set constant). */
static bool gives(const struct importer *imp, size_t i)
{
    const struct field_def *f = &imp->t->fields[i];
    if (f->type == FT_ID || strcmp(f->name, "created_at") == 0 || f->derived)
        return false;
    return imp->first_col[i] != SIZE_MAX;
}

static int compare_row(void *ctx, const struct store_value *old)
{
    struct compare *c = ctx;
    const struct importer *imp = c->imp;
    size_t stage;
    if (table_field(imp->t, "stage_id", &stage) && old[stage].kind == SV_INT)
        c->old_stage = old[stage].i;
    for (size_t i = 0; i < imp->t->nfields; i++) {
        c->set[i] = gives(imp, i) && !same_value(&imp->vals[i], &old[i]);
        c->differ |= c->set[i];
    }
    return 0;
}

/* The value of field name of the row being placed (SV_NULL when the table has none). */
static const struct store_value *row_field(const struct importer *imp, const char *name)
{
    size_t i;
    static const struct store_value none = {.kind = SV_NULL};
    return table_field(imp->t, name, &i) ? &imp->vals[i] : &none;
}

struct stage_kind {
    char kind[16];
};

static int read_stage_kind(void *ctx, const struct store_value *vals)
{
    struct stage_kind *k = ctx;
    size_t i;
    const struct table_def *t = model_table("deal_stages");
    if (table_field(t, "kind", &i) && vals[i].kind == SV_TEXT && vals[i].len < sizeof(k->kind)) {
        memcpy(k->kind, vals[i].s, vals[i].len);
        k->kind[vals[i].len] = '\0';
    }
    return 0;
}

/*
 * A deal moved to another stage by an update: its history gains the move, and an outcome the
 * file does not give follows the new stage's kind, as when the deal is inserted.
 */
static int deal_moved(struct importer *imp, int64_t deal, int64_t from, bool *set,
                      struct kith_error *err)
{
    const struct table_def *changes = model_table("deal_stage_changes");
    const struct store_value *to = row_field(imp, "stage_id");
    struct store_value vals[16];
    if (changes->nfields > 16)
        BUG("deal_stage_changes has %zu fields", changes->nfields);
    for (size_t i = 0; i < changes->nfields; i++)
        vals[i] = (struct store_value){.kind = SV_NULL};
    size_t fi;
    const struct store_value *closed = row_field(imp, "closed_at");
    const struct store_value *engaged = row_field(imp, "engaged_at");
    if (table_field(changes, "deal_id", &fi))
        vals[fi] = (struct store_value){.kind = SV_INT, .i = deal};
    if (table_field(changes, "from_stage_id", &fi) && from > 0)
        vals[fi] = (struct store_value){.kind = SV_INT, .i = from};
    if (table_field(changes, "to_stage_id", &fi))
        vals[fi] = *to;
    if (table_field(changes, "changed_at", &fi)) {
        const struct store_value *at = closed->kind == SV_INT ? closed : engaged;
        if (at->kind == SV_INT) {
            vals[fi] = *at;
        } else {
            /* No date in the file: the time of the import, as created_at is. */
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            vals[fi] = (struct store_value){
                .kind = SV_INT, .i = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000};
        }
    }
    int64_t id;
    int rc = store_insert(imp->s, changes, vals, &id, err);
    if (rc < 0)
        return rc;
    size_t oi;
    if (table_field(imp->t, "outcome", &oi) && imp->first_col[oi] == SIZE_MAX &&
        to->kind == SV_INT) {
        struct stage_kind k;
        memset(&k, 0, sizeof(k));
        if ((rc = store_get(imp->s, model_table("deal_stages"), to->i, NULL, read_stage_kind, &k,
                            err)) < 0)
            return rc;
        imp->vals[oi] = (struct store_value){.kind = SV_TEXT, .s = k.kind, .len = strlen(k.kind)};
        set[oi] = true;
        rc = store_update(imp->s, imp->t, deal, imp->vals, set, err);
        imp->vals[oi] = (struct store_value){.kind = SV_NULL};
    }
    return rc;
}

/* ----- deal lines --------------------------------------------------------------------------- */

/* Fills line (deal_lines' fields: id, created_at, deal_id, product_id, quantity, amount) from the
 * row being placed, for deal id. */
static void make_line(struct importer *imp, int64_t deal, struct store_value *line)
{
    const struct store_value *qty = &imp->vals[imp->line_quantity];
    const struct store_value *amount =
        imp->amount_field >= 0 ? &imp->vals[imp->amount_field] : NULL;
    for (size_t i = 0; i < 8; i++)
        line[i] = (struct store_value){.kind = SV_NULL};
    line[LINE_DEAL] = (struct store_value){.kind = SV_INT, .i = deal};
    line[LINE_PRODUCT] = imp->vals[imp->line_product];
    line[LINE_QUANTITY] = qty->kind == SV_INT ? *qty : (struct store_value){.kind = SV_INT, .i = 1};
    line[LINE_AMOUNT] =
        amount && amount->kind == SV_INT ? *amount : (struct store_value){.kind = SV_INT, .i = 0};
    /* Priced per unit: quantity x unit price (checked to fit when the row was read). */
    const struct store_value *price = &imp->vals[imp->unit_price];
    int64_t a;
    if (price->kind == SV_INT && !__builtin_mul_overflow(price->i, line[LINE_QUANTITY].i, &a))
        line[LINE_AMOUNT] = (struct store_value){.kind = SV_INT, .i = a};
    /* and the line keeps the price it was given */
    size_t up;
    if (price->kind == SV_INT && table_field(imp->lines, "unit_price", &up))
        line[up] = *price;
}

int import_flush_lines(struct importer *imp, struct kith_error *err)
{
    size_t n = imp->nlines;
    imp->nlines = 0;
    /* A file with errors is rolled back: its lines might name deals that did not go in. */
    if (!n || imp->rep->nerrors)
        return 0;
    const struct store_value *rows[BATCH_ROWS];
    for (size_t i = 0; i < n; i++)
        rows[i] = imp->line_queue[i];
    size_t done = 0;
    int rc = store_insert_rows(imp->s, imp->lines, rows, n, &done, err);
    if (rc < 0)
        return kith_err_prefix(err, "%s: the deals' lines", imp->opt->name);
    imp->rep->lines += n;
    return 0;
}

struct line_cmp {
    const struct store_value *want;
    const struct table_def *lt;
    bool same;
};

static int compare_line(void *ctx, const struct store_value *old)
{
    struct line_cmp *c = ctx;
    c->same = true;
    for (size_t i = 0; i < c->lt->nfields; i++) {
        const char *name = c->lt->fields[i].name;
        if (strcmp(name, "id") == 0 || strcmp(name, "created_at") == 0)
            continue;
        if (!same_value(&c->want[i], &old[i]))
            c->same = false;
    }
    return 0;
}

/* The line of deal (which exists) made to be the file's: 1 when it changed. */
static int upsert_line(struct importer *imp, int64_t deal, struct kith_error *err)
{
    struct store_value want[8];
    make_line(imp, deal, want);
    struct store_value key = {.kind = SV_INT, .i = deal};
    int64_t ids[MAX_LINES];
    size_t n;
    int rc = store_find_ids(imp->s, imp->lines, "deal_id", &key, ids, MAX_LINES, &n, err);
    if (rc < 0)
        return rc;
    if (n == 1) {
        struct line_cmp c = {want, imp->lines, false};
        if ((rc = store_get(imp->s, imp->lines, ids[0], NULL, compare_line, &c, err)) < 0)
            return rc;
        if (c.same)
            return 0;
    }
    if (n > MAX_LINES)
        return kith_err(err, KITH_EINVAL,
                        "%s:%" PRIu64 ": deal %" PRId64
                        " has more than %d lines; a file of one line per deal cannot replace them",
                        imp->opt->name, imp->line, deal, MAX_LINES);
    for (size_t i = 0; i < n; i++)
        if ((rc = store_delete(imp->s, imp->lines, ids[i], err)) < 0)
            return rc;
    int64_t id;
    if ((rc = store_insert(imp->s, imp->lines, want, &id, err)) < 0)
        return rc;
    imp->rep->lines++;
    return 1;
}

/* Brings row id (which exists) to the file's values; counts it updated or unchanged. */
static int update_row(struct importer *imp, int64_t id, struct kith_error *err)
{
    int rc = import_flush_rows(imp, err);
    if (rc < 0)
        return rc;
    bool *set = calloc(imp->t->nfields, sizeof(*set));
    if (!set)
        return kith_err(err, KITH_ENOMEM, "out of memory");
    struct compare c = {.imp = imp, .set = set};
    if ((rc = store_get(imp->s, imp->t, id, NULL, compare_row, &c, err)) < 0)
        goto out;
    bool changed = c.differ;
    if (c.differ) {
        struct kith_error e;
        rc = store_update(imp->s, imp->t, id, imp->vals, set, &e);
        if (rc == KITH_ECONFLICT || rc == KITH_EINVAL) {
            import_add_error(imp, key_of(imp->record, PHASE_INSERT, 0), imp->line, 0, NULL,
                             "updating %s %" PRId64 ": %s", imp->t->singular, id, e.msg);
            rc = 0;
            goto out;
        }
        if (rc < 0) {
            *err = e;
            goto out;
        }
        size_t stage;
        if (table_field(imp->t, "stage_id", &stage) && set[stage] &&
            strcmp(imp->t->name, "deals") == 0) {
            memset(set, 0, imp->t->nfields * sizeof(*set));
            if ((rc = deal_moved(imp, id, c.old_stage, set, err)) < 0)
                goto out;
        }
    }
    if (imp->lines && imp->vals[imp->line_product].kind == SV_INT) {
        if ((rc = upsert_line(imp, id, err)) < 0)
            goto out;
        changed |= rc == 1;
    }
    rc = 0;
    if (changed)
        imp->rep->updated++;
    else
        imp->rep->unchanged++;
out:
    free(set);
    return rc;
}

/* ----- placing a row ------------------------------------------------------------------------ */

/* The existing row the natural key of the row being placed names, when it is to be updated. */
static int existing_row(struct importer *imp, int64_t *existing, struct kith_error *err)
{
    *existing = 0;
    if (imp->upsert_key < 0 || (!imp->opt->upsert && imp->created_ids.n == 0))
        return 0;
    const struct store_value *key = &imp->vals[imp->upsert_key];
    if (key->kind != SV_TEXT || key->len == 0 || strlen(key->s) != key->len)
        return 0;
    int64_t found;
    if (imp->opt->upsert && keymap_get(&imp->file_keys, key->s, key->len, &found)) {
        *existing = found;
        return 0;
    }
    int64_t ids[2];
    size_t n;
    const char *name = imp->t->fields[imp->upsert_key].name;
    int rc = store_find_ids(imp->s, imp->t, name, key, ids, 2, &n, err);
    if (rc < 0)
        return rc;
    if (n > 1) {
        char ex[UTF8_EXCERPT_SIZE];
        size_t c = imp->first_col[imp->upsert_key];
        import_cell_error(imp, c,
                          "%s already has several rows with %s '%s' (ids %" PRId64 ", %" PRId64
                          "%s): which one to update is not clear",
                          imp->t->name, name, utf8_excerpt(ex, key->s, key->len), ids[0], ids[1],
                          n > 2 ? ", ..." : "");
        return 0;
    }
    if (n == 1 && (imp->opt->upsert || idset_has(&imp->created_ids, ids[0])))
        *existing = ids[0];
    return 0;
}

/*
 * A deal without an outcome gets its stage's kind here rather than from the store's trigger,
 * which would write the row a second time: the same value, one write instead of two.
 */
static int fill_outcome(struct importer *imp, struct kith_error *err)
{
    if (imp->outcome_field < 0 || imp->vals[imp->outcome_field].kind != SV_NULL)
        return 0;
    const struct store_value *stage = &imp->vals[imp->stage_field];
    if (stage->kind != SV_INT)
        return 0;
    for (size_t i = 0; i < imp->nstage_kinds; i++) {
        if (imp->stage_kinds[i].id == stage->i) {
            const char *k = imp->stage_kinds[i].kind;
            imp->vals[imp->outcome_field] =
                (struct store_value){.kind = SV_TEXT, .s = k, .len = strlen(k)};
            return 0;
        }
    }
    struct stage_kind k;
    memset(&k, 0, sizeof(k));
    int rc =
        store_get(imp->s, model_table("deal_stages"), stage->i, NULL, read_stage_kind, &k, err);
    if (rc < 0)
        return rc;
    /* The static spelling of the kind: it outlives the row. */
    const struct field_def *f = &imp->t->fields[imp->outcome_field];
    for (size_t v = 0; f->enum_values[v]; v++) {
        if (strcmp(f->enum_values[v], k.kind) != 0)
            continue;
        if (imp->nstage_kinds < STAGE_KINDS_MAX)
            imp->stage_kinds[imp->nstage_kinds++] =
                (struct stage_kind_of){stage->i, f->enum_values[v]};
        imp->vals[imp->outcome_field] = (struct store_value){
            .kind = SV_TEXT, .s = f->enum_values[v], .len = strlen(f->enum_values[v])};
    }
    return 0;
}

/* Orders from lines: the total of order id (of this file), grown as needed; NULL: ENOMEM. */
static struct order_total *total_of(struct importer *imp, int64_t id)
{
    size_t at = (size_t)(id - imp->max_id_before - 1);
    if (at >= imp->ntotals) {
        size_t n = imp->ntotals ? imp->ntotals : 1024;
        while (n <= at)
            n *= 2;
        struct order_total *more = realloc(imp->totals, n * sizeof(*more));
        if (!more)
            return NULL;
        memset(more + imp->ntotals, 0, (n - imp->ntotals) * sizeof(*more));
        imp->totals = more;
        imp->ntotals = n;
    }
    return &imp->totals[at];
}

/*
 * Orders from lines: a row whose external_id names an order of an earlier row adds its line to
 * that order (1), or the row is a new order (0). A fatal code when memory runs out.
 */
static int add_to_order(struct importer *imp, struct kith_error *err)
{
    const struct store_value *key = &imp->vals[imp->upsert_key];
    const struct store_value *amount = &imp->vals[imp->amount_field];
    int64_t order;
    if (key->kind != SV_TEXT || !keymap_get(&imp->file_keys, key->s, key->len, &order))
        return 0;
    struct order_total *t = total_of(imp, order);
    if (!t)
        return kith_err(err, KITH_ENOMEM, "out of memory");
    if (amount->kind == SV_INT && __builtin_add_overflow(t->amount, amount->i, &t->amount)) {
        import_cell_error(imp, imp->first_col[imp->unit_price],
                          "the order's amount is out of range");
        return 1;
    }
    t->grouped = true;
    imp->rep->grouped++;
    if (imp->nlines == BATCH_ROWS) {
        int rc = import_flush_rows(imp, err);
        if (rc < 0)
            return rc;
    }
    make_line(imp, order, imp->line_queue[imp->nlines++]);
    return 1;
}

int import_finish_totals(struct importer *imp, struct kith_error *err)
{
    bool *set = calloc(imp->t->nfields, sizeof(*set));
    struct store_value *vals = calloc(imp->t->nfields, sizeof(*vals));
    int rc = set && vals ? 0 : kith_err(err, KITH_ENOMEM, "out of memory");
    if (rc == 0)
        set[imp->amount_field] = true;
    for (size_t i = 0; rc == 0 && i < imp->ntotals; i++) {
        if (!imp->totals[i].grouped)
            continue;
        vals[imp->amount_field] = (struct store_value){.kind = SV_INT, .i = imp->totals[i].amount};
        rc = store_update(imp->s, imp->t, imp->max_id_before + 1 + (int64_t)i, vals, set, err);
    }
    free(set);
    free(vals);
    return rc;
}

int import_place_row(struct importer *imp, struct kith_error *err)
{
    if (imp->row_reject) {
        write_reject(imp);
        return 0;
    }
    if (imp->from_lines) {
        int grouped = add_to_order(imp, err);
        if (grouped != 0)
            return grouped < 0 ? grouped : 0;
    }
    int64_t existing;
    int rc = existing_row(imp, &existing, err);
    if (rc < 0 || imp->row_bad)
        return rc;
    if (existing)
        return update_row(imp, existing, err);
    if ((rc = fill_outcome(imp, err)) < 0)
        return rc;
    struct store_value *id = &imp->vals[imp->id_field];
    if (imp->assign_ids) {
        if (id->kind == SV_INT && id->i >= imp->next_id)
            imp->next_id = id->i == INT64_MAX ? id->i : id->i + 1;
        else if (id->kind != SV_INT)
            *id = (struct store_value){.kind = SV_INT, .i = imp->next_id++};
    }
    const struct store_value *key = imp->upsert_key >= 0 ? &imp->vals[imp->upsert_key] : NULL;
    if ((imp->opt->upsert || imp->from_lines) && key && key->kind == SV_TEXT && key->len &&
        (rc = keymap_put(&imp->file_keys, key->s, key->len, id->i, err)) < 0)
        return rc;
    if (imp->from_lines && id->kind == SV_INT && id->i > imp->max_id_before) {
        struct order_total *t = total_of(imp, id->i);
        if (!t)
            return kith_err(err, KITH_ENOMEM, "out of memory");
        const struct store_value *amount = &imp->vals[imp->amount_field];
        t->amount = amount->kind == SV_INT ? amount->i : 0;
    }
    import_queue_row(imp);
    imp->rep->inserted++;
    if (imp->lines && imp->vals[imp->line_product].kind == SV_INT && id->kind == SV_INT)
        make_line(imp, id->i, imp->line_queue[imp->nlines++]);
    return 0;
}
