#!/usr/bin/env node
// Benchmark (not a test): vector 0's verification, one run, one machine:
// natively (examples/verify_native.rs: the bindings' Rust engine with the
// pure-Rust provider, release build), in Node with the pure-Rust WASM
// (wasm/pkg-node) and with WebCrypto (wasm/pkg-verify-node, the verify-only
// build), and in headless Chromium on the bench page (index.html) both
// ways. Prints the medians and their ratios to native; the goal is
// WebCrypto ≤ 2× native.
//
//   wasm/build.sh && node wasm/bench/verify.mjs [runs] [--no-native] [--no-chromium]
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { timeVerify, vectorZero } from './timing.mjs';
import { openChromium, repo } from '../tests/chromium.mjs';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 30);
const require = createRequire(import.meta.url);
const read = async (rel) => new Uint8Array(await readFile(path.join(repo, 'test-vectors', rel)));
const input = await vectorZero(read);

const rows = [];
if (!args.includes('--no-native')) {
  const out = execFileSync('cargo', ['run', '-q', '--release', '--locked', '-p', 'mtattest-wasm', '--example', 'verify_native', String(runs)],
    { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  rows.push(['native (Rust, RustCrypto)', JSON.parse(out.trim().split('\n').pop())]);
}
rows.push(['Node: WASM, pure Rust', await timeVerify(require('../pkg-node/mtattest_wasm.js'), input, 'rust', runs)]);
rows.push(['Node: WASM, WebCrypto (verify-only build)', await timeVerify(require('../pkg-verify-node/mtattest_wasm.js'), input, 'webcrypto', runs)]);
rows.push(['Node: WASM, WebCrypto (full build)', await timeVerify(require('../pkg-node/mtattest_wasm.js'), input, 'webcrypto', runs)]);
if (!args.includes('--no-chromium')) {
  const chromium = await openChromium(['wasm/pkg/', 'wasm/pkg-verify/', 'wasm/bench/', 'test-vectors/']);
  try {
    await chromium.page.goto(`${chromium.base}/wasm/bench/index.html?runs=${runs}`);
    await chromium.page.waitForFunction(() => window.benchResults, null, { timeout: 300000 });
    const results = await chromium.page.evaluate(() => window.benchResults);
    if (results.error) throw new Error(`bench page: ${results.error}`);
    rows.push(['Chromium: WASM, pure Rust', results.rust]);
    rows.push(['Chromium: WASM, WebCrypto (verify-only build)', results.webcrypto]);
  } finally {
    await chromium.close();
  }
}

const native = rows.find(([name]) => name.startsWith('native'))?.[1];
console.log(`vector 0 (${input.id}), ${runs} runs each, one-shot verification (median, min):`);
for (const [name, t] of rows) {
  // Both ratios: on a shared, loaded host the minimum is the steadier.
  const ratio = native
    ? `  ${(t.median_ms / native.median_ms).toFixed(2)}× native (min ${(t.min_ms / native.min_ms).toFixed(2)}×)`
    : '';
  console.log(`${name.padEnd(48)} ${t.median_ms.toFixed(2).padStart(7)} ms  (min ${t.min_ms.toFixed(2)})${ratio}`);
}
