-- CORS preflights ask whether any application allows an origin.
CREATE INDEX IF NOT EXISTS scanlogin_catalog_origins ON scanlogin_catalog USING gin ((body->'allowedOrigins')) WHERE kind = 1;
