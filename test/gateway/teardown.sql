-- Undo fixture.sql (quietly, whatever exists).
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS gw_test CASCADE;
DROP SCHEMA IF EXISTS gw_test2 CASCADE;
DROP ROLE IF EXISTS gw_test_login;
DROP ROLE IF EXISTS gw_test_anon;
DROP ROLE IF EXISTS gw_test_user;
DROP ROLE IF EXISTS gw_test_other;
