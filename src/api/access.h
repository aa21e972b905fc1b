/*
 * access.h - record-level access: which rows of a table a signed-in user may read or change.
 *
 * Every resource handler asks api_scope() before it touches the store, and hands the scope to
 * the store's queries, which apply it as bound WHERE conditions (store/query.c). A row outside
 * one's read scope answers 404, as if it did not exist. The rules are in one table in access.c
 * and in docs/internals/access.md.
 */
#ifndef KITH_API_ACCESS_H
#define KITH_API_ACCESS_H

#include <stdbool.h>

#include "api/api.h"
#include "model/table.h"
#include "store/store.h"

/* The roles that may change records (routes that write): everyone but executives and analysts. */
#define API_WRITERS (ROLE_ADMIN | ROLE_MANAGER | ROLE_FRONTLINE | ROLE_PARTNER)

/*
 * Fills *out with the rows of t that who may read (write false) or change (write true).
 * Returns 0, or KITH_EINVAL when who's role may not read or change t at all (the caller answers
 * 403); *out is then the empty scope.
 */
int api_scope(const struct api_principal *who, const struct table_def *t, bool write,
              struct store_scope *out);

/*
 * Checks where a write puts a row of t: each of unit_id, team_id and owner_id that the write
 * sets (set[i], vals[i]: t->nfields long, in field order) must name a unit, team or user within
 * who's reach, read from s (docs/internals/access.md, "Where a record may be put"). A null team
 * or owner is allowed; a null unit only to those who may put records anywhere. Returns 0, or
 * KITH_EINVAL with *field naming the first field out of reach and err saying why (the caller
 * answers 403), or the store's error.
 */
int api_check_placement(struct store *s, const struct api_principal *who, const struct table_def *t,
                        const struct store_value *vals, const bool *set, const char **field,
                        struct kith_error *err);

#endif
