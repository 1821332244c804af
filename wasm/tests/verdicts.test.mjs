// The verdict table of tests/verdicts/matrix.json (spec/appraisal.md
// §11.3.2) through the Node build of the WebAssembly bindings
// (wasm/pkg-node/, made by wasm/build.sh): for each case the report's
// status and action, and the EAR's, must be the table's, which are written
// by hand. "No policy" is options without `policy`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const wasm = require('../pkg-node/mtattest_wasm.js');
const tableDir = path.join(here, '..', '..', 'tests', 'verdicts');
const table = JSON.parse(readFileSync(path.join(tableDir, 'matrix.json'), 'utf8'));
const root = path.join(tableDir, table.vectors);
const read = (rel) => readFileSync(path.join(root, rel));
const entry = (group, name) => {
  assert.ok(name in table[group], `${group}.${name} is not in the table`);
  return table[group][name];
};

for (const c of table.cases) {
  test(`${c.policy} / ${c.feed} / ${c.phone}`, () => {
    const options = {};
    const policy = entry('policies', c.policy);
    const feed = entry('feeds', c.feed);
    if (policy !== null) options.policy = read(policy).toString('utf8');
    if (feed !== null) options.bulletins = read(feed).toString('utf8');
    const r = new wasm.Verifier(read(table.anchors).toString('utf8'), options)
      .verify(read(entry('phones', c.phone)), { time: table.time, nonce: table.nonce });
    assert.equal(r.errorCode, null, r.message);
    assert.deepEqual([r.status, r.action], [c.status, c.action]);
    assert.deepEqual([r.ear['ear.status'], r.ear['mtattest.action']], [c.status, c.action]);
  });
}
