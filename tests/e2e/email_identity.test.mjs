// One mailbox, one account, black-box (issue 11, item 11): `ana@bücher.de`, `ana@BÜCHER.de`
// and `ana@xn--bcher-kva.de` name one mailbox, so they are one account: after the first
// sign-up the others are a conflict, and each spelling signs in to that account, on the API
// and on the hosted page. The account shows its address in the normalised form (A-labels).
import assert from 'node:assert/strict';
import {
  startServer, backends, test, describe, before, after, assertStatus, assertProblem, show, rand,
} from './lib/server.mjs';
import { WebClient } from './lib/oidc.mjs';

const PASSWORD = 'a perfectly fine passphrase';

for (const backend of backends()) {
  describe(`email identity [${backend}]`, () => {
    let srv;
    before(async () => {
      srv = await startServer({ postgres: backend === 'postgres', label: `email-id-${backend}` });
    });
    after(() => srv?.close());

    test('ana@bücher.de, ana@BÜCHER.de and ana@xn--bcher-kva.de are one account', async () => {
      const local = `ana-${rand(8)}`;
      const key = `${local}@xn--bcher-kva.de`;
      const first = await srv.api('POST', '/api/signup', { json: { email: `${local}@bücher.de`, password: PASSWORD } });
      assertStatus(first, 201);
      for (const other of [`${local.toUpperCase()}@BÜCHER.de`, key, `${local}@XN--BCHER-KVA.DE`]) {
        const again = await srv.api('POST', '/api/signup', { json: { email: other, password: `${PASSWORD} 2` } });
        assertProblem(again, 409, 'conflict', { field: 'email' });
      }
      assert.equal(first.body.email, key, show(first));  // shown as it is keyed
      for (const spelling of [`${local}@bücher.de`, `${local.toUpperCase()}@BÜCHER.DE`, key]) {
        const login = await srv.api('POST', '/api/login', { json: { email: spelling, password: PASSWORD } });
        assertStatus(login, 200);
        assert.equal(login.body.user.id, first.body.id, `${spelling}: ${show(login)}`);
      }
      const web = new WebClient(srv);
      const page = await web.signIn(`${local}@BÜCHER.de`, PASSWORD);
      assert.equal(page.status, 303, show(page));
      assert.ok(web.sessionCookie(), 'signed in on the hosted page');
    });

    test('a Unicode local part is one account whatever its case or composition', async () => {
      const tag = rand(6);
      const first = await srv.api('POST', '/api/signup', { json: { email: `zoë-${tag}@example.com`, password: PASSWORD } });
      assertStatus(first, 201);
      // Upper case, and "e" followed by a combining diaeresis (NFD): the same mailbox.
      for (const other of [`ZOË-${tag}@example.com`, `zoe\u0308-${tag}@Example.COM`]) {
        assertProblem(await srv.api('POST', '/api/signup', { json: { email: other, password: PASSWORD } }),
          409, 'conflict', { field: 'email' });
        const login = await srv.api('POST', '/api/login', { json: { email: other, password: PASSWORD } });
        assertStatus(login, 200);
        assert.equal(login.body.user.id, first.body.id);
      }
    });
  });
}
