// refname.js - the name of a referenced record (owner, unit, team, account), looked up once and
// shared; a record the caller may not read shows as "User 45" rather than failing the screen.
import { html, useState, useEffect } from '../lib/html.js';
import * as lookups from '../lib/lookups.js';
import { personName, accountName as nameOfAccount } from '../lib/format.js';
import { api } from '../lib/api.js';

const accountNames = new Map();

function accountName(id) {
  if (!accountNames.has(id)) {
    accountNames.set(id, api.get(`/api/v1/accounts/${id}`).then(nameOfAccount, () => null));
  }
  return accountNames.get(id);
}

const contactNames = new Map();

function contactName(id) {
  if (!contactNames.has(id)) {
    contactNames.set(id, api.get(`/api/v1/contacts/${id}`)
      .then(personName, () => null));
  }
  return contactNames.get(id);
}

function useName(kind, id) {
  const [name, setName] = useState(undefined);
  useEffect(() => {
    if (!id) return undefined;
    let live = true;
    const p = kind === 'user' ? lookups.userName(id)
      : kind === 'account' ? accountName(id)
        : kind === 'contact' ? contactName(id)
        : (kind === 'unit' ? lookups.units() : lookups.teams()).then((l) => (lookups.byId(l)[id] || {}).name || null);
    p.then((n) => live && setName(n), () => live && setName(null));
    return () => { live = false; };
  }, [kind, id]);
  return name;
}

const nouns = { user: 'User', unit: 'Unit', team: 'Team', account: 'Account', contact: 'Contact' };

export function RefName({ kind, id, href }) {
  const name = useName(kind, id);
  if (!id) return '–';
  const text = name === undefined ? '…' : (typeof name === 'string' && name.trim()) || `${nouns[kind]} #${id}`;
  return href && name !== null ? html`<a href=${href}>${text}</a>` : text;
}
