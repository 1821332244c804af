// End to end: the page served as wasm/README.md says (wasm/serve.sh, which
// serves wasm/ with Python's http.server; the page is /www/), driven in
// Debian's Chromium (headless, via playwright-core; no browser download):
// verdicts and actions, the layout from 360 to 1,920 px measured in the
// page, the claims view and the sample button. Screenshots go to
// target/page-screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { readFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..'); // wasm/
const repo = path.resolve(root, '..');
const vectors = path.join(repo, 'test-vectors');
const manifest = JSON.parse(readFileSync(path.join(vectors, 'manifest.json'), 'utf8'));
// Screenshots of the page at each width, for review.
const shotDir = path.join(repo, 'target', 'page-screenshots');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server;
let base;
let browser;
let profile;

/** A port free on 127.0.0.1 now (the OS's pick). */
const freePort = () =>
  new Promise((ok, fail) => {
    const probe = createServer().once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });

/** wasm/serve.sh --no-build PORT (wasm/test.sh has just built), and the URL
 * it says the page is at, once the server answers there. */
async function serve() {
  const port = await freePort();
  const child = spawn(path.join(root, 'serve.sh'), ['--no-build', String(port)], { stdio: ['ignore', 'pipe', 'ignore'] });
  let said = '';
  child.stdout.on('data', (d) => (said += d));
  const exited = new Promise((ok) => child.once('exit', (code) => ok(code)));
  for (let i = 0; i < 100; i++) {
    const url = said.match(/http:\/\/\S+/)?.[0];
    if (url) {
      try {
        if ((await fetch(url)).ok) return { child, url, said };
      } catch {
        // not listening yet
      }
    }
    const code = await Promise.race([exited, new Promise((ok) => setTimeout(() => ok(undefined), 100))]);
    if (code !== undefined) throw new Error(`wasm/serve.sh exited with ${code}: ${said}`);
  }
  child.kill();
  throw new Error(`wasm/serve.sh did not serve the page: ${said}`);
}

before(async () => {
  server = await serve();
  base = server.url;
  profile = mkdtempSync(path.join(tmpdir(), 'mtattest-chromium-'));
  // A new, empty profile: playwright-core's launch() makes one itself
  // (it refuses --user-data-dir); launchPersistentContext() takes ours.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    viewport: { width: 1280, height: 900 },
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.child.kill();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const caseById = (id) => {
  const c = manifest.cases.find((x) => x.id === id);
  assert.ok(c, `no case ${id}`);
  return c;
};
const tokenHex = (c) => readFileSync(path.join(vectors, c.token)).toString('hex');

/** Fills the form with a manifest case (a policy file must extend a preset
 * and add app signers only, as the page's fields do) and verifies it. */
async function verifyCase(page, c, { appSigners } = {}) {
  await page.fill('#token', tokenHex(c));
  await page.fill('#nonce', c.nonce ?? '');
  await page.fill('#time', String(c.time));
  if (c.policy) {
    const { extends: preset, 'app-signers': signers, ...rest } = JSON.parse(readFileSync(path.join(vectors, c.policy), 'utf8'));
    delete rest.id;
    assert.deepEqual(rest, {}, `${c.policy}: more than a preset and app signers`);
    await page.selectOption('#policy', preset);
    await page.fill('#signers', (appSigners ?? signers ?? []).join(','));
  }
  await page.click('#verify');
  await page.waitForSelector('#result:not([hidden])');
}

const verdictOf = async (page) => ({
  status: (await page.textContent('#verdict-status')).trim(),
  action: await page.getAttribute('#verdict-action', 'data-action'),
  actionText: (await page.textContent('#verdict-action')).trim(),
});

async function openPage() {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  // Chromium has WebCrypto, so the page runs the verify-only build and
  // hands every signature check to crypto.subtle (#17).
  assert.match(await page.textContent('#version'), /mtattest \d.*WebCrypto signatures/);
  return { page, errors };
}

test('a valid token is shown as affirming, with its layers and chain', async () => {
  const c = caseById('valid-es384-example-phone');
  assert.equal(c.expected.appraisal.status, 'affirming');
  const { page, errors } = await openPage();
  await page.fill('#token', tokenHex(c));
  await page.fill('#nonce', c.nonce);
  await page.fill('#time', String(c.time));
  await page.selectOption('#policy', 'payment');
  const signers = JSON.parse(readFileSync(path.join(vectors, c.policy), 'utf8'))['app-signers'];
  await page.fill('#signers', signers.join(','));
  // Keyboard: Enter in a field submits the form.
  await page.press('#signers', 'Enter');
  await page.waitForSelector('#result:not([hidden])');
  assert.deepEqual(await verdictOf(page), { status: 'AFFIRMING', action: 'allow', actionText: 'action: allow' });
  const layers = await page.$$eval('#layers h3', (hs) => hs.map((h) => h.textContent));
  assert.ok(layers.some((h) => h.startsWith('app') && h.includes('evidence: software')), layers.join(' | '));
  assert.ok((await page.$$('#chain tbody tr')).length >= 2);
  assert.match(await page.textContent('#diag-payload'), /\{/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a tampered token is shown as invalid with its error code', async () => {
  const c = caseById('invalid-tampered-payload');
  const { page, errors } = await openPage();
  await page.fill('#token', Buffer.from(tokenHex(c), 'hex').toString('base64'));
  await page.fill('#nonce', c.nonce ?? '');
  await page.fill('#time', String(c.time));
  await page.click('#verify');
  await page.waitForSelector('#result:not([hidden])');
  // A refused token allows nothing: the banner says deny, not a blank.
  assert.deepEqual(await verdictOf(page), { status: 'INVALID', action: 'deny', actionText: 'action: deny' });
  assert.match(await page.textContent('#verdict-detail'), new RegExp(c.expected.error.replace('.', '\\.')));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the action of the policy is shown next to each status', async () => {
  for (const [id, status, action] of [
    ['valid-appraisal-software-evidence-contraindicated', 'CONTRAINDICATED', 'deny'],
    ['valid-appraisal-old-patch-warning', 'WARNING', 'step-up'],
  ]) {
    const c = caseById(id);
    assert.equal(c.expected.appraisal.action, action, id);
    const { page, errors } = await openPage();
    await verifyCase(page, c);
    assert.deepEqual(await verdictOf(page), { status, action, actionText: `action: ${action}` }, id);
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('an inspection shows no action', async () => {
  const { page, errors } = await openPage();
  await page.fill('#token', tokenHex(caseById('valid-es384-example-phone')));
  await page.click('#inspect');
  await page.waitForSelector('#result:not([hidden])');
  assert.deepEqual(await verdictOf(page), { status: 'UNVERIFIED', action: '', actionText: 'no action: not verified' });
  assert.deepEqual(errors, []);
  await page.close();
});

// --------------------------------------------------------------- layout

/** Everything the page shows, measured in the page: the document's width
 * against the viewport, each visible element whose box leaves the viewport
 * (outside a scrolling box such as a <pre>), and for each "Rule / source"
 * cell its words and the lines they take (one client rect top per line). */
const measure = (page) =>
  page.evaluate(() => {
    const vw = window.innerWidth;
    const scrolls = (e) => {
      for (let p = e.parentElement; p; p = p.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX) && p !== document.body && p !== document.documentElement) return true;
      }
      return false;
    };
    const describe = (e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).replace(/ /g, '.')}` : ''}`;
    const outside = [];
    for (const e of document.body.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || scrolls(e)) continue;
      if (r.left < -0.5 || r.right > vw + 0.5) outside.push(`${describe(e)} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
    }
    const notes = [...document.querySelectorAll('#reasons td.notes')].map((td) => {
      const range = document.createRange();
      range.selectNodeContents(td);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      const lineHeight = parseFloat(getComputedStyle(td).lineHeight);
      // The text's width on one line, in the cell's font.
      const probe = document.createElement('span');
      probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
      probe.textContent = td.textContent;
      td.append(probe);
      const oneLine = probe.getBoundingClientRect().width;
      probe.remove();
      const style = getComputedStyle(td);
      const inner = td.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return {
        oneLine,
        inner,
        text: td.textContent,
        words: td.textContent.split(/\s+/).filter(Boolean).length,
        lines: tops.size,
        textHeight: range.getBoundingClientRect().height,
        lineHeight,
        width: td.getBoundingClientRect().width,
      };
    });
    return {
      viewport: vw,
      scrollWidth: document.documentElement.scrollWidth,
      bodyScrollWidth: document.body.scrollWidth,
      outside,
      notes,
      tables: [...document.querySelectorAll('table')].filter((t) => t.offsetParent).length,
    };
  });

/** Asserts that nothing leaves the viewport horizontally. */
function assertFits(m, what) {
  assert.ok(m.scrollWidth <= m.viewport, `${what}: the page is ${m.scrollWidth} px wide in a ${m.viewport} px viewport`);
  assert.deepEqual(m.outside, [], `${what}: elements outside the viewport`);
}

for (const width of [360, 1280, 1920]) {
  test(`no horizontal overflow at ${width} px, and the reasons stay readable`, async () => {
    // Software evidence everywhere and an app signer that is not the
    // relying party's: reasons whose seen and required values are 64-digit
    // hex digests, the longest unbroken text the table shows.
    const c = caseById('valid-appraisal-software-evidence-contraindicated');
    const { page, errors } = await openPage();
    await page.setViewportSize({ width, height: 900 });
    await verifyCase(page, c, { appSigners: ['ab'.repeat(32)] });
    assert.equal((await page.textContent('#verdict-status')).trim(), 'CONTRAINDICATED');
    const m = await measure(page);
    mkdirSync(shotDir, { recursive: true });
    await page.screenshot({ path: path.join(shotDir, `contraindicated-${width}.png`), fullPage: true });
    await page.locator('#reasons-sec').screenshot({ path: path.join(shotDir, `reasons-${width}.png`) });
    assertFits(m, 'contraindicated');
    assert.equal(m.tables, 2, 'the reasons and the chain');
    assert.ok(m.notes.length >= 2, 'the case has reasons');
    for (const n of m.notes) {
      // At most two lines at desktop widths. On a phone the text may take
      // more, but the cell spans the card and the lines are full: no more
      // lines than its one-line width needs (plus one for word breaks).
      if (width >= 1280) assert.ok(n.lines <= 2 && n.textHeight <= 2 * n.lineHeight + 1, JSON.stringify(n));
      else assert.ok(n.width >= 0.75 * width && n.lines <= Math.ceil(n.oneLine / n.inner) + 1, JSON.stringify(n));
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`every other state of the page fits ${width} px: the form, affirming, invalid, inspected`, async () => {
    const { page, errors } = await openPage();
    await page.setViewportSize({ width, height: 900 });
    mkdirSync(shotDir, { recursive: true });
    const shot = (name) => page.screenshot({ path: path.join(shotDir, `${name}-${width}.png`), fullPage: true });
    assertFits(await measure(page), 'the empty form');
    await shot('form');

    await verifyCase(page, caseById('valid-es384-example-phone'));
    assert.deepEqual(await verdictOf(page), { status: 'AFFIRMING', action: 'allow', actionText: 'action: allow' });
    assertFits(await measure(page), 'affirming');
    await shot('affirming');

    // A refused token: the banner, its code and the chain as sent.
    const bad = caseById('invalid-tampered-payload');
    await page.fill('#token', tokenHex(bad));
    await page.click('#verify');
    await page.waitForFunction(() => document.getElementById('verdict-status').textContent === 'INVALID');
    assert.deepEqual(await verdictOf(page), { status: 'INVALID', action: 'deny', actionText: 'action: deny' });
    assertFits(await measure(page), 'invalid');
    await shot('invalid');

    // The unverified view, with every <details> open (the CBOR notation
    // scrolls inside its own box).
    await page.click('#inspect');
    await page.waitForFunction(() => document.getElementById('verdict-status').textContent === 'UNVERIFIED');
    await page.$$eval('details', (ds) => ds.forEach((d) => (d.open = true)));
    assertFits(await measure(page), 'inspected');
    await shot('inspected');
    assert.deepEqual(errors, []);
    await page.close();
  });
}

// --------------------------------------------------------------- claims

/** The `name: value` lines of each claims card, by layer. */
const claimCards = (page) =>
  page.$$eval('#layers article', (cards) =>
    Object.fromEntries(
      cards.map((card) => [
        card.dataset.layer,
        [...card.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]),
      ]),
    ),
  );

test('claims are shown as the CLI text view shows them, not raw', async () => {
  const c = caseById('valid-es384-example-phone');
  const claims = c.expected.claims;
  const { page, errors } = await openPage();
  await verifyCase(page, c);
  const cards = await claimCards(page);
  const device = Object.fromEntries(cards.device);
  // Written from the manifest, not from the library: a time with its UTC
  // date (RFC 3339), a printable label as quoted text, a patch level as a
  // date.
  const rfc3339 = (secs) => new Date(secs * 1000).toISOString().replace('.000Z', 'Z');
  assert.equal(device.iat, `${claims.iat} (${rfc3339(claims.iat)})`);
  assert.equal(device.iat, '1789999970 (2026-09-21T14:12:50Z)');
  // §12.3.1: a label that is UTF-8 text is text in the claims JSON too.
  assert.equal(claims.hwmodel, 'MT-Phone 7 Pro');
  assert.equal(device.hwmodel, `"${claims.hwmodel}"`);
  assert.equal(device.hwmodel, '"MT-Phone 7 Pro"');
  const boot = Object.fromEntries(cards.boot);
  assert.equal(String(claims.submods.boot['boot-patch-level']), '20260905');
  assert.equal(boot['boot-patch-level'], '2026-09-05');
  assert.equal(boot['evidence-source'], undefined, 'the source is the card\'s badge');
  assert.deepEqual(Object.keys(cards), ['device', 'chip', 'boot', 'os', 'app', 'runtime', 'network']);
  assert.match(await page.textContent('#layers article[data-layer="app"] h3'), /evidence: software.*affirming/);
  assert.equal(await page.textContent('#unknown-claims'), 'none');
  // The raw JSON stays available, folded.
  assert.deepEqual(JSON.parse(await page.textContent('#claims-json')), claims);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an inspection shows the claims the same way, and a layer not reported says so', async () => {
  const c = caseById('valid-es384-example-phone');
  const { page, errors } = await openPage();
  await page.fill('#token', tokenHex(c));
  await page.click('#inspect');
  await page.waitForSelector('#result:not([hidden])');
  const device = Object.fromEntries((await claimCards(page)).device);
  assert.equal(device.iat, '1789999970 (2026-09-21T14:12:50Z)');
  assert.equal(device.hwmodel, '"MT-Phone 7 Pro"');
  assert.deepEqual(errors, []);
  await page.close();
  // A token without an app layer (an IoT device): its card says so.
  const minimal = caseById('valid-minimal-claims');
  assert.equal(minimal.expected.claims.submods?.app, undefined);
  const p2 = await openPage();
  await p2.page.fill('#token', tokenHex(minimal));
  await p2.page.click('#inspect');
  await p2.page.waitForSelector('#result:not([hidden])');
  assert.equal(await p2.page.textContent('#layers article.layer-absent[data-layer="app"] p'), 'not reported');
  assert.deepEqual(p2.errors, []);
  await p2.page.close();
});

// --------------------------------------------------------------- sample

test('"Load a sample token" fills the form with a token that verifies as affirming / allow', async () => {
  const { page, errors } = await openPage();
  await page.fill('#anchors', '');
  await page.selectOption('#policy', 'custom');
  await page.click('#sample');
  await page.waitForFunction(() => document.getElementById('token').value.length > 0);
  assert.match(await page.inputValue('#anchors'), /^-----BEGIN CERTIFICATE-----/);
  assert.equal(await page.inputValue('#policy'), 'payment');
  assert.equal(await page.isHidden('#custom-wrap'), true);
  assert.match(await page.textContent('#sample-note'), /AFFIRMING, action allow/);
  await page.click('#verify');
  await page.waitForSelector('#result:not([hidden])');
  assert.deepEqual(await verdictOf(page), { status: 'AFFIRMING', action: 'allow', actionText: 'action: allow' });
  mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: path.join(shotDir, 'sample-1280.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

// --------------------------------------------------------------- serving

test('the page is served where the READMEs say: wasm/serve.sh, then /www/', async () => {
  const documented = 'http://127.0.0.1:8000/www/';
  for (const readme of ['wasm/README.md', 'README.md']) {
    const text = readFileSync(path.join(repo, readme), 'utf8');
    assert.ok(text.includes('wasm/serve.sh'), `${readme} does not name wasm/serve.sh`);
    assert.ok(text.includes(documented), `${readme} does not give ${documented}`);
  }
  const page = readFileSync(path.join(repo, 'wasm/README.md'), 'utf8').split('## The page')[1];
  assert.match(page, /```\nwasm\/serve\.sh +# .*http:\/\/127\.0\.0\.1:8000\/www\//);
  // serve.sh on another port says the same URL with that port, and the
  // page answers there (the before() hook opened every page through it).
  const port = new URL(base).port;
  assert.equal(base, documented.replace('8000', port));
  assert.match(server.said, new RegExp(`^mtattest verifier page: ${base.replaceAll('.', '\\.')}$`, 'm'));
  const res = await fetch(base);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<title>mtattest verifier<\/title>/);
  const wasm = await fetch(new URL('../pkg/mtattest_wasm_bg.wasm', base));
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
});
