//go:build !soak

package soak

import "time"

// soakDuration is CI's short soak; `-tags soak` runs the long one.
const soakDuration = 40 * time.Second
