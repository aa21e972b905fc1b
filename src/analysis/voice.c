/*
 * voice.c - the one parameter table of the analyses of the customer's voice (`kith voice` and
 * /api/v1/voice/...) and their run: the latest survey answers of the contacts in scope, grouped
 * by the chosen key, each group's NPS and CSAT with their intervals (engine/voice.h), groups of
 * fewer than k contacts suppressed (k: the min_k of the caller's role's privacy policy).
 * voice_report.c writes a report as JSON and as the CLI's table; docs/voice.md defines the
 * figures.
 */
#include "analysis/voice.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/rv.h"
#include "util/alloc.h"

#include "util/banned.h"

enum {
    G_SURVEYS = 1 << VOICE_SURVEYS,
    G_NPS = 1 << VOICE_NPS,
    G_PROMISE = 1 << VOICE_PROMISE,
    G_COMMUNITY = 1 << VOICE_COMMUNITY,
    G_MOMENTS = 1 << VOICE_MOMENTS,
    G_ANSWERS = G_SURVEYS | G_NPS | G_PROMISE, /* the analyses of survey answers */
    G_ALL = (1 << VOICE_NANALYSES) - 1,
};

/* In the order of enum voice_by. */
const char *const voice_bys[] = {"channel", "touchpoint", "type",    "unit", "partner", "product",
                                 "survey",  "month",      "quarter", "all",  NULL};

#define OFF(m) offsetof(struct voice_params, m)
static const struct param_spec specs[] = {
    {.name = "by",
     .type = PARAM_CHOICE,
     .choices = voice_bys,
     .def = "channel",
     .offset = OFF(by),
     .groups = G_NPS,
     .metavar = "GROUP",
     .help = "the grouping (type: the interaction type the survey followed; partner: the"
             " contact's partner, distributor or dealer unit)"},
    {.name = "from",
     .type = PARAM_TIME,
     .offset = OFF(from),
     .groups = G_ANSWERS | G_MOMENTS,
     .help = "answers (and, for promise, interactions) from this instant on (default: all);"
             " moments: the first period's start (default: the first interaction's day)"},
    {.name = "to",
     .type = PARAM_TIME,
     .offset = OFF(to),
     .groups = G_ANSWERS | G_MOMENTS,
     .help = "answers (and interactions) before this instant (default: all); moments: the end"
             " of the data used (default: just after the last interaction)"},
    {.name = "survey",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 9007199254740991.0, /* 2^53 - 1: exact as a double */
     .offset = OFF(survey),
     .groups = G_SURVEYS | G_NPS | G_PROMISE,
     .metavar = "ID",
     .help = "only the answers to this survey (default: every survey); surveys: this survey"
             " alone, with what the answers to each of its questions say"},
    {.name = "outcome",
     .type = PARAM_CHOICE,
     .choices = voice_moment_outcomes,
     .def = "rv",
     .offset = OFF(outcome),
     .groups = G_MOMENTS,
     .help = "what a moment changes: rv (RV gained), nps (NPS of the answers) or churn (notice"
             " given) in the window after it"},
    {.name = "period",
     .type = PARAM_INT,
     .lo = 7,
     .hi = 365,
     .def = "30",
     .offset = OFF(period),
     .groups = G_MOMENTS,
     .metavar = "DAYS",
     .help = "the length of the periods in which first occurrences are matched"},
    {.name = "window",
     .type = PARAM_INT,
     .lo = 7,
     .hi = 1095,
     .def = "180",
     .offset = OFF(window),
     .groups = G_MOMENTS,
     .metavar = "DAYS",
     .help = "the outcome is measured over this many days after the period"},
    {.name = "alpha",
     .type = PARAM_NUMBER,
     .lo = 0.001,
     .hi = 0.5,
     .def = "0.05",
     .offset = OFF(alpha),
     .groups = G_MOMENTS,
     .help = "the false discovery rate of the Benjamini-Hochberg procedure"},
    {.name = "min_treated",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1000000,
     .def = "20",
     .offset = OFF(min_treated),
     .groups = G_MOMENTS,
     .metavar = "N",
     .help = "candidates with fewer matched first occurrences are not tested (never fewer than"
             " the privacy policy's k)"},
    PARAM_SPEC_JSON(struct voice_params, G_ALL),
    PARAM_SPEC_DB(struct voice_params, G_ALL),
};

static const struct analysis_def defs[] = {
    [VOICE_SURVEYS] = {.name = "surveys",
                       .group = G_SURVEYS,
                       .route = "/api/v1/voice/surveys",
                       .summary = "each survey: opt-ins, answers, updates, NPS and CSAT (groups"
                                  " below k suppressed)"},
    [VOICE_NPS] = {.name = "nps",
                   .group = G_NPS,
                   .route = "/api/v1/voice/nps",
                   .summary = "NPS and CSAT per channel, touchpoint, type, unit, partner, product,"
                              " survey or period, with 95% intervals; groups below k suppressed"},
    [VOICE_PROMISE] = {.name = "promise",
                       .group = G_PROMISE,
                       .route = "/api/v1/voice/promise",
                       .summary = "is the brand promise kept across channels: NPS and CSAT per"
                                  " channel beside the channel's RV"},
    [VOICE_COMMUNITY] = {.name = "community",
                         .group = G_COMMUNITY,
                         .route = "/api/v1/voice/community",
                         .summary = "the community: contacts per derived role (leader, doer,"
                                    " watcher, none), ideas by status with their votes, ratings"
                                    " and verified purchases"},
    [VOICE_MOMENTS] = {.name = "moments",
                       .group = G_MOMENTS,
                       .route = "/api/v1/voice/moments",
                       .summary = "moments of truth: the interaction types and touchpoints whose"
                                  " first occurrence most changes later RV, NPS or churn, against"
                                  " matched contacts without them, with intervals"},
};

const struct analysis_family analysis_voice = {"voice", specs, sizeof(specs) / sizeof(specs[0]),
                                               defs, sizeof(defs) / sizeof(defs[0])};

const struct analysis_def *voice_def(enum voice_analysis a)
{
    if ((unsigned)a >= VOICE_NANALYSES)
        BUG("no voice analysis %d", (int)a);
    return &defs[a];
}

/* ---- grouping --------------------------------------------------------------------------- */

/* Periods in time order (their labels sort so); others by name, then id; "none" last. */
static int key_cmp(const struct voice_key *a, const struct voice_key *b)
{
    if (a->label[0] || b->label[0])
        return strcmp(a->label, b->label);
    const bool an = !a->id && !a->name, bn = !b->id && !b->name;
    if (an != bn)
        return an ? 1 : -1;
    int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
    if (c)
        return c;
    return (a->id > b->id) - (a->id < b->id);
}

static void period_label(int64_t ms, bool quarter, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
    struct tm tm;
    gmtime_r(&t, &tm);
    if (quarter)
        snprintf(out, size, "%04d-Q%d", tm.tm_year + 1900, tm.tm_mon / 3 + 1);
    else
        snprintf(out, size, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
}

static struct voice_key key_of(const struct voice_answer *a, enum voice_by by,
                               const struct voice_data *d)
{
    struct voice_key k = {0};
    switch (by) {
    case VOICE_BY_CHANNEL:
        k.name = a->channel;
        break;
    case VOICE_BY_TOUCHPOINT:
        k.name = a->touchpoint;
        break;
    case VOICE_BY_TYPE:
        k.id = a->type_id;
        k.name = a->type;
        break;
    case VOICE_BY_UNIT:
        k.id = a->unit_id;
        k.name = a->unit;
        break;
    case VOICE_BY_PARTNER:
        k.id = a->partner_id;
        k.name = a->partner;
        break;
    case VOICE_BY_PRODUCT:
        k.id = a->product_id;
        k.name = a->product;
        break;
    case VOICE_BY_SURVEY:
        k.id = a->survey_id;
        for (size_t i = 0; i < d->nsurveys; i++)
            if (d->surveys[i].id == a->survey_id)
                k.name = d->surveys[i].name;
        break;
    case VOICE_BY_MONTH:
    case VOICE_BY_QUARTER:
        period_label(a->answered_at, by == VOICE_BY_QUARTER, k.label, sizeof(k.label));
        break;
    case VOICE_BY_ALL:
        snprintf(k.label, sizeof(k.label), "all");
        break;
    }
    return k;
}

struct item {
    struct voice_key key;
    const struct voice_answer *a;
};

static int item_cmp(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    int c = key_cmp(&a->key, &b->key);
    if (c)
        return c;
    return (a->a->contact_id > b->a->contact_id) - (a->a->contact_id < b->a->contact_id);
}

static void finish(struct voice_cell *c, int64_t k)
{
    c->suppressed = c->contacts < k;
    voice_figures_of(&c->t, VOICE_Z, &c->f);
}

/* Groups the answers a[0..n) (those of survey when nonzero) by by into r->cells, and the total. */
static int group(struct voice_report *r, enum voice_by by, int64_t survey, struct kith_error *err)
{
    const struct voice_data *d = &r->d;
    struct item *items = alloc_array(d->n ? d->n : 1, sizeof(*items));
    if (!items)
        return kith_err(err, KITH_ENOMEM, "out of memory grouping %zu answers", d->n);
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        if (!survey || d->answers[i].survey_id == survey)
            items[n++] = (struct item){key_of(&d->answers[i], by, d), &d->answers[i]};
    qsort(items, n, sizeof(*items), item_cmp);
    r->cells = alloc_array(n ? n : 1, sizeof(*r->cells));
    if (!r->cells) {
        free(items);
        return kith_err(err, KITH_ENOMEM, "out of memory grouping %zu answers", n);
    }
    /* the total counts each contact once: answers are by contact, then id, in d */
    int64_t last_contact = 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct voice_answer *a = &d->answers[i];
        if (survey && a->survey_id != survey)
            continue;
        r->total.answers++;
        r->total.contacts += a->contact_id != last_contact;
        last_contact = a->contact_id;
        voice_tally_add(&r->total.t, a->nps, a->csat);
    }
    snprintf(r->total.key.label, sizeof(r->total.key.label), "all");
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || key_cmp(&items[i].key, &items[i - 1].key) != 0) {
            r->cells[r->n++] = (struct voice_cell){.key = items[i].key};
        } else if (items[i].a->contact_id == items[i - 1].a->contact_id) {
            struct voice_cell *c = &r->cells[r->n - 1];
            c->answers++;
            voice_tally_add(&c->t, items[i].a->nps, items[i].a->csat);
            continue;
        }
        struct voice_cell *c = &r->cells[r->n - 1];
        c->contacts++;
        c->answers++;
        voice_tally_add(&c->t, items[i].a->nps, items[i].a->csat);
    }
    free(items);
    for (size_t i = 0; i < r->n; i++)
        finish(&r->cells[i], r->k);
    finish(&r->total, r->k);
    return 0;
}

static int rv_cmp(const void *pa, const void *pb)
{
    const struct voice_channel_rv *a = pa, *b = pb;
    const struct voice_key ka = {.name = a->channel}, kb = {.name = b->channel};
    int c = key_cmp(&ka, &kb);
    return c ? c : (a->contact_id > b->contact_id) - (a->contact_id < b->contact_id);
}

static int int64_cmp(const void *pa, const void *pb)
{
    const int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

static int cell_cmp(const void *pa, const void *pb)
{
    return key_cmp(&((const struct voice_cell *)pa)->key, &((const struct voice_cell *)pb)->key);
}

/* promise: the channels' RV beside their answers (the union of both lists of channels). */
static int add_rv(struct voice_report *r, struct kith_error *err)
{
    struct voice_data *d = &r->d;
    qsort(d->rv, d->nrv, sizeof(*d->rv), rv_cmp);
    size_t extra = 0;
    for (size_t i = 0; i < d->nrv; i++)
        extra += i == 0 || rv_cmp(&(struct voice_channel_rv){.channel = d->rv[i].channel},
                                  &(struct voice_channel_rv){.channel = d->rv[i - 1].channel}) != 0;
    struct voice_cell *cells = alloc_array_grow(r->cells, r->n + extra + 1, sizeof(*cells));
    if (!cells)
        return kith_err(err, KITH_ENOMEM, "out of memory adding the channels' RV");
    r->cells = cells;
    const size_t nanswered = r->n;
    for (size_t i = 0; i < d->nrv; i++) {
        const struct voice_key k = {.name = d->rv[i].channel};
        struct voice_cell *c = NULL;
        for (size_t j = 0; j < r->n && !c; j++) /* few channels */
            if (key_cmp(&r->cells[j].key, &k) == 0)
                c = &r->cells[j];
        if (!c) {
            c = &r->cells[r->n++];
            *c = (struct voice_cell){.key = k};
            finish(c, r->k);
        }
        c->has_rv = true;
        c->rv += d->rv[i].rv;
        c->interactions += d->rv[i].interactions;
        c->rv_contacts += d->rv[i].interactions != 0;
        r->total.rv += d->rv[i].rv;
        r->total.interactions += d->rv[i].interactions;
    }
    /* contacts with interactions, once each, for the total */
    int64_t *seen = alloc_array(d->nrv ? d->nrv : 1, sizeof(*seen));
    if (!seen)
        return kith_err(err, KITH_ENOMEM, "out of memory adding the channels' RV");
    size_t ns = 0;
    for (size_t i = 0; i < d->nrv; i++)
        if (d->rv[i].interactions)
            seen[ns++] = d->rv[i].contact_id;
    qsort(seen, ns, sizeof(*seen), int64_cmp);
    for (size_t i = 0; i < ns; i++)
        r->total.rv_contacts += i == 0 || seen[i] != seen[i - 1];
    free(seen);
    r->total.has_rv = true;
    if (r->n > nanswered)
        qsort(r->cells, r->n, sizeof(*r->cells), cell_cmp);
    return 0;
}

/* ---- run -------------------------------------------------------------------------------- */

/* ---- one survey's questions ------------------------------------------------------------- */

/* The values a question's answers are counted in (struct voice_question). */
static size_t values_of(const char *kind, json_t *choices)
{
    if (strcmp(kind, "nps") == 0)
        return 11;
    if (strcmp(kind, "csat") == 0)
        return 5;
    if (strcmp(kind, "intent") == 0)
        return 2;
    if (strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0)
        return json_array_size(choices);
    return 0;
}

static size_t choice_index(json_t *choices, json_t *v)
{
    const char *s = json_string_value(v);
    for (size_t i = 0; s && i < json_array_size(choices); i++)
        if (strcmp(json_string_value(json_array_get(choices, i)), s) == 0)
            return i;
    return SIZE_MAX;
}

static void count_value(struct voice_question *q, json_t *v)
{
    size_t i = SIZE_MAX;
    if (strcmp(q->kind, "nps") == 0 && json_is_integer(v))
        i = (size_t)json_integer_value(v);
    else if (strcmp(q->kind, "csat") == 0 && json_is_integer(v))
        i = (size_t)(json_integer_value(v) - 1);
    else if (strcmp(q->kind, "intent") == 0 && json_is_boolean(v))
        i = json_is_true(v) ? 0 : 1;
    else if (strcmp(q->kind, "single") == 0)
        i = choice_index(q->choices, v);
    else if (strcmp(q->kind, "multiple") == 0 && json_is_array(v)) {
        size_t j;
        json_t *c;
        json_array_foreach(v, j, c)
        {
            size_t k = choice_index(q->choices, c);
            if (k < q->nvalues)
                q->counts[k]++;
        }
        return;
    }
    if (i < q->nvalues)
        q->counts[i]++;
}

/* One latest answer (store_voice_survey_answers()): checked when written, so a value outside
 * its question's values is not counted rather than refused. */
static int tally_answer(void *ctx, int64_t contact_id, const char *text, size_t len)
{
    (void)contact_id;
    struct voice_report *r = ctx;
    json_t *answers = json_loadb(text, len, 0, NULL);
    if (!json_is_object(answers)) {
        json_decref(answers);
        return 0;
    }
    for (size_t i = 0; i < r->nquestions; i++) {
        struct voice_question *q = &r->questions[i];
        json_t *v = json_object_get(answers, q->id);
        if (!v || json_is_null(v))
            continue;
        q->answered++;
        count_value(q, v);
    }
    json_decref(answers);
    return 0;
}

/* The questions of survey with what the latest answers of the scope's contacts in [from, to)
 * say, each suppressed below k. */
static int survey_questions(struct voice_report *r, const struct voice_scope *scope, int64_t from,
                            int64_t to, int64_t survey, struct kith_error *err)
{
    char *text = NULL;
    int rc = store_survey_questions(scope->store, survey, &text, err);
    if (rc < 0)
        return rc;
    r->questions_doc = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    json_t *items = json_object_get(r->questions_doc, "items");
    const size_t n = json_array_size(items);
    if (n) {
        r->questions = alloc_array_zero(n, sizeof(*r->questions));
        if (!r->questions)
            return kith_err(err, KITH_ENOMEM, "out of memory counting the answers");
    }
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(items, i);
        struct voice_question *q = &r->questions[r->nquestions++];
        q->id = json_string_value(json_object_get(item, "id"));
        q->kind = json_string_value(json_object_get(item, "kind"));
        q->text = json_string_value(json_object_get(item, "text"));
        if (!q->id || !q->kind)
            return kith_err(err, KITH_EINVAL, "survey %lld: question %zu has no id or kind",
                            (long long)survey, i + 1);
        q->choices = json_object_get(item, "choices");
        q->nvalues = values_of(q->kind, q->choices);
        if (q->nvalues && !(q->counts = alloc_array_zero(q->nvalues, sizeof(*q->counts))))
            return kith_err(err, KITH_ENOMEM, "out of memory counting the answers");
    }
    rc = store_voice_survey_answers(scope->store, survey, scope->scoped ? scope->contacts : NULL,
                                    scope->scoped ? scope->ncontacts : 0, from, to, tally_answer, r,
                                    err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < r->nquestions; i++)
        r->questions[i].suppressed = r->questions[i].answered < r->k;
    return 0;
}

static int bad(struct kith_error *err, const char **param, const char *name, const char *msg)
{
    *param = name;
    return kith_err(err, KITH_EINVAL, "%s", msg);
}

int voice_run(enum voice_analysis a, const struct voice_params *p, const struct voice_scope *scope,
              struct voice_report *out, struct kith_error *err, const char **param)
{
    memset(out, 0, sizeof(*out));
    *param = NULL;
    out->analysis = a;
    out->p = *p;
    out->has_from = param_given(&analysis_voice, p, "from");
    out->has_to = param_given(&analysis_voice, p, "to");
    out->has_survey = param_given(&analysis_voice, p, "survey");
    if (a == VOICE_COMMUNITY)
        return voice_community_run(scope, out, err);
    const int64_t from = out->has_from ? p->from : INT64_MIN, to = out->has_to ? p->to : INT64_MAX;
    if (out->has_from && out->has_to && to <= from)
        return bad(err, param, "to", "to must be after from");
    if (a == VOICE_MOMENTS && !scope->snap)
        return kith_err(err, KITH_EINVAL, "the moments of truth need the RV snapshot");
    /* k is the server's policy for the caller's role, never the request's */
    struct store_privacy_policy pol;
    snprintf(out->role, sizeof(out->role), "%s", scope->role ? scope->role : "admin");
    int rc = store_privacy_policy_get(scope->store, out->role, &pol, err);
    if (rc == KITH_ENOTFOUND)
        pol = rv_privacy_default;
    else if (rc < 0)
        return rc;
    out->k = pol.min_k;
    if (a == VOICE_MOMENTS)
        return voice_moments_run(p, scope, out, err, param);
    rc = store_voice_load(scope->store, scope->scoped ? scope->contacts : NULL,
                          scope->scoped ? scope->ncontacts : 0, from, to, a == VOICE_PROMISE,
                          &out->d, err);
    if (rc < 0)
        return rc;
    const int64_t survey = out->has_survey ? p->survey : 0;
    if (survey) {
        bool found = false;
        for (size_t i = 0; i < out->d.nsurveys && !found; i++)
            found = out->d.surveys[i].id == survey;
        if (!found) {
            voice_report_release(out);
            *param = "survey";
            return kith_err(err, KITH_ENOTFOUND, "there is no survey %lld", (long long)survey);
        }
    }
    switch (a) {
    case VOICE_SURVEYS:
        rc = group(out, VOICE_BY_SURVEY, 0, err);
        if (rc == 0 && survey)
            rc = survey_questions(out, scope, from, to, survey, err);
        break;
    case VOICE_NPS:
        rc = group(out, (enum voice_by)p->by, survey, err);
        break;
    case VOICE_PROMISE:
        rc = group(out, VOICE_BY_CHANNEL, survey, err);
        if (rc == 0)
            rc = add_rv(out, err);
        break;
    case VOICE_COMMUNITY: /* voice_community.c */
    case VOICE_MOMENTS:   /* voice_moments.c */
    case VOICE_NANALYSES:
        BUG("no voice analysis %d", (int)a);
    }
    if (rc < 0)
        voice_report_release(out);
    return rc;
}

void voice_report_release(struct voice_report *r)
{
    voice_data_release(&r->d);
    voice_moments_release(&r->moments);
    free(r->cells);
    for (size_t i = 0; i < r->nquestions; i++)
        free(r->questions[i].counts);
    free(r->questions);
    json_decref(r->questions_doc);
    memset(r, 0, sizeof(*r));
}
