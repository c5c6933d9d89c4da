// Package storetest is the conformance suite for store.KV backends (like
// go-ethereum's dbtest.TestDatabaseSuite): Run checks a backend's KV
// semantics and the typed store.DB on top of it. It owns no production code
// and is imported only by tests.
//
// It also exports the deterministic fixtures the suite uses (Tx, Addr,
// Block), for backend tests of their own. Failures are reported through
// *testing.T; the package defines no error types.
package storetest
