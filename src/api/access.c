/*
 * access.c - who may read and change which rows: one table of rules by role and kind of table,
 * turned into a store_scope that the store applies as bound WHERE conditions. The rules are
 * those of the API issue; docs/internals/access.md explains them with examples.
 */
#include "api/access.h"

#include <string.h>

#include "util/banned.h"

/* Kinds of tables, as far as access goes. */
enum table_class {
    CLASS_CATALOGUE, /* units, teams, interaction types, products: read by all, changed by admins */
    CLASS_USERS,     /* the people who use kith */
    CLASS_RECORDS,   /* accounts, contacts and what hangs off them */
    CLASS_PRIVATE,   /* everything else: admins only here (sign-in and VRM have their own rules) */
    NCLASSES
};

static const struct {
    const char *table;
    enum table_class class;
} classes[] = {
    {"units", CLASS_CATALOGUE},
    {"teams", CLASS_CATALOGUE},
    {"interaction_types", CLASS_CATALOGUE},
    {"products", CLASS_CATALOGUE},
    {"deal_stages", CLASS_CATALOGUE},
    {"surveys", CLASS_CATALOGUE}, /* read by all (to record answers), defined by admins */
    {"users", CLASS_USERS},
    {"accounts", CLASS_RECORDS},
    {"contacts", CLASS_RECORDS},
    {"interactions", CLASS_RECORDS},
    {"orders", CLASS_RECORDS},
    {"order_lines", CLASS_RECORDS},
    {"events", CLASS_RECORDS},
    {"deals", CLASS_RECORDS},
    {"deal_lines", CLASS_RECORDS},
    {"deal_stage_changes", CLASS_RECORDS},
    {"quotas",
     CLASS_RECORDS}, /* through their user; routes.c lets only admins and managers write */
    /* written through the contact; read one by one only where the contact shares them
     * (src/api/surveys.c, docs/voice.md): no generic list route */
    {"survey_responses", CLASS_RECORDS},
    {"survey_optins", CLASS_RECORDS},
    /* the community (docs/voice.md): through the contact, like its other records */
    {"ratings", CLASS_RECORDS},
    {"ideas", CLASS_RECORDS},
    {"idea_votes", CLASS_RECORDS},
    /* proposed by the contact in the portal, decided by staff who may change the contact */
    {"corrections", CLASS_RECORDS},
};

/* The conditions a rule grants; see struct store_scope. */
enum {
    NONE = 0,
    ALL = 1 << 0,  /* every row */
    UNIT = 1 << 1, /* rows of the user's unit */
    TEAM = 1 << 2, /* rows of the user's team */
    SELF = 1 << 3, /* rows the user owns (for users: the user's own row) */
    /* but not the contacts (and what hangs off them) of an independent unit that keeps its
     * detail private: store_scope.hide_private */
    BUT_PRIVATE = 1 << 4,
    /* but not the contacts (and what hangs off them) that withdrew their consent to sharing
     * with partners (docs/portal.md "Consent"): store_scope.hide_unshared */
    BUT_UNSHARED = 1 << 5,
};

/*
 * read, write: the rows of each class of table a role may read and change.
 * place: where the role may put a record it creates or changes (api_check_placement()): the
 * grant applied to the units, teams and users rows a write names as the record's unit_id,
 * team_id and owner_id. It is the records' write grant carried over to those rows (a team is in
 * its unit and is its own team; a user is in their unit and team and owns themselves), except
 * that every record a non-admin places lies in their own unit.
 */
enum { PLACE_UNIT, PLACE_TEAM, PLACE_OWNER, NPLACES };

static const struct {
    enum api_role role;
    int read[NCLASSES]; /* catalogue, users, records, private */
    int write[NCLASSES];
    int place[NPLACES]; /* unit, team, owner */
} rules[] = {
    {ROLE_ADMIN, {ALL, ALL, ALL, ALL}, {ALL, ALL, ALL, ALL}, {ALL, ALL, ALL}},
    {ROLE_EXECUTIVE,
     {ALL, SELF, ALL | BUT_PRIVATE, NONE},
     {NONE, NONE, NONE, NONE},
     {NONE, NONE, NONE}},
    {ROLE_ANALYST,
     {ALL, SELF, ALL | BUT_PRIVATE, NONE},
     {NONE, NONE, NONE, NONE},
     {NONE, NONE, NONE}},
    {ROLE_MANAGER,
     {ALL, UNIT | TEAM | SELF, UNIT | TEAM, NONE},
     {NONE, NONE, UNIT | TEAM, NONE},
     {UNIT, UNIT | TEAM, UNIT | TEAM}},
    {ROLE_FRONTLINE,
     {ALL, SELF, UNIT | TEAM | SELF, NONE},
     {NONE, NONE, TEAM | SELF, NONE},
     {UNIT, TEAM, TEAM | SELF}},
    {ROLE_PARTNER,
     {ALL, SELF, UNIT | BUT_UNSHARED, NONE},
     {NONE, NONE, UNIT | BUT_UNSHARED, NONE},
     {UNIT, UNIT, UNIT}},
};

/* The fields that place a record, and the tables whose rows they name. */
static const struct {
    const char *field, *table;
} places[NPLACES] = {
    [PLACE_UNIT] = {"unit_id", "units"},
    [PLACE_TEAM] = {"team_id", "teams"},
    [PLACE_OWNER] = {"owner_id", "users"},
};

static enum table_class class_of(const struct table_def *t)
{
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (strcmp(classes[i].table, t->name) == 0)
            return classes[i].class;
    return CLASS_PRIVATE;
}

/* The scope a grant gives who. */
static void scope_of(const struct api_principal *who, int grant, struct store_scope *out)
{
    out->all = (grant & ALL) != 0;
    out->unit_id = (grant & UNIT) ? who->unit_id : 0;
    out->team_id = (grant & TEAM) ? who->team_id : 0;
    out->owner_id = (grant & SELF) ? who->user_id : 0;
    out->hide_private = (grant & BUT_PRIVATE) != 0;
    out->hide_unshared = (grant & BUT_UNSHARED) != 0;
}

static size_t rule_of(const struct api_principal *who)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (rules[i].role == who->role)
            return i;
    BUG("role %d has no access rule", (int)who->role);
}

int api_scope(const struct api_principal *who, const struct table_def *t, bool write,
              struct store_scope *out)
{
    memset(out, 0, sizeof(*out));
    if (!who)
        return KITH_EINVAL;
    size_t r = rule_of(who);
    enum table_class c = class_of(t);
    int grant = write ? rules[r].write[c] : rules[r].read[c];
    scope_of(who, grant, out);
    return grant == NONE ? KITH_EINVAL : 0;
}

int api_check_placement(struct store *s, const struct api_principal *who, const struct table_def *t,
                        const struct store_value *vals, const bool *set, const char **field,
                        struct kith_error *err)
{
    *field = NULL;
    if (!who)
        return kith_err(err, KITH_EINVAL, "sign in to change records");
    size_t r = rule_of(who);
    for (int p = 0; p < NPLACES; p++) {
        size_t i;
        if (!table_field(t, places[p].field, &i) || !set[i])
            continue;
        int grant = rules[r].place[p];
        struct store_scope scope = {.all = false};
        scope_of(who, grant, &scope);
        int rc = 0;
        if (vals[i].kind != SV_INT) /* null: no team, no owner; a unit only where all is */
            rc = p == PLACE_UNIT && !scope.all ? KITH_ENOTFOUND : 0;
        else if (grant == NONE)
            rc = KITH_ENOTFOUND;
        else
            rc = store_get(s, model_table(places[p].table), vals[i].i, &scope, NULL, NULL, err);
        if (rc == KITH_ENOTFOUND) {
            *field = places[p].field;
            static const char *const why[NPLACES] = {
                [PLACE_UNIT] = "in your own unit",
                [PLACE_TEAM] = "in no team or a team within your reach",
                [PLACE_OWNER] = "with no owner or an owner within your reach",
            };
            return kith_err(err, KITH_EINVAL,
                            "%s: the %s would be outside the records you may change; you may put"
                            " one only %s (docs/internals/access.md)",
                            places[p].field, t->singular, why[p]);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}
