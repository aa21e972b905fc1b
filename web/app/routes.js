// routes.js - every screen of the application: its address, the module that draws it (loaded on
// first use) and its navigation entry (label, group, the roles that see it). To add a screen:
// write screens/<name>.js exporting a default component, add a row here (docs/web.md).
//
// Roles only decide what the navigation offers. What a screen may show is decided by the API:
// a screen asks, and shows a 403 or 404 answer as such.

const ANY = null;

export const routes = [
  { path: '/', redirect: '/contacts' },
  { path: '/contacts', load: () => import('./screens/contacts.js'), nav: 'Contacts', group: 'Customers', roles: ANY },
  { path: '/contacts/:id', load: () => import('./screens/contact.js') },
  { path: '/accounts', load: () => import('./screens/accounts.js'), nav: 'Accounts', group: 'Customers', roles: ANY },
  { path: '/accounts/:id', load: () => import('./screens/account.js') },
  { path: '/deals', load: () => import('./screens/deals.js'), nav: 'Pipeline', group: 'Customers', roles: ANY },
  { path: '/deals/:id', load: () => import('./screens/deal.js') },
  // what customers proposed to correct in the portal (docs/portal.md, "Corrections")
  { path: '/corrections', load: () => import('./screens/corrections.js'), nav: 'Corrections', group: 'Customers', roles: ANY },
  // data-subject requests on their one-month clock (docs/portal.md, "Data-subject requests"):
  // the roles that act on contacts; the API decides which requests each sees and may change
  { path: '/dsrs', load: () => import('./screens/dsrs.js'), nav: 'Data requests', group: 'Customers', roles: ['admin', 'manager', 'frontline'] },

  // The dashboards (docs/web.md, "Dashboards"): Relationship Value and customer value.
  {
    path: '/dashboards/team', load: () => import('./screens/team-dashboard.js'), nav: 'Team dashboard', group: 'Insight',
    roles: ['manager', 'admin'],
  },
  {
    path: '/dashboards/units', load: () => import('./screens/units-dashboard.js'), nav: 'Unit comparison', group: 'Insight',
    roles: ['executive', 'partner', 'analyst', 'admin'],
  },
  {
    path: '/dashboards/v2t2', load: () => import('./screens/v2t2-dashboard.js'), nav: 'V2T2 discord', group: 'Insight',
    roles: ['manager', 'executive', 'analyst', 'partner', 'admin'],
  },
  {
    path: '/dashboards/value', load: () => import('./screens/value-dashboard.js'), nav: 'Customer value', group: 'Insight',
    roles: ['analyst', 'executive', 'manager', 'partner', 'admin'],
  },
  {
    path: '/dashboards/voice', load: () => import('./screens/voice-dashboard.js'), nav: 'NPS and CSAT', group: 'Insight',
    roles: ['manager', 'executive', 'analyst', 'partner', 'admin'],
  },
  {
    path: '/dashboards/moments', load: () => import('./screens/moments.js'), nav: 'Moments of truth', group: 'Insight',
    roles: ['manager', 'executive', 'analyst', 'partner', 'admin'],
  },
  { path: '/dashboards/deals', load: () => import('./screens/deals-dashboard.js'), nav: 'Deal analytics', group: 'Insight', roles: ANY },
  { path: '/voice/paths', load: () => import('./screens/voice-paths.js'), nav: 'Digital paths', group: 'Insight', roles: ANY },

  // The customer's voice (docs/voice.md): surveys (defined by admins, read by everyone) and the
  // community's ideas (status moved by admins, managers and frontline staff).
  { path: '/voice/surveys', load: () => import('./screens/surveys.js'), nav: 'Surveys', group: 'Voice', roles: ANY },
  { path: '/voice/surveys/:id', load: () => import('./screens/survey.js') },
  { path: '/voice/ideas', load: () => import('./screens/ideas.js'), nav: 'Ideas', group: 'Voice', roles: ANY },

  { path: '/admin/catalogue', load: () => import('./screens/catalogue.js'), nav: 'Interaction catalogue', group: 'Administration', roles: ['admin'] },
  { path: '/admin/users', load: () => import('./screens/users.js'), nav: 'Users', group: 'Administration', roles: ['admin', 'manager'] },
  { path: '/admin/users/:id', load: () => import('./screens/user.js') },
  { path: '/settings/tokens', load: () => import('./screens/tokens.js'), nav: 'API tokens', group: 'You', roles: ANY },
];

// The navigation of a user: [{group, entries: [route]}] in table order.
export function navFor(role) {
  const groups = [];
  for (const r of routes) {
    if (!r.nav || (r.roles && !r.roles.includes(role))) continue;
    let g = groups.find((x) => x.group === r.group);
    if (!g) groups.push((g = { group: r.group, entries: [] }));
    g.entries.push(r);
  }
  return groups;
}
