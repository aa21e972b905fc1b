/*
 * import_errors.c - the errors of an import: each counted, and the first IMPORT_MAX_SHOWN kept in
 * the order a one-row-at-a-time import would find them (record, phase, column, arrival), with
 * their place in the file. The reader thread's errors arrive with its batches (import_convert.c).
 */
#include "io/import_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* "name:line:col: colname: " (or "name:line: " when col is 0) and the message, into out. */
void import_format_error(char *out, const char *name, uint64_t line, size_t col,
                         const char *colname, const char *fmt, va_list ap)
{
    /* The whole path: a message is cut at its end rather than lose where it happened. */
    int w;
    if (col)
        w = snprintf(out, KITH_ERROR_MSG_MAX, "%s:%" PRIu64 ":%zu: %s%s", name, line, col,
                     colname ? colname : "", colname ? ": " : "");
    else
        w = snprintf(out, KITH_ERROR_MSG_MAX, "%s:%" PRIu64 ": ", name, line);
    size_t n = w < 0 ? 0 : (size_t)w;
    if (n >= KITH_ERROR_MSG_MAX - 1)
        return;
    vsnprintf(out + n, KITH_ERROR_MSG_MAX - n, fmt, ap);
}

static bool key_before(const struct err_key *a, const struct err_key *b)
{
    if (a->record != b->record)
        return a->record < b->record;
    if (a->phase != b->phase)
        return a->phase < b->phase;
    if (a->order != b->order)
        return a->order < b->order;
    return a->seq < b->seq;
}

/*
 * Counts an error and returns where its text goes among the IMPORT_MAX_SHOWN first (by key),
 * moving later ones down; NULL when it is not among them.
 */
char *import_keep_error(struct importer *imp, struct err_key key)
{
    struct import_report *rep = imp->rep;
    rep->nerrors++;
    key.seq = imp->seq++;
    size_t at = rep->nshown;
    while (at > 0 && key_before(&key, &imp->shown_keys[at - 1]))
        at--;
    if (at == IMPORT_MAX_SHOWN)
        return NULL;
    size_t keep = rep->nshown < IMPORT_MAX_SHOWN ? rep->nshown : IMPORT_MAX_SHOWN - 1;
    memmove(&imp->shown_keys[at + 1], &imp->shown_keys[at], (keep - at) * sizeof(key));
    memmove(rep->shown[at + 1], rep->shown[at], (keep - at) * sizeof(rep->shown[0]));
    imp->shown_keys[at] = key;
    rep->nshown = keep + 1;
    return rep->shown[at];
}

/* Counts an error found on the calling thread, keeping its text if it is among the first. */
void import_add_error(struct importer *imp, struct err_key key, uint64_t line, size_t col,
                      const char *colname, const char *fmt, ...)
{
    char *out = import_keep_error(imp, key);
    if (!out)
        return;
    va_list ap;
    va_start(ap, fmt);
    import_format_error(out, imp->opt->name, line, col, colname, fmt, ap);
    va_end(ap);
}

/* An error in column c of the row being resolved, which will not be inserted. */
void import_cell_error(struct importer *imp, size_t c, const char *fmt, ...)
{
    imp->row_bad = true;
    char *out = import_keep_error(imp, key_of(imp->record, PHASE_CELLS, c));
    if (!out)
        return;
    va_list ap;
    va_start(ap, fmt);
    size_t where = imp->cols[c].src == SIZE_MAX ? 0 : imp->cols[c].src + 1;
    import_format_error(out, imp->opt->name, imp->line, where, imp->cols[c].name, fmt, ap);
    va_end(ap);
}
