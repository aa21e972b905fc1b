/*
 * handlers.h - every route handler, one group per resource file in src/api/. routes.c is the
 * only place that maps them to methods and paths.
 */
#ifndef KITH_API_HANDLERS_H
#define KITH_API_HANDLERS_H

#include "api/api.h"

/* health.c, metrics.c */
void api_get_healthz(struct api_request *req, struct api_response *res);
void api_get_metrics(struct api_request *req, struct api_response *res);

/* session.c, tokens.c, audit.c: sign-in, API tokens, the audit log */
void api_post_session(struct api_request *req, struct api_response *res);
void api_get_session(struct api_request *req, struct api_response *res);
void api_delete_session(struct api_request *req, struct api_response *res);
void api_get_tokens(struct api_request *req, struct api_response *res);
void api_post_token(struct api_request *req, struct api_response *res);
void api_delete_token(struct api_request *req, struct api_response *res);
void api_get_audit(struct api_request *req, struct api_response *res);

/* privacy.c: the privacy policy of the comparison of units (administrators) */
void api_get_privacy(struct api_request *req, struct api_response *res);
void api_patch_privacy(struct api_request *req, struct api_response *res);

/*
 * The REST resources: one file each (units.c ... events.c) on the generic resource.c; list, get,
 * create, update (PATCH) and delete, as routes.c maps them. openapi.c serves docs/openapi.json.
 */
void api_units_list(struct api_request *req, struct api_response *res);
void api_units_get(struct api_request *req, struct api_response *res);
void api_units_create(struct api_request *req, struct api_response *res);
void api_units_update(struct api_request *req, struct api_response *res);
void api_units_delete(struct api_request *req, struct api_response *res);
void api_teams_list(struct api_request *req, struct api_response *res);
void api_teams_get(struct api_request *req, struct api_response *res);
void api_teams_create(struct api_request *req, struct api_response *res);
void api_teams_update(struct api_request *req, struct api_response *res);
void api_teams_delete(struct api_request *req, struct api_response *res);
void api_interaction_types_list(struct api_request *req, struct api_response *res);
void api_interaction_types_get(struct api_request *req, struct api_response *res);
void api_interaction_types_create(struct api_request *req, struct api_response *res);
void api_interaction_types_update(struct api_request *req, struct api_response *res);
void api_interaction_types_delete(struct api_request *req, struct api_response *res);
void api_products_list(struct api_request *req, struct api_response *res);
void api_products_get(struct api_request *req, struct api_response *res);
void api_products_create(struct api_request *req, struct api_response *res);
void api_products_update(struct api_request *req, struct api_response *res);
void api_products_delete(struct api_request *req, struct api_response *res);
void api_accounts_list(struct api_request *req, struct api_response *res);
void api_accounts_get(struct api_request *req, struct api_response *res);
void api_accounts_create(struct api_request *req, struct api_response *res);
void api_accounts_update(struct api_request *req, struct api_response *res);
void api_accounts_delete(struct api_request *req, struct api_response *res);
void api_contacts_list(struct api_request *req, struct api_response *res);
void api_contacts_get(struct api_request *req, struct api_response *res);
void api_contacts_create(struct api_request *req, struct api_response *res);
void api_contacts_update(struct api_request *req, struct api_response *res);
void api_contacts_delete(struct api_request *req, struct api_response *res);
void api_orders_list(struct api_request *req, struct api_response *res);
void api_orders_get(struct api_request *req, struct api_response *res);
void api_orders_create(struct api_request *req, struct api_response *res);
void api_orders_update(struct api_request *req, struct api_response *res);
void api_orders_delete(struct api_request *req, struct api_response *res);
void api_events_list(struct api_request *req, struct api_response *res);
void api_events_get(struct api_request *req, struct api_response *res);
void api_events_create(struct api_request *req, struct api_response *res);
void api_events_update(struct api_request *req, struct api_response *res);
void api_events_delete(struct api_request *req, struct api_response *res);
void api_deal_stages_list(struct api_request *req, struct api_response *res);
void api_deal_stages_get(struct api_request *req, struct api_response *res);
void api_deal_stages_create(struct api_request *req, struct api_response *res);
void api_deal_stages_update(struct api_request *req, struct api_response *res);
void api_deal_stages_delete(struct api_request *req, struct api_response *res);
void api_deals_list(struct api_request *req, struct api_response *res);
void api_deals_get(struct api_request *req, struct api_response *res);
void api_deals_create(struct api_request *req, struct api_response *res);
void api_deals_update(struct api_request *req, struct api_response *res);
void api_deal_lines_list(struct api_request *req, struct api_response *res);
void api_deal_lines_get(struct api_request *req, struct api_response *res);
void api_deal_lines_create(struct api_request *req, struct api_response *res);
void api_deal_lines_update(struct api_request *req, struct api_response *res);
void api_deal_lines_delete(struct api_request *req, struct api_response *res);
void api_deal_stage_changes_list(struct api_request *req, struct api_response *res);
void api_deal_stage_changes_get(struct api_request *req, struct api_response *res);
void api_quotas_list(struct api_request *req, struct api_response *res);
void api_quotas_get(struct api_request *req, struct api_response *res);
void api_quotas_create(struct api_request *req, struct api_response *res);
void api_quotas_update(struct api_request *req, struct api_response *res);
void api_quotas_delete(struct api_request *req, struct api_response *res);
void api_users_list(struct api_request *req, struct api_response *res);
void api_users_get(struct api_request *req, struct api_response *res);
void api_users_create(struct api_request *req, struct api_response *res);
void api_users_update(struct api_request *req, struct api_response *res);
void api_interactions_list(struct api_request *req, struct api_response *res);
void api_interactions_get(struct api_request *req, struct api_response *res);
void api_interactions_create(struct api_request *req, struct api_response *res);
void api_interactions_void(struct api_request *req, struct api_response *res);
void api_contacts_timeline(struct api_request *req, struct api_response *res);
void api_contacts_export(struct api_request *req, struct api_response *res);
void api_corrections_list(struct api_request *req, struct api_response *res);
void api_corrections_get(struct api_request *req, struct api_response *res);
void api_corrections_accept(struct api_request *req, struct api_response *res);
void api_corrections_reject(struct api_request *req, struct api_response *res);
/* data-subject requests (dsrs.c) */
void api_dsrs_list(struct api_request *req, struct api_response *res);
void api_dsrs_summary(struct api_request *req, struct api_response *res);
void api_dsrs_get(struct api_request *req, struct api_response *res);
void api_dsrs_create(struct api_request *req, struct api_response *res);
void api_dsrs_extend(struct api_request *req, struct api_response *res);
void api_dsrs_complete(struct api_request *req, struct api_response *res);
void api_dsrs_reject(struct api_request *req, struct api_response *res);
void api_dsrs_lift(struct api_request *req, struct api_response *res);
void api_dsrs_export(struct api_request *req, struct api_response *res);
void api_get_openapi(struct api_request *req, struct api_response *res);

/* rv.c, rv_stream.c: the Relationship Value engine and its live stream */
void api_rv_contact(struct api_request *req, struct api_response *res);
void api_rv_norm(struct api_request *req, struct api_response *res);
void api_rv_exceptions(struct api_request *req, struct api_response *res);
void api_rv_reps(struct api_request *req, struct api_response *res);
void api_rv_units(struct api_request *req, struct api_response *res);
void api_rv_indicator(struct api_request *req, struct api_response *res);
void api_rv_stream(struct api_request *req, struct api_response *res);

/* surveys.c: surveys (admins define them), opt-ins and answers (docs/voice.md) */
void api_surveys_list(struct api_request *req, struct api_response *res);
void api_surveys_get(struct api_request *req, struct api_response *res);
void api_surveys_create(struct api_request *req, struct api_response *res);
void api_surveys_update(struct api_request *req, struct api_response *res);
void api_survey_optins_create(struct api_request *req, struct api_response *res);
void api_survey_optins_list(struct api_request *req, struct api_response *res);
void api_survey_optins_get(struct api_request *req, struct api_response *res);
void api_survey_responses_create(struct api_request *req, struct api_response *res);
void api_survey_responses_list(struct api_request *req, struct api_response *res);

/* voice.c: surveys, NPS/CSAT and the brand promise (the engine of `kith voice`), aggregates only */
void api_voice_surveys(struct api_request *req, struct api_response *res);
void api_voice_nps(struct api_request *req, struct api_response *res);
void api_voice_promise(struct api_request *req, struct api_response *res);
void api_voice_community(struct api_request *req, struct api_response *res);
void api_voice_moments(struct api_request *req, struct api_response *res);
void api_voice_ratings(struct api_request *req, struct api_response *res);
void api_voice_ideas(struct api_request *req, struct api_response *res);
void api_voice_alike(struct api_request *req, struct api_response *res);
void api_voice_paths(struct api_request *req, struct api_response *res);
void api_voice_dosay(struct api_request *req, struct api_response *res);
/* ratings.c, ideas.c: the community (issue 15, docs/voice.md) */
void api_ratings_list(struct api_request *req, struct api_response *res);
void api_ratings_get(struct api_request *req, struct api_response *res);
void api_ratings_create(struct api_request *req, struct api_response *res);
void api_ratings_update(struct api_request *req, struct api_response *res);
void api_ratings_delete(struct api_request *req, struct api_response *res);
void api_ideas_list(struct api_request *req, struct api_response *res);
void api_ideas_get(struct api_request *req, struct api_response *res);
void api_ideas_create(struct api_request *req, struct api_response *res);
void api_ideas_update(struct api_request *req, struct api_response *res);
void api_ideas_delete(struct api_request *req, struct api_response *res);
void api_idea_votes_list(struct api_request *req, struct api_response *res);
void api_idea_votes_get(struct api_request *req, struct api_response *res);
void api_idea_votes_create(struct api_request *req, struct api_response *res);
void api_idea_votes_update(struct api_request *req, struct api_response *res);
void api_idea_votes_delete(struct api_request *req, struct api_response *res);

/* v2t2.c: V2T2 zones, tones, discord and scenarios, over the caller's contacts and subjects */
void api_v2t2_zones(struct api_request *req, struct api_response *res);
void api_v2t2_tones(struct api_request *req, struct api_response *res);
void api_v2t2_discord(struct api_request *req, struct api_response *res);
void api_v2t2_scenario(struct api_request *req, struct api_response *res);
/* feeds.c: Atom feeds for staff and for contacts' secret URLs, feed tokens, posts */
void api_get_feeds(struct api_request *req, struct api_response *res);
void api_get_feed_community(struct api_request *req, struct api_response *res);
void api_get_feed_product(struct api_request *req, struct api_response *res);
void api_get_feed_segments(struct api_request *req, struct api_response *res);
void api_get_token_feeds(struct api_request *req, struct api_response *res);
void api_get_token_feed_community(struct api_request *req, struct api_response *res);
void api_get_token_feed_product(struct api_request *req, struct api_response *res);
void api_get_token_feed_segments(struct api_request *req, struct api_response *res);
void api_post_feed_token(struct api_request *req, struct api_response *res);
void api_delete_feed_token(struct api_request *req, struct api_response *res);
void api_post_feed_post(struct api_request *req, struct api_response *res);
void api_portal_post_feed_token(struct api_request *req, struct api_response *res);
void api_portal_delete_feed_token(struct api_request *req, struct api_response *res);
/* v2t2_settings.c: the units' V2T2 thresholds and baselines (anyone in scope reads, admins set) */
void api_get_v2t2_settings(struct api_request *req, struct api_response *res);
void api_put_v2t2_settings(struct api_request *req, struct api_response *res);

/* deal_stats.c: the analyses of `kith deals`, over the caller's deals */
void api_deal_stats_winrate(struct api_request *req, struct api_response *res);
void api_deal_stats_pipeline(struct api_request *req, struct api_response *res);
void api_deal_stats_conversion(struct api_request *req, struct api_response *res);
void api_deal_stats_forecast(struct api_request *req, struct api_response *res);
void api_deal_stats_quota(struct api_request *req, struct api_response *res);

/* value.c: customer value management (the engine of `kith value`), over the caller's accounts */
void api_value_fit(struct api_request *req, struct api_response *res);
void api_value_clv(struct api_request *req, struct api_response *res);
void api_value_dist(struct api_request *req, struct api_response *res);
void api_value_drivers(struct api_request *req, struct api_response *res);
void api_value_rfm(struct api_request *req, struct api_response *res);
void api_value_reap(struct api_request *req, struct api_response *res);
void api_value_xsell(struct api_request *req, struct api_response *res);
void api_value_referrals(struct api_request *req, struct api_response *res);
void api_value_check(struct api_request *req, struct api_response *res);

/* consents.c: consent per purpose and channel, by staff and in the portal (docs/portal.md) */
void api_contacts_consents_list(struct api_request *req, struct api_response *res);
void api_contacts_consents_create(struct api_request *req, struct api_response *res);
void api_contacts_consents_receipt(struct api_request *req, struct api_response *res);
void api_portal_consents_list(struct api_request *req, struct api_response *res);
void api_portal_consents_create(struct api_request *req, struct api_response *res);
void api_portal_consents_receipt(struct api_request *req, struct api_response *res);

/* messages.c: outbound SMS and email, checked against consent (docs/voice.md "Messages") */
void api_messages_create(struct api_request *req, struct api_response *res);

#endif
