'use strict';
// The leak zoo (issue 12): what each program of programs/ leaks, and where.
//
// Per program:
//   name         the file name without .js (series.js runs it by that name)
//   file         absolute path of the program
//   leaks        true for a leak, false for a control that must not be flagged
//   holder       a RegExp that the name a person gives to the object holding the leak must match
//                (a variable, property, class or edge name on the retainer path), or null when
//                the control holds nothing
//   holderName   the identifier in the source that holds it (what holderLines mention), or null
//   holderLines  1-based lines of the program that declare or fill the holder
//   perCall      members the holder gains per step() (0 for controls once warmed up; null when
//                the holder is not a collection, e.g. a string grown by +=)
//
// zoo.test.js checks these against the files (lines exist and mention the holder), so edit both
// together.
const path = require('node:path');

const dir = path.join(__dirname, 'programs');

function program(name, fields) {
  return { name, file: path.join(dir, `${name}.js`), ...fields };
}

const programs = [
  program('module-map-cache', { leaks: true, holder: /sessionCache/, holderName: 'sessionCache', holderLines: [6, 22], perCall: 1 }),
  program('module-set', { leaks: true, holder: /inflightRequests/, holderName: 'inflightRequests', holderLines: [6, 22], perCall: 1 }),
  program('global-array', { leaks: true, holder: /auditLog/, holderName: 'auditLog', holderLines: [4, 7], perCall: 1 }),
  program('object-dict', { leaks: true, holder: /byId/, holderName: 'byId', holderLines: [4, 18], perCall: 1 }),
  program('closure-chain', {
    leaks: true,
    holder: /theThing|originalThing|someMethod/,
    holderName: 'theThing',
    holderLines: [4, 7, 9, 11, 13],
    perCall: 1,
  }),
  program('emitter-listeners', { leaks: true, holder: /_events|config-changed|bus/, holderName: 'bus', holderLines: [6, 24], perCall: 1 }),
  program('interval-timers', {
    leaks: true,
    holder: /Timeout|TimersList|timerListMap|_idleNext|_onTimeout|setInterval|healthCheck/,
    holderName: 'healthCheck',
    holderLines: [13],
    perCall: 1,
  }),
  program('class-registry', {
    leaks: true,
    holder: /Connection\.registry|registry/,
    holderName: 'registry',
    holderLines: [5, 12],
    perCall: 1,
  }),
  program('promise-reactions', {
    leaks: true,
    holder: /serviceReady|PromiseReaction|reactions/,
    holderName: 'serviceReady',
    holderLines: [5, 13],
    perCall: 1,
  }),
  program('memoize-closure', {
    leaks: true,
    holder: /cache|memoize|renderGreeting/,
    holderName: 'cache',
    holderLines: [5, 7, 12],
    perCall: 1,
  }),
  program('string-concat', { leaks: true, holder: /logBuffer/, holderName: 'logBuffer', holderLines: [4, 9], perCall: null }),
  program('buffers-array', { leaks: true, holder: /receivedChunks/, holderName: 'receivedChunks', holderLines: [3, 8], perCall: 1 }),
  program('weakmap-key-alive', {
    leaks: true,
    holder: /tenantEvents|WeakMap|tenants/,
    holderName: 'tenantEvents',
    holderLines: [4, 8, 9],
    perCall: 1,
  }),
  program('http-req-closures', { leaks: true, holder: /pendingHandlers/, holderName: 'pendingHandlers', holderLines: [6, 11], perCall: 1 }),
  program('private-field-store', { leaks: true, holder: /#sessions/, holderName: '#sessions', holderLines: [4, 8], perCall: 1 }),
  program('process-signal-listeners', {
    leaks: true,
    holder: /process\._events|SIGUSR2/,
    holderName: 'SIGUSR2',
    holderLines: [9],
    perCall: 1,
  }),
  program('control-lru', {
    leaks: false,
    holder: /pageCache|LruCache|entries/,
    holderName: 'pageCache',
    holderLines: [25, 30],
    perCall: 0,
  }),
  program('control-churn', { leaks: false, holder: null, holderName: null, holderLines: [], perCall: 0 }),
  program('control-lazy-init', { leaks: false, holder: /countryTable/, holderName: 'countryTable', holderLines: [3, 7, 9], perCall: 0 }),
];

const byName = new Map(programs.map((p) => [p.name, p]));

module.exports = { programs, byName, dir };
