-- The key ring that encrypts stored secrets (mini-program AppSecrets). Each data key is itself encrypted
-- ("wrapped") with the master key from configuration, so neither this table nor a disk holds a usable key.
CREATE TABLE IF NOT EXISTS scanlogin_secret_keys (
    key_id      integer     PRIMARY KEY,
    wrapped_key bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
