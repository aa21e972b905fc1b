/*
 * import_stats.c - what the dry run finds suspicious in values that pass every rule: a column of
 * years read as Unix times (1970's first day), a text column of few values where one spelling
 * appears once beside a common close one ("technolgy" beside "technology"), and an email
 * column whose values are not email addresses. The reader thread notes each converted cell; the
 * calling thread reads the notes once the reader has ended.
 */
#include "io/import_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/banned.h"

#define DAY_MS      86400000LL
#define MIN_ROWS    10 /* a column of fewer values says nothing about its spellings */
#define COMMON_ROWS 3  /* the neighbour of a lone spelling appears at least this often */

static bool mentions_email(const char *s)
{
    for (; *s; s++)
        if (strncasecmp(s, "email", 5) == 0 || strncasecmp(s, "e-mail", 6) == 0)
            return true;
    return false;
}

int import_stats_init(struct importer *imp)
{
    imp->stats = calloc(imp->ncols ? imp->ncols : 1, sizeof(*imp->stats));
    if (!imp->stats)
        return KITH_ENOMEM;
    for (size_t c = 0; c < imp->ncols; c++) {
        const struct column *col = &imp->cols[c];
        if (col->kind != COL_FIELD || col->src == SIZE_MAX)
            continue;
        const struct field_def *f = import_field(imp, col->field);
        if (f->type != FT_TEXT)
            continue;
        imp->stats[c].email_column =
            f->format != FF_EMAIL && (mentions_email(col->src_name) || mentions_email(col->name));
        imp->stats[c].enumerating = f->format == FF_NONE;
    }
    return 0;
}

static bool numeric(const char *s, size_t len)
{
    if (len && (*s == '+' || *s == '-'))
        s++, len--;
    if (!len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == ' '))
            return false;
    return true;
}

static void note_value(struct col_stats *st, const char *s, size_t len, uint64_t line)
{
    for (size_t i = 0; i < st->nvalues; i++) {
        struct stat_value *v = &st->values[i];
        if (v->len == len && memcmp(v->text, s, len) == 0) {
            v->count++;
            return;
        }
    }
    if (st->nvalues == STATS_MAX_VALUES) {
        st->enumerating = false; /* too many values for a list: free text */
        return;
    }
    if (!st->values && !(st->values = calloc(STATS_MAX_VALUES, sizeof(*st->values)))) {
        st->enumerating = false;
        return;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        st->enumerating = false;
        return;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    st->values[st->nvalues++] = (struct stat_value){copy, len, 1, line};
}

void import_note_cell(const struct importer *imp, size_t c, const char *s, size_t len,
                      uint64_t line, const struct field_value *v)
{
    struct col_stats *st = &imp->stats[c];
    const struct field_def *f = import_field(imp, imp->cols[c].field);
    if (f->type == FT_TIME && v->kind == FV_INT && v->i > -DAY_MS && v->i < DAY_MS &&
        numeric(s, len)) {
        if (st->early_times++ == 0) {
            st->early_line = line;
            utf8_excerpt(st->early_example, s, len);
        }
        return;
    }
    if (f->type != FT_TEXT || v->kind != FV_TEXT || len == 0)
        return;
    if (st->email_column) {
        st->nonempty++;
        if (!email_is_valid(s, len, NULL) && st->not_email++ == 0) {
            st->not_email_line = line;
            utf8_excerpt(st->not_email_example, s, len);
        }
    }
    if (st->enumerating)
        note_value(st, s, len, line);
}

static void warn(struct importer *imp, uint64_t line, size_t c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn(struct importer *imp, uint64_t line, size_t c, const char *fmt, ...)
{
    struct import_report *rep = imp->rep;
    if (rep->nwarnings == IMPORT_MAX_SHOWN)
        return;
    const struct column *col = &imp->cols[c];
    va_list ap;
    va_start(ap, fmt);
    import_format_error(rep->warnings[rep->nwarnings++], imp->opt->name, line,
                        col->src == SIZE_MAX ? 0 : col->src + 1, col->src_name, fmt, ap);
    va_end(ap);
}

/* The most common value within a small edit distance of a value that appears once. */
static const struct stat_value *neighbour(const struct col_stats *st, const struct stat_value *v)
{
    const struct stat_value *best = NULL;
    size_t max = v->len < 5 ? 1 : 2;
    for (size_t i = 0; i < st->nvalues; i++) {
        const struct stat_value *w = &st->values[i];
        if (w == v || w->count < COMMON_ROWS)
            continue;
        size_t d = import_edit_distance(v->text, v->len, w->text, w->len, max);
        if (d <= max && (!best || w->count > best->count))
            best = w;
    }
    return best;
}

void import_report_stats(struct importer *imp)
{
    for (size_t c = 0; c < imp->ncols; c++) {
        const struct col_stats *st = &imp->stats[c];
        const struct column *col = &imp->cols[c];
        if (st->early_times)
            warn(imp, st->early_line, c,
                 "%" PRIu64 " value%s such as '%s' read as %s within 1970-01-01, as a Unix time:"
                 " a year read as a timestamp? Give dates (2011-01-01) or leave the column out",
                 st->early_times, st->early_times == 1 ? "" : "s", st->early_example, col->name);
        if (st->not_email)
            warn(imp, st->not_email_line, c,
                 "%" PRIu64 " of %" PRIu64 " values of this email column are not email addresses"
                 " (such as '%s'); is it the right column for %s?",
                 st->not_email, st->nonempty, st->not_email_example, col->name);
        if (!st->enumerating)
            continue;
        uint64_t total = 0;
        for (size_t i = 0; i < st->nvalues; i++)
            total += st->values[i].count;
        if (total < MIN_ROWS)
            continue;
        for (size_t i = 0; i < st->nvalues; i++) {
            const struct stat_value *v = &st->values[i];
            if (v->count != 1)
                continue;
            const struct stat_value *w = neighbour(st, v);
            if (!w)
                continue;
            char a[UTF8_EXCERPT_SIZE], b[UTF8_EXCERPT_SIZE];
            utf8_excerpt(a, v->text, v->len);
            utf8_excerpt(b, w->text, w->len);
            warn(imp, v->line, c,
                 "'%s' appears once, beside '%s' (%" PRIu64 " rows): a misspelling? --map '%s=%s"
                 "|replace(%s,%s)' would correct it",
                 a, b, w->count, col->src_name, col->name, a, b);
        }
    }
}
