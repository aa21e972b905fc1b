/*
 * import.c - CSV into one table, in one transaction (see import.h for the contract,
 * docs/import-export.md for the user's view and docs/internals/import.md for the pipeline):
 * the importer's state, the bulk load and its indexes, and the order of the steps: the header
 * (import_columns.c), then the two threads (import_pipeline.c), then the checks after the last row.
 */
#include "io/import_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/banned.h"

/*
 * When a load is large next to its table, the table's secondary indexes are dropped and built
 * again at the end (store_bulk_defer_indexes). A load into an empty table always is; otherwise
 * it is decided after BULK_CHECK_ROWS rows and again at each doubling: the load counts as large
 * once the rows it will add (extrapolated from the bytes read, when the file size is known)
 * reach half the rows already there.
 */
#define BULK_CHECK_ROWS 65536

/* ----- the import --------------------------------------------------------------------------- */

static int importer_init(struct importer *imp, struct store *s, const struct table_def *t,
                         const struct import_options *opt, struct import_report *rep)
{
    memset(imp, 0, sizeof(*imp));
    imp->s = s;
    imp->t = t;
    imp->opt = opt;
    imp->rep = rep;
    idset_init(&imp->low_ids);
    size_t fi;
    if (!table_field(t, "id", &fi))
        BUG("table %s has no id", t->name);
    imp->id_field = (int)fi;
    /* The rows of interactions that void another are checked by model/voids.h as they go in. */
    imp->void_field = imp->contact_field = -1;
    if (strcmp(t->name, "interactions") == 0) {
        if (!table_field(t, "voids_id", &fi))
            BUG("interactions has no voids_id");
        imp->void_field = (int)fi;
        if (!table_field(t, "contact_id", &fi))
            BUG("interactions has no contact_id");
        imp->contact_field = (int)fi;
    }
    /* A deal may come with one line: its product and quantity follow the deal's own fields. */
    imp->nvals = t->nfields;
    imp->line_product = imp->line_quantity = imp->amount_field = imp->unit_price = -1;
    imp->quantity_field = -1;
    if (strcmp(t->name, "deals") == 0) {
        imp->line_product = (int)t->nfields;
        imp->line_quantity = (int)t->nfields + 1;
        imp->unit_price = (int)t->nfields + 2;
        imp->nvals += LINE_FIELDS;
    } else if (strcmp(t->name, "orders") == 0) {
        /* An order may come as its lines, one per row (import_field()). */
        imp->line_product = (int)t->nfields;
        imp->line_quantity = (int)t->nfields + 1;
        imp->unit_price = (int)t->nfields + 2;
        imp->nvals += LINE_FIELDS;
    } else if (strcmp(t->name, "order_lines") == 0 || strcmp(t->name, "deal_lines") == 0) {
        /* A line may give its unit price instead of its amount: amount = quantity x price. */
        if (!table_field(t, "unit_price", &fi))
            BUG("%s has no unit_price", t->name);
        imp->unit_price = (int)fi;
        if (table_field(t, "quantity", &fi))
            imp->quantity_field = (int)fi;
    }
    if (table_field(t, "amount", &fi))
        imp->amount_field = (int)fi;
    keymap_init(&imp->file_keys);
    idset_init(&imp->created_ids);
    imp->first_col = malloc(imp->nvals * sizeof(*imp->first_col));
    imp->caches = calloc(model_ntables, sizeof(*imp->caches));
    if (!imp->first_col || !imp->caches)
        return KITH_ENOMEM;
    for (size_t i = 0; i < imp->nvals; i++)
        imp->first_col[i] = SIZE_MAX;
    return 0;
}

static void importer_release(struct importer *imp)
{
    if (imp->caches) {
        for (size_t i = 0; i < model_ntables; i++) {
            idset_release(&imp->caches[i].ids);
            for (size_t k = 0; k < TABLE_MAX_NATURAL_KEYS; k++)
                keymap_release(&imp->caches[i].keys[k]);
        }
    }
    idset_release(&imp->low_ids);
    idset_release(&imp->created_ids);
    keymap_release(&imp->file_keys);
    for (size_t c = 0; imp->cols && c < imp->ncols; c++)
        keymap_release(&imp->cols[c].own_keys);
    for (size_t c = 0; imp->stats && c < imp->ncols; c++) {
        for (size_t v = 0; v < imp->stats[c].nvalues; v++)
            free(imp->stats[c].values[v].text);
        free(imp->stats[c].values);
    }
    free(imp->stats);
    free(imp->line_queue);
    free(imp->totals);
    free(imp->caches);
    free(imp->cols);
    free(imp->first_col);
    free(imp->pending);
}

/*
 * Sets the table's indexes aside (store_bulk_defer_indexes) but for those on a field every new
 * row leaves empty: no column nor --set gives it and the importer does not fill it.
 */
static int defer_indexes(struct importer *imp, struct kith_error *err)
{
    const struct table_def *t = imp->t;
    bool *empty = calloc(t->nfields, sizeof(*empty));
    if (!empty)
        return kith_err(err, KITH_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        empty[i] = imp->first_col[i] == SIZE_MAX && f->type != FT_ID && !f->required &&
                   !f->derived && strcmp(f->name, "created_at") != 0 &&
                   (int)i != imp->outcome_field && (int)i != imp->amount_field;
    }
    int rc = store_bulk_defer_indexes(imp->bulk, empty, err);
    free(empty);
    return rc;
}

int import_maybe_defer_indexes(struct importer *imp, uint64_t read, struct kith_error *err)
{
    imp->next_bulk_check *= 2;
    if (imp->indexes_deferred)
        return 0;
    uint64_t rows = imp->rep->rows;
    uint64_t expected = rows;
    if (imp->input_size > read && read > 0)
        expected = (uint64_t)((double)rows * (double)imp->input_size / (double)read);
    if ((uint64_t)imp->max_id_before > 2 * expected)
        return 0;
    imp->indexes_deferred = true;
    return defer_indexes(imp, err);
}

/* Reads and imports every record; returns a fatal error code, row errors go to the report. */
static int import_records(struct importer *imp, struct csv_reader *r, struct kith_error *err)
{
    struct csv_record rec;
    int rc = csv_reader_next(r, &rec, err);
    if (rc < 0)
        return rc;
    if (rec.nfields == 0)
        return kith_err(err, KITH_EINVAL, "%s: empty file: expected a header row of column names",
                        imp->opt->name);
    if ((rc = import_plan_columns(imp, &rec)) < 0)
        return rc == KITH_EINVAL ? 0 : kith_err(err, rc, "out of memory");
    import_plan_ref_slots(imp);
    imp->next_id = imp->max_id_before < INT64_MAX ? imp->max_id_before + 1 : INT64_MAX;
    /*
     * New deals all above max_id_before (no id column, no updates): their first stage changes
     * are written once at the end instead of by a trigger per row.
     */
    if (imp->first_col[imp->id_field] == SIZE_MAX && !imp->opt->upsert &&
        strcmp(imp->t->name, "deals") == 0) {
        if ((rc = store_bulk_defer_triggers(imp->bulk, imp->max_id_before, err)) < 0)
            return rc;
        store_bulk_also(imp->bulk, model_table("deal_stage_changes"));
    }
    /* A deal's lines: as many as the deals, their indexes rebuilt with the deals'. */
    if (imp->lines)
        store_bulk_also(imp->bulk, imp->lines);
    if (imp->lines && !(imp->line_queue = calloc(BATCH_ROWS, sizeof(*imp->line_queue))))
        return kith_err(err, KITH_ENOMEM, "out of memory");
    if (imp->opt->dry_run && (rc = import_stats_init(imp)) < 0)
        return kith_err(err, rc, "out of memory");
    if (imp->opt->rejects)
        import_write_rejects_header(imp, &rec);
    /* Into an empty table every load is large: no index is kept up to date row by row. */
    if (imp->max_id_before == 0) {
        imp->indexes_deferred = true;
        if ((rc = defer_indexes(imp, err)) < 0)
            return rc;
    }
    if ((rc = import_run_pipeline(imp, r, err)) < 0)
        return rc;
    if (imp->totals && !imp->rep->nerrors && (rc = import_finish_totals(imp, err)) < 0)
        return rc;
    if (!imp->malformed)
        import_check_pending(imp);
    if (imp->stats)
        import_report_stats(imp);
    return 0;
}

int import_csv(struct store *s, const struct table_def *t, FILE *in,
               const struct import_options *opt, struct import_report *rep, struct kith_error *err)
{
    memset(rep, 0, sizeof(*rep));
    if (!t->importable)
        return kith_err(err, KITH_EINVAL, "%s cannot be imported", t->name);
    struct importer imp;
    struct csv_reader *r = NULL;
    int rc = importer_init(&imp, s, t, opt, rep);
    if (rc < 0) {
        kith_err(err, rc, "out of memory");
        goto out_release;
    }
    if ((rc = csv_reader_new(in, opt->name, &r, err)) < 0)
        goto out_release;
    struct stat st;
    if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
        imp.input_size = (uint64_t)st.st_size;
    imp.next_bulk_check = BULK_CHECK_ROWS;
    if ((rc = store_bulk_begin(s, t, &imp.bulk, err)) < 0)
        goto out_release;
    if ((rc = store_begin(s, err)) < 0)
        goto out_bulk_end;
    if ((rc = store_max_id(s, t, &imp.max_id_before, err)) < 0)
        goto out_rollback;
    imp.exact_ids = imp.max_id_before == INT64_MAX;
    if (imp.exact_ids && (opt->upsert || opt->ncreate)) {
        rc = kith_err(err, KITH_EINVAL,
                      "%s: ids reach the largest integer; --upsert and"
                      " --create-missing cannot give new ones",
                      t->name);
        goto out_rollback;
    }
    if ((rc = import_records(&imp, r, err)) < 0)
        goto out_rollback;
    if (opt->progress)
        progress_finish(opt->progress, rep->rows, csv_reader_bytes(r));
    if (rep->nerrors) {
        rc = kith_err(err, KITH_EINVAL, "%s: %" PRIu64 " error%s; nothing was imported", opt->name,
                      rep->nerrors, rep->nerrors == 1 ? "" : "s");
        goto out_rollback;
    }
    if (opt->dry_run)
        goto out_rollback;
    if ((rc = store_bulk_finish(imp.bulk, err)) < 0 || (rc = store_commit(s, err)) < 0)
        goto out_rollback;
    goto out_bulk_end;

out_rollback:
    store_rollback(s);
out_bulk_end:
    store_bulk_end(imp.bulk);
out_release:
    csv_reader_free(r);
    importer_release(&imp);
    return rc;
}
