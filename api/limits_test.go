package api

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(2, 3, func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.allow("a", 1); !ok {
			t.Fatalf("burst request %d refused", i)
		}
	}
	ok, wait := l.allow("a", 1)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("4th request: %v, wait %v; want refused, 500ms", ok, wait)
	}
	if ok, _ := l.allow("b", 1); !ok {
		t.Fatal("another client was limited")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.allow("a", 1); !ok {
		t.Fatal("not refilled after 500ms at 2/s")
	}
	if ok, _ := l.allow("a", 1); ok {
		t.Fatal("refilled more than one token")
	}
	now = now.Add(time.Hour)
	for i := range 3 {
		if ok, _ := l.allow("a", 1); !ok {
			t.Fatalf("refill capped wrong: request %d refused", i)
		}
	}
	if ok, _ := l.allow("a", 1); ok {
		t.Fatal("bucket grew past its burst")
	}
}

func TestLimiterBoundsClients(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(1, 1, func() time.Time { return now })
	for i := range maxClients + 10 {
		l.allow(fmt.Sprint("client", i), 1) // each empties its bucket
	}
	if n := len(l.clients); n > maxClients {
		t.Fatalf("%d clients remembered, the bound is %d", n, maxClients)
	}
	now = now.Add(time.Minute) // all refilled: a sweep forgets them
	l.allow("late", 1)
	l.sweep(now)
	if n := len(l.clients); n > 1 {
		t.Fatalf("%d clients after a sweep of full buckets", n)
	}
}
