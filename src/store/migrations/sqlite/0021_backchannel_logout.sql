-- OIDC Back-Channel Logout 1.0 (issue 19) and the outbox of HTTP deliveries it is sent from.

-- Where a client is told that a user's session with it ended (§2.2); '' = not told.
ALTER TABLE oauth_clients ADD COLUMN backchannel_logout_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE oauth_clients ADD COLUMN backchannel_logout_session_required INTEGER NOT NULL DEFAULT 0;

-- The browser session an "oauth" grant was started from ('' = none: a device, a token
-- exchange, a grant from before this column). Ending the browser session ends its grants
-- (unless offline) and tells their clients.
ALTER TABLE sessions ADD COLUMN parent_id TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_parent_idx ON sessions (app_id, parent_id) WHERE parent_id <> '';

-- HTTP requests Tessera owes to others (a logout token to a client now; webhooks next),
-- queued in the same transaction as the change they report, so a crash loses none.
-- A worker leases the due ones (next_attempt_at), sends, and marks them; finished rows are
-- kept a while for the record, then deleted.
CREATE TABLE http_deliveries (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  client_id TEXT NOT NULL DEFAULT '',
  user_id TEXT NOT NULL DEFAULT '',
  session_id TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX http_deliveries_due_idx ON http_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX http_deliveries_client_idx ON http_deliveries (app_id, client_id, created_at);
CREATE INDEX http_deliveries_finished_idx ON http_deliveries (finished_at)
  WHERE finished_at IS NOT NULL;
