// The configuration matrix (tests/config-matrix/matrix.json) through the
// Node build of the WebAssembly bindings: every case's configuration as a
// whole (Verifier.fromConfig), and the cases written as JS options
// (`js-options`) through `new Verifier(anchorsPem, options)` and the
// one-shot `verify()`. The outcome and code must be the ones written in
// the matrix, as for the Rust API, the CLI and C. This build has no aws-lc
// provider, so `expect-without-aws-lc` applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const wasm = require('../pkg-node/mtattest_wasm.js');
const dir = path.join(here, '..', '..', 'tests', 'config-matrix');
const matrix = JSON.parse(readFileSync(path.join(dir, 'matrix.json'), 'utf8'));
const token = readFileSync(path.join(dir, matrix.token));
const anchorsPem = readFileSync(path.join(dir, matrix.anchors), 'utf8');

const expected = (c) => c['expect-without-aws-lc'] ?? c.expect;

function configOf(c) {
  const config = { ...c.config };
  if (!('anchors' in config) && !c['without-anchors']) config.anchors = [{ pem: anchorsPem }];
  return config;
}

function callOf(c) {
  const nonce = 'nonce' in c ? c.nonce : matrix.nonce;
  return nonce === null ? { time: matrix.time } : { time: matrix.time, nonce };
}

// The outcome in the matrix's terms: a thrown Error with a code is a
// configuration (or call) error; a result is invalid or valid.
function outcome(run) {
  let r;
  try {
    r = run();
  } catch (e) {
    assert.ok(e instanceof Error && typeof e.code === 'string', `not a coded Error: ${e}`);
    return { outcome: 'config-error', code: e.code };
  }
  if (r.status === 'invalid') return { outcome: 'invalid', code: r.errorCode };
  return { outcome: 'valid', status: r.status, action: r.action };
}

let whole = 0;
let options = 0;
for (const c of matrix.cases) {
  test(c.id, () => {
    const want = expected(c);
    const config = configOf(c);
    assert.deepEqual(outcome(() => wasm.Verifier.fromConfig(config).verify(token, callOf(c))), want, 'fromConfig(object)');
    assert.deepEqual(
      outcome(() => wasm.Verifier.fromConfig(JSON.stringify(config)).verify(token, callOf(c))),
      want,
      'fromConfig(JSON text)',
    );
    whole++;
    if (c['js-options']) {
      const pem = c['js-anchors'] ?? anchorsPem;
      assert.deepEqual(
        outcome(() => new wasm.Verifier(pem, c['js-options']).verify(token, callOf(c))),
        want,
        'new Verifier(anchorsPem, options)',
      );
      assert.deepEqual(
        outcome(() => wasm.verify(token, pem, { ...c['js-options'], ...callOf(c) })),
        want,
        'verify(token, anchorsPem, options)',
      );
      options++;
    }
  });
}

test('the matrix ran whole and as JS options', () => {
  assert.ok(whole >= 40, `${whole} cases`);
  assert.ok(options >= 25, `${options} cases with JS options`);
});
