/*
 * catalogue.c - the default interaction catalogue as static data: the eight relationship levels
 * and about 100 major plus 30 voice-of-the-customer interaction types of a B2B manufacturer
 * selling automation and fluid-power equipment through its own teams and through partners.
 * Invariants (tests/unit/model/catalogue_test.c): unique codes, every level has a trigger,
 * touch and tech in [0, 1], levels 1..8 in phase order. docs/demo-data.md lists the values.
 */
#include "model/catalogue.h"

#include <string.h>

#include "util/error.h"

#include "util/banned.h"

static const struct catalogue_level levels[CATALOGUE_NLEVELS] = {
    {1, "aware", "Aware", PHASE_ACQUISITION,
     "Knows the company and its products; first marketing and prospecting touches."},
    {2, "interested", "Interested", PHASE_ACQUISITION,
     "Has asked to learn more; introductory conversations, nurture and qualification."},
    {3, "evaluating", "Evaluating", PHASE_CLOSING,
     "Qualified opportunity; demonstrations, technical evaluation and pilots."},
    {4, "committed", "Committed", PHASE_CLOSING,
     "Preferred supplier; proposal, negotiation and contract."},
    {5, "customer", "Customer", PHASE_RETENTION,
     "Has bought; onboarding, delivery, commissioning and support."},
    {6, "repeat_customer", "Repeat customer", PHASE_RETENTION,
     "Buys again; business reviews, maintenance, upgrades and renewals."},
    {7, "loyal", "Loyal", PHASE_RETENTION,
     "Long-term partner; executive relationship, co-innovation, advisory board."},
    {8, "advocate", "Advocate", PHASE_RETENTION,
     "Recommends the company: references, case studies, referrals, public praise."},
};

/* Flags of the table below. */
#define TRIG (1 << 0) /* trigger: moves the contact to the next level */
#define VOC  (1 << 1) /* voice of the customer */
#define IN   (1 << 2) /* usually inbound (started by the contact) */
#define REP  (1 << 3) /* done by a person, else by a system, portal or device */

#define X(code, name, level, channel, touch, tech, rv, cost, flags, freq, desc)                    \
    {                                                                                              \
        code, name, level, channel, touch, tech, rv, cost, ((flags)&TRIG) != 0,                    \
            ((flags)&VOC) != 0, ((flags)&IN) != 0, ((flags)&REP) != 0, freq, desc                  \
    }

/* Costs are cents (USD): 150000 is $1,500. Grouped by level; voice of the customer last. */
static const struct catalogue_type types[] = {
    /* 1 aware (acquisition) */
    X("aw_web_visit", "Website visit: product pages", 1, "web", 0.05, 0.90, 1, 10, IN, 30,
      "Tracked visit to product pages by a known visitor."),
    X("aw_search_ad_click", "Clicked a paid search ad", 1, "web", 0.00, 0.90, 1, 350, IN, 10,
      "Arrived through a paid search campaign."),
    X("aw_newsletter_open", "Opened the monthly newsletter", 1, "email", 0.10, 0.80, 1, 5, 0, 25,
      "Opened the prospect newsletter."),
    X("aw_linkedin_engage", "Engaged with a company LinkedIn post", 1, "social", 0.20, 0.80, 1, 20,
      IN, 8, "Liked, commented on or shared a company post."),
    X("aw_whitepaper_download", "Downloaded a white paper", 1, "web", 0.10, 0.90, 3, 150, IN, 10,
      "Gated content download with form fill."),
    X("aw_trade_show_scan", "Badge scanned at a trade show booth", 1, "event", 0.70, 0.30, 3, 8500,
      IN | REP, 5, "Conversation at the booth, badge scanned by a rep."),
    X("aw_cold_call", "Prospecting call reached the contact", 1, "phone", 0.70, 0.20, 2, 1800, REP,
      10, "Outbound prospecting call that reached the person."),
    X("aw_prospecting_email", "Personal prospecting email answered", 1, "email", 0.40, 0.50, 2, 600,
      REP, 10, "One-to-one email from a rep that got a reply."),
    X("aw_webinar_registration", "Registered for a webinar", 1, "webinar", 0.20, 0.80, 2, 200, IN,
      6, "Registration for an upcoming product webinar."),
    X("aw_unsubscribe", "Unsubscribed from marketing email", 1, "email", 0.00, 0.80, -3, 0, IN, 3,
      "Opted out of marketing email."),
    X("aw_do_not_call", "Asked not to be called again", 1, "phone", 0.40, 0.10, -4, 1200, IN | REP,
      1, "Prospect asked to stop prospecting calls."),
    X("aw_inbound_inquiry", "Inbound inquiry through the contact form", 1, "web", 0.30, 0.80, 15,
      300, TRIG | IN, 3, "Asked to be contacted about a product or application."),
    X("aw_intro_meeting_accepted", "Accepted an introductory meeting", 1, "phone", 0.80, 0.30, 12,
      2500, TRIG | REP, 2, "Agreed to a first meeting with a rep."),

    /* 2 interested (acquisition) */
    X("in_webinar_attended", "Attended a product webinar", 2, "webinar", 0.30, 0.80, 5, 2500, IN,
      10, "Attended a live webinar and stayed for the questions."),
    X("in_intro_call", "Introductory call", 2, "phone", 0.80, 0.30, 6, 3000, REP, 10,
      "First call about the contact's operation and goals."),
    X("in_intro_meeting", "Introductory meeting on site", 2, "meeting", 0.95, 0.10, 10, 25000, REP,
      5, "First visit at the contact's plant or office."),
    X("in_case_study_download", "Downloaded a customer case study", 2, "web", 0.10, 0.90, 2, 100,
      IN, 10, "Read a case study from the same industry."),
    X("in_roi_calculator", "Used the online ROI calculator", 2, "web", 0.05, 0.95, 3, 200, IN, 5,
      "Ran the energy-savings and payback calculator."),
    X("in_nurture_click", "Clicked through a nurture email", 2, "email", 0.10, 0.80, 2, 20, 0, 15,
      "Clicked a link in an automated nurture sequence."),
    X("in_customer_dinner", "Attended a regional customer dinner", 2, "event", 0.95, 0.10, 8, 15000,
      REP, 2, "Dinner with customers and reps of the region."),
    X("in_linkedin_message", "Exchanged LinkedIn messages with a rep", 2, "social", 0.50, 0.60, 2,
      800, REP, 6, "Direct messages with a rep."),
    X("in_sales_chat", "Live chat with inside sales", 2, "chat", 0.50, 0.70, 3, 700, IN | REP, 6,
      "Website chat answered by inside sales."),
    X("in_call_no_show", "Missed a scheduled introductory call", 2, "phone", 0.30, 0.20, -5, 2000,
      IN | REP, 3, "Did not join a call the contact had accepted."),
    X("in_no_budget", "Said there is no budget this year", 2, "phone", 0.60, 0.20, -4, 1500,
      IN | REP, 2, "Interest confirmed but funding postponed."),
    X("in_discovery_meeting", "Discovery meeting: needs analysed", 2, "meeting", 0.90, 0.30, 20,
      40000, TRIG | REP, 2, "Structured needs analysis with the contact's team."),
    X("in_opportunity_qualified", "Opportunity qualified (budget, authority, need, timing)", 2,
      "phone", 0.80, 0.30, 18, 5000, TRIG | REP, 2, "Qualification call confirming the deal."),

    /* 3 evaluating (closing) */
    X("ev_remote_demo", "Remote product demonstration", 3, "video", 0.70, 0.70, 12, 20000, REP, 8,
      "Live demonstration over video."),
    X("ev_onsite_demo", "On-site product demonstration", 3, "meeting", 0.95, 0.40, 18, 80000, REP,
      3, "Demonstration unit brought to the contact's site."),
    X("ev_requirements_workshop", "Technical requirements workshop", 3, "meeting", 0.90, 0.50, 15,
      60000, REP, 3, "Workshop with engineering to fix the specification."),
    X("ev_sample_shipped", "Evaluation sample shipped", 3, "mail", 0.20, 0.30, 6, 35000, 0, 3,
      "Sample or loan unit shipped for testing."),
    X("ev_spec_review", "Specification review call", 3, "video", 0.70, 0.60, 8, 9000, REP, 8,
      "Review of drawings and specifications."),
    X("ev_reference_call", "Reference call with an existing customer", 3, "phone", 0.90, 0.20, 10,
      5000, REP, 3, "Arranged a call with a reference customer."),
    X("ev_pilot_started", "Pilot installation started", 3, "meeting", 0.80, 0.70, 10, 150000, REP,
      1, "Pilot installed on one line or machine."),
    X("ev_tco_analysis", "Total cost of ownership analysis delivered", 3, "email", 0.50, 0.60, 8,
      30000, REP, 3, "Written TCO comparison against the current solution."),
    X("ev_datasheet_download", "Downloaded technical datasheets and CAD files", 3, "web", 0.05,
      0.95, 2, 50, IN, 12, "Engineering downloads from the product pages."),
    X("ev_missed_meeting", "Missed a scheduled evaluation meeting", 3, "meeting", 0.30, 0.10, -8,
      15000, IN | REP, 3, "The contact did not show; the rep had travelled."),
    X("ev_demo_failed", "Demonstration failed on a technical issue", 3, "meeting", 0.60, 0.60, -15,
      20000, REP, 1, "The demonstration unit did not perform."),
    X("ev_technical_evaluation_passed", "Technical evaluation passed", 3, "meeting", 0.80, 0.60, 25,
      10000, TRIG | IN | REP, 3, "Engineering signed off the technical evaluation."),
    X("ev_pilot_signed_off", "Pilot success review signed off", 3, "meeting", 0.90, 0.50, 30, 20000,
      TRIG | IN | REP, 1, "The pilot met its success criteria."),
    X("ev_shortlisted", "Shortlisted as preferred supplier", 3, "email", 0.50, 0.50, 22, 3000,
      TRIG | IN | REP, 2, "Written notice of preferred-supplier status."),

    /* 4 committed (closing) */
    X("cm_proposal_presented", "Proposal presented", 4, "meeting", 0.80, 0.50, 12, 50000, REP, 6,
      "Commercial and technical proposal presented in person."),
    X("cm_quote_revised", "Revised quotation sent", 4, "email", 0.40, 0.60, 4, 8000, REP, 8,
      "Quotation revised after feedback."),
    X("cm_price_negotiation", "Price negotiation meeting", 4, "meeting", 0.90, 0.30, 8, 30000, REP,
      5, "Negotiation with procurement."),
    X("cm_legal_review", "Contract terms reviewed with legal", 4, "video", 0.60, 0.50, 5, 25000,
      REP, 4, "Terms and conditions reviewed by both legal teams."),
    X("cm_executive_sponsor", "Executive sponsor meeting", 4, "meeting", 1.00, 0.10, 20, 120000,
      REP, 2, "Meeting between the executives of both companies."),
    X("cm_supplier_onboarding", "Supplier registration in the customer's procurement portal", 4,
      "portal", 0.10, 0.95, 4, 5000, 0, 3, "Vendor master data and certificates submitted."),
    X("cm_implementation_plan", "Implementation plan agreed", 4, "meeting", 0.80, 0.50, 10, 40000,
      REP, 3, "Delivery, installation and training plan agreed."),
    X("cm_proposal_rejected", "Proposal rejected, rework requested", 4, "email", 0.40, 0.40, -12,
      10000, IN | REP, 2, "The proposal was sent back for rework."),
    X("cm_decision_postponed", "Decision postponed by the customer", 4, "phone", 0.50, 0.20, -6,
      3000, IN | REP, 3, "The purchase decision slipped to a later quarter."),
    X("cm_contract_signed", "Contract signed", 4, "meeting", 0.90, 0.40, 40, 20000, TRIG | IN | REP,
      3, "Supply contract signed by the customer."),
    X("cm_po_received", "Purchase order received", 4, "email", 0.20, 0.80, 35, 1500, TRIG | IN, 2,
      "First purchase order received."),
    X("cm_award_notified", "Award decision communicated to the buying team", 4, "email", 0.50, 0.50,
      25, 1000, TRIG | REP, 2, "The buying team is told the supplier has been chosen."),

    /* 5 customer (retention) */
    X("cu_onboarding_kickoff", "Onboarding kickoff meeting", 5, "meeting", 0.90, 0.40, 12, 40000,
      REP, 3, "Kickoff with the customer's project team."),
    X("cu_delivery_on_time", "Delivery confirmed on time", 5, "email", 0.10, 0.80, 3, 200, 0, 8,
      "Shipment delivered on the promised date."),
    X("cu_commissioning", "Installation and commissioning", 5, "meeting", 0.80, 0.70, 10, 120000,
      REP, 2, "Field engineers installed and commissioned the equipment."),
    X("cu_operator_training", "Operator training session", 5, "meeting", 0.90, 0.50, 8, 50000, REP,
      3, "Hands-on training for operators and maintenance."),
    X("cu_portal_login", "Logged in to the customer portal", 5, "portal", 0.00, 1.00, 1, 10, IN, 15,
      "Used the portal for orders, documents or tickets."),
    X("cu_ticket_resolved", "Support ticket resolved", 5, "chat", 0.50, 0.70, 3, 3500, IN | REP, 8,
      "A support request was answered and closed."),
    X("cu_checkin_call", "Customer success check-in call", 5, "phone", 0.80, 0.30, 5, 3000, REP, 6,
      "Regular call to check progress and satisfaction."),
    X("cu_telemetry_healthy", "Equipment telemetry report: healthy usage", 5, "device", 0.00, 1.00,
      1, 5, IN, 12, "Connected equipment reports normal utilisation."),
    X("cu_order_placed", "Order placed", 5, "portal", 0.30, 0.80, 5, 1500, IN, 0,
      "An order was placed (recorded with every order after the first)."),
    X("cu_late_delivery", "Late delivery", 5, "email", 0.20, 0.60, -15, 5000, 0, 4,
      "A shipment arrived after the promised date."),
    X("cu_installation_problem", "Installation problem on site", 5, "meeting", 0.60, 0.60, -18,
      60000, IN | REP, 1, "Commissioning failed and needed a second visit."),
    X("cu_billing_error", "Billing error corrected", 5, "email", 0.30, 0.60, -8, 2500, IN | REP, 2,
      "An invoice had to be corrected."),
    X("cu_cancellation_notice", "Notice of cancellation received", 5, "email", 0.40, 0.40, -30,
      2000, IN | REP, 0, "The customer gave notice that it stops buying."),
    X("cu_repeat_order", "Repeat order placed", 5, "portal", 0.30, 0.80, 25, 1500, TRIG | IN, 0,
      "The account's second order (recorded with that order)."),
    X("cu_service_renewal", "Service agreement renewed", 5, "email", 0.50, 0.60, 22, 3000,
      TRIG | IN | REP, 1, "The first service agreement was renewed."),

    /* 6 repeat customer (retention) */
    X("rp_business_review", "Quarterly business review", 6, "meeting", 0.95, 0.50, 15, 60000, REP,
      4, "Review of performance, plans and open issues."),
    X("rp_account_plan", "Joint account plan reviewed", 6, "video", 0.80, 0.60, 10, 30000, REP, 3,
      "Account plan updated together with the customer."),
    X("rp_preventive_maintenance", "Preventive maintenance visit", 6, "meeting", 0.80, 0.60, 8,
      45000, REP, 4, "Scheduled maintenance by a field engineer."),
    X("rp_upgrade_proposal", "Upgrade proposal presented", 6, "meeting", 0.80, 0.50, 8, 30000, REP,
      3, "Proposal to move to a higher-end model."),
    X("rp_cross_sell_demo", "Demonstration of a complementary product line", 6, "video", 0.70, 0.70,
      6, 15000, REP, 3, "Demo of another business unit's products."),
    X("rp_customer_newsletter", "Read the customer newsletter", 6, "email", 0.10, 0.80, 1, 5, 0, 15,
      "Opened the customer newsletter."),
    X("rp_condition_alert_fixed", "Condition-monitoring alert resolved before failure", 6, "device",
      0.20, 0.95, 6, 8000, IN, 5, "A predictive alert led to a fix before a breakdown."),
    X("rp_support_escalation", "Support escalation to management", 6, "phone", 0.70, 0.40, -20,
      20000, IN | REP, 2, "The customer escalated an unresolved issue."),
    X("rp_unplanned_downtime", "Unplanned equipment downtime", 6, "device", 0.20, 0.90, -25, 50000,
      IN, 1, "Equipment failure stopped the customer's line."),
    X("rp_price_increase_dispute", "Disputed a price increase", 6, "phone", 0.60, 0.30, -10, 4000,
      IN | REP, 2, "Objected to the yearly price adjustment."),
    X("rp_multi_year_agreement", "Multi-year supply agreement signed", 6, "meeting", 0.90, 0.40, 40,
      30000, TRIG | IN | REP, 1, "Supply agreement over three years or more."),
    X("rp_early_renewal", "Renewal signed early", 6, "email", 0.50, 0.60, 30, 5000, TRIG | IN | REP,
      1, "Renewed before the renewal date."),

    /* 7 loyal (retention) */
    X("ly_executive_briefing", "Executive briefing at headquarters", 7, "meeting", 1.00, 0.30, 20,
      150000, REP, 1, "Executives visit headquarters and the factory."),
    X("ly_roadmap_preview", "Product roadmap preview under NDA", 7, "video", 0.80, 0.70, 12, 20000,
      REP, 2, "Early look at products in development."),
    X("ly_beta_programme", "Joined a beta programme", 7, "portal", 0.50, 0.90, 10, 30000, IN | REP,
      1, "Tests new firmware or software before release."),
    X("ly_user_group", "Attended a user group meeting", 7, "event", 0.90, 0.40, 8, 25000, IN | REP,
      2, "Regional user group with other customers."),
    X("ly_innovation_workshop", "Co-innovation workshop", 7, "meeting", 0.95, 0.60, 15, 80000, REP,
      1, "Joint workshop on a new application."),
    X("ly_community_answer", "Answered a question in the customer community", 7, "portal", 0.30,
      0.90, 3, 100, IN, 6, "Helped another customer in the online community."),
    X("ly_certification", "Completed an advanced certification course", 7, "web", 0.30, 0.90, 6,
      20000, IN, 2, "Online certification for engineers."),
    X("ly_champion_left", "Champion left the company", 7, "phone", 0.50, 0.20, -25, 2000, IN | REP,
      1, "The main sponsor at the customer changed jobs."),
    X("ly_competitor_approach", "Reported an approach by a competitor", 7, "phone", 0.70, 0.20, -6,
      2500, IN | REP, 2, "A competitor is courting the account."),
    X("ly_advisory_board", "Joined the customer advisory board", 7, "meeting", 0.90, 0.40, 35,
      50000, TRIG | IN | REP, 1, "Seat on the customer advisory board."),
    X("ly_reference_agreed", "Agreed to act as a reference customer", 7, "phone", 0.80, 0.20, 30,
      3000, TRIG | IN | REP, 1, "Agreed to take calls from prospects."),

    /* 8 advocate (retention) */
    X("ad_case_study", "Case study published", 8, "web", 0.60, 0.70, 25, 150000, IN | REP, 1,
      "A joint case study was published."),
    X("ad_reference_call_given", "Took a reference call for a prospect", 8, "phone", 0.90, 0.20, 15,
      1500, IN | REP, 3, "Spoke to a prospect on the company's behalf."),
    X("ad_peer_referral", "Referred a peer company", 8, "phone", 0.80, 0.20, 30, 2000, IN | REP, 0,
      "Introduced another company (recorded with each referral)."),
    X("ad_five_star_review", "Posted a five-star review", 8, "web", 0.30, 0.90, 8, 500, IN, 3,
      "Public five-star review on a review site."),
    X("ad_social_share", "Shared our content on LinkedIn", 8, "social", 0.20, 0.90, 3, 50, IN, 6,
      "Shared a company post with their network."),
    X("ad_press_quote", "Quoted in a press release", 8, "email", 0.50, 0.60, 12, 20000, IN | REP, 1,
      "Approved a quote for a press release."),
    X("ad_community_meetup", "Hosted a community meetup", 8, "event", 0.90, 0.40, 15, 40000,
      IN | REP, 1, "Hosted other customers at their plant."),
    X("ad_reference_declined", "Declined a reference request", 8, "phone", 0.60, 0.20, -8, 1500,
      IN | REP, 2, "Too busy, or less happy than before."),
    X("ad_conference_speaker", "Spoke at the user conference", 8, "event", 0.90, 0.40, 30, 200000,
      TRIG | IN | REP, 1, "Presented their project at the annual conference."),
    X("ad_testimonial_video", "Recorded a video testimonial", 8, "video", 0.70, 0.80, 25, 60000,
      TRIG | IN | REP, 1, "Filmed testimonial for the website."),

    /* voice of the customer */
    X("voc_brand_survey", "Answered a brand awareness survey", 1, "web", 0.10, 0.80, 2, 300,
      VOC | IN, 3, "Market survey on brand awareness and preference."),
    X("voc_public_question", "Asked about us in a public forum", 1, "social", 0.30, 0.70, 1, 50,
      VOC | IN, 2, "Public question about products or service."),
    X("voc_needs_questionnaire", "Completed a needs questionnaire", 2, "web", 0.20, 0.80, 4, 300,
      VOC | IN, 4, "Online questionnaire about needs and timing."),
    X("voc_listening_call", "Shared pain points in a listening call", 2, "phone", 0.90, 0.20, 6,
      3500, VOC | REP, 3, "Call to hear the contact's problems, no selling."),
    X("voc_evaluation_feedback", "Gave feedback on the evaluation", 3, "web", 0.30, 0.70, 5, 500,
      VOC | IN, 3, "Structured feedback on the evaluation so far."),
    X("voc_demo_rating", "Rated the demonstration", 3, "web", 0.20, 0.80, 3, 200, VOC | IN, 3,
      "Short rating after a demonstration."),
    X("voc_pilot_user_survey", "Pilot user survey answered", 3, "web", 0.20, 0.80, 4, 400, VOC | IN,
      2, "Operators of the pilot rated the equipment."),
    X("voc_win_loss_interview", "Win/loss interview", 4, "phone", 0.90, 0.20, 6, 6000, VOC | REP, 2,
      "Interview on why the supplier was chosen."),
    X("voc_buying_experience_survey", "Buying experience survey answered", 4, "web", 0.20, 0.80, 3,
      300, VOC | IN, 3, "Survey on the sales process."),
    X("voc_terms_feedback", "Objected to commercial terms", 4, "email", 0.50, 0.40, -4, 1500,
      VOC | IN | REP, 2, "Written objections to payment or warranty terms."),
    X("voc_onboarding_survey", "Onboarding satisfaction survey", 5, "web", 0.20, 0.80, 4, 300,
      VOC | IN, 3, "Survey after onboarding."),
    X("voc_ticket_csat", "Rated a support interaction (CSAT)", 5, "web", 0.10, 0.90, 2, 50,
      VOC | IN, 6, "One-question satisfaction rating after a ticket."),
    X("voc_complaint", "Formal complaint", 5, "email", 0.60, 0.40, -20, 5000, VOC | IN | REP, 2,
      "Written complaint about product or service."),
    X("voc_training_feedback", "Training feedback form", 5, "web", 0.20, 0.80, 3, 100, VOC | IN, 3,
      "Feedback after a training session."),
    X("voc_delivery_feedback", "Commented on a delivery", 5, "phone", 0.70, 0.30, 2, 1500,
      VOC | IN | REP, 2, "Call about packaging, paperwork or timing."),
    X("voc_feature_request", "Submitted a feature request", 5, "portal", 0.20, 0.90, 4, 500,
      VOC | IN, 3, "Feature request through the portal."),
    X("voc_nps_promoter", "NPS survey: promoter (9-10)", 6, "web", 0.10, 0.90, 8, 300, VOC | IN, 4,
      "Answered the relationship NPS survey with 9 or 10."),
    X("voc_nps_passive", "NPS survey: passive (7-8)", 6, "web", 0.10, 0.90, 2, 300, VOC | IN, 4,
      "Answered the relationship NPS survey with 7 or 8."),
    X("voc_nps_detractor", "NPS survey: detractor (0-6)", 6, "web", 0.10, 0.90, -15, 300, VOC | IN,
      2, "Answered the relationship NPS survey with 0 to 6."),
    X("voc_qbr_feedback", "Feedback captured in a business review", 6, "meeting", 0.90, 0.30, 5,
      2000, VOC | IN | REP, 3, "Wants and needs noted during a review."),
    X("voc_product_rating", "Rated a product in the portal", 6, "portal", 0.10, 0.90, 3, 50,
      VOC | IN, 3, "Star rating of a product."),
    X("voc_advisory_input", "Advisory board input recorded", 7, "meeting", 0.90, 0.40, 8, 5000,
      VOC | IN | REP, 2, "Recommendations made at the advisory board."),
    X("voc_roadmap_vote", "Voted on roadmap ideas", 7, "portal", 0.10, 0.90, 2, 50, VOC | IN, 3,
      "Votes on ideas in the community."),
    X("voc_relationship_survey", "Annual relationship survey answered", 7, "web", 0.20, 0.80, 4,
      400, VOC | IN, 3, "Yearly survey on the whole relationship."),
    X("voc_improvement_idea", "Submitted an improvement idea", 7, "portal", 0.20, 0.90, 5, 200,
      VOC | IN, 2, "Idea posted in the community."),
    X("voc_critical_review", "Posted a critical public review", 7, "web", 0.10, 0.90, -12, 0,
      VOC | IN, 1, "Public review of two stars or less."),
    X("voc_advocate_interview", "In-depth advocate interview", 8, "video", 0.90, 0.50, 8, 8000,
      VOC | REP, 2, "Interview on what makes the relationship work."),
    X("voc_co_design", "Co-design session feedback", 8, "meeting", 0.90, 0.50, 10, 30000,
      VOC | IN | REP, 1, "Feedback on designs of a future product."),
    X("voc_reference_feedback", "Feedback after a reference call", 8, "phone", 0.80, 0.20, 4, 1000,
      VOC | IN | REP, 2, "How the reference call went."),
    X("voc_public_praise", "Praised the service publicly", 8, "social", 0.30, 0.80, 6, 0, VOC | IN,
      2, "Unprompted public praise."),
    /* outbound messages (docs/voice.md "Messages"): recorded by kith when it sends one, never
     * drawn by the demo (frequency 0); a touch by the company, worth no RV until answered */
    X("out_email", "Sent an email (outbound message)", 1, "email", 0.05, 0.95, 0, 5, 0, 0,
      "A marketing or survey email kith sent, with the contact's consent."),
    X("out_sms", "Sent an SMS (outbound message)", 1, "sms", 0.05, 0.95, 0, 8, 0, 0,
      "A marketing or survey SMS kith sent, with the contact's consent."),
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

const struct catalogue_level *catalogue_levels(size_t *n)
{
    if (n)
        *n = CATALOGUE_NLEVELS;
    return levels;
}

const struct catalogue_level *catalogue_level(int level)
{
    if (level < 1 || level > CATALOGUE_NLEVELS)
        return NULL;
    return &levels[level - 1];
}

enum catalogue_phase catalogue_level_phase(int level)
{
    const struct catalogue_level *l = catalogue_level(level);
    if (!l)
        BUG("relationship level %d out of 1..%d", level, CATALOGUE_NLEVELS);
    return l->phase;
}

const char *catalogue_phase_name(enum catalogue_phase phase)
{
    switch (phase) {
    case PHASE_ACQUISITION:
        return "acquisition";
    case PHASE_CLOSING:
        return "closing";
    case PHASE_RETENTION:
        return "retention";
    }
    BUG("phase %d", (int)phase);
}

const struct catalogue_type *catalogue_types(size_t *n)
{
    *n = NTYPES;
    return types;
}

const struct catalogue_type *catalogue_find(const char *code, size_t *index)
{
    for (size_t i = 0; i < NTYPES; i++) {
        if (strcmp(types[i].code, code) == 0) {
            if (index)
                *index = i;
            return &types[i];
        }
    }
    return NULL;
}

enum catalogue_phase catalogue_type_phase(const struct catalogue_type *t)
{
    return catalogue_level_phase(t->level);
}
