/*
 * survey.c - the checks of a survey's questions and of an answer to it (model/survey.h).
 */
#include "model/survey.h"

#include <string.h>

#include "util/utf8.h"

#include "util/banned.h"

const char *const survey_kinds[] = {"nps",    "csat",  "single", "multiple", "text",
                                    "intent", "wants", "needs",  NULL};

static int kind_of(const char *s)
{
    for (int i = 0; survey_kinds[i]; i++)
        if (strcmp(survey_kinds[i], s) == 0)
            return i;
    return -1;
}

/* A string of 1..max bytes, or NULL. */
static const char *text_of(json_t *j, size_t max)
{
    if (!json_is_string(j))
        return NULL;
    size_t n = json_string_length(j);
    return n >= 1 && n <= max ? json_string_value(j) : NULL;
}

static int check_choices(json_t *q, size_t i, struct kith_error *err)
{
    json_t *c = json_object_get(q, "choices");
    size_t n = json_is_array(c) ? json_array_size(c) : 0;
    if (n < 2 || n > SURVEY_MAX_CHOICES)
        return kith_err(err, KITH_EINVAL, "items[%zu]: choices must be a list of 2 to %d texts", i,
                        SURVEY_MAX_CHOICES);
    for (size_t k = 0; k < n; k++) {
        const char *a = text_of(json_array_get(c, k), SURVEY_TEXT_MAX);
        if (!a)
            return kith_err(err, KITH_EINVAL,
                            "items[%zu]: choices[%zu] must be a text of 1 to %d"
                            " bytes",
                            i, k, SURVEY_TEXT_MAX);
        for (size_t m = 0; m < k; m++)
            if (strcmp(a, json_string_value(json_array_get(c, m))) == 0)
                return kith_err(err, KITH_EINVAL, "items[%zu]: choice '%.60s' is given twice", i,
                                a);
    }
    return 0;
}

static int check_question(json_t *items, size_t i, struct kith_error *err)
{
    json_t *q = json_array_get(items, i);
    if (!json_is_object(q))
        return kith_err(err, KITH_EINVAL, "items[%zu] must be an object", i);
    const char *id = text_of(json_object_get(q, "id"), SURVEY_ID_MAX);
    if (!id)
        return kith_err(err, KITH_EINVAL, "items[%zu]: id must be a text of 1 to %d bytes", i,
                        SURVEY_ID_MAX);
    for (size_t k = 0; k < i; k++)
        if (strcmp(id, json_string_value(json_object_get(json_array_get(items, k), "id"))) == 0)
            return kith_err(err, KITH_EINVAL, "items[%zu]: id '%s' is given twice", i, id);
    const char *kind = text_of(json_object_get(q, "kind"), 16);
    int k = kind ? kind_of(kind) : -1;
    if (k < 0)
        return kith_err(err, KITH_EINVAL,
                        "items[%zu]: kind must be one of nps, csat, single, multiple, text,"
                        " intent, wants, needs",
                        i);
    if (!text_of(json_object_get(q, "text"), SURVEY_TEXT_MAX))
        return kith_err(err, KITH_EINVAL, "items[%zu]: text must be a text of 1 to %d bytes", i,
                        SURVEY_TEXT_MAX);
    json_t *req = json_object_get(q, "required");
    if (req && !json_is_boolean(req))
        return kith_err(err, KITH_EINVAL, "items[%zu]: required must be true or false", i);
    if ((k == SURVEY_SINGLE || k == SURVEY_MULTIPLE) && check_choices(q, i, err) < 0)
        return KITH_EINVAL;
    if (k == SURVEY_INTENT) {
        json_t *p = json_object_get(q, "product_id"), *c = json_object_get(q, "category"),
               *h = json_object_get(q, "horizon_months");
        if (p && !(json_is_integer(p) && json_integer_value(p) > 0))
            return kith_err(err, KITH_EINVAL, "items[%zu]: product_id must be a product's id", i);
        if (c && !text_of(c, 100))
            return kith_err(err, KITH_EINVAL,
                            "items[%zu]: category must be a text of 1 to 100"
                            " bytes",
                            i);
        if (!p && !c)
            return kith_err(err, KITH_EINVAL,
                            "items[%zu]: an intent question names what it is about: product_id"
                            " or category",
                            i);
        if (h &&
            !(json_is_integer(h) && json_integer_value(h) >= 1 && json_integer_value(h) <= 120))
            return kith_err(err, KITH_EINVAL, "items[%zu]: horizon_months must be 1 to 120", i);
    }
    return 0;
}

static json_t *load_items(const char *text, size_t len, struct kith_error *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    json_t *items = json_object_get(root, "items");
    size_t n = json_is_array(items) ? json_array_size(items) : 0;
    if (!root || n < 1 || n > SURVEY_MAX_QUESTIONS) {
        json_decref(root);
        kith_err(err, KITH_EINVAL,
                 "questions must be {\"items\": [question, ...]} with 1 to %d"
                 " questions (docs/voice.md)",
                 SURVEY_MAX_QUESTIONS);
        return NULL;
    }
    return root;
}

int survey_questions_check(const char *text, size_t len, struct kith_error *err)
{
    json_t *root = load_items(text, len, err);
    if (!root)
        return KITH_EINVAL;
    json_t *items = json_object_get(root, "items");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(items); i++)
        rc = check_question(items, i, err);
    json_decref(root);
    return rc;
}

/* Appends s to buf (size SURVEY_ANSWER_MAX), "; "-separated, cut at a character boundary. */
static void append(char *buf, const char *s)
{
    size_t n = strlen(buf);
    if (n && n + 2 < SURVEY_ANSWER_MAX) {
        memcpy(buf + n, "; ", 2);
        n += 2;
    }
    size_t room = SURVEY_ANSWER_MAX - 1 - n, len = strlen(s);
    if (len > room) {
        len = room;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--; /* not into the middle of a character */
    }
    memcpy(buf + n, s, len);
    buf[n + len] = '\0';
}

static bool in_choices(json_t *q, const char *a)
{
    json_t *c = json_object_get(q, "choices");
    for (size_t k = 0; k < json_array_size(c); k++)
        if (strcmp(a, json_string_value(json_array_get(c, k))) == 0)
            return true;
    return false;
}

/* Checks the answer v of question q (kind k) and adds it to out. */
static int eval_one(json_t *q, int k, const char *id, json_t *v, struct survey_scores *out,
                    struct kith_error *err)
{
    switch ((enum survey_kind)k) {
    case SURVEY_NPS:
    case SURVEY_CSAT: {
        const int lo = k == SURVEY_NPS ? 0 : 1, hi = k == SURVEY_NPS ? 10 : 5;
        if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
            return kith_err(err, KITH_EINVAL, "%s: must be a whole number from %d to %d", id, lo,
                            hi);
        if (k == SURVEY_NPS && out->nps < 0)
            out->nps = (int)json_integer_value(v);
        if (k == SURVEY_CSAT && out->csat == 0)
            out->csat = (int)json_integer_value(v);
        return 0;
    }
    case SURVEY_SINGLE:
        if (!json_is_string(v) || !in_choices(q, json_string_value(v)))
            return kith_err(err, KITH_EINVAL, "%s: must be one of the question's choices", id);
        return 0;
    case SURVEY_MULTIPLE:
        if (!json_is_array(v))
            return kith_err(err, KITH_EINVAL, "%s: must be a list of the question's choices", id);
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *a = json_array_get(v, i);
            if (!json_is_string(a) || !in_choices(q, json_string_value(a)))
                return kith_err(err, KITH_EINVAL, "%s: [%zu] is not one of the question's choices",
                                id, i);
            for (size_t m = 0; m < i; m++)
                if (json_equal(a, json_array_get(v, m)))
                    return kith_err(err, KITH_EINVAL, "%s: '%.60s' is chosen twice", id,
                                    json_string_value(a));
        }
        return 0;
    case SURVEY_TEXT:
    case SURVEY_WANTS:
    case SURVEY_NEEDS: {
        const char *s = text_of(v, SURVEY_ANSWER_MAX - 1);
        if (!s || !utf8_is_valid(s, json_string_length(v), NULL))
            return kith_err(err, KITH_EINVAL, "%s: must be a text of 1 to %d bytes", id,
                            SURVEY_ANSWER_MAX - 1);
        if (k == SURVEY_WANTS)
            append(out->wants, s);
        else if (k == SURVEY_NEEDS)
            append(out->needs, s);
        return 0;
    }
    case SURVEY_INTENT:
        if (!json_is_boolean(v))
            return kith_err(err, KITH_EINVAL, "%s: must be true (intends it) or false", id);
        if (json_is_true(v)) {
            append(out->intent, json_string_value(json_object_get(q, "text")));
            json_t *p = json_object_get(q, "product_id");
            if (!out->product_id && json_is_integer(p))
                out->product_id = json_integer_value(p);
        }
        return 0;
    }
    return kith_err(err, KITH_EINVAL, "%s: unknown kind", id);
}

int survey_answers_eval(const char *questions, size_t qlen, json_t *answers,
                        struct survey_scores *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->nps = -1;
    if (!json_is_object(answers) || json_object_size(answers) == 0)
        return kith_err(err, KITH_EINVAL,
                        "answers must be an object {\"question id\": value, ...} answering at"
                        " least one question");
    json_t *root = load_items(questions, qlen, err);
    if (!root)
        return KITH_EINVAL;
    json_t *items = json_object_get(root, "items");
    int rc = 0;
    size_t used = 0;
    const char *key;
    json_t *val;
    json_object_foreach(answers, key, val)
    {
        bool found = false;
        for (size_t i = 0; !found && i < json_array_size(items); i++)
            found = strcmp(key,
                           json_string_value(json_object_get(json_array_get(items, i), "id"))) == 0;
        if (!found) {
            rc = kith_err(err, KITH_EINVAL, "%.40s: the survey has no such question", key);
            break;
        }
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(items); i++) {
        json_t *q = json_array_get(items, i);
        const char *id = json_string_value(json_object_get(q, "id"));
        int k = kind_of(json_string_value(json_object_get(q, "kind")));
        json_t *v = json_object_get(answers, id);
        if (!v || json_is_null(v)) {
            if (json_is_true(json_object_get(q, "required")))
                rc = kith_err(err, KITH_EINVAL, "%s: this question must be answered", id);
            continue;
        }
        used++;
        rc = eval_one(q, k, id, v, out, err);
    }
    if (rc == 0 && used == 0)
        rc = kith_err(err, KITH_EINVAL, "answers must answer at least one question");
    json_decref(root);
    return rc;
}
