/*
 * export.c - tables out as CSV or JSON lines (see export.h for the formats), and the Markdown
 * column reference that docs/import-export.md is made of.
 */
#include "io/export.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "io/import.h"
#include "util/buf.h"
#include "util/money.h"
#include "util/timefmt.h"

#include "util/banned.h"

#define JSON_ROW_MAX (16 * 1024 * 1024)

int export_format_parse(const char *name, enum export_format *format, struct kith_error *err)
{
    if (strcmp(name, "csv") == 0)
        *format = EXPORT_CSV;
    else if (strcmp(name, "jsonl") == 0)
        *format = EXPORT_JSONL;
    else
        return kith_err(err, KITH_EINVAL, "unknown format '%s': expected csv or jsonl", name);
    return 0;
}

int export_format_real(double r, char *out, size_t cap)
{
    /* Of the precisions that read back exactly, the one with the shortest text ("100", not
     * "1e+02"); denormals need the whole search, so no shortcut from 15 digits. */
    char buf[40];
    int best = 17;
    size_t best_len = SIZE_MAX;
    for (int p = 1; p <= 17; p++) {
        int n = snprintf(buf, sizeof(buf), "%.*g", p, r);
        if (n > 0 && (size_t)n < best_len && strtod(buf, NULL) == r) {
            best = p;
            best_len = (size_t)n;
        }
    }
    snprintf(out, cap, "%.*g", best, r);
    return best;
}

struct export_ctx {
    const struct table_def *t;
    enum export_format format;
    FILE *out;
    struct csv_writer *csv;
    struct buf json; /* one row's members; capped at JSON_ROW_MAX */
    int json_rc;     /* why the last dump stopped */
    uint64_t rows;
    struct kith_error *err;
};

/* ----- CSV --------------------------------------------------------------------------------- */

void export_value_csv(struct csv_writer *w, const struct field_def *f, const struct store_value *v)
{
    char buf[64];
    size_t n;
    switch (v->kind) {
    case SV_NULL:
        csv_writer_null(w);
        return;
    case SV_TEXT:
        /* Every text cell is protected, numbers never are: see csv.h. */
        csv_writer_text(w, v->s, v->len);
        return;
    case SV_REAL:
        export_format_real(v->r, buf, sizeof(buf));
        csv_writer_field(w, buf, strlen(buf));
        return;
    case SV_INT:
        break;
    }
    switch (f->type) {
    case FT_TIME:
        n = timefmt_format(v->i, buf);
        break;
    case FT_MONEY:
        n = money_format(v->i, MONEY_DECIMALS, buf);
        break;
    case FT_BOOL:
        n = (size_t)snprintf(buf, sizeof(buf), "%s", v->i ? "true" : "false");
        break;
    default:
        n = (size_t)snprintf(buf, sizeof(buf), "%" PRId64, v->i);
        break;
    }
    csv_writer_field(w, buf, n);
}

static int csv_row(void *arg, const struct store_value *vals)
{
    struct export_ctx *x = arg;
    for (size_t i = 0; i < x->t->nfields; i++)
        if (!x->t->fields[i].secret)
            export_value_csv(x->csv, &x->t->fields[i], &vals[i]);
    csv_writer_end_record(x->csv);
    x->rows++;
    return x->csv->failed ? csv_writer_flush(x->csv, x->err) : 0;
}

/* ----- JSON lines ---------------------------------------------------------------------------- */

json_t *export_value_json(const struct field_def *f, const struct store_value *v)
{
    char buf[64];
    switch (v->kind) {
    case SV_NULL:
        return json_null();
    case SV_REAL:
        return isfinite(v->r) ? json_real(v->r) : json_null();
    case SV_TEXT:
        if (f->type == FT_JSON) {
            json_t *j = json_loadb(v->s, v->len, 0, NULL);
            if (json_is_object(j))
                return j;
            json_decref(j);
        }
        return json_stringn(v->s, v->len);
    case SV_INT:
        break;
    }
    switch (f->type) {
    case FT_TIME: {
        size_t n = timefmt_format(v->i, buf); /* ASCII: no UTF-8 check needed */
        return json_stringn_nocheck(buf, n);
    }
    case FT_MONEY:
        money_format(v->i, MONEY_DECIMALS, buf);
        return json_string(buf);
    case FT_BOOL:
        return json_boolean(v->i);
    case FT_REAL:
        return json_real((double)v->i);
    default:
        return json_integer(v->i);
    }
}

/* jansson's output callback: appends to the row's buffer. */
static int dump_chunk(const char *p, size_t n, void *arg)
{
    struct export_ctx *x = arg;
    x->json_rc = buf_add(&x->json, p, n);
    return x->json_rc < 0 ? -1 : 0;
}

/* Dumps obj without its braces after a comma when needed; empties obj. */
static int dump_members(struct export_ctx *x, json_t *obj, size_t flags, bool *first)
{
    if (json_object_size(obj) == 0)
        return 0;
    flags |= JSON_COMPACT | JSON_EMBED;
    buf_reset(&x->json);
    x->json_rc = 0;
    if (json_dump_callback(obj, dump_chunk, x, flags) < 0) {
        if (x->json_rc == KITH_ERANGE)
            return kith_err(x->err, KITH_ERANGE, "a row of %s does not fit in %d bytes of JSON",
                            x->t->name, JSON_ROW_MAX);
        return kith_err(x->err, KITH_ENOMEM, "out of memory writing JSON");
    }
    if (!*first)
        fputc(',', x->out);
    fwrite(x->json.data, 1, x->json.len, x->out);
    *first = false;
    json_object_clear(obj);
    return 0;
}

/*
 * One row as one JSON object. jansson prints all reals of one dump with one precision, so a
 * real is dumped on its own with the precision that is shortest for it.
 */
static int jsonl_row(void *arg, const struct store_value *vals)
{
    struct export_ctx *x = arg;
    json_t *obj = json_object();
    int rc = obj ? 0 : kith_err(x->err, KITH_ENOMEM, "out of memory writing JSON");
    bool first = true;
    fputc('{', x->out);
    for (size_t i = 0; i < x->t->nfields && rc == 0; i++) {
        const struct field_def *f = &x->t->fields[i];
        if (f->secret)
            continue;
        json_t *jv = export_value_json(f, &vals[i]);
        if (!jv || json_object_set_new(obj, f->name, jv) < 0) {
            rc = kith_err(x->err, KITH_EINVAL, "%s row %" PRId64 ": %s is not valid UTF-8",
                          x->t->name, vals[0].i, f->name);
            break;
        }
        if (json_is_real(jv)) {
            char tmp[32];
            int p = export_format_real(json_real_value(jv), tmp, sizeof(tmp));
            /* Flush what came before with the default precision, then this real alone. */
            json_incref(jv);
            json_object_del(obj, f->name);
            rc = dump_members(x, obj, 0, &first);
            json_object_set_new(obj, f->name, jv);
            if (rc == 0)
                rc = dump_members(x, obj, JSON_REAL_PRECISION((size_t)p), &first);
        }
    }
    if (rc == 0)
        rc = dump_members(x, obj, 0, &first);
    json_decref(obj);
    fputs("}\n", x->out);
    x->rows++;
    if (rc == 0 && ferror(x->out))
        rc = kith_err(x->err, KITH_EIO, "writing the output failed (disk full or closed pipe?)");
    return rc;
}

int export_table(struct store *s, const struct table_def *t, enum export_format format, FILE *out,
                 uint64_t *rows, struct kith_error *err)
{
    if (!t->exportable)
        return kith_err(err, KITH_EINVAL, "%s cannot be exported", t->name);
    struct export_ctx x = {.t = t, .format = format, .out = out, .err = err};
    int rc;
    if (format == EXPORT_CSV) {
        x.csv = malloc(sizeof(*x.csv));
        if (!x.csv)
            return kith_err(err, KITH_ENOMEM, "out of memory exporting %s", t->name);
        csv_writer_init(x.csv, out);
        for (size_t i = 0; i < t->nfields; i++)
            if (!t->fields[i].secret)
                csv_writer_field(x.csv, t->fields[i].name, strlen(t->fields[i].name));
        csv_writer_end_record(x.csv);
        rc = store_scan(s, t, csv_row, &x, err);
        int frc = csv_writer_flush(x.csv, rc < 0 ? NULL : err);
        if (rc == 0)
            rc = frc;
        free(x.csv);
    } else {
        buf_init(&x.json, JSON_ROW_MAX);
        rc = store_scan(s, t, jsonl_row, &x, err);
        buf_release(&x.json);
        if (fflush(out) != 0 && rc == 0)
            rc = kith_err(err, KITH_EIO, "writing the output failed (disk full or closed pipe?)");
    }
    if (rows)
        *rows = x.rows;
    return rc;
}

/* ----- the column reference ------------------------------------------------------------------ */

/* A bound of f: money with its cents ("21474836.47"), other numbers as %g. */
static const char *bound_text(const struct field_def *f, double v, char *buf, size_t size)
{
    if (f->type == FT_MONEY && isfinite(v) && size >= MONEY_SIZE)
        money_format((int64_t)llround(v * 100), MONEY_DECIMALS, buf);
    else
        snprintf(buf, size, "%g", v);
    return buf;
}

/* " from 0 to 1", " 0 or more": the range a field declares (model/validate.h checks it). */
static void describe_range(FILE *out, const struct field_def *f)
{
    char lo[MONEY_SIZE + 8], hi[MONEY_SIZE + 8];
    if (!f->ranged)
        return;
    bound_text(f, f->lo, lo, sizeof(lo));
    bound_text(f, f->hi, hi, sizeof(hi));
    if (isfinite(f->lo) && isfinite(f->hi))
        fprintf(out, " from %s to %s", lo, hi);
    else if (isfinite(f->lo))
        fprintf(out, " %s or more", lo);
    else
        fprintf(out, " %s or less", hi);
}

static void describe_type(FILE *out, const struct field_def *f)
{
    switch (f->type) {
    case FT_TEXT:
        if (f->format == FF_EMAIL)
            fprintf(out, "email address (name@example.com), at most %d bytes", field_max_len(f));
        else if (f->format == FF_CURRENCY)
            fputs("ISO 4217 currency code in capitals (EUR)", out);
        else
            fprintf(out, "text, at most %d bytes", field_max_len(f));
        break;
    case FT_JSON:
        fprintf(out, "JSON object, at most %d bytes", field_max_len(f));
        break;
    case FT_ENUM:
        fputs("one of", out);
        for (const char *const *v = f->enum_values; *v; v++)
            fprintf(out, "%s `%s`", v == f->enum_values ? "" : ",", *v);
        break;
    case FT_MONEY:
        fprintf(out, "decimal amount, at most %d decimals%s", MONEY_DECIMALS, f->ranged ? "," : "");
        describe_range(out, f);
        break;
    case FT_BOOL:
        fputs("true/false (also 1/0, yes/no)", out);
        break;
    case FT_TIME:
        fputs("time: ISO 8601 or Unix seconds/milliseconds", out);
        break;
    case FT_REF:
        fprintf(out, "id of a row of %s", f->ref_table);
        break;
    case FT_ID:
        fputs("positive integer id", out);
        break;
    case FT_INT:
    case FT_REAL:
        fputs(field_type_name(f->type), out);
        describe_range(out, f);
        break;
    }
}

static void describe_notes(FILE *out, const struct table_def *t, const struct field_def *f)
{
    bool any = false;
    if (f->type == FT_ID) {
        fputs("kept when given, assigned when empty", out);
        any = true;
    } else if (strcmp(f->name, "created_at") == 0) {
        fputs("the time of the import when empty", out);
        any = true;
    } else if (f->type == FT_BOOL) {
        fputs("false when empty", out);
        any = true;
    } else if (f->derived) {
        if (f->derived_from)
            fprintf(out, "derived from %s: `kith import` replaces the file's values",
                    f->derived_from);
        else
            fputs("derived from the interactions by the RV engine: `kith import` replaces the "
                  "file's values",
                  out);
        any = true;
    }
    for (size_t k = 0; t->natural_keys[k]; k++) {
        if (strcmp(t->natural_keys[k], f->name) == 0) {
            fprintf(out, "%snatural key", any ? "; " : "");
            any = true;
        }
    }
    if (f->type == FT_REF) {
        const struct table_def *ref = model_table(f->ref_table);
        for (size_t k = 0; ref && ref->natural_keys[k]; k++) {
            char alt[128];
            if (import_ref_column(f, ref->natural_keys[k], alt, sizeof(alt)) < 0)
                continue;
            fprintf(out, "%s`%s`", k ? ", " : any ? "; or by " : "or by ", alt);
            any = true;
        }
    }
    if (strcmp(f->name, "source") == 0 && f->type == FT_ENUM && field_enum_ok(f, "import"))
        fprintf(out, "%s`import` when the file has no such column", any ? "; " : "");
}

static void write_table_columns(FILE *out, const struct table_def *t)
{
    fprintf(out, "### %s%s\n\n", t->name, t->importable ? "" : " (export only)");
    if (t->natural_keys[0]) {
        fputs("Natural keys:", out);
        for (size_t k = 0; t->natural_keys[k]; k++)
            fprintf(out, "%s `%s`", k ? "," : "", t->natural_keys[k]);
        fputs(".\n\n", out);
    }
    fputs("| column | type | required | notes |\n|---|---|---|---|\n", out);
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        if (f->secret) {
            fprintf(out, "| `%s` | secret | - | never exported, cannot be imported |\n", f->name);
            continue;
        }
        fprintf(out, "| `%s` | ", f->name);
        describe_type(out, f);
        fprintf(out, " | %s | ", f->required ? "yes" : "no");
        describe_notes(out, t, f);
        fputs(" |\n", out);
    }
    fputc('\n', out);
}

int export_write_columns(FILE *out, const struct table_def *t, struct kith_error *err)
{
    if (t) {
        write_table_columns(out, t);
    } else {
        for (size_t i = 0; i < model_ntables; i++)
            if (model_tables[i]->exportable)
                write_table_columns(out, model_tables[i]);
    }
    if (fflush(out) != 0 || ferror(out))
        return kith_err(err, KITH_EIO, "writing the column reference failed");
    return 0;
}
