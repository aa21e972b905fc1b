/* proxy_test.c - the client's address behind trusted proxies (src/api/proxy.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/proxy.h"

static const char *client(const char *peer, const char *xff)
{
    static char out[64];
    proxy_client(peer, xff, out, sizeof(out));
    return out;
}

static void test_untrusted_peer_is_the_client(void **state)
{
    (void)state;
    struct kith_error err = {0};
    assert_int_equal(proxy_trust("10.0.0.5", &err), 0);
    assert_string_equal(client("192.0.2.9", "198.51.100.7"), "192.0.2.9");
    assert_string_equal(client("192.0.2.9", NULL), "192.0.2.9");
}

static void test_trusted_peer_names_the_client_rightmost_first(void **state)
{
    (void)state;
    struct kith_error err = {0};
    assert_int_equal(proxy_trust("10.0.0.5, 10.0.0.6", &err), 0);
    assert_string_equal(client("10.0.0.5", "198.51.100.7"), "198.51.100.7");
    /* a client's own entry on the left is not believed: the nearest proxy's is */
    assert_string_equal(client("10.0.0.5", "1.2.3.4, 198.51.100.7"), "198.51.100.7");
    /* a chain of trusted proxies is walked through */
    assert_string_equal(client("10.0.0.5", "198.51.100.7,10.0.0.6"), "198.51.100.7");
    /* IPv6, in its canonical form */
    assert_string_equal(client("10.0.0.5", "2001:DB8:0:0::1"), "2001:db8::1");
    /* nothing forwarded: the proxy itself */
    assert_string_equal(client("10.0.0.5", NULL), "10.0.0.5");
}

static void test_garbage_stops_the_walk(void **state)
{
    (void)state;
    struct kith_error err = {0};
    assert_int_equal(proxy_trust("10.0.0.5", &err), 0);
    assert_string_equal(client("10.0.0.5", "not-an-address"), "10.0.0.5");
    assert_string_equal(client("10.0.0.5", "198.51.100.7, unknown"), "10.0.0.5");
    assert_string_equal(client("10.0.0.5", "unknown, 198.51.100.7"), "198.51.100.7");
    assert_string_equal(client("10.0.0.5", ""), "10.0.0.5");
    assert_string_equal(client("10.0.0.5", " , "), "10.0.0.5");
}

static void test_bad_lists_are_refused(void **state)
{
    (void)state;
    struct kith_error err = {0};
    assert_int_equal(proxy_trust("10.0.0.5,haproxy", &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "'haproxy' is not an IPv4 or IPv6 address"));
    assert_int_equal(proxy_trust(NULL, &err), 0);
    assert_false(proxy_is_trusted("10.0.0.5")); /* none trusted now */
    assert_int_equal(proxy_trust("", &err), 0);
    assert_string_equal(client("10.0.0.5", "198.51.100.7"), "10.0.0.5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untrusted_peer_is_the_client),
        cmocka_unit_test(test_trusted_peer_names_the_client_rightmost_first),
        cmocka_unit_test(test_garbage_stops_the_walk),
        cmocka_unit_test(test_bad_lists_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
