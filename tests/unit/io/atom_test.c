/*
 * atom_test.c - tests of src/io/atom.c: the escape of every character XML gives a meaning to,
 * of characters XML does not allow and of bytes that are not UTF-8; and a feed with the elements
 * RFC 4287 requires, its texts escaped, refused when a required one is missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io/atom.h"
#include "model/feed.h"

static void escaped_is(const char *in, size_t len, const char *want)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(atom_escape(&b, in, len), 0);
    assert_string_equal(buf_str(&b), want);
    buf_release(&b);
}

static void escape(void **state)
{
    (void)state;
    escaped_is("<&\"'>", 5, "&lt;&amp;&quot;&apos;&gt;");
    escaped_is("a &amp; b", 9, "a &amp;amp; b"); /* an entity typed in is text, not markup */
    escaped_is("]]>", 3, "]]&gt;");
    const char utf8[] = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
    escaped_is(utf8, sizeof(utf8) - 1, utf8);
    /* tab, newline and carriage return stay; other controls and NUL are left out */
    escaped_is("a\tb\nc\rd\x01"
               "e\x1F"
               "f",
               11, "a\tb\nc\rdef");
    escaped_is("x\0y", 3, "xy");
    /* bytes that are not UTF-8 (a lone continuation, an overlong form, a surrogate) */
    escaped_is("a\x80"
               "b",
               3,
               "a\xEF\xBF\xBD"
               "b");
    escaped_is("\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD");
    escaped_is("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    escaped_is("\xEF\xBF\xBE", 3, ""); /* U+FFFE is not an XML character */
    escaped_is("", 0, "");
    /* a sequence cut short is not UTF-8 either: each byte is replaced */
    escaped_is(utf8, sizeof(utf8) - 2,
               "caf\xC3\xA9 \xE2\x82\xAC \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

static void feed(void **state)
{
    (void)state;
    const struct atom_entry e[] = {
        {.id = "urn:kith:post:2",
         .title = "Tom & Jerry <3",
         .updated = 86400000,
         .published = 86400000,
         .author = "O'Brien",
         .content = "a \"quoted\" body",
         .category = "post"},
        {.id = "urn:kith:idea:1", .title = "t", .updated = 0, .link = "https://x.test/?a=1&b=2"},
    };
    const struct atom_feed f = {.id = "urn:kith:feed:community",
                                .title = "Community",
                                .self = "/feeds/kf_x/community",
                                .author = "kith",
                                .updated = 86400000};
    char *xml = NULL;
    size_t len = 0;
    assert_int_equal(atom_write(&f, e, 2, &xml, &len, NULL), 0);
    assert_int_equal(strlen(xml), len);
    assert_non_null(strstr(xml, "<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert_non_null(strstr(xml, "<id>urn:kith:feed:community</id>"));
    assert_non_null(strstr(xml, "<updated>1970-01-02T00:00:00.000Z</updated>"));
    assert_non_null(strstr(xml, "<name>kith</name>"));
    assert_non_null(strstr(xml, "<title type=\"text\">Tom &amp; Jerry &lt;3</title>"));
    assert_non_null(strstr(xml, "<name>O&apos;Brien</name>"));
    assert_non_null(strstr(xml, "a &quot;quoted&quot; body"));
    assert_non_null(strstr(xml, "href=\"https://x.test/?a=1&amp;b=2\""));
    assert_non_null(strstr(xml, "rel=\"self\" type=\"application/atom+xml\""));
    assert_null(strstr(xml, "Tom & Jerry"));
    free(xml);
    /* no entries: a feed still */
    assert_int_equal(atom_write(&f, NULL, 0, &xml, &len, NULL), 0);
    assert_null(strstr(xml, "<entry>"));
    free(xml);
    /* what RFC 4287 requires is required */
    struct atom_feed nf = f;
    nf.id = NULL;
    assert_int_equal(atom_write(&nf, e, 2, &xml, &len, NULL), KITH_EINVAL);
    assert_null(xml);
    nf = f;
    nf.author = "";
    assert_int_equal(atom_write(&nf, e, 2, &xml, &len, NULL), KITH_EINVAL);
    struct atom_entry ne = e[0];
    ne.content = NULL; /* neither content nor a link */
    assert_int_equal(atom_write(&f, &ne, 1, &xml, &len, NULL), KITH_EINVAL);
    ne = e[0];
    ne.title = "";
    assert_int_equal(atom_write(&f, &ne, 1, &xml, &len, NULL), KITH_EINVAL);
}

static void post_check(void **state)
{
    (void)state;
    const char *field;
    struct feed_post p = {.title = "News", .audience = FEED_COMMUNITY, .published_at = 1};
    assert_int_equal(feed_post_check(&p, &field, NULL), 0);
    p.product_id = 3;
    assert_int_equal(feed_post_check(&p, &field, NULL), KITH_EINVAL);
    assert_string_equal(field, "product_id");
    p.audience = FEED_PRODUCT;
    assert_int_equal(feed_post_check(&p, &field, NULL), 0);
    p.audience = FEED_SEGMENT;
    p.product_id = 0;
    assert_int_equal(feed_post_check(&p, &field, NULL), KITH_EINVAL);
    assert_string_equal(field, "segment");
    p.segment = "industry=Energy";
    assert_int_equal(feed_post_check(&p, &field, NULL), 0);
    p.title = "";
    assert_int_equal(feed_post_check(&p, &field, NULL), KITH_EINVAL);
    assert_string_equal(field, "title");
    p.title = "bad \xC0";
    assert_int_equal(feed_post_check(&p, &field, NULL), KITH_EINVAL);
    p.title = "ok";
    p.audience = 7;
    assert_int_equal(feed_post_check(&p, &field, NULL), KITH_EINVAL);
    assert_string_equal(field, "audience");
    assert_int_equal(feed_audience_from_name("segment"), FEED_SEGMENT);
    assert_int_equal(feed_audience_from_name("world"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escape),
        cmocka_unit_test(feed),
        cmocka_unit_test(post_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
