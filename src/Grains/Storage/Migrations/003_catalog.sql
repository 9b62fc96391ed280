-- What operators list and search, kept by the grains that own each resource (written after their state),
-- so listings never activate grains. body is the resource's admin view as JSON: never a secret.
CREATE TABLE IF NOT EXISTS scanlogin_catalog (
    kind       smallint    NOT NULL, -- 0 pool, 1 application, 2 identity source
    pool_id    text        NOT NULL,
    id         text        NOT NULL,
    body       jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, pool_id, id)
);

CREATE INDEX IF NOT EXISTS scanlogin_catalog_by_id ON scanlogin_catalog (kind, id);

-- Every change, per pool, in order. before/after are admin views (secrets are never in them).
CREATE TABLE IF NOT EXISTS scanlogin_audit (
    seq           bigserial   PRIMARY KEY,
    pool_id       text        NOT NULL,
    at            timestamptz NOT NULL,
    actor         text        NOT NULL,
    action        text        NOT NULL,
    resource_type text        NOT NULL,
    resource_id   text        NOT NULL,
    before        jsonb,
    after         jsonb
);

CREATE INDEX IF NOT EXISTS scanlogin_audit_by_pool ON scanlogin_audit (pool_id, seq);

