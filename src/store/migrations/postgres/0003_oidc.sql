-- OpenID Connect: session kinds (API login, hosted-page browser sign-in, OAuth grant),
-- authorization codes, consents and the failed-login throttle (PostgreSQL).
-- Times: BIGINT ms since epoch, UTC. Booleans: 0/1. Lists: JSON arrays in *_json columns.
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'api';
ALTER TABLE sessions ADD COLUMN client_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN auth_time BIGINT NOT NULL DEFAULT 0;
-- SHA-256 of a browser session's cookie; NULL for the other kinds.
ALTER TABLE sessions ADD COLUMN cookie_hash TEXT;
CREATE UNIQUE INDEX sessions_cookie_hash_uq ON sessions (cookie_hash);

ALTER TABLE oauth_clients ADD COLUMN post_logout_redirect_uris_json TEXT NOT NULL DEFAULT '[]';

-- Single-use authorization codes (RFC 6749 §4.1.2), stored only as SHA-256.
CREATE TABLE authorization_codes (
  code_hash TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  redirect_uri TEXT NOT NULL,
  scope TEXT NOT NULL DEFAULT '',
  nonce TEXT NOT NULL DEFAULT '',
  code_challenge TEXT NOT NULL DEFAULT '',
  session_id TEXT NOT NULL,
  browser_session_id TEXT NOT NULL DEFAULT '',
  auth_time BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX authorization_codes_expires_idx ON authorization_codes (expires_at);

-- A user's consent to a client's scopes.
CREATE TABLE consents (
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  scopes_json TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (app_id, user_id, client_id)
);

-- Failed-login counters in fixed windows ("account:<app>:<identifier>", "ip:<app>:<ip>").
CREATE TABLE login_throttle (
  key TEXT PRIMARY KEY,
  failures BIGINT NOT NULL,
  window_start BIGINT NOT NULL
);
CREATE INDEX login_throttle_window_idx ON login_throttle (window_start);
