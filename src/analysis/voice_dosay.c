/*
 * voice_dosay.c - `voice dosay`: do vs say. For the contacts of the caller's scope with a latest
 * survey answer, their latest NPS and the intents they stated beside what their relationship did
 * after it (engine/dosay.h, on the RV snapshot), per segment with groups below k suppressed, and
 * the disagreements one by one for the answers their contacts share. Its JSON (one shape for
 * `kith voice dosay --json` and GET /api/v1/voice/dosay) and table. docs/voice.md ("Do vs say")
 * defines the rules.
 */
#include "analysis/voice.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/rv.h"
#include "engine/norm.h"
#include "io/rv_json.h"
#include "util/alloc.h"
#include "util/timefmt.h"

#include "util/banned.h"

/* In the order of the choices; the norm dimension of each. */
const char *const voice_dosay_segments[] = {"unit",      "team",   "rep",          "industry",
                                            "territory", "source", "revenue_band", "community",
                                            "all",       NULL};
static const enum norm_dim segment_dims[] = {NORM_UNIT,     NORM_TEAM,      NORM_REP,
                                             NORM_INDUSTRY, NORM_TERRITORY, NORM_SOURCE,
                                             NORM_BAND,     NORM_COMMUNITY, NORM_ALL};

#define DOSAY_DEFAULT_HORIZON 12 /* months, for an intent without horizon_months */

void voice_dosay_release(struct voice_dosay *d)
{
    free(d->cells);
    free(d->rows);
    memset(d, 0, sizeof(*d));
}

/* ms plus months calendar months (UTC), the day cut to the month's last. */
static int64_t add_months(int64_t ms, int64_t months)
{
    time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
    struct tm tm;
    gmtime_r(&t, &tm);
    int64_t m = (int64_t)tm.tm_year * 12 + tm.tm_mon + months;
    int64_t y = m / 12 + 1900;
    int mon = (int)(m % 12) + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = mdays[mon - 1] + (mon == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    int day = tm.tm_mday > last ? last : tm.tm_mday;
    int64_t day_ms = ((int64_t)tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) * 1000 +
                     (ms % 1000 + 1000) % 1000;
    return timefmt_days_from_civil(y, mon, day) * 86400000LL + day_ms;
}

/* Sale lines by contact (contact_id != 0) and by account (contact_id == 0). */
struct lines {
    struct dosay_line *by_contact, *by_account;
    size_t nc, na;
};

static int line_contact_cmp(const void *pa, const void *pb)
{
    const struct dosay_line *a = pa, *b = pb;
    return (a->contact_id > b->contact_id) - (a->contact_id < b->contact_id);
}

static int line_account_cmp(const void *pa, const void *pb)
{
    const struct dosay_line *a = pa, *b = pb;
    return (a->account_id > b->account_id) - (a->account_id < b->account_id);
}

/* The range of lines whose field (contact or account) is id. */
static void range_of(const struct dosay_line *v, size_t n, bool by_contact, int64_t id,
                     size_t *lo_out, size_t *hi_out)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((by_contact ? v[mid].contact_id : v[mid].account_id) < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < n && (by_contact ? v[end].contact_id : v[end].account_id) == id)
        end++;
    *lo_out = lo;
    *hi_out = end;
}

static bool intent_met(const struct lines *L, const struct dosay_intent *in)
{
    size_t lo, hi;
    range_of(L->by_contact, L->nc, true, in->contact_id, &lo, &hi);
    if (dosay_intent_met(in, L->by_contact + lo, hi - lo))
        return true;
    if (!in->account_id)
        return false;
    range_of(L->by_account, L->na, false, in->account_id, &lo, &hi);
    return dosay_intent_met(in, L->by_account + lo, hi - lo);
}

/* ---- the run ------------------------------------------------------------------------------ */

struct run {
    struct voice_report *r;
    const struct rv_snapshot *s;
    struct store *store;
    enum norm_dim dim;
    int32_t as_of_t;
    struct lines lines;
    struct dosay_index ix;
    size_t rowcap;
};

static struct voice_dosay_cell *cell_of(struct run *x, size_t c, struct kith_error *err)
{
    struct voice_dosay *d = &x->r->dosay;
    int32_t key = -1;
    if (x->dim == NORM_ALL)
        key = 0;
    else if (!norm_attribute_key(x->s, x->dim, c, &key))
        key = -1;
    for (size_t i = 0; i < d->ncells; i++)
        if (d->cells[i].key == key)
            return &d->cells[i];
    struct voice_dosay_cell *cells = alloc_array_grow(d->cells, d->ncells + 1, sizeof(*cells));
    if (!cells) {
        kith_err(err, KITH_ENOMEM, "out of memory grouping the segments");
        return NULL;
    }
    d->cells = cells;
    struct voice_dosay_cell *cell = &d->cells[d->ncells++];
    memset(cell, 0, sizeof(*cell));
    cell->key = key;
    if (x->dim == NORM_ALL) {
        snprintf(cell->name, sizeof(cell->name), "all");
    } else if (key < 0) {
        snprintf(cell->name, sizeof(cell->name), "none");
    } else {
        char buf[128];
        snprintf(cell->name, sizeof(cell->name), "%s",
                 norm_key_label(x->s, x->dim, key, buf, sizeof(buf)));
        cell->id = norm_key_id(x->s, x->dim, key);
    }
    return cell;
}

static int add_row(struct run *x, const struct voice_dosay_row *row, struct kith_error *err)
{
    struct voice_dosay *d = &x->r->dosay;
    d->nlisted++;
    if (d->nrows == x->rowcap) {
        size_t cap = x->rowcap ? x->rowcap * 2 : 64;
        struct voice_dosay_row *rows = alloc_array_grow(d->rows, cap, sizeof(*rows));
        if (!rows)
            return kith_err(err, KITH_ENOMEM, "out of memory listing the disagreements");
        d->rows = rows;
        x->rowcap = cap;
    }
    d->rows[d->nrows++] = *row;
    return 0;
}

/* Counts the intents contact c answered true in answer a into cell, and lists those whose
 * horizon passed without such a sale when the answer is shared. */
static int each_intent(struct run *x, const struct store_dosay_answer *a, size_t c,
                       struct voice_dosay_cell *cell, struct kith_error *err)
{
    json_t *qs = a->questions ? json_loads(a->questions, 0, NULL) : NULL;
    json_t *ans = a->answers ? json_loads(a->answers, 0, NULL) : NULL;
    json_t *items = json_object_get(qs, "items");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(items); i++) {
        json_t *q = json_array_get(items, i);
        const char *kind = json_string_value(json_object_get(q, "kind"));
        const char *qid = json_string_value(json_object_get(q, "id"));
        if (!kind || strcmp(kind, "intent") != 0 || !qid ||
            !json_is_true(json_object_get(ans, qid)))
            continue;
        json_t *h = json_object_get(q, "horizon_months");
        const int64_t months = json_is_integer(h) ? json_integer_value(h) : DOSAY_DEFAULT_HORIZON;
        json_t *pj = json_object_get(q, "product_id");
        const char *cat = json_string_value(json_object_get(q, "category"));
        const struct dosay_intent in = {
            .contact_id = a->contact_id,
            .account_id = x->s->account[c] >= 0 ? x->s->account_id[x->s->account[c]] : 0,
            .at = a->answered_at,
            .due = add_months(a->answered_at, months),
            .product_id = json_is_integer(pj) ? json_integer_value(pj) : 0,
            .category = cat};
        cell->intents++;
        const bool due = in.due <= x->r->dosay.as_of, met = due && intent_met(&x->lines, &in);
        struct voice_dosay *d = &x->r->dosay;
        if (d->one && a->shared && d->nintents < VOICE_DOSAY_MAX_INTENTS) {
            struct voice_dosay_intent *vi = &d->intents[d->nintents++];
            const char *text = json_string_value(json_object_get(q, "text"));
            snprintf(vi->text, sizeof(vi->text), "%s", text ? text : "");
            vi->at = in.at;
            vi->due = in.due;
            vi->horizon = months;
            vi->status = !due ? 0 : met ? 1 : 2;
        }
        if (!due)
            continue;
        cell->due++;
        if (met) {
            cell->met++;
            continue;
        }
        cell->exceptions[DOSAY_INTENT_UNMET]++;
        if (!a->shared)
            continue;
        cell->listed++;
        struct voice_dosay_row row = {.contact_id = a->contact_id,
                                      .cell = (int32_t)(cell - x->r->dosay.cells),
                                      .rule = DOSAY_INTENT_UNMET,
                                      .survey_id = a->survey_id,
                                      .answered_at = a->answered_at,
                                      .nps = -1,
                                      .horizon = months,
                                      .due = in.due,
                                      .product_id = in.product_id};
        snprintf(row.survey, sizeof(row.survey), "%s", a->survey ? a->survey : "");
        snprintf(row.intent, sizeof(row.intent), "%s",
                 json_string_value(json_object_get(q, "text"))
                     ? json_string_value(json_object_get(q, "text"))
                     : "");
        snprintf(row.category, sizeof(row.category), "%s", cat ? cat : "");
        dosay_behaviour_of(x->s, &x->ix, c, rv_time_from_ms(a->answered_at), x->as_of_t, &row.b);
        rc = add_row(x, &row, err);
    }
    json_decref(qs);
    json_decref(ans);
    return rc;
}

/* One contact's answers a[0..n) (by answered_at). */
static int one_contact(struct run *x, const struct store_dosay_answer *a, size_t n,
                       struct kith_error *err)
{
    const int32_t ci = rv_snapshot_contact(x->s, a[0].contact_id);
    if (ci < 0)
        return 0;
    const size_t c = (size_t)ci;
    struct voice_dosay_cell *cell = cell_of(x, c, err);
    if (!cell)
        return KITH_ENOMEM;
    struct voice_dosay *d = &x->r->dosay;
    cell->contacts++;
    if (d->one)
        for (size_t i = 0; i < n; i++)
            *(a[i].shared ? &d->shared_answers : &d->hidden_answers) += 1;
    const struct store_dosay_answer *last = NULL;
    for (size_t i = 0; i < n; i++)
        if (a[i].nps >= 0)
            last = &a[i];
    if (last) {
        struct dosay_behaviour b;
        dosay_behaviour_of(x->s, &x->ix, c, rv_time_from_ms(last->answered_at), x->as_of_t, &b);
        voice_tally_add(&cell->t, last->nps, 0);
        cell->nps_contacts++;
        cell->buying += b.sales > 0;
        cell->churned += b.churned != RV_TIME_MAX;
        cell->rv += b.rv;
        if (d->one && last->shared) {
            d->has_nps = true;
            d->nps = last->nps;
            d->nps_at = last->answered_at;
            snprintf(d->nps_survey, sizeof(d->nps_survey), "%s", last->survey ? last->survey : "");
            d->b = b;
        }
        const unsigned rules = dosay_nps_rules(last->nps, &b);
        for (int r = 0; r < DOSAY_NRULES; r++) {
            if (!(rules & (1u << r)))
                continue;
            cell->exceptions[r]++;
            if (!last->shared)
                continue;
            cell->listed++;
            struct voice_dosay_row row = {.contact_id = last->contact_id,
                                          .cell = (int32_t)(cell - d->cells),
                                          .rule = r,
                                          .survey_id = last->survey_id,
                                          .answered_at = last->answered_at,
                                          .nps = last->nps,
                                          .b = b};
            snprintf(row.survey, sizeof(row.survey), "%s", last->survey ? last->survey : "");
            int rc = add_row(x, &row, err);
            if (rc < 0)
                return rc;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int rc = each_intent(x, &a[i], c, cell, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int cell_cmp(const void *pa, const void *pb)
{
    const struct voice_dosay_cell *a = pa, *b = pb;
    if ((a->key < 0) != (b->key < 0))
        return a->key < 0 ? 1 : -1;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->key > b->key) - (a->key < b->key);
}

static int row_cmp(const void *pa, const void *pb)
{
    const struct voice_dosay_row *a = pa, *b = pb;
    if (a->rule != b->rule)
        return a->rule - b->rule;
    if (a->contact_id != b->contact_id)
        return (a->contact_id > b->contact_id) - (a->contact_id < b->contact_id);
    return (a->answered_at > b->answered_at) - (a->answered_at < b->answered_at);
}

static void finish(struct voice_dosay_cell *c, int64_t k)
{
    c->suppressed = c->contacts < k;
    voice_figures_of(&c->t, VOICE_Z, &c->f);
}

static void merge(struct voice_dosay_cell *t, const struct voice_dosay_cell *c)
{
    t->contacts += c->contacts;
    voice_tally_merge(&t->t, &c->t);
    t->intents += c->intents;
    t->due += c->due;
    t->met += c->met;
    t->nps_contacts += c->nps_contacts;
    t->buying += c->buying;
    t->churned += c->churned;
    t->rv += c->rv;
    for (int r = 0; r < DOSAY_NRULES; r++)
        t->exceptions[r] += c->exceptions[r];
    t->listed += c->listed;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int voice_dosay_run(const struct voice_params *p, const struct voice_scope *scope,
                    struct voice_report *out, struct kith_error *err, const char **param)
{
    struct voice_dosay *d = &out->dosay;
    const struct rv_snapshot *s = scope->snap;
    if (!s)
        BUG("voice dosay without the RV snapshot");
    d->segment = p->segment;
    d->as_of = param_given(&analysis_voice, p, "as_of") ? p->as_of : now_ms();
    d->limit = p->limit;
    struct run x = {.r = out,
                    .s = s,
                    .store = scope->store,
                    .dim = segment_dims[p->segment],
                    .as_of_t = rv_time_from_ms(d->as_of)};
    /* k is the server's policy for the caller's role, as for NPS */
    struct store_privacy_policy pol;
    snprintf(out->role, sizeof(out->role), "%s", scope->role ? scope->role : "admin");
    int rc = store_privacy_policy_get(scope->store, out->role, &pol, err);
    if (rc == KITH_ENOTFOUND)
        pol = rv_privacy_default;
    else if (rc < 0)
        return rc;
    out->k = pol.min_k;
    const int64_t *ids = scope->scoped ? scope->contacts : NULL;
    size_t nids = scope->scoped ? scope->ncontacts : 0;
    if (param_given(&analysis_voice, p, "contact")) {
        bool in = rv_snapshot_contact(s, p->contact) >= 0;
        for (size_t i = 0; in && scope->scoped && i < scope->ncontacts; i++)
            if (scope->contacts[i] == p->contact)
                break;
            else if (i + 1 == scope->ncontacts)
                in = false;
        if (in && scope->scoped && !scope->ncontacts)
            in = false;
        if (!in) {
            *param = "contact";
            return kith_err(err, KITH_ENOTFOUND, "there is no contact %lld (that you may read)",
                            (long long)p->contact);
        }
        d->one = true;
        d->contact_id = p->contact;
        ids = &d->contact_id;
        nids = 1;
        if (store_rv_contact_name(scope->store, d->contact_id, d->contact, sizeof(d->contact),
                                  err) < 0)
            d->contact[0] = '\0';
    }
    struct store_dosay_data data;
    rc = store_dosay_load(scope->store, ids, nids, d->as_of, &data, err);
    if (rc < 0)
        return rc;
    x.lines.by_contact = alloc_array(data.nlines ? data.nlines : 1, sizeof(struct dosay_line));
    x.lines.by_account = alloc_array(data.nlines ? data.nlines : 1, sizeof(struct dosay_line));
    if (!x.lines.by_contact || !x.lines.by_account) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory reading the sales");
        goto out_free;
    }
    for (size_t i = 0; i < data.nlines; i++) {
        const struct store_dosay_line *l = &data.lines[i];
        const struct dosay_line dl = {l->contact_id, l->account_id, l->ordered_at, l->product_id,
                                      l->category};
        if (l->contact_id)
            x.lines.by_contact[x.lines.nc++] = dl;
        else
            x.lines.by_account[x.lines.na++] = dl;
    }
    if ((rc = dosay_index_build(s, &x.ix, err)) < 0)
        goto out_free;
    qsort(x.lines.by_contact, x.lines.nc, sizeof(struct dosay_line), line_contact_cmp);
    qsort(x.lines.by_account, x.lines.na, sizeof(struct dosay_line), line_account_cmp);
    for (size_t i = 0; i < data.n;) {
        size_t j = i;
        while (j < data.n && data.answers[j].contact_id == data.answers[i].contact_id)
            j++;
        if ((rc = one_contact(&x, &data.answers[i], j - i, err)) < 0)
            goto out_free;
        i = j;
    }
    /* the rows point at cells by index: number them after sorting */
    int32_t *renum = alloc_array(d->ncells ? d->ncells : 1, sizeof(*renum));
    if (!renum) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory sorting the segments");
        goto out_free;
    }
    for (size_t i = 0; i < d->ncells; i++)
        d->cells[i].id = (int64_t)i << 32 | (uint32_t)d->cells[i].id; /* keep the old index */
    if (d->ncells)
        qsort(d->cells, d->ncells, sizeof(*d->cells), cell_cmp);
    for (size_t i = 0; i < d->ncells; i++) {
        renum[d->cells[i].id >> 32] = (int32_t)i;
        d->cells[i].id &= 0xffffffff;
    }
    for (size_t i = 0; i < d->nrows; i++)
        d->rows[i].cell = renum[d->rows[i].cell];
    free(renum);
    snprintf(d->total.name, sizeof(d->total.name), "all");
    for (size_t i = 0; i < d->ncells; i++) {
        merge(&d->total, &d->cells[i]);
        finish(&d->cells[i], out->k);
    }
    finish(&d->total, out->k);
    if (d->nrows) /* rows is NULL when nothing was listed */
        qsort(d->rows, d->nrows, sizeof(*d->rows), row_cmp);
    if (d->nrows > (size_t)d->limit)
        d->nrows = (size_t)d->limit;
    for (size_t i = 0; i < d->nrows; i++)
        if (store_rv_contact_name(scope->store, d->rows[i].contact_id, d->rows[i].contact,
                                  sizeof(d->rows[i].contact), err) < 0)
            d->rows[i].contact[0] = '\0';
    rc = 0;
out_free:
    dosay_index_release(&x.ix);
    free(x.lines.by_contact);
    free(x.lines.by_account);
    store_dosay_release(&data);
    if (rc < 0)
        voice_report_release(out);
    return rc;
}

/* ---- JSON --------------------------------------------------------------------------------- */

static json_t *count(bool hide, int64_t v)
{
    return hide ? json_null() : json_integer(v);
}

static json_t *cell_json(const struct voice_dosay_cell *c)
{
    const bool h = c->suppressed;
    json_t *o = json_object(), *key = json_object(), *nps = json_object(), *intents = json_object(),
           *did = json_object(), *ex = json_object();
    if (!o || !key || !nps || !intents || !did || !ex || !rvjson_put(o, "key", key) ||
        !rvjson_put(o, "suppressed", json_boolean(h))) {
        json_decref(key);
        json_decref(nps);
        json_decref(intents);
        json_decref(did);
        json_decref(ex);
        return rvjson_fail(o);
    }
    if (!rvjson_put(key, "id", c->id ? json_integer(c->id) : json_null()) ||
        !rvjson_put(key, "name", json_string(c->name)) ||
        !rvjson_put(o, "contacts", count(h, c->contacts)) || !rvjson_put(o, "nps", nps) ||
        !rvjson_put(o, "intents", intents) || !rvjson_put(o, "behaviour", did) ||
        !rvjson_put(o, "disagreements", ex)) {
        json_decref(nps);
        json_decref(intents);
        json_decref(did);
        json_decref(ex);
        return rvjson_fail(o);
    }
    if (!rvjson_put(nps, "n", count(h, c->t.nps_n)) ||
        !rvjson_put(nps, "promoters", count(h, c->t.promoters)) ||
        !rvjson_put(nps, "passives", count(h, c->t.passives)) ||
        !rvjson_put(nps, "detractors", count(h, c->t.detractors)) ||
        !rvjson_put(nps, "score", h ? json_null() : rvjson_number(c->f.nps)) ||
        !rvjson_put(intents, "stated", count(h, c->intents)) ||
        !rvjson_put(intents, "due", count(h, c->due)) ||
        !rvjson_put(intents, "met", count(h, c->met)) ||
        !rvjson_put(did, "buying", count(h, c->buying)) ||
        !rvjson_put(did, "churned", count(h, c->churned)) ||
        !rvjson_put(did, "rv", count(h, c->rv)) ||
        !rvjson_put(did, "rv_per_contact",
                    h || !c->nps_contacts ? json_null()
                                          : rvjson_number((double)c->rv / (double)c->nps_contacts)))
        return rvjson_fail(o);
    int64_t total = 0;
    for (int r = 0; r < DOSAY_NRULES; r++) {
        total += c->exceptions[r];
        if (!rvjson_put(ex, dosay_rule_names[r], count(h, c->exceptions[r])))
            return rvjson_fail(o);
    }
    if (!rvjson_put(ex, "total", count(h, total)) || !rvjson_put(ex, "listed", count(h, c->listed)))
        return rvjson_fail(o);
    return o;
}

static json_t *row_json(const struct voice_dosay *d, const struct voice_dosay_row *row)
{
    json_t *o = json_object(), *said = json_object(), *did = json_object();
    if (!o || !said || !did) {
        json_decref(said);
        json_decref(did);
        return rvjson_fail(o);
    }
    const bool intent = row->rule == DOSAY_INTENT_UNMET;
    const struct voice_dosay_cell *cell = &d->cells[row->cell];
    if (!rvjson_put(o, "rule", json_string(dosay_rule_names[row->rule])) ||
        !rvjson_put(o, "contact_id", json_integer(row->contact_id)) ||
        !rvjson_put(o, "contact", row->contact[0] ? json_string(row->contact) : json_null()) ||
        !rvjson_put(o, "segment", json_string(cell->name)) || !rvjson_put(o, "said", said) ||
        !rvjson_put(o, "did", did)) {
        json_decref(said);
        json_decref(did);
        return rvjson_fail(o);
    }
    if (!rvjson_put(said, "survey_id", json_integer(row->survey_id)) ||
        !rvjson_put(said, "survey", json_string(row->survey)) ||
        !rvjson_put(said, "answered_at", rvjson_ms(row->answered_at)) ||
        !rvjson_put(said, "nps", intent ? json_null() : json_integer(row->nps)) ||
        !rvjson_put(said, "intent", intent ? json_string(row->intent) : json_null()) ||
        !rvjson_put(said, "horizon_months", intent ? json_integer(row->horizon) : json_null()) ||
        !rvjson_put(said, "due", intent ? rvjson_ms(row->due) : json_null()) ||
        !rvjson_put(said, "product_id",
                    intent && row->product_id ? json_integer(row->product_id) : json_null()) ||
        !rvjson_put(said, "category",
                    intent && row->category[0] ? json_string(row->category) : json_null()) ||
        !rvjson_put(did, "rv", json_integer(row->b.rv)) ||
        !rvjson_put(did, "interactions", json_integer(row->b.interactions)) ||
        !rvjson_put(did, "sales", json_integer(row->b.sales)) ||
        !rvjson_put(did, "churned_at", rvjson_time(row->b.churned)))
        return rvjson_fail(o);
    return o;
}

json_t *voice_dosay_json(const struct voice_report *r)
{
    const struct voice_dosay *d = &r->dosay;
    json_t *o = json_object(), *cells = json_array(), *rows = json_array(), *priv = json_object();
    if (!o || !cells || !rows || !priv) {
        json_decref(cells);
        json_decref(rows);
        json_decref(priv);
        return rvjson_fail(o);
    }
    if (!rvjson_put(o, "analysis", json_string("dosay")) ||
        !rvjson_put(o, "as_of", rvjson_ms(d->as_of)) ||
        !rvjson_put(o, "segment", json_string(voice_dosay_segments[d->segment])) ||
        !rvjson_put(o, "privacy", priv) || !rvjson_put(o, "segments", cells) ||
        !rvjson_put(o, "disagreements", rows)) {
        json_decref(cells);
        json_decref(rows);
        json_decref(priv);
        return rvjson_fail(o);
    }
    if (!rvjson_put(priv, "role", json_string(r->role)) ||
        !rvjson_put(priv, "k", json_integer(r->k)) ||
        !rvjson_put(priv, "rule",
                    json_string("segments of fewer contacts than k are suppressed; a"
                                " disagreement is listed only when the contact's opt-in to the"
                                " survey shares its answers")))
        return rvjson_fail(o);
    for (size_t i = 0; i < d->ncells; i++)
        if (!rvjson_push(cells, cell_json(&d->cells[i])))
            return rvjson_fail(o);
    for (size_t i = 0; i < d->nrows; i++)
        if (!rvjson_push(rows, row_json(d, &d->rows[i])))
            return rvjson_fail(o);
    if (!rvjson_put(o, "total", cell_json(&d->total)) ||
        !rvjson_put(o, "listed", json_integer(d->nlisted)) ||
        !rvjson_put(o, "truncated", json_boolean((int64_t)d->nrows < d->nlisted)))
        return rvjson_fail(o);
    if (d->one) {
        json_t *c = json_object();
        if (!c || !rvjson_put(o, "contact", c) ||
            !rvjson_put(c, "id", json_integer(d->contact_id)) ||
            !rvjson_put(c, "name", d->contact[0] ? json_string(d->contact) : json_null()) ||
            !rvjson_put(c, "shared_answers", json_integer(d->shared_answers)) ||
            !rvjson_put(c, "hidden_answers", json_integer(d->hidden_answers)))
            return rvjson_fail(o);
        json_t *nps = d->has_nps ? json_object() : json_null(), *ints = json_array();
        if (!nps || !ints || !rvjson_put(c, "nps", nps) || !rvjson_put(c, "intents", ints)) {
            json_decref(ints);
            return rvjson_fail(o);
        }
        if (d->has_nps &&
            (!rvjson_put(nps, "value", json_integer(d->nps)) ||
             !rvjson_put(nps, "answered_at", rvjson_ms(d->nps_at)) ||
             !rvjson_put(nps, "survey", json_string(d->nps_survey)) ||
             !rvjson_put(nps, "rv_since", json_integer(d->b.rv)) ||
             !rvjson_put(nps, "interactions_since", json_integer(d->b.interactions)) ||
             !rvjson_put(nps, "sales_since", json_integer(d->b.sales)) ||
             !rvjson_put(nps, "churned_at", rvjson_time(d->b.churned))))
            return rvjson_fail(o);
        static const char *const status[] = {"open", "met", "unmet"};
        for (size_t i = 0; i < d->nintents; i++) {
            const struct voice_dosay_intent *vi = &d->intents[i];
            json_t *x = json_object();
            if (!x || !rvjson_push(ints, x) || !rvjson_put(x, "intent", json_string(vi->text)) ||
                !rvjson_put(x, "answered_at", rvjson_ms(vi->at)) ||
                !rvjson_put(x, "horizon_months", json_integer(vi->horizon)) ||
                !rvjson_put(x, "due", rvjson_ms(vi->due)) ||
                !rvjson_put(x, "status", json_string(status[vi->status])))
                return rvjson_fail(o);
        }
    }
    return o;
}

/* ---- the CLI's table ---------------------------------------------------------------------- */

void voice_dosay_text(const struct voice_report *r, FILE *out)
{
    const struct voice_dosay *d = &r->dosay;
    char at[TIMEFMT_SIZE];
    timefmt_format(d->as_of, at);
    fprintf(out, "do vs say as of %s, by %s\n\n", at, voice_dosay_segments[d->segment]);
    fprintf(out, "%-24s %8s %6s %7s %5s %5s %7s %7s %8s %6s %6s %6s %6s\n", "segment", "contacts",
            "NPS", "intents", "due", "met", "buying", "churned", "RV since", "prom-", "prom-x",
            "detr+", "unmet");
    for (size_t i = 0; i <= d->ncells; i++) {
        const struct voice_dosay_cell *c = i < d->ncells ? &d->cells[i] : &d->total;
        if (c->suppressed) {
            fprintf(out, "%-24.24s %8s\n", i < d->ncells ? c->name : "total", "(fewer than k)");
            continue;
        }
        fprintf(
            out,
            "%-24.24s %8lld %6.1f %7lld %5lld %5lld %7lld %7lld %8lld %6lld %6lld %6lld %6lld\n",
            i < d->ncells ? c->name : "total", (long long)c->contacts, c->f.nps,
            (long long)c->intents, (long long)c->due, (long long)c->met, (long long)c->buying,
            (long long)c->churned, (long long)c->rv,
            (long long)c->exceptions[DOSAY_PROMOTER_FALLING],
            (long long)c->exceptions[DOSAY_PROMOTER_CHURNED],
            (long long)c->exceptions[DOSAY_DETRACTOR_BUYING],
            (long long)c->exceptions[DOSAY_INTENT_UNMET]);
    }
    fprintf(out, "\n%lld disagreements of contacts who share their answers%s\n",
            (long long)d->nlisted, (int64_t)d->nrows < d->nlisted ? " (first ones below)" : "");
    for (size_t i = 0; i < d->nrows; i++) {
        const struct voice_dosay_row *row = &d->rows[i];
        fprintf(out, "  %-18s contact %-8lld %-24.24s ", dosay_rule_names[row->rule],
                (long long)row->contact_id, row->contact);
        if (row->rule == DOSAY_INTENT_UNMET)
            fprintf(out, "said \"%.40s\" (%lld months), no such sale\n", row->intent,
                    (long long)row->horizon);
        else
            fprintf(out, "NPS %d; since: RV %+lld, %lld sales%s\n", row->nps, (long long)row->b.rv,
                    (long long)row->b.sales, row->b.churned != RV_TIME_MAX ? ", churned" : "");
    }
    fprintf(out, "\nk = %lld (the privacy policy of the %s role); rules: docs/voice.md\n",
            (long long)r->k, r->role);
}
