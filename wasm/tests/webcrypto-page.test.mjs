// The WebCrypto path in headless Chromium: every conformance vector through
// createVerifier + verifyAsync of the verify-only build (wasm/pkg-verify/,
// the page's build: WebCrypto does every signature) and of the full build
// (wasm/pkg/), with the manifest's outcomes and codes
// (webcrypto-conformance.mjs, the checks the Node test runs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openChromium, repo } from './chromium.mjs';

const manifest = JSON.parse(readFileSync(path.join(repo, 'test-vectors', 'manifest.json'), 'utf8'));
let chromium;

before(async () => {
  chromium = await openChromium(['wasm/pkg/', 'wasm/pkg-verify/', 'wasm/tests/', 'test-vectors/']);
});

after(async () => {
  await chromium?.close();
});

for (const pkg of ['pkg-verify', 'pkg']) {
  test(`every vector through WebCrypto in Chromium (wasm/${pkg})`, async () => {
    const results = await chromium.page.evaluate(async (pkg) => {
      const [{ runVectors }, wasm] = await Promise.all([
        import('/wasm/tests/webcrypto-conformance.mjs'),
        import(`/wasm/${pkg}/mtattest_wasm.js`),
      ]);
      await wasm.default();
      const get = async (rel) => {
        const response = await fetch(`/test-vectors/${rel}`);
        if (!response.ok) throw new Error(`${rel}: ${response.status}`);
        return response;
      };
      const files = {
        bytes: async (rel) => new Uint8Array(await (await get(rel)).arrayBuffer()),
        text: async (rel) => (await get(rel)).text(),
      };
      const manifest = await (await get('manifest.json')).json();
      return runVectors(wasm, manifest, files);
    }, pkg);
    assert.equal(results.length, manifest.cases.length);
    assert.deepEqual(results.filter((r) => r.problems.length > 0), []);
    assert.deepEqual(chromium.errors, []);
  });
}
