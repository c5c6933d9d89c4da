// Package depcheck holds a test that enforces the import direction of
// ARCHITECTURE.md: the pure packages never reach networking, HTTP or the
// storage engine, not even transitively.
package depcheck
