/*
 * deals_edit.c - kith deals add|move|win|lose|reopen: changing deals from the command line.
 * Values are read by model/validate.h as the API and import read them, and every write goes
 * through the store's stage rules (store_deal_stage_rules(), store_deal_verb()), the ones the
 * API's /api/v1/deals applies, in one transaction with its history row and an audit entry.
 * docs/deals.md, "Changing a deal".
 */
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/deals_int.h"
#include "model/validate.h"
#include "util/money.h"

#include "util/banned.h"

#define DEAL_FIELDS_MAX 32   /* room for a row of deals or deal_lines */
#define DEAL_LINES_MAX  1000 /* --line options of one add */

static const char usage_add[] =
    "usage: kith deals add --account ACCOUNT [--stage STAGE] [--name NAME] [--owner USER]\n"
    "                      [--amount AMOUNT] [--currency CUR] [--expected-close DATE]\n"
    "                      [--engaged DATE] [--source SOURCE] [--contact CONTACT]\n"
    "                      [--line PRODUCT:QTY:AMOUNT]... [--external-id ID]\n"
    "                      [--probability P] [--unit UNIT] [--team TEAM] [--reason TEXT]\n"
    "                      [--as USER] [--json] [--db PATH]\n\n"
    "Adds a deal of ACCOUNT (its id, external id or name) in STAGE (a stage's name or id; by\n"
    "default the first open stage of the list that serves the deal's unit). The deal's unit\n"
    "and team are the account's unless --unit and --team say otherwise; its owner is USER\n"
    "(id, email or name), else the --as user. Each --line adds a product (id, sku or name)\n"
    "with its quantity and amount; without --amount the deal's amount is the sum of its\n"
    "lines. A deal added in a lost stage needs --reason, why it was lost. Values are\n"
    "checked as the API checks them (docs/import-export.md, \"Ranges\").\n"
    "Prints the new deal's id (--json: the deal as GET /api/v1/deals/{id} answers it).\n";

static const char usage_move[] =
    "usage: kith deals move DEAL STAGE [--as USER] [--json] [--db PATH]\n\n"
    "Moves the open deal DEAL (its id or external id) to the open stage STAGE (name or id).\n"
    "The move is recorded in the deal's history with who made it and when. A won or lost\n"
    "deal is reopened first ('kith deals reopen'); win and lose close a deal.\n";

static const char usage_win[] =
    "usage: kith deals win DEAL [--stage STAGE] [--as USER] [--json] [--db PATH]\n\n"
    "Wins the open deal DEAL: moves it to STAGE, a won stage (default: the first won stage\n"
    "of the list that serves the deal's unit); it is closed now.\n";

static const char usage_lose[] =
    "usage: kith deals lose DEAL --reason TEXT [--stage STAGE] [--as USER] [--json]\n"
    "                       [--db PATH]\n\n"
    "Loses the open deal DEAL, which needs the reason it was lost (price, timing, a\n"
    "competitor, ...): moves it to STAGE, a lost stage (default: the first lost stage of the\n"
    "list that serves the deal's unit); it is closed now.\n";

static const char usage_reopen[] =
    "usage: kith deals reopen DEAL [--stage STAGE] [--as USER] [--json] [--db PATH]\n\n"
    "Reopens the won or lost deal DEAL: moves it back to STAGE, an open stage (default: the\n"
    "open stage it was in before it closed, else the first open stage). Its closing time\n"
    "and loss reason are cleared.\n";

static const char usage_common[] =
    "\n  --as USER   who makes the change (id, email or name of a kith user), recorded in the\n"
    "              deal's history and the audit log; default $KITH_USER, else nobody\n"
    "  --json      print the deal as GET /api/v1/deals/{id} answers it\n"
    "  --db PATH   the database (default: $KITH_DB, else ./kith.db)\n";

struct edit_opts {
    const char *db, *as, *account, *stage, *name, *owner, *amount, *currency, *expected_close,
        *engaged, *source, *contact, *external_id, *probability, *unit, *team, *reason;
    const char *lines[DEAL_LINES_MAX];
    size_t nlines;
    bool json;
    const char *pos[2]; /* DEAL, STAGE */
    size_t npos;
};

static const struct {
    const char *name;
    enum store_deal_verb verb;
    const char *usage;
} verbs[] = {
    {"move", STORE_DEAL_MOVE, usage_move},
    {"win", STORE_DEAL_WIN, usage_win},
    {"lose", STORE_DEAL_LOSE, usage_lose},
    {"reopen", STORE_DEAL_REOPEN, usage_reopen},
};

bool cmd_deals_is_verb(const char *name)
{
    if (strcmp(name, "add") == 0 || strcmp(name, "show") == 0)
        return true;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (strcmp(verbs[i].name, name) == 0)
            return true;
    return false;
}

void cmd_deals_verbs_list(FILE *out)
{
    fputs("  add          add a deal of an account, with its lines\n"
          "  show         one deal: its fields, lines and stage history with time in stage\n"
          "  move         move an open deal to another open stage\n"
          "  win          win an open deal\n"
          "  lose         lose an open deal, with the reason\n"
          "  reopen       reopen a won or lost deal\n",
          out);
}

/* ---- naming records ---------------------------------------------------------------------- */

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

struct match {
    size_t n;
    int64_t id;
};

static int count_match(void *ctx, const struct store_value *vals)
{
    struct match *m = ctx;
    if (m->n++ == 0)
        m->id = vals[0].i;
    return 0;
}

int deals_find_row(struct store *s, const char *table, const char *const *columns, const char *text,
                   const char *opt, int64_t *id, struct kith_error *err)
{
    const struct table_def *t = model_table(table);
    const struct store_scope all = {.all = true};
    int rc;
    *id = 0;
    if (all_digits(text) && strlen(text) < 19) {
        int64_t n = (int64_t)strtoll(text, NULL, 10);
        if (n > 0 && store_row_exists(s, t, n)) {
            *id = n;
            return 0;
        }
    }
    char names[200];
    size_t used = (size_t)snprintf(names, sizeof(names), "id");
    for (const char *const *c = columns; *c; c++) {
        struct store_query q = {.nfilters = 1, .limit = 2};
        struct match m = {0};
        size_t i;
        if (!table_field(t, *c, &i))
            BUG("%s has no field %s", table, *c);
        q.filters[0] = (struct store_filter){
            .field = i,
            .op = STORE_EQ,
            .value = {.kind = SV_TEXT, .s = text, .len = strlen(text)},
        };
        if ((rc = store_list(s, t, &q, &all, count_match, &m, err)) < 0)
            return rc;
        if (m.n > 1)
            return kith_err(err, KITH_EINVAL,
                            "%s: more than one %s has %s '%s'; name it by its id instead", opt,
                            t->singular, *c, text);
        if (m.n == 1) {
            *id = m.id;
            return 0;
        }
        if (used < sizeof(names))
            used += (size_t)snprintf(names + used, sizeof(names) - used, "%s %s",
                                     c[1] ? "," : " or", *c);
    }
    return kith_err(err, KITH_ENOTFOUND, "%s: no %s has the %s '%s'", opt, t->singular, names,
                    text);
}

int deals_find_deal(struct store *s, const char *text, int64_t *id, struct kith_error *err)
{
    static const char *const keys[] = {"external_id", NULL};
    return deals_find_row(s, "deals", keys, text, "DEAL", id, err);
}

static int find_user(struct store *s, const char *text, const char *opt, int64_t *id,
                     struct kith_error *err)
{
    static const char *const keys[] = {"email", "name", NULL};
    return deals_find_row(s, "users", keys, text, opt, id, err);
}

/* The stage named by text (id or name) that serves unit_id into *id. */
static int find_stage(struct store *s, int64_t unit_id, const char *text, int64_t *id,
                      struct kith_error *err)
{
    if (all_digits(text) && strlen(text) < 19) {
        int64_t n = (int64_t)strtoll(text, NULL, 10);
        if (n > 0 && store_row_exists(s, model_table("deal_stages"), n)) {
            *id = n;
            return 0;
        }
    }
    return store_deal_stage_find(s, unit_id, text, id, err);
}

/* ---- values ------------------------------------------------------------------------------ */

static size_t field_at(const struct table_def *t, const char *name)
{
    size_t i;
    if (!table_field(t, name, &i))
        BUG("%s has no field %s", t->name, name);
    return i;
}

static void set_int(const struct table_def *t, struct store_value *vals, bool *set,
                    const char *name, int64_t i)
{
    size_t f = field_at(t, name);
    vals[f] = i > 0 ? (struct store_value){.kind = SV_INT, .i = i}
                    : (struct store_value){.kind = SV_NULL};
    set[f] = true;
}

/*
 * Reads text as field name of t (model/validate.h, as the API reads a JSON string and import a
 * cell) into vals and set; an error names the option. text stays the caller's.
 */
static int set_text(const struct table_def *t, struct store_value *vals, bool *set,
                    const char *name, const char *text, const char *opt, struct kith_error *err)
{
    size_t i = field_at(t, name);
    const struct field_def *f = &t->fields[i];
    struct field_value v;
    if (field_parse(f, text, strlen(text), &v, err) < 0)
        return kith_err_prefix(err, "%s", opt);
    switch (v.kind) {
    case FV_INT:
        vals[i] = (struct store_value){.kind = SV_INT, .i = v.i};
        break;
    case FV_REAL:
        vals[i] = (struct store_value){.kind = SV_REAL, .r = v.r};
        break;
    case FV_TEXT:
        vals[i] = v.len ? (struct store_value){.kind = SV_TEXT, .s = v.s, .len = v.len}
                        : (struct store_value){.kind = SV_NULL};
        break;
    case FV_NULL:
        vals[i] = (struct store_value){.kind = SV_NULL};
        break;
    }
    set[i] = true;
    return 0;
}

/* Every required field of a new row of t is given (model/validate.h's check). */
static int check_required(const struct table_def *t, const struct store_value *vals,
                          const bool *set, struct kith_error *err)
{
    bool given[DEAL_FIELDS_MAX];
    size_t at = 0;
    for (size_t i = 0; i < t->nfields; i++)
        given[i] = set[i] && vals[i].kind != SV_NULL;
    if (table_check_required(t, given, &at, err) < 0)
        return kith_err_prefix(err, "%s", t->fields[at].name);
    return 0;
}

static int audit(struct store *s, int64_t user_id, const char *action, int64_t id,
                 const char *detail, struct kith_error *err)
{
    struct store_audit_entry e = {.user_id = user_id,
                                  .action = action,
                                  .table_name = "deals",
                                  .record_id = id,
                                  .client_addr = "cli",
                                  .detail = detail};
    return store_audit_insert(s, &e, NULL, err);
}

/* A message of the stage rules, with the field at fault in front of it. */
static int rule_error(const char *field, struct kith_error *err)
{
    return field ? kith_err_prefix(err, "%s", field) : err->code;
}

/* Who makes the change: --as, else $KITH_USER, else nobody (0). */
static int acting_user(struct store *s, const char *as, int64_t *id, struct kith_error *err)
{
    const char *env = getenv("KITH_USER");
    *id = 0;
    if (as)
        return find_user(s, as, "--as", id, err);
    if (env && *env)
        return find_user(s, env, "$KITH_USER", id, err);
    return 0;
}

/* What the account gives a new deal: its unit and team. */
struct account_home {
    int64_t unit_id, team_id;
};

static int read_home(void *ctx, const struct store_value *vals)
{
    struct account_home *h = ctx;
    const struct table_def *t = model_table("accounts");
    size_t u = field_at(t, "unit_id"), tm = field_at(t, "team_id");
    h->unit_id = vals[u].kind == SV_INT ? vals[u].i : 0;
    h->team_id = vals[tm].kind == SV_INT ? vals[tm].i : 0;
    return 0;
}

/* ---- add --------------------------------------------------------------------------------- */

struct line {
    int64_t product_id;
    struct store_value vals[DEAL_FIELDS_MAX];
    bool set[DEAL_FIELDS_MAX];
};

/* "PRODUCT:QTY:AMOUNT" (the product may hold colons) into line l. */
static int parse_line(struct store *s, const char *spec, struct line *l, struct kith_error *err)
{
    static const char *const keys[] = {"sku", "name", NULL};
    const struct table_def *t = model_table("deal_lines");
    const char *last = strrchr(spec, ':');
    const char *mid = NULL;
    for (const char *p = spec; last && p < last; p++)
        if (*p == ':')
            mid = p;
    if (!last || !mid || mid == spec)
        return kith_err(err, KITH_EINVAL,
                        "--line '%s': expected PRODUCT:QTY:AMOUNT, e.g. GTX-PRO:3:2700", spec);
    char product[256], qty[64];
    size_t plen = (size_t)(mid - spec), qlen = (size_t)(last - mid - 1);
    if (plen >= sizeof(product) || qlen >= sizeof(qty))
        return kith_err(err, KITH_EINVAL, "--line '%.60s...': too long", spec);
    memcpy(product, spec, plen);
    product[plen] = '\0';
    memcpy(qty, mid + 1, qlen);
    qty[qlen] = '\0';
    memset(l, 0, sizeof(*l));
    int rc;
    if ((rc = deals_find_row(s, "products", keys, product, "--line", &l->product_id, err)) < 0 ||
        (rc = set_text(t, l->vals, l->set, "quantity", qty, "--line quantity", err)) < 0)
        return rc;
    /* last + 1 stays valid: it points into argv */
    return set_text(t, l->vals, l->set, "amount", last + 1, "--line amount", err);
}

static int add_lines(struct store *s, int64_t deal_id, struct line *lines, size_t n,
                     struct kith_error *err)
{
    const struct table_def *t = model_table("deal_lines");
    for (size_t k = 0; k < n; k++) {
        struct line *l = &lines[k];
        set_int(t, l->vals, l->set, "deal_id", deal_id);
        set_int(t, l->vals, l->set, "product_id", l->product_id);
        int rc;
        if ((rc = check_required(t, l->vals, l->set, err)) < 0 ||
            (rc = store_insert(s, t, l->vals, NULL, err)) < 0)
            return kith_err_prefix(err, "line %zu", k + 1);
    }
    return 0;
}

/* The options of add that are deal fields read as text. */
static const struct {
    size_t off;
    const char *field, *opt;
} text_fields[] = {
    {offsetof(struct edit_opts, name), "name", "--name"},
    {offsetof(struct edit_opts, amount), "amount", "--amount"},
    {offsetof(struct edit_opts, currency), "currency", "--currency"},
    {offsetof(struct edit_opts, expected_close), "expected_close_at", "--expected-close"},
    {offsetof(struct edit_opts, engaged), "engaged_at", "--engaged"},
    {offsetof(struct edit_opts, source), "source", "--source"},
    {offsetof(struct edit_opts, external_id), "external_id", "--external-id"},
    {offsetof(struct edit_opts, probability), "probability", "--probability"},
    {offsetof(struct edit_opts, reason), "loss_reason", "--reason"},
};

static int deal_add(struct store *s, const struct edit_opts *o, int64_t user, int64_t *id,
                    struct kith_error *err)
{
    static const char *const account_keys[] = {"external_id", "name", NULL};
    static const char *const contact_keys[] = {"email", "external_id", NULL};
    static const char *const unit_keys[] = {"name", "external_id", NULL};
    static const char *const team_keys[] = {"name", NULL};
    const struct table_def *t = model_table("deals");
    const struct store_scope all = {.all = true};
    struct store_value vals[DEAL_FIELDS_MAX];
    bool set[DEAL_FIELDS_MAX] = {false};
    struct account_home home = {0};
    int64_t account = 0, owner = user, contact = 0, stage = 0;
    const char *field = NULL;
    struct line *lines = NULL;
    int rc;
    if (t->nfields > DEAL_FIELDS_MAX)
        BUG("deals has %zu fields", t->nfields);
    for (size_t i = 0; i < t->nfields; i++)
        vals[i] = (struct store_value){.kind = SV_NULL};
    for (size_t k = 0; k < sizeof(text_fields) / sizeof(text_fields[0]); k++) {
        const char *text = *(const char *const *)((const char *)o + text_fields[k].off);
        if (text &&
            (rc = set_text(t, vals, set, text_fields[k].field, text, text_fields[k].opt, err)) < 0)
            return rc;
    }
    if ((rc = deals_find_row(s, "accounts", account_keys, o->account, "--account", &account, err)) <
            0 ||
        (rc = store_get(s, model_table("accounts"), account, &all, read_home, &home, err)) < 0 ||
        (o->owner && (rc = find_user(s, o->owner, "--owner", &owner, err)) < 0) ||
        (o->contact && (rc = deals_find_row(s, "contacts", contact_keys, o->contact, "--contact",
                                            &contact, err)) < 0) ||
        (o->unit &&
         (rc = deals_find_row(s, "units", unit_keys, o->unit, "--unit", &home.unit_id, err)) < 0) ||
        (o->team &&
         (rc = deals_find_row(s, "teams", team_keys, o->team, "--team", &home.team_id, err)) < 0))
        return rc;
    if (o->stage)
        rc = find_stage(s, home.unit_id, o->stage, &stage, err);
    else
        rc = store_deal_default_stage(s, home.unit_id, &stage, err);
    if (rc < 0)
        return rc;
    set_int(t, vals, set, "account_id", account);
    set_int(t, vals, set, "owner_id", owner);
    set_int(t, vals, set, "contact_id", contact);
    set_int(t, vals, set, "unit_id", home.unit_id);
    set_int(t, vals, set, "team_id", home.team_id);
    set_int(t, vals, set, "stage_id", stage);

    if (o->nlines && !(lines = calloc(o->nlines, sizeof(*lines))))
        return kith_err(err, KITH_ENOMEM, "out of memory");
    int64_t sum = 0;
    size_t amount = field_at(model_table("deal_lines"), "amount");
    for (size_t k = 0; k < o->nlines; k++) {
        if ((rc = parse_line(s, o->lines[k], &lines[k], err)) < 0)
            goto out_free;
        int64_t a = lines[k].vals[amount].i; /* at least 0: the field's range */
        if (a > INT64_MAX - sum) {
            rc = kith_err(err, KITH_ERANGE, "--line: the amounts add up to too much");
            goto out_free;
        }
        sum += a;
    }
    if (!o->amount && o->nlines) {
        size_t a = field_at(t, "amount");
        vals[a] = (struct store_value){.kind = SV_INT, .i = sum};
        set[a] = true;
    }

    if ((rc = store_begin(s, err)) < 0)
        goto out_free;
    if ((rc = store_deal_stage_rules(s, 0, vals, set, user, store_now_ms(), &field, err)) < 0) {
        rc = rule_error(field, err);
        goto out_rollback;
    }
    const struct store_value *outcome = &vals[field_at(t, "outcome")];
    if (outcome->kind == SV_TEXT && outcome->len == 4 && memcmp(outcome->s, "lost", 4) == 0 &&
        vals[field_at(t, "loss_reason")].kind != SV_TEXT) {
        rc = kith_err(err, KITH_EINVAL,
                      "a deal added in a lost stage needs --reason: why it was lost (price,"
                      " timing, a competitor, ...)");
        goto out_rollback;
    }
    if ((rc = check_required(t, vals, set, err)) < 0 ||
        (rc = store_insert(s, t, vals, id, err)) < 0 ||
        (rc = store_deal_created(s, *id, user, err)) < 0 ||
        (rc = add_lines(s, *id, lines, o->nlines, err)) < 0 ||
        (rc = audit(s, user, "create", *id, "kith deals add", err)) < 0 ||
        (rc = store_commit(s, err)) < 0)
        goto out_rollback;
    goto out_free;
out_rollback:
    store_rollback(s);
out_free:
    free(lines);
    return rc;
}

/* ---- move, win, lose, reopen ------------------------------------------------------------- */

static int deal_change(struct store *s, int64_t id, enum store_deal_verb verb,
                       const char *verb_name, const struct edit_opts *o, int64_t user,
                       struct kith_error *err)
{
    const struct table_def *t = model_table("deals");
    struct store_value vals[DEAL_FIELDS_MAX];
    bool set[DEAL_FIELDS_MAX] = {false};
    struct store_deal_state now;
    struct store_deal_change c = {.verb = verb, .loss_reason = o->reason};
    const char *field = NULL;
    const char *stage = verb == STORE_DEAL_MOVE ? o->pos[1] : o->stage;
    char detail[64];
    int rc;
    if (t->nfields > DEAL_FIELDS_MAX)
        BUG("deals has %zu fields", t->nfields);
    for (size_t i = 0; i < t->nfields; i++)
        vals[i] = (struct store_value){.kind = SV_NULL};
    if (o->reason && (rc = set_text(t, vals, set, "loss_reason", o->reason, "--reason", err)) < 0)
        return rc;
    if ((rc = store_deal_state(s, id, &now, err)) < 0 ||
        (stage && (rc = find_stage(s, now.unit_id, stage, &c.stage_id, err)) < 0))
        return rc;
    snprintf(detail, sizeof(detail), "kith deals %s", verb_name);
    if ((rc = store_begin(s, err)) < 0)
        return rc;
    if ((rc = store_deal_verb(s, id, &c, vals, set, &field, err)) < 0)
        goto out_rollback;
    if ((rc = store_deal_stage_rules(s, id, vals, set, user, store_now_ms(), &field, err)) < 0) {
        rc = rule_error(field, err);
        goto out_rollback;
    }
    if ((rc = store_update(s, t, id, vals, set, err)) < 0 ||
        (rc = audit(s, user, "update", id, detail, err)) < 0 || (rc = store_commit(s, err)) < 0)
        goto out_rollback;
    return 0;
out_rollback:
    store_rollback(s);
    return rc;
}

/* ---- the command line -------------------------------------------------------------------- */

/* Which options a verb takes: the first misplaced one, or NULL. */
static const char *misplaced(bool add, enum store_deal_verb verb, const struct edit_opts *o)
{
    const struct {
        const char *value, *opt;
    } add_only[] = {
        {o->account, "--account"},
        {o->name, "--name"},
        {o->owner, "--owner"},
        {o->amount, "--amount"},
        {o->currency, "--currency"},
        {o->expected_close, "--expected-close"},
        {o->engaged, "--engaged"},
        {o->source, "--source"},
        {o->contact, "--contact"},
        {o->external_id, "--external-id"},
        {o->probability, "--probability"},
        {o->unit, "--unit"},
        {o->team, "--team"},
    };
    if (!add) {
        for (size_t i = 0; i < sizeof(add_only) / sizeof(add_only[0]); i++)
            if (add_only[i].value)
                return add_only[i].opt;
        if (o->nlines)
            return "--line";
    }
    if (o->reason && !add && verb != STORE_DEAL_LOSE)
        return "--reason";
    return NULL;
}

static int print_result(struct store *s, int64_t id, bool json, const char *what)
{
    if (json)
        return deals_print_json(s, id);
    struct kith_error err = {0};
    struct store_deal_state st;
    char name[128] = "";
    if (store_deal_state(s, id, &st, &err) < 0)
        return cmd_fail(&err);
    deals_stage_name(s, st.stage_id, name, sizeof(name));
    printf("%sdeal %" PRId64 ": stage %s (%s)\n", what, id, name, store_deal_kind_name(st.kind));
    return CMD_OK;
}

int cmd_deals_verb(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"as", required_argument, NULL, 'a'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"account", required_argument, NULL, 'A'},
                                         {"stage", required_argument, NULL, 's'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"owner", required_argument, NULL, 'o'},
                                         {"amount", required_argument, NULL, 'm'},
                                         {"currency", required_argument, NULL, 'c'},
                                         {"expected-close", required_argument, NULL, 'e'},
                                         {"engaged", required_argument, NULL, 'E'},
                                         {"source", required_argument, NULL, 'S'},
                                         {"contact", required_argument, NULL, 'C'},
                                         {"line", required_argument, NULL, 'l'},
                                         {"external-id", required_argument, NULL, 'x'},
                                         {"probability", required_argument, NULL, 'p'},
                                         {"unit", required_argument, NULL, 'u'},
                                         {"team", required_argument, NULL, 't'},
                                         {"reason", required_argument, NULL, 'r'},
                                         {0}};
    const char *verb_name = argv[0];
    if (strcmp(verb_name, "show") == 0)
        return deals_show(argc, argv);
    bool add = strcmp(verb_name, "add") == 0;
    size_t v = 0;
    while (!add && strcmp(verbs[v].name, verb_name) != 0)
        v++;
    const char *usage = add ? usage_add : verbs[v].usage;
    char cmd[32];
    snprintf(cmd, sizeof(cmd), "deals %s", verb_name);
    struct edit_opts o = {0};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            o.db = optarg;
            break;
        case 'a':
            o.as = optarg;
            break;
        case 'j':
            o.json = true;
            break;
        case 'h':
            fputs(usage, stdout);
            fputs(usage_common, stdout);
            return CMD_OK;
        case 'A':
            o.account = optarg;
            break;
        case 's':
            o.stage = optarg;
            break;
        case 'n':
            o.name = optarg;
            break;
        case 'o':
            o.owner = optarg;
            break;
        case 'm':
            o.amount = optarg;
            break;
        case 'c':
            o.currency = optarg;
            break;
        case 'e':
            o.expected_close = optarg;
            break;
        case 'E':
            o.engaged = optarg;
            break;
        case 'S':
            o.source = optarg;
            break;
        case 'C':
            o.contact = optarg;
            break;
        case 'l':
            if (o.nlines == DEAL_LINES_MAX)
                return cmd_usage_error(cmd, "at most %d --line options", DEAL_LINES_MAX);
            o.lines[o.nlines++] = optarg;
            break;
        case 'x':
            o.external_id = optarg;
            break;
        case 'p':
            o.probability = optarg;
            break;
        case 'u':
            o.unit = optarg;
            break;
        case 't':
            o.team = optarg;
            break;
        case 'r':
            o.reason = optarg;
            break;
        default:
            return cmd_usage_error(cmd, "unknown option");
        }
    }
    enum store_deal_verb verb = add ? STORE_DEAL_MOVE : verbs[v].verb;
    size_t want = add ? 0 : verb == STORE_DEAL_MOVE ? 2 : 1;
    for (; optind < argc; optind++) {
        if (o.npos == want)
            return cmd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        o.pos[o.npos++] = argv[optind];
    }
    if (o.npos < want)
        return cmd_usage_error(cmd, o.npos == 0 ? "missing DEAL" : "missing STAGE");
    const char *bad = misplaced(add, verb, &o);
    if (bad)
        return cmd_usage_error(cmd, "%s does not take %s", verb_name, bad);
    if (add && !o.account)
        return cmd_usage_error(cmd, "add needs --account ACCOUNT");
    if (verb == STORE_DEAL_MOVE && !add && o.stage)
        return cmd_usage_error(cmd, "move takes its STAGE as an argument, not --stage");
    if (!add && verb == STORE_DEAL_LOSE && (!o.reason || !*o.reason))
        return cmd_usage_error(cmd, "lose needs --reason TEXT: why the deal was lost");

    struct store *s = cmd_open_store(o.db, 0);
    if (!s)
        return CMD_FAIL;
    struct kith_error err = {0};
    int64_t user = 0, id = 0;
    int rc = acting_user(s, o.as, &user, &err);
    if (rc == 0 && add)
        rc = deal_add(s, &o, user, &id, &err);
    else if (rc == 0 && (rc = deals_find_deal(s, o.pos[0], &id, &err)) == 0)
        rc = deal_change(s, id, verb, verb_name, &o, user, &err);
    int code = rc < 0 ? cmd_fail(&err) : print_result(s, id, o.json, add ? "added " : "");
    store_close(s);
    return code;
}
