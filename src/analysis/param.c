/*
 * param.c - parsing, defaults, help and OpenAPI lists from an analysis family's parameter table
 * (see param.h). Both doors end in param_set(), so a value means the same wherever it is typed.
 */
#include "analysis/param.h"

#include <math.h>
#include <string.h>

#include "util/num.h"
#include "util/timefmt.h"

#include "util/banned.h"

const struct analysis_def *analysis_find(const struct analysis_family *f, const char *name)
{
    for (size_t i = 0; i < f->ndefs; i++)
        if (strcmp(f->defs[i].name, name) == 0)
            return &f->defs[i];
    return NULL;
}

/* The CLI spelling of spec into buf: its cli name, else its name with '-' for '_'. */
static const char *cli_name(const struct param_spec *spec, char *buf, size_t size)
{
    if (spec->cli)
        return spec->cli;
    size_t n = strlen(spec->name);
    if (n >= size)
        BUG("parameter name %s is too long", spec->name);
    for (size_t i = 0; i <= n; i++)
        buf[i] = spec->name[i] == '_' ? '-' : spec->name[i];
    return buf;
}

const char *param_cli_name(const struct param_spec *spec, char *buf, size_t size)
{
    return cli_name(spec, buf, size);
}

const struct param_spec *param_find(const struct analysis_family *f, uint64_t group,
                                    const char *name, bool cli)
{
    char buf[64];
    for (size_t i = 0; i < f->nspecs; i++) {
        const struct param_spec *s = &f->specs[i];
        if (!(s->groups & group))
            continue;
        const char *n = cli ? cli_name(s, buf, sizeof(buf)) : s->name;
        if (strcmp(n, name) == 0)
            return s;
    }
    return NULL;
}

size_t param_index(const struct analysis_family *f, const struct param_spec *spec)
{
    size_t i = (size_t)(spec - f->specs);
    if (i >= f->nspecs)
        BUG("parameter %s is not in the %s table", spec->name, f->name);
    return i;
}

/* A name may have a spec per group of analyses (each with its own choices): any of them given. */
bool param_given(const struct analysis_family *f, const void *params, const char *name)
{
    bool known = false, given = false;
    for (size_t i = 0; i < f->nspecs; i++)
        if (strcmp(f->specs[i].name, name) == 0) {
            known = true;
            given |= (((const struct param_head *)params)->given >> i) & 1;
        }
    if (!known)
        BUG("no parameter %s in the %s table", name, f->name);
    return given;
}

static void *slot(void *params, const struct param_spec *spec)
{
    return (char *)params + spec->offset;
}

static int bad_choice(const struct param_spec *spec, const char *value, const char *shown,
                      struct kith_error *err)
{
    char list[200] = "";
    size_t n = 0;
    for (const char *const *c = spec->choices; *c && n < sizeof(list); c++) {
        int w = snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", *c);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    return kith_err(err, KITH_EINVAL, "%s '%.40s' must be one of: %s", shown, value, list);
}

/* Parses value into the slot of spec; no bookkeeping of what was given. */
static int set_value(const struct param_spec *spec, void *params, const char *value,
                     const char *shown, struct kith_error *err)
{
    void *p = slot(params, spec);
    switch (spec->type) {
    case PARAM_FLAG:
        if (!value || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
            *(bool *)p = true;
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
            *(bool *)p = false;
        else
            return kith_err(err, KITH_EINVAL, "%s '%.40s' must be true or false", shown, value);
        return 0;
    case PARAM_INT:
        return num_int64(value, (int64_t)spec->lo, (int64_t)spec->hi, (int64_t *)p, shown, err);
    case PARAM_NUMBER:
        return num_double(value, spec->lo, spec->hi, (double *)p, shown, err);
    case PARAM_TIME: {
        struct kith_error e = {0};
        if (timefmt_parse(value, strlen(value), (int64_t *)p, &e) < 0)
            return kith_err(err, KITH_EINVAL, "%s: %s", shown, e.msg);
        return 0;
    }
    case PARAM_CHOICE:
        for (int i = 0; spec->choices[i]; i++)
            if (strcmp(spec->choices[i], value) == 0) {
                *(int *)p = i;
                return 0;
            }
        return bad_choice(spec, value, shown, err);
    case PARAM_TEXT: {
        size_t max = spec->hi > 0 ? (size_t)spec->hi : PARAM_TEXT_MAX;
        if (strlen(value) > max)
            return kith_err(err, KITH_ERANGE, "%s is longer than %zu bytes", shown, max);
        *(const char **)p = value;
        return 0;
    }
    case PARAM_LIST: {
        struct param_list *l = p;
        size_t max = spec->hi > 0 ? (size_t)spec->hi : PARAM_LIST_MAX;
        if (max > PARAM_LIST_MAX)
            max = PARAM_LIST_MAX;
        if (l->n >= max)
            return kith_err(err, KITH_ERANGE, "%s may be given at most %zu times", shown, max);
        if (strlen(value) > PARAM_TEXT_MAX)
            return kith_err(err, KITH_ERANGE, "%s is longer than %d bytes", shown, PARAM_TEXT_MAX);
        l->v[l->n++] = value;
        return 0;
    }
    }
    BUG("parameter %s has type %d", spec->name, (int)spec->type);
}

void param_defaults(const struct analysis_family *f, void *params)
{
    if (f->nspecs > PARAM_MAX)
        BUG("the %s table has %zu parameters (at most %d)", f->name, f->nspecs, PARAM_MAX);
    ((struct param_head *)params)->given = 0;
    for (size_t i = 0; i < f->nspecs; i++) {
        const struct param_spec *s = &f->specs[i];
        void *p = slot(params, s);
        switch (s->type) {
        case PARAM_FLAG:
            *(bool *)p = false;
            break;
        case PARAM_INT:
        case PARAM_TIME:
            *(int64_t *)p = 0;
            break;
        case PARAM_NUMBER:
            *(double *)p = 0;
            break;
        case PARAM_CHOICE:
            *(int *)p = 0;
            break;
        case PARAM_TEXT:
            *(const char **)p = NULL;
            break;
        case PARAM_LIST:
            memset(p, 0, sizeof(struct param_list));
            break;
        }
        struct kith_error err = {0};
        if (s->def && set_value(s, params, s->def, s->name, &err) < 0)
            BUG("the default of %s.%s does not parse: %s", f->name, s->name, err.msg);
    }
}

int param_set(const struct analysis_family *f, const struct param_spec *spec, void *params,
              const char *value, const char *shown, struct kith_error *err)
{
    struct param_head *h = params;
    const uint64_t bit = (uint64_t)1 << param_index(f, spec);
    if (!value && spec->type != PARAM_FLAG)
        return kith_err(err, KITH_EINVAL, "%s needs a value", shown);
    if ((h->given & bit) && spec->type != PARAM_LIST)
        return kith_err(err, KITH_EINVAL, "%s is given twice", shown);
    if (spec->type == PARAM_LIST && !(h->given & bit))
        memset(slot(params, spec), 0, sizeof(struct param_list)); /* a default gives way */
    int rc = set_value(spec, params, value, shown, err);
    if (rc == 0)
        h->given |= bit;
    return rc;
}

int param_parse_argv(const struct analysis_family *f, uint64_t group, int argc, char **argv,
                     int first, void *params, const char **pos, size_t maxpos, size_t *npos,
                     struct kith_error *err)
{
    *npos = 0;
    bool options = true;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!options || a[0] != '-' || a[1] == '\0') {
            if (*npos >= maxpos)
                return kith_err(err, KITH_EINVAL, "unexpected argument '%.60s'", a);
            pos[(*npos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options = false;
            continue;
        }
        if (a[1] != '-')
            return kith_err(err, KITH_EINVAL, "unknown option '%.60s'", a);
        char name[64];
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (len == 0 || len >= sizeof(name))
            return kith_err(err, KITH_EINVAL, "unknown option '%.60s'", a);
        memcpy(name, a + 2, len);
        name[len] = '\0';
        const struct param_spec *s = param_find(f, group, name, true);
        if (!s && param_find(f, UINT64_MAX, name, true))
            return kith_err(err, KITH_EINVAL,
                            "unknown option '--%s' here (option --%s does not apply to this "
                            "analysis)",
                            name, name);
        if (!s)
            return kith_err(err, KITH_EINVAL, "unknown option '--%s'", name);
        char shown[72];
        snprintf(shown, sizeof(shown), "--%s", name);
        const char *value = NULL;
        if (eq) {
            if (s->type == PARAM_FLAG)
                return kith_err(err, KITH_EINVAL, "%s takes no value", shown);
            value = eq + 1;
        } else if (s->type != PARAM_FLAG) {
            if (i + 1 >= argc)
                return kith_err(err, KITH_EINVAL, "%s needs a value", shown);
            value = argv[++i];
        }
        int rc = param_set(f, s, params, value, shown, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int param_check_required(const struct analysis_family *f, uint64_t group, const void *params,
                         bool cli, const struct param_spec **missing, struct kith_error *err)
{
    char buf[64];
    const uint64_t given = ((const struct param_head *)params)->given;
    for (size_t i = 0; i < f->nspecs; i++) {
        const struct param_spec *s = &f->specs[i];
        if (!(s->groups & group) || !s->required || ((given >> i) & 1))
            continue;
        if (missing)
            *missing = s;
        return cli ? kith_err(err, KITH_EINVAL, "--%s is required", cli_name(s, buf, sizeof(buf)))
                   : kith_err(err, KITH_EINVAL, "%s is required", s->name);
    }
    return 0;
}

static const char *metavar(const struct param_spec *s)
{
    if (s->metavar)
        return s->metavar;
    switch (s->type) {
    case PARAM_FLAG:
        return "";
    case PARAM_INT:
        return "N";
    case PARAM_NUMBER:
        return "X";
    case PARAM_TIME:
        return "DATE";
    case PARAM_CHOICE:
        return "WORD";
    case PARAM_TEXT:
    case PARAM_LIST:
        return "TEXT";
    }
    return "";
}

void param_print_help(const struct analysis_family *f, uint64_t group, FILE *out)
{
    char buf[64];
    for (size_t i = 0; i < f->nspecs; i++) {
        const struct param_spec *s = &f->specs[i];
        if (!(s->groups & group))
            continue;
        char left[96];
        const char *mv = metavar(s);
        snprintf(left, sizeof(left), "--%s%s%s", cli_name(s, buf, sizeof(buf)), *mv ? " " : "", mv);
        fprintf(out, "  %-24s %s", left, s->help);
        if (s->type == PARAM_CHOICE) {
            fputs(" (", out);
            for (const char *const *c = s->choices; *c; c++)
                fprintf(out, "%s%s", c == s->choices ? "" : "|", *c);
            fputc(')', out);
        }
        if (s->type == PARAM_LIST)
            fputs(" (repeatable)", out);
        if (s->required)
            fputs(" (required)", out);
        else if (s->def && s->type != PARAM_FLAG)
            fprintf(out, " [default %s]", s->def);
        fputc('\n', out);
    }
}

/* The schema of spec as OpenAPI writes it. */
static json_t *schema(const struct param_spec *s)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    switch (s->type) {
    case PARAM_FLAG:
        json_object_set_new(j, "type", json_string("boolean"));
        break;
    case PARAM_INT:
        json_object_set_new(j, "type", json_string("integer"));
        json_object_set_new(j, "minimum", json_integer((json_int_t)s->lo));
        json_object_set_new(j, "maximum", json_integer((json_int_t)s->hi));
        if (s->def) {
            int64_t v = 0;
            num_int64(s->def, INT64_MIN, INT64_MAX, &v, s->name, NULL);
            json_object_set_new(j, "default", json_integer((json_int_t)v));
        }
        break;
    case PARAM_NUMBER:
        json_object_set_new(j, "type", json_string("number"));
        json_object_set_new(j, "minimum", json_real(s->lo));
        json_object_set_new(j, "maximum", json_real(s->hi));
        if (s->def) {
            double v = 0;
            num_double(s->def, -HUGE_VAL, HUGE_VAL, &v, s->name, NULL);
            json_object_set_new(j, "default", json_real(v));
        }
        break;
    case PARAM_TIME:
        json_object_set_new(j, "type", json_string("string"));
        if (s->def)
            json_object_set_new(j, "default", json_string(s->def));
        break;
    case PARAM_CHOICE: {
        json_object_set_new(j, "type", json_string("string"));
        json_t *e = json_array();
        for (const char *const *c = s->choices; *c; c++)
            json_array_append_new(e, json_string(*c));
        json_object_set_new(j, "enum", e);
        if (s->def)
            json_object_set_new(j, "default", json_string(s->def));
        break;
    }
    case PARAM_TEXT:
        json_object_set_new(j, "type", json_string("string"));
        json_object_set_new(j, "maxLength",
                            json_integer(s->hi > 0 ? (json_int_t)s->hi : PARAM_TEXT_MAX));
        if (s->def)
            json_object_set_new(j, "default", json_string(s->def));
        break;
    case PARAM_LIST: {
        json_object_set_new(j, "type", json_string("array"));
        json_t *items = json_object();
        json_object_set_new(items, "type", json_string("string"));
        json_object_set_new(j, "items", items);
        json_object_set_new(j, "maxItems",
                            json_integer(s->hi > 0 ? (json_int_t)s->hi : PARAM_LIST_MAX));
        break;
    }
    }
    return j;
}

json_t *param_openapi(const struct analysis_family *f, uint64_t group)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    for (size_t i = 0; i < f->nspecs; i++) {
        const struct param_spec *s = &f->specs[i];
        if (!(s->groups & group) || s->cli_only)
            continue;
        json_t *p = json_object();
        json_object_set_new(p, "name", json_string(s->name));
        json_object_set_new(p, "in", json_string("query"));
        json_object_set_new(p, "required", json_boolean(s->required));
        json_object_set_new(p, "description", json_string(s->help));
        json_object_set_new(p, "schema", schema(s));
        if (s->type == PARAM_LIST) {
            json_object_set_new(p, "style", json_string("form"));
            json_object_set_new(p, "explode", json_true());
        }
        if (json_array_append_new(arr, p) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}
