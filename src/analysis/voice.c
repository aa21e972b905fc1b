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
    G_RATINGS = 1 << VOICE_RATINGS,
    G_IDEAS = 1 << VOICE_IDEAS,
    G_MOMENTS = 1 << VOICE_MOMENTS,
    G_ALIKE = 1 << VOICE_ALIKE,
    G_PATHS = 1 << VOICE_PATHS,
    G_DOSAY = 1 << VOICE_DOSAY,
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
    {.name = "outcome",
     .type = PARAM_CHOICE,
     .choices = voice_path_outcomes,
     .def = "purchase",
     .offset = OFF(outcome),
     .groups = G_PATHS,
     .metavar = "OUTCOME",
     .help = "where the paths lead: the first purchase (a sale), churn (a churn event) or a"
             " service outcome (an interaction of a --service-type)"},
    {.name = "step",
     .type = PARAM_CHOICE,
     .choices = voice_path_steps,
     .def = "channel",
     .offset = OFF(step),
     .groups = G_PATHS,
     .metavar = "STEP",
     .help = "what a step of a path is: the channel of an interaction's type, or the type"},
    {.name = "min_support",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1e9,
     .def = "10",
     .offset = OFF(min_support),
     .groups = G_PATHS,
     .metavar = "N",
     .help = "a path (or a step of the chart) is shown when at least N contacts took it"},
    {.name = "max_length",
     .type = PARAM_INT,
     .lo = 1,
     .hi = PATHS_MAX_LENGTH,
     .def = "5",
     .offset = OFF(max_length),
     .groups = G_PATHS,
     .metavar = "N",
     .help = "paths are cut after N steps (repeats of a step in a row count once)"},
    {.name = "contact",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 9007199254740991.0,
     .offset = OFF(contact),
     .groups = G_ALIKE | G_PATHS | G_DOSAY,
     .metavar = "ID",
     .help = "alike: the contact to find others like (or --account); paths: this contact's own"
             " path, every step; dosay: what this contact said and did"},
    {.name = "account",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 9007199254740991.0,
     .offset = OFF(account),
     .groups = G_ALIKE,
     .metavar = "ID",
     .help = "the account to find others like (or --contact)"},
    {.name = "k",
     .type = PARAM_INT,
     .lo = 1,
     .hi = ALIKE_K_MAX,
     .def = "20",
     .offset = OFF(k),
     .groups = G_ALIKE,
     .metavar = "N",
     .help = "how many of the most similar to show"},
    {.name = "evaluate",
     .type = PARAM_FLAG,
     .offset = OFF(evaluate),
     .groups = G_ALIKE,
     .cli_only = true,
     .help = "measure instead how well the neighbours' next purchases predict each account's"
             " last order (hit rate at 5 against the most popular products)"},
    {.name = "service_type",
     .type = PARAM_LIST,
     .hi = 16,
     .def = "cu_ticket_resolved",
     .offset = OFF(service_type),
     .groups = G_PATHS,
     .metavar = "CODE",
     .help = "an interaction type (code) whose first interaction is the service outcome"},
    {.name = "segment",
     .type = PARAM_CHOICE,
     .choices = voice_dosay_segments,
     .def = "unit",
     .offset = OFF(segment),
     .groups = G_DOSAY,
     .metavar = "SEGMENT",
     .help = "the segments compared: the contact's unit, team, rep (owner), its account's"
             " industry, territory or revenue band, its source, community role, or all"},
    {.name = "as_of",
     .type = PARAM_TIME,
     .offset = OFF(as_of),
     .groups = G_DOSAY,
     .help = "judge behaviour and intents' horizons at this instant (default: now); answers"
             " before it count"},
    {.name = "limit",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1000,
     .def = "100",
     .offset = OFF(limit),
     .groups = G_DOSAY | G_IDEAS,
     .metavar = "N",
     .help = "list at most N: dosay, disagreements one by one (of contacts who share their"
             " answers); ideas, the best scored"},
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
    [VOICE_ALIKE] = {.name = "alike",
                     .group = G_ALIKE,
                     .route = "/api/v1/voice/alike",
                     .summary = "someone like me: the k contacts or accounts most similar by"
                                " attributes, purchases and stated intent, what they bought next"
                                " and how their relationship went"},
    [VOICE_PATHS] = {.name = "paths",
                     .group = G_PATHS,
                     .route = "/api/v1/voice/paths",
                     .summary = "digital paths: the common sequences of channels or interaction"
                                " types from first touch to purchase, churn or a service outcome,"
                                " with conversion and median duration; or one contact's path"},
    [VOICE_DOSAY] = {.name = "dosay",
                     .group = G_DOSAY,
                     .route = "/api/v1/voice/dosay",
                     .summary = "do vs say: NPS and stated intent beside RV, sales and churn per"
                                " segment, and the contacts whose answers and behaviour disagree"},
    [VOICE_RATINGS] = {.name = "ratings",
                       .group = G_RATINGS,
                       .route = "/api/v1/voice/ratings",
                       .summary = "ratings per product: how many, mean stars, verified purchases"
                                  " and text reviews; products rated by fewer than k contacts"
                                  " suppressed"},
    [VOICE_IDEAS] = {.name = "ideas",
                     .group = G_IDEAS,
                     .route = "/api/v1/voice/ideas",
                     .summary = "the community's ideas: how many in each status, votes, and the"
                                " best scored (up minus down votes) with their status"},
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

/* The UTC civil date of day z since 1970-01-01 (H. Hinnant's days_to_civil): year and month. */
static void civil_of(int64_t z, int64_t *year, int *month)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

/* The period of an instant: months (or quarters) since year 0, in time order. */
static int64_t period_of(int64_t ms, bool quarter)
{
    int64_t day = ms / 86400000 - (ms % 86400000 < 0), year;
    int month;
    civil_of(day, &year, &month);
    return quarter ? year * 4 + (month - 1) / 3 : year * 12 + month - 1;
}

static void period_label(int64_t period, bool quarter, char *out, size_t size)
{
    const int64_t per_year = quarter ? 4 : 12;
    const int64_t year = period / per_year - (period % per_year < 0);
    const int m = (int)(period - year * per_year) + 1; /* 1..4 or 1..12 */
    if (quarter)
        snprintf(out, size, "%04lld-Q%c", (long long)year, (char)('0' + m % 10));
    else
        snprintf(out, size, "%04lld-%c%c", (long long)year, (char)('0' + m / 10 % 10),
                 (char)('0' + m % 10));
}

/* The dimension of a grouping, or -1 (survey, periods, all). */
static int dim_of(enum voice_by by)
{
    switch (by) {
    case VOICE_BY_CHANNEL:
        return VOICE_DIM_CHANNEL;
    case VOICE_BY_TOUCHPOINT:
        return VOICE_DIM_TOUCHPOINT;
    case VOICE_BY_TYPE:
        return VOICE_DIM_TYPE;
    case VOICE_BY_UNIT:
        return VOICE_DIM_UNIT;
    case VOICE_BY_PARTNER:
        return VOICE_DIM_PARTNER;
    case VOICE_BY_PRODUCT:
        return VOICE_DIM_PRODUCT;
    case VOICE_BY_SURVEY:
    case VOICE_BY_MONTH:
    case VOICE_BY_QUARTER:
    case VOICE_BY_ALL:
        break;
    }
    return -1;
}

static int64_t survey_index(const struct voice_data *d, int64_t id)
{
    size_t lo = 0, hi = d->nsurveys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->surveys[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->nsurveys && d->surveys[lo].id == id ? (int64_t)lo : -1;
}

/*
 * The cell of answer i among the cells of grouping by: 0 is "none", then the values of the
 * dimension (or the surveys, or the periods from period0) in index order. One array lookup per
 * answer for every grouping but the periods, which take a little date arithmetic.
 */
static size_t cell_of(const struct voice_data *d, size_t i, enum voice_by by, int64_t period0,
                      int64_t *last_survey, int64_t *last_index)
{
    const int dim = dim_of(by);
    if (dim >= 0)
        return (size_t)(d->a.key[dim][i] + 1);
    switch (by) {
    case VOICE_BY_SURVEY:
        if (d->a.survey_id[i] != *last_survey) {
            *last_survey = d->a.survey_id[i];
            *last_index = survey_index(d, d->a.survey_id[i]);
        }
        return (size_t)(*last_index + 1);
    case VOICE_BY_MONTH:
    case VOICE_BY_QUARTER:
        return (size_t)(period_of(d->a.answered_at[i], by == VOICE_BY_QUARTER) - period0 + 1);
    default:
        return 1;
    }
}

/* The key of cell i of grouping by (see cell_of()); names point into d. */
static struct voice_key key_at(size_t i, enum voice_by by, const struct voice_data *d,
                               int64_t period0)
{
    struct voice_key k = {0};
    const int dim = dim_of(by);
    if (dim >= 0) {
        if (i > 0) {
            k.id = d->names[dim].id[i - 1];
            k.name = d->names[dim].name[i - 1];
        }
        return k;
    }
    switch (by) {
    case VOICE_BY_SURVEY:
        if (i > 0) {
            k.id = d->surveys[i - 1].id;
            k.name = d->surveys[i - 1].name;
        }
        break;
    case VOICE_BY_MONTH:
    case VOICE_BY_QUARTER:
        period_label(period0 + (int64_t)i - 1, by == VOICE_BY_QUARTER, k.label, sizeof(k.label));
        break;
    default:
        snprintf(k.label, sizeof(k.label), "all");
        break;
    }
    return k;
}

static void finish(struct voice_cell *c, int64_t k)
{
    c->suppressed = c->contacts < k;
    voice_figures_of(&c->t, VOICE_Z, &c->f);
}

static int cell_cmp(const void *pa, const void *pb);

/* A group's counts while the answers pass: scores by histogram (index score + 1; 0 none). */
struct acc {
    int64_t nps[12], csat[6];
    int64_t answers, contacts, last;
};

static void add(struct acc *c, int64_t contact, int8_t nps, int8_t csat)
{
    c->answers++;
    c->contacts += c->last != contact;
    c->last = contact;
    c->nps[nps + 1]++;
    c->csat[csat]++;
}

static void tally_of(const struct acc *c, struct voice_cell *out)
{
    struct voice_hist h;
    memcpy(h.nps, c->nps + 1, sizeof(h.nps));
    memcpy(h.csat, c->csat + 1, sizeof(h.csat));
    voice_tally_of_hist(&h, &out->t);
    out->answers = c->answers;
    out->contacts = c->contacts;
}

/*
 * In one pass over the answers each goes to its cell by index (cell_of()), and since a
 * contact's answers are together (d is by contact) a cell counts a contact when its last one
 * differs. Then the cells with answers are kept, keyed and sorted (voice.h).
 */
int voice_report_group(struct voice_report *r, enum voice_by by, int64_t survey,
                       struct kith_error *err)
{
    const struct voice_data *d = &r->d;
    const struct voice_answers *a = &d->a;
    const bool periods = by == VOICE_BY_MONTH || by == VOICE_BY_QUARTER;
    int64_t period0 = 0, period1 = 0;
    size_t ncells = 2;
    const int dim = dim_of(by);
    if (dim >= 0)
        ncells = d->names[dim].n + 1;
    else if (by == VOICE_BY_SURVEY)
        ncells = d->nsurveys + 1;
    else if (periods) {
        bool any = false;
        for (size_t i = 0; i < d->n; i++) {
            if (survey && a->survey_id[i] != survey)
                continue;
            const int64_t p = period_of(a->answered_at[i], by == VOICE_BY_QUARTER);
            period0 = any && period0 < p ? period0 : p;
            period1 = any && period1 > p ? period1 : p;
            any = true;
        }
        ncells = (size_t)(period1 - period0) + 2;
    }
    struct acc *acc = alloc_array_zero(ncells, sizeof(*acc));
    struct voice_cell *cells = alloc_array_zero(ncells, sizeof(*cells));
    if (!acc || !cells) {
        free(acc);
        free(cells);
        return kith_err(err, KITH_ENOMEM, "out of memory grouping %zu answers", d->n);
    }
    struct acc total = {0};
    if (dim >= 0 && !survey) {
        /* the common case, by channel, unit, ...: four columns read, no branch but the contact */
        const int32_t *key = a->key[dim];
        for (size_t i = 0; i < d->n; i++) {
            add(&total, a->contact_id[i], a->nps[i], a->csat[i]);
            add(&acc[key[i] + 1], a->contact_id[i], a->nps[i], a->csat[i]);
        }
    } else {
        int64_t last_survey = 0, last_index = -1;
        for (size_t i = 0; i < d->n; i++) {
            if (survey && a->survey_id[i] != survey)
                continue;
            add(&total, a->contact_id[i], a->nps[i], a->csat[i]);
            const size_t ci = cell_of(d, i, by, period0, &last_survey, &last_index);
            add(&acc[ci], a->contact_id[i], a->nps[i], a->csat[i]);
        }
    }
    tally_of(&total, &r->total);
    snprintf(r->total.key.label, sizeof(r->total.key.label), "all");
    r->n = 0;
    for (size_t i = 0; i < ncells; i++) {
        if (!acc[i].answers)
            continue;
        struct voice_cell *c = &cells[r->n++];
        tally_of(&acc[i], c);
        c->key = key_at(i, by, d, period0);
    }
    free(acc);
    r->cells = cells;
    qsort(r->cells, r->n, sizeof(*r->cells), cell_cmp);
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
    if (a == VOICE_ALIKE)
        return voice_alike_run(p, scope, out, err, param);
    if (a == VOICE_PATHS)
        return voice_paths_run(p, scope, out, err, param);
    if (a == VOICE_DOSAY)
        return voice_dosay_run(p, scope, out, err, param);
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
    if (a == VOICE_RATINGS || a == VOICE_IDEAS)
        return voice_ratings_run(a, scope, out, err);
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
        rc = voice_report_group(out, VOICE_BY_SURVEY, 0, err);
        if (rc == 0 && survey)
            rc = survey_questions(out, scope, from, to, survey, err);
        break;
    case VOICE_NPS:
        rc = voice_report_group(out, (enum voice_by)p->by, survey, err);
        break;
    case VOICE_PROMISE:
        rc = voice_report_group(out, VOICE_BY_CHANNEL, survey, err);
        if (rc == 0)
            rc = add_rv(out, err);
        break;
    case VOICE_COMMUNITY: /* voice_community.c */
    case VOICE_RATINGS:   /* voice_ratings.c */
    case VOICE_IDEAS:     /* voice_ratings.c */
    case VOICE_MOMENTS:   /* voice_moments.c */
    case VOICE_ALIKE:     /* voice_alike.c */
    case VOICE_PATHS:     /* voice_paths.c */
    case VOICE_DOSAY:     /* voice_dosay.c */
    case VOICE_NANALYSES:
        BUG("no voice analysis %d", (int)a);
    }
    if (rc < 0)
        voice_report_release(out);
    return rc;
}

void voice_report_release(struct voice_report *r)
{
    voice_alike_release(&r->alike);
    voice_ratings_release(r);
    voice_data_release(&r->d);
    voice_moments_release(&r->moments);
    voice_paths_release(&r->paths);
    voice_dosay_release(&r->dosay);
    free(r->cells);
    for (size_t i = 0; i < r->nquestions; i++)
        free(r->questions[i].counts);
    free(r->questions);
    json_decref(r->questions_doc);
    memset(r, 0, sizeof(*r));
}
