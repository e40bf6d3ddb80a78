// A TypeScript leak: sessions are cached by request id and never evicted. The interfaces and
// type annotations disappear when compiled, so the JavaScript's lines differ from these: the
// finding must point here, through the source map.
interface Preferences {
  theme: 'dark' | 'light';
  language: string;
}

interface Session {
  user: string;
  roles: string[];
  prefs: Preferences;
}

type SessionId = string;

const sessionsById: Map<SessionId, Session> = new Map();
let counter = 0;

export function openSession(user: string): SessionId {
  const id: SessionId = `s-${++counter}-${user}`;
  const session: Session = { user, roles: ['reader', `team-${counter % 7}`], prefs: { theme: 'dark', language: 'en-GB' } };
  sessionsById.set(id, session);
  return id;
}

export function step(): SessionId {
  return openSession(`user${counter}`.padEnd(64, '.'));
}
