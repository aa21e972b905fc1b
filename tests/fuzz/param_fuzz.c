/*
 * param_fuzz.c - libFuzzer target for the parameters of the analyses (src/analysis/param.c)
 * through both doors, over the real tables of every family (analysis_families): the first byte
 * picks the analysis, the rest is read as a query string (api_analysis_params(), the API's
 * parser, as libmicrohttpd would give it) and as a command line split at newlines
 * (param_parse_argv(), the CLI's parser). What a door accepted must lie in its spec's range.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/param.h"
#include "api/analysis.h"
#include "support.h"

#define PARAMS_MAX 8192 /* bytes: larger than every family's parameter struct (checked) */
#define ARGV_MAX   32

/* A parameter struct of any family. */
static alignas(max_align_t) unsigned char params[PARAMS_MAX];

static size_t slot_size(enum param_type t)
{
    switch (t) {
    case PARAM_FLAG:
        return sizeof(bool);
    case PARAM_INT:
    case PARAM_TIME:
        return sizeof(int64_t);
    case PARAM_NUMBER:
        return sizeof(double);
    case PARAM_CHOICE:
        return sizeof(int);
    case PARAM_TEXT:
        return sizeof(const char *);
    case PARAM_LIST:
        return sizeof(struct param_list);
    }
    abort();
}

/* What a door accepted must be within the table's ranges. */
static void check_ranges(const struct analysis_family *f, uint64_t group)
{
    for (size_t i = 0; i < f->nspecs; i++) {
        const struct param_spec *s = &f->specs[i];
        if (!(s->groups & group) || !param_given(f, params, s->name))
            continue;
        const void *p = params + s->offset;
        size_t n = 0;
        switch (s->type) {
        case PARAM_INT:
            if (*(const int64_t *)p < (int64_t)s->lo || *(const int64_t *)p > (int64_t)s->hi)
                abort();
            break;
        case PARAM_NUMBER:
            if (!(*(const double *)p >= s->lo && *(const double *)p <= s->hi))
                abort();
            break;
        case PARAM_CHOICE:
            while (s->choices[n])
                n++;
            if (*(const int *)p < 0 || (size_t) * (const int *)p >= n)
                abort();
            break;
        case PARAM_TEXT:
            if (strlen(*(const char *const *)p) > (s->hi > 0 ? (size_t)s->hi : PARAM_TEXT_MAX))
                abort();
            break;
        case PARAM_LIST:
            if (((const struct param_list *)p)->n > PARAM_LIST_MAX)
                abort();
            break;
        case PARAM_FLAG:
        case PARAM_TIME:
            break;
        }
    }
}

static void api_door(const struct analysis_family *f, const struct analysis_def *def, const char *s,
                     size_t len)
{
    struct fuzz_query q;
    struct api_response res = {0};
    fuzz_query_init(&q, s, len);
    struct api_request req = {.method = "GET", .path = def->route, .conn = &q};
    if (api_analysis_params(&req, &res, f, def, params))
        check_ranges(f, def->group);
    else if (res.status != 400)
        abort();
    json_decref(res.json);
    fuzz_query_release(&q);
}

static void cli_door(const struct analysis_family *f, const struct analysis_def *def, const char *s,
                     size_t len)
{
    char *buf = fuzz_strndup((const uint8_t *)s, len);
    char *argv[ARGV_MAX + 1];
    int argc = 0;
    argv[argc++] = (char *)def->name;
    for (char *p = buf; argc < ARGV_MAX;) {
        char *nl = memchr(p, '\n', len - (size_t)(p - buf));
        if (nl)
            *nl = '\0';
        argv[argc++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    argv[argc] = NULL;
    const char *pos[2];
    size_t npos = 0;
    struct kith_error err = {0};
    param_defaults(f, params);
    if (param_parse_argv(f, def->group, argc, argv, 1, params, pos, 2, &npos, &err) == 0) {
        if (npos > 2)
            abort();
        check_ranges(f, def->group);
        param_check_required(f, def->group, params, true, NULL, &err);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    for (const struct analysis_family *const *f = analysis_families; *f; f++) {
        for (size_t i = 0; i < (*f)->nspecs; i++)
            if ((*f)->specs[i].offset + slot_size((*f)->specs[i].type) > PARAMS_MAX)
                abort(); /* PARAMS_MAX is too small for this family */
        total += (*f)->ndefs;
    }
    if (size < 1 || total == 0)
        return 0;
    size_t pick = data[0] % total;
    const char *s = (const char *)data + 1;
    for (const struct analysis_family *const *f = analysis_families; *f; f++) {
        if (pick >= (*f)->ndefs) {
            pick -= (*f)->ndefs;
            continue;
        }
        const struct analysis_def *def = &(*f)->defs[pick];
        if (def->route)
            api_door(*f, def, s, size - 1);
        cli_door(*f, def, s, size - 1);
        break;
    }
    return 0;
}
