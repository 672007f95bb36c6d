// Package arch holds no code for the program: its tests enforce the
// dependency direction that ARCHITECTURE.md draws,
//
//	cmd → app → web → feature packages → shared services → standard library,
//
// in the spirit of tailscale's tstest/deptest. The rules are one table in
// rules_test.go; a package of the module that is in no row of it, or an import
// that goes against it, fails `go test ./internal/arch`.
package arch
