// Validate a WS-Federation sign-in answer with Auth0's passport-wsfed-saml2, the relying-party
// side of the protocol: signature (with the certificate given), audience (realm) and lifetime.
//
// Usage: node passport_wsfed.js INPUT_JSON
//   INPUT_JSON: {"wresult": "...", "wctx": "..." | null, "cert_b64": "...", "realm": "..."}
// Prints {"ok": true, "profile": {...}} or {"ok": false, "error": "..."}; exits 0 either way so
// the caller decides what it expected.
'use strict';
const fs = require('fs');
const { Strategy } = require('passport-wsfed-saml2');

const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let done = false;
function report(result) {
  if (done) return;
  done = true;
  process.stdout.write(JSON.stringify(result) + '\n');
}

const strategy = new Strategy(
  {
    cert: input.cert_b64,
    realm: input.realm,
    protocol: 'wsfed',
    checkExpiration: true,
    checkAudience: true,
  },
  (profile, verified) => verified(null, profile)
);
strategy.success = (user) => report({ ok: true, profile: user });
strategy.fail = (info) => report({ ok: false, error: 'fail: ' + String((info && info.message) || info) });
strategy.error = (err) => report({ ok: false, error: 'error: ' + String((err && err.message) || err) });
strategy.redirect = (url) => report({ ok: false, error: 'redirect to ' + url });

const body = { wa: 'wsignin1.0', wresult: input.wresult };
if (input.wctx !== null && input.wctx !== undefined) body.wctx = input.wctx;
const req = {
  method: 'POST',
  body,
  query: {},
  headers: { host: 'rp.contoso.example' },
  url: '/wsfed/callback',
  originalUrl: '/wsfed/callback',
  protocol: 'https',
  get: (name) => (name.toLowerCase() === 'host' ? 'rp.contoso.example' : undefined),
};
try {
  strategy.authenticate(req, {});
} catch (e) {
  report({ ok: false, error: 'threw: ' + String(e && e.message) });
}
setTimeout(() => report({ ok: false, error: 'no verdict within 20 s' }), 20000).unref();
