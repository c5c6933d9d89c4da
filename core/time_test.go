package core

import (
	"testing"
	"time"
)

func TestMillisTime(t *testing.T) {
	// 2023-11-14T22:13:20Z is 1,700,000,000 s after the epoch.
	h := Header{Timestamp: 1_700_000_000_123}
	want := time.Date(2023, 11, 14, 22, 13, 20, 123_000_000, time.UTC)
	if got := h.Time(); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Time() = %v, want %v", got, want)
	}
	if got := MillisTime(0); got.Year() != 1970 {
		t.Fatalf("MillisTime(0) = %v", got)
	}
}
