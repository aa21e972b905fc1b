/*
 * migrations.c - the SQLite schema of kith as an ordered list of versioned migrations.
 *
 * Migration N takes a database at version N-1 to N. They run in one transaction, and
 * PRAGMA user_version records the result. Never edit a released migration: add the next one.
 * The column order of each table matches its model/table.h description (a test checks it).
 */
#include "store/store_int.h"

#include "util/banned.h"

static const char migration_1[] =
    "CREATE TABLE units ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " external_id TEXT UNIQUE, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    " parent_id INTEGER REFERENCES units(id));"
    "CREATE TABLE teams ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
    " unit_id INTEGER NOT NULL REFERENCES units(id));"
    "CREATE INDEX teams_unit ON teams(unit_id);"
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL, role TEXT NOT NULL,"
    " unit_id INTEGER REFERENCES units(id), team_id INTEGER REFERENCES teams(id),"
    " hourly_cost INTEGER, password_hash TEXT, disabled INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX users_unit ON users(unit_id);"
    "CREATE INDEX users_team ON users(team_id);"
    "CREATE TABLE accounts ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " external_id TEXT UNIQUE, name TEXT NOT NULL, industry TEXT, territory TEXT,"
    " annual_revenue INTEGER, revenue_band TEXT, currency TEXT, source TEXT,"
    " owner_id INTEGER REFERENCES users(id), unit_id INTEGER REFERENCES units(id),"
    " team_id INTEGER REFERENCES teams(id), custom TEXT);"
    "CREATE INDEX accounts_name ON accounts(name);"
    "CREATE INDEX accounts_owner ON accounts(owner_id);"
    "CREATE INDEX accounts_unit ON accounts(unit_id);"
    "CREATE TABLE contacts ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " external_id TEXT UNIQUE, account_id INTEGER REFERENCES accounts(id),"
    " first_name TEXT, last_name TEXT NOT NULL, email TEXT UNIQUE COLLATE NOCASE, phone TEXT,"
    " title TEXT, buying_role TEXT, source TEXT, owner_id INTEGER REFERENCES users(id),"
    " unit_id INTEGER REFERENCES units(id), team_id INTEGER REFERENCES teams(id), stage TEXT,"
    " level INTEGER, community_role TEXT, custom TEXT);"
    "CREATE INDEX contacts_account ON contacts(account_id);"
    "CREATE INDEX contacts_owner ON contacts(owner_id);"
    "CREATE INDEX contacts_unit ON contacts(unit_id);"
    "CREATE INDEX contacts_team ON contacts(team_id);"
    "CREATE INDEX contacts_name ON contacts(last_name, first_name);"
    "CREATE TABLE interaction_types ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, phase TEXT NOT NULL, level INTEGER NOT NULL,"
    " channel TEXT NOT NULL, touch REAL NOT NULL, tech REAL NOT NULL, rv INTEGER NOT NULL,"
    " cost INTEGER NOT NULL, is_trigger INTEGER NOT NULL DEFAULT 0,"
    " is_voc INTEGER NOT NULL DEFAULT 0, description TEXT);"
    "CREATE TABLE interactions ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, external_id TEXT UNIQUE,"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id), user_id INTEGER REFERENCES users(id),"
    " type_id INTEGER NOT NULL REFERENCES interaction_types(id), occurred_at INTEGER NOT NULL,"
    " channel TEXT, direction TEXT, rv INTEGER, cost INTEGER, outcome TEXT, notes TEXT,"
    " source TEXT, voids_id INTEGER REFERENCES interactions(id));"
    "CREATE INDEX interactions_contact_time ON interactions(contact_id, occurred_at);"
    "CREATE INDEX interactions_user_time ON interactions(user_id, occurred_at);"
    "CREATE INDEX interactions_voids ON interactions(voids_id) WHERE voids_id IS NOT NULL;"
    "CREATE TABLE products ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, sku TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL, category TEXT, price INTEGER, unit_cost INTEGER, currency TEXT);"
    "CREATE TABLE orders ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, external_id TEXT UNIQUE,"
    " account_id INTEGER NOT NULL REFERENCES accounts(id),"
    " contact_id INTEGER REFERENCES contacts(id), ordered_at INTEGER NOT NULL,"
    " amount INTEGER NOT NULL, margin INTEGER, currency TEXT);"
    "CREATE INDEX orders_account_time ON orders(account_id, ordered_at);"
    "CREATE INDEX orders_contact ON orders(contact_id);"
    "CREATE TABLE order_lines ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " order_id INTEGER NOT NULL REFERENCES orders(id),"
    " product_id INTEGER NOT NULL REFERENCES products(id), quantity INTEGER NOT NULL,"
    " amount INTEGER NOT NULL, margin INTEGER);"
    "CREATE INDEX order_lines_order ON order_lines(order_id);"
    "CREATE INDEX order_lines_product ON order_lines(product_id);"
    "CREATE TABLE events ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, kind TEXT NOT NULL,"
    " contact_id INTEGER REFERENCES contacts(id), account_id INTEGER REFERENCES accounts(id),"
    " occurred_at INTEGER NOT NULL, related_contact_id INTEGER REFERENCES contacts(id),"
    " value INTEGER, notes TEXT);"
    "CREATE INDEX events_contact_time ON events(contact_id, occurred_at);"
    "CREATE INDEX events_kind ON events(kind, occurred_at);";

/* Version 2: the intent, social and VRM tables, and the server's security tables. */
static const char migration_2[] =
    "CREATE TABLE surveys ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, name TEXT NOT NULL UNIQUE,"
    " purpose TEXT, opens_at INTEGER, closes_at INTEGER);"
    "CREATE TABLE survey_responses ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " survey_id INTEGER NOT NULL REFERENCES surveys(id),"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id), answered_at INTEGER NOT NULL,"
    " channel TEXT, nps INTEGER, csat INTEGER, intent TEXT, wants TEXT, needs TEXT,"
    " confidential INTEGER NOT NULL DEFAULT 1);"
    "CREATE INDEX survey_responses_contact ON survey_responses(contact_id, answered_at);"
    "CREATE TABLE ratings ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id),"
    " product_id INTEGER REFERENCES products(id), stars INTEGER NOT NULL, review TEXT,"
    " rated_at INTEGER NOT NULL);"
    "CREATE INDEX ratings_contact ON ratings(contact_id);"
    "CREATE TABLE ideas ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " contact_id INTEGER REFERENCES contacts(id), title TEXT NOT NULL, body TEXT, status TEXT);"
    "CREATE TABLE idea_votes ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " idea_id INTEGER NOT NULL REFERENCES ideas(id),"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id), value INTEGER NOT NULL,"
    " UNIQUE (idea_id, contact_id));"
    "CREATE TABLE consents ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id), purpose TEXT NOT NULL,"
    " channel TEXT NOT NULL, state TEXT NOT NULL, recorded_at INTEGER NOT NULL,"
    " collected_by TEXT, receipt_id TEXT);"
    "CREATE INDEX consents_contact_purpose_channel"
    " ON consents(contact_id, purpose, channel, recorded_at);"
    "CREATE TABLE dsrs ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id), kind TEXT NOT NULL,"
    " status TEXT NOT NULL, received_at INTEGER NOT NULL, due_at INTEGER NOT NULL,"
    " handled_by INTEGER REFERENCES users(id), closed_at INTEGER, notes TEXT);"
    "CREATE INDEX dsrs_contact ON dsrs(contact_id);"
    "CREATE INDEX dsrs_open ON dsrs(status, due_at);"
    "CREATE TABLE audit_log ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " user_id INTEGER REFERENCES users(id), action TEXT NOT NULL, table_name TEXT,"
    " record_id INTEGER, client_addr TEXT, detail TEXT);"
    "CREATE INDEX audit_log_time ON audit_log(created_at);"
    "CREATE INDEX audit_log_user ON audit_log(user_id, created_at);"
    "CREATE TABLE api_tokens ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,"
    " token_hash TEXT NOT NULL UNIQUE, last_used_at INTEGER, revoked_at INTEGER);"
    "CREATE INDEX api_tokens_user ON api_tokens(user_id);"
    "CREATE TABLE sessions ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL REFERENCES users(id), token_hash TEXT NOT NULL UNIQUE,"
    " csrf_token TEXT NOT NULL, expires_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL);"
    "CREATE INDEX sessions_user ON sessions(user_id);";

/*
 * Version 3: the API's list, sort and search paths (docs/api.md). Text search is a
 * case-insensitive prefix match (LIKE 'term%'), which SQLite answers from an index only when the
 * index has NOCASE collation; sorting by time uses the plain time indexes. A voided interaction
 * can be voided once: the index on voids_id becomes unique.
 */
static const char migration_3[] =
    "CREATE INDEX units_name_ci ON units(name COLLATE NOCASE);"
    "CREATE INDEX teams_name_ci ON teams(name COLLATE NOCASE);"
    "CREATE INDEX users_name_ci ON users(name COLLATE NOCASE);"
    "CREATE INDEX accounts_name_ci ON accounts(name COLLATE NOCASE);"
    "CREATE INDEX accounts_team ON accounts(team_id);"
    "CREATE INDEX contacts_last_name_ci ON contacts(last_name COLLATE NOCASE);"
    "CREATE INDEX contacts_first_name_ci ON contacts(first_name COLLATE NOCASE);"
    "CREATE INDEX interaction_types_name_ci ON interaction_types(name COLLATE NOCASE);"
    "CREATE INDEX interactions_time ON interactions(occurred_at);"
    "CREATE INDEX interactions_type ON interactions(type_id);"
    "DROP INDEX interactions_voids;"
    "CREATE UNIQUE INDEX interactions_voids ON interactions(voids_id) WHERE voids_id IS NOT NULL;"
    "CREATE INDEX products_name_ci ON products(name COLLATE NOCASE);"
    "CREATE INDEX orders_time ON orders(ordered_at);"
    "DROP INDEX orders_contact;"
    "CREATE INDEX orders_contact_time ON orders(contact_id, ordered_at);"
    "CREATE INDEX events_time ON events(occurred_at);"
    "CREATE INDEX events_account ON events(account_id);"
    "CREATE INDEX events_related ON events(related_contact_id)"
    " WHERE related_contact_id IS NOT NULL;";

/*
 * Version 4: interactions.external_id is unique only where it is set. As a column constraint
 * (UNIQUE) it was an index holding one entry per row, NULL or not, and most interactions have
 * no external id: the partial index keeps the same rule at a fraction of the size, and an
 * import no longer pays an index insert per row for it (docs/BENCHMARKS.md). SQLite cannot drop
 * a column constraint, so the table is rebuilt with the same columns in the same order and the
 * indexes of migrations 1 and 3 are made again (store_migrate runs it with foreign keys off:
 * the rows are copied as they are).
 */
static const char migration_4[] =
    "CREATE TABLE interactions_v4 ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, external_id TEXT,"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id), user_id INTEGER REFERENCES users(id),"
    " type_id INTEGER NOT NULL REFERENCES interaction_types(id), occurred_at INTEGER NOT NULL,"
    " channel TEXT, direction TEXT, rv INTEGER, cost INTEGER, outcome TEXT, notes TEXT,"
    " source TEXT, voids_id INTEGER REFERENCES interactions(id));"
    "INSERT INTO interactions_v4 SELECT * FROM interactions;"
    "DROP TABLE interactions;"
    "ALTER TABLE interactions_v4 RENAME TO interactions;"
    "CREATE UNIQUE INDEX interactions_external_id ON interactions(external_id)"
    " WHERE external_id IS NOT NULL;"
    "CREATE INDEX interactions_contact_time ON interactions(contact_id, occurred_at);"
    "CREATE INDEX interactions_user_time ON interactions(user_id, occurred_at);"
    "CREATE UNIQUE INDEX interactions_voids ON interactions(voids_id) WHERE voids_id IS NOT NULL;"
    "CREATE INDEX interactions_time ON interactions(occurred_at);"
    "CREATE INDEX interactions_type ON interactions(type_id);";

/*
 * Version 5: the privacy of the comparison of units is the server's policy (docs/internals/rv.md,
 * "Privacy policy"). privacy_policy holds per role the smallest group shown (min_k), the largest
 * epsilon a caller may ask, whether noise is required and the daily budget of epsilon per user
 * (NULL: no limit); its rows are the defaults: exact figures only for the roles that read every
 * contact (admin, executive, analyst; docs/internals/access.md). privacy_secret holds the key of
 * the noise (written on first use by store_privacy_key(), never by SQL: it comes from the CSPRNG).
 * privacy_spend is the budget's ledger: one row per user, UTC day and distinct query.
 */
static const char migration_5[] =
    "CREATE TABLE privacy_policy ("
    " role TEXT PRIMARY KEY, created_at INTEGER NOT NULL,"
    " min_k INTEGER NOT NULL CHECK (min_k >= 1),"
    " max_epsilon REAL NOT NULL CHECK (max_epsilon > 0),"
    " require_noise INTEGER NOT NULL CHECK (require_noise IN (0, 1)),"
    " daily_budget REAL CHECK (daily_budget IS NULL OR daily_budget >= 0),"
    " updated_at INTEGER NOT NULL, updated_by INTEGER REFERENCES users(id));"
    "INSERT INTO privacy_policy (role, created_at, min_k, max_epsilon, require_noise,"
    " daily_budget, updated_at) VALUES"
    " ('admin', 0, 10, 1000, 0, NULL, 0), ('executive', 0, 10, 1000, 0, NULL, 0),"
    " ('analyst', 0, 10, 1000, 0, NULL, 0), ('manager', 0, 10, 1, 1, 10, 0),"
    " ('frontline', 0, 10, 1, 1, 10, 0), ('partner', 0, 10, 1, 1, 10, 0);"
    "CREATE TABLE privacy_secret ("
    " id INTEGER PRIMARY KEY CHECK (id = 1), created_at INTEGER NOT NULL, key BLOB NOT NULL);"
    "CREATE TABLE privacy_spend ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL REFERENCES users(id), day INTEGER NOT NULL,"
    " query BLOB NOT NULL, epsilon REAL NOT NULL CHECK (epsilon > 0),"
    " UNIQUE (user_id, day, query));";

/*
 * Version 6: an independent unit (a partner, distributor or dealer) keeps the detail of its
 * contacts and interactions from the principal's executives and analysts unless shares_detail
 * is set (docs/internals/access.md, "Independent units"); existing units share nothing more.
 * It may be null (read as false), so that a row written with the field left null is not refused.
 */
static const char migration_6[] = "ALTER TABLE units ADD COLUMN shares_detail INTEGER DEFAULT 0;";

/*
 * Version 7: deals (opportunities) and what they need (DESIGN.md §3); self-contained, so that it
 * keeps its meaning under whatever number it ends up with. deal_stages is the stage list:
 * unit_id NULL is the company default, a unit may have its own; a name is unique within its
 * unit (NULL counted as one unit, hence the expression index). deal_stage_changes is the history
 * of a deal's stage (who, when, from, to); the trigger writes its first row when a deal is
 * inserted by any door (API, import, demo), at the deal's closing, engagement or creation time,
 * naming no user, and fills a missing outcome from the stage's kind. The API's PATCH writes the
 * later rows (src/api/deals.c). orders gain who sold them and their deal; users a manager;
 * accounts a parent account and an employee count.
 */
static const char migration_7[] =
    "CREATE TABLE deal_stages ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " unit_id INTEGER REFERENCES units(id), name TEXT NOT NULL, position INTEGER NOT NULL,"
    " probability REAL NOT NULL, kind TEXT NOT NULL);"
    "CREATE UNIQUE INDEX deal_stages_unit_name ON deal_stages(ifnull(unit_id, 0), name);"
    "CREATE INDEX deal_stages_name ON deal_stages(name);"
    "INSERT INTO deal_stages (created_at, unit_id, name, position, probability, kind) VALUES"
    " (0, NULL, 'Prospecting', 1, 0.1, 'open'), (0, NULL, 'Engaging', 2, 0.25, 'open'),"
    " (0, NULL, 'Proposal', 3, 0.5, 'open'), (0, NULL, 'Closing', 4, 0.75, 'open'),"
    " (0, NULL, 'Won', 5, 1.0, 'won'), (0, NULL, 'Lost', 6, 0.0, 'lost');"
    "CREATE TABLE deals ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, external_id TEXT, name TEXT,"
    " account_id INTEGER NOT NULL REFERENCES accounts(id),"
    " contact_id INTEGER REFERENCES contacts(id), owner_id INTEGER REFERENCES users(id),"
    " stage_id INTEGER NOT NULL REFERENCES deal_stages(id), amount INTEGER, currency TEXT,"
    " probability REAL, engaged_at INTEGER, expected_close_at INTEGER, closed_at INTEGER,"
    " outcome TEXT, loss_reason TEXT, source TEXT, unit_id INTEGER REFERENCES units(id),"
    " team_id INTEGER REFERENCES teams(id));"
    "CREATE UNIQUE INDEX deals_external_id ON deals(external_id) WHERE external_id IS NOT NULL;"
    "CREATE INDEX deals_name_ci ON deals(name COLLATE NOCASE);"
    "CREATE INDEX deals_account ON deals(account_id);"
    "CREATE INDEX deals_contact ON deals(contact_id) WHERE contact_id IS NOT NULL;"
    "CREATE INDEX deals_owner ON deals(owner_id, closed_at);"
    "CREATE INDEX deals_unit ON deals(unit_id);"
    "CREATE INDEX deals_team ON deals(team_id);"
    "CREATE INDEX deals_stage ON deals(stage_id);"
    "CREATE INDEX deals_closed ON deals(closed_at);"
    "CREATE INDEX deals_expected_close ON deals(expected_close_at);"
    "CREATE TABLE deal_lines ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " deal_id INTEGER NOT NULL REFERENCES deals(id),"
    " product_id INTEGER NOT NULL REFERENCES products(id), quantity INTEGER NOT NULL,"
    " amount INTEGER NOT NULL);"
    "CREATE INDEX deal_lines_deal ON deal_lines(deal_id);"
    "CREATE INDEX deal_lines_product ON deal_lines(product_id);"
    "CREATE TABLE deal_stage_changes ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " deal_id INTEGER NOT NULL REFERENCES deals(id),"
    " from_stage_id INTEGER REFERENCES deal_stages(id),"
    " to_stage_id INTEGER NOT NULL REFERENCES deal_stages(id),"
    " user_id INTEGER REFERENCES users(id), changed_at INTEGER NOT NULL);"
    "CREATE INDEX deal_stage_changes_deal ON deal_stage_changes(deal_id, changed_at);"
    "CREATE INDEX deal_stage_changes_to ON deal_stage_changes(to_stage_id, changed_at);"
    "CREATE TRIGGER deals_first_stage AFTER INSERT ON deals BEGIN"
    " INSERT INTO deal_stage_changes"
    " (created_at, deal_id, from_stage_id, to_stage_id, user_id, changed_at)"
    " VALUES (NEW.created_at, NEW.id, NULL, NEW.stage_id, NULL,"
    " coalesce(NEW.closed_at, NEW.engaged_at, NEW.created_at));"
    " UPDATE deals SET outcome = (SELECT kind FROM deal_stages WHERE id = NEW.stage_id)"
    " WHERE id = NEW.id AND NEW.outcome IS NULL;"
    " END;"
    "ALTER TABLE orders ADD COLUMN user_id INTEGER REFERENCES users(id);"
    "ALTER TABLE orders ADD COLUMN deal_id INTEGER REFERENCES deals(id);"
    "CREATE INDEX orders_user_time ON orders(user_id, ordered_at) WHERE user_id IS NOT NULL;"
    "CREATE INDEX orders_deal ON orders(deal_id) WHERE deal_id IS NOT NULL;"
    "ALTER TABLE users ADD COLUMN manager_id INTEGER REFERENCES users(id);"
    "CREATE INDEX users_manager ON users(manager_id) WHERE manager_id IS NOT NULL;"
    "ALTER TABLE accounts ADD COLUMN parent_id INTEGER REFERENCES accounts(id);"
    "ALTER TABLE accounts ADD COLUMN employees INTEGER;"
    "CREATE INDEX accounts_parent ON accounts(parent_id) WHERE parent_id IS NOT NULL;";

/* The rules of migration 8's triggers on the row R (NEW) about to be written; the kind of a row
 * written without one is the one orders_kind_default gives it. */
/* clang-format off */
#define ORDER_KIND(R) "coalesce(" R ".kind, CASE WHEN " R ".amount < 0 THEN 'return' ELSE 'sale' END)"
#define ORDER_RULES(R) \
    " SELECT RAISE(ABORT, 'amount: a sale cannot have a negative amount; record money going" \
    " back to the customer as a return or a credit')" \
    " WHERE " ORDER_KIND(R) " = 'sale' AND " R ".amount < 0;" \
    " SELECT RAISE(ABORT, 'amount: a return or a credit is money going back to the customer," \
    " so its amount is 0 or negative')" \
    " WHERE " ORDER_KIND(R) " IN ('return', 'credit') AND " R ".amount > 0;" \
    " SELECT RAISE(ABORT, 'reverses_id: only a return or a credit reverses an order')" \
    " WHERE " R ".reverses_id IS NOT NULL AND " ORDER_KIND(R) " = 'sale';" \
    " SELECT RAISE(ABORT, 'reverses_id: the reversed order belongs to another account')" \
    " WHERE " R ".reverses_id IS NOT NULL AND EXISTS (SELECT 1 FROM orders o" \
    " WHERE o.id = " R ".reverses_id AND o.account_id <> " R ".account_id);" \
    " SELECT RAISE(ABORT, 'reverses_id: the reversed order is not a sale (a return or a" \
    " credit cannot be reversed)')" \
    " WHERE " R ".reverses_id IS NOT NULL AND EXISTS (SELECT 1 FROM orders o" \
    " WHERE o.id = " R ".reverses_id AND coalesce(o.kind, 'sale') <> 'sale');"
/* clang-format on */

/*
 * Version 8: returns and credits (issue 13). An order has a kind: "sale" (the default), "return"
 * (goods coming back) or "credit" (money given back without goods), and a return or credit may
 * name the sale it reverses (reverses_id). Self-contained, so that it keeps its meaning under
 * whatever number it ends up with. Existing rows get their kind from the sign of their amount.
 * The triggers keep the rules for every door (API, import, demo), since they need other rows:
 *   - an order written without a kind gets "return" when its amount is negative, else "sale";
 *   - a sale's amount is not negative, a return's or credit's not positive;
 *   - only a return or a credit reverses an order, and the order it reverses is a sale of the same
 *     account; a sale that returns reverse stays a sale of its account.
 * A trigger's refusal reaches the caller as an invalid value naming the field (store/sqlite.c).
 */
/* clang-format off */
static const char migration_8[] =
    "ALTER TABLE orders ADD COLUMN kind TEXT;"
    "ALTER TABLE orders ADD COLUMN reverses_id INTEGER REFERENCES orders(id);"
    "UPDATE orders SET kind = CASE WHEN amount < 0 THEN 'return' ELSE 'sale' END;"
    "CREATE INDEX orders_reverses ON orders(reverses_id) WHERE reverses_id IS NOT NULL;"
    "CREATE TRIGGER orders_kind_insert BEFORE INSERT ON orders BEGIN"
        ORDER_RULES("NEW")
    " END;"
    /* OLD.kind is NULL only in orders_kind_default's own update, which follows the rules */
    "CREATE TRIGGER orders_kind_update BEFORE UPDATE ON orders WHEN OLD.kind IS NOT NULL BEGIN"
        ORDER_RULES("NEW")
    " SELECT RAISE(ABORT, 'kind: returns or credits reverse this order, so it stays a sale of"
    " its account')"
    " WHERE (" ORDER_KIND("NEW") " <> 'sale' OR NEW.account_id <> OLD.account_id)"
    " AND EXISTS (SELECT 1 FROM orders r WHERE r.reverses_id = OLD.id);"
    " END;"
    "CREATE TRIGGER orders_kind_default AFTER INSERT ON orders WHEN NEW.kind IS NULL BEGIN"
    " UPDATE orders SET kind = CASE WHEN NEW.amount < 0 THEN 'return' ELSE 'sale' END"
    " WHERE id = NEW.id;"
    " END;"
    "CREATE TRIGGER orders_kind_default_update AFTER UPDATE ON orders WHEN NEW.kind IS NULL"
    " BEGIN"
    " UPDATE orders SET kind = CASE WHEN NEW.amount < 0 THEN 'return' ELSE 'sale' END"
    " WHERE id = NEW.id;"
    " END;";
/* clang-format on */

/*
 * Version 9: sales quotas (issue 12, docs/deals.md "quota"); self-contained, so that it keeps its
 * meaning under whatever number it ends up with. A quota is what one user is expected to win in
 * [period_start, period_end) (Unix ms), in minor units of its currency. A user has at most one
 * quota per period; a period that does not end after it starts is refused by the named CHECK
 * (the store reports it as an invalid value, naming the rule).
 */
static const char migration_9[] =
    "CREATE TABLE quotas ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL REFERENCES users(id),"
    " period_start INTEGER NOT NULL, period_end INTEGER NOT NULL,"
    " amount INTEGER NOT NULL, currency TEXT,"
    " CONSTRAINT quota_period_ends_after_it_starts CHECK (period_end > period_start));"
    "CREATE UNIQUE INDEX quotas_user_period ON quotas(user_id, period_start, period_end);"
    "CREATE INDEX quotas_period ON quotas(period_start);";

/*
 * Version 10: surveys (issue 15, docs/voice.md); self-contained, so that it keeps its meaning
 * under whatever number it ends up with. A survey gains its questions (JSON, model/survey.h),
 * its audience (a contact filter in the API's list syntax), the channel, touchpoint, interaction
 * type and product it follows. A response gains the same dimensions, its answers, whether it is
 * the contact's latest answer (an update adds a row and clears the flag of the one it replaces:
 * the history is kept), the answer it replaces and the interaction that records it.
 * survey_optins is the contact's opt-in to a survey (the latest row counts) and whether staff may
 * see its answers one by one (share); without a granted opt-in no answer is taken.
 */
static const char migration_10[] =
    "ALTER TABLE surveys ADD COLUMN questions TEXT;"
    "ALTER TABLE surveys ADD COLUMN audience TEXT;"
    "ALTER TABLE surveys ADD COLUMN channel TEXT;"
    "ALTER TABLE surveys ADD COLUMN touchpoint TEXT;"
    "ALTER TABLE surveys ADD COLUMN type_id INTEGER REFERENCES interaction_types(id);"
    "ALTER TABLE surveys ADD COLUMN product_id INTEGER REFERENCES products(id);"
    "ALTER TABLE survey_responses ADD COLUMN touchpoint TEXT;"
    "ALTER TABLE survey_responses ADD COLUMN type_id INTEGER REFERENCES interaction_types(id);"
    "ALTER TABLE survey_responses ADD COLUMN product_id INTEGER REFERENCES products(id);"
    "ALTER TABLE survey_responses ADD COLUMN answers TEXT;"
    "ALTER TABLE survey_responses ADD COLUMN latest INTEGER DEFAULT 1;"
    "ALTER TABLE survey_responses ADD COLUMN replaces_id INTEGER"
    " REFERENCES survey_responses(id);"
    "ALTER TABLE survey_responses ADD COLUMN interaction_id INTEGER REFERENCES interactions(id);"
    "CREATE INDEX survey_responses_survey ON survey_responses(survey_id, contact_id, latest);"
    "CREATE INDEX survey_responses_latest ON survey_responses(latest, answered_at);"
    "CREATE TABLE survey_optins ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " survey_id INTEGER NOT NULL REFERENCES surveys(id),"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id),"
    " state TEXT NOT NULL, share INTEGER DEFAULT 0, recorded_at INTEGER NOT NULL,"
    " collected_by TEXT);"
    "CREATE INDEX survey_optins_contact ON survey_optins(survey_id, contact_id, recorded_at);";

/*
 * Version 11: share of wallet (issue 12, docs/value.md "Share of wallet"); self-contained, so that
 * it keeps its meaning under whatever number it ends up with. An account may carry an estimated
 * wallet: what it spends a year in the categories kith's orders sell, in minor units of the
 * account's currency (wallet, NULL: not estimated), and the year the estimate is for
 * (wallet_year, NULL: not said). Ranges are the table definition's (model/tables.c).
 */
static const char migration_11[] = "ALTER TABLE accounts ADD COLUMN wallet INTEGER;"
                                   "ALTER TABLE accounts ADD COLUMN wallet_year INTEGER;";

/*
 * Version 12: the customer portal's credentials (issue 16, docs/portal.md); self-contained, so
 * that it keeps its meaning under whatever number it ends up with. portal_accounts holds a
 * contact's portal access: its argon2id password hash ("" until one is set) and when staff
 * revoked the access (revoked_at, NULL while it holds). portal_tokens are the single-use links
 * sent to the contact (kind 'invitation', valid 7 days, or 'sign_in', valid 15 minutes): only a
 * hash of each is stored, and used_at marks it spent. portal_sessions are the contact's signed-in
 * sessions, apart from staff sessions: hashes of the session id and of its CSRF token. All three
 * go with their contact when it is deleted.
 */
static const char migration_12[] =
    "CREATE TABLE portal_accounts ("
    " contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,"
    " created_at INTEGER NOT NULL, password_hash TEXT NOT NULL DEFAULT '',"
    " password_set_at INTEGER, revoked_at INTEGER);"
    "CREATE TABLE portal_tokens ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " contact_id INTEGER NOT NULL REFERENCES portal_accounts(contact_id) ON DELETE CASCADE,"
    " kind TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, expires_at INTEGER NOT NULL,"
    " used_at INTEGER, created_by INTEGER REFERENCES users(id));"
    "CREATE INDEX portal_tokens_contact ON portal_tokens(contact_id);"
    "CREATE TABLE portal_sessions ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " contact_id INTEGER NOT NULL REFERENCES portal_accounts(contact_id) ON DELETE CASCADE,"
    " token_hash TEXT NOT NULL UNIQUE, csrf_hash TEXT NOT NULL, expires_at INTEGER NOT NULL,"
    " last_seen_at INTEGER NOT NULL);"
    "CREATE INDEX portal_sessions_contact ON portal_sessions(contact_id);";

/*
 * Version 13: the community (issue 15, docs/voice.md "Ratings", "Ideas", "Community roles");
 * self-contained, so that it keeps its meaning under whatever number it ends up with. A rating
 * gains verified: kith sets it when the contact or its account bought the rated product (a sale
 * line of that product), never the client. An idea's status is one of new, planned, done,
 * declined (model/tables.c): older values outside the list become new. Indexes serve the count
 * of each contact's ideas, votes, reviews and referrals from which its community role is
 * derived (contacts.community_role, now kept by kith: the values written by hand so far are
 * replaced at the next derivation).
 */
static const char migration_13[] =
    "ALTER TABLE ratings ADD COLUMN verified INTEGER DEFAULT 0;"
    "UPDATE ideas SET status = 'new'"
    " WHERE status IS NULL OR status NOT IN ('new', 'planned', 'done', 'declined');"
    "CREATE INDEX ratings_product ON ratings(product_id, contact_id);"
    "CREATE INDEX ideas_contact ON ideas(contact_id, created_at);"
    "CREATE INDEX idea_votes_contact ON idea_votes(contact_id, created_at);";

/*
 * Version 14: order and deal lines keep the unit price they were given (issue 13, a line-level
 * export prices each line per unit); self-contained, so that it keeps its meaning under whatever
 * number it ends up with. The line's amount stays what every figure counts; unit_price is the
 * source's own figure (NULL when the line came with its amount).
 */
static const char migration_14[] = "ALTER TABLE order_lines ADD COLUMN unit_price INTEGER;"
                                   "ALTER TABLE deal_lines ADD COLUMN unit_price INTEGER;";

/*
 * Version 15: corrections the customer proposes in the portal (issue 16, docs/portal.md
 * "Corrections"); self-contained, so that it keeps its meaning under whatever number it ends up
 * with. One row per proposal to change one field of the contact: the proposed value (NULL: clear
 * the field), what the field held then (previous), the contact's note, and the staff decision
 * (status pending, accepted or rejected; who decided, when, and the reason). The rows go with
 * their contact. Indexes serve the contact's own list and staff's queue by status, and the audit
 * log's entries of one record (the customer's access log in the portal).
 */
static const char migration_15[] =
    "CREATE TABLE corrections ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    " field TEXT NOT NULL, value TEXT, previous TEXT, note TEXT,"
    " status TEXT NOT NULL DEFAULT 'pending', decided_at INTEGER,"
    " decided_by INTEGER REFERENCES users(id), reason TEXT);"
    "CREATE INDEX corrections_contact ON corrections(contact_id, created_at);"
    "CREATE INDEX corrections_status ON corrections(status, created_at);"
    "CREATE INDEX audit_log_record ON audit_log(table_name, record_id);";

/*
 * Version 16: the portal's people map (issue 15 item 4, docs/voice.md "The people map");
 * self-contained, so that it keeps its meaning under whatever number it ends up with. A contact
 * opts in (findable 1) or out (0) of being found by other customers looking for someone like
 * them; no row is the same as 0. Only the contact sets it, through the portal; it goes with its
 * contact.
 */
static const char migration_16[] =
    "CREATE TABLE contact_findable ("
    " contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,"
    " findable INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL);";

/*
 * Version 17: V2T2 settings per unit (issue 14, docs/v2t2.md "Settings"); self-contained, so
 * that it keeps its meaning under whatever number it ends up with. A unit may set the thresholds
 * and the period its relationships and subjects are judged by: one nullable column per setting
 * (NULL: the built-in default of model/v2t2_settings.c), in the order of enum v2t2_setting. The
 * ranges are checked by the model (v2t2_setting_check()) before every write. The row goes with
 * its unit.
 */
static const char migration_17[] =
    "CREATE TABLE v2t2_settings ("
    " unit_id INTEGER PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,"
    " created_at INTEGER NOT NULL,"
    " value_customer REAL, value_rep REAL, value_manager REAL, value_unit REAL,"
    " value_enterprise REAL, volume REAL, period_days REAL, touch REAL, tech REAL,"
    " updated_at INTEGER NOT NULL, updated_by INTEGER REFERENCES users(id));";

/*
 * Version 18: feeds that keep in touch (issue 15, docs/voice.md "Feeds"); self-contained, so that
 * it keeps its meaning under whatever number it ends up with. feed_posts are what staff publish
 * to an audience: the community, one product (product_id) or a segment (segment: a filter of
 * contacts in the API's list syntax). feed_tokens are the secret feed URLs of contacts with portal
 * access: only a hash of each is stored; revoked_at ends one. idea_status_changes keeps every
 * change of an idea's status (a trigger writes it, whichever door changed the idea), so that a
 * feed can say when an idea was planned, done or declined.
 */
static const char migration_18[] =
    "CREATE TABLE feed_posts ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " title TEXT NOT NULL, body TEXT,"
    " audience TEXT NOT NULL CHECK (audience IN ('community', 'product', 'segment')),"
    " product_id INTEGER REFERENCES products(id) ON DELETE CASCADE, segment TEXT,"
    " published_at INTEGER NOT NULL, user_id INTEGER REFERENCES users(id),"
    " CONSTRAINT feed_post_product_has_one"
    " CHECK ((audience = 'product') = (product_id IS NOT NULL)),"
    " CONSTRAINT feed_post_segment_has_one"
    " CHECK ((audience = 'segment') = (segment IS NOT NULL)));"
    "CREATE INDEX feed_posts_audience ON feed_posts(audience, product_id, published_at);"
    "CREATE TABLE feed_tokens ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    " token_hash TEXT NOT NULL UNIQUE, revoked_at INTEGER,"
    " created_by INTEGER REFERENCES users(id));"
    "CREATE INDEX feed_tokens_contact ON feed_tokens(contact_id);"
    "CREATE TABLE idea_status_changes ("
    " id INTEGER PRIMARY KEY,"
    " idea_id INTEGER NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,"
    " from_status TEXT, to_status TEXT, changed_at INTEGER NOT NULL);"
    "CREATE INDEX idea_status_changes_idea ON idea_status_changes(idea_id, changed_at);"
    "CREATE TRIGGER ideas_status_history AFTER UPDATE OF status ON ideas"
    " WHEN NEW.status IS NOT OLD.status BEGIN"
    " INSERT INTO idea_status_changes (idea_id, from_status, to_status, changed_at)"
    " VALUES (NEW.id, OLD.status, NEW.status,"
    " CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));"
    " END;";

/*
 * Version 19: consent per purpose and channel with signed receipts (issue 16, docs/portal.md
 * "Consent"); self-contained, so that it keeps its meaning under whatever number it ends up
 * with. The consents table (version 1) becomes append-only: triggers refuse every UPDATE and
 * DELETE of its rows, so its history is the record of what the contact said and when. Each row
 * written by kith names its Kantara consent receipt (receipt_id); consent_receipts keeps the
 * receipt as issued (a compact JWS signed with Ed25519), append-only as well. signing_keys holds
 * the server's Ed25519 key pair (one row, id 1, made by kith init or at the first receipt): the
 * secret key never leaves the store but to sign. consents_current is each (contact, purpose,
 * channel)'s latest record (by recorded_at, then id), which the least permissive rule folds.
 */
static const char migration_19[] =
    "CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents"
    " BEGIN SELECT RAISE(ABORT, 'consent records are append-only: record a new one'); END;"
    "CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents"
    " BEGIN SELECT RAISE(ABORT, 'consent records are append-only: record a new one'); END;"
    "CREATE INDEX consents_purpose_state ON consents(purpose, state, contact_id);"
    "CREATE TABLE consent_receipts ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " receipt_id TEXT NOT NULL UNIQUE,"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id), jws TEXT NOT NULL);"
    "CREATE INDEX consent_receipts_contact ON consent_receipts(contact_id, id);"
    "CREATE TRIGGER consent_receipts_no_update BEFORE UPDATE ON consent_receipts"
    " BEGIN SELECT RAISE(ABORT, 'consent receipts are append-only'); END;"
    "CREATE TRIGGER consent_receipts_no_delete BEFORE DELETE ON consent_receipts"
    " BEGIN SELECT RAISE(ABORT, 'consent receipts are append-only'); END;"
    "CREATE TABLE signing_keys ("
    " id INTEGER PRIMARY KEY CHECK (id = 1), created_at INTEGER NOT NULL,"
    " alg TEXT NOT NULL, public_key BLOB NOT NULL, secret_key BLOB NOT NULL);"
    "CREATE VIEW consents_current AS"
    " SELECT c.id, c.contact_id, c.purpose, c.channel, c.state, c.recorded_at FROM consents c"
    " WHERE NOT EXISTS (SELECT 1 FROM consents n WHERE n.contact_id = c.contact_id"
    " AND n.purpose = c.purpose AND n.channel = c.channel"
    " AND (n.recorded_at > c.recorded_at OR (n.recorded_at = c.recorded_at AND n.id > c.id)));";

/*
 * Version 20: data-subject requests on their clock, and erasure (issue 16, docs/portal.md
 * "Data-subject requests", "Erasure"); self-contained, so that it keeps its meaning under whatever
 * number it ends up with. A request may be extended once (extended_at, with extension_reason;
 * due_at then holds the extended date), carries the answer given to the person (answer: what was
 * done, or where the export is) and who filed it (filed_by: customer or staff). Statuses become
 * open, extended, completed, rejected and lifted (model/dsr.h); the earlier spellings map onto
 * them. The index serves the restriction predicate (a contact with a restriction request in
 * force) and the queue's overdue count.
 */
static const char migration_20[] =
    "ALTER TABLE dsrs ADD COLUMN extended_at INTEGER;"
    "ALTER TABLE dsrs ADD COLUMN extension_reason TEXT;"
    "ALTER TABLE dsrs ADD COLUMN answer TEXT;"
    "ALTER TABLE dsrs ADD COLUMN filed_by TEXT;"
    "UPDATE dsrs SET status = CASE status WHEN 'in_progress' THEN 'open' WHEN 'done' THEN"
    " 'completed' WHEN 'refused' THEN 'rejected' ELSE status END;"
    "CREATE INDEX dsrs_kind_status ON dsrs(kind, status, contact_id);";

/*
 * Version 21: the customer's devices and their readings (issue 16 item 8, docs/portal.md
 * "Devices"); self-contained, so that it keeps its meaning under whatever number it ends up with.
 * A device belongs to a contact, which registers it in the portal; only the BLAKE2b hash of its
 * bearer token is stored, paused_at is set while the contact has paused it. Each reading a device
 * posts is an interaction (source 'device', its value as JSON text in notes) and a row of
 * device_readings naming the device, so that the device's data can be listed and deleted with it.
 * Three telemetry types join a catalogue that has types already (code prefix 'device.', channel
 * 'device', touch 0, tech 1, no RV and no cost: a chatty device buys no relationship; level 1 and
 * its phase, acquisition, and no trigger, so that they never raise the number of levels a
 * catalogue has, change the phase its levels take, nor move a contact's level; an administrator
 * may change them). An empty catalogue is left empty, as `kith demo` and imports expect it: the
 * first device registered adds the same types then (store_telemetry_types_ensure()). Their ids
 * are put above 9000 (or above the highest id there is), clear of the ids 1.. that `kith demo`
 * and imports give the catalogue they load; their created_at is the day they were defined.
 */
static const char migration_21[] =
    "CREATE TABLE devices ("
    " id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL,"
    " contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, kind TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,"
    " paused_at INTEGER, last_seen_at INTEGER, readings INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX devices_contact ON devices(contact_id);"
    "CREATE TABLE device_readings ("
    " interaction_id INTEGER PRIMARY KEY REFERENCES interactions(id) ON DELETE CASCADE,"
    " device_id INTEGER NOT NULL REFERENCES devices(id));"
    "CREATE INDEX device_readings_device ON device_readings(device_id, interaction_id);"
    "WITH t(n, code, name, description) AS (VALUES"
    " (1, 'device.usage', 'Device usage reading',"
    "  'A reading of use (hours run, cycles, volume) sent by a device of the contact.'),"
    " (2, 'device.alert', 'Device alert',"
    "  'A condition a device of the contact reports for attention (a threshold crossed).'),"
    " (3, 'device.error', 'Device error',"
    "  'A fault a device of the contact reports (an error code, a failed self-test).'))"
    " INSERT INTO interaction_types (id, created_at, code, name, phase, level, channel, touch,"
    " tech, rv, cost, is_trigger, is_voc, description)"
    " SELECT max(coalesce((SELECT max(id) FROM interaction_types), 0), 9000) + n,"
    " 1796688000000, code, name, 'acquisition', 1, 'device', 0, 1, 0, 0, 0, 0, description"
    " FROM t WHERE EXISTS (SELECT 1 FROM interaction_types)"
    " AND NOT EXISTS (SELECT 1 FROM interaction_types i WHERE i.code = t.code);";

/*
 * Version 22: an idea may be about a product (issue 15, docs/voice.md "Ideas"), so that the
 * ideas board filters by product; self-contained, so that it keeps its meaning under whatever
 * number it ends up with. NULL: about no product in particular. The index serves the filter.
 */
static const char migration_22[] =
    "ALTER TABLE ideas ADD COLUMN product_id INTEGER REFERENCES products(id);"
    "CREATE INDEX ideas_product ON ideas(product_id, created_at);";

/*
 * Version 23: deal indexes that cost more than they serve after a large deal import (each one a
 * sort of the whole table, or an entry per row for a field the import leaves empty;
 * docs/BENCHMARKS.md "Deal import").
 * - A deal's stage and a stage change's target stage take a handful of values (a unit's stage
 *   list); every read by stage (the board, the pipeline, conversion) reads the deals of a scope or
 *   all stage changes in deal order, and a filter by stage alone matches a sixth of the rows,
 *   found faster by walking the list's order: both indexes go. Deleting a stage now scans the
 *   deals for it (about 50 ms at a million deals), which an administrator does rarely.
 * - Unit and team are found by equality only (the scope's conditions): their indexes hold the
 *   deals that have one, and a deal without (most deals of an import by owner) costs nothing.
 */
static const char migration_23[] =
    "DROP INDEX IF EXISTS deals_stage;"
    "DROP INDEX IF EXISTS deal_stage_changes_to;"
    "DROP INDEX IF EXISTS deals_unit;"
    "CREATE INDEX deals_unit ON deals(unit_id) WHERE unit_id IS NOT NULL;"
    "DROP INDEX IF EXISTS deals_team;"
    "CREATE INDEX deals_team ON deals(team_id) WHERE team_id IS NOT NULL;";

/*
 * Version 24: the customer value figures kept in the store (issue 17 item 4,
 * docs/internals/value.md "Kept figures"); self-contained, so that it keeps its meaning under
 * whatever number it ends up with.
 *
 * value_inputs holds one counter, `changes`, that triggers move on every write to a table the
 * customer value figures read: accounts, units, contacts (their account and their consents decide
 * which accounts count), orders, order lines, products, interaction types (their cost), events
 * (referrals) and consents. Interactions are the exception: a trigger on every insert would tax
 * the busiest write of all, so the version of the value inputs is changes + max(interactions.id)
 * (store_value_version()): an insert moves the maximum, an update moves the counter, and a delete
 * adds the deleted id + 1 to it, so the sum still grows when the newest interaction goes.
 *
 * value_kept is one generation of kept figures: the parameters they were computed with (key),
 * the layout of head (the report's model, diagnostics and warnings as the server wrote them), the
 * version of the value inputs they came from, when they were computed, and whether every row was
 * written (complete). value_kept_customers holds one row per customer of a generation; rows are
 * written in batches and the generation is marked complete last, so a reader never sees half.
 *
 * deal_inputs is the same counter for the deals the server keeps in memory (api/deal_stats.c):
 * deals, their lines and stages, users, teams, units and products, so that the kept deals are
 * read again after a write to those and not after every commit (an interaction logged).
 */
static const char migration_24[] =
    "CREATE TABLE value_inputs (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " changes INTEGER NOT NULL);"
    "INSERT INTO value_inputs (id, changes) VALUES (1, 0);"
    "CREATE TRIGGER value_inputs_accounts_i AFTER INSERT ON accounts"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_accounts_u AFTER UPDATE ON accounts"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_accounts_d AFTER DELETE ON accounts"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_units_i AFTER INSERT ON units"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_units_u AFTER UPDATE ON units"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_units_d AFTER DELETE ON units"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_orders_i AFTER INSERT ON orders"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_orders_u AFTER UPDATE ON orders"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_orders_d AFTER DELETE ON orders"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_order_lines_i AFTER INSERT ON order_lines"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_order_lines_u AFTER UPDATE ON order_lines"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_order_lines_d AFTER DELETE ON order_lines"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_products_i AFTER INSERT ON products"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_products_u AFTER UPDATE ON products"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_products_d AFTER DELETE ON products"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_interaction_types_i AFTER INSERT ON interaction_types"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_interaction_types_u AFTER UPDATE ON interaction_types"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_interaction_types_d AFTER DELETE ON interaction_types"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_events_i AFTER INSERT ON events"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_events_u AFTER UPDATE ON events"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_events_d AFTER DELETE ON events"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_contacts_i AFTER INSERT ON contacts"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_contacts_u AFTER UPDATE OF account_id ON contacts"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_contacts_d AFTER DELETE ON contacts"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_consents_i AFTER INSERT ON consents"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_interactions_u AFTER UPDATE ON interactions"
    " BEGIN UPDATE value_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER value_inputs_interactions_d AFTER DELETE ON interactions"
    " BEGIN UPDATE value_inputs SET changes = changes + OLD.id + 1; END;"
    "CREATE TABLE value_kept ("
    " gen INTEGER PRIMARY KEY, key TEXT NOT NULL, layout INTEGER NOT NULL,"
    " data_version INTEGER NOT NULL, computed_at INTEGER NOT NULL,"
    " complete INTEGER NOT NULL DEFAULT 0, head BLOB NOT NULL);"
    "CREATE INDEX value_kept_key ON value_kept(key, complete, gen);"
    "CREATE TABLE value_kept_customers ("
    " gen INTEGER NOT NULL, account_id INTEGER NOT NULL,"
    " first_day INTEGER, last_day INTEGER, orders INTEGER, returns INTEGER,"
    " x REAL, t_x REAL, t REAL, zbar REAL, first_spend REAL, amount_to_date REAL,"
    " amount_current REAL, wallet REAL, share_of_wallet REAL, to_date REAL, current REAL,"
    " returned REAL, cost_to_date REAL, cost_current REAL, p_alive REAL,"
    " expected_orders REAL, predicted REAL, lifetime REAL, basis INTEGER, proxy_reason INTEGER,"
    " PRIMARY KEY (gen, account_id));"
    "CREATE TABLE deal_inputs (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " changes INTEGER NOT NULL);"
    "INSERT INTO deal_inputs (id, changes) VALUES (1, 0);"
    "CREATE TRIGGER deal_inputs_deals_i AFTER INSERT ON deals"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_deals_u AFTER UPDATE ON deals"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_deals_d AFTER DELETE ON deals"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_deal_lines_i AFTER INSERT ON deal_lines"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_deal_lines_u AFTER UPDATE ON deal_lines"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_deal_lines_d AFTER DELETE ON deal_lines"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_deal_stages_i AFTER INSERT ON deal_stages"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_deal_stages_u AFTER UPDATE ON deal_stages"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_deal_stages_d AFTER DELETE ON deal_stages"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_users_i AFTER INSERT ON users"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_users_u AFTER UPDATE ON users"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_users_d AFTER DELETE ON users"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_teams_i AFTER INSERT ON teams"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_teams_u AFTER UPDATE ON teams"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_teams_d AFTER DELETE ON teams"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_units_i AFTER INSERT ON units"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_units_u AFTER UPDATE ON units"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_units_d AFTER DELETE ON units"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_products_i AFTER INSERT ON products"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_products_u AFTER UPDATE ON products"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;"
    "CREATE TRIGGER deal_inputs_products_d AFTER DELETE ON products"
    " BEGIN UPDATE deal_inputs SET changes = changes + 1; END;";

const char *const store_migrations[] = {
    migration_1,  migration_2,  migration_3,  migration_4,  migration_5,  migration_6,
    migration_7,  migration_8,  migration_9,  migration_10, migration_11, migration_12,
    migration_13, migration_14, migration_15, migration_16, migration_17, migration_18,
    migration_19, migration_20, migration_21, migration_22, migration_23, migration_24};
const int store_nmigrations = (int)(sizeof(store_migrations) / sizeof(store_migrations[0]));

int store_check_version(const char *path, int version, struct kith_error *err)
{
    if (version > store_nmigrations)
        return kith_err(err, KITH_EVERSION,
                        "%s%s%shas schema version %d but this kith knows versions up to %d;"
                        " use a newer kith",
                        path ? "database " : "the database ", path ? path : "", path ? " " : "",
                        version, store_nmigrations);
    return 0;
}
