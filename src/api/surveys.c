/*
 * surveys.c - /api/v1/surveys (issue 15, docs/voice.md): surveys an administrator defines (their
 * questions checked by model/survey.h, their audience a contact filter in the list syntax), the
 * opt-ins of contacts (POST /api/v1/surveys/{id}/optins) and their answers
 * (POST /api/v1/surveys/{id}/responses).
 *
 * An answer is taken only from a contact whose latest opt-in to the survey is granted, who is in
 * the survey's audience, while the survey is open; it becomes the contact's latest answer (the
 * one it replaces keeps its row, latest cleared: the history) and is also recorded as an
 * interaction through the interaction write path (api_interaction_insert()), so it enters the
 * RV pattern. Answers are confidential: GET /api/v1/surveys/{id}/responses shows only the latest
 * answers of contacts whose opt-in shares them, within the caller's scope; everything else is
 * seen as aggregates (GET /api/v1/voice/..., analysis/voice.h).
 */
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/handlers.h"
#include "api/interactions.h"
#include "api/resource.h"
#include "api/rvstate.h"
#include "model/survey.h"
#include "util/num.h"

#include "util/banned.h"

/* ---- surveys ---------------------------------------------------------------------------- */

static const struct store_value *col(const struct table_def *t, const struct store_value *vals,
                                     const char *name)
{
    size_t i;
    if (!table_field(t, name, &i))
        BUG("%s has no field %s", t->name, name);
    return &vals[i];
}

/* Checks an audience: a filter of contacts in the list syntax. */
static bool audience_ok(const char *text, size_t len, struct api_response *res)
{
    char *copy = strndup(text, len);
    if (!copy) {
        api_error(res, 500, "internal", NULL, "out of memory");
        return false;
    }
    struct store_query q = {.limit = 1};
    bool ok = resource_parse_filter_text(model_table("contacts"), copy, &q, "audience", res);
    free(copy);
    if (ok && q.nfilters >= STORE_QUERY_MAX_FILTERS) { /* one is kept for the contact's id */
        api_error(res, 422, "invalid", "audience", "audience: at most %d filters",
                  STORE_QUERY_MAX_FILTERS - 1);
        return false;
    }
    return ok;
}

static int prepare_survey(const struct api_resource *r, struct api_request *req,
                          struct resource_row *row, bool create, struct api_response *res)
{
    (void)r, (void)req, (void)create;
    struct kith_error err = {0};
    const struct store_value *q = &row->vals[resource_field(row, "questions")];
    if (resource_has(row, "questions") && survey_questions_check(q->s, q->len, &err) < 0) {
        api_error(res, 422, "invalid", "questions", "questions: %s", err.msg);
        return KITH_EINVAL;
    }
    if (create && !resource_has(row, "questions")) {
        api_error(res, 422, "invalid", "questions",
                  "questions: a survey asks at least one question (docs/voice.md)");
        return KITH_EINVAL;
    }
    const struct store_value *a = &row->vals[resource_field(row, "audience")];
    if (resource_has(row, "audience") && a->kind == SV_TEXT && !audience_ok(a->s, a->len, res))
        return KITH_EINVAL;
    return 0;
}

static const char *const survey_search[] = {"name", NULL};

static const struct api_resource surveys = {.table = "surveys",
                                            .path = "/api/v1/surveys",
                                            .search = survey_search,
                                            .prepare = prepare_survey};

RESOURCE_DEFINE_READ(surveys, surveys)
RESOURCE_DEFINE_WRITE(surveys, surveys)

/* ---- opt-ins ---------------------------------------------------------------------------- */

/* The survey {id} of the path, which must exist: 0, or a 404 in res. */
static int path_survey(struct api_request *req, int64_t *id, struct api_response *res)
{
    struct kith_error err = {0};
    const struct store_scope all = {.all = true};
    if (!api_param_id(req, 0, id, res))
        return KITH_ENOTFOUND;
    int rc = store_get(req->store, model_table("surveys"), *id, &all, NULL, NULL, &err);
    if (rc == KITH_ENOTFOUND)
        api_error(res, 404, "not_found", NULL, "no survey %lld", (long long)*id);
    else if (rc < 0)
        api_error_from(res, &err);
    return rc;
}

static int prepare_optin(const struct api_resource *r, struct api_request *req,
                         struct resource_row *row, bool create, struct api_response *res)
{
    (void)r, (void)create;
    int64_t survey;
    if (path_survey(req, &survey, res) < 0)
        return KITH_ENOTFOUND;
    resource_set_int(row, "survey_id", survey);
    if (!resource_has(row, "recorded_at"))
        resource_set_int(row, "recorded_at", store_now_ms());
    return 0;
}

static const char *const optin_body[] = {"contact_id",  "state",        "share",
                                         "recorded_at", "collected_by", NULL};

static const struct api_resource optins = {
    .table = "survey_optins", .path = "/api/v1/survey-optins", .prepare = prepare_optin};

void api_survey_optins_create(struct api_request *req, struct api_response *res)
{
    resource_create_as(&optins, optin_body, prepare_optin, "create", req, res);
}

static const struct api_resource optins_read = {.table = "survey_optins",
                                                .path = "/api/v1/survey-optins"};
RESOURCE_DEFINE_READ(survey_optins, optins_read)

/* ---- answers ---------------------------------------------------------------------------- */

/* What an answer takes from its survey. */
struct survey_copy {
    char *name, *questions, *audience, *channel, *touchpoint;
    size_t qlen, alen;
    int64_t type_id, product_id, opens_at, closes_at;
};

static void survey_copy_release(struct survey_copy *c)
{
    free(c->name);
    free(c->questions);
    free(c->audience);
    free(c->channel);
    free(c->touchpoint);
}

static char *dup_text(const struct store_value *v, size_t *len)
{
    if (v->kind != SV_TEXT)
        return NULL;
    if (len)
        *len = v->len;
    return strndup(v->s, v->len);
}

static int read_survey(void *ctx, const struct store_value *vals)
{
    struct survey_copy *c = ctx;
    const struct table_def *t = model_table("surveys");
    c->name = dup_text(col(t, vals, "name"), NULL);
    c->questions = dup_text(col(t, vals, "questions"), &c->qlen);
    c->audience = dup_text(col(t, vals, "audience"), &c->alen);
    c->channel = dup_text(col(t, vals, "channel"), NULL);
    c->touchpoint = dup_text(col(t, vals, "touchpoint"), NULL);
    const struct store_value *v;
    c->type_id = (v = col(t, vals, "type_id"))->kind == SV_INT ? v->i : 0;
    c->product_id = (v = col(t, vals, "product_id"))->kind == SV_INT ? v->i : 0;
    c->opens_at = (v = col(t, vals, "opens_at"))->kind == SV_INT ? v->i : INT64_MIN;
    c->closes_at = (v = col(t, vals, "closes_at"))->kind == SV_INT ? v->i : INT64_MAX;
    const bool lost = !c->name || (col(t, vals, "questions")->kind == SV_TEXT && !c->questions) ||
                      (col(t, vals, "audience")->kind == SV_TEXT && !c->audience) ||
                      (col(t, vals, "channel")->kind == SV_TEXT && !c->channel) ||
                      (col(t, vals, "touchpoint")->kind == SV_TEXT && !c->touchpoint);
    return lost ? KITH_ENOMEM : 0;
}

/* The first row a list gives: its id and one field's value (integers only). */
struct first {
    const struct table_def *t;
    const char *field;
    bool found;
    int64_t id;
    struct store_value v;
};

static int first_row(void *ctx, const struct store_value *vals)
{
    struct first *f = ctx;
    f->found = true;
    f->id = vals[0].i;
    if (f->field) {
        f->v = *col(f->t, vals, f->field);
        if (f->v.kind == SV_TEXT)
            f->v = (struct store_value){.kind = SV_TEXT}; /* not kept: text dies with the row */
    }
    return 1;
}

/* Adds name = v to q, which has room (the callers' queries hold few filters, or checked it). */
static void filter_int(const struct table_def *t, struct store_query *q, const char *name,
                       int64_t v)
{
    size_t i;
    if (q->nfilters >= STORE_QUERY_MAX_FILTERS)
        BUG("filter_int: no room for %s", name);
    table_field(t, name, &i);
    q->filters[q->nfilters++] =
        (struct store_filter){.field = i, .op = STORE_EQ, .value = {.kind = SV_INT, .i = v}};
}

/* The latest row of t (by sort field, then id) of survey and contact, into *f. */
static int latest_of(struct store *s, const char *table, const char *sort, int64_t survey,
                     int64_t contact, bool only_latest, struct first *f, struct kith_error *err)
{
    const struct table_def *t = model_table(table);
    struct store_query q = {.limit = 1, .descending = true};
    table_field(t, sort, &q.sort_field);
    filter_int(t, &q, "survey_id", survey);
    filter_int(t, &q, "contact_id", contact);
    if (only_latest)
        filter_int(t, &q, "latest", 1);
    const struct store_scope all = {.all = true};
    *f = (struct first){.t = t, .field = f->field};
    int rc = store_list(s, t, &q, &all, first_row, f, err);
    return rc < 0 ? rc : 0;
}

/* Whether contact is in the audience (alen bytes of filters of contacts). */
static int in_audience(struct api_request *req, const struct survey_copy *c, int64_t contact,
                       bool *in, struct api_response *res)
{
    *in = true;
    if (!c->audience || !c->alen)
        return 0;
    const struct table_def *t = model_table("contacts");
    struct store_query q = {.limit = 1};
    char *copy = strndup(c->audience, c->alen);
    struct kith_error err = {0};
    if (!copy) {
        api_error(res, 500, "internal", NULL, "out of memory");
        return KITH_ENOMEM;
    }
    int rc = 0;
    if (!resource_parse_filter_text(t, copy, &q, "audience", res)) {
        free(copy);
        return KITH_EINVAL; /* an audience that stopped parsing (a renamed column) */
    }
    if (q.nfilters >= STORE_QUERY_MAX_FILTERS) { /* written before the limit was checked */
        free(copy);
        api_error(res, 422, "invalid", "audience", "audience: at most %d filters",
                  STORE_QUERY_MAX_FILTERS - 1);
        return KITH_EINVAL;
    }
    filter_int(t, &q, "id", contact);
    struct first f = {.t = t};
    const struct store_scope all = {.all = true};
    rc = store_list(req->store, t, &q, &all, first_row, &f, &err);
    free(copy);
    if (rc < 0) {
        api_error_from(res, &err);
        return rc;
    }
    *in = f.found;
    return 0;
}

/*
 * The interaction type of an answer (docs/voice.md): by its NPS score the catalogue's
 * voc_nps_promoter (9-10), voc_nps_passive (7-8) or voc_nps_detractor (0-6); without one, a CSAT
 * answer is voc_ticket_csat; an answer of intents, wants or needs voc_needs_questionnaire; any
 * other voc_relationship_survey.
 */
static const char *answer_type_code(const struct survey_scores *sc)
{
    if (sc->nps >= 9)
        return "voc_nps_promoter";
    if (sc->nps >= 7)
        return "voc_nps_passive";
    if (sc->nps >= 0)
        return "voc_nps_detractor";
    if (sc->csat > 0)
        return "voc_ticket_csat";
    if (sc->intent[0] || sc->wants[0] || sc->needs[0])
        return "voc_needs_questionnaire";
    return "voc_relationship_survey";
}

static int type_by_code(struct api_request *req, const char *code, int64_t *id,
                        struct api_response *res)
{
    const struct table_def *t = model_table("interaction_types");
    struct store_query q = {.limit = 1};
    size_t i;
    table_field(t, "code", &i);
    q.filters[q.nfilters++] = (struct store_filter){
        .field = i, .op = STORE_EQ, .value = {.kind = SV_TEXT, .s = code, .len = strlen(code)}};
    struct first f = {.t = t};
    struct kith_error err = {0};
    const struct store_scope all = {.all = true};
    if (store_list(req->store, t, &q, &all, first_row, &f, &err) < 0) {
        api_error_from(res, &err);
        return err.code;
    }
    if (!f.found) {
        api_error(
            res, 409, "conflict", NULL,
            "the catalogue has no interaction type %s, which records survey answers"
            " (docs/voice.md): create it (POST /api/v1/interaction-types; the demo catalogue has"
            " it)",
            code);
        return KITH_ECONFLICT;
    }
    *id = f.id;
    return 0;
}

static int set_text(struct resource_row *row, const char *name, const char *s,
                    struct api_response *res)
{
    if (!s || !*s || resource_is_set(row, name))
        return 0;
    if (resource_set_text(row, name, s, strlen(s)) < 0) {
        api_error(res, 500, "internal", NULL, "out of memory");
        return KITH_ENOMEM;
    }
    return 0;
}

/* Records the answer's interaction (the interaction write path) and sets interaction_id. */
static int record_interaction(struct api_request *req, struct resource_row *row,
                              const struct survey_copy *c, const struct survey_scores *sc,
                              struct api_response *res)
{
    struct resource_row it = {.t = model_table("interactions")};
    int64_t type = 0, id = 0;
    char notes[300];
    int rc = type_by_code(req, answer_type_code(sc), &type, res);
    if (rc < 0)
        return rc;
    resource_set_int(&it, "contact_id", row->vals[resource_field(row, "contact_id")].i);
    resource_set_int(&it, "type_id", type);
    resource_set_int(&it, "occurred_at", row->vals[resource_field(row, "answered_at")].i);
    resource_set_text(&it, "direction", "inbound", 7);
    snprintf(notes, sizeof(notes), "answered the survey \"%.200s\"", c->name);
    if (resource_set_text(&it, "notes", notes, strlen(notes)) < 0) {
        resource_row_release(&it);
        api_error(res, 500, "internal", NULL, "out of memory");
        return KITH_ENOMEM;
    }
    rc = api_interaction_insert(req, &it, &id, res);
    resource_row_release(&it);
    if (rc == 0)
        resource_set_int(row, "interaction_id", id);
    return rc;
}

static int prepare_answer(const struct api_resource *r, struct api_request *req,
                          struct resource_row *row, bool create, struct api_response *res)
{
    (void)r, (void)create;
    struct kith_error err = {0};
    struct survey_copy c = {0};
    int64_t survey;
    int rc = path_survey(req, &survey, res);
    if (rc < 0)
        return rc;
    if (!resource_has(row, "contact_id")) {
        api_error(res, 422, "invalid", "contact_id", "contact_id: the contact who answers");
        return KITH_EINVAL;
    }
    if (!resource_has(row, "answers")) {
        api_error(res, 422, "invalid", "answers", "answers: {\"question id\": value, ...}");
        return KITH_EINVAL;
    }
    const int64_t contact = row->vals[resource_field(row, "contact_id")].i;
    const struct store_scope all = {.all = true};
    if ((rc = store_get(req->store, model_table("surveys"), survey, &all, read_survey, &c, &err)) <
        0) {
        if (!err.code) /* read_survey's own failure */
            kith_err(&err, rc, "out of memory reading survey %lld", (long long)survey);
        api_error_from(res, &err);
        goto out;
    }
    if (!resource_has(row, "answered_at"))
        resource_set_int(row, "answered_at", store_now_ms());
    const int64_t at = row->vals[resource_field(row, "answered_at")].i;
    if (at < c.opens_at || at >= c.closes_at) {
        api_error(res, 422, "invalid", "answered_at",
                  "answered_at: the survey \"%.100s\" is not open then", c.name);
        rc = KITH_EINVAL;
        goto out;
    }
    /* the contact must be one the caller may read before anything about it is said */
    struct store_scope read;
    api_scope(req->who, model_table("contacts"), false, &read);
    if ((rc = store_get(req->store, model_table("contacts"), contact, &read, NULL, NULL, &err)) <
        0) {
        if (rc == KITH_ENOTFOUND)
            api_error(res, 422, "invalid", "contact_id", "contact_id: no contact %lld",
                      (long long)contact);
        else
            api_error_from(res, &err);
        goto out;
    }
    struct first optin = {.field = "state"}, share = {.field = "share"};
    if ((rc = latest_of(req->store, "survey_optins", "recorded_at", survey, contact, false, &optin,
                        &err)) < 0) {
        api_error_from(res, &err);
        goto out;
    }
    /* the state is text: read it again as the share flag's row, by id */
    bool granted = false;
    if (optin.found) {
        const struct table_def *t = model_table("survey_optins");
        struct store_query q = {.limit = 1};
        size_t i;
        filter_int(t, &q, "id", optin.id);
        table_field(t, "state", &i);
        q.filters[q.nfilters++] = (struct store_filter){
            .field = i, .op = STORE_EQ, .value = {.kind = SV_TEXT, .s = "granted", .len = 7}};
        share = (struct first){.t = t, .field = "share"};
        if ((rc = store_list(req->store, t, &q, &all, first_row, &share, &err)) < 0) {
            api_error_from(res, &err);
            goto out;
        }
        granted = share.found;
    }
    if (!granted) {
        api_error(res, 403, "forbidden", "contact_id",
                  "contact_id: contact %lld has not opted in to the survey \"%.100s\" (record a"
                  " granted opt-in first: POST /api/v1/surveys/%lld/optins)",
                  (long long)contact, c.name, (long long)survey);
        rc = KITH_EINVAL;
        goto out;
    }
    bool in;
    if ((rc = in_audience(req, &c, contact, &in, res)) < 0)
        goto out;
    if (!in) {
        api_error(res, 422, "invalid", "contact_id",
                  "contact_id: contact %lld is not in the audience of the survey \"%.100s\"",
                  (long long)contact, c.name);
        rc = KITH_EINVAL;
        goto out;
    }
    struct survey_scores sc;
    const struct store_value *ans = &row->vals[resource_field(row, "answers")];
    json_t *answers = json_loadb(ans->s, ans->len, 0, NULL);
    rc = survey_answers_eval(c.questions ? c.questions : "", c.qlen, answers, &sc, &err);
    json_decref(answers);
    if (rc < 0) {
        api_error(res, 422, "invalid", "answers", "answers: %s", err.msg);
        goto out;
    }
    resource_set_int(row, "survey_id", survey);
    if (sc.nps >= 0)
        resource_set_int(row, "nps", sc.nps);
    if (sc.csat > 0)
        resource_set_int(row, "csat", sc.csat);
    resource_set_int(row, "confidential", !(share.v.kind == SV_INT && share.v.i));
    resource_set_int(row, "latest", 1);
    if (!resource_has(row, "type_id") && c.type_id)
        resource_set_int(row, "type_id", c.type_id);
    if (!resource_has(row, "product_id") && (c.product_id || sc.product_id))
        resource_set_int(row, "product_id", c.product_id ? c.product_id : sc.product_id);
    if ((rc = set_text(row, "channel", c.channel, res)) < 0 ||
        (rc = set_text(row, "touchpoint", c.touchpoint, res)) < 0 ||
        (rc = set_text(row, "intent", sc.intent, res)) < 0 ||
        (rc = set_text(row, "wants", sc.wants, res)) < 0 ||
        (rc = set_text(row, "needs", sc.needs, res)) < 0)
        goto out;
    /* the answer it updates stays, no longer the latest */
    struct first prev = {0};
    if ((rc = latest_of(req->store, "survey_responses", "answered_at", survey, contact, true, &prev,
                        &err)) < 0) {
        api_error_from(res, &err);
        goto out;
    }
    if (prev.found) {
        const struct table_def *t = model_table("survey_responses");
        struct store_value vals[RESOURCE_MAX_FIELDS] = {0};
        bool set[RESOURCE_MAX_FIELDS] = {0};
        size_t i;
        table_field(t, "latest", &i);
        vals[i] = (struct store_value){.kind = SV_INT, .i = 0};
        set[i] = true;
        if ((rc = store_update(req->store, t, prev.id, vals, set, &err)) < 0) {
            api_error_from(res, &err);
            goto out;
        }
        resource_set_int(row, "replaces_id", prev.id);
    }
    rc = record_interaction(req, row, &c, &sc, res);
out:
    survey_copy_release(&c);
    return rc;
}

/* Once committed: the answer's interaction goes to the RV engine. */
static int read_interaction_id(void *ctx, const struct store_value *vals)
{
    const struct store_value *v = col(model_table("survey_responses"), vals, "interaction_id");
    *(int64_t *)ctx = v->kind == SV_INT ? v->i : 0;
    return 0;
}

static void answer_committed(struct api_request *req, int64_t id, enum resource_change change)
{
    int64_t interaction = 0;
    struct kith_error err = {0};
    const struct store_scope all = {.all = true};
    if (store_get(req->store, model_table("survey_responses"), id, &all, read_interaction_id,
                  &interaction, &err) == 0 &&
        interaction > 0)
        rvstate_on_interaction(req, interaction, change);
}

static const char *const answer_body[] = {"contact_id", "answers", "answered_at", "channel",
                                          "touchpoint", "type_id", "product_id",  NULL};

static const struct api_resource answers = {.table = "survey_responses",
                                            .path = "/api/v1/survey-responses",
                                            .prepare = prepare_answer,
                                            .committed = answer_committed};

void api_survey_responses_create(struct api_request *req, struct api_response *res)
{
    resource_create_as(&answers, answer_body, prepare_answer, "create", req, res);
}

/* ---- the answers staff may see one by one --------------------------------------------- */

struct shown {
    json_t *items;
    size_t limit;
    int64_t last; /* id of the last item of the page */
    bool more;    /* a row beyond the page */
};

static int shown_row(void *ctx, const struct store_value *vals)
{
    struct shown *s = ctx;
    if (json_array_size(s->items) == s->limit) {
        s->more = true;
        return 0;
    }
    json_t *o = resource_row_json(model_table("survey_responses"), vals, NULL);
    s->last = vals[0].i;
    return o && json_array_append_new(s->items, o) == 0 ? 0 : KITH_ENOMEM;
}

/*
 * GET /api/v1/surveys/{id}/responses?limit=&after=: the latest shared answers by id, after the
 * answer id after; next_after is the id to pass for the next page (null on the last).
 */
void api_survey_responses_list(struct api_request *req, struct api_response *res)
{
    const struct table_def *t = model_table("survey_responses");
    int64_t survey, after = 0;
    size_t limit;
    struct store_scope read;
    struct kith_error err = {0};
    if (path_survey(req, &survey, res) < 0 || !resource_limit(req, &limit, res))
        return;
    const char *a = api_query(req, "after");
    if (a && num_int64(a, 0, INT64_MAX, &after, "after", &err) < 0) {
        api_error(res, 400, "bad_request", "after", "%s", err.msg);
        return;
    }
    if (api_scope(req->who, t, false, &read) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role may not read survey answers");
        return;
    }
    struct store_query q = {.limit = limit + 1, .after = after > 0, .after_id = after};
    filter_int(t, &q, "survey_id", survey);
    filter_int(t, &q, "latest", 1);
    filter_int(t, &q, "confidential", 0);
    struct shown s = {.items = json_array(), .limit = limit};
    if (!s.items || store_list(req->store, t, &q, &read, shown_row, &s, &err) < 0) {
        json_decref(s.items);
        if (err.code)
            api_error_from(res, &err);
        else
            api_error(res, 500, "internal", NULL, "out of memory");
        return;
    }
    json_t *body = json_pack("{s:o, s:o, s:s}", "items", s.items, "next_after",
                             s.more ? json_integer(s.last) : json_null(), "note",
                             "only the latest answers of contacts who share them; the others"
                             " count in the aggregates of /api/v1/voice/...");
    if (!body) {
        api_error(res, 500, "internal", NULL, "out of memory");
        return;
    }
    api_json(res, 200, body);
}
