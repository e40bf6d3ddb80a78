'use strict';
// Database connections register themselves in a static registry so that a shutdown hook can
// close them all; close() never removes them.
class Connection {
  static registry = [];

  constructor(dsn) {
    this.dsn = dsn;
    this.openedAt = Date.now();
    this.statementCache = Array.from({ length: 20 }, (_, i) => `SELECT * FROM t${i} WHERE id = $1`);
    this.open = true;
    Connection.registry.push(this);
  }

  close() {
    this.open = false;
  }
}

let n = 0;

function step() {
  const conn = new Connection(`postgres://app@db:5432/app?client=${++n}`);
  conn.close();
  return n;
}

module.exports = { step, Connection };
