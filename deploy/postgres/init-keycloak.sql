-- Keycloak keeps its realms in a database of its own on the same server (owner: the
-- POSTGRES_USER). Runs once, when the PostgreSQL data directory is first created.
CREATE DATABASE keycloak;
