-- How a user signed in (issue 14): OIDC `amr` values (RFC 8176: "pwd", "otp", or "fed" through
-- an upstream provider) and, for "fed", the upstream's issuer (`idp`). A browser session
-- records them; the authorization code and the grant's session carry them into the ID token.
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN idp TEXT NOT NULL DEFAULT '';
ALTER TABLE authorization_codes ADD COLUMN amr TEXT NOT NULL DEFAULT '';
ALTER TABLE authorization_codes ADD COLUMN idp TEXT NOT NULL DEFAULT '';
