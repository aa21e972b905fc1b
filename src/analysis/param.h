/*
 * param.h - the parameters of an analysis, declared once in a table that every door reads: the
 * CLI's option parser and --help, the API's query-string parser, and the OpenAPI parameter
 * lists (tests/unit/api/openapi_test.c checks docs/openapi.json against the tables).
 *
 * An analysis family (value, rv, ...) declares a struct of parameters that begins with a
 * struct param_head, a table of struct param_spec whose offsets point into that struct, and a
 * table of struct analysis_def, one per analysis (subcommand / route). param_defaults() fills
 * the struct from the table's defaults; param_set() sets one parameter from text, whichever
 * door it came through. docs/internals/analysis.md shows how to add an analysis.
 */
#ifndef KITH_ANALYSIS_PARAM_H
#define KITH_ANALYSIS_PARAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

#define PARAM_MAX      64 /* specs per table: one bit each in param_head.given */
#define PARAM_LIST_MAX 16 /* values of a repeatable parameter */
#define PARAM_TEXT_MAX 256

enum param_type {
    PARAM_FLAG,   /* bool. CLI: --name alone; API: name=true|false|1|0 */
    PARAM_INT,    /* int64_t in [lo, hi] */
    PARAM_NUMBER, /* double in [lo, hi] */
    PARAM_TIME,   /* int64_t Unix ms from ISO 8601 (a date is its midnight UTC) */
    PARAM_CHOICE, /* int: the index of the value in choices */
    PARAM_TEXT,   /* const char *, at most hi bytes (PARAM_TEXT_MAX when hi is 0) */
    PARAM_LIST,   /* struct param_list: repeatable text, at most hi values */
};

/* The values of a repeatable parameter; they point into argv or the request's query. */
struct param_list {
    const char *v[PARAM_LIST_MAX];
    size_t n;
};

/* First member of every parameter struct: which parameters were given (bit = spec index). */
struct param_head {
    uint64_t given;
};

struct param_spec {
    const char *name; /* snake_case; the API's query parameter */
    const char *cli;  /* the CLI's option without "--"; NULL: name with '-' for '_' */
    enum param_type type;
    double lo, hi;              /* INT, NUMBER: the range; TEXT: max bytes; LIST: max values */
    const char *def;            /* the default as a user would type it; NULL: none */
    const char *const *choices; /* CHOICE: NULL-terminated */
    size_t offset;              /* of the value in the parameter struct */
    uint64_t groups;            /* the analyses that take it (analysis_def.group bits) */
    const char *metavar;        /* for --help: "N", "DATE", ... (NULL: from the type) */
    const char *help;           /* one line, without the default (added from def) */
    bool required;              /* the analysis cannot run without it */
    bool cli_only;              /* a door option of the CLI (--db, --json): not in the API */
};

/*
 * The command line's own options, the same in every family: --db PATH and --json. ptype is the
 * family's parameter struct, which has `const char *db` and `bool json`; groups its analyses.
 */
#define PARAM_SPEC_DB(ptype, groups_)                                                              \
    {                                                                                              \
        .name = "db", .type = PARAM_TEXT, .hi = 4096, .offset = offsetof(ptype, db),               \
        .groups = (groups_), .metavar = "PATH", .cli_only = true,                                  \
        .help = "the database (default: $KITH_DB, else ./kith.db)"                                 \
    }
#define PARAM_SPEC_JSON(ptype, groups_)                                                            \
    {                                                                                              \
        .name = "json", .type = PARAM_FLAG, .offset = offsetof(ptype, json), .groups = (groups_),  \
        .cli_only = true, .help = "JSON (the API's answer) instead of a table"                     \
    }

/* One analysis of a family: a subcommand of `kith <family>` and a route of the API. */
struct analysis_def {
    const char *name;    /* "clv": `kith value clv` */
    uint64_t group;      /* its bit in param_spec.groups */
    const char *route;   /* "/api/v1/value/clv", or NULL when the API does not serve it */
    const char *args;    /* positional arguments for the usage line ("<id|email>"), or NULL */
    const char *summary; /* one line */
};

struct analysis_family {
    const char *name; /* "value": `kith value`, /api/v1/value/... */
    const struct param_spec *specs;
    size_t nspecs;
    const struct analysis_def *defs;
    size_t ndefs;
};

/* The analysis named name in f, or NULL. */
const struct analysis_def *analysis_find(const struct analysis_family *f, const char *name);

/* The spec of parameter name (snake_case, or its CLI spelling when cli) taken by group, or NULL. */
const struct param_spec *param_find(const struct analysis_family *f, uint64_t group,
                                    const char *name, bool cli);

/* The CLI spelling of spec (without "--"): its cli, else its name with '-' for '_' (in buf). */
const char *param_cli_name(const struct param_spec *spec, char *buf, size_t size);

/* Index of spec in f->specs (for param_head.given). */
size_t param_index(const struct analysis_family *f, const struct param_spec *spec);

/* True if the parameter called name was given (not defaulted). name must be in the table. */
bool param_given(const struct analysis_family *f, const void *params, const char *name);

/*
 * Fills params (a struct beginning with struct param_head) with the defaults of every spec of
 * the family and clears given. A default that does not parse is a bug in the table (BUG()).
 */
void param_defaults(const struct analysis_family *f, void *params);

/*
 * Sets the parameter of spec from text value (NULL for a CLI flag). A second value of a
 * parameter that is not a list is refused (KITH_EINVAL, "given twice"). shown is how the
 * parameter is named in messages ("--horizon" or "horizon"). Returns 0 or a negative KITH_E
 * code with err naming the parameter, the value and what it must be. Text values are not
 * copied: they must outlive params.
 */
int param_set(const struct analysis_family *f, const struct param_spec *spec, void *params,
              const char *value, const char *shown, struct kith_error *err);

/*
 * Parses argv[first..argc) as the options of group: --name VALUE, --name=VALUE, --flag, and
 * "--" ending the options. Other words are positional arguments, stored in pos (at most maxpos;
 * *npos is their number). -h/--help are not handled here (the caller looks first). Returns 0
 * or KITH_EINVAL with err saying which option is unknown, lacks its value or is malformed.
 */
int param_parse_argv(const struct analysis_family *f, uint64_t group, int argc, char **argv,
                     int first, void *params, const char **pos, size_t maxpos, size_t *npos,
                     struct kith_error *err);

/*
 * 0, or KITH_EINVAL naming the first required parameter of group that was not given (its spec
 * in *missing when missing is not NULL).
 */
int param_check_required(const struct analysis_family *f, uint64_t group, const void *params,
                         bool cli, const struct param_spec **missing, struct kith_error *err);

/* Writes the options of group to out, one per line: "  --name METAVAR  help (default D)". */
void param_print_help(const struct analysis_family *f, uint64_t group, FILE *out);

/*
 * The OpenAPI 3.1 "parameters" array of group's route: one query parameter object per spec
 * that is not cli_only
 * (name, in, required false, description, schema with type, minimum/maximum, enum, default).
 * A new reference, or NULL when out of memory.
 */
json_t *param_openapi(const struct analysis_family *f, uint64_t group);

/* Every analysis family, NULL-terminated (analysis/families.c). */
extern const struct analysis_family *const analysis_families[];

#endif
