-- The one row that names the server this database belongs to (docs/design.md §2: the server UUID is created
-- at the first start and never changed) and the hash of a generated admin token.
CREATE TABLE server_identity (
    id               SMALLINT     NOT NULL PRIMARY KEY,
    server_uuid      VARCHAR(36)  NOT NULL,
    created_at       TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    admin_token_hash VARCHAR(64),
    CONSTRAINT server_identity_single_row CHECK (id = 1)
);
