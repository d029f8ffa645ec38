-- sqlite_insert.sql - benchmark workload for sqlite3 (run as: sqlite3 :memory: < this file;
-- scripts/bench passes it with .read). 200,000 rows inserted in one transaction into
-- an in-memory table with a secondary index, then an aggregate over them.
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, score REAL, tag TEXT);
CREATE INDEX t_name ON t(name);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO t(id, name, score, tag)
	SELECT i, printf('name-%08d-%s', (i * 7919) % 200000, hex(randomblob(8))), i * 0.5,
		substr('abcdefghijklmnopqrstuvwxyz', 1 + i % 26, 1 + i % 9)
	FROM n;
COMMIT;
SELECT count(*), sum(length(name)), count(DISTINCT tag) FROM t;
