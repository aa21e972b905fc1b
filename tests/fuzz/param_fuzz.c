/*
 * param_fuzz.c - libFuzzer target for the parameters of the analyses (src/analysis/param.c)
 * through both doors, over a small family with one parameter of every type: the bytes as a
 * query string (api_analysis_params(), the API's parser, reading it as libmicrohttpd would
 * give it) and as a command line split at newlines (param_parse_argv(), the CLI's parser).
 * Each door then checks the required parameters; what was set must lie in its spec's range.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/param.h"
#include "api/analysis.h"
#include "support.h"

enum { A_ONE = 1 << 0, A_TWO = 1 << 1 };

struct toy {
    struct param_head head;
    int64_t horizon;
    double discount;
    int64_t as_of;
    int sort;
    bool low;
    const char *team;
    struct param_list where;
    bool json;
};

static const char *const sorts[] = {"lifetime", "current", NULL};

#define OFF(m) offsetof(struct toy, m)
static const struct param_spec specs[] = {
    {.name = "horizon",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1200,
     .def = "36",
     .offset = OFF(horizon),
     .groups = A_ONE | A_TWO,
     .help = "months"},
    {.name = "discount",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 10,
     .def = "0.10",
     .offset = OFF(discount),
     .groups = A_ONE,
     .help = "annual rate"},
    {.name = "as_of",
     .type = PARAM_TIME,
     .offset = OFF(as_of),
     .groups = A_TWO,
     .required = true,
     .help = "the as-of day"},
    {.name = "sort",
     .type = PARAM_CHOICE,
     .choices = sorts,
     .def = "current",
     .offset = OFF(sort),
     .groups = A_ONE,
     .help = "order"},
    {.name = "low_value",
     .type = PARAM_FLAG,
     .offset = OFF(low),
     .groups = A_ONE,
     .help = "only the low-value customers"},
    {.name = "team",
     .type = PARAM_TEXT,
     .hi = 8,
     .offset = OFF(team),
     .groups = A_ONE,
     .help = "a team"},
    {.name = "where",
     .type = PARAM_LIST,
     .hi = 2,
     .offset = OFF(where),
     .groups = A_ONE,
     .help = "a filter"},
    {.name = "json",
     .type = PARAM_FLAG,
     .offset = OFF(json),
     .groups = A_ONE | A_TWO,
     .cli_only = true,
     .help = "JSON"},
};
static const struct analysis_def defs[] = {
    {.name = "one", .group = A_ONE, .route = "/api/v1/toy/one", .summary = "the first"},
    {.name = "two", .group = A_TWO, .route = "/api/v1/toy/two", .summary = "the second"},
};
static const struct analysis_family toy = {"toy", specs, sizeof(specs) / sizeof(specs[0]), defs,
                                           sizeof(defs) / sizeof(defs[0])};

/* What a door accepted must be within the table's ranges. */
static void check_ranges(const struct toy *t)
{
    if (t->horizon < 1 || t->horizon > 1200 || !(t->discount >= 0 && t->discount <= 10) ||
        t->sort < 0 || t->sort > 1 || (t->team && strlen(t->team) > 8) || t->where.n > 2)
        abort();
}

static void api_door(const char *s, size_t len, const struct analysis_def *def)
{
    struct fuzz_query q;
    struct toy t;
    struct api_response res = {0};
    fuzz_query_init(&q, s, len);
    struct api_request req = {.method = "GET", .path = def->route, .conn = &q};
    if (api_analysis_params(&req, &res, &toy, def, &t))
        check_ranges(&t);
    else if (res.status != 400)
        abort();
    json_decref(res.json);
    fuzz_query_release(&q);
}

#define ARGV_MAX 32

static void cli_door(const char *s, size_t len, uint64_t group)
{
    char *buf = fuzz_strndup((const uint8_t *)s, len);
    char *argv[ARGV_MAX + 1];
    int argc = 0;
    argv[argc++] = "toy";
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
    struct toy t;
    const char *pos[2];
    size_t npos = 0;
    struct kith_error err = {0};
    param_defaults(&toy, &t);
    if (param_parse_argv(&toy, group, argc, argv, 1, &t, pos, 2, &npos, &err) == 0) {
        if (npos > 2)
            abort();
        check_ranges(&t);
        param_check_required(&toy, group, &t, true, NULL, &err);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    api_door(s, size, &defs[0]);
    api_door(s, size, &defs[1]);
    cli_door(s, size, A_ONE);
    cli_door(s, size, A_TWO);
    return 0;
}
