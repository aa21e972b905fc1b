/*
 * demo_write.c - writes the demo world through store.h: every row with an explicit id and a
 * created_at from the simulated clock (never the wall clock), the time-ordered tables sorted by
 * time so that ids grow with it. The caller holds the transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"
#include "store/store.h"

#include "util/banned.h"

#define MIN_MS       (60 * 1000LL)
#define SETUP_MS     (DEMO_START_MS - 120 * DEMO_DAY_MS) /* the company set kith up */
#define CATALOGUE_MS (DEMO_START_MS - 100 * DEMO_DAY_MS)

/* One row being filled: values in the field order of its table. */
struct row {
    const struct table_def *t;
    struct store_value v[32];
};

static void row_start(struct row *r, const char *table)
{
    r->t = model_table(table);
    if (!r->t || r->t->nfields > 32)
        BUG("table %s", table);
    memset(r->v, 0, sizeof(r->v));
}

static size_t col(const struct row *r, const char *name)
{
    size_t i;
    if (!table_field(r->t, name, &i))
        BUG("%s has no column %s", r->t->name, name);
    return i;
}

static void set_int(struct row *r, size_t c, int64_t x)
{
    r->v[c].kind = SV_INT;
    r->v[c].i = x;
}

static void set_real(struct row *r, size_t c, double x)
{
    r->v[c].kind = SV_REAL;
    r->v[c].r = x;
}

static void set_text(struct row *r, size_t c, const char *s)
{
    if (!s) {
        r->v[c].kind = SV_NULL;
        return;
    }
    r->v[c].kind = SV_TEXT;
    r->v[c].s = s;
    r->v[c].len = strlen(s);
}

static void set_null(struct row *r, size_t c)
{
    r->v[c].kind = SV_NULL;
}

struct writer {
    struct store *s;
    struct demo_world *w;
    struct demo_summary *sum;
    uint64_t done, total;
};

static int insert(struct writer *wr, struct row *r, struct kith_error *err)
{
    int rc = store_insert(wr->s, r->t, r->v, NULL, err);
    if (rc < 0)
        return kith_err_prefix(err, "writing the demo %s", r->t->singular);
    if (++wr->done % 16 == 0 && wr->w->opt->progress)
        wr->w->opt->progress(wr->w->opt->progress_ctx, wr->done, wr->total);
    return 0;
}

/* ---- the value network and the catalogue ---- */

static int write_org(struct writer *wr, struct kith_error *err)
{
    struct row r;
    int rc;
    row_start(&r, "units");
    size_t u_id = col(&r, "id"), u_at = col(&r, "created_at"), u_ext = col(&r, "external_id"),
           u_name = col(&r, "name"), u_kind = col(&r, "kind"), u_parent = col(&r, "parent_id"),
           u_shares = col(&r, "shares_detail");
    for (size_t i = 0; i < demo_nunits; i++) {
        const struct demo_unit *u = &demo_units[i];
        set_int(&r, u_id, (int64_t)i + 1);
        set_int(&r, u_at, SETUP_MS + (int64_t)i * MIN_MS);
        set_text(&r, u_ext, u->ext);
        set_text(&r, u_name, u->name);
        set_text(&r, u_kind, u->kind);
        if (u->parent >= 0)
            set_int(&r, u_parent, u->parent + 1);
        else
            set_null(&r, u_parent);
        set_int(&r, u_shares, 0); /* independent units keep their detail private */
        if ((rc = insert(wr, &r, err)) < 0)
            return rc;
    }
    row_start(&r, "teams");
    size_t t_id = col(&r, "id"), t_at = col(&r, "created_at"), t_name = col(&r, "name"),
           t_kind = col(&r, "kind"), t_unit = col(&r, "unit_id");
    for (size_t i = 0; i < demo_nteams; i++) {
        set_int(&r, t_id, (int64_t)i + 1);
        set_int(&r, t_at, SETUP_MS + DEMO_DAY_MS + (int64_t)i * MIN_MS);
        set_text(&r, t_name, demo_teams[i].name);
        set_text(&r, t_kind, demo_teams[i].kind);
        set_int(&r, t_unit, demo_teams[i].unit + 1);
        if ((rc = insert(wr, &r, err)) < 0)
            return rc;
    }
    row_start(&r, "users");
    size_t s_id = col(&r, "id"), s_at = col(&r, "created_at"), s_email = col(&r, "email"),
           s_name = col(&r, "name"), s_role = col(&r, "role"), s_unit = col(&r, "unit_id"),
           s_team = col(&r, "team_id"), s_cost = col(&r, "hourly_cost"),
           s_dis = col(&r, "disabled"), s_mgr = col(&r, "manager_id");
    for (size_t i = 0; i < demo_nusers; i++) {
        const struct demo_user *us = &demo_users[i];
        char email[128], name[128];
        demo_user_email(i, email, sizeof(email));
        snprintf(name, sizeof(name), "%s %s", us->first, us->last);
        set_int(&r, s_id, (int64_t)i + 1);
        set_int(&r, s_at, SETUP_MS + 2 * DEMO_DAY_MS + (int64_t)i * MIN_MS);
        set_text(&r, s_email, email);
        set_text(&r, s_name, name);
        set_text(&r, s_role, us->role);
        set_int(&r, s_unit, us->unit + 1);
        if (us->team >= 0)
            set_int(&r, s_team, us->team + 1);
        else
            set_null(&r, s_team);
        set_int(&r, s_cost, us->hourly_cost);
        set_int(&r, s_dis, 0);
        int mgr = demo_user_manager(i);
        if (mgr >= 0)
            set_int(&r, s_mgr, mgr + 1);
        else
            set_null(&r, s_mgr);
        if ((rc = insert(wr, &r, err)) < 0)
            return rc;
    }
    wr->sum->units = (int64_t)demo_nunits;
    wr->sum->teams = (int64_t)demo_nteams;
    wr->sum->users = (int64_t)demo_nusers;
    return 0;
}

static int write_catalogue(struct writer *wr, struct kith_error *err)
{
    struct row r;
    int rc;
    row_start(&r, "interaction_types");
    size_t c_id = col(&r, "id"), c_at = col(&r, "created_at"), c_code = col(&r, "code"),
           c_name = col(&r, "name"), c_phase = col(&r, "phase"), c_level = col(&r, "level"),
           c_chan = col(&r, "channel"), c_touch = col(&r, "touch"), c_tech = col(&r, "tech"),
           c_rv = col(&r, "rv"), c_cost = col(&r, "cost"), c_trig = col(&r, "is_trigger"),
           c_voc = col(&r, "is_voc"), c_desc = col(&r, "description");
    for (size_t i = 0; i < wr->w->ntypes; i++) {
        const struct catalogue_type *t = &wr->w->types[i];
        set_int(&r, c_id, (int64_t)i + 1);
        set_int(&r, c_at, CATALOGUE_MS + (int64_t)i * MIN_MS);
        set_text(&r, c_code, t->code);
        set_text(&r, c_name, t->name);
        set_text(&r, c_phase, catalogue_phase_name(catalogue_type_phase(t)));
        set_int(&r, c_level, t->level);
        set_text(&r, c_chan, t->channel);
        set_real(&r, c_touch, t->touch);
        set_real(&r, c_tech, t->tech);
        set_int(&r, c_rv, t->rv);
        set_int(&r, c_cost, t->cost);
        set_int(&r, c_trig, t->is_trigger);
        set_int(&r, c_voc, t->is_voc);
        set_text(&r, c_desc, t->description);
        if ((rc = insert(wr, &r, err)) < 0)
            return rc;
    }
    wr->sum->interaction_types = (int64_t)wr->w->ntypes;
    row_start(&r, "products");
    size_t p_id = col(&r, "id"), p_at = col(&r, "created_at"), p_sku = col(&r, "sku"),
           p_name = col(&r, "name"), p_cat = col(&r, "category"), p_price = col(&r, "price"),
           p_cost = col(&r, "unit_cost"), p_cur = col(&r, "currency");
    for (size_t i = 0; i < demo_nproducts; i++) {
        const struct demo_product *p = &demo_products[i];
        set_int(&r, p_id, (int64_t)i + 1);
        set_int(&r, p_at, CATALOGUE_MS + DEMO_DAY_MS + (int64_t)i * MIN_MS);
        set_text(&r, p_sku, p->sku);
        set_text(&r, p_name, p->name);
        set_text(&r, p_cat, p->category);
        set_int(&r, p_price, p->price);
        set_int(&r, p_cost, p->unit_cost);
        set_text(&r, p_cur, "USD");
        if ((rc = insert(wr, &r, err)) < 0)
            return rc;
    }
    wr->sum->products = (int64_t)demo_nproducts;
    return 0;
}

/* ---- accounts and contacts ---- */

static int phase_of_level(int level)
{
    return (int)catalogue_level_phase(level < 1 ? 1 : level);
}

static int write_accounts(struct writer *wr, struct kith_error *err)
{
    struct demo_world *w = wr->w;
    struct row r;
    int rc;
    row_start(&r, "accounts");
    size_t a_id = col(&r, "id"), a_at = col(&r, "created_at"), a_ext = col(&r, "external_id"),
           a_name = col(&r, "name"), a_ind = col(&r, "industry"), a_terr = col(&r, "territory"),
           a_rev = col(&r, "annual_revenue"), a_band = col(&r, "revenue_band"),
           a_cur = col(&r, "currency"), a_src = col(&r, "source"), a_owner = col(&r, "owner_id"),
           a_unit = col(&r, "unit_id"), a_team = col(&r, "team_id"), a_custom = col(&r, "custom"),
           a_emp = col(&r, "employees"), a_wallet = col(&r, "wallet"),
           a_wyear = col(&r, "wallet_year");
    for (size_t i = 0; i < w->nacc; i++) {
        const struct demo_account *a = &w->acc[i];
        char ext[32], name[200], custom[512];
        set_int(&r, a_id, (int64_t)i + 1);
        set_int(&r, a_at, a->arrival_ms);
        if (a->conv_ms != NEVER) {
            snprintf(ext, sizeof(ext), "ERP-%06zu", 100000 + i + 1);
            set_text(&r, a_ext, ext);
        } else {
            set_null(&r, a_ext);
        }
        demo_account_name(a, name, sizeof(name));
        set_text(&r, a_name, name);
        set_text(&r, a_ind, demo_industries[a->industry].name);
        set_text(&r, a_terr, demo_territories[a->territory]);
        set_int(&r, a_rev, a->revenue);
        set_text(&r, a_band, demo_band_name(a->band));
        set_text(&r, a_cur, "USD");
        set_text(&r, a_src, demo_sources[a->source]);
        set_int(&r, a_owner, a->rep[phase_of_level(w->con[a->primary].level)] + 1);
        set_int(&r, a_unit, a->unit + 1);
        set_int(&r, a_team, a->team + 1);
        set_int(&r, a_emp, a->employees);
        if (a->wallet > 0) {
            set_int(&r, a_wallet, a->wallet);
            set_int(&r, a_wyear, DEMO_WALLET_YEAR);
        } else {
            set_null(&r, a_wallet);
            set_null(&r, a_wyear);
        }
        snprintf(custom, sizeof(custom),
                 "{\"employees\":%d,\"erp\":\"%s\",\"demo_truth\":{\"quality\":%.4f,"
                 "\"purchase_rate_per_week\":%.5f,\"dropout\":%.4f,\"mean_order_usd\":%.0f,"
                 "\"discount\":%.4f,\"misfit\":%s}}",
                 a->employees, demo_erps[a->erp], a->q, a->lambda, a->p_drop, 3.0 / a->nu,
                 a->discount, a->misfit ? "true" : "false");
        set_text(&r, a_custom, custom);
        if ((rc = insert(wr, &r, err)) < 0)
            return rc;
        wr->sum->customers += a->conv_ms != NEVER;
        wr->sum->churned += a->notice_ms < DEMO_NOW_MS;
    }
    wr->sum->accounts = (int64_t)w->nacc;
    return 0;
}

static int cmp_contact(const void *x, const void *y, void *ctx)
{
    const struct demo_contact *con = ctx;
    const struct demo_contact *a = &con[*(const uint32_t *)x], *b = &con[*(const uint32_t *)y];
    if (a->arrival_ms != b->arrival_ms)
        return a->arrival_ms < b->arrival_ms ? -1 : 1;
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    return (i > j) - (i < j);
}

static void contact_phone(const struct demo_world *w, size_t ci, char *out, size_t cap)
{
    static const int area[] = {617, 404, 312, 602, 206, 416, 0};
    const struct demo_account *a = &w->acc[w->con[ci].account];
    uint64_t st = w->opt->seed ^ (0x5bd1e995ULL * (ci + 1));
    uint64_t x = rng_splitmix64(&st);
    if (area[a->territory] == 0)
        snprintf(out, cap, "+52 55 5%03u %04u", (unsigned)(x % 1000), (unsigned)(x / 1000 % 10000));
    else
        snprintf(out, cap, "+1 %d 555 %04u", area[a->territory] + (int)(x % 3),
                 (unsigned)(x / 3 % 10000));
}

static int write_contacts(struct writer *wr, struct kith_error *err)
{
    struct demo_world *w = wr->w;
    uint32_t *order = malloc(w->ncon * sizeof(*order));
    if (!order)
        return kith_err(err, KITH_ENOMEM, "out of memory sorting contacts");
    for (size_t i = 0; i < w->ncon; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, w->ncon, sizeof(*order), cmp_contact, w->con);
    for (size_t k = 0; k < w->ncon; k++)
        w->con[order[k]].id = (uint32_t)k + 1;

    static const char *const community[] = {"leader", "doer", "watcher"};
    static const char *const pace[] = {"normal", "stall", "fast"};
    struct row r;
    int rc = 0;
    row_start(&r, "contacts");
    size_t c_id = col(&r, "id"), c_at = col(&r, "created_at"), c_acc = col(&r, "account_id"),
           c_first = col(&r, "first_name"), c_last = col(&r, "last_name"),
           c_email = col(&r, "email"), c_phone = col(&r, "phone"), c_title = col(&r, "title"),
           c_role = col(&r, "buying_role"), c_src = col(&r, "source"),
           c_owner = col(&r, "owner_id"), c_unit = col(&r, "unit_id"), c_team = col(&r, "team_id"),
           c_stage = col(&r, "stage"), c_level = col(&r, "level"),
           c_comm = col(&r, "community_role"), c_custom = col(&r, "custom");
    for (size_t k = 0; k < w->ncon && rc == 0; k++) {
        size_t ci = order[k];
        const struct demo_contact *c = &w->con[ci];
        const struct demo_account *a = &w->acc[c->account];
        char email[400], first[64], last[64], domain[200], phone[32], custom[128], dup[16] = "";
        demo_slug(demo_first_names[c->first], first, sizeof(first));
        demo_slug(demo_last_names[c->last], last, sizeof(last));
        demo_account_domain(a, domain, sizeof(domain));
        if (c->email_dup)
            snprintf(dup, sizeof(dup), "%d", c->email_dup + 1);
        snprintf(email, sizeof(email), "%s.%s%s@%s", first, last, dup, domain);
        contact_phone(w, ci, phone, sizeof(phone));
        int user = a->rep[phase_of_level(c->level)];
        set_int(&r, c_id, c->id);
        set_int(&r, c_at, c->arrival_ms);
        set_int(&r, c_acc, (int64_t)c->account + 1);
        set_text(&r, c_first, demo_first_names[c->first]);
        set_text(&r, c_last, demo_last_names[c->last]);
        set_text(&r, c_email, email);
        set_text(&r, c_phone, phone);
        set_text(&r, c_title, demo_titles[c->buying_role][c->title]);
        set_text(&r, c_role, demo_buying_roles[c->buying_role]);
        set_text(&r, c_src, ci == a->primary ? demo_sources[a->source] : "Account expansion");
        set_int(&r, c_owner, user + 1);
        set_int(&r, c_unit, a->unit + 1);
        set_int(&r, c_team, demo_users[user].team + 1);
        set_text(&r, c_stage, catalogue_phase_name(catalogue_level_phase(c->level)));
        set_int(&r, c_level, c->level);
        set_text(&r, c_comm, c->community >= 0 ? community[c->community] : NULL);
        snprintf(custom, sizeof(custom), "{\"demo_truth\":{\"pace\":\"%s\",\"advocacy\":%.4f}}",
                 pace[c->pace], c->advocacy);
        set_text(&r, c_custom, custom);
        rc = insert(wr, &r, err);
    }
    free(order);
    wr->sum->contacts = (int64_t)w->ncon;
    return rc;
}

/* ---- interactions ---- */

/* Comparators by (time, generation order): a total order, so qsort's result is reproducible. */
#define BY_TIME(name, type)                                                                        \
    static int name(const void *x, const void *y)                                                  \
    {                                                                                              \
        const type *a = x, *b = y;                                                                 \
        if (a->at != b->at)                                                                        \
            return a->at < b->at ? -1 : 1;                                                         \
        return (a->seq > b->seq) - (a->seq < b->seq);                                              \
    }
BY_TIME(cmp_ix, struct demo_ix)
BY_TIME(cmp_order, struct demo_order)
BY_TIME(cmp_event, struct demo_event)

static const char *ix_source(const struct demo_ix *x, const struct catalogue_type *t)
{
    if (x->outcome == OUT_VOID)
        return "manual";
    if (x->at < DEMO_GOLIVE_MS)
        return "import";
    if (t->by_rep)
        return "manual";
    if (strcmp(t->channel, "portal") == 0)
        return "portal";
    if (strcmp(t->channel, "device") == 0)
        return "device";
    return "api";
}

static void ix_outcome(const struct demo_ix *x, char *out, size_t cap)
{
    const struct catalogue_level *l = catalogue_level(x->level);
    switch ((enum demo_outcome)x->outcome) {
    case OUT_ADVANCED:
        snprintf(out, cap, "advanced to %s", l->code);
        return;
    case OUT_SETBACK:
        snprintf(out, cap, "setback");
        return;
    case OUT_REGRESSED:
        snprintf(out, cap, "setback, back to %s", l->code);
        return;
    case OUT_VOID:
        snprintf(out, cap, "void");
        return;
    case OUT_DONE:
    case OUT_ERROR:
        break;
    }
    snprintf(out, cap, "completed");
}

static int write_interactions(struct writer *wr, struct kith_error *err)
{
    struct demo_world *w = wr->w;
    struct demo_ix *ix = w->ix.items;
    size_t n = w->ix.n;
    /* Ids follow time; a voiding row shares its original's time and comes right after it. */
    if (n > 0)
        qsort(ix, n, sizeof(*ix), cmp_ix);
    uint32_t *id_of_seq = calloc((size_t)w->next_seq + 1, sizeof(*id_of_seq));
    if (!id_of_seq)
        return kith_err(err, KITH_ENOMEM, "out of memory sorting interactions");
    for (size_t i = 0; i < n; i++)
        id_of_seq[ix[i].seq] = (uint32_t)i + 1;

    struct row r;
    int rc = 0;
    row_start(&r, "interactions");
    size_t x_id = col(&r, "id"), x_at = col(&r, "created_at"), x_ext = col(&r, "external_id"),
           x_con = col(&r, "contact_id"), x_user = col(&r, "user_id"), x_type = col(&r, "type_id"),
           x_occ = col(&r, "occurred_at"), x_chan = col(&r, "channel"),
           x_dir = col(&r, "direction"), x_rv = col(&r, "rv"), x_cost = col(&r, "cost"),
           x_out = col(&r, "outcome"), x_notes = col(&r, "notes"), x_src = col(&r, "source"),
           x_voids = col(&r, "voids_id");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct demo_ix *x = &ix[i];
        const struct catalogue_type *t = &w->types[x->type];
        char ext[32], outcome[64];
        set_int(&r, x_id, (int64_t)i + 1);
        set_int(&r, x_at, x->logged);
        const char *src = ix_source(x, t);
        if (strcmp(src, "import") == 0) {
            snprintf(ext, sizeof(ext), "LEGACY-%07zu", i + 1);
            set_text(&r, x_ext, ext);
        } else {
            set_null(&r, x_ext);
        }
        set_int(&r, x_con, w->con[x->contact].id);
        if (x->user >= 0)
            set_int(&r, x_user, x->user + 1);
        else
            set_null(&r, x_user);
        set_int(&r, x_type, x->type + 1);
        set_int(&r, x_occ, x->at);
        set_text(&r, x_chan, t->channel);
        set_text(&r, x_dir, t->inbound ? "inbound" : "outbound");
        set_int(&r, x_rv, x->rv);
        set_int(&r, x_cost, x->cost);
        ix_outcome(x, outcome, sizeof(outcome));
        set_text(&r, x_out, outcome);
        if (x->note == 0)
            set_null(&r, x_notes);
        else if (x->outcome == OUT_VOID)
            set_text(&r, x_notes, demo_void_notes[x->note - 1]);
        else
            set_text(&r, x_notes, demo_notes[x->note - 1]);
        set_text(&r, x_src, src);
        if (x->voids >= 0) {
            set_int(&r, x_voids, id_of_seq[x->voids]);
            wr->sum->voided++;
        } else {
            set_null(&r, x_voids);
        }
        rc = insert(wr, &r, err);
    }
    free(id_of_seq);
    wr->sum->interactions = (int64_t)n;
    return rc;
}

/* ---- orders and events ---- */

static int write_orders(struct writer *wr, struct kith_error *err)
{
    struct demo_world *w = wr->w;
    struct demo_order *ord = w->orders.items;
    /* Sorting moves orders away from their accounts' ranges, which are not needed any more. */
    if (w->orders.n > 0)
        qsort(ord, w->orders.n, sizeof(*ord), cmp_order);
    struct row r, l;
    int rc = 0;
    row_start(&r, "orders");
    size_t o_id = col(&r, "id"), o_at = col(&r, "created_at"), o_ext = col(&r, "external_id"),
           o_acc = col(&r, "account_id"), o_con = col(&r, "contact_id"),
           o_when = col(&r, "ordered_at"), o_amount = col(&r, "amount"),
           o_margin = col(&r, "margin"), o_cur = col(&r, "currency");
    row_start(&l, "order_lines");
    size_t l_id = col(&l, "id"), l_at = col(&l, "created_at"), l_order = col(&l, "order_id"),
           l_prod = col(&l, "product_id"), l_qty = col(&l, "quantity"),
           l_amount = col(&l, "amount"), l_margin = col(&l, "margin");
    int64_t line_id = 0;
    for (size_t i = 0; i < w->orders.n && rc == 0; i++) {
        const struct demo_order *o = &ord[i];
        char ext[32];
        snprintf(ext, sizeof(ext), "SO-%07zu", 2300000 + i + 1);
        set_int(&r, o_id, (int64_t)i + 1);
        set_int(&r, o_at, o->at);
        set_text(&r, o_ext, ext);
        set_int(&r, o_acc, (int64_t)o->account + 1);
        set_int(&r, o_con, w->con[o->contact].id);
        set_int(&r, o_when, o->at);
        set_int(&r, o_amount, o->amount);
        set_int(&r, o_margin, o->margin);
        set_text(&r, o_cur, "USD");
        if ((rc = insert(wr, &r, err)) < 0)
            break;
        for (size_t k = 0; k < o->nlines && rc == 0; k++) {
            const struct demo_line *ln = VEC_AT(w->lines, struct demo_line, o->first_line + k);
            set_int(&l, l_id, ++line_id);
            set_int(&l, l_at, o->at);
            set_int(&l, l_order, (int64_t)i + 1);
            set_int(&l, l_prod, ln->product + 1);
            set_int(&l, l_qty, ln->quantity);
            set_int(&l, l_amount, ln->amount);
            set_int(&l, l_margin, ln->margin);
            rc = insert(wr, &l, err);
        }
    }
    wr->sum->orders = (int64_t)w->orders.n;
    wr->sum->order_lines = line_id;
    return rc;
}

static int write_events(struct writer *wr, struct kith_error *err)
{
    struct demo_world *w = wr->w;
    struct demo_event *ev = w->events.items;
    if (w->events.n > 0)
        qsort(ev, w->events.n, sizeof(*ev), cmp_event);
    struct row r;
    int rc = 0;
    row_start(&r, "events");
    size_t e_id = col(&r, "id"), e_at = col(&r, "created_at"), e_kind = col(&r, "kind"),
           e_con = col(&r, "contact_id"), e_acc = col(&r, "account_id"),
           e_when = col(&r, "occurred_at"), e_rel = col(&r, "related_contact_id"),
           e_value = col(&r, "value"), e_notes = col(&r, "notes");
    for (size_t i = 0; i < w->events.n && rc == 0; i++) {
        const struct demo_event *e = &ev[i];
        set_int(&r, e_id, (int64_t)i + 1);
        set_int(&r, e_at, e->at);
        set_text(&r, e_kind, demo_event_kinds[e->kind]);
        if (e->contact >= 0)
            set_int(&r, e_con, w->con[e->contact].id);
        else
            set_null(&r, e_con);
        if (e->account >= 0)
            set_int(&r, e_acc, e->account + 1);
        else
            set_null(&r, e_acc);
        set_int(&r, e_when, e->at);
        if (e->related >= 0)
            set_int(&r, e_rel, w->con[e->related].id);
        else
            set_null(&r, e_rel);
        if (e->value >= 0)
            set_int(&r, e_value, e->value);
        else
            set_null(&r, e_value);
        set_text(&r, e_notes, e->notes);
        rc = insert(wr, &r, err);
    }
    wr->sum->events = (int64_t)w->events.n;
    wr->sum->referrals = w->referrals;
    return rc;
}

/* ---- the pipeline ---- */

static int cmp_deal(const void *x, const void *y)
{
    const struct demo_deal *a = x, *b = y;
    if (a->created != b->created)
        return a->created < b->created ? -1 : 1;
    return (a->account > b->account) - (a->account < b->account);
}

/* A stage change by the deal's owner; the id is the store's. */
static int stage_change(struct writer *wr, struct row *c, int64_t deal, int64_t from, int64_t to,
                        int64_t user, int64_t at, struct kith_error *err)
{
    set_null(c, col(c, "id"));
    set_int(c, col(c, "created_at"), at);
    set_int(c, col(c, "deal_id"), deal);
    set_int(c, col(c, "from_stage_id"), from);
    set_int(c, col(c, "to_stage_id"), to);
    set_int(c, col(c, "user_id"), user);
    set_int(c, col(c, "changed_at"), at);
    return insert(wr, c, err);
}

/*
 * Each deal is written as the API would have seen it: created in the first stage (the store's
 * trigger writes that first stage change), then moved stage by stage by its owner, then updated
 * to where it stands now.
 */
static int write_deals(struct writer *wr, struct kith_error *err)
{
    struct demo_world *w = wr->w;
    struct demo_deal *deals = w->deals.items;
    if (w->deals.n > 0)
        qsort(deals, w->deals.n, sizeof(*deals), cmp_deal);
    int64_t stage_id[DEMO_NSTAGES];
    const struct table_def *st = model_table("deal_stages");
    for (int k = 0; k < DEMO_NSTAGES; k++) {
        int rc = store_find_id(wr->s, st, "name", demo_deal_stages[k], &stage_id[k], err);
        if (rc < 0)
            return kith_err_prefix(err, "the demo needs the default deal stages");
    }
    struct row r, l, c;
    row_start(&r, "deals");
    row_start(&l, "deal_lines");
    row_start(&c, "deal_stage_changes");
    size_t d_id = col(&r, "id"), d_at = col(&r, "created_at"), d_ext = col(&r, "external_id"),
           d_name = col(&r, "name"), d_acc = col(&r, "account_id"), d_con = col(&r, "contact_id"),
           d_owner = col(&r, "owner_id"), d_stage = col(&r, "stage_id"),
           d_amount = col(&r, "amount"), d_cur = col(&r, "currency"),
           d_prob = col(&r, "probability"), d_eng = col(&r, "engaged_at"),
           d_exp = col(&r, "expected_close_at"), d_closed = col(&r, "closed_at"),
           d_out = col(&r, "outcome"), d_reason = col(&r, "loss_reason"), d_src = col(&r, "source"),
           d_unit = col(&r, "unit_id"), d_team = col(&r, "team_id");
    int64_t line_id = 0;
    int rc = 0;
    for (size_t i = 0; i < w->deals.n && rc == 0; i++) {
        const struct demo_deal *d = &deals[i];
        const struct demo_account *a = &w->acc[d->account];
        int64_t id = (int64_t)i + 1, owner = d->owner + 1;
        char ext[32], name[300], acct[200];
        snprintf(ext, sizeof(ext), "OPP-%06zu", 500000 + i + 1);
        demo_account_name(a, acct, sizeof(acct));
        snprintf(name, sizeof(name), "%s - %s", acct, demo_products[d->product[0]].name);
        set_int(&r, d_id, id);
        set_int(&r, d_at, d->created);
        set_text(&r, d_ext, ext);
        set_text(&r, d_name, name);
        set_int(&r, d_acc, (int64_t)d->account + 1);
        set_int(&r, d_con, w->con[a->primary].id);
        set_int(&r, d_owner, owner);
        set_int(&r, d_stage, stage_id[0]);
        set_int(&r, d_amount, d->amount);
        set_text(&r, d_cur, "USD");
        set_null(&r, d_prob); /* the stage's */
        set_null(&r, d_eng);
        set_int(&r, d_exp, d->expected);
        set_null(&r, d_closed);
        set_null(&r, d_out);
        set_null(&r, d_reason);
        set_text(&r, d_src, demo_sources[a->source]);
        set_int(&r, d_unit, a->unit + 1);
        set_int(&r, d_team, a->team + 1);
        if ((rc = insert(wr, &r, err)) < 0)
            break;
        for (int k = 0; k < d->nlines && rc == 0; k++) {
            set_int(&l, col(&l, "id"), ++line_id);
            set_int(&l, col(&l, "created_at"), d->created);
            set_int(&l, col(&l, "deal_id"), id);
            set_int(&l, col(&l, "product_id"), d->product[k] + 1);
            set_int(&l, col(&l, "quantity"), d->qty[k]);
            set_int(&l, col(&l, "amount"), d->line_amount[k]);
            rc = insert(wr, &l, err);
        }
        for (int k = 1; k <= d->reached && rc == 0; k++)
            rc = stage_change(wr, &c, id, stage_id[k - 1], stage_id[k], owner, d->entered[k], err);
        if (rc == 0 && d->closed != NEVER)
            rc = stage_change(wr, &c, id, stage_id[d->reached], stage_id[d->stage], owner,
                              d->closed, err);
        if (rc < 0 || d->stage == 0)
            continue;
        /* Where it stands now: the store's update path, as a move through the API. */
        bool set[32] = {false};
        set[d_stage] = set[d_eng] = set[d_closed] = set[d_out] = set[d_reason] = true;
        set_int(&r, d_stage, stage_id[d->stage]);
        if (d->reached >= 1)
            set_int(&r, d_eng, d->entered[1]);
        if (d->closed != NEVER) {
            set_int(&r, d_closed, d->closed);
            set_text(&r, d_out, d->stage == DEMO_STAGE_WON ? "won" : "lost");
        } else {
            set_text(&r, d_out, "open");
        }
        if (d->loss_reason >= 0)
            set_text(&r, d_reason, demo_loss_reasons[d->loss_reason]);
        rc = store_update(wr->s, r.t, id, r.v, set, err);
        if (rc < 0)
            kith_err_prefix(err, "writing the demo deal %" PRId64, id);
    }
    wr->sum->deals = (int64_t)w->deals.n;
    wr->sum->deal_lines = line_id;
    return rc;
}

int demo_write(struct store *s, struct demo_world *w, struct demo_summary *sum,
               struct kith_error *err)
{
    struct writer wr = {s, w, sum, 0, 0};
    wr.total = demo_nunits + demo_nteams + demo_nusers + w->nacc + w->ncon + w->ntypes + w->ix.n +
               demo_nproducts + w->orders.n + w->lines.n + w->events.n + w->deals.n * 5;
    int rc;
    if ((rc = write_org(&wr, err)) < 0 || (rc = write_accounts(&wr, err)) < 0 ||
        (rc = write_contacts(&wr, err)) < 0 || (rc = write_catalogue(&wr, err)) < 0 ||
        (rc = write_interactions(&wr, err)) < 0 || (rc = write_orders(&wr, err)) < 0 ||
        (rc = write_events(&wr, err)) < 0 || (rc = write_deals(&wr, err)) < 0)
        return rc;
    if (w->opt->progress)
        w->opt->progress(w->opt->progress_ctx, wr.total, wr.total);
    return 0;
}
