package par

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestEachCallsEveryItemOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 1000} {
		for _, per := range []int{0, 1, 8, 64} {
			calls := make([]atomic.Int32, n)
			Each(n, per, func(k int) { calls[k].Add(1) })
			for k := range calls {
				if c := calls[k].Load(); c != 1 {
					t.Fatalf("n=%d per=%d: item %d called %d times", n, per, k, c)
				}
			}
		}
	}
}

func TestEachUsesEveryCore(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("one core: nothing runs in parallel")
	}
	// Two items that each wait for the other can only finish if they run
	// at the same time.
	a, b := make(chan struct{}), make(chan struct{})
	Each(2, 1, func(k int) {
		if k == 0 {
			close(a)
			<-b
		} else {
			close(b)
			<-a
		}
	})
}
