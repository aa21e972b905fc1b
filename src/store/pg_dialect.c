/*
 * pg_dialect.c - SQLite's spelling of the store's SQL into PostgreSQL's (rules in pg_dialect.h
 * and docs/storage.md). The text is cut into tokens (words, numbers, string literals, quoted
 * names, placeholders, punctuation, spaces and comments), so that nothing inside a literal or a
 * comment is ever rewritten; the rules then look at words and their neighbours.
 */
#include "store/pg_dialect.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

#include "util/banned.h"

enum tok_kind { T_SPACE, T_WORD, T_NUM, T_STR, T_QID, T_PARAM, T_PUNCT };

struct tok {
    enum tok_kind kind;
    const char *p;
    size_t n;
};

struct toks {
    struct tok *t;
    size_t n, cap;
};

#define TOKS_MAX 100000

static bool is_word_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Cuts sql[0..len) into tokens; KITH_EINVAL for an unterminated literal or comment. */
static int tokenize(const char *sql, size_t len, struct toks *out, struct kith_error *err)
{
    size_t i = 0;
    out->n = 0;
    while (i < len) {
        struct tok t = {.p = sql + i};
        char c = sql[i];
        size_t j = i + 1;
        if (isspace((unsigned char)c)) {
            t.kind = T_SPACE;
            while (j < len && isspace((unsigned char)sql[j]))
                j++;
        } else if (c == '-' && j < len && sql[j] == '-') {
            t.kind = T_SPACE;
            while (j < len && sql[j] != '\n')
                j++;
        } else if (c == '/' && j < len && sql[j] == '*') {
            t.kind = T_SPACE;
            const char *end = NULL;
            for (size_t k = j + 1; k + 1 < len; k++)
                if (sql[k] == '*' && sql[k + 1] == '/') {
                    end = sql + k + 2;
                    break;
                }
            if (!end)
                return kith_err(err, KITH_EINVAL, "SQL: a comment is not closed");
            j = (size_t)(end - sql);
        } else if (c == '\'' || c == '"') {
            t.kind = c == '\'' ? T_STR : T_QID;
            for (;;) {
                if (j >= len)
                    return kith_err(err, KITH_EINVAL, "SQL: a quoted text is not closed");
                if (sql[j] == c) {
                    if (j + 1 < len && sql[j + 1] == c) { /* '' inside a literal */
                        j += 2;
                        continue;
                    }
                    j++;
                    break;
                }
                j++;
            }
        } else if (c == '?') {
            t.kind = T_PARAM;
            while (j < len && isdigit((unsigned char)sql[j]))
                j++;
        } else if (is_word_start(c)) {
            t.kind = T_WORD;
            while (j < len && is_word_char(sql[j]))
                j++;
        } else if (isdigit((unsigned char)c)) {
            t.kind = T_NUM;
            while (j < len && (isalnum((unsigned char)sql[j]) || sql[j] == '.'))
                j++;
        } else {
            t.kind = T_PUNCT;
        }
        t.n = j - i;
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 256;
            if (cap > TOKS_MAX)
                return kith_err(err, KITH_ERANGE, "SQL: more than %d tokens", TOKS_MAX);
            struct tok *nt = realloc(out->t, cap * sizeof(*nt));
            if (!nt)
                return kith_err(err, KITH_ENOMEM, "out of memory translating SQL");
            out->t = nt;
            out->cap = cap;
        }
        out->t[out->n++] = t;
        i = j;
    }
    return 0;
}

static bool tok_is(const struct tok *t, const char *word)
{
    return t->kind == T_WORD && strlen(word) == t->n && strncasecmp(t->p, word, t->n) == 0;
}

static bool tok_punct(const struct tok *t, char c)
{
    return t->kind == T_PUNCT && t->p[0] == c;
}

/* The index of the next token after i that is not a space, or n. */
static size_t next_sig(const struct toks *ts, size_t i)
{
    for (i++; i < ts->n && ts->t[i].kind == T_SPACE; i++)
        ;
    return i;
}

static size_t first_sig(const struct toks *ts)
{
    size_t i = 0;
    while (i < ts->n && ts->t[i].kind == T_SPACE)
        i++;
    return i;
}

/* The previous token before i that is not a space, or (size_t)-1. */
static size_t prev_sig(const struct toks *ts, size_t i)
{
    while (i-- > 0)
        if (ts->t[i].kind != T_SPACE)
            return i;
    return (size_t)-1;
}

static bool sig_is(const struct toks *ts, size_t i, const char *word)
{
    return i < ts->n && tok_is(&ts->t[i], word);
}

/* The number of arguments of the call whose '(' is at open (top-level commas + 1). */
static int call_args(const struct toks *ts, size_t open)
{
    int depth = 0, args = 1;
    bool any = false;
    for (size_t i = open; i < ts->n; i++) {
        const struct tok *t = &ts->t[i];
        if (tok_punct(t, '('))
            depth++;
        else if (tok_punct(t, ')') && --depth == 0)
            break;
        else if (depth == 1 && tok_punct(t, ','))
            args++;
        else if (depth == 1 && t->kind != T_SPACE)
            any = true;
    }
    return any ? args : 0;
}

/* ---- the translation of one statement ---- */

/* Tables partitioned on PostgreSQL; their unique keys and the references to them go to
 * <table>_keys (migrations_pg.c makes it). */
static const char *const partitioned[] = {"interactions"};

static bool is_partitioned(const struct tok *t)
{
    for (size_t i = 0; i < sizeof(partitioned) / sizeof(partitioned[0]); i++)
        if (tok_is(t, partitioned[i]))
            return true;
    return false;
}

struct xlate {
    const struct toks *ts;
    struct buf *out;
    bool schema;     /* the schema rules apply (CREATE TABLE, ALTER TABLE, CREATE INDEX) */
    bool table_def;  /* a CREATE TABLE or ALTER TABLE: COLLATE NOCASE makes a CITEXT column */
    bool unique_idx; /* a CREATE UNIQUE INDEX */
    int next_param;  /* the number a bare ? takes */
    int nparams;
    size_t conflict_at;  /* INSERT OR IGNORE: where ON CONFLICT DO NOTHING goes, or 0 */
    unsigned char *mark; /* per token: MARK_* of a comparison COLLATE NOCASE (mark_nocase) */
    struct kith_error *err;
};

static int put(struct xlate *x, const char *s, size_t n)
{
    int rc = buf_add(x->out, s, n);
    return rc < 0 ? kith_err(x->err, rc, "SQL: the translation is longer than %u bytes", PG_SQL_MAX)
                  : 0;
}

static int puts_(struct xlate *x, const char *s)
{
    return put(x, s, strlen(s));
}

static int put_tok(struct xlate *x, const struct tok *t)
{
    return put(x, t->p, t->n);
}

enum {
    MARK_LOWER_OPEN = 1,  /* "lower(" goes before the token */
    MARK_LOWER_CLOSE = 2, /* ")" goes after it */
    MARK_DROP = 4,        /* the token is left out */
};

/*
 * SQLite's `x = ?1 COLLATE NOCASE` compares without regard to (ASCII) case: marks the tokens so
 * that it becomes `lower(x) = lower($1)`. The right operand is a placeholder or a literal, the
 * left a name or a qualified name; the operator =, <>, !=, <, <=, >, >=.
 */
static void mark_nocase(const struct toks *ts, unsigned char *mark)
{
    for (size_t i = 0; i < ts->n; i++) {
        size_t nocase = next_sig(ts, i);
        if (!tok_is(&ts->t[i], "COLLATE") || !sig_is(ts, nocase, "NOCASE"))
            continue;
        size_t rhs = prev_sig(ts, i);
        if (rhs == (size_t)-1 || (ts->t[rhs].kind != T_PARAM && ts->t[rhs].kind != T_STR))
            continue;
        size_t op = prev_sig(ts, rhs), op_start = op;
        while (op_start != (size_t)-1 && ts->t[op_start].kind == T_PUNCT &&
               strchr("=<>!", ts->t[op_start].p[0]))
            op_start = op_start == 0 ? (size_t)-1 : op_start - 1;
        if (op == (size_t)-1 || op_start == op)
            continue; /* no operator */
        size_t lhs_end = prev_sig(ts, op_start + 1);
        if (lhs_end == (size_t)-1 || ts->t[lhs_end].kind != T_WORD)
            continue;
        size_t lhs = lhs_end, dot = prev_sig(ts, lhs_end);
        if (dot != (size_t)-1 && tok_punct(&ts->t[dot], '.')) {
            size_t q = prev_sig(ts, dot);
            if (q != (size_t)-1 && ts->t[q].kind == T_WORD)
                lhs = q;
        }
        mark[lhs] |= MARK_LOWER_OPEN;
        mark[lhs_end] |= MARK_LOWER_CLOSE;
        mark[rhs] |= MARK_LOWER_OPEN | MARK_LOWER_CLOSE;
        for (size_t k = rhs + 1; k <= nocase; k++)
            mark[k] |= MARK_DROP;
    }
}

/* Emits tokens [from, to) with the rules; 0 or a negative code. */
static int emit(struct xlate *x, size_t from, size_t to);

/* A CREATE TRIGGER statement as a PL/pgSQL function and a trigger on it. */
static int emit_trigger(struct xlate *x);

static int emit_word(struct xlate *x, size_t *pi, size_t to)
{
    const struct toks *ts = x->ts;
    size_t i = *pi;
    const struct tok *t = &ts->t[i];
    size_t nx = next_sig(ts, i);
    if (tok_is(t, "ifnull") && nx < to && tok_punct(&ts->t[nx], '('))
        return puts_(x, "coalesce");
    if ((tok_is(t, "max") || tok_is(t, "min")) && nx < to && tok_punct(&ts->t[nx], '(') &&
        call_args(ts, nx) >= 2)
        return puts_(x, tok_is(t, "max") ? "greatest" : "least");
    if (tok_is(t, "julianday") && nx < to && tok_punct(&ts->t[nx], '(')) {
        size_t arg = next_sig(ts, nx), end = next_sig(ts, arg);
        if (arg < to && ts->t[arg].kind == T_STR && ts->t[arg].n == 5 &&
            strncasecmp(ts->t[arg].p, "'now'", 5) == 0 && end < to && tok_punct(&ts->t[end], ')')) {
            *pi = end;
            return puts_(x, "(extract(epoch FROM statement_timestamp()) / 86400.0 + 2440587.5)");
        }
        return kith_err(x->err, KITH_EINVAL,
                        "SQL: julianday() has a PostgreSQL spelling only for 'now'");
    }
    if (tok_is(t, "IS") && nx < to) {
        /* SQLite's IS compares values with NULL equal to NULL: IS [NOT] DISTINCT FROM */
        size_t after = nx;
        bool negated = sig_is(ts, nx, "NOT");
        if (negated)
            after = next_sig(ts, nx);
        if (after < to && !sig_is(ts, after, "NULL") && !sig_is(ts, after, "TRUE") &&
            !sig_is(ts, after, "FALSE") && !sig_is(ts, after, "DISTINCT")) {
            *pi = negated ? nx : i;
            return puts_(x, negated ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM");
        }
        return put_tok(x, t);
    }
    if (tok_is(t, "INSERT") && sig_is(ts, nx, "OR")) {
        size_t what = next_sig(ts, nx);
        if (sig_is(ts, what, "IGNORE")) {
            /* ON CONFLICT DO NOTHING goes at the end, or before a top-level RETURNING */
            x->conflict_at = to;
            int depth = 0;
            for (size_t k = what; k < to; k++) {
                if (tok_punct(&ts->t[k], '('))
                    depth++;
                else if (tok_punct(&ts->t[k], ')'))
                    depth--;
                else if (depth == 0 && tok_is(&ts->t[k], "RETURNING")) {
                    x->conflict_at = k;
                    break;
                }
            }
            *pi = what;
            return puts_(x, "INSERT");
        }
        return kith_err(x->err, KITH_EINVAL,
                        "SQL: INSERT OR %.*s has no PostgreSQL spelling; write INSERT ... ON"
                        " CONFLICT (columns) DO UPDATE",
                        (int)ts->t[what].n, ts->t[what].p);
    }
    if (tok_is(t, "INTEGER")) {
        if (x->schema && sig_is(ts, nx, "PRIMARY") && sig_is(ts, next_sig(ts, nx), "KEY")) {
            /* the rowid alias: an identity, unless the key is another table's row */
            bool references = false;
            for (size_t k = nx; k < to && !tok_punct(&ts->t[k], ',') && !tok_punct(&ts->t[k], ')');
                 k++)
                if (tok_is(&ts->t[k], "REFERENCES"))
                    references = true;
            return puts_(x, references ? "BIGINT" : "BIGINT GENERATED BY DEFAULT AS IDENTITY");
        }
        return puts_(x, "BIGINT");
    }
    if (tok_is(t, "LIKE")) /* SQLite's LIKE ignores (ASCII) case */
        return puts_(x, "ILIKE");
    if (tok_is(t, "REAL"))
        return puts_(x, "DOUBLE PRECISION");
    if (tok_is(t, "BLOB"))
        return puts_(x, "BYTEA");
    if (tok_is(t, "AUTOINCREMENT") && x->schema)
        return 0;
    if (tok_is(t, "TEXT") && x->table_def) {
        /* a column declared COLLATE NOCASE compares without case: CITEXT */
        int depth = 0;
        for (size_t k = nx; k < to; k++) {
            const struct tok *u = &ts->t[k];
            if (tok_punct(u, '('))
                depth++;
            else if (tok_punct(u, ')') && depth-- == 0)
                break;
            else if (depth == 0 && tok_punct(u, ','))
                break;
            else if (tok_is(u, "COLLATE") && sig_is(ts, next_sig(ts, k), "NOCASE"))
                return puts_(x, "CITEXT");
        }
        return put_tok(x, t);
    }
    if (tok_is(t, "COLLATE") && sig_is(ts, nx, "NOCASE")) {
        if (x->table_def) { /* the column became CITEXT */
            *pi = nx;
            return 0;
        }
        return kith_err(x->err, KITH_EINVAL,
                        "SQL: COLLATE NOCASE after something that is not a"
                        " column name");
    }
    if (tok_is(t, "REFERENCES") && nx < to && is_partitioned(&ts->t[nx])) {
        int rc = put_tok(x, t);
        if (rc == 0)
            rc = put(x, " ", 1);
        if (rc == 0)
            rc = put_tok(x, &ts->t[nx]);
        *pi = nx;
        return rc < 0 ? rc : puts_(x, "_keys");
    }
    if (x->unique_idx && tok_is(t, "ON") && nx < to && is_partitioned(&ts->t[nx])) {
        int rc = puts_(x, "ON ");
        if (rc == 0)
            rc = put_tok(x, &ts->t[nx]);
        *pi = nx;
        return rc < 0 ? rc : puts_(x, "_keys");
    }
    /* x COLLATE NOCASE (an index, an ORDER BY): lower(x), x a name or qualified name */
    if (!x->table_def && nx < to && tok_is(&ts->t[nx], "COLLATE") &&
        sig_is(ts, next_sig(ts, nx), "NOCASE")) {
        int rc = puts_(x, "lower(");
        if (rc == 0)
            rc = put_tok(x, t);
        *pi = next_sig(ts, nx);
        return rc < 0 ? rc : puts_(x, ")");
    }
    if (!x->table_def && nx < to && tok_punct(&ts->t[nx], '.')) { /* t.col COLLATE NOCASE */
        size_t col = next_sig(ts, nx), coll = next_sig(ts, col);
        if (col < to && ts->t[col].kind == T_WORD && sig_is(ts, coll, "COLLATE") &&
            sig_is(ts, next_sig(ts, coll), "NOCASE")) {
            int rc = puts_(x, "lower(");
            if (rc == 0)
                rc = put_tok(x, t);
            if (rc == 0)
                rc = put(x, ".", 1);
            if (rc == 0)
                rc = put_tok(x, &ts->t[col]);
            *pi = next_sig(ts, coll);
            return rc < 0 ? rc : puts_(x, ")");
        }
    }
    return put_tok(x, t);
}

/* A placeholder ?N or ? as $N. */
static int emit_param(struct xlate *x, const struct tok *t)
{
    int n;
    if (t->n > 1) {
        long v = strtol(t->p + 1, NULL, 10);
        if (v < 1 || v > 32766)
            return kith_err(x->err, KITH_EINVAL, "SQL: placeholder %.*s out of range", (int)t->n,
                            t->p);
        n = (int)v;
    } else {
        n = x->next_param;
    }
    if (n >= x->next_param)
        x->next_param = n + 1;
    if (n > x->nparams)
        x->nparams = n;
    char num[16];
    int len = snprintf(num, sizeof(num), "$%d", n);
    return put(x, num, (size_t)len);
}

static int emit(struct xlate *x, size_t from, size_t to)
{
    const struct toks *ts = x->ts;
    for (size_t i = from; i < to; i++) {
        const struct tok *t = &ts->t[i];
        int rc = 0;
        if (x->conflict_at && i == x->conflict_at) {
            if ((rc = puts_(x, " ON CONFLICT DO NOTHING ")) < 0)
                return rc;
            x->conflict_at = 0;
        }
        unsigned char m = x->mark ? x->mark[i] : 0;
        if (m & MARK_DROP)
            continue;
        if ((m & MARK_LOWER_OPEN) && (rc = puts_(x, "lower(")) < 0)
            return rc;
        if (m) { /* a marked token is a name, a placeholder or a literal: no other rule */
            if (t->kind == T_PARAM)
                rc = emit_param(x, t);
            else
                rc = put_tok(x, t);
            if (rc == 0 && (m & MARK_LOWER_CLOSE))
                rc = puts_(x, ")");
            if (rc < 0)
                return rc;
            continue;
        }
        if (t->kind == T_PARAM) {
            rc = emit_param(x, t);
        } else if (t->kind == T_WORD) {
            rc = emit_word(x, &i, to);
        } else {
            rc = put_tok(x, t);
        }
        if (rc < 0)
            return rc;
    }
    if (x->conflict_at == to) {
        x->conflict_at = 0;
        return puts_(x, " ON CONFLICT DO NOTHING");
    }
    return 0;
}

/* translate() with the per-token marks allocated (its second half). */
static int translate_marked(struct xlate *xp, const struct toks *ts, bool schema_rules, size_t a,
                            size_t b, size_t c, unsigned char *mark);

/* Translates ts (one statement) into out. */
static int translate(const struct toks *ts, bool schema_rules, struct buf *out,
                     struct kith_error *err)
{
    struct xlate x = {.ts = ts, .out = out, .next_param = 1, .err = err};
    size_t a = first_sig(ts), b = next_sig(ts, a), c = next_sig(ts, b);
    unsigned char marks[256];
    unsigned char *mark = ts->n <= sizeof(marks) ? marks : calloc(ts->n, 1);
    if (!mark)
        return kith_err(err, KITH_ENOMEM, "out of memory translating SQL");
    memset(mark, 0, ts->n <= sizeof(marks) ? sizeof(marks) : 0);
    int rc = translate_marked(&x, ts, schema_rules, a, b, c, mark);
    if (mark != marks)
        free(mark);
    return rc;
}

static int translate_marked(struct xlate *xp, const struct toks *ts, bool schema_rules, size_t a,
                            size_t b, size_t c, unsigned char *mark)
{
    struct xlate x = *xp;
    if (schema_rules) {
        x.schema = true;
        x.table_def = (sig_is(ts, a, "CREATE") && sig_is(ts, b, "TABLE")) ||
                      (sig_is(ts, a, "ALTER") && sig_is(ts, b, "TABLE"));
        x.unique_idx = sig_is(ts, a, "CREATE") && sig_is(ts, b, "UNIQUE") && sig_is(ts, c, "INDEX");
        if (sig_is(ts, a, "CREATE") &&
            (sig_is(ts, b, "TRIGGER") || (sig_is(ts, b, "TEMP") && sig_is(ts, c, "TRIGGER"))))
            return emit_trigger(&x);
    }
    if (!x.table_def) {
        mark_nocase(ts, mark);
        x.mark = mark;
    }
    return emit(&x, 0, ts->n);
}

/* ---- triggers ---- */

/* Emits one statement of a trigger's body [from, to) as PL/pgSQL. */
static int emit_trigger_statement(struct xlate *x, size_t from, size_t to)
{
    const struct toks *ts = x->ts;
    size_t s = from;
    while (s < to && ts->t[s].kind == T_SPACE)
        s++;
    if (s >= to)
        return 0;
    size_t r = next_sig(ts, s);
    if (tok_is(&ts->t[s], "SELECT") && r < to && tok_is(&ts->t[r], "RAISE")) {
        /* SELECT RAISE(ABORT, 'message') [WHERE condition] */
        size_t open = next_sig(ts, r), kind = next_sig(ts, open), comma = next_sig(ts, kind);
        size_t msg = next_sig(ts, comma), close = next_sig(ts, msg);
        if (!(open < to && tok_punct(&ts->t[open], '(') &&
              (sig_is(ts, kind, "ABORT") || sig_is(ts, kind, "FAIL") ||
               sig_is(ts, kind, "ROLLBACK")) &&
              tok_punct(&ts->t[comma], ',') && ts->t[msg].kind == T_STR &&
              tok_punct(&ts->t[close], ')')))
            return kith_err(x->err, KITH_EINVAL,
                            "SQL: a trigger's RAISE has a PostgreSQL spelling only as"
                            " SELECT RAISE(ABORT, 'message') [WHERE condition]");
        size_t where = next_sig(ts, close);
        int rc = 0;
        bool cond = where < to && tok_is(&ts->t[where], "WHERE");
        if (where < to && !cond)
            return kith_err(x->err, KITH_EINVAL,
                            "SQL: a trigger's SELECT RAISE(...) may only be followed by WHERE");
        if (cond) {
            if ((rc = puts_(x, " IF")) < 0 || (rc = emit(x, where + 1, to)) < 0 ||
                (rc = puts_(x, " THEN")) < 0)
                return rc;
        }
        if ((rc = puts_(x, " RAISE EXCEPTION USING MESSAGE = ")) < 0 ||
            (rc = put_tok(x, &ts->t[msg])) < 0 || (rc = puts_(x, ";")) < 0)
            return rc;
        return cond ? puts_(x, " END IF;") : 0;
    }
    int rc = emit(x, from, to);
    return rc < 0 ? rc : puts_(x, ";");
}

static int emit_trigger(struct xlate *x)
{
    const struct toks *ts = x->ts;
    size_t i = next_sig(ts, first_sig(ts)); /* TRIGGER */
    if (sig_is(ts, i, "TEMP"))
        return kith_err(x->err, KITH_EINVAL, "SQL: a TEMP trigger has no PostgreSQL spelling");
    size_t name = next_sig(ts, i);
    if (sig_is(ts, name, "IF")) /* IF NOT EXISTS */
        name = next_sig(ts, next_sig(ts, next_sig(ts, name)));
    size_t timing = next_sig(ts, name);
    if (name >= ts->n || ts->t[name].kind != T_WORD ||
        !(sig_is(ts, timing, "BEFORE") || sig_is(ts, timing, "AFTER")))
        return kith_err(x->err, KITH_EINVAL,
                        "SQL: a trigger needs a name and BEFORE or AFTER (INSTEAD OF has no"
                        " translation)");
    size_t event = next_sig(ts, timing), on = event;
    while (on < ts->n && !tok_is(&ts->t[on], "ON"))
        on++;
    size_t table = next_sig(ts, on), k = next_sig(ts, table);
    if (sig_is(ts, k, "FOR")) /* FOR EACH ROW */
        k = next_sig(ts, next_sig(ts, next_sig(ts, k)));
    size_t when = ts->n, begin = k;
    if (sig_is(ts, k, "WHEN")) {
        when = k;
        int depth = 0;
        for (begin = k; begin < ts->n; begin++) {
            if (tok_punct(&ts->t[begin], '('))
                depth++;
            else if (tok_punct(&ts->t[begin], ')'))
                depth--;
            else if (depth == 0 && tok_is(&ts->t[begin], "BEGIN"))
                break;
        }
    }
    size_t end = prev_sig(ts, ts->n);
    if (!sig_is(ts, begin, "BEGIN") || end == (size_t)-1 || !tok_is(&ts->t[end], "END"))
        return kith_err(x->err, KITH_EINVAL, "SQL: a trigger's body is BEGIN ... END");
    bool before = sig_is(ts, timing, "BEFORE");
    const char *ret = !before ? "NULL" : sig_is(ts, event, "DELETE") ? "OLD" : "NEW";
    const struct tok *nm = &ts->t[name];
    int rc;
    if ((rc = puts_(x, "CREATE FUNCTION ")) < 0 || (rc = put_tok(x, nm)) < 0 ||
        (rc = puts_(x, "_fn() RETURNS trigger LANGUAGE plpgsql AS $kith$ BEGIN")) < 0)
        return rc;
    size_t stmt = begin + 1;
    for (size_t j = begin + 1; j <= end; j++) {
        if (j == end || tok_punct(&ts->t[j], ';')) {
            if ((rc = emit_trigger_statement(x, stmt, j)) < 0)
                return rc;
            stmt = j + 1;
        }
    }
    if ((rc = puts_(x, " RETURN ")) < 0 || (rc = puts_(x, ret)) < 0 ||
        (rc = puts_(x, "; END $kith$;\nCREATE TRIGGER ")) < 0 || (rc = put_tok(x, nm)) < 0 ||
        (rc = puts_(x, " ")) < 0 || (rc = emit(x, timing, on)) < 0 || (rc = puts_(x, "ON ")) < 0 ||
        (rc = put_tok(x, &ts->t[table])) < 0 || (rc = puts_(x, " FOR EACH ROW")) < 0)
        return rc;
    if (when < ts->n) {
        if ((rc = puts_(x, " WHEN (")) < 0 || (rc = emit(x, when + 1, begin)) < 0 ||
            (rc = puts_(x, ")")) < 0)
            return rc;
    }
    if ((rc = puts_(x, " EXECUTE FUNCTION ")) < 0 || (rc = put_tok(x, nm)) < 0)
        return rc;
    return puts_(x, "_fn()");
}

/* ---- the entry points ---- */

static int translate_text(const char *sql, size_t len, bool schema_rules, char **out, int *nparams,
                          struct kith_error *err)
{
    *out = NULL;
    struct toks ts = {0};
    struct buf b;
    buf_init(&b, PG_SQL_MAX);
    int rc = tokenize(sql, len, &ts, err);
    if (rc == 0)
        rc = translate(&ts, schema_rules, &b, err);
    if (rc == 0 && nparams) {
        /* the highest placeholder, counted again on the tokens (translate's own count is in
         * its struct): ?N or the position of a bare ? */
        int next = 1, max = 0;
        for (size_t i = 0; i < ts.n; i++) {
            if (ts.t[i].kind != T_PARAM)
                continue;
            int n = ts.t[i].n > 1 ? (int)strtol(ts.t[i].p + 1, NULL, 10) : next;
            if (n >= next)
                next = n + 1;
            if (n > max)
                max = n;
        }
        *nparams = max;
    }
    free(ts.t);
    if (rc == 0) {
        *out = buf_detach(&b, NULL);
        if (!*out)
            *out = calloc(1, 1);
        if (!*out)
            rc = kith_err(err, KITH_ENOMEM, "out of memory translating SQL");
    }
    buf_release(&b);
    return rc;
}

int pg_translate_query(const char *sql, char **out, int *nparams, struct kith_error *err)
{
    return translate_text(sql, strlen(sql), false, out, nparams, err);
}

int pg_translate_schema_statement(const char *sql, size_t len, char **out, struct kith_error *err)
{
    return translate_text(sql, len, true, out, NULL, err);
}

int pg_split_statements(const char *sql, pg_statement_fn fn, void *ctx, struct kith_error *err)
{
    struct toks ts = {0};
    int rc = tokenize(sql, strlen(sql), &ts, err);
    size_t start = 0;
    int nsig = 0, cases = 0; /* significant tokens of the statement so far; open CASEs */
    bool create = false, trigger = false, in_body = false;
    for (size_t i = 0; rc == 0 && i <= ts.n; i++) {
        const struct tok *t = i < ts.n ? &ts.t[i] : NULL;
        if (t && t->kind != T_SPACE && !tok_punct(t, ';')) {
            nsig++;
            if (nsig == 1) {
                create = tok_is(t, "CREATE");
                start = i; /* spaces and comments before a statement are left out */
            } else if (create && nsig <= 3 && tok_is(t, "TRIGGER"))
                trigger = true;
            else if (trigger && !in_body && tok_is(t, "BEGIN"))
                in_body = true;
            else if (in_body && tok_is(t, "CASE"))
                cases++;
            else if (in_body && tok_is(t, "END") && cases-- == 0)
                in_body = trigger = false, cases = 0; /* the body's END */
        }
        if (t && !(tok_punct(t, ';') && !in_body))
            continue;
        /* the statement [start, i) */
        if (nsig > 0) {
            const char *p = ts.t[start].p;
            const char *e = i < ts.n ? ts.t[i].p : sql + strlen(sql);
            rc = fn(ctx, p, (size_t)(e - p), err);
        }
        start = i + 1;
        nsig = cases = 0;
        create = trigger = in_body = false;
    }
    free(ts.t);
    return rc;
}
