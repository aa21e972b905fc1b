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

#endif
