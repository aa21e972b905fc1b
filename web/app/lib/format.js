// format.js - numbers, money and dates in the browser's locale (Intl), and labels for the
// API's enumerated values. Times arrive as ISO 8601 UTC and are shown in local time.

const locale = undefined; // the browser's
const numberFmt = new Intl.NumberFormat(locale);
const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
const dateTimeFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
const moneyFmts = new Map();

export function number(n) {
  return n === null || n === undefined || Number.isNaN(Number(n)) ? '–' : numberFmt.format(n);
}

// A number with at most `digits` decimals (percentiles, ratios): "12.5", "0.225".
const decimalFmts = new Map();
export function decimal(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '–';
  if (!decimalFmts.has(digits)) decimalFmts.set(digits, new Intl.NumberFormat(locale, { maximumFractionDigits: digits }));
  return decimalFmts.get(digits).format(n);
}

// A share of 1 as a percentage: 0.583 -> "58.3%".
const percentFmt = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
export function percent(share) {
  return share === null || share === undefined || Number.isNaN(Number(share)) ? '–' : percentFmt.format(share);
}

// Signed RV units: "+5", "−3", "0".
export function rv(n) {
  if (n === null || n === undefined) return '–';
  return n > 0 ? `+${numberFmt.format(n)}` : numberFmt.format(n);
}

// Money: the API sends a decimal string ("1234.50") and a currency code, or none.
export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === '') return '–';
  const key = currency || '';
  if (!moneyFmts.has(key)) {
    moneyFmts.set(key, currency
      ? new Intl.NumberFormat(locale, { style: 'currency', currency })
      : new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  }
  return moneyFmts.get(key).format(Number(amount));
}

export function date(iso) {
  return iso ? dateFmt.format(new Date(iso)) : '–';
}

export function dateTime(iso) {
  return iso ? dateTimeFmt.format(new Date(iso)) : '–';
}

// The value of an <input type="datetime-local"> for a Date, in local time.
export function toLocalInput(d = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// "decision_maker" -> "Decision maker".
export function label(value) {
  if (value === null || value === undefined || value === '') return '–';
  const s = String(value).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// Text that is missing or only blanks is no text: the record is then named by what it has.
const text = (s) => (typeof s === 'string' ? s.trim() : '');

// A contact's name; without one its email, else "Contact #id". Never "null" or "undefined".
export function personName(c) {
  return [text(c.first_name), text(c.last_name)].filter(Boolean).join(' ') || text(c.email) || `Contact #${c.id}`;
}

// An account's name, else "Account #id".
export function accountName(a) {
  return text(a.name) || `Account #${a.id}`;
}
