// The API documentation: /api/openapi.json (the OpenAPI 3.1 document), /api/docs (Swagger UI,
// its assets from npm's swagger-ui-dist embedded in the binary) under a strict CSP. The unit
// test tests/unit/openapi_test.cc proves the document lists exactly the router's routes.
import assert from 'node:assert/strict';
import { startServer, test, describe, before, after, assertStatus, show } from './lib/server.mjs';
import { launchBrowser, closeBrowser, newPage, screenshot, describePage } from './lib/browser.mjs';

const ASSETS = {
  'swagger-ui.css': /^text\/css\b/i,
  'swagger-ui-bundle.js': /^text\/javascript\b/i,
  'swagger-ui-standalone-preset.js': /^text\/javascript\b/i,
  'swagger-initializer.js': /^text\/javascript\b/i,
  'favicon-32x32.png': /^image\/png$/i,
  'favicon-16x16.png': /^image\/png$/i,
};
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

describe('API documentation (/api/openapi.json, /api/docs)', () => {
  let srv;
  before(async () => { srv = await startServer({ label: 'api-docs' }); });
  after(() => srv?.close());

  test('/api/openapi.json: OpenAPI 3.1 with the endpoints, schemas and security schemes', async () => {
    const r = await srv.req('GET', '/api/openapi.json');
    assertStatus(r, 200);
    assert.match(r.headers.get('content-type') || '', /^application\/json\b/i);
    assert.ok(r.headers.get('etag'), show(r));
    assert.match(r.headers.get('cache-control') || '', /\bpublic\b/, show(r));
    const doc = r.body;
    assert.ok(doc && typeof doc === 'object', 'parses as JSON');
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.ok(doc.info?.title && doc.info?.version);
    assert.deepEqual(doc.servers, [{ url: '/', description: 'This server' }]);
    assert.deepEqual(doc.tags.map((t) => t.name).sort(),
      ['Accounts', 'Developer console', 'Email', 'Hosted pages', 'OAuth 2.0 / OIDC', 'Operators',
        'Server-to-server', 'System']);
    for (const p of ['/apps/{app}/api/signup', '/apps/{app}/api/login', '/apps/{app}/api/me',
      '/apps/{app}/oauth/token', '/apps/{app}/.well-known/openid-configuration', '/api/openapi.json']) {
      assert.ok(doc.paths[p], `documents ${p}`);
    }
    const ops = [];
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const m of METHODS) if (item[m]) ops.push([p, m, item[m]]);
    }
    for (const [p, m, op] of ops) {
      assert.ok(op.operationId && op.tags?.length && Object.keys(op.responses || {}).length,
        `${m} ${p} has operationId, tags and responses`);
    }
    assert.equal(new Set(ops.map((o) => o[2].operationId)).size, ops.length, 'operationIds unique');
    const schemes = Object.keys(doc.components.securitySchemes);
    for (const s of ['bearerAccessToken', 'clientSecretBasic', 'clientSecretPost']) assert.ok(schemes.includes(s), s);
    const token = doc.paths['/apps/{app}/oauth/token'].post;
    assert.ok(token.requestBody.content['application/x-www-form-urlencoded'], 'token endpoint is form-encoded');
    assert.ok(doc.components.schemas.Problem.properties.type, 'RFC 9457 problem schema');
    // Every documented GET without path parameters other than {app} answers (not 404/405);
    // the operators' API hides itself (404) from everyone else, this anonymous caller too.
    // Pages documented as HTML are asked for as a browser asks (`/` and `/apps/{app}` answer
    // HTML to browsers and a JSON 404 to API clients).
    // Operations of a feature an app turns on (`x-app-setting`, e.g. device_flow) are 404 while
    // it is off, as it is on the default app.
    const gets = ops.filter(([p, m, op]) => m === 'get' && !/\{(?!app\})/.test(p) && !p.startsWith('/api/admin/') &&
      !op['x-app-setting'])
      .map(([p, , op]) => [p.replace('{app}', 'default'), op.responses?.['200']?.content?.['text/html']]);
    for (const [p, html] of gets) {
      const g = await srv.req('GET', p, { redirect: 'manual', headers: html ? { Accept: 'text/html' } : {} });
      assert.ok(![404, 405].includes(g.status), `GET ${p} is served: ${show(g)}`);
    }
    // ETag revalidation.
    const again = await srv.req('GET', '/api/openapi.json', { headers: { 'If-None-Match': r.headers.get('etag') } });
    assertStatus(again, 304);
  });

  test('/api/docs: the Swagger UI page references its assets, with its own CSP and no inline script', async () => {
    const r = await srv.req('GET', '/api/docs');
    assertStatus(r, 200);
    assert.match(r.headers.get('content-type') || '', /^text\/html\b/i);
    const csp = r.headers.get('content-security-policy') || '';
    assert.match(csp, /script-src 'self'(;|$)/, csp);
    assert.doesNotMatch(csp, /unsafe-eval/, csp);
    assert.match(csp, /frame-ancestors 'none'/, csp);
    for (const name of Object.keys(ASSETS).filter((n) => !n.startsWith('favicon-16'))) {
      assert.ok(r.text.includes(`docs/${name}`), `page references ${name}`);
    }
    assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script');
    for (const [name, type] of Object.entries(ASSETS)) {
      const a = await srv.req('GET', `/api/docs/${name}`);
      assertStatus(a, 200);
      assert.match(a.headers.get('content-type') || '', type, `${name}: ${a.headers.get('content-type')}`);
      assert.ok(a.text.length > 100, name);
    }
    const bundle = await srv.req('GET', '/api/docs/swagger-ui-bundle.js');
    assert.match(bundle.text, /SwaggerUIBundle/);
    assertStatus(await srv.req('GET', '/api/docs/nope.js'), 404);
    assertStatus(await srv.req('GET', '/api/docs/openapi.json'), 404);
  });

  test('Swagger UI renders the document in chromium without CSP violations', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = await newPage(browser);
      const problems = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(String(e)));
      await page.goto(`${srv.baseUrl}/api/docs`);
      try {
        await page.waitForSelector('.opblock-tag', { timeout: 15_000 });
      } catch (e) {
        await screenshot(page, 'api-docs-failed');
        throw new Error(`Swagger UI did not render: ${await describePage(page)} ${problems.join(' | ')}`);
      }
      // A long document is rendered as a virtual list (only what is on screen is in the DOM):
      // scroll through it and collect the tag headings seen.
      const seen = new Set();
      const height = await page.evaluate(() => document.body.scrollHeight);
      for (let y = 0; y <= height; y += 400) {
        await page.evaluate((top) => window.scrollTo(0, top), y);
        await page.waitForTimeout(50);
        for (const t of await page.$$eval('.opblock-tag', (els) => els.map((e) => e.getAttribute('data-tag')))) seen.add(t);
      }
      await page.evaluate(() => window.scrollTo(0, 0));
      const tags = [...seen];
      assert.ok(tags.includes('Accounts') && tags.includes('OAuth 2.0 / OIDC'), tags.join(','));
      assert.ok(await page.getByText('/apps/{app}/api/login', { exact: true }).count() > 0, 'shows an operation');
      await screenshot(page, 'api-docs');
      assert.deepEqual(problems, [], 'no console errors (a CSP violation is one)');
    } finally {
      await closeBrowser(browser);
    }
  });
});
