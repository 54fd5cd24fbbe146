-- OpenID conformance and revocation that really revokes (issue 12).
-- A client's ID tokens are signed with the algorithm it registered (OIDC Registration
-- id_token_signed_response_alg; RS256 when it registered none, as the spec defaults it).
ALTER TABLE oauth_clients ADD COLUMN id_token_signed_response_alg TEXT NOT NULL DEFAULT 'RS256';
-- A resource server of the app may introspect every access token of the app (their audience is
-- the app's issuer); other clients introspect only the tokens issued to them.
ALTER TABLE oauth_clients ADD COLUMN resource_server INTEGER NOT NULL DEFAULT 0;
-- Access tokens revoked by their client (RFC 7009) before they expire: introspection and
-- userinfo refuse a listed jti on every node. A row is useless, and deleted, after expires_at.
CREATE TABLE revoked_access_tokens (
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  jti TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (app_id, jti)
);
CREATE INDEX revoked_access_tokens_expiry_idx ON revoked_access_tokens (expires_at);
-- Revoking a client ends its grants: find them by client.
CREATE INDEX sessions_client_idx ON sessions (app_id, client_id);
