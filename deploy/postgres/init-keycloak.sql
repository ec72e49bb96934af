-- Keycloak keeps its realms in a database of its own on the same server.
CREATE DATABASE keycloak;
