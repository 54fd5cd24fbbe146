-- Pairwise subject identifiers (OIDC Core §8.1; issue 19): a client whose users' `sub` is
-- derived from the user and the client's sector instead of the user's id.
ALTER TABLE oauth_clients ADD COLUMN pairwise_subject BIGINT NOT NULL DEFAULT 0;
