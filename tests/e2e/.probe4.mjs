import http from 'node:http';
import { launchBrowser, closeBrowser, newPage } from './lib/browser.mjs';
const srv = http.createServer((req, res) => { res.writeHead(200, {'content-type':'text/html'}); res.end('<!doctype html><title>x</title><p>hi'); });
await new Promise(r => srv.listen(0, '127.0.0.1', r));
const port = srv.address().port;
const browser = await launchBrowser();
for (const [label, opts] of [
  ['internal noUV', { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: false }],
  ['usb noUV', { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: false }],
  ['usb u2f', { protocol: 'u2f', transport: 'usb', hasResidentKey: false, hasUserVerification: false }],
  ['usb UV notverified', { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true, isUserVerified: false }],
]) {
  const { context, page } = await newPage(browser);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { ...opts, automaticPresenceSimulation: true } });
  await page.goto(`http://localhost:${port}/`);
  const r = await page.evaluate(async () => {
    const out = [];
    let id;
    try {
      const c = await navigator.credentials.create({ publicKey: { rp: { id: 'localhost', name: 'x' }, user: { id: new Uint8Array([1,2,3]), name: 'a', displayName: 'a' }, challenge: new Uint8Array(32), pubKeyCredParams: [{ type: 'public-key', alg: -7 }], authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' } } });
      id = c.rawId;
      out.push('create ok flags=' + new Uint8Array(c.response.getAuthenticatorData())[32].toString(16));
    } catch (e) { out.push('create ERR ' + e.name + ': ' + e.message); }
    for (const allow of [false, true]) {
      if (allow && !id) continue;
      try {
        const a = await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(32), rpId: 'localhost', userVerification: 'preferred', allowCredentials: allow ? [{ type: 'public-key', id }] : [] } });
        out.push(`get(allow=${allow}) ok flags=` + new Uint8Array(a.response.authenticatorData)[32].toString(16));
      } catch (e) { out.push(`get(allow=${allow}) ERR ` + e.name + ': ' + e.message); }
    }
    return out.join(' | ');
  });
  console.log(label, '→', r);
  await context.close();
}
await closeBrowser(browser); srv.close();
