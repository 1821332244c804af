// The body of `function (checks)`, made once by the bindings (lib.rs): runs
// every check of a dry run with WebCrypto, all at once, and resolves to
// their answers in order: `true`/`false` for a signature, the uncompressed
// point (Uint8Array) or `null` for a point. Anything WebCrypto refuses (a
// key it cannot import, an error) is `false` or `null`: it fails closed.
// Without WebCrypto the promise rejects with code `config.unavailable`.
const subtle = globalThis.crypto && globalThis.crypto.subtle;
if (!subtle) {
  const error = new Error('crypto: WebCrypto (crypto.subtle) is not available here [config.unavailable]');
  error.code = 'config.unavailable';
  return Promise.reject(error);
}
const base64url = (bytes) => {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const ecKey = (c, extractable) =>
  subtle.importKey('raw', c.key, { name: 'ECDSA', namedCurve: c.curve }, extractable, ['verify']);
const answer = async (c) => {
  switch (c.op) {
    case 'point':
      return new Uint8Array(await subtle.exportKey('raw', await ecKey(c, true)));
    case 'ecdsa':
      return (await subtle.verify({ name: 'ECDSA', hash: c.hash }, await ecKey(c, false), c.signature, c.message)) === true;
    case 'rsa': {
      const jwk = { kty: 'RSA', n: base64url(c.modulus), e: base64url(c.exponent) };
      const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
      const key = await subtle.importKey('jwk', jwk, algorithm, false, ['verify']);
      return (await subtle.verify(algorithm, key, c.signature, c.message)) === true;
    }
    default:
      return false;
  }
};
const refused = (c) => (c.op === 'point' ? null : false);
return Promise.all(checks.map((c) => answer(c).catch(() => refused(c))));
