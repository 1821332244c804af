// The WebCrypto path in Node (globalThis.crypto.subtle): every conformance
// vector through createVerifier + verifyAsync in the full build
// (wasm/pkg-node/) and in the verify-only build (wasm/pkg-verify-node/, no
// pure-Rust curves), with the manifest's outcomes and codes; the Promise
// API gives the synchronous API's result member for member; the
// verify-only build has no synchronous path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { runVectors, optionsOf, callOf } from './webcrypto-conformance.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const full = require('../pkg-node/mtattest_wasm.js');
const verifyOnly = require('../pkg-verify-node/mtattest_wasm.js');
const dir = path.join(here, '..', '..', 'test-vectors');
const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const files = {
  bytes: async (rel) => new Uint8Array(readFileSync(path.join(dir, rel))),
  text: async (rel) => readFileSync(path.join(dir, rel), 'utf8'),
};

for (const [name, wasm] of [['full build', full], ['verify-only build', verifyOnly]]) {
  test(`every vector through WebCrypto (${name})`, async () => {
    const results = await runVectors(wasm, manifest, files);
    assert.equal(results.length, manifest.cases.length);
    assert.deepEqual(results.filter((r) => r.problems.length > 0), []);
  });
}

test('verifyAsync resolves to the result verify returns, member for member', async () => {
  for (const c of manifest.cases) {
    const anchors = await files.text(c.anchors);
    const options = await optionsOf(manifest, c, files);
    const sync = new full.Verifier(anchors, options);
    const viaWebCrypto = await full.createVerifier(anchors, options);
    for (const rel of [...(c['submitted-before'] ?? []), c.token]) {
      const token = await files.bytes(rel);
      const want = sync.verify(token, callOf(c));
      assert.deepEqual(await viaWebCrypto.verifyAsync(token, callOf(c)), want, `${c.id}: ${rel}`);
    }
  }
});

test('one Verifier: both paths share the replay cache', async () => {
  const c = manifest.cases[0];
  const verifier = new full.Verifier(await files.text(c.anchors), await optionsOf(manifest, c, files));
  const token = await files.bytes(c.token);
  const first = await verifier.verifyAsync(token, callOf(c));
  assert.equal(first.errorCode, null, first.message);
  assert.equal(first.replayChecked, true);
  assert.equal(verifier.verify(token, callOf(c)).errorCode, 'replay.seen');
  assert.equal((await verifier.verifyAsync(token, callOf(c))).errorCode, 'replay.seen');
});

test('the one-shot verifyAsync: the one-shot verify\'s result, no replay cache', async () => {
  for (const wasm of [full, verifyOnly]) {
    const c = manifest.cases[0];
    const anchors = await files.text(c.anchors);
    const options = { ...(await optionsOf(manifest, c, files)), ...callOf(c) };
    const token = await files.bytes(c.token);
    const r = await wasm.verifyAsync(token, anchors, options);
    assert.equal(r.errorCode, null, r.message);
    assert.equal(r.replayChecked, false);
    assert.equal((await wasm.verifyAsync(token, anchors, options)).errorCode, null);
    if (wasm === full) assert.deepEqual(r, full.verify(token, anchors, options));
    // Refusals are results, bad calls are rejections with codes.
    const junk = await wasm.verifyAsync(new Uint8Array([0x84, 0x40]), anchors, options);
    assert.equal(junk.status, 'invalid');
    await assert.rejects(wasm.verifyAsync(token, anchors, { time: 1, nonce: '' }), (e) => e.code === 'config.empty');
    await assert.rejects(wasm.createVerifier('not pem', {}), (e) => e.code === 'chain.bad-anchor');
  }
});

test('the verify-only build has no synchronous path: config.unavailable', async () => {
  const c = manifest.cases[0];
  const anchors = await files.text(c.anchors);
  const codeOf = (f) => {
    try {
      f();
    } catch (e) {
      return e.code;
    }
    return 'did not throw';
  };
  assert.equal(codeOf(() => new verifyOnly.Verifier(anchors, {})), 'config.unavailable');
  assert.equal(codeOf(() => verifyOnly.verify(new Uint8Array(1), anchors, { time: 1 })), 'config.unavailable');
  const verifier = await verifyOnly.createVerifier(anchors, {});
  assert.equal(codeOf(() => verifier.verify(new Uint8Array(1), { time: 1 })), 'config.unavailable');
  // A configuration naming the pure-Rust provider is one this build lacks.
  await assert.rejects(verifyOnly.createVerifier(anchors, { crypto: 'rustcrypto' }), (e) => e.code === 'config.unavailable');
});

test('without WebCrypto the Promise rejects with config.unavailable', async () => {
  const c = manifest.cases[0];
  const anchors = await files.text(c.anchors);
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
  try {
    await assert.rejects(verifyOnly.createVerifier(anchors, {}), (e) => e.code === 'config.unavailable');
  } finally {
    Object.defineProperty(globalThis, 'crypto', saved);
  }
  assert.ok(globalThis.crypto.subtle);
});
