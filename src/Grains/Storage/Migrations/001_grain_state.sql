-- Grain state for Orleans' ADO.NET storage provider (Microsoft.Orleans.Persistence.AdoNet).
-- The provider ships no SQL: at start-up it loads its statements from OrleansQuery by key and binds
-- @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
-- @ServiceId, @GrainStateVersion and @PayloadBinary. It reads "PayloadBinary" and "Version" back, expects
-- "NewGrainStateVersion" from a write and the new version as the first column of a clear, and treats
-- "no row" as a version conflict (another activation wrote first).
--
-- Our layout: one row per (service, state name, grain key). The hashes the provider sends are not
-- needed: the primary key is exact. Clearing deletes the row, so finished tickets leave nothing behind.
CREATE TABLE IF NOT EXISTS scanlogin_grain_state (
    service_id  text        NOT NULL,
    grain_type  text        NOT NULL,
    grain_key   text        NOT NULL, -- the string key, or '' for integer and GUID keys
    grain_id_n0 bigint      NOT NULL,
    grain_id_n1 bigint      NOT NULL,
    payload     bytea,
    version     integer     NOT NULL,
    modified_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_type, grain_key, grain_id_n0, grain_id_n1)
);

-- Unquoted, so the provider's "SELECT QueryKey, QueryText FROM OrleansQuery" finds it.
CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', $sql$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM scanlogin_grain_state
WHERE service_id = @ServiceId::text
  AND grain_type = @GrainTypeString::text
  AND grain_key = COALESCE(@GrainIdExtensionString::text, '')
  AND grain_id_n0 = @GrainIdN0::bigint
  AND grain_id_n1 = @GrainIdN1::bigint
  AND payload IS NOT NULL
$sql$),
-- A new grain (no version) may only insert; a known one may only update the version it read.
('WriteToStorageKey', $sql$
WITH updated AS (
    UPDATE scanlogin_grain_state
    SET payload = @PayloadBinary::bytea, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion::integer IS NOT NULL
      AND service_id = @ServiceId::text
      AND grain_type = @GrainTypeString::text
      AND grain_key = COALESCE(@GrainIdExtensionString::text, '')
      AND grain_id_n0 = @GrainIdN0::bigint
      AND grain_id_n1 = @GrainIdN1::bigint
      AND version = @GrainStateVersion::integer
    RETURNING version
), inserted AS (
    INSERT INTO scanlogin_grain_state (service_id, grain_type, grain_key, grain_id_n0, grain_id_n1, payload, version)
    SELECT @ServiceId::text, @GrainTypeString::text, COALESCE(@GrainIdExtensionString::text, ''), @GrainIdN0::bigint,
           @GrainIdN1::bigint, @PayloadBinary::bytea, 1
    WHERE @GrainStateVersion::integer IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT version AS "NewGrainStateVersion" FROM updated
UNION ALL
SELECT version FROM inserted
$sql$),
('ClearStorageKey', $sql$
DELETE FROM scanlogin_grain_state
WHERE service_id = @ServiceId::text
  AND grain_type = @GrainTypeString::text
  AND grain_key = COALESCE(@GrainIdExtensionString::text, '')
  AND grain_id_n0 = @GrainIdN0::bigint
  AND grain_id_n1 = @GrainIdN1::bigint
  AND version = @GrainStateVersion::integer
RETURNING version + 1 AS "NewGrainStateVersion"
$sql$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

-- The provider also loads a delete statement (used with DeleteStateOnClear): ours is the clear, which deletes already.
INSERT INTO OrleansQuery (QueryKey, QueryText)
SELECT 'DeleteStorageKey', QueryText FROM OrleansQuery WHERE QueryKey = 'ClearStorageKey'
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
