/*
 * survey.h - what a survey asks and what an answer to it must be (issue 15, docs/voice.md),
 * checked here once for every door that writes surveys and their answers.
 *
 * A survey's questions field is a JSON object {"items": [question, ...]}; a question is
 *   {"id": "q1", "kind": K, "text": "...", "required": bool, ...}
 * with K one of nps (0-10), csat (1-5), single ("choices": [text, ...]; one of them), multiple
 * ("choices"; a list of distinct choices), text, intent (a stated intent such as "I plan to buy
 * within 6 months", with "product_id" or "category" and "horizon_months"; answered true or
 * false), wants and needs (text). An answer is a JSON object {"q1": value, ...} naming questions
 * of the survey.
 */
#ifndef KITH_MODEL_SURVEY_H
#define KITH_MODEL_SURVEY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define SURVEY_MAX_QUESTIONS 50
#define SURVEY_MAX_CHOICES   30
#define SURVEY_ID_MAX        32   /* bytes of a question id */
#define SURVEY_TEXT_MAX      1000 /* bytes of a question's text or a choice */
#define SURVEY_ANSWER_MAX    2000 /* bytes of a text answer, and of the summaries below */

/* The kinds of question, in the order of survey_kinds. */
enum survey_kind {
    SURVEY_NPS,
    SURVEY_CSAT,
    SURVEY_SINGLE,
    SURVEY_MULTIPLE,
    SURVEY_TEXT,
    SURVEY_INTENT,
    SURVEY_WANTS,
    SURVEY_NEEDS
};
extern const char *const survey_kinds[]; /* NULL-terminated */

/*
 * Checks the text of a survey's questions field (len bytes, not necessarily NUL-terminated).
 * Returns 0, or KITH_EINVAL with err saying which question is wrong and how ("items[2]: kind
 * must be one of nps, csat, ...").
 */
int survey_questions_check(const char *text, size_t len, struct kith_error *err);

/* What an answer says, in the columns the analyses read (survey_responses). */
struct survey_scores {
    int nps;                        /* the first NPS question's answer, or -1 */
    int csat;                       /* the first CSAT question's answer, or 0 */
    int64_t product_id;             /* of the first intent answered true with one, or 0 */
    char intent[SURVEY_ANSWER_MAX]; /* the intents answered true, "; "-separated */
    char wants[SURVEY_ANSWER_MAX];  /* the wants answers, "; "-separated */
    char needs[SURVEY_ANSWER_MAX];  /* the needs answers */
};

/*
 * Checks answers (a JSON object) against questions (the survey's questions text, already
 * checked) and fills *out. Every member must name a question and hold a value of its kind;
 * every required question must be answered; at least one question must be. Returns 0, or
 * KITH_EINVAL with err naming the question ("q3: must be one of the choices ...").
 */
int survey_answers_eval(const char *questions, size_t qlen, json_t *answers,
                        struct survey_scores *out, struct kith_error *err);

#endif
