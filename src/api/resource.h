/*
 * resource.h - the generic REST resource behind every src/api/<resource>.c: list (filters,
 * search, sort, keyset cursor, projection), get, create, update and delete of one table of
 * model/table.h, with the body checked against the table's fields, the caller's scope applied
 * (access.h) and every write in one transaction. A resource file says only what is special about
 * its table: search fields, server-owned fields, and a hook for defaults. docs/api.md describes
 * what clients see.
 */
#ifndef KITH_API_RESOURCE_H
#define KITH_API_RESOURCE_H

#include <stdbool.h>

#include "api/api.h"
#include "model/table.h"
#include "store/store.h"

#define RESOURCE_MAX_FIELDS    32
#define RESOURCE_LIMIT_DEFAULT 50
#define RESOURCE_LIMIT_MAX     500

/* A row being written: values in field order, which of them are set, and text it allocated. */
struct resource_row {
    const struct table_def *t;
    struct store_value vals[RESOURCE_MAX_FIELDS];
    bool set[RESOURCE_MAX_FIELDS];    /* present in the body or set by a hook */
    char *owned[RESOURCE_MAX_FIELDS]; /* text behind vals[i] that the row frees, or NULL */
    int64_t id;                       /* the row being updated; 0 on create */
};

struct api_resource;

enum resource_change { RESOURCE_CREATED, RESOURCE_UPDATED, RESOURCE_DELETED };

/*
 * Called inside the write's transaction once the body has passed the generic checks, before the
 * required fields and references are checked: fills defaults and derived values (create is true
 * for POST, false for PATCH). Returns 0, or fills res with the answer and returns a negative
 * KITH_E code (the transaction is then rolled back).
 */
typedef int (*resource_prepare_fn)(const struct api_resource *r, struct api_request *req,
                                   struct resource_row *row, bool create, struct api_response *res);

struct api_resource {
    const char *table;               /* the model table: "contacts" */
    const char *path;                /* its collection: "/api/v1/contacts" (for Location) */
    const char *const *search;       /* fields that q= matches by prefix; NULL: no search */
    const char *const *server_owned; /* fields no client sets (besides id and created_at) */
    const char *const *create_only;  /* fields PATCH may not change */
    const char *const *extra;        /* write-only body members the hooks read themselves */
    resource_prepare_fn before;      /* or NULL: like prepare, but before the transaction
                                        begins, for slow work (hashing a password) */
    resource_prepare_fn prepare;     /* or NULL */
    /* or NULL: called inside the write's transaction once row id is inserted (create) or
     * updated, before the scope is checked again and the transaction commits; fails as prepare */
    int (*written)(const struct api_resource *r, struct api_request *req, int64_t id, bool create,
                   struct api_response *res);
    /* or NULL: told after a write committed (row id; create, update or delete), for the state
     * the server keeps beside the store (the RV snapshot, rvstate.h) */
    void (*committed)(struct api_request *req, int64_t id, enum resource_change change);
};

/* The generic handlers (GET collection, GET one, POST, PATCH one, DELETE one). */
void resource_list(const struct api_resource *r, struct api_request *req, struct api_response *res);
void resource_get(const struct api_resource *r, struct api_request *req, struct api_response *res);
void resource_create(const struct api_resource *r, struct api_request *req,
                     struct api_response *res);
void resource_update(const struct api_resource *r, struct api_request *req,
                     struct api_response *res);
void resource_delete(const struct api_resource *r, struct api_request *req,
                     struct api_response *res);

/* Defines api_<name>_list and api_<name>_get for the resource res (declared in handlers.h). */
#define RESOURCE_DEFINE_READ(name, res)                                                            \
    void api_##name##_list(struct api_request *req, struct api_response *out)                      \
    {                                                                                              \
        resource_list(&(res), req, out);                                                           \
    }                                                                                              \
    void api_##name##_get(struct api_request *req, struct api_response *out)                       \
    {                                                                                              \
        resource_get(&(res), req, out);                                                            \
    }

/* Defines api_<name>_create and api_<name>_update. */
#define RESOURCE_DEFINE_WRITE(name, res)                                                           \
    void api_##name##_create(struct api_request *req, struct api_response *out)                    \
    {                                                                                              \
        resource_create(&(res), req, out);                                                         \
    }                                                                                              \
    void api_##name##_update(struct api_request *req, struct api_response *out)                    \
    {                                                                                              \
        resource_update(&(res), req, out);                                                         \
    }

/* Defines api_<name>_delete. */
#define RESOURCE_DEFINE_DELETE(name, res)                                                          \
    void api_##name##_delete(struct api_request *req, struct api_response *out)                    \
    {                                                                                              \
        resource_delete(&(res), req, out);                                                         \
    }

/* ---- for hooks and the special handlers (void, timeline) ---- */

/*
 * resource_create() for a body that may hold only the fields in allowed (NULL: any; a missing
 * body then counts as {}), with prepare in place of r->prepare, audited as action ("void").
 * POST /interactions/{id}/void uses it.
 */
void resource_create_as(const struct api_resource *r, const char *const *allowed,
                        resource_prepare_fn prepare, const char *action, struct api_request *req,
                        struct api_response *res);

/*
 * Inside the caller's transaction, what resource_create() does between begin and commit for a
 * row a hook built (row->t must be r's table): r's prepare hook, the required fields and
 * references, the caller's write scope, the insert and the audit entry. Returns 0 with the new
 * row's id in *id, or a negative KITH_E code with res holding the answer (the caller rolls
 * back). r's committed hook is the caller's to call once it has committed. A survey answer
 * records its interaction this way (src/api/surveys.c through api_interaction_insert()).
 */
int resource_insert_in(const struct api_resource *r, struct api_request *req,
                       struct resource_row *row, int64_t *id, struct api_response *res);

/*
 * Inside a transaction: true if row id of t is one the caller may read and change; otherwise
 * fills res with 404 (not readable: as if it did not exist) or 403 (readable only).
 */
bool resource_may_change(struct api_request *req, const struct table_def *t, int64_t id,
                         struct api_response *res);

/*
 * A prepare hook for tables with owner_id and unit_id (accounts, contacts): on create, an
 * unset unit_id becomes the caller's unit and, for all but admins, an unset owner_id the caller.
 */
int resource_prepare_owned(const struct api_resource *r, struct api_request *req,
                           struct resource_row *row, bool create, struct api_response *res);

/* The table of r; BUG when r names none. */
const struct table_def *resource_table(const struct api_resource *r);

/* Index of field name in row->t; BUG when there is none (names are constants). */
size_t resource_field(const struct resource_row *row, const char *name);

/* True if the body (or a hook) sets field name, even to null. */
bool resource_is_set(const struct resource_row *row, const char *name);

/* True if field name is set to a value other than null. */
bool resource_has(const struct resource_row *row, const char *name);

/* Sets field name to the integer i / to a copy of the text s (which the row then owns). */
void resource_set_int(struct resource_row *row, const char *name, int64_t i);
int resource_set_text(struct resource_row *row, const char *name, const char *s, size_t len);

/* Frees the text row owns. */
void resource_row_release(struct resource_row *row);

/*
 * The JSON object of a row of t: every field but secrets (only those with mask[i] true when
 * mask is non-NULL; id always), times as ISO 8601 UTC strings, money as decimal strings,
 * booleans as true/false, JSON fields as objects. NULL when out of memory. Caller owns it.
 */
json_t *resource_row_json(const struct table_def *t, const struct store_value *vals,
                          const bool *mask);

/*
 * Reads row id of t (all scope) as resource_row_json() and answers it with status, adding a
 * Location header for 201. Used after a successful write.
 */
void resource_answer_row(const struct api_resource *r, struct api_request *req, int64_t id,
                         int status, struct api_response *res);

/* Answers the failure err of a write to t: 409 / 422 / 404 naming the field when it can. */
void resource_answer_error(const struct table_def *t, const struct kith_error *err,
                           struct api_response *res);

/*
 * Adds to q the filters of text, written as a list's query string ("unit_id=3&source=web",
 * "created_at_from=2026-01-01": the same names, ranges and checks as GET of t's list, without
 * URL escapes). text is cut in place and the filters point into it. False with a 422 naming
 * field in when a filter is wrong. A survey's audience is such a filter of contacts.
 */
bool resource_parse_filter_text(const struct table_def *t, char *text, struct store_query *q,
                                const char *in, struct api_response *res);

/* Reads ?limit= (default RESOURCE_LIMIT_DEFAULT, 1..RESOURCE_LIMIT_MAX); false and a 400 if bad. */
bool resource_limit(const struct api_request *req, size_t *limit, struct api_response *res);

/*
 * An opaque cursor: state (a JSON value) as base64url text. resource_cursor_encode() returns a
 * malloc'd string (caller frees) or NULL; resource_cursor_decode() returns a new reference or
 * NULL when text is not a cursor this server wrote.
 */
char *resource_cursor_encode(json_t *state);
json_t *resource_cursor_decode(const char *text);

#endif
