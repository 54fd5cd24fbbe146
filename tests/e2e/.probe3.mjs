import { startServer, freePort, signup } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, describePage } from './lib/browser.mjs';
const port = await freePort();
const srv = await startServer({ port, publicUrl: `http://localhost:${port}` });
const web = `http://localhost:${port}`;
const iss = `${web}/apps/${srv.app}`;
const browser = await launchBrowser();
const { context, page } = await newPage(browser);
await context.addInitScript(() => { if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false); });
const cdp = await context.newCDPSession(page);
await cdp.send('WebAuthn.enable');
const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } });
const u = await signup(srv);
const nav = async (name) => { const p = page.waitForNavigation({ timeout: 6000 }).catch(() => null); await page.getByRole('button', { name, exact: true }).click(); return p; };
try {
await page.goto(`${iss}/account`);
await page.getByLabel('Email or username').fill(u.email);
await page.locator('input[name=password]').fill(u.password);
await nav('Sign in');
await nav('Add a passkey');
await nav('Create a passkey');
await page.goto(`${iss}/account`);
console.log('section', (await page.locator('section', { has: page.locator('#mfa-heading') }).innerText()));
await nav('Sign out');
await page.goto(`${iss}/login`);
await page.waitForTimeout(1000);
console.log('login stays?', page.url());
await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
let r = await nav('Use a passkey');
console.log('noUV result', r?.status(), page.url(), await describePage(page));
// now UV-less authenticator with same cred
const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
const { authenticatorId: a2 } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: false, automaticPresenceSimulation: true } });
await cdp.send('WebAuthn.addCredential', { authenticatorId: a2, credential: credentials[0] });
await page.goto(`${iss}/login`);
r = await nav('Use a passkey');
console.log('noUV2 result', r?.status(), page.url(), await describePage(page));
if (page.url().includes('/login/mfa')) {
  r = await nav('Use a passkey');
  console.log('second step same passkey', r?.status(), page.url(), await describePage(page));
}
} catch (e) { console.log('ERR', e); console.log(srv.tail(3000)); }
await context.close(); await closeBrowser(browser); await srv.close();
