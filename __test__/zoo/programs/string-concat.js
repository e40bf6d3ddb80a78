'use strict';
// A debug log kept in memory "until it is shipped": a module-level string that grows by `+=`
// on every request.
let logBuffer = '';
let lineNo = 0;

function logLine(level, message) {
  lineNo += 1;
  logBuffer += `${new Date().toISOString()} [${level}] #${lineNo} ${message}\n`;
}

function step() {
  logLine('debug', 'handled GET /health in 3ms; headers: ' + 'accept=*/*; '.repeat(60));
  return logBuffer.length;
}

module.exports = { step };
