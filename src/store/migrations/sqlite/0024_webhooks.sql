-- Webhooks (issue 20): an app's endpoints, and the columns their deliveries need in the outbox.

-- Where an app hears of its events, signed with a secret sealed under the master key (the
-- previous one keeps signing until previous_secret_expires_at, after a rotation).
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  event_types TEXT NOT NULL DEFAULT '',  -- space-separated patterns ("user.created mfa.*")
  enabled INTEGER NOT NULL DEFAULT 1,
  secret_sealed TEXT NOT NULL,
  previous_secret_sealed TEXT NOT NULL DEFAULT '',
  previous_secret_expires_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_app_idx ON webhook_endpoints (app_id, created_at);

-- A webhook delivery: its endpoint, and the event it carries (a redelivery keeps the event's
-- id, so a receiver can tell it has seen it).
ALTER TABLE http_deliveries ADD COLUMN endpoint_id TEXT NOT NULL DEFAULT '';
ALTER TABLE http_deliveries ADD COLUMN event_id TEXT NOT NULL DEFAULT '';
ALTER TABLE http_deliveries ADD COLUMN event_type TEXT NOT NULL DEFAULT '';
CREATE INDEX http_deliveries_endpoint_idx ON http_deliveries (app_id, endpoint_id, created_at)
  WHERE endpoint_id <> '';
