package api_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// verifyAll verifies the txs' signatures on all cores, as the mempool
// does, and returns how long it took: the machine's floor for admitting
// them.
func verifyAll(txs []*core.Tx) time.Duration {
	msgs := make([][]byte, len(txs))
	for i, tx := range txs {
		msgs[i] = tx.SigningBytes()
	}
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(txs); i = int(next.Add(1) - 1) {
				if !ed25519.Verify(txs[i].From[:], msgs[i], txs[i].Signature[:]) {
					panic("verify failed")
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkPostBatch500 measures sustained admission through POST
// /api/v1/txs/batch over loopback HTTP, in batches of 500 fresh signed
// transfers from distinct senders, with one batch in flight at a time and
// with two (as concurrent clients would: one batch's serial work overlaps
// the other's signature checks). It reports the rate as a fraction of the
// machine's all-core ed25519.Verify rate (every tx needs one Verify),
// measured in the same run and interleaved with the batches (each batch's
// signatures are verified on all cores while the timer is stopped) so that
// both see the same load from the rest of the machine. Signing and
// encoding the batches is outside the timer too.
func BenchmarkPostBatch500(b *testing.B) {
	for _, inflight := range []int{1, 2} {
		b.Run(fmt.Sprintf("inflight=%d", inflight), func(b *testing.B) { benchPostBatch(b, 500, inflight) })
	}
}

func benchPostBatch(b *testing.B, batch, inflight int) {
	const senders = 2000 // each gets a tx every senders/batch batches
	e := newEnv(b, senders, disableRateLimit)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: inflight}}
	nonces := make([]uint64, senders)
	keys := make([]testkit.Key, senders)
	for i := range senders {
		keys[i] = key(i)
	}
	next := 0
	// build signs the next batch and returns its body and txs.
	build := func() ([]byte, []*core.Tx) {
		js := make([]core.TxJSON, batch)
		txs := make([]*core.Tx, batch)
		for j := range js {
			s := next % senders
			next++
			tx := keys[s].Transfer(testChain, keys[(s+1)%senders].Addr, 1, testMinFee, nonces[s])
			nonces[s]++
			txs[j] = tx
			js[j] = tx.JSON(core.DefaultAddressPrefix)
			js[j].ID, js[j].FromAddress = "", ""
		}
		data, err := json.Marshal(js)
		if err != nil {
			b.Fatal(err)
		}
		return data, txs
	}
	post := func(data []byte) error {
		resp, err := client.Post(e.ts.URL+"/api/v1/txs/batch", "application/json", bytes.NewReader(data))
		if err != nil {
			return err
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return fmt.Errorf("batch: %d %s %v", resp.StatusCode, out, err)
		}
		var res []wire.BatchResult
		if err := json.Unmarshal(out, &res); err != nil || len(res) != batch {
			return fmt.Errorf("batch results: %v", err)
		}
		for i, r := range res {
			if r.Error != nil {
				return fmt.Errorf("item %d rejected: %+v", i, r.Error)
			}
		}
		return nil
	}
	// drain mines the pool empty before senders reach the per-sender
	// limit (64 pending txs).
	drain := func() {
		for e.n.Pool.Count() > 0 {
			if _, err := e.n.MineOne(b.Context(), core.Address{}); err != nil {
				b.Fatal(err)
			}
		}
		next = 0
	}
	if data, _ := build(); post(data) != nil { // warm up connections and caches
		b.Fatal("warm-up batch failed")
	}
	var verifying time.Duration
	bodies := make([][]byte, inflight)
	errs := make([]error, inflight)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if next+inflight*batch > 60*senders {
			drain()
		}
		for k := range bodies {
			var txs []*core.Tx
			bodies[k], txs = build()
			verifying += verifyAll(txs)
		}
		b.StartTimer()
		var wg sync.WaitGroup
		for k := range bodies {
			wg.Go(func() { errs[k] = post(bodies[k]) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	n := float64(batch * inflight * b.N)
	rate := n / b.Elapsed().Seconds()
	verify := n / verifying.Seconds()
	b.ReportMetric(rate, "txs/s")
	b.ReportMetric(verify, "verify/s")
	b.ReportMetric(rate/verify, "ratio")
}

// BenchmarkGetAccount measures GET /api/v1/accounts/{address} requests per
// second from parallel clients over loopback, and reports it as a
// fraction of a bare net/http handler answering a small JSON body on the
// same machine, measured in the same run.
func BenchmarkGetAccount(b *testing.B) {
	e := newEnv(b, 64, nil)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	get := func(url string) {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", url, resp.StatusCode)
		}
	}
	// The machine's limit: a handler that does nothing but answer.
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"address":"cairn1","balance":1,"nonce":0,"pending_balance":1,"pending_nonce":0}`))
	}))
	defer bare.Close()
	limit := parallelRate(bare.URL, get, 500*time.Millisecond)

	urls := make([]string, 64)
	for i := range urls {
		urls[i] = e.ts.URL + "/api/v1/accounts/" + addr(i).Encode(core.DefaultAddressPrefix)
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(n.Add(1))
		for pb.Next() {
			get(urls[i%len(urls)])
			i++
		}
	})
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "req/s")
	b.ReportMetric(limit, "bare-req/s")
	b.ReportMetric(rate/limit, "ratio")
}

// parallelRate runs GOMAXPROCS clients against url for about d, as
// b.RunParallel would, and returns requests per second.
func parallelRate(url string, get func(string), d time.Duration) float64 {
	var total atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				get(url)
				total.Add(1)
			}
		})
	}
	wg.Wait()
	return float64(total.Load()) / time.Since(start).Seconds()
}

// BenchmarkPostSingle measures the one-request-per-tx path: one
// keep-alive client posting fresh signed transfers to POST /api/v1/txs one
// after the other, each waiting for its answer. Every iteration also
// posts the same number of txs as one POST /txs/batch on the same node,
// so that the two rates come from the same run, interleaved; the ratio
// single/batch is reported (aim: 0.5). With durable=1 every single POST
// asks for the strict durable acknowledgement (?durable=true), which
// waits for its group commit.
func BenchmarkPostSingle(b *testing.B) {
	for _, durable := range []bool{false, true} {
		b.Run(fmt.Sprintf("durable=%v", durable), func(b *testing.B) { benchPostSingle(b, durable) })
	}
}

func benchPostSingle(b *testing.B, durable bool) {
	const senders, chunk = 2000, 500
	e := newEnv(b, senders, disableRateLimit)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	nonces := make([]uint64, senders)
	keys := make([]testkit.Key, senders)
	for i := range senders {
		keys[i] = key(i)
	}
	next := 0
	sign := func(n int) [][]byte {
		bodies := make([][]byte, n)
		for j := range bodies {
			s := next % senders
			next++
			tx := keys[s].Transfer(testChain, keys[(s+1)%senders].Addr, 1, testMinFee, nonces[s])
			nonces[s]++
			js := tx.JSON(core.DefaultAddressPrefix)
			js.ID, js.FromAddress = "", ""
			data, err := json.Marshal(js)
			if err != nil {
				b.Fatal(err)
			}
			bodies[j] = data
		}
		return bodies
	}
	single := e.ts.URL + "/api/v1/txs"
	if durable {
		single += "?durable=true"
	}
	post := func(url string, body []byte, want int) {
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != want {
			b.Fatalf("POST %s: %d %s %v", url, resp.StatusCode, out, err)
		}
		if want == http.StatusOK && bytes.Contains(out, []byte(`"error"`)) {
			b.Fatalf("batch item rejected: %.300s", out)
		}
	}
	drain := func() {
		for e.n.Pool.Count() > 0 {
			if _, err := e.n.MineOne(b.Context(), core.Address{}); err != nil {
				b.Fatal(err)
			}
		}
		next = 0
	}
	post(single, sign(1)[0], http.StatusAccepted) // warm up
	var singleTime, batchTime time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		if next+2*chunk > 60*senders {
			drain()
		}
		bodies := sign(chunk)
		batch := append([]byte{'['}, bytes.Join(sign(chunk), []byte{','})...)
		batch = append(batch, ']')
		b.StartTimer()
		start := time.Now()
		for _, body := range bodies {
			post(single, body, http.StatusAccepted)
		}
		mid := time.Now()
		post(e.ts.URL+"/api/v1/txs/batch", batch, http.StatusOK)
		singleTime += mid.Sub(start)
		batchTime += time.Since(mid)
	}
	n := float64(chunk * b.N)
	b.ReportMetric(n/singleTime.Seconds(), "single-txs/s")
	b.ReportMetric(n/batchTime.Seconds(), "batch-txs/s")
	b.ReportMetric(batchTime.Seconds()/singleTime.Seconds(), "ratio")
}
