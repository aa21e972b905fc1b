/*
 * deal_write.c - the stage rules of a deal, written once for every door that changes deals:
 * the API's resource (api/deals.c) and `kith deals add|move|win|lose|reopen` (cmd/deals_edit.c).
 * A write is checked against its stage, made to follow it (probability, outcome, closed_at) and,
 * when it moves the deal, recorded in deal_stage_changes; the verbs (move, win, lose, reopen)
 * become such a write. docs/deals.md, "Changing a deal".
 */
#include "store/store_int.h"

#include <string.h>

#include "util/banned.h"

#define DEAL_FIELDS_MAX 32 /* room for a row of deals or deal_stage_changes */

/* A stage as the rules need it. */
struct stage_row {
    bool found;
    int64_t unit_id; /* 0: a company default stage */
    double probability;
    enum store_deal_kind kind;
    char name[128];
};

static enum store_deal_kind kind_of(const char *t)
{
    if (t && strcmp(t, "won") == 0)
        return STORE_DEAL_WON;
    if (t && strcmp(t, "lost") == 0)
        return STORE_DEAL_LOST;
    return STORE_DEAL_OPEN;
}

const char *store_deal_kind_name(enum store_deal_kind k)
{
    /* The static spellings of model/tables.c, so that a value set from them needs no owner. */
    const struct field_def *f = table_field(model_table("deal_stages"), "kind", NULL);
    const char *want = k == STORE_DEAL_WON ? "won" : k == STORE_DEAL_LOST ? "lost" : "open";
    for (const char *const *v = f->enum_values; *v; v++)
        if (strcmp(*v, want) == 0)
            return *v;
    BUG("deal_stages.kind has no value %s", want);
}

static int read_stage(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct stage_row *r = ctx;
    (void)err;
    r->found = true;
    r->unit_id = sqlite3_column_int64(st, 0);
    r->probability = sqlite3_column_double(st, 1);
    r->kind = kind_of((const char *)sqlite3_column_text(st, 2));
    const char *name = (const char *)sqlite3_column_text(st, 3);
    size_t n = name ? strlen(name) : 0;
    if (n >= sizeof(r->name))
        n = sizeof(r->name) - 1;
    memcpy(r->name, name ? name : "", n);
    r->name[n] = '\0';
    return 0;
}

static int get_stage(struct store *s, int64_t id, struct stage_row *out, struct kith_error *err)
{
    struct store_value v = {.kind = SV_INT, .i = id};
    memset(out, 0, sizeof(*out));
    struct store_rows q = {.sql = "SELECT ifnull(unit_id, 0), probability, kind, name"
                                  " FROM deal_stages WHERE id = ?1",
                           .binds = &v,
                           .nbinds = 1,
                           .what = "reading a deal stage"};
    return store_each_row(s, &q, read_stage, out, NULL, err);
}

static int read_deal(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct store_deal_state *d = ctx;
    (void)err;
    d->stage_id = sqlite3_column_int64(st, 0);
    d->unit_id = sqlite3_column_int64(st, 1);
    d->kind = kind_of((const char *)sqlite3_column_text(st, 2));
    return 0;
}

int store_deal_state(struct store *s, int64_t id, struct store_deal_state *out,
                     struct kith_error *err)
{
    struct store_value v = {.kind = SV_INT, .i = id};
    size_t n = 0;
    memset(out, 0, sizeof(*out));
    struct store_rows q = {
        .sql = "SELECT d.stage_id, ifnull(d.unit_id, 0), coalesce(d.outcome, st.kind)"
               " FROM deals AS d JOIN deal_stages AS st ON st.id = d.stage_id WHERE d.id = ?1",
        .binds = &v,
        .nbinds = 1,
        .what = "reading a deal"};
    int rc = store_each_row(s, &q, read_deal, out, &n, err);
    if (rc == 0 && n == 0)
        return kith_err(err, KITH_ENOTFOUND, "no deal %lld", (long long)id);
    return rc;
}

static int read_id(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    *(int64_t *)ctx = sqlite3_column_int64(st, 0);
    return 1; /* the first row is the answer */
}

/* The first id the query yields into *id (0 when none). */
static int first_id(struct store *s, const char *sql, const struct store_value *binds, int nbinds,
                    const char *what, int64_t *id, struct kith_error *err)
{
    *id = 0;
    struct store_rows q = {.sql = sql, .binds = binds, .nbinds = nbinds, .what = what};
    int rc = store_each_row(s, &q, read_id, id, NULL, err);
    return rc < 0 ? rc : 0;
}

int store_deal_stage_find(struct store *s, int64_t unit_id, const char *name, int64_t *id,
                          struct kith_error *err)
{
    const struct store_value binds[] = {
        {.kind = SV_TEXT, .s = name, .len = strlen(name)},
        {.kind = SV_INT, .i = unit_id},
    };
    /* The unit's own stage before the company's, an exact spelling before another case. */
    int rc = first_id(s,
                      "SELECT id FROM deal_stages WHERE name = ?1 COLLATE NOCASE"
                      " AND (unit_id = ?2 OR unit_id IS NULL)"
                      " ORDER BY unit_id IS NULL, name = ?1 DESC, id",
                      binds, 2, "finding a deal stage", id, err);
    if (rc == 0 && *id == 0)
        return kith_err(err, KITH_ENOTFOUND,
                        "no deal stage '%s' serves the deal's unit (see GET /api/v1/deal-stages"
                        " or kith export deal_stages)",
                        name);
    return rc;
}

/* The first stage of kind k (by position) of the list that serves unit_id into *id. */
static int first_stage_of_kind(struct store *s, int64_t unit_id, enum store_deal_kind k,
                               int64_t *id, struct kith_error *err)
{
    const char *kind = store_deal_kind_name(k);
    const struct store_value binds[] = {
        {.kind = SV_TEXT, .s = kind, .len = strlen(kind)},
        {.kind = SV_INT, .i = unit_id},
    };
    int rc = first_id(s,
                      "SELECT id FROM deal_stages WHERE kind = ?1"
                      " AND (unit_id = ?2 OR unit_id IS NULL)"
                      " ORDER BY unit_id IS NULL, position, id",
                      binds, 2, "finding a deal stage", id, err);
    if (rc == 0 && *id == 0)
        return kith_err(err, KITH_ENOTFOUND, "no %s deal stage serves the deal's unit", kind);
    return rc;
}

int store_deal_default_stage(struct store *s, int64_t unit_id, int64_t *id, struct kith_error *err)
{
    return first_stage_of_kind(s, unit_id, STORE_DEAL_OPEN, id, err);
}

/* vals[name] = v, set. */
static void put(const struct table_def *t, struct store_value *vals, bool *set, const char *name,
                struct store_value v)
{
    size_t i;
    if (!table_field(t, name, &i))
        BUG("%s has no field %s", t->name, name);
    vals[i] = v;
    set[i] = true;
}

static size_t field_index(const struct table_def *t, const char *name)
{
    size_t i;
    if (!table_field(t, name, &i))
        BUG("%s has no field %s", t->name, name);
    return i;
}

/* The integer the write sets field name to, or dflt when it leaves it; 0 for null. */
static int64_t int_or(const struct table_def *t, const struct store_value *vals, const bool *set,
                      const char *name, int64_t dflt)
{
    size_t i = field_index(t, name);
    if (!set[i])
        return dflt;
    return vals[i].kind == SV_INT ? vals[i].i : 0;
}

static int record_move(struct store *s, int64_t id, int64_t from, int64_t to, int64_t user_id,
                       int64_t now_ms, struct kith_error *err)
{
    const struct table_def *t = model_table("deal_stage_changes");
    struct store_value vals[DEAL_FIELDS_MAX];
    bool set[DEAL_FIELDS_MAX];
    if (t->nfields > DEAL_FIELDS_MAX)
        BUG("deal_stage_changes has %zu fields", t->nfields);
    for (size_t i = 0; i < t->nfields; i++)
        vals[i] = (struct store_value){.kind = SV_NULL};
    const struct store_value null = {.kind = SV_NULL};
    put(t, vals, set, "deal_id", (struct store_value){.kind = SV_INT, .i = id});
    put(t, vals, set, "from_stage_id",
        from > 0 ? (struct store_value){.kind = SV_INT, .i = from} : null);
    put(t, vals, set, "to_stage_id", (struct store_value){.kind = SV_INT, .i = to});
    put(t, vals, set, "user_id",
        user_id > 0 ? (struct store_value){.kind = SV_INT, .i = user_id} : null);
    put(t, vals, set, "changed_at", (struct store_value){.kind = SV_INT, .i = now_ms});
    return store_insert(s, t, vals, NULL, err);
}

int store_deal_stage_rules(struct store *s, int64_t id, struct store_value *vals, bool *set,
                           int64_t user_id, int64_t now_ms, const char **field,
                           struct kith_error *err)
{
    const struct table_def *t = model_table("deals");
    struct store_deal_state now = {0};
    struct stage_row stage;
    int rc;
    *field = NULL;
    if (id > 0 && (rc = store_deal_state(s, id, &now, err)) < 0)
        return rc;
    int64_t stage_id = int_or(t, vals, set, "stage_id", now.stage_id);
    if (stage_id <= 0)
        return 0; /* a missing stage is the required-field check's */
    if ((rc = get_stage(s, stage_id, &stage, err)) < 0)
        return rc;
    if (!stage.found)
        return 0; /* the reference check names stage_id */
    int64_t unit_id = int_or(t, vals, set, "unit_id", now.unit_id);
    if (stage.unit_id > 0 && stage.unit_id != unit_id) {
        *field = "stage_id";
        return kith_err(err, KITH_EINVAL,
                        "stage %lld (%s) belongs to unit %lld, not to the deal's unit",
                        (long long)stage_id, stage.name, (long long)stage.unit_id);
    }
    const char *kind = store_deal_kind_name(stage.kind);
    size_t out = field_index(t, "outcome"), reason = field_index(t, "loss_reason");
    bool moves = id == 0 || stage_id != now.stage_id;
    if (moves) {
        if (!set[field_index(t, "probability")])
            put(t, vals, set, "probability",
                (struct store_value){.kind = SV_REAL, .r = stage.probability});
        if (!set[out])
            put(t, vals, set, "outcome",
                (struct store_value){.kind = SV_TEXT, .s = kind, .len = strlen(kind)});
        if (!set[field_index(t, "closed_at")]) {
            if (stage.kind != STORE_DEAL_OPEN)
                put(t, vals, set, "closed_at", (struct store_value){.kind = SV_INT, .i = now_ms});
            else if (id > 0)
                put(t, vals, set, "closed_at",
                    (struct store_value){.kind = SV_NULL}); /* reopened */
        }
        if (!set[reason] && stage.kind != STORE_DEAL_LOST && id > 0)
            put(t, vals, set, "loss_reason", (struct store_value){.kind = SV_NULL});
    }
    if (set[out] && vals[out].kind == SV_TEXT &&
        (vals[out].len != strlen(kind) || memcmp(vals[out].s, kind, vals[out].len) != 0)) {
        *field = "outcome";
        return kith_err(err, KITH_EINVAL,
                        "the deal's stage %s is %s; move it to a won or lost stage (or an open"
                        " one to reopen it) with stage_id",
                        stage.name, kind);
    }
    if (set[out] && vals[out].kind != SV_TEXT) /* null: the stage's kind */
        put(t, vals, set, "outcome",
            (struct store_value){.kind = SV_TEXT, .s = kind, .len = strlen(kind)});
    if (set[reason] && vals[reason].kind == SV_TEXT && vals[reason].len > 0 &&
        stage.kind != STORE_DEAL_LOST) {
        *field = "loss_reason";
        return kith_err(err, KITH_EINVAL,
                        "only a lost deal has a loss reason; the deal's stage %s is %s", stage.name,
                        kind);
    }
    if (moves && id > 0 && (rc = record_move(s, id, now.stage_id, stage_id, user_id, now_ms, err)))
        return rc;
    return 0;
}

int store_deal_created(struct store *s, int64_t id, int64_t user_id, struct kith_error *err)
{
    if (user_id <= 0)
        return 0;
    const struct store_value binds[] = {{.kind = SV_INT, .i = user_id}, {.kind = SV_INT, .i = id}};
    struct store_rows q = {.sql = "UPDATE deal_stage_changes SET user_id = ?1"
                                  " WHERE deal_id = ?2 AND from_stage_id IS NULL"
                                  " AND user_id IS NULL",
                           .binds = binds,
                           .nbinds = 2,
                           .what = "recording who created a deal"};
    int rc = store_each_row(s, &q, read_id, NULL, NULL, err);
    return rc < 0 ? rc : 0;
}

static const char *with_article(enum store_deal_kind k)
{
    return k == STORE_DEAL_OPEN ? "an open" : k == STORE_DEAL_WON ? "a won" : "a lost";
}

static const char *const verb_names[] = {
    [STORE_DEAL_MOVE] = "move",
    [STORE_DEAL_WIN] = "win",
    [STORE_DEAL_LOSE] = "lose",
    [STORE_DEAL_REOPEN] = "reopen",
};

/* The stage a verb takes the deal to when none is named. */
static int verb_default_stage(struct store *s, int64_t id, const struct store_deal_state *now,
                              enum store_deal_verb verb, int64_t *stage_id, struct kith_error *err)
{
    switch (verb) {
    case STORE_DEAL_WIN:
        return first_stage_of_kind(s, now->unit_id, STORE_DEAL_WON, stage_id, err);
    case STORE_DEAL_LOSE:
        return first_stage_of_kind(s, now->unit_id, STORE_DEAL_LOST, stage_id, err);
    case STORE_DEAL_REOPEN: {
        /* The open stage it last left, if that still serves its unit; else the first one. */
        const struct store_value binds[] = {{.kind = SV_INT, .i = id},
                                            {.kind = SV_INT, .i = now->unit_id}};
        int rc = first_id(s,
                          "SELECT c.from_stage_id FROM deal_stage_changes AS c"
                          " JOIN deal_stages AS st ON st.id = c.from_stage_id"
                          " WHERE c.deal_id = ?1 AND st.kind = 'open'"
                          " AND (st.unit_id = ?2 OR st.unit_id IS NULL)"
                          " ORDER BY c.changed_at DESC, c.id DESC",
                          binds, 2, "reading a deal's history", stage_id, err);
        if (rc < 0 || *stage_id > 0)
            return rc;
        return first_stage_of_kind(s, now->unit_id, STORE_DEAL_OPEN, stage_id, err);
    }
    case STORE_DEAL_MOVE:
        break;
    }
    return kith_err(err, KITH_EINVAL, "move needs the stage to move the deal to");
}

int store_deal_verb(struct store *s, int64_t id, const struct store_deal_change *c,
                    struct store_value *vals, bool *set, const char **field, struct kith_error *err)
{
    const struct table_def *t = model_table("deals");
    struct store_deal_state now;
    struct stage_row stage;
    const char *verb = verb_names[c->verb];
    int64_t stage_id = c->stage_id;
    int rc;
    *field = NULL;
    if ((rc = store_deal_state(s, id, &now, err)) < 0)
        return rc;
    const char *is = store_deal_kind_name(now.kind);
    switch (c->verb) {
    case STORE_DEAL_MOVE:
        if (now.kind != STORE_DEAL_OPEN) {
            *field = "stage_id";
            return kith_err(err, KITH_EINVAL,
                            "deal %lld is %s: reopen it before moving it to another stage",
                            (long long)id, is);
        }
        break;
    case STORE_DEAL_WIN:
    case STORE_DEAL_LOSE:
        if (now.kind != STORE_DEAL_OPEN) {
            *field = "stage_id";
            return kith_err(err, KITH_EINVAL, "deal %lld is %s already%s", (long long)id, is,
                            (now.kind == STORE_DEAL_WON) == (c->verb == STORE_DEAL_WIN)
                                ? ""
                                : "; reopen it first to change its outcome");
        }
        break;
    case STORE_DEAL_REOPEN:
        if (now.kind == STORE_DEAL_OPEN) {
            *field = "stage_id";
            return kith_err(err, KITH_EINVAL,
                            "deal %lld is open; only a won or lost deal is"
                            " reopened",
                            (long long)id);
        }
        break;
    }
    if (c->verb == STORE_DEAL_LOSE) {
        size_t n = c->loss_reason ? strlen(c->loss_reason) : 0;
        while (n > 0 && (c->loss_reason[n - 1] == ' ' || c->loss_reason[n - 1] == '\t'))
            n--;
        if (n == 0) {
            *field = "loss_reason";
            return kith_err(err, KITH_EINVAL,
                            "a lost deal needs a loss reason (why it was lost: price, timing,"
                            " a competitor, ...)");
        }
    }
    if (stage_id <= 0 && (rc = verb_default_stage(s, id, &now, c->verb, &stage_id, err)) < 0)
        return rc;
    if ((rc = get_stage(s, stage_id, &stage, err)) < 0)
        return rc;
    if (!stage.found) {
        *field = "stage_id";
        return kith_err(err, KITH_ENOTFOUND, "no deal stage %lld", (long long)stage_id);
    }
    static const enum store_deal_kind wants[] = {
        [STORE_DEAL_MOVE] = STORE_DEAL_OPEN,
        [STORE_DEAL_WIN] = STORE_DEAL_WON,
        [STORE_DEAL_LOSE] = STORE_DEAL_LOST,
        [STORE_DEAL_REOPEN] = STORE_DEAL_OPEN,
    };
    if (stage.kind != wants[c->verb]) {
        *field = "stage_id";
        return kith_err(err, KITH_EINVAL, "stage %s is %s stage; %s takes a deal to %s stage%s",
                        stage.name, with_article(stage.kind), verb, with_article(wants[c->verb]),
                        c->verb == STORE_DEAL_MOVE ? " (win or lose close a deal)" : "");
    }
    if (c->verb == STORE_DEAL_MOVE && stage_id == now.stage_id) {
        *field = "stage_id";
        return kith_err(err, KITH_EINVAL, "deal %lld is in stage %s already", (long long)id,
                        stage.name);
    }
    put(t, vals, set, "stage_id", (struct store_value){.kind = SV_INT, .i = stage_id});
    if (c->verb == STORE_DEAL_LOSE)
        put(t, vals, set, "loss_reason",
            (struct store_value){
                .kind = SV_TEXT, .s = c->loss_reason, .len = strlen(c->loss_reason)});
    return 0;
}
