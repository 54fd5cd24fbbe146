-- Issue 11, item 8: who an app's mail is from (PostgreSQL). Times: BIGINT ms since epoch, UTC.

-- The Reply-To of a queued mail: the app's own address when its mail goes out From the
-- server's sender (its domain is neither allowed by the operator nor verified).
ALTER TABLE mail_outbox ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';

-- An app's claim on a sender domain: the random value its DNS must publish as
-- "_tessera.<domain> TXT tessera-verification=<token>", and when a lookup found it.
CREATE TABLE app_mail_domains (
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  verified_at BIGINT,
  PRIMARY KEY (app_id, domain)
);
