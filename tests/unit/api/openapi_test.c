/*
 * openapi_test.c - docs/openapi.json against the code: every route of src/api/routes.c is
 * documented with its method, path parameters and responses; every $ref resolves; and the copy
 * embedded in the binary (GET /api/v1/openapi.json) is the file itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <jansson.h>
#include <string.h>

#include "analysis/param.h"
#include "api/api.h"
#include "model/table.h"

extern const unsigned char kith_openapi_json[];
extern const size_t kith_openapi_json_len;

static json_t *load_doc(void)
{
    json_error_t jerr;
    json_t *doc =
        json_load_file(KITH_SOURCE_DIR "/docs/openapi.json", JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        fail_msg("docs/openapi.json line %d: %s", jerr.line, jerr.text);
    return doc;
}

/* True if the operation (or its path item) declares the path parameter name. */
static bool has_path_param(json_t *item, json_t *op, const char *name)
{
    json_t *lists[2] = {json_object_get(item, "parameters"), json_object_get(op, "parameters")};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *p;
        json_array_foreach(lists[l], i, p)
        {
            const char *in = json_string_value(json_object_get(p, "in"));
            const char *n = json_string_value(json_object_get(p, "name"));
            if (in && n && strcmp(in, "path") == 0 && strcmp(n, name) == 0)
                return true;
            /* a reference to components/parameters/<X>: the id parameter is "IdPath" */
            const char *ref = json_string_value(json_object_get(p, "$ref"));
            if (ref && strcmp(name, "id") == 0 && strstr(ref, "/IdPath"))
                return true;
        }
    }
    return false;
}

static void every_route_is_documented(void **state)
{
    (void)state;
    json_t *doc = load_doc();
    const char *version = json_string_value(json_object_get(doc, "openapi"));
    assert_non_null(version);
    assert_int_equal(strncmp(version, "3.1", 3), 0);
    json_t *paths = json_object_get(doc, "paths");
    assert_true(json_is_object(paths));
    int n = 0;
    for (const struct api_route *r = api_routes; r->method; r++, n++) {
        json_t *item = json_object_get(paths, r->pattern);
        if (!item)
            fail_msg("docs/openapi.json has no path %s", r->pattern);
        char method[16];
        size_t len = strlen(r->method);
        assert_true(len < sizeof(method));
        for (size_t i = 0; i <= len; i++)
            method[i] = (char)tolower((unsigned char)r->method[i]);
        json_t *op = json_object_get(item, method);
        if (!op)
            fail_msg("docs/openapi.json has no %s %s", r->method, r->pattern);
        if (!json_is_object(json_object_get(op, "responses")))
            fail_msg("%s %s documents no responses", r->method, r->pattern);
        for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
            char name[32];
            size_t k = strcspn(p + 1, "}");
            assert_true(k < sizeof(name));
            memcpy(name, p + 1, k);
            name[k] = '\0';
            if (!has_path_param(item, op, name))
                fail_msg("%s %s does not document path parameter %s", r->method, r->pattern, name);
        }
        /* routes that need sign-in say so; the others declare no security */
        json_t *sec = json_object_get(op, "security");
        if (r->roles == 0 && !(json_is_array(sec) && json_array_size(sec) == 0))
            fail_msg("%s %s needs no sign-in but does not say \"security\": []", r->method,
                     r->pattern);
    }
    assert_true(n > 40);
    json_decref(doc);
}

/* Follows a local JSON pointer ("#/components/schemas/Contact"). */
static json_t *resolve(json_t *doc, const char *ref)
{
    if (strncmp(ref, "#/", 2) != 0)
        return NULL;
    json_t *node = doc;
    char part[128];
    const char *p = ref + 2;
    while (*p && node) {
        size_t k = strcspn(p, "/");
        if (k >= sizeof(part))
            return NULL;
        memcpy(part, p, k);
        part[k] = '\0';
        node = json_object_get(node, part);
        p += k + (p[k] == '/');
    }
    return node;
}

static void check_refs(json_t *doc, json_t *node)
{
    const char *key;
    json_t *v;
    size_t i;
    if (json_is_object(node)) {
        json_object_foreach(node, key, v)
        {
            if (strcmp(key, "$ref") == 0 && json_is_string(v) &&
                !resolve(doc, json_string_value(v)))
                fail_msg("unresolved $ref %s", json_string_value(v));
            check_refs(doc, v);
        }
    } else if (json_is_array(node)) {
        json_array_foreach(node, i, v) check_refs(doc, v);
    }
}

static void every_reference_resolves(void **state)
{
    (void)state;
    json_t *doc = load_doc();
    check_refs(doc, doc);
    json_decref(doc);
}

/* The record schemas list exactly the fields of their tables (secrets never), in any order. */
static void schemas_follow_the_model(void **state)
{
    (void)state;
    static const struct {
        const char *schema, *table;
    } pairs[] = {
        {"Unit", "units"},
        {"Team", "teams"},
        {"User", "users"},
        {"Account", "accounts"},
        {"Contact", "contacts"},
        {"InteractionType", "interaction_types"},
        {"Interaction", "interactions"},
        {"Product", "products"},
        {"Order", "orders"},
        {"Event", "events"},
        {"DealStage", "deal_stages"},
        {"Deal", "deals"},
        {"DealLine", "deal_lines"},
        {"DealStageChange", "deal_stage_changes"},
        {"Survey", "surveys"},
        {"SurveyOptIn", "survey_optins"},
        {"SurveyResponse", "survey_responses"},
        {"Rating", "ratings"},
        {"Idea", "ideas"},
        {"IdeaVote", "idea_votes"},
    };
    json_t *doc = load_doc();
    json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
    for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
        const struct table_def *t = model_table(pairs[k].table);
        json_t *props = json_object_get(json_object_get(schemas, pairs[k].schema), "properties");
        assert_non_null(t);
        if (!json_is_object(props))
            fail_msg("components/schemas/%s has no properties", pairs[k].schema);
        size_t shown = 0;
        for (size_t i = 0; i < t->nfields; i++) {
            bool documented = json_object_get(props, t->fields[i].name) != NULL;
            if (t->fields[i].secret && documented)
                fail_msg("%s documents the secret field %s", pairs[k].schema, t->fields[i].name);
            if (!t->fields[i].secret && !documented)
                fail_msg("%s lacks the field %s of %s", pairs[k].schema, t->fields[i].name,
                         t->name);
            shown += !t->fields[i].secret;
        }
        if (json_object_size(props) != shown)
            fail_msg("%s documents fields that %s does not have", pairs[k].schema, t->name);
        /* what a client may send: fields of the table (users also "password") */
        char name[64];
        snprintf(name, sizeof(name), "%sCreate", pairs[k].schema);
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(json_object_get(schemas, name), "properties"), key, v)
        {
            const struct field_def *f = table_field(t, key, NULL);
            if ((!f || f->secret || f->type == FT_ID) && strcmp(key, "password") != 0)
                fail_msg("%s accepts %s, which clients may not set", name, key);
        }
    }
    json_decref(doc);
}

/*
 * The query parameters of every analysis route are exactly those of its parameter table
 * (analysis/param.h): same names, types, ranges, defaults and help, so that `kith <family>
 * <analysis> --help` and the API reference cannot disagree. scripts/openapi-sync rewrites them.
 */
static void analysis_parameters_follow_the_tables(void **state)
{
    (void)state;
    json_t *doc = load_doc();
    json_t *paths = json_object_get(doc, "paths");
    size_t nfamilies = 0, nroutes = 0;
    for (const struct analysis_family *const *f = analysis_families; *f; f++, nfamilies++) {
        for (size_t i = 0; i < (*f)->ndefs; i++) {
            const struct analysis_def *d = &(*f)->defs[i];
            if (!d->route)
                continue;
            nroutes++;
            bool routed = false;
            for (const struct api_route *r = api_routes; r->method; r++)
                routed |= strcmp(r->method, "GET") == 0 && strcmp(r->pattern, d->route) == 0;
            if (!routed)
                fail_msg("kith %s %s names route %s, which routes.c does not serve", (*f)->name,
                         d->name, d->route);
            json_t *op = json_object_get(json_object_get(paths, d->route), "get");
            if (!op)
                fail_msg("docs/openapi.json has no GET %s", d->route);
            json_t *query = json_array();
            size_t k;
            json_t *p;
            json_array_foreach(json_object_get(op, "parameters"), k, p)
            {
                const char *in = json_string_value(json_object_get(p, "in"));
                if (in && strcmp(in, "query") == 0)
                    json_array_append(query, p);
            }
            json_t *want = param_openapi(*f, d->group);
            if (!json_equal(query, want)) {
                char *text = json_dumps(want, JSON_COMPACT);
                fail_msg("GET %s: the query parameters of docs/openapi.json are not those of the "
                         "%s table (run scripts/openapi-sync); the table says %.2000s",
                         d->route, (*f)->name, text ? text : "?");
            }
            json_decref(want);
            json_decref(query);
        }
    }
    assert_true(nfamilies >= 1);
    assert_true(nroutes >= 1);
    json_decref(doc);
}

static void binary_serves_the_file(void **state)
{
    (void)state;
    FILE *f = fopen(KITH_SOURCE_DIR "/docs/openapi.json", "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    assert_int_equal(n, kith_openapi_json_len);
    assert_memory_equal(buf, kith_openapi_json, n);
    assert_int_equal(kith_openapi_json[n], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_route_is_documented),
        cmocka_unit_test(every_reference_resolves),
        cmocka_unit_test(schemas_follow_the_model),
        cmocka_unit_test(analysis_parameters_follow_the_tables),
        cmocka_unit_test(binary_serves_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
