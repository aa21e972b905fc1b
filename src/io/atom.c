/*
 * atom.c - the Atom 1.0 writer (io/atom.h): one escape for every text, and the elements RFC 4287
 * requires of a feed (id, title, updated, author) and of an entry (id, title, updated, and a
 * link or content).
 */
#include "io/atom.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/timefmt.h"

#include "util/banned.h"

/* The code point of the UTF-8 sequence at s[0..len) into *cp and its length, or 0 when the bytes
 * are not a well-formed, shortest sequence of a scalar value. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    const unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Whether XML 1.0 allows code point cp in a document (its Char production). */
static bool xml_char(uint32_t cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

int atom_escape(struct buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    int rc = 0;
    while (i < len && rc == 0) {
        uint32_t cp;
        const size_t n = utf8_next(u + i, len - i, &cp);
        if (!n) { /* not UTF-8: the replacement character */
            rc = buf_add_str(b, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        switch (cp) {
        case '&':
            rc = buf_add_str(b, "&amp;");
            break;
        case '<':
            rc = buf_add_str(b, "&lt;");
            break;
        case '>':
            rc = buf_add_str(b, "&gt;");
            break;
        case '"':
            rc = buf_add_str(b, "&quot;");
            break;
        case '\'':
            rc = buf_add_str(b, "&apos;");
            break;
        default:
            if (xml_char(cp))
                rc = buf_add(b, u + i, n);
            break; /* a character XML does not allow is left out */
        }
        i += n;
    }
    return rc;
}

static int esc(struct buf *b, const char *s)
{
    return atom_escape(b, s, strlen(s));
}

/* <name>text</name> with text escaped; nothing when text is NULL or empty. */
static int element(struct buf *b, const char *indent, const char *name, const char *text)
{
    if (!text || !text[0])
        return 0;
    int rc = buf_addf(b, "%s<%s>", indent, name);
    if (rc == 0)
        rc = esc(b, text);
    if (rc == 0)
        rc = buf_addf(b, "</%s>\n", name);
    return rc;
}

/* <name type="text">text</name>. */
static int text_element(struct buf *b, const char *indent, const char *name, const char *text)
{
    if (!text || !text[0])
        return 0;
    int rc = buf_addf(b, "%s<%s type=\"text\">", indent, name);
    if (rc == 0)
        rc = esc(b, text);
    if (rc == 0)
        rc = buf_addf(b, "</%s>\n", name);
    return rc;
}

static int time_element(struct buf *b, const char *indent, const char *name, int64_t ms)
{
    char t[TIMEFMT_SIZE];
    timefmt_format(ms, t);
    return buf_addf(b, "%s<%s>%s</%s>\n", indent, name, t, name);
}

static int link(struct buf *b, const char *indent, const char *rel, const char *href,
                const char *type)
{
    if (!href || !href[0])
        return 0;
    int rc = buf_addf(b, "%s<link rel=\"%s\"", indent, rel);
    if (rc == 0 && type)
        rc = buf_addf(b, " type=\"%s\"", type);
    if (rc == 0)
        rc = buf_add_str(b, " href=\"");
    if (rc == 0)
        rc = esc(b, href);
    if (rc == 0)
        rc = buf_add_str(b, "\"/>\n");
    return rc;
}

static int author(struct buf *b, const char *indent, const char *name)
{
    int rc = buf_addf(b, "%s<author>\n", indent);
    if (rc == 0)
        rc = buf_addf(b, "%s  <name>", indent);
    if (rc == 0)
        rc = esc(b, name);
    if (rc == 0)
        rc = buf_addf(b, "</name>\n%s</author>\n", indent);
    return rc;
}

static int entry(struct buf *b, const struct atom_entry *e)
{
    int rc = buf_add_str(b, "  <entry>\n");
    if (rc == 0)
        rc = element(b, "    ", "id", e->id);
    if (rc == 0)
        rc = text_element(b, "    ", "title", e->title);
    if (rc == 0)
        rc = time_element(b, "    ", "updated", e->updated);
    if (rc == 0 && e->published)
        rc = time_element(b, "    ", "published", e->published);
    if (rc == 0 && e->author && e->author[0])
        rc = author(b, "    ", e->author);
    if (rc == 0 && e->category && e->category[0]) {
        rc = buf_add_str(b, "    <category term=\"");
        if (rc == 0)
            rc = esc(b, e->category);
        if (rc == 0)
            rc = buf_add_str(b, "\"/>\n");
    }
    if (rc == 0)
        rc = link(b, "    ", "alternate", e->link, NULL);
    if (rc == 0)
        rc = text_element(b, "    ", "content", e->content);
    if (rc == 0)
        rc = buf_add_str(b, "  </entry>\n");
    return rc;
}

int atom_write(const struct atom_feed *f, const struct atom_entry *e, size_t n, char **out,
               size_t *len, struct kith_error *err)
{
    *out = NULL;
    *len = 0;
    if (!f->id || !f->id[0] || !f->title || !f->title[0] || !f->author || !f->author[0])
        return kith_err(err, KITH_EINVAL, "a feed needs an id, a title and an author");
    for (size_t i = 0; i < n; i++)
        if (!e[i].id || !e[i].id[0] || !e[i].title || !e[i].title[0] ||
            ((!e[i].content || !e[i].content[0]) && (!e[i].link || !e[i].link[0])))
            return kith_err(err, KITH_EINVAL,
                            "entry %zu needs an id, a title, and content or a link", i + 1);
    struct buf b;
    buf_init(&b, ATOM_MAX_BYTES);
    int rc = buf_add_str(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                             "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    if (rc == 0)
        rc = element(&b, "  ", "id", f->id);
    if (rc == 0)
        rc = text_element(&b, "  ", "title", f->title);
    if (rc == 0)
        rc = text_element(&b, "  ", "subtitle", f->subtitle);
    if (rc == 0)
        rc = time_element(&b, "  ", "updated", f->updated);
    if (rc == 0)
        rc = author(&b, "  ", f->author);
    if (rc == 0)
        rc = link(&b, "  ", "self", f->self, "application/atom+xml");
    if (rc == 0)
        rc = link(&b, "  ", "alternate", f->link, NULL);
    if (rc == 0)
        rc = buf_add_str(&b, "  <generator>kith</generator>\n");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = entry(&b, &e[i]);
    if (rc == 0)
        rc = buf_add_str(&b, "</feed>\n");
    if (rc < 0) {
        buf_release(&b);
        return kith_err(err, rc,
                        rc == KITH_ERANGE ? "the feed is larger than %zu bytes"
                                          : "out of memory writing the feed (%zu bytes)",
                        (size_t)ATOM_MAX_BYTES);
    }
    *out = buf_detach(&b, len);
    if (!*out)
        return kith_err(err, KITH_ENOMEM, "out of memory writing the feed");
    return 0;
}
