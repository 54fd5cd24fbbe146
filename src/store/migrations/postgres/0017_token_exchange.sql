-- Token exchange (RFC 8693, issue 19): the audiences a client may exchange a user's access
-- token for (a JSON array of strings; empty: none).
ALTER TABLE oauth_clients ADD COLUMN token_exchange_audiences_json TEXT NOT NULL DEFAULT '[]';
