-- Run once on a fresh origin data directory (stack/origin-mariadb.sh, or the image's initdb.d in compose).
-- root over TCP with no password, as the tests connect (mysql://root@127.0.0.1:3307); a no-op where
-- mariadb-install-db already made it (stack/) or the image made root@'%' (compose/).
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
-- The user Debezium connectors log in with; REPLICATION CLIENT reads as BINLOG MONITOR on 10.11.
CREATE USER IF NOT EXISTS 'debezium'@'%' IDENTIFIED BY 'dbz';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, LOCK TABLES ON *.* TO 'debezium'@'%';
FLUSH PRIVILEGES;
