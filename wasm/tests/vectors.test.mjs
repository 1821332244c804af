// Every conformance vector of test-vectors/manifest.json (spec/vectors.md
// §3) through the Node build of the WebAssembly bindings (wasm/pkg-node/,
// made by wasm/build.sh): the manifest's outcome, status and reasons, or
// the exact error code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const wasm = require('../pkg-node/mtattest_wasm.js');
const dir = path.join(here, '..', '..', 'test-vectors');
const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const read = (rel) => readFileSync(path.join(dir, rel));
const text = (rel) => read(rel).toString('utf8');

// The verifier's options; null is absent (an empty array or string would
// be refused: config.empty).
function optionsOf(c) {
  const settings = { ...manifest.verifier, ...(c.options ?? {}) };
  return {
    policy: c.policy ? text(c.policy) : null,
    bulletins: c.bulletin ? text(c.bulletin) : null,
    crls: c.crl ? [read(c.crl).toString('hex')] : null,
    statusList: c['status-list'] ? text(c['status-list']) : null,
    allowedAlgorithms: settings['allowed-algorithms'],
    requireProtectedX5chain: settings['require-protected-x5chain'],
    maxAgeSecs: settings['max-age-secs'],
    clockSkewSecs: settings['clock-skew-secs'],
    androidAnchors: c['android-anchors'] ? text(c['android-anchors']) : null,
    androidChallenge: settings['android-challenge'] ?? null,
    androidMinSecurityLevel: settings['android-min-security-level'] ?? null,
  };
}

// Each call's arguments.
const callOf = (c) => ({ time: c.time, nonce: c.nonce, enrolmentChallenge: c['enrolment-challenge'] ?? null });

const reasonKey = (r) => JSON.stringify([r.rule, r.claim, r.failure, r.advisory ?? null]);

assert.equal(manifest.schema.split('/')[0], 'mtattest-test-vectors');

for (const c of manifest.cases) {
  test(c.id, () => {
    const verifier = new wasm.Verifier(text(c.anchors), optionsOf(c));
    for (const earlier of c['submitted-before'] ?? []) {
      const r = verifier.verify(read(earlier), callOf(c));
      assert.equal(r.errorCode, null, `earlier submission ${earlier}: ${r.message}`);
    }
    const r = verifier.verify(read(c.token), callOf(c));
    const want = c.expected;
    if (want.result === 'invalid') {
      assert.equal(r.status, 'invalid', r.message);
      assert.equal(r.errorCode, want.error, r.message);
      // A refused token's action is deny (spec §11.6), never null.
      assert.equal(r.action, 'deny');
      assert.deepEqual(r.reasons, []);
      return;
    }
    assert.equal(r.errorCode, null, r.message);
    assert.deepEqual(r.claims, want.claims);
    // The Android attestation's comparisons (spec §17.5), when there is one.
    const attested = r.android ? r.android.claims.map((a) => ({ claim: a.claim, value: a.attested, by: r.android.attester, token: a.comparison })) : undefined;
    assert.deepEqual(attested, want.attested);
    if (want.appraisal) {
      assert.equal(r.status, want.appraisal.status);
      assert.equal(r.action, want.appraisal.action);
      assert.deepEqual(r.reasons.map(reasonKey).sort(), want.appraisal.reasons.map(reasonKey).sort());
      assert.equal(r.ear['ear.status'], want.appraisal.status);
    } else {
      assert.equal(r.status, 'none');
    }
  });
}

test('earProfile: the EAR in the draft-ietf-rats-ear-04 form, or refused', () => {
  const c = manifest.cases.find((k) => k.expected.result !== 'invalid' && k.expected.appraisal);
  assert.ok(c, 'a valid, appraised vector');
  const r = new wasm.Verifier(text(c.anchors), { ...optionsOf(c), earProfile: 'ietf-draft-04' }).verify(read(c.token), callOf(c));
  assert.equal(r.errorCode, null, r.message);
  assert.equal(r.ear.ear_status, c.expected.appraisal.status);
  assert.equal(r.ear.eat_profile, 'tag:ietf.org,2026:rats/ear#04');
  assert.equal(r.ear['ear.status'], undefined);
  const d = new wasm.Verifier(text(c.anchors), { ...optionsOf(c), earProfile: 'veraison-2023' }).verify(read(c.token), callOf(c));
  assert.equal(d.ear['ear.status'], c.expected.appraisal.status);
  assert.equal(d.ear.eat_profile, 'tag:github.com,2023:veraison/ear');
  for (const [bad, code] of [['ietf-draft-03', 'config.bad-value'], ['', 'config.empty'], [3, 'config.syntax'], [true, 'config.syntax']]) {
    assert.throws(() => new wasm.Verifier(text(c.anchors), { ...optionsOf(c), earProfile: bad }),
      (e) => e instanceof Error && e.code === code && /ear/i.test(e.message), String(bad));
  }
});

test('the API: version, inspect, thrown errors carry codes', () => {
  assert.match(wasm.version(), /^\d+\.\d+\.\d+/);
  const valid = manifest.cases[0];
  const view = wasm.inspect(read(valid.token));
  assert.equal(view.wellFormed, true);
  assert.deepEqual(view.claims, valid.expected.claims);
  assert.match(view.diagnostic.payload, /\{/);
  assert.ok(view.chain.length >= 1 && view.chain[0].subject);
  assert.equal(wasm.inspect(new Uint8Array([0xff])).wellFormed, false);

  const codeOf = (f) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof Error);
      return e.code;
    }
    assert.fail('did not throw');
  };
  const pem = text(valid.anchors);
  // The one-shot verify needs the call's time.
  assert.equal(codeOf(() => wasm.verify(read(valid.token), pem, {})), 'config.syntax');
  // A Verifier takes time and nonce per call, not when it is made.
  assert.equal(codeOf(() => new wasm.Verifier(pem, { time: 1 })), 'config.syntax');
  assert.equal(codeOf(() => new wasm.Verifier(pem, {}).verify(read(valid.token), {})), 'config.syntax');
  // NaN would be null in JSON, and null is absent: refused instead.
  assert.equal(codeOf(() => new wasm.Verifier(pem, { maxAgeSecs: NaN })), 'config.syntax');
  assert.equal(codeOf(() => wasm.verify(read(valid.token), 'not pem', { time: 1 })), 'chain.bad-anchor');
  assert.equal(codeOf(() => wasm.verify(read(valid.token), pem, { time: 1, policy: 'payment' })), 'policy.missing-parameter');
  assert.equal(codeOf(() => wasm.verify(read(valid.token), pem, { time: 1, policy: '{"extends": 3}' })).split('.')[0], 'policy');
  // Garbage never panics: it is a refusal with a code.
  for (const junk of [new Uint8Array(0), new Uint8Array([0x84, 0x40, 0xa0, 0x40, 0x40]), new Uint8Array(20000)]) {
    const r = wasm.verify(junk, pem, { time: 1 });
    assert.equal(r.status, 'invalid');
    assert.match(r.errorCode, /^[a-z]+\.[a-z0-9-]+$/);
  }
});

test('the page preloads the test root as its trust anchors', () => {
  const html = readFileSync(path.join(here, '..', 'www', 'index.html'), 'utf8');
  assert.ok(html.includes(text('anchors/root.pem').trim()), 'wasm/www/index.html: the root PEM differs from test-vectors/anchors/root.pem');
});
