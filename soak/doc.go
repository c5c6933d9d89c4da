// Package soak holds the soak test: a devnet under load and random
// faults (see soak_test.go). It has no code of its own.
package soak
