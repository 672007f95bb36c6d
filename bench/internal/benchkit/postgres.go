package benchkit

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Database is a fresh PostgreSQL database for one run.
type Database struct {
	admin   *sql.DB
	Name    string
	URL     string
	Version string
}

// CreateDatabase creates a database named prefix and random digits on the server of
// serverURL and returns its URL.
func CreateDatabase(serverURL, prefix string) (*Database, error) {
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
	pg := &Database{admin: admin, Name: prefix + "_" + hex.EncodeToString(b)}
	if err := admin.QueryRow("SHOW server_version").Scan(&pg.Version); err != nil {
		admin.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + pg.Name); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create database: %w", err)
	}
	u.Path = "/" + pg.Name
	pg.URL = u.String()
	return pg, nil
}

// Drop removes the database, closing whatever connections remain.
func (pg *Database) Drop() {
	if _, err := pg.admin.Exec("DROP DATABASE " + pg.Name + " WITH (FORCE)"); err != nil {
		Logf("drop database %s: %v", pg.Name, err)
	}
	pg.admin.Close()
}
