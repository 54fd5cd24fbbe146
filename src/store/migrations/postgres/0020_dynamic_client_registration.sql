-- Dynamic client registration (RFC 7591, 7592; issue 19).
-- Initial access tokens an app's developers hand to software that registers its own clients:
-- stored only as SHA-256; created_by is the console user's id ('cli' for the CLI), with no
-- foreign key, so a token outlives the member who made it. expires_at NULL: until revoked.
CREATE TABLE initial_access_tokens (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE UNIQUE INDEX initial_access_tokens_hash_uq ON initial_access_tokens (token_hash);
CREATE INDEX initial_access_tokens_app_idx ON initial_access_tokens (app_id);
-- The SHA-256 of a dynamically registered client's registration access token (RFC 7592),
-- with which its software reads, updates and deletes it; '' for other clients.
ALTER TABLE oauth_clients ADD COLUMN registration_access_token_hash TEXT NOT NULL DEFAULT '';
