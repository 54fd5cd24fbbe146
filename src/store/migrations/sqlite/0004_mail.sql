-- Mail: the outbox the background worker sends from, and the single-use tokens sent by mail
-- (verification, password reset, magic link, one-time code, email change) (SQLite).
-- Times: INTEGER ms since epoch, UTC.

-- Queued mail. A row is due when sent_at IS NULL and next_attempt_at <= now; leasing it moves
-- next_attempt_at past the lease, so one sender at a time has it.
CREATE TABLE mail_outbox (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  to_address TEXT NOT NULL,
  from_address TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (sent_at, next_attempt_at);

-- Single-use secrets sent by mail, stored only as hashes.
CREATE TABLE email_tokens (
  token_hash TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  purpose TEXT NOT NULL,
  new_email TEXT NOT NULL DEFAULT '',
  redirect_uri TEXT NOT NULL DEFAULT '',
  salt TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX email_tokens_lookup_idx ON email_tokens (app_id, email, purpose);
CREATE INDEX email_tokens_expires_idx ON email_tokens (expires_at);
