-- Pushed authorization requests (RFC 9126, issue 19): the parameters a client pushed, found by
-- the SHA-256 of the request_uri it got back; used once (used_at), kept a day past expiry.
CREATE TABLE pushed_authorization_requests (
  request_uri_hash TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  params_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX pushed_authorization_requests_expires_idx ON pushed_authorization_requests (expires_at);
-- A client whose authorization requests must be pushed first (RFC 9126 §6).
ALTER TABLE oauth_clients ADD COLUMN require_pushed_authorization_requests INTEGER NOT NULL DEFAULT 0;
