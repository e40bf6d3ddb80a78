'use strict';
// Session lookup for an API gateway: resolved sessions are cached by request id "to save a
// database round trip", but nothing ever evicts them.
const crypto = require('node:crypto');

const sessionCache = new Map();
let requestCounter = 0;

function loadSession(requestId) {
  return {
    user: { id: requestId, name: `user-${requestId}`, email: `user${requestId}@example.com` },
    roles: ['reader', requestId % 7 === 0 ? 'admin' : 'member'],
    prefs: { theme: 'dark', locale: 'en-GB', token: crypto.randomBytes(256).toString('hex') },
  };
}

function handleRequest() {
  const requestId = `req-${++requestCounter}`;
  let session = sessionCache.get(requestId);
  if (!session) {
    session = loadSession(requestCounter);
    sessionCache.set(requestId, session);
  }
  return session.roles.includes('admin');
}

module.exports = { step: handleRequest };
