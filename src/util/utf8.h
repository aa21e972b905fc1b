/*
 * utf8.h - UTF-8 validation for text that comes from outside (files, clients).
 *
 * Well-formed means RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above
 * U+10FFFF, no truncated sequences. NUL bytes are valid UTF-8 but never valid text in kith, so
 * they are refused too.
 */
#ifndef KITH_UTIL_UTF8_H
#define KITH_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True if the len bytes at s are well-formed UTF-8 without NUL bytes. When they are not and
 * bad_at is non-NULL, *bad_at receives the offset of the first byte of the first bad sequence.
 */
bool utf8_is_valid(const char *s, size_t len, size_t *bad_at);

/* Room for any excerpt written by utf8_excerpt(), with its NUL. */
#define UTF8_EXCERPT_SIZE 96

/*
 * Writes into out (UTF8_EXCERPT_SIZE bytes, caller-owned) a short printable copy of the len
 * bytes at s for an error message: at most about 40 bytes of the input, whole UTF-8 characters
 * kept, control characters and bytes that are not UTF-8 shown as \xNN, and "..." when cut.
 * Returns out.
 */
char *utf8_excerpt(char *out, const char *s, size_t len);

#endif
