// The page's sample token (wasm/www/sample.json): exactly what
// wasm/scripts/page-sample.mjs writes from the current conformance vectors,
// so it cannot go stale silently, and verified through the Node build with
// the settings it carries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sampleText, samplePath } from '../scripts/page-sample.mjs';

const require = createRequire(import.meta.url);
const wasm = require('../pkg-node/mtattest_wasm.js');

test('wasm/www/sample.json is what the generator writes from test-vectors/', () => {
  assert.equal(
    readFileSync(samplePath, 'utf8'),
    sampleText(),
    'wasm/www/sample.json is stale: run `node wasm/scripts/page-sample.mjs`',
  );
});

test('the sample verifies as affirming with action allow, with the settings it carries', () => {
  const s = JSON.parse(readFileSync(samplePath, 'utf8'));
  const r = wasm.verify(Buffer.from(s.token, 'hex'), s.anchors, {
    policy: s.policy,
    appSigners: s.appSigners,
    nonce: s.nonce,
    time: wasm.parseTime(s.time),
  });
  assert.equal(r.errorCode, null, r.message);
  assert.equal(r.status, 'affirming');
  assert.equal(r.action, 'allow');
  assert.deepEqual(s.expected, { status: 'affirming', action: 'allow' });
});
