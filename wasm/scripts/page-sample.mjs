// Writes wasm/www/sample.json, the token behind the page's "Load a sample
// token" button, from the conformance vectors: the case
// valid-es384-example-phone (the testkit's example phone signed under the
// test PKI) with its trust anchor, time, challenge and policy. Run it after
// the vectors change:
//
//     node wasm/scripts/page-sample.mjs
//
// wasm/tests/sample.test.mjs fails while the file differs from what this
// writes, so the sample never goes stale silently.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const SAMPLE_CASE = 'valid-es384-example-phone';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const samplePath = path.join(repo, 'wasm', 'www', 'sample.json');

/** The text of sample.json for the vectors in `vectors` (test-vectors/). */
export function sampleText(vectors = path.join(repo, 'test-vectors')) {
  const read = (rel) => readFileSync(path.join(vectors, rel));
  const manifest = JSON.parse(read('manifest.json'));
  const c = manifest.cases.find((x) => x.id === SAMPLE_CASE);
  if (!c) throw new Error(`test-vectors/manifest.json: no case ${SAMPLE_CASE}`);
  const { id, extends: preset, 'app-signers': appSigners, ...rest } = JSON.parse(read(c.policy));
  // The page's form holds a preset and app signers, nothing more.
  if (!preset || !appSigners || Object.keys(rest).length) {
    throw new Error(`${c.policy} (policy ${id}): not a preset with app signers`);
  }
  const sample = {
    generatedBy: 'node wasm/scripts/page-sample.mjs, from test-vectors/ (do not edit)',
    case: c.id,
    description: 'the example phone of the test PKI (conformance vector ' + c.id + ')',
    token: read(c.token).toString('hex'),
    anchors: read(c.anchors).toString('utf8').trim(),
    // RFC 3339, as a person would type it into the page.
    time: new Date(c.time * 1000).toISOString().replace('.000Z', 'Z'),
    nonce: c.nonce,
    policy: preset,
    appSigners,
    expected: { status: c.expected.appraisal.status, action: c.expected.appraisal.action },
  };
  return `${JSON.stringify(sample, null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(samplePath, sampleText());
  console.log(`wrote ${path.relative(process.cwd(), samplePath)}`);
}
