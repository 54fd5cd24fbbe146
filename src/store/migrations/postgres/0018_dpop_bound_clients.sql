-- DPoP (RFC 9449): a client that must send a DPoP proof with every token request,
-- so its tokens are always bound to a key it holds (RFC 9449 §5.2 dpop_bound_access_tokens).
ALTER TABLE oauth_clients ADD COLUMN dpop_bound_access_tokens BIGINT NOT NULL DEFAULT 0;
