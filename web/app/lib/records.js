// records.js - what the screens know about the API's records: the roles that may write
// customer records, the enumerated values (src/model/tables.c) and the form fields of each
// record type for RecordForm (components/form.js).
import { label, personName } from './format.js';

export const WRITERS = ['admin', 'manager', 'frontline', 'partner'];
export const canWrite = (user) => WRITERS.includes(user.role);

export const STAGES = ['acquisition', 'closing', 'retention'];
export const BUYING_ROLES = ['decision_maker', 'influencer', 'user'];
export const DIRECTIONS = ['outbound', 'inbound'];
export const ROLES = ['admin', 'executive', 'manager', 'frontline', 'partner', 'analyst'];

export const options = (values) => values.map((v) => ({ value: v, label: label(v) }));
const refOptions = (list) => (list || []).map((r) => ({ value: r.id, label: r.name }));

// unit and team selects, for administrators (others keep records in their own unit and team).
function placement(user, units, teams) {
  if (user.role !== 'admin') return [];
  return [
    { name: 'unit_id', label: 'Unit', type: 'select', numeric: true, options: refOptions(units) },
    { name: 'team_id', label: 'Team', type: 'select', numeric: true, options: refOptions(teams) },
  ];
}

export function contactFields(user, units, teams) {
  return [
    { name: 'first_name', label: 'First name', maxLength: 100, autoComplete: 'off' },
    { name: 'last_name', label: 'Last name', required: true, maxLength: 100 },
    { name: 'email', label: 'Email', type: 'email', maxLength: 254 },
    { name: 'phone', label: 'Phone', type: 'tel', maxLength: 50 },
    { name: 'title', label: 'Job title', maxLength: 200 },
    { name: 'buying_role', label: 'Buying role', type: 'select', options: options(BUYING_ROLES) },
    // no stage or level: the RV engine derives them from the interactions; no community role:
    // kith derives it from ideas, votes, reviews and referrals (all read-only in the API)
    { name: 'source', label: 'Source', maxLength: 100 },
    ...placement(user, units, teams),
  ];
}

export function accountFields(user, units, teams) {
  return [
    { name: 'name', label: 'Name', required: true, maxLength: 200 },
    { name: 'industry', label: 'Industry', maxLength: 100 },
    { name: 'territory', label: 'Territory', maxLength: 100 },
    { name: 'annual_revenue', label: 'Annual revenue', type: 'money', hint: 'A decimal number, e.g. 1250000.00' },
    { name: 'currency', label: 'Currency', maxLength: 3, hint: 'Three capital letters, e.g. USD or EUR' },
    { name: 'revenue_band', label: 'Revenue band', maxLength: 50 },
    { name: 'source', label: 'Source', maxLength: 100 },
    ...placement(user, units, teams),
  ];
}

// A deal's fields; its stage is moved with the stage form (components/deal-move.js), not here.
// stages: the open stages a new deal may start in (create only); contacts: the account's; users:
// the owners the caller may read.
export function dealFields(user, { units, teams, contacts, users, stages, lost } = {}) {
  const refs = (list, name) => (list || []).map((r) => ({ value: r.id, label: name(r) }));
  return [
    { name: 'name', label: 'Name', required: true, maxLength: 200, hint: 'What is being sold, e.g. “Line 3 retrofit”' },
    ...(stages ? [{ name: 'stage_id', label: 'Stage', type: 'select', numeric: true, required: true, options: refs(stages, (s) => s.name) }] : []),
    { name: 'amount', label: 'Amount', type: 'money', hint: 'A decimal number, e.g. 12500.00' },
    { name: 'currency', label: 'Currency', maxLength: 3, hint: 'Three capital letters, e.g. USD or EUR' },
    { name: 'expected_close_at', label: 'Expected close', type: 'date' },
    { name: 'engaged_at', label: 'Engaged', type: 'date' },
    { name: 'contact_id', label: 'Primary contact', type: 'select', numeric: true, options: refs(contacts, personName) },
    { name: 'owner_id', label: 'Owner', type: 'select', numeric: true, options: refs(users, (u) => u.name || u.email || `User #${u.id}`) },
    { name: 'probability', label: 'Probability (0 to 1)', type: 'number', min: 0, max: 1, step: 0.05, hint: 'Empty: the stage’s' },
    { name: 'source', label: 'Source', maxLength: 100, hint: 'Where it came from, e.g. referral, website' },
    { name: 'external_id', label: 'External id', maxLength: 128, hint: 'Its id in another system' },
    ...(lost ? [{ name: 'loss_reason', label: 'Loss reason', maxLength: 200 }] : []),
    ...placement(user, units, teams),
  ];
}

export function interactionTypeFields() {
  return [
    { name: 'code', label: 'Code', required: true, maxLength: 64, hint: 'A unique short name, e.g. aq_first_meeting' },
    { name: 'name', label: 'Name', required: true, maxLength: 200 },
    { name: 'phase', label: 'Phase', type: 'select', required: true, options: options(STAGES) },
    { name: 'level', label: 'Relationship level', type: 'number', required: true, min: 0, step: 1 },
    { name: 'channel', label: 'Channel', required: true, maxLength: 50, hint: 'e.g. email, phone, meeting, web' },
    { name: 'rv', label: 'Relationship Value (RV units)', type: 'number', required: true, step: 1, hint: 'Negative moves the relationship backward' },
    { name: 'cost', label: 'Cost', type: 'money', required: true, hint: 'Variable cost of one interaction, e.g. 12.50' },
    { name: 'touch', label: 'Touch (0 to 1)', type: 'number', required: true, min: 0, max: 1, step: 0.05 },
    { name: 'tech', label: 'Tech (0 to 1)', type: 'number', required: true, min: 0, max: 1, step: 0.05 },
    { name: 'is_trigger', label: 'Trigger: completing it moves the contact to the next level', type: 'checkbox' },
    { name: 'is_voc', label: 'Voice of the customer', type: 'checkbox' },
    { name: 'description', label: 'Description', type: 'textarea', maxLength: 2000 },
  ];
}

export function userFields(units, teams, { create }) {
  return [
    { name: 'email', label: 'Email', type: 'email', required: true, maxLength: 254, disabled: !create },
    { name: 'name', label: 'Name', required: true, maxLength: 200 },
    { name: 'role', label: 'Role', type: 'select', required: true, options: options(ROLES) },
    { name: 'unit_id', label: 'Unit', type: 'select', numeric: true, options: refOptions(units) },
    { name: 'team_id', label: 'Team', type: 'select', numeric: true, options: refOptions(teams) },
    { name: 'hourly_cost', label: 'Hourly cost', type: 'money' },
    { name: 'disabled', label: 'Disabled (cannot sign in)', type: 'checkbox' },
  ];
}
