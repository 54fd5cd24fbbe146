-- Staged key rotation (tokens/key_service.h): a new key is published in the JWKS as soon as
-- it exists (created_at) and signs only from sign_from, once every relying party's cached
-- JWKS holds it; the key it replaces gets retired_at = the new key's sign_from, so it keeps
-- signing until then. A key signs while sign_from <= now < retired_at (or no retired_at).
-- Keys made before this migration signed from their creation.
ALTER TABLE signing_keys ADD COLUMN sign_from BIGINT NOT NULL DEFAULT 0;
UPDATE signing_keys SET sign_from = created_at;
