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
};

/* The conditions a rule grants; see struct store_scope. */
enum {
    NONE = 0,
    ALL = 1 << 0,  /* every row */
    UNIT = 1 << 1, /* rows of the user's unit */
    TEAM = 1 << 2, /* rows of the user's team */
    SELF = 1 << 3, /* rows the user owns (for users: the user's own row) */
};

static const struct {
    enum api_role role;
    int read[NCLASSES]; /* catalogue, users, records, private */
    int write[NCLASSES];
} rules[] = {
    {ROLE_ADMIN, {ALL, ALL, ALL, ALL}, {ALL, ALL, ALL, ALL}},
    {ROLE_EXECUTIVE, {ALL, SELF, ALL, NONE}, {NONE, NONE, NONE, NONE}},
    {ROLE_ANALYST, {ALL, SELF, ALL, NONE}, {NONE, NONE, NONE, NONE}},
    {ROLE_MANAGER, {ALL, UNIT | TEAM | SELF, UNIT | TEAM, NONE}, {NONE, NONE, UNIT | TEAM, NONE}},
    {ROLE_FRONTLINE, {ALL, SELF, UNIT | TEAM | SELF, NONE}, {NONE, NONE, TEAM | SELF, NONE}},
    {ROLE_PARTNER, {ALL, SELF, UNIT, NONE}, {NONE, NONE, UNIT, NONE}},
};

static enum table_class class_of(const struct table_def *t)
{
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (strcmp(classes[i].table, t->name) == 0)
            return classes[i].class;
    return CLASS_PRIVATE;
}

int api_scope(const struct api_principal *who, const struct table_def *t, bool write,
              struct store_scope *out)
{
    memset(out, 0, sizeof(*out));
    if (!who)
        return KITH_EINVAL;
    int grant = NONE;
    enum table_class c = class_of(t);
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (rules[i].role == who->role)
            grant = write ? rules[i].write[c] : rules[i].read[c];
    out->all = (grant & ALL) != 0;
    out->unit_id = (grant & UNIT) ? who->unit_id : 0;
    out->team_id = (grant & TEAM) ? who->team_id : 0;
    out->owner_id = (grant & SELF) ? who->user_id : 0;
    return grant == NONE ? KITH_EINVAL : 0;
}
