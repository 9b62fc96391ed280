-- Accounts operators manage and people sign in to with a password (ask-binding), and the counters that
-- limit wrong passwords. Usernames and emails are stored in lower case, so the unique keys ignore case.
ALTER TABLE scanlogin_users
    ADD COLUMN IF NOT EXISTS username        text,
    ADD COLUMN IF NOT EXISTS email           text,
    ADD COLUMN IF NOT EXISTS password_hash   text,
    ADD COLUMN IF NOT EXISTS blocked         boolean NOT NULL DEFAULT false,
    ADD COLUMN IF NOT EXISTS failed_passwords integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS locked_until    timestamptz;

CREATE UNIQUE INDEX IF NOT EXISTS scanlogin_users_username ON scanlogin_users (pool_id, username) WHERE username IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS scanlogin_users_email ON scanlogin_users (pool_id, email) WHERE email IS NOT NULL;
CREATE INDEX IF NOT EXISTS scanlogin_user_identities_openid ON scanlogin_user_identities (pool_id, openid);
CREATE INDEX IF NOT EXISTS scanlogin_user_identities_unionid ON scanlogin_user_identities (pool_id, unionid) WHERE unionid IS NOT NULL;
