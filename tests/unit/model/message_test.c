/*
 * message_test.c - tests of src/model/message.c: the rules of an outbound message, each at its
 * limit, and the field each refusal names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/message.h"

static void refused(const char *channel, const char *purpose, const char *subject, const char *body,
                    const char *field)
{
    struct kith_error err = {0};
    assert_int_equal(message_check(channel, purpose, subject, body, &err), KITH_EINVAL);
    assert_int_equal(strncmp(err.msg, field, strlen(field)), 0);
    assert_int_equal(err.msg[strlen(field)], ':');
}

static char *text_of(size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, 'x', n);
    s[n] = '\0';
    return s;
}

static void test_rules(void **state)
{
    (void)state;
    struct kith_error err = {0};
    char *sms_max = text_of(MESSAGE_SMS_MAX), *sms_over = text_of(MESSAGE_SMS_MAX + 1);
    char *mail_over = text_of(MESSAGE_EMAIL_MAX + 1), *subj = text_of(MESSAGE_SUBJECT_MAX + 1);
    assert_int_equal(message_check("sms", "marketing", NULL, sms_max, &err), 0);
    assert_int_equal(message_check("email", "surveys", "Hello", sms_over, &err), 0);
    refused("sms", "marketing", NULL, sms_over, "body");
    refused("email", "marketing", NULL, mail_over, "body");
    refused("sms", "marketing", NULL, "", "body");
    refused("sms", "marketing", NULL, NULL, "body");
    refused("sms", "marketing", NULL, "\xff", "body");
    refused("fax", "marketing", NULL, "hi", "channel");
    refused(NULL, "marketing", NULL, "hi", "channel");
    refused("sms", "analytics", NULL, "hi", "purpose");
    refused("sms", "sharing", NULL, "hi", "purpose");
    refused("sms", "marketing", "Subject", "hi", "subject");
    refused("email", "marketing", subj, "hi", "subject");
    refused("email", "marketing", "two\nlines", "hi", "subject");
    assert_string_equal(message_type_code("sms"), MESSAGE_TYPE_SMS);
    assert_string_equal(message_type_code("email"), MESSAGE_TYPE_EMAIL);
    free(sms_max);
    free(sms_over);
    free(mail_over);
    free(subj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
