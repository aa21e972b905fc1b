/*
 * tables.c - the columns of every table of DESIGN.md §3, declared once.
 *
 * Order matters twice: tables are listed so that each references only earlier ones (import and
 * export follow it), and fields follow the SQL column order of the store's schema. Each field
 * also says what its values must be (required, length, list, format, range); model/validate.c
 * checks that for every door that writes rows.
 */
#include "model/table.h"

#include <math.h>
#include <string.h>

#include "model/catalogue.h"
#include "model/consent.h"

#define RV_LO   (-MODEL_RV_MAX)
#define RV_HI   MODEL_RV_MAX
#define COST_HI (MODEL_COST_MAX_CENTS / 100.0) /* money ranges are in currency units */

/* Designated initializers: every attribute not named is zero (optional, no format, no range). */
#define FIELD(n, t, ...)                                                                           \
    {                                                                                              \
        .name = n, .type = t, __VA_ARGS__                                                          \
    }
#define ID                 FIELD("id", FT_ID, .required = false)
#define CREATED            FIELD("created_at", FT_TIME, .required = false)
#define TEXT(n, req)       FIELD(n, FT_TEXT, .required = req)
#define TEXTN(n, req, len) FIELD(n, FT_TEXT, .required = req, .max_len = len)
/* Text of a format (enum field_format), at most len bytes. */
#define TEXTF(n, req, len, fmt) FIELD(n, FT_TEXT, .required = req, .max_len = len, .format = fmt)
#define INT(n, req)             FIELD(n, FT_INT, .required = req)
#define REAL(n, req)            FIELD(n, FT_REAL, .required = req)
/* Integers, numbers and amounts from lo to hi (INFINITY: no upper bound). */
#define INTR(n, req, l, h)   FIELD(n, FT_INT, .required = req, .ranged = true, .lo = l, .hi = h)
#define REALR(n, req, l, h)  FIELD(n, FT_REAL, .required = req, .ranged = true, .lo = l, .hi = h)
#define MONEYR(n, req, l, h) FIELD(n, FT_MONEY, .required = req, .ranged = true, .lo = l, .hi = h)
#define BOOL(n)              FIELD(n, FT_BOOL, .required = false)
#define TIME(n, req)         FIELD(n, FT_TIME, .required = req)
#define MONEY(n, req)        FIELD(n, FT_MONEY, .required = req)
#define JSON(n)              FIELD(n, FT_JSON, .required = false)
#define REF(n, t, req)       FIELD(n, FT_REF, .required = req, .ref_table = t)
#define ENUM(n, req, vals)   FIELD(n, FT_ENUM, .required = req, .enum_values = vals)
#define SECRET(n)            FIELD(n, FT_TEXT, .secret = true)
/* Personal text (an identifier or free text about a person): emptied by erasure. */
#define PTEXTN(n, req, len) FIELD(n, FT_TEXT, .required = req, .max_len = len, .personal = true)
#define PTEXTF(n, req, len, fmt)                                                                   \
    FIELD(n, FT_TEXT, .required = req, .max_len = len, .format = fmt, .personal = true)
#define PJSON(n) FIELD(n, FT_JSON, .required = false, .personal = true)
#define N(a)     (sizeof(a) / sizeof((a)[0]))

static const char *const unit_kinds[] = {"manufacturer", "business_unit", "partner",
                                         "distributor",  "dealer",        NULL};
const char *const model_independent_unit_kinds[] = {"partner", "distributor", "dealer", NULL};
static const char *const team_kinds[] = {"virtual_account", "acquisition", "closing",
                                         "retention",       "service",     NULL};
static const char *const roles[] = {"admin",   "executive", "manager", "frontline",
                                    "partner", "analyst",   NULL};
static const char *const buying_roles[] = {"decision_maker", "influencer", "user", NULL};
static const char *const stages[] = {"acquisition", "closing", "retention", NULL};
/* Derived from the contact's engagement (engine/community.h, docs/voice.md "Community roles"). */
static const char *const community_roles[] = {"leader", "doer", "watcher", NULL};
/* An idea's status (docs/voice.md, "Ideas"): every idea starts new; staff move it. */
static const char *const idea_statuses[] = {"new", "planned", "done", "declined", NULL};
static const char *const directions[] = {"inbound", "outbound", NULL};
static const char *const sources[] = {"manual", "import", "api", "portal", "device", NULL};
static const char *const event_kinds[] = {
    "repeat", "referral",  "upsell", "cross_sell", "volume_increase", "bad_experience",
    "churn",  "recommend", "create", "share",      "download",        NULL};
static const char *const dsr_kinds[] = {"access",    "rectification", "erasure", "restriction",
                                        "objection", "portability",   NULL};
/* A request's status (model/dsr.h has the machine; docs/portal.md "Data-subject requests"). */
static const char *const dsr_states[] = {"open",     "extended", "completed",
                                         "rejected", "lifted",   NULL};
static const char *const dsr_filers[] = {"customer", "staff", NULL};
static const char *const deal_outcomes[] = {"open", "won", "lost", NULL};
/* An order's kind (docs/value.md, "Returns and credits"); written without one, an order is a
 * return when its amount is negative, else a sale. The rules that need other rows (a sale's
 * amount is not negative, a return's or credit's not positive; reverses_id names a sale of the
 * same account) are the store's triggers (store/migrations.c, version 8), for every door. */
static const char *const order_kinds[] = {"sale", "return", "credit", NULL};

static const struct field_def unit_fields[] = {
    ID,
    CREATED,
    TEXTN("external_id", false, 128),
    TEXTN("name", true, 200),
    ENUM("kind", true, unit_kinds),
    REF("parent_id", "units", false),
    BOOL("shares_detail"), /* an independent unit lets the principal see its contacts (access.md) */
};
static const struct field_def team_fields[] = {
    ID,
    CREATED,
    TEXTN("name", true, 200),
    ENUM("kind", true, team_kinds),
    REF("unit_id", "units", true),
};
static const struct field_def user_fields[] = {
    ID,
    CREATED,
    TEXTF("email", true, 254, FF_EMAIL),
    TEXTN("name", true, 200),
    ENUM("role", true, roles),
    REF("unit_id", "units", false),
    REF("team_id", "teams", false),
    MONEY("hourly_cost", false),
    SECRET("password_hash"),
    BOOL("disabled"),
    REF("manager_id", "users", false),
};
static const struct field_def account_fields[] = {
    ID,
    CREATED,
    TEXTN("external_id", false, 128),
    TEXTN("name", true, 200),
    TEXTN("industry", false, 100),
    TEXTN("territory", false, 100),
    MONEY("annual_revenue", false),
    TEXTN("revenue_band", false, 50),
    TEXTF("currency", false, 3, FF_CURRENCY),
    TEXTN("source", false, 100),
    REF("owner_id", "users", false),
    REF("unit_id", "units", false),
    REF("team_id", "teams", false),
    JSON("custom"),
    REF("parent_id", "accounts", false),
    INTR("employees", false, 0, INFINITY),
    /* share of wallet (docs/value.md): the estimated annual category spend, in the account's
     * currency, and the year the estimate is for */
    MONEYR("wallet", false, 0, INFINITY),
    INTR("wallet_year", false, 1900, 2999),
};
static const struct field_def contact_fields[] = {
    ID,
    CREATED,
    PTEXTN("external_id", false, 128),
    REF("account_id", "accounts", false),
    PTEXTN("first_name", false, 100),
    PTEXTN("last_name", true, 100),
    PTEXTF("email", false, 254, FF_EMAIL),
    PTEXTN("phone", false, 50),
    PTEXTN("title", false, 200),
    ENUM("buying_role", false, buying_roles),
    TEXTN("source", false, 100),
    REF("owner_id", "users", false),
    REF("unit_id", "units", false),
    REF("team_id", "teams", false),
    FIELD("stage", FT_ENUM, .enum_values = stages, .derived = true),
    FIELD("level", FT_INT, .derived = true),
    FIELD("community_role", FT_ENUM, .enum_values = community_roles, .derived = true,
          .derived_from = "the contact's ideas, votes, reviews and referrals (docs/voice.md, "
                          "\"Community roles\")"),
    PJSON("custom"),
};
static const struct field_def interaction_type_fields[] = {
    ID,
    CREATED,
    TEXTN("code", true, 64),
    TEXTN("name", true, 200),
    ENUM("phase", true, stages),
    INTR("level", true, 1, CATALOGUE_NLEVELS),
    TEXTN("channel", true, 50),
    REALR("touch", true, 0, 1), /* V2T2 weights */
    REALR("tech", true, 0, 1),
    INTR("rv", true, RV_LO, RV_HI),
    MONEYR("cost", true, -COST_HI, COST_HI),
    BOOL("is_trigger"),
    BOOL("is_voc"),
    TEXTN("description", false, 2000),
};
static const struct field_def interaction_fields[] = {
    ID,
    CREATED,
    TEXTN("external_id", false, 128),
    REF("contact_id", "contacts", true),
    REF("user_id", "users", false),
    REF("type_id", "interaction_types", true),
    TIME("occurred_at", true),
    TEXTN("channel", false, 50),
    ENUM("direction", false, directions),
    INTR("rv", false, RV_LO, RV_HI),
    MONEYR("cost", false, -COST_HI, COST_HI),
    TEXTN("outcome", false, 200),
    PTEXTN("notes", false, 4000),
    ENUM("source", false, sources),
    REF("voids_id", "interactions", false),
};
static const struct field_def product_fields[] = {
    ID,
    CREATED,
    TEXTN("sku", true, 64),
    TEXTN("name", true, 200),
    TEXTN("category", false, 100),
    MONEYR("price", false, 0, INFINITY),
    MONEY("unit_cost", false),
    TEXTF("currency", false, 3, FF_CURRENCY),
};
/* A stage of the sales pipeline: unit_id NULL is the company's default list. */
static const struct field_def deal_stage_fields[] = {
    ID,
    CREATED,
    REF("unit_id", "units", false),
    TEXTN("name", true, 100),
    INTR("position", true, 0, 1000),
    REALR("probability", true, 0, 1),
    ENUM("kind", true, deal_outcomes), /* open, won or lost */
};
/* A deal (opportunity); scoped like accounts by unit, team and owner. */
static const struct field_def deal_fields[] = {
    ID,
    CREATED,
    TEXTN("external_id", false, 128),
    TEXTN("name", false, 200),
    REF("account_id", "accounts", true),
    REF("contact_id", "contacts", false),
    REF("owner_id", "users", false),
    REF("stage_id", "deal_stages", true),
    MONEYR("amount", false, 0, INFINITY),
    TEXTF("currency", false, 3, FF_CURRENCY),
    REALR("probability", false, 0, 1),
    TIME("engaged_at", false),
    TIME("expected_close_at", false),
    TIME("closed_at", false),
    ENUM("outcome", false, deal_outcomes), /* missing: the stage's kind */
    TEXTN("loss_reason", false, 200),
    TEXTN("source", false, 100),
    REF("unit_id", "units", false),
    REF("team_id", "teams", false),
};
static const struct field_def deal_line_fields[] = {
    ID,
    CREATED,
    REF("deal_id", "deals", true),
    REF("product_id", "products", true),
    INTR("quantity", true, 1, INFINITY),
    MONEYR("amount", true, 0, INFINITY),
    MONEYR("unit_price", false, 0, INFINITY), /* as the source gave it; amount is what counts */
};
/* History: a deal moved from one stage to another (from_stage_id NULL: its first stage). */
static const struct field_def deal_stage_change_fields[] = {
    ID,
    CREATED,
    REF("deal_id", "deals", true),
    REF("from_stage_id", "deal_stages", false),
    REF("to_stage_id", "deal_stages", true),
    REF("user_id", "users", false),
    TIME("changed_at", true),
};
/* A sales quota: what user_id is expected to win in [period_start, period_end). */
static const struct field_def quota_fields[] = {
    ID,
    CREATED,
    REF("user_id", "users", true),
    TIME("period_start", true),
    TIME("period_end", true), /* after period_start (the store's CHECK) */
    MONEYR("amount", true, 0, INFINITY),
    TEXTF("currency", false, 3, FF_CURRENCY),
};
static const struct field_def order_fields[] = {
    ID,
    CREATED,
    TEXTN("external_id", false, 128),
    REF("account_id", "accounts", true),
    REF("contact_id", "contacts", false),
    TIME("ordered_at", true),
    MONEY("amount", true),
    MONEY("margin", false),
    TEXTF("currency", false, 3, FF_CURRENCY),
    REF("user_id", "users", false), /* who sold it: the rep credited with its revenue */
    REF("deal_id", "deals", false),
    ENUM("kind", false, order_kinds),
    REF("reverses_id", "orders", false), /* the sale a return or a credit reverses */
};
static const struct field_def order_line_fields[] = {
    ID,
    CREATED,
    REF("order_id", "orders", true),
    REF("product_id", "products", true),
    INT("quantity", true),
    MONEY("amount", true),
    MONEY("margin", false),
    MONEYR("unit_price", false, 0, INFINITY), /* as the source gave it; amount is what counts */
};
static const struct field_def event_fields[] = {
    ID,
    CREATED,
    ENUM("kind", true, event_kinds),
    REF("contact_id", "contacts", false),
    REF("account_id", "accounts", false),
    TIME("occurred_at", true),
    REF("related_contact_id", "contacts", false),
    MONEY("value", false),
    PTEXTN("notes", false, 4000),
};
static const struct field_def survey_fields[] = {
    ID, CREATED, TEXTN("name", true, 200), TEXTN("purpose", false, 200), TIME("opens_at", false),
    TIME("closes_at", false),
    /* issue 15 (docs/voice.md): what it asks, of whom, after what */
    FIELD("questions", FT_JSON, .required = false, .max_len = 16384), /* model/survey.h */
    TEXTN("audience", false,
          1000),                 /* a contact filter in the list syntax: "unit_id=3&source=web" */
    TEXTN("channel", false, 50), /* the channel it follows */
    TEXTN("touchpoint", false, 100), /* the moment it follows: "after a support ticket" */
    REF("type_id", "interaction_types", false), /* the interaction type it follows */
    REF("product_id", "products", false),       /* the product it is about */
};
static const struct field_def survey_response_fields[] = {
    ID, CREATED, REF("survey_id", "surveys", true), REF("contact_id", "contacts", true),
    TIME("answered_at", true), TEXTN("channel", false, 50), INTR("nps", false, 0, 10),
    INTR("csat", false, 1, 5), PTEXTN("intent", false, 2000), PTEXTN("wants", false, 2000),
    PTEXTN("needs", false, 2000),
    BOOL("confidential"), /* the contact did not allow staff to see the answer (opt-in's share) */
    /* issue 15 (docs/voice.md); filled by the server from the survey and the answers */
    TEXTN("touchpoint", false, 100),
    REF("type_id", "interaction_types", false), /* the interaction type it follows */
    REF("product_id", "products", false),
    FIELD("answers", FT_JSON, .required = false, .max_len = 16384), /* {"question id": value} */
    BOOL("latest"),                                /* the contact's latest answer to the survey */
    REF("replaces_id", "survey_responses", false), /* the answer it updates (history) */
    REF("interaction_id", "interactions", false),  /* the interaction that records it */
};
static const char *const optin_states[] = {"granted", "withdrawn", NULL};
static const struct field_def survey_optin_fields[] = {
    ID,
    CREATED,
    REF("survey_id", "surveys", true),
    REF("contact_id", "contacts", true),
    ENUM("state", true, optin_states),
    BOOL("share"), /* staff may see the contact's answers one by one, not only aggregates */
    TIME("recorded_at", true),
    TEXTN("collected_by", false, 100),
};
static const struct field_def rating_fields[] = {
    ID,
    CREATED,
    REF("contact_id", "contacts", true),
    REF("product_id", "products", false),
    INTR("stars", true, 1, 5),
    PTEXTN("review", false, 4000),
    TIME("rated_at", true),
    /* issue 15: set by kith from the orders of the contact and its account (docs/voice.md) */
    BOOL("verified"),
};
static const struct field_def idea_fields[] = {
    ID,
    CREATED,
    REF("contact_id", "contacts", false),
    PTEXTN("title", true, 200),
    PTEXTN("body", false, 4000),
    ENUM("status", false, idea_statuses), /* new when written without one (the API) */
    REF("product_id", "products", false), /* the product it is about (migration 16) */
};
static const struct field_def idea_vote_fields[] = {
    ID,
    CREATED,
    REF("idea_id", "ideas", true),
    REF("contact_id", "contacts", true),
    INTR("value", true, -1, 1) /* down or up */,
};
static const struct field_def consent_fields[] = {
    ID,
    CREATED,
    REF("contact_id", "contacts", true),
    /* purposes, channels and their pairs: model/consent.h (docs/portal.md, "Consent") */
    ENUM("purpose", true, consent_purposes),
    ENUM("channel", true, consent_channels),
    ENUM("state", true, consent_states),
    TIME("recorded_at", true),
    TEXTN("collected_by", false, 100),
    TEXTN("receipt_id", false, 100),
};
static const struct field_def dsr_fields[] = {
    ID,
    CREATED,
    REF("contact_id", "contacts", true),
    ENUM("kind", true, dsr_kinds),
    ENUM("status", true, dsr_states),
    TIME("received_at", true),
    TIME("due_at", true),
    REF("handled_by", "users", false),
    TIME("closed_at", false),
    PTEXTN("notes", false, 4000),
    /* migration 15: an extension (once, with its reason), the answer, who filed it */
    TIME("extended_at", false),
    TEXTN("extension_reason", false, 2000),
    TEXTN("answer", false, 2000),
    ENUM("filed_by", false, dsr_filers),
};
/*
 * A correction the contact proposes to one of its own fields in the portal (issue 16,
 * docs/portal.md "Corrections"): staff accept or reject it with a reason. field names the contact's
 * field, value the proposed text (null: clear it), previous what the field held when proposed.
 */
static const char *const correction_fields_allowed[] = {"first_name", "last_name", "email",
                                                        "phone",      "title",     NULL};
static const char *const correction_states[] = {"pending", "accepted", "rejected", NULL};
static const struct field_def correction_fields[] = {
    ID,
    CREATED,
    REF("contact_id", "contacts", true),
    ENUM("field", true, correction_fields_allowed),
    /* personal: the values and the note go when the contact is erased */
    PTEXTN("value", false, 254),
    PTEXTN("previous", false, 254),
    PTEXTN("note", false, 2000),
    ENUM("status", true, correction_states),
    TIME("decided_at", false),
    REF("decided_by", "users", false),
    TEXTN("reason", false, 2000),
};
static const struct field_def audit_fields[] = {
    ID,
    CREATED,
    REF("user_id", "users", false),
    TEXTN("action", true, 50),
    TEXTN("table_name", false, 64),
    INT("record_id", false),
    TEXTN("client_addr", false, 64),
    TEXTN("detail", false, 2000),
};
static const struct field_def api_token_fields[] = {
    ID,
    CREATED,
    REF("user_id", "users", true),
    TEXTN("name", true, 100),
    SECRET("token_hash"),
    TIME("last_used_at", false),
    TIME("revoked_at", false),
};
static const struct field_def session_fields[] = {
    ID,
    CREATED,
    REF("user_id", "users", true),
    SECRET("token_hash"),
    SECRET("csrf_token"),
    TIME("expires_at", true),
    TIME("last_seen_at", true),
};

#define TABLE(n, s, f, k1, k2, imp, exp)                                                           \
    {                                                                                              \
        n, s, f, N(f), {k1, k2, NULL, NULL}, imp, exp                                              \
    }

static const struct table_def t_units =
    TABLE("units", "unit", unit_fields, "name", "external_id", true, true);
static const struct table_def t_teams =
    TABLE("teams", "team", team_fields, "name", NULL, true, true);
static const struct table_def t_users =
    TABLE("users", "user", user_fields, "email", NULL, true, true);
static const struct table_def t_accounts =
    TABLE("accounts", "account", account_fields, "external_id", "name", true, true);
static const struct table_def t_contacts =
    TABLE("contacts", "contact", contact_fields, "email", "external_id", true, true);
static const struct table_def t_itypes = TABLE("interaction_types", "interaction type",
                                               interaction_type_fields, "code", NULL, true, true);
static const struct table_def t_interactions =
    TABLE("interactions", "interaction", interaction_fields, "external_id", NULL, true, true);
static const struct table_def t_products =
    TABLE("products", "product", product_fields, "sku", NULL, true, true);
static const struct table_def t_deal_stages =
    TABLE("deal_stages", "deal stage", deal_stage_fields, "name", NULL, true, true);
static const struct table_def t_deals =
    TABLE("deals", "deal", deal_fields, "external_id", NULL, true, true);
static const struct table_def t_deal_lines =
    TABLE("deal_lines", "deal line", deal_line_fields, NULL, NULL, true, true);
static const struct table_def t_deal_stage_changes = TABLE(
    "deal_stage_changes", "deal stage change", deal_stage_change_fields, NULL, NULL, false, true);
static const struct table_def t_quotas =
    TABLE("quotas", "quota", quota_fields, NULL, NULL, true, true);
static const struct table_def t_orders =
    TABLE("orders", "order", order_fields, "external_id", NULL, true, true);
static const struct table_def t_order_lines =
    TABLE("order_lines", "order line", order_line_fields, NULL, NULL, true, true);
static const struct table_def t_events =
    TABLE("events", "event", event_fields, NULL, NULL, true, true);
static const struct table_def t_surveys =
    TABLE("surveys", "survey", survey_fields, "name", NULL, false, true);
static const struct table_def t_survey_responses =
    TABLE("survey_responses", "survey response", survey_response_fields, NULL, NULL, false, true);
static const struct table_def t_survey_optins =
    TABLE("survey_optins", "survey opt-in", survey_optin_fields, NULL, NULL, false, true);
static const struct table_def t_ratings =
    TABLE("ratings", "rating", rating_fields, NULL, NULL, false, true);
static const struct table_def t_ideas =
    TABLE("ideas", "idea", idea_fields, NULL, NULL, false, true);
static const struct table_def t_idea_votes =
    TABLE("idea_votes", "idea vote", idea_vote_fields, NULL, NULL, false, true);
static const struct table_def t_consents =
    TABLE("consents", "consent", consent_fields, NULL, NULL, false, true);
static const struct table_def t_dsrs =
    TABLE("dsrs", "data-subject request", dsr_fields, NULL, NULL, false, true);
static const struct table_def t_corrections =
    TABLE("corrections", "correction", correction_fields, NULL, NULL, false, true);
static const struct table_def t_audit =
    TABLE("audit_log", "audit entry", audit_fields, NULL, NULL, false, true);
static const struct table_def t_api_tokens =
    TABLE("api_tokens", "API token", api_token_fields, NULL, NULL, false, false);
static const struct table_def t_sessions =
    TABLE("sessions", "session", session_fields, NULL, NULL, false, false);

const struct table_def *const model_tables[] = {
    &t_units,
    &t_teams,
    &t_users,
    &t_accounts,
    &t_contacts,
    &t_itypes,
    &t_interactions,
    &t_products,
    &t_deal_stages,
    &t_deals,
    &t_deal_lines,
    &t_deal_stage_changes,
    &t_quotas, /* names users */
    &t_orders,
    &t_order_lines,
    &t_events,
    &t_surveys,
    &t_survey_responses,
    &t_survey_optins,
    &t_ratings,
    &t_ideas,
    &t_idea_votes,
    &t_consents,
    &t_dsrs,
    &t_corrections,
    &t_audit,
    &t_api_tokens,
    &t_sessions,
};
const size_t model_ntables = N(model_tables);

const struct table_def *model_table(const char *name)
{
    for (size_t i = 0; i < model_ntables; i++)
        if (strcmp(model_tables[i]->name, name) == 0)
            return model_tables[i];
    return NULL;
}

const struct field_def *table_field(const struct table_def *t, const char *name, size_t *index)
{
    for (size_t i = 0; i < t->nfields; i++) {
        if (strcmp(t->fields[i].name, name) == 0) {
            if (index)
                *index = i;
            return &t->fields[i];
        }
    }
    return NULL;
}

int field_max_len(const struct field_def *f)
{
    if (f->max_len > 0)
        return f->max_len;
    return f->type == FT_JSON ? FIELD_JSON_MAX : FIELD_TEXT_DEFAULT_MAX;
}

bool field_enum_ok(const struct field_def *f, const char *value)
{
    if (!f->enum_values)
        return false;
    for (const char *const *v = f->enum_values; *v; v++)
        if (strcmp(*v, value) == 0)
            return true;
    return false;
}

const char *field_type_name(enum field_type t)
{
    switch (t) {
    case FT_ID:
        return "integer id";
    case FT_INT:
        return "integer";
    case FT_REAL:
        return "number";
    case FT_TEXT:
        return "text";
    case FT_ENUM:
        return "one of a list";
    case FT_BOOL:
        return "true/false";
    case FT_TIME:
        return "ISO 8601 time or Unix seconds/milliseconds";
    case FT_MONEY:
        return "decimal amount";
    case FT_JSON:
        return "JSON object";
    case FT_REF:
        return "reference";
    }
    return "?";
}

#include "util/banned.h"
