/*
 * voice_alike.c - the run and the one JSON (and the CLI's table) of "someone like me"
 * (voice_alike.h; docs/voice.md "Someone like me", "The people map", "How well it predicts").
 * The run finds the subject among the contacts or accounts the caller may read, restricts the
 * candidates to them (the portal: to the contacts who opted in to be found) and asks the engine
 * for the k nearest; the writer shows staff every figure and a customer only a summary.
 */
#include "analysis/voice.h"

#include <stdlib.h>
#include <string.h>

#include "io/rv_json.h"
#include "util/alloc.h"

#include "util/banned.h"

int voice_alike_model_load(struct store *s, enum alike_kind kind, struct voice_alike_model *m,
                           struct kith_error *err)
{
    memset(m, 0, sizeof(*m));
    int rc = store_alike_load(s, kind, &m->d, err);
    if (rc < 0)
        return rc;
    if ((rc = alike_index_build(&m->d, &m->ix, err)) < 0)
        alike_data_release(&m->d);
    return rc;
}

void voice_alike_model_release(struct voice_alike_model *m)
{
    alike_index_release(&m->ix);
    alike_data_release(&m->d);
}

void voice_alike_release(struct voice_alike *a)
{
    if (a->own) {
        voice_alike_model_release(a->own);
        free(a->own);
    }
    memset(a, 0, sizeof(*a));
}

static int not_found(struct kith_error *err, const char **param, bool contacts, int64_t id)
{
    *param = contacts ? "contact" : "account";
    return kith_err(err, KITH_ENOTFOUND, "there is no %s %lld", *param, (long long)id);
}

static bool in_ids(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id;
}

/* The candidates' flags: the findable contacts (people map) or those in scope (ascending ids). */
static uint8_t *visible_of(const struct alike_data *d, const struct voice_scope *sc,
                           const int64_t *ids, size_t nids)
{
    uint8_t *v = alloc_array_zero(d->n ? d->n : 1, 1);
    if (!v)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (sc->people_map) {
            v[i] = d->entities[i].findable;
            continue;
        }
        while (j < nids && ids[j] < d->entities[i].id)
            j++;
        v[i] = j < nids && ids[j] == d->entities[i].id;
    }
    return v;
}

int voice_alike_run(const struct voice_params *p, const struct voice_scope *scope,
                    struct voice_report *out, struct kith_error *err, const char **param)
{
    struct voice_alike *a = &out->alike;
    snprintf(out->role, sizeof(out->role), "%s", scope->role ? scope->role : "admin");
    const bool has_c = param_given(&analysis_voice, p, "contact"),
               has_a = param_given(&analysis_voice, p, "account");
    if (p->evaluate && (has_c || has_a)) {
        *param = "evaluate";
        return kith_err(err, KITH_EINVAL,
                        "evaluate measures every account: give it without contact or account");
    }
    if (!p->evaluate && has_c == has_a) {
        *param = has_c ? "account" : "contact";
        return kith_err(err, KITH_EINVAL,
                        "give either contact or account (the one to find others like)");
    }
    a->kind = has_c ? ALIKE_CONTACTS : ALIKE_ACCOUNTS;
    a->people_map = scope->people_map;
    if (scope->people_map && a->kind != ALIKE_CONTACTS)
        BUG("the people map compares contacts");
    if (scope->models[a->kind]) {
        a->model = scope->models[a->kind];
    } else {
        if (!(a->own = calloc(1, sizeof(*a->own))))
            return kith_err(err, KITH_ENOMEM, "out of memory");
        int rc = voice_alike_model_load(scope->store, a->kind, a->own, err);
        if (rc < 0) {
            free(a->own);
            a->own = NULL;
            return rc;
        }
        a->model = a->own;
    }
    const struct alike_data *d = &a->model->d;
    if (p->evaluate) {
        a->evaluated = true;
        int rc = alike_evaluate(&a->model->ix, (size_t)p->k, &a->ev, err);
        if (rc < 0)
            voice_alike_release(a);
        return rc;
    }
    const bool contacts = a->kind == ALIKE_CONTACTS;
    const int64_t id = contacts ? p->contact : p->account;
    const int64_t *ids = contacts ? scope->contacts : scope->accounts;
    const size_t nids = contacts ? scope->ncontacts : scope->naccounts;
    const bool scoped = contacts ? scope->scoped : scope->accounts_scoped;
    a->subject = alike_data_find(d, id);
    if (a->subject == SIZE_MAX || (scoped && !in_ids(ids, nids, id))) {
        voice_alike_release(a);
        return not_found(err, param, contacts, id);
    }
    uint8_t *visible = NULL;
    if (scope->people_map || scoped) {
        if (!(visible = visible_of(d, scope, ids, nids))) {
            voice_alike_release(a);
            return kith_err(err, KITH_ENOMEM, "out of memory");
        }
    }
    const struct alike_query q = {.subject = a->subject,
                                  .at = ALIKE_LIVE,
                                  .k = (size_t)p->k,
                                  .visible = visible,
                                  .other_groups = contacts};
    int rc = alike_query(&a->model->ix, &q, &a->res, err);
    free(visible);
    a->findable = d->entities[a->subject].findable;
    if (rc < 0)
        voice_alike_release(a);
    return rc;
}

/* ---- the JSON ------------------------------------------------------------------------------- */

static const char *trend_of(const struct alike_entity *e)
{
    return e->rv_recent > e->rv_before ? "up" : e->rv_recent < e->rv_before ? "down" : "flat";
}

static json_t *product_json(const struct alike_data *d, uint32_t p, bool staff)
{
    const struct alike_product *x = &d->products[p];
    if (!staff)
        return json_pack("{s:s}", "name", x->name);
    return json_pack("{s:I, s:s, s:s}", "product_id", (json_int_t)x->id, "sku", x->sku, "name",
                     x->name);
}

static json_t *next_json(const struct alike_data *d, const struct alike_neighbour *nb, bool staff)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < nb->nnext; i++) {
        json_t *o = product_json(d, nb->next[i].product, staff);
        if (o && staff && !rvjson_put(o, "at", rvjson_ms(nb->next[i].at)))
            o = rvjson_fail(o);
        if (!rvjson_push(arr, o))
            return rvjson_fail(arr);
    }
    return arr;
}

static json_t *neighbour_json(const struct voice_alike *a, const struct alike_neighbour *nb)
{
    const struct alike_data *d = &a->model->d;
    const struct alike_entity *e = &d->entities[nb->entity];
    if (a->people_map) /* a customer sees a summary of someone who opted in to be found */
        return json_pack("{s:s, s:s?, s:s?, s:o, s:I, s:o}", "name", e->short_name, "industry",
                         e->industry, "territory", e->territory, "similarity",
                         rvjson_number(nb->similarity), "shared_products", (json_int_t)nb->shared,
                         "bought_next", next_json(d, nb, false));
    json_t *o = json_pack(
        "{s:I, s:s, s:o, s:o, s:{s:o, s:o, s:o, s:o}, s:I, s:o,"
        " s:{s:I, s:I, s:s, s:b}}",
        "id", (json_int_t)e->id, "name", e->name, "similarity", rvjson_number(nb->similarity),
        "distance", rvjson_number(1.0 - nb->similarity), "parts", "attributes",
        rvjson_number(nb->attr), "purchases", rvjson_number(nb->buy), "spend",
        rvjson_number(nb->spend), "intent", rvjson_number(nb->intent), "shared_products",
        (json_int_t)nb->shared, "bought_next", next_json(d, nb, true), "relationship", "rv_recent",
        (json_int_t)e->rv_recent, "rv_before", (json_int_t)e->rv_before, "trend", trend_of(e),
        "churned", e->churned);
    if (o && a->kind == ALIKE_CONTACTS &&
        !rvjson_put(o, "account_id", e->group ? json_integer(e->group) : json_null()))
        return rvjson_fail(o);
    return o;
}

static json_t *eval_json(const struct alike_eval *ev)
{
    const double n = (double)ev->evaluated, h = (double)ev->with_history;
    return json_pack(
        "{s:s, s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:o, s:o}", "of",
        "accounts", "k", (json_int_t)ev->k, "top", ALIKE_TOP, "customers",
        (json_int_t)ev->customers, "repeats", (json_int_t)ev->repeats, "evaluated",
        (json_int_t)ev->evaluated, "hits", (json_int_t)ev->hits, "popular_hits",
        (json_int_t)ev->popular_hits, "hit_rate",
        ev->evaluated ? rvjson_number((double)ev->hits / n) : json_null(), "popular_hit_rate",
        ev->evaluated ? rvjson_number((double)ev->popular_hits / n) : json_null(), "with_history",
        (json_int_t)ev->with_history, "history_hits", (json_int_t)ev->history_hits,
        "history_popular_hits", (json_int_t)ev->history_popular_hits, "history_hit_rate",
        ev->with_history ? rvjson_number((double)ev->history_hits / h) : json_null(),
        "history_popular_hit_rate",
        ev->with_history ? rvjson_number((double)ev->history_popular_hits / h) : json_null());
}

json_t *voice_alike_json(const struct voice_report *r)
{
    const struct voice_alike *a = &r->alike;
    if (a->evaluated)
        return json_pack("{s:s, s:o}", "analysis", "alike", "evaluation", eval_json(&a->ev));
    const struct alike_data *d = &a->model->d;
    const struct alike_entity *s = &d->entities[a->subject];
    json_t *nbs = json_array(), *recs = json_array();
    for (size_t i = 0; nbs && i < a->res.n; i++)
        if (!rvjson_push(nbs, neighbour_json(a, &a->res.nb[i])))
            nbs = rvjson_fail(nbs);
    for (size_t i = 0; recs && i < a->res.ntop; i++) {
        json_t *o = product_json(d, a->res.top[i].product, !a->people_map);
        if (o && !a->people_map &&
            !(rvjson_put(o, "score", rvjson_number(a->res.top[i].score)) &&
              rvjson_put(o, "neighbours", json_integer((json_int_t)a->res.top[i].neighbours))))
            o = rvjson_fail(o);
        if (!rvjson_push(recs, o))
            recs = rvjson_fail(recs);
    }
    if (!nbs || !recs) {
        json_decref(nbs);
        json_decref(recs);
        return NULL;
    }
    if (a->people_map)
        return json_pack("{s:s, s:b, s:I, s:o, s:o}", "analysis", "people_map", "findable",
                         a->findable, "k", (json_int_t)r->p.k, "neighbours", nbs, "their_next",
                         recs);
    return json_pack("{s:s, s:s, s:{s:I, s:s, s:I, s:o}, s:I, s:o, s:i,"
                     " s:{s:f, s:f, s:f, s:f}, s:o, s:o}",
                     "analysis", "alike", "of", a->kind == ALIKE_CONTACTS ? "contacts" : "accounts",
                     "subject", "id", (json_int_t)s->id, "name", s->name, "products",
                     (json_int_t)a->res.subject_products, "spend",
                     rvjson_money(a->res.subject_spend), "k", (json_int_t)r->p.k, "as_of",
                     d->as_of ? rvjson_ms(d->as_of) : json_null(), "rv_window_days",
                     (int)(ALIKE_RV_WINDOW_MS / 86400000LL), "weights", "attributes", ALIKE_W_ATTR,
                     "purchases", ALIKE_W_BUY, "spend", ALIKE_W_SPEND, "intent", ALIKE_W_INTENT,
                     "neighbours", nbs, "recommended", recs);
}

/* ---- the CLI's table ------------------------------------------------------------------------ */

static void rate(FILE *out, const char *what, size_t hits, size_t n)
{
    if (n)
        fprintf(out, "%-34s %6zu / %-6zu %6.1f%%\n", what, hits, n,
                100.0 * (double)hits / (double)n);
    else
        fprintf(out, "%-34s %6s\n", what, "-");
}

void voice_alike_text(const struct voice_report *r, FILE *out)
{
    const struct voice_alike *a = &r->alike;
    if (a->evaluated) {
        const struct alike_eval *ev = &a->ev;
        fprintf(out,
                "hold-out of each account's last order: %zu customers, %zu whose last order"
                " only repeats (not evaluated), %zu evaluated; k = %zu, top %d\n\n",
                ev->customers, ev->repeats, ev->evaluated, ev->k, ALIKE_TOP);
        rate(out, "neighbours' next purchases", ev->hits, ev->evaluated);
        rate(out, "most popular products", ev->popular_hits, ev->evaluated);
        rate(out, "  with an earlier order: neighbours", ev->history_hits, ev->with_history);
        rate(out, "  with an earlier order: popular", ev->history_popular_hits, ev->with_history);
        fputs("\na hit: one of the 5 products recommended is among those first bought in the"
              " held-out order (docs/voice.md)\n",
              out);
        return;
    }
    const struct alike_data *d = &a->model->d;
    const struct alike_entity *s = &d->entities[a->subject];
    fprintf(out, "like %s #%lld (%zu products): %zu neighbours\n\n", s->name, (long long)s->id,
            a->res.subject_products, a->res.n);
    fprintf(out, "%-8s %-28s %6s %6s %6s %6s %6s %-6s %-7s %s\n", "id", "name", "sim", "attr",
            "buy", "spend", "intent", "trend", "churned", "bought next");
    for (size_t i = 0; i < a->res.n; i++) {
        const struct alike_neighbour *nb = &a->res.nb[i];
        const struct alike_entity *e = &d->entities[nb->entity];
        fprintf(out, "%-8lld %-28.28s %6.3f %6.3f %6.3f %6.3f %6.3f %-6s %-7s ", (long long)e->id,
                e->name, nb->similarity, nb->attr, nb->buy, nb->spend, nb->intent, trend_of(e),
                e->churned ? "yes" : "no");
        for (size_t j = 0; j < nb->nnext; j++)
            fprintf(out, "%s%s", j ? ", " : "", d->products[nb->next[j].product].sku);
        fputc('\n', out);
    }
    fputs("\nrecommended:", out);
    for (size_t i = 0; i < a->res.ntop; i++)
        fprintf(out, "%s %s (%.3f)", i ? "," : "", d->products[a->res.top[i].product].name,
                a->res.top[i].score);
    fputs(a->res.ntop ? "\n" : " none\n", out);
}
