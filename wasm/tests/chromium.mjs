// Headless Chromium (Debian's, via playwright-core; no browser download)
// on a static server bound to 127.0.0.1 that serves the repository paths
// given, and a blank page at `/` to give scripts an origin. For the
// WebCrypto conformance test and the bench page (wasm/bench/verify.mjs).
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

// Serves the files under each of `prefixes` (repository-relative folders,
// e.g. 'wasm/pkg-verify/'); resolves to {base, page, close}.
export async function openChromium(prefixes) {
  const allowed = prefixes.map((p) => path.resolve(repo, p) + path.sep);
  const server = createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    if (rel === '/') {
      res.writeHead(200, { 'content-type': types['.html'] }).end('<!doctype html><title>mtattest</title>');
      return;
    }
    const file = path.normalize(path.join(repo, rel));
    if (!allowed.some((a) => file.startsWith(a))) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${server.address().port}`;
  const profile = mkdtempSync(path.join(tmpdir(), 'mtattest-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  return {
    base,
    page,
    errors,
    close: async () => {
      await browser.close();
      await new Promise((ok) => server.close(ok));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
