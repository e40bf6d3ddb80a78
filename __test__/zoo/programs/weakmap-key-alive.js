'use strict';
// Per-tenant metadata is attached with a WeakMap "so it goes away with the tenant", but the
// tenant objects live forever, so each value (an array of events) keeps growing.
const tenantEvents = new WeakMap();
const tenants = [{ name: 'acme' }, { name: 'globex' }, { name: 'initech' }];

function recordEvent(tenant, event) {
  if (!tenantEvents.has(tenant)) tenantEvents.set(tenant, []);
  tenantEvents.get(tenant).push(event);
}

let counter = 0;

function step() {
  counter += 1;
  const tenant = tenants[counter % tenants.length];
  recordEvent(tenant, { type: 'page_view', path: `/docs/${counter}`, userAgent: `Mozilla/5.0 (X11; Linux x86_64; session ${counter}) AppleWebKit/537.36 Chrome/124.0`, referrer: `https://example.com/search?q=${'docs+'.repeat(30)}${counter}` });
  return counter;
}

module.exports = { step };
