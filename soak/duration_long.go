//go:build soak

package soak

import "time"

// soakDuration is the long soak of `go test -tags soak ./soak`.
const soakDuration = 10 * time.Minute
