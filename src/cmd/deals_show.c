/*
 * deals_show.c - kith deals show: one deal with its lines and its stage history (who moved it,
 * when, from which stage to which, and how long it stayed), as text or, with --json, as JSON
 * whose rows are those of the API's resources (/api/v1/deals, /deal-lines, /deal-stage-changes).
 * docs/deals.md, "Changing a deal".
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"
#include "cmd/cmd.h"
#include "cmd/deals_int.h"
#include "util/alloc.h"

#include "util/banned.h"

#define HISTORY_MAX 100000 /* rows of one deal's lines or history shown */

static const char usage[] =
    "usage: kith deals show DEAL [--json] [--db PATH]\n\n"
    "Shows the deal DEAL (its id or external id): its fields, its account, owner and stage,\n"
    "its lines, and its stage history, oldest first: when, from which stage to which, who\n"
    "moved it and how long it stayed in the stage (the last, while the deal is open, up to\n"
    "now). --json prints {\"deal\", \"account\", \"owner\", \"stage\", \"lines\", \"history\"}, "
    "the\n"
    "rows as the API answers them; each history row adds from_stage, to_stage, user and\n"
    "ms_in_stage (null for the stage of a closed deal).\n\n"
    "  --json      print JSON\n"
    "  --db PATH   the database (default: $KITH_DB, else ./kith.db)\n";

static size_t field_at(const struct table_def *t, const char *name)
{
    size_t i;
    if (!table_field(t, name, &i))
        BUG("%s has no field %s", t->name, name);
    return i;
}

struct one_row {
    const struct table_def *t;
    const bool *mask;
    json_t *json;
};

static int capture(void *ctx, const struct store_value *vals)
{
    struct one_row *r = ctx;
    r->json = resource_row_json(r->t, vals, r->mask);
    return r->json ? 0 : KITH_ENOMEM;
}

/*
 * Row id of table as the API shows it, only fields (NULL-terminated; NULL: all) besides id;
 * json null for id 0 or a row that is gone. NULL when out of memory. The caller owns it.
 */
static json_t *row_json(struct store *s, const char *table, int64_t id, const char *const *fields)
{
    const struct table_def *t = model_table(table);
    const struct store_scope all = {.all = true};
    bool mask[RESOURCE_MAX_FIELDS] = {false};
    struct one_row r = {.t = t, .mask = fields ? mask : NULL};
    struct kith_error err = {0};
    if (id <= 0)
        return json_null();
    for (const char *const *f = fields; f && *f; f++)
        mask[field_at(t, *f)] = true;
    int rc = store_get(s, t, id, &all, capture, &r, &err);
    if (rc == KITH_ENOMEM)
        return NULL;
    return r.json ? r.json : json_null();
}

int deals_print_json(struct store *s, int64_t id)
{
    return cmd_print_json(row_json(s, "deals", id, NULL));
}

void deals_stage_name(struct store *s, int64_t id, char *buf, size_t size)
{
    static const char *const name[] = {"name", NULL};
    json_t *j = row_json(s, "deal_stages", id, name);
    const char *n = json_string_value(json_object_get(j, "name"));
    snprintf(buf, size, "%s", n ? n : "");
    json_decref(j);
}

/* The rows of table whose deal_id is deal, in (sort, id) order, as JSON; their sort keys too. */
struct rows {
    const struct table_def *t;
    size_t sort;
    json_t *items;
    int64_t *keys; /* the sort field's integer per row */
    size_t n, cap;
    bool failed;
};

static int collect(void *ctx, const struct store_value *vals)
{
    struct rows *r = ctx;
    if (r->n == HISTORY_MAX)
        return 1;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        int64_t *k = alloc_array_grow(r->keys, cap, sizeof(*k));
        if (!k)
            return KITH_ENOMEM;
        r->keys = k;
        r->cap = cap;
    }
    json_t *o = resource_row_json(r->t, vals, NULL);
    if (!o || json_array_append_new(r->items, o) < 0)
        return KITH_ENOMEM;
    r->keys[r->n++] = vals[r->sort].kind == SV_INT ? vals[r->sort].i : 0;
    return 0;
}

static int deal_rows(struct store *s, const char *table, const char *sort, int64_t deal,
                     struct rows *r, struct kith_error *err)
{
    const struct store_scope all = {.all = true};
    r->t = model_table(table);
    r->sort = field_at(r->t, sort);
    if (!(r->items = json_array()))
        return kith_err(err, KITH_ENOMEM, "out of memory");
    for (;;) {
        struct store_query q = {.nfilters = 1, .sort_field = r->sort, .limit = STORE_LIST_MAX};
        q.filters[0] = (struct store_filter){.field = field_at(r->t, "deal_id"),
                                             .op = STORE_EQ,
                                             .value = {.kind = SV_INT, .i = deal}};
        if (r->n > 0) {
            json_t *last = json_array_get(r->items, r->n - 1);
            q.after = true;
            q.after_id = json_integer_value(json_object_get(last, "id"));
            q.after_key = (struct store_value){.kind = SV_INT, .i = r->keys[r->n - 1]};
        }
        size_t before = r->n;
        int rc = store_list(s, r->t, &q, &all, collect, r, err);
        if (rc == KITH_ENOMEM)
            return kith_err(err, rc, "out of memory reading %s", table);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return kith_err(err, KITH_ERANGE,
                            "deal %lld has more than %d %s to show; kith export %s has them all",
                            (long long)deal, HISTORY_MAX, table, table);
        if (r->n - before < STORE_LIST_MAX)
            return 0;
    }
}

static void rows_release(struct rows *r)
{
    json_decref(r->items);
    free(r->keys);
}

/* Adds the names of what a line or a history row refers to, and each stage's time. */
static int annotate(struct store *s, json_t *deal, struct rows *lines, struct rows *hist,
                    int64_t now)
{
    static const char *const product[] = {"sku", "name", NULL};
    static const char *const stage[] = {"name", "kind", NULL};
    static const char *const user[] = {"email", "name", NULL};
    size_t i;
    json_t *x;
    json_array_foreach(lines->items, i, x)
    {
        if (json_object_set_new(x, "product",
                                row_json(s, "products",
                                         json_integer_value(json_object_get(x, "product_id")),
                                         product)) < 0)
            return KITH_ENOMEM;
    }
    const char *outcome = json_string_value(json_object_get(deal, "outcome"));
    bool open = !outcome || strcmp(outcome, "open") == 0;
    json_array_foreach(hist->items, i, x)
    {
        json_t *from = row_json(s, "deal_stages",
                                json_integer_value(json_object_get(x, "from_stage_id")), stage);
        json_t *to = row_json(s, "deal_stages",
                              json_integer_value(json_object_get(x, "to_stage_id")), stage);
        json_t *who = row_json(s, "users", json_integer_value(json_object_get(x, "user_id")), user);
        json_t *ms = i + 1 < hist->n ? json_integer(hist->keys[i + 1] - hist->keys[i])
                     : open          ? json_integer(now - hist->keys[i])
                                     : json_null();
        if (json_object_set_new(x, "from_stage", from) < 0 ||
            json_object_set_new(x, "to_stage", to) < 0 || json_object_set_new(x, "user", who) < 0 ||
            json_object_set_new(x, "ms_in_stage", ms) < 0)
            return KITH_ENOMEM;
    }
    return 0;
}

/* "text", a number, or "-" for null: a JSON value of a row as text. */
static void print_value(json_t *v)
{
    if (json_is_string(v))
        fputs(json_string_value(v), stdout);
    else if (json_is_integer(v))
        printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        printf("%g", json_real_value(v));
    else if (json_is_boolean(v))
        fputs(json_is_true(v) ? "true" : "false", stdout);
    else if (json_is_null(v) || !v)
        fputs("-", stdout);
    else {
        char *t = json_dumps(v, JSON_COMPACT);
        fputs(t ? t : "?", stdout);
        free(t);
    }
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "-";
}

static void print_text(json_t *j)
{
    json_t *deal = json_object_get(j, "deal"), *v;
    const char *key;
    printf("deal %" JSON_INTEGER_FORMAT ": %s\n", json_integer_value(json_object_get(deal, "id")),
           str(deal, "name"));
    printf("  %-18s %s\n", "account", str(json_object_get(j, "account"), "name"));
    printf("  %-18s %s\n", "owner", str(json_object_get(j, "owner"), "email"));
    printf("  %-18s %s (%s)\n", "stage", str(json_object_get(j, "stage"), "name"),
           str(json_object_get(j, "stage"), "kind"));
    json_object_foreach(deal, key, v)
    {
        if (strcmp(key, "id") == 0 || strcmp(key, "name") == 0)
            continue;
        printf("  %-18s ", key);
        print_value(v);
        putchar('\n');
    }
    json_t *lines = json_object_get(j, "lines"), *x;
    size_t i;
    printf("lines (%zu):\n", json_array_size(lines));
    json_array_foreach(lines, i, x)
    {
        json_t *p = json_object_get(x, "product");
        printf("  %-16s %-24s quantity ", str(p, "sku"), str(p, "name"));
        print_value(json_object_get(x, "quantity"));
        printf("  amount %s\n", str(x, "amount"));
    }
    json_t *hist = json_object_get(j, "history");
    printf("stage history (%zu):\n", json_array_size(hist));
    json_array_foreach(hist, i, x)
    {
        json_t *ms = json_object_get(x, "ms_in_stage");
        printf("  %s  %-14s -> %-14s by %-28s", str(x, "changed_at"),
               json_is_null(json_object_get(x, "from_stage"))
                   ? "(new)"
                   : str(json_object_get(x, "from_stage"), "name"),
               str(json_object_get(x, "to_stage"), "name"),
               json_is_null(json_object_get(x, "user")) ? "-"
                                                        : str(json_object_get(x, "user"), "email"));
        if (json_is_integer(ms))
            printf(" %.1f days%s", (double)json_integer_value(ms) / 86400000.0,
                   i + 1 == json_array_size(hist) ? " so far" : "");
        putchar('\n');
    }
}

int deals_show(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    static const char *const account[] = {"name", "external_id", NULL};
    static const char *const user[] = {"email", "name", NULL};
    static const char *const stage[] = {"name", "kind", "probability", NULL};
    const char *db = NULL;
    bool as_json = false;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'j':
            as_json = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("deals show", "unknown option");
        }
    }
    if (optind >= argc)
        return cmd_usage_error("deals show", "missing DEAL");
    if (argc - optind > 1)
        return cmd_usage_error("deals show", "unexpected argument '%s'", argv[optind + 1]);
    struct store *s = cmd_open_store(db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    struct kith_error err = {0};
    struct rows lines = {0}, hist = {0};
    json_t *j = NULL, *deal = NULL;
    int64_t id = 0;
    int code = CMD_FAIL;
    int rc = deals_find_deal(s, argv[optind], &id, &err);
    if (rc == 0 && !(deal = row_json(s, "deals", id, NULL)))
        rc = kith_err(&err, KITH_ENOMEM, "out of memory");
    if (rc == 0 && ((rc = deal_rows(s, "deal_lines", "id", id, &lines, &err)) < 0 ||
                    (rc = deal_rows(s, "deal_stage_changes", "changed_at", id, &hist, &err)) < 0))
        goto out;
    if (rc < 0)
        goto out;
    if (annotate(s, deal, &lines, &hist, store_now_ms()) < 0) {
        rc = kith_err(&err, KITH_ENOMEM, "out of memory");
        goto out;
    }
    j = json_pack(
        "{s:O, s:o, s:o, s:o, s:O, s:O}", "deal", deal, "account",
        row_json(s, "accounts", json_integer_value(json_object_get(deal, "account_id")), account),
        "owner", row_json(s, "users", json_integer_value(json_object_get(deal, "owner_id")), user),
        "stage",
        row_json(s, "deal_stages", json_integer_value(json_object_get(deal, "stage_id")), stage),
        "lines", lines.items, "history", hist.items);
    if (!j) {
        rc = kith_err(&err, KITH_ENOMEM, "out of memory");
        goto out;
    }
    if (as_json) {
        code = cmd_print_json(j);
        j = NULL;
    } else {
        print_text(j);
        code = CMD_OK;
    }
out:
    if (rc < 0)
        code = cmd_fail(&err);
    json_decref(j);
    json_decref(deal);
    rows_release(&lines);
    rows_release(&hist);
    store_close(s);
    return code;
}
