-- Users and the provider identities linked to them, per pool. The constraints, not the code,
-- make a duplicate identity (or a phone number shared by two users of a pool) impossible.
CREATE TABLE IF NOT EXISTS scanlogin_users (
    pool_id       text        NOT NULL,
    user_id       text        NOT NULL,
    nickname      text,
    avatar_url    text,
    phone         text,
    created_at    timestamptz NOT NULL,
    last_login_at timestamptz,
    login_count   integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, user_id)
);

CREATE UNIQUE INDEX IF NOT EXISTS scanlogin_users_phone ON scanlogin_users (pool_id, phone) WHERE phone IS NOT NULL;

CREATE TABLE IF NOT EXISTS scanlogin_user_identities (
    pool_id         text        NOT NULL,
    provider        text        NOT NULL,
    subject         text        NOT NULL,
    user_id         text        NOT NULL,
    identity_source text        NOT NULL,
    openid          text        NOT NULL,
    unionid         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pool_id, provider, subject),
    FOREIGN KEY (pool_id, user_id) REFERENCES scanlogin_users (pool_id, user_id) ON DELETE CASCADE
);

CREATE INDEX IF NOT EXISTS scanlogin_user_identities_user ON scanlogin_user_identities (pool_id, user_id);
