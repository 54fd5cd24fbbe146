-- Device authorizations (RFC 8628, issue 19): a device polls with its device_code while the
-- user enters the short user_code on the hosted page and approves or denies. Both codes are
-- stored only as SHA-256. A row is kept a day past expires_at (CollectGarbage), so a late
-- poll is still answered expired_token rather than invalid_grant.
CREATE TABLE device_authorizations (
  device_code_hash TEXT PRIMARY KEY,
  user_code_hash TEXT NOT NULL,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  scope TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'pending',
  interval_s INTEGER NOT NULL,
  last_polled_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  decided_at INTEGER,
  user_id TEXT NOT NULL DEFAULT '',
  session_id TEXT NOT NULL DEFAULT '',
  browser_session_id TEXT NOT NULL DEFAULT '',
  auth_time INTEGER NOT NULL DEFAULT 0,
  amr TEXT NOT NULL DEFAULT '',
  idp TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX device_authorizations_user_code_hash_uq ON device_authorizations (user_code_hash);
CREATE INDEX device_authorizations_expires_idx ON device_authorizations (expires_at);
