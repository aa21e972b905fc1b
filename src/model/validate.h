/*
 * validate.h - what a value must be to go into a field of model/table.h, checked in one place
 * for every door that writes rows: the API's resources (api/resource_row.c) and kith import
 * (io/import_convert.c). The rules come from the field's type and from what its table declares in
 * model/tables.c: required, length, enumeration, format (email, ISO 4217 currency) and range.
 * docs/import-export.md lists them for users.
 *
 * Messages say what is wrong with the value and what was expected, but not where: each door
 * puts its own place in front ("contacts.csv:14:5: email: " for import, "email: " in the API's
 * 422 answer), so the same value gets the same reason through every door.
 */
#ifndef KITH_MODEL_VALIDATE_H
#define KITH_MODEL_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/table.h"
#include "util/error.h"

enum field_value_kind { FV_NULL = 0, FV_INT, FV_REAL, FV_TEXT };

/*
 * A value read for a field, before it becomes a row value of the store. FV_INT holds integers,
 * ids, booleans (0/1), times (Unix milliseconds) and money (minor units); FV_REAL numbers;
 * FV_TEXT text, enumeration values and JSON objects (as text). The text is not owned: it points
 * into what was parsed, or for an enumeration to the static spelling in tables.c.
 */
struct field_value {
    enum field_value_kind kind;
    int64_t i;
    double r;
    const char *s;
    size_t len;
};

/*
 * Reads the len bytes at s as a value of field f and checks it against every rule of f: the
 * one way text from outside (a CSV cell, a JSON string, a query parameter) becomes a value.
 * Numbers (util/num.h), booleans (true/false, 1/0, yes/no, any case), times (util/timefmt.h),
 * money (util/money.h) and enumeration values may have blanks (spaces, tabs) around them; for
 * them an empty text is FV_NULL. Text and JSON are taken as they are. Returns 0 with *out
 * filled, or KITH_EINVAL with the reason in err (*out is then FV_NULL).
 */
int field_parse(const struct field_def *f, const char *s, size_t len, struct field_value *out,
                struct kith_error *err);

/*
 * field_parse() without the rules of the field beyond its type (no range, format or length):
 * for a bound of a list filter ("level_from=0"), which may lie outside the values a row holds.
 */
int field_parse_type(const struct field_def *f, const char *s, size_t len, struct field_value *out,
                     struct kith_error *err);

/*
 * Checks a value that came already typed (a JSON number or object) against the rules of f:
 * ids positive, numbers finite and in the field's range, text valid UTF-8 within the length
 * and of the field's format, enumeration values from the list. FV_NULL passes (whether the
 * field may be empty is table_check_required's question). The kind must be the one
 * field_parse() gives for f's type; anything else is a bug of the caller.
 */
int field_check(const struct field_def *f, const struct field_value *v, struct kith_error *err);

/* KITH_EINVAL "missing required value (<type>)" when f is required and given is false. */
int field_check_required(const struct field_def *f, bool given, struct kith_error *err);

/*
 * Checks the row-level rules of t for a row whose fields given[i] says are present (a value,
 * and for text not the empty string), from field *at on. Returns 0, or KITH_EINVAL with *at the
 * index of the first field in error and the reason in err; call again from *at + 1 for the next.
 */
int table_check_required(const struct table_def *t, const bool *given, size_t *at,
                         struct kith_error *err);

/*
 * True if the len bytes at s are an email address kith takes: local@domain, the local part of
 * letters, digits, !#$%&'*+-/=?^_`{|}~ and non-ASCII UTF-8, with dots between them (not at
 * the ends, not two in a row), at most 64 bytes; the domain two or more labels of letters,
 * digits, hyphens (not at a label's ends) and non-ASCII UTF-8, each 1..63 bytes, joined by
 * dots. No spaces, no quoted local parts, no IP-literal domains. When false and why is
 * non-NULL, *why receives a short static reason.
 */
bool email_is_valid(const char *s, size_t len, const char **why);

/* True if the len bytes at s are a current ISO 4217 currency code, in capitals ("EUR"). */
bool currency_is_iso4217(const char *s, size_t len);

#endif
