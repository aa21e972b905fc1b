/*
 * atom.h - an Atom 1.0 (RFC 4287) writer: a feed and its entries as XML text. Every text that
 * goes into the document passes through atom_escape() (the one escape of character data and
 * attribute values: & < > " ' as references, characters XML 1.0 does not allow dropped, invalid
 * UTF-8 replaced), so no text from a user can close an element or open one. Times are RFC 3339
 * (UTC, milliseconds). No I/O; what a feed holds is decided by its caller (analysis/feeds.c).
 */
#ifndef KITH_IO_ATOM_H
#define KITH_IO_ATOM_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

#define ATOM_MAX_BYTES ((size_t)16 << 20) /* the largest document written */

/*
 * Appends the len bytes at s to b escaped for XML character data and attribute values. Returns
 * 0 or the buf's error (KITH_ERANGE, KITH_ENOMEM).
 */
int atom_escape(struct buf *b, const char *s, size_t len);

/* One entry. Texts are plain text (escaped here); NULL or "" leaves an optional element out. */
struct atom_entry {
    const char *id;      /* required: a permanent IRI, e.g. "urn:kith:idea:5" */
    const char *title;   /* required */
    int64_t updated;     /* required: Unix ms */
    int64_t published;   /* 0: none */
    const char *author;  /* the entry's author name; NULL: the feed's */
    const char *content; /* the text of the entry (type="text") */
    const char *link;    /* rel="alternate" href, or NULL */
    const char *category;
};

struct atom_feed {
    const char *id;       /* required */
    const char *title;    /* required */
    const char *subtitle; /* optional */
    const char *self;     /* rel="self" href (the feed's own URL), or NULL */
    const char *link;     /* rel="alternate" href, or NULL */
    const char *author;   /* required by RFC 4287 unless every entry has one: always written */
    int64_t updated;      /* required: Unix ms (the newest entry's, else the feed's own time) */
};

/*
 * Writes f with entries e[0..n) (in the order given) to *out (NUL-terminated, the caller's:
 * free()), *len its length. KITH_EINVAL when a required field is missing, else KITH_ERANGE /
 * KITH_ENOMEM.
 */
int atom_write(const struct atom_feed *f, const struct atom_entry *e, size_t n, char **out,
               size_t *len, struct kith_error *err);

#endif
