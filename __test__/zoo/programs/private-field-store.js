'use strict';
// A session store whose sessions live in a private field: opened on login, never closed.
class SessionStore {
  #sessions = new Map();

  open(user) {
    const token = `${user}-${Math.random().toString(36).slice(2)}`;
    this.#sessions.set(token, { user, token, scopes: ['read', 'write'], openedAt: Date.now() });
    return token;
  }

  get size() {
    return this.#sessions.size;
  }
}

const store = new SessionStore();
let logins = 0;

function step() {
  logins += 1;
  return store.open(`user-${logins}`);
}

module.exports = { step, store };
