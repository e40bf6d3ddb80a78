'use strict';
// The install, checked offline on package.json and package-lock.json: what a user installs
// (`dependencies`) runs on every Node that `engines` admits (from 18 on), and the development
// install (`npm ci` on the committed lock) warns EBADENGINE on none of the pinned Node 20, 22 and
// 24 of tools/node-versions/versions.json. Node 18 is not held to that for the dev tools: the
// napi-rs CLI that writes the committed binding.js (3.10) needs Node 20.17, oxlint and Vitest 4
// need 20.19 (README: "Developing heapwise"). npm 9, 10 and 11 must all leave the lock
// as it is on `npm install`, so it records no `libc` (npm 11 writes it for new entries, npm 10
// drops it on every install).
const test = require('node:test');
const assert = require('node:assert');
const semver = require('semver');
const pkg = require('../package.json');
const lock = require('../package-lock.json');
const VERSIONS = require('../tools/node-versions/versions.json');

const entries = Object.entries(lock.packages).filter(([key]) => key !== '');
const name = (key) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
const admits = (entry, version) => !entry.engines?.node || semver.satisfies(version, entry.engines.node);
/** `name@version needs Node …, not v` for each entry that does not admit one of `versions`. */
const refusals = (list, versions) =>
  versions.flatMap((v) =>
    list.filter(([, e]) => !admits(e, v)).map(([key, e]) => `${name(key)}@${e.version} needs Node ${e.engines.node}, not ${v}`),
  );

test('every dependency and dev dependency is pinned to the version the lock installs', () => {
  for (const field of ['dependencies', 'devDependencies']) {
    for (const [dep, version] of Object.entries(pkg[field] || {})) {
      assert.ok(semver.valid(version), `${field}.${dep} is an exact version, not ${version}`);
      assert.strictEqual(lock.packages[`node_modules/${dep}`]?.version, version, `the lock installs ${dep}@${version}`);
    }
  }
});

test('the lock matches package.json (npm ci refuses one that does not)', () => {
  const root = lock.packages[''];
  for (const field of ['dependencies', 'devDependencies', 'engines']) assert.deepStrictEqual(root[field], pkg[field], field);
});

test('what a user installs runs on every Node from the oldest that engines admits', () => {
  const runtime = entries.filter(([, e]) => !e.dev && !e.devOptional);
  assert.ok(runtime.length >= Object.keys(pkg.dependencies).length);
  assert.deepStrictEqual(refusals(runtime, [semver.minVersion(pkg.engines.node).version, ...Object.values(VERSIONS)]), []);
});

test('npm ci warns EBADENGINE on none of the pinned Node 20, 22 and 24', () => {
  const pinned = Object.entries(VERSIONS)
    .filter(([major]) => Number(major) >= 20)
    .map(([, v]) => v);
  assert.deepStrictEqual(refusals(entries, pinned), []);
});

test('the lock records no libc, so npm 9, 10 and 11 all leave it as it is', () => {
  const withLibc = entries.filter(([, e]) => e.libc).map(([key]) => name(key));
  assert.deepStrictEqual(withLibc, [], 'run `npm install` with npm 10 once to drop them');
});
