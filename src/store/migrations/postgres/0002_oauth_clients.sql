-- OAuth 2.0 clients registered per app (RFC 6749 §2). Secrets are stored only as SHA-256.
CREATE TABLE oauth_clients (
  client_id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  secret_hash TEXT,
  is_public BIGINT NOT NULL DEFAULT 0,
  first_party BIGINT NOT NULL DEFAULT 0,
  redirect_uris_json TEXT NOT NULL DEFAULT '[]',
  grant_types_json TEXT NOT NULL DEFAULT '[]',
  scopes_json TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX oauth_clients_app_idx ON oauth_clients (app_id);
