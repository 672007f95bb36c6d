// Package backup makes encrypted, incremental, signed backups of the
// database and the data directory's files, stores them in a directory or an
// S3-compatible object store, verifies and restores them, and keeps the
// erasure ledger that a restore replays (see docs/architecture.md, "Backups").
//
// It is a shared service: it knows the database, the keyring and the audit
// signer, and no feature package. Features that must act after a restore
// (privacy's erasure) pass an ErasureHook through the wiring in app.
package backup
