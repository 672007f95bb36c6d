package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// pgDatabase is a fresh PostgreSQL database for one run.
type pgDatabase struct {
	admin   *sql.DB
	name    string
	url     string
	version string
}

// createDatabase creates a database with a random name on the server of
// serverURL and returns its URL.
func createDatabase(serverURL string) (*pgDatabase, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, fmt.Errorf("-postgres: %w", err)
	}
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	pg := &pgDatabase{admin: admin, name: "fd_chat_bench_" + hex.EncodeToString(b)}
	if err := admin.QueryRow("SHOW server_version").Scan(&pg.version); err != nil {
		admin.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + pg.name); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create database: %w", err)
	}
	u.Path = "/" + pg.name
	pg.url = u.String()
	return pg, nil
}

// drop removes the database, closing whatever connections remain.
func (pg *pgDatabase) drop() {
	if _, err := pg.admin.Exec("DROP DATABASE " + pg.name + " WITH (FORCE)"); err != nil {
		logf("drop database %s: %v", pg.name, err)
	}
	pg.admin.Close()
}
