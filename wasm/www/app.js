// The verifier page: everything runs here, in WebAssembly; nothing leaves
// the page. Serve the wasm/ directory (after wasm/build.sh) and open /www/.
// The page verifies with the verify-only build, whose signatures WebCrypto
// checks (wasm/README.md); where there is no WebCrypto (a page served over
// plain HTTP from another host than localhost is not a secure context) it
// loads the full build, whose pure-Rust curves check them instead.
const webCrypto = Boolean(globalThis.crypto && globalThis.crypto.subtle);
const lib = await import(webCrypto ? '../pkg-verify/mtattest_wasm.js' : '../pkg/mtattest_wasm.js');
const { inspect, version, decodeToken, parseTime, formatTime } = lib;
const verify = webCrypto ? lib.verifyAsync : async (...args) => lib.verify(...args);

const $ = (id) => document.getElementById(id);

// Token text (raw CBOR, hex or base64) and times are read by the library
// (decodeToken, parseTime, formatTime), by the same rules as the CLI and C.

/** A file's bytes: the token they hold, or the bytes as they are when they
 * are not a token in any text form (the verifier then says why). */
function decodeFile(bytes) {
  try {
    return decodeToken(bytes);
  } catch {
    return bytes;
  }
}

let fileBytes = null;

function tokenBytes() {
  return fileBytes ?? decodeToken(new TextEncoder().encode($('token').value));
}

function timeOf(text) {
  return text.trim() === '' ? Math.floor(Date.now() / 1000) : parseTime(text);
}

// The form's fields as verify() options. A field left blank is left out
// (absent); the library refuses an empty string or list rather than read
// it as absent, so blank fields must not be passed as "" or [].
function options() {
  const policy = $('policy').value;
  const signers = $('signers').value.split(/[\s,]+/).filter(Boolean);
  const nonce = $('nonce').value.trim();
  const opts = {
    time: timeOf($('time').value),
    earProfile: $('ear-profile').value,
  };
  if (nonce) opts.nonce = nonce;
  if (policy) opts.policy = policy === 'custom' ? $('custom').value : policy;
  if (policy && signers.length) opts.appSigners = signers;
  return opts;
}

const fmtTime = (s) => formatTime(s);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c ?? '');
  return e;
}

/** The action to show next to the status: the result's (`deny` for a
 * refused token, as the library says), and `deny` when nothing could be
 * verified (an error before any result: no relying party may read that as
 * anything but deny); an inspection has none. */
function actionOf(status, action) {
  if (action) return action;
  return status === 'unverified' ? null : 'deny';
}

function showVerdict(status, detail, code, action = null) {
  const box = $('verdict');
  box.className = `verdict verdict-${status}`;
  const label = status === 'none' ? 'VALID — NOT APPRAISED' : status.toUpperCase();
  $('verdict-status').textContent = label;
  const shown = actionOf(status, action);
  const act = $('verdict-action');
  act.className = `verdict-action action-${shown ?? 'none'}`;
  act.dataset.action = shown ?? '';
  act.replaceChildren(
    ...(shown ? ['action: ', el('strong', {}, shown)] : ['no action: not verified']),
  );
  $('verdict-detail').replaceChildren(
    el('p', {}, detail),
    code ? el('p', {}, 'Error code: ', el('code', {}, code)) : '',
  );
}

/** A claim path with a line-break opportunity after each dot, so a narrow
 * column breaks `submods.chip.key-security-level` between its names. */
const pathParts = (claim) => (claim ?? '').split('.').flatMap((name, i, all) => (i < all.length - 1 ? [`${name}.`, el('wbr')] : [name]));

function showReasons(reasons) {
  const body = $('reasons').tBodies[0];
  body.replaceChildren(
    ...reasons.map((r) => {
      const src = r.evidenceSource
        ? `source ${r.evidenceSource}${r.effectiveSource && r.effectiveSource !== r.evidenceSource ? ` counted as ${r.effectiveSource}` : ''}`
        : '';
      const notes = [`rule ${r.rule}`, r.failure, r.advisory ? `advisory ${r.advisory}` : '', src, r.minSource ? `min ${r.minSource}` : '']
        .filter(Boolean)
        .join(', ');
      return el(
        'tr',
        {},
        el('td', { 'data-label': 'Status' }, el('span', { class: `badge badge-${r.status}` }, r.status)),
        el('td', { 'data-label': 'Claim' }, el('code', {}, ...pathParts(r.claim))),
        el('td', { 'data-label': 'Seen' }, r.seen ?? '(absent)'),
        el('td', { 'data-label': 'Required' }, r.required),
        el('td', { 'data-label': 'Rule / source', class: 'notes' }, notes),
      );
    }),
  );
  $('reasons-sec').hidden = reasons.length === 0;
}

/** The claims by layer, as the CLI's text view shows them (the library's
 * `claimsView`: times with their RFC 3339 date, patch levels as dates,
 * printable labels as text, long hex shortened), with each layer's
 * appraisal status when verified; the claims JSON (spec §12) below. */
function showClaims(view, claims, layers = []) {
  if (!view) {
    $('layers-sec').hidden = true;
    return;
  }
  const statusOf = new Map(layers.map((l) => [l.name, l.status]));
  const cards = view.groups.map((g) => {
    const name = g.layer ?? 'device';
    const head = el('h3', {}, g.layer ?? 'device (top level)');
    if (g.evidenceSource) head.append(' ', el('span', { class: 'badge badge-source' }, `evidence: ${g.evidenceSource}`));
    const status = statusOf.get(name);
    if (status) head.append(' ', el('span', { class: `badge badge-${status}` }, status));
    if (!g.reported) return el('article', { class: 'layer layer-absent', 'data-layer': name }, head, el('p', {}, 'not reported'));
    const dl = el('dl');
    for (const { name: claim, value } of g.lines) dl.append(el('dt', {}, claim), el('dd', {}, value));
    return el('article', { class: 'layer', 'data-layer': name }, head, dl);
  });
  $('layers').replaceChildren(...cards);
  $('unknown-claims').textContent = view.unknown.length ? view.unknown.join(', ') : 'none';
  $('claims-json').textContent = JSON.stringify(claims, null, 2);
  $('layers-sec').hidden = false;
}

function showChain(chain) {
  $('chain').tBodies[0].replaceChildren(
    ...chain.map((c, i) =>
      c.error
        ? el('tr', {}, el('td', { 'data-label': '#' }, String(i)), el('td', { colspan: '4', 'data-label': 'Error' }, c.error))
        : el(
            'tr',
            {},
            el('td', { 'data-label': '#' }, String(i)),
            el('td', { 'data-label': 'Subject' }, c.subject),
            el('td', { 'data-label': 'Issuer' }, c.issuer),
            el('td', { 'data-label': 'Valid from' }, fmtTime(c.notBefore)),
            el('td', { 'data-label': 'Valid until' }, fmtTime(c.notAfter)),
          ),
    ),
  );
  $('chain-sec').hidden = chain.length === 0;
}

function showDiag(view) {
  $('diag-payload').textContent = view.diagnostic.payload ?? '(payload is not CBOR)';
  $('diag-protected').textContent = view.diagnostic.protected ?? '(none)';
  $('diag-token').textContent = view.diagnostic.token ?? '(not CBOR)';
  $('diag-sec').hidden = false;
}

function reset() {
  $('result').hidden = false;
  for (const id of ['reasons-sec', 'layers-sec', 'chain-sec', 'diag-sec', 'ear-sec']) $(id).hidden = true;
}

function fail(e) {
  reset();
  showVerdict('error', e.message, e.code);
}

async function run(mode) {
  try {
    const bytes = tokenBytes();
    reset();
    const view = inspect(bytes);
    showDiag(view);
    if (mode === 'inspect') {
      const problems = view.problems.map((p) => `${p.stage}: ${p.message}`).join('; ');
      showVerdict('unverified', view.wellFormed ? 'Decoded without verification: nothing here is trusted.' : `Not well-formed: ${problems}`, view.problems[0]?.code);
      showClaims(view.claimsView, view.claims);
      showChain(view.chain);
      return;
    }
    const r = await verify(bytes, $('anchors').value, options());
    showVerdict(r.status, r.message, r.errorCode, r.action);
    showReasons(r.reasons);
    showClaims(r.claimsView, r.claims, r.layers);
    showChain(r.chain);
    if (r.ear) {
      $('ear').textContent = JSON.stringify(r.ear, null, 2);
      $('ear-sec').hidden = false;
    }
  } catch (e) {
    fail(e);
  }
  $('verdict').focus();
}

/** Fills the form with the sample (sample.json, written from the
 * conformance vectors by wasm/scripts/page-sample.mjs): the token and
 * everything that verifies it. */
async function loadSample() {
  const res = await fetch('sample.json');
  if (!res.ok) throw new Error(`sample.json: HTTP ${res.status}`);
  const s = await res.json();
  fileBytes = null;
  $('file').value = '';
  $('token').value = s.token;
  $('token').placeholder = 'd28443a10126...';
  $('anchors').value = s.anchors;
  $('nonce').value = s.nonce;
  $('time').value = s.time;
  $('policy').value = s.policy;
  $('custom-wrap').hidden = true;
  $('signers').value = s.appSigners.join(', ');
  $('sample-note').textContent = `Loaded ${s.description}: Verify should show ${s.expected.status.toUpperCase()}, action ${s.expected.action}.`;
  $('verify').focus();
}

function setFile(file) {
  file.arrayBuffer().then((buf) => {
    fileBytes = decodeFile(new Uint8Array(buf));
    $('token').value = '';
    $('token').placeholder = `file: ${file.name} (${buf.byteLength} bytes)`;
  });
}

async function main() {
  await lib.default();
  $('version').textContent = `mtattest ${version()} (WebAssembly, ${webCrypto ? 'WebCrypto signatures' : 'pure-Rust signatures'})`;
  $('verdict').tabIndex = -1;
  $('form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    run('verify');
  });
  $('inspect').addEventListener('click', () => run('inspect'));
  $('sample').addEventListener('click', () => loadSample().catch(fail));
  $('policy').addEventListener('change', () => {
    $('custom-wrap').hidden = $('policy').value !== 'custom';
  });
  $('token').addEventListener('input', () => {
    fileBytes = null;
    $('token').placeholder = 'd28443a10126...';
  });
  $('file').addEventListener('change', () => $('file').files[0] && setFile($('file').files[0]));
  const zone = $('token');
  zone.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    zone.classList.add('drop');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('drop'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('drop');
    if (ev.dataTransfer.files[0]) setFile(ev.dataTransfer.files[0]);
  });
  document.body.dataset.ready = 'true';
}

main().catch(fail);
