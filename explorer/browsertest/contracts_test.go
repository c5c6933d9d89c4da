package browsertest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/contracts"
	"github.com/cairn-chain/cairn/core"
)

// tokenTransfer is the example token's transfer input: 01 | to | amount.
func tokenTransfer(to core.Address, amount uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{1}, to[:]...), amount)
}

// tokenEvent is the data of the token's transfer event: from | to | amount.
func tokenEvent(from, to core.Address, amount uint64) string {
	return hex.EncodeToString(binary.BigEndian.AppendUint64(append(append([]byte{}, from[:]...), to[:]...), amount))
}

// TestContractsInBrowser deploys the example token on a real node, makes
// a call that succeeds and one that aborts (a transfer above the caller's
// balance), and opens the explorer: each tx page shows its kind's rows and
// its receipt (success, or failed with its code and message; gas; fee;
// events), the contract page its record and its events oldest first, and
// an event of a new call appears there without a reload (the event
// stream's contract_event) while its storage count follows; the
// contract's account links to its page, tables summarise the calls,
// malformed and unknown addresses get clear messages, and nothing logs an
// error.
func TestContractsInBrowser(t *testing.T) {
	chromiumPath(t) // skip (or fail under CI) before starting any node
	b := scenarios.NewBuilder()
	c := startChainNode(t, b)
	n := c.n
	price := b.Genesis.Contracts().GasPrice
	dec := int(b.Genesis.Decimals)
	const deployGas, callGas = 200_000, 50_000
	k0, k1, k2 := b.Keys[0].Addr, b.Keys[1].Addr, b.Keys[2].Addr
	token := core.ContractAddress(k0, c.nonces[0])
	tokenAddr := token.Encode(b.Genesis.AddressPrefix)
	const supply = 1_000_000
	deploy := c.sendFee(0, &core.ContractDeploy{Code: contracts.Token, InitInput: binary.BigEndian.AppendUint64(nil, supply)}, deployGas*price+scenarios.MinFee)
	okCall := c.sendFee(0, &core.ContractCall{Contract: token, Input: tokenTransfer(k1, 250), GasLimit: callGas}, callGas*price+scenarios.MinFee)
	// Key 1 holds 250 tokens: a transfer of 1000 aborts.
	badCall := c.sendFee(1, &core.ContractCall{Contract: token, Input: tokenTransfer(k2, 1000), GasLimit: callGas}, callGas*price+scenarios.MinFee)
	codeHash := sha256.Sum256(contracts.Token)

	// What the node says, to check the pages against.
	get := func(path string, out any) {
		t.Helper()
		resp, err := http.Get(n.APIURL() + "/api/v1" + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	var okInfo, badInfo wire.TxInfo
	get("/txs/"+okCall.String(), &okInfo)
	get("/txs/"+badCall.String(), &badInfo)
	if okInfo.Receipt == nil || okInfo.Receipt.Status != "success" || badInfo.Receipt == nil || badInfo.Receipt.Status != "failed" {
		t.Fatalf("receipts: ok call %+v, bad call %+v", okInfo.Receipt, badInfo.Receipt)
	}

	base := n.APIURL()
	ctx, errs := browser(t)
	began := time.Now()
	open := func(path, ready string) {
		t.Helper()
		t.Logf("%6.1fs open %s", time.Since(began).Seconds(), path)
		if err := chromedp.Run(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(base+path)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Run(wctx, chromedp.WaitVisible(ready, chromedp.ByQuery)); err != nil {
			var main string
			_ = chromedp.Run(ctx, chromedp.Evaluate(textJS("main"), &main))
			t.Fatalf("%s: waiting for %s: %v; the page says %q (console errors: %v)", path, ready, err, main, *errs)
		}
	}
	eval := func(js string, out any) {
		t.Helper()
		if err := chromedp.Run(ctx, chromedp.Evaluate(js, out)); err != nil {
			t.Fatal(err)
		}
	}
	type receiptView struct {
		Status, Error, Code, Msg, Gas, Fee string
		Rows                               map[string]string
		Events                             [][]string
	}
	readReceipt := func() receiptView {
		t.Helper()
		var r receiptView
		eval(`({
			status: (document.getElementById('receipt-status') || {}).textContent || '',
			error: (document.getElementById('receipt-error') || {}).textContent || '',
			code: (document.getElementById('receipt-error-code') || {}).textContent || '',
			msg: (document.getElementById('receipt-error-msg') || {}).textContent || '',
			gas: (document.getElementById('receipt-gas') || {}).textContent || '',
			fee: (document.getElementById('receipt-fee') || {}).textContent || '',
			rows: Object.fromEntries(Array.from(document.querySelectorAll('#receipt > dt')).map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
			events: Array.from(document.querySelectorAll('#receipt-events tr')).map((r) => [r.cells[0].textContent, r.cells[1].textContent, r.cells[2].querySelector('.longhex').dataset.hex]),
		})`, &r)
		return r
	}

	// The deploy: code size and SHA-256, init input, the contract's address
	// from the receipt, linked.
	open("/#/tx/"+deploy.String(), "#receipt-status")
	var v txView
	eval(readTxJS, &v)
	if v.Kind != "contract_deploy" || v.Values["Contract"] != tokenAddr || v.Values["Init input"] != "00000000000f4240" {
		t.Errorf("deploy tx page: %+v", v.Values)
	}
	var sum, size string
	poll(t, ctx, "the code's SHA-256", 10*time.Second, func() bool {
		eval(textJS("#code-sha256"), &sum)
		return sum != ""
	})
	eval(textJS("#code-size"), &size)
	if sum != hex.EncodeToString(codeHash[:]) || size != commas(len(contracts.Token))+" bytes" {
		t.Errorf("deploy's code: %s, SHA-256 %s; want %d bytes, %x", size, sum, len(contracts.Token), codeHash)
	}
	if r := readReceipt(); r.Status != "success" || r.Rows["Contract"] != tokenAddr || len(r.Events) != 1 ||
		!slices.Equal(r.Events[0], []string{"0", "transfer", tokenEvent(core.Address{}, k0, supply)}) {
		t.Errorf("deploy's receipt: %+v", r)
	}

	// The successful call: its rows and its receipt with the event.
	open("/#/tx/"+okCall.String(), "#receipt-status")
	eval(readTxJS, &v)
	for label, want := range map[string]string{"Contract": tokenAddr, "Input": hex.EncodeToString(tokenTransfer(k1, 250)), "Amount": "0", "Gas limit": "50,000"} {
		if v.Values[label] != want {
			t.Errorf("call tx page: %s = %q, want %q", label, v.Values[label], want)
		}
	}
	r := readReceipt()
	if r.Status != "success" || r.Error != "" || r.Gas != commas(int(okInfo.Receipt.GasUsed))+" of 50,000 (gas limit)" ||
		!strings.HasPrefix(r.Fee, coins(okInfo.Receipt.FeeCharged, dec)+" of at most") ||
		len(r.Events) != 1 || !slices.Equal(r.Events[0], []string{"0", "transfer", tokenEvent(k0, k1, 250)}) {
		t.Errorf("call's receipt: %+v", r)
	}
	// Long hex is shortened, with a button that shows it all.
	var shortData, fullData string
	eval(`document.querySelector('#receipt-events .longhex .hex').textContent`, &shortData)
	if err := chromedp.Run(ctx, chromedp.Click("#receipt-events .longhex button.expand", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	eval(`document.querySelector('#receipt-events .longhex .hex').textContent`, &fullData)
	if !strings.Contains(shortData, "…") || fullData != tokenEvent(k0, k1, 250) {
		t.Errorf("event data %q, expanded %q", shortData, fullData)
	}
	screenshot(t, ctx, "tx-contract-call")
	// Its contract link opens the contract's page.
	if err := chromedp.Run(ctx, chromedp.Click("main dl.kv a.contract-link", chromedp.ByQuery), chromedp.WaitVisible("#contract-code-hash", chromedp.ByID)); err != nil {
		t.Fatalf("contract link: %v", err)
	}

	// The failed call: clearly failed, with its code and message, its fee
	// charged, no events.
	open("/#/tx/"+badCall.String(), "#receipt-status")
	r = readReceipt()
	if r.Status != "failed" || r.Code != "aborted" || !strings.Contains(r.Msg, "insufficient balance") || !strings.HasPrefix(r.Error, "Failed (aborted): ") ||
		r.Rows["Error code"] != "aborted" || len(r.Events) != 0 || !strings.HasPrefix(r.Fee, coins(badInfo.Receipt.FeeCharged, dec)+" of at most") {
		t.Errorf("failed call's receipt: %+v", r)
	}
	if r.Msg != badInfo.Receipt.Error {
		t.Errorf("failed call's message %q, the node's %q", r.Msg, badInfo.Receipt.Error)
	}
	screenshot(t, ctx, "tx-contract-failed")

	// The contract page: its record and its events, oldest first.
	var info wire.Contract
	get("/contracts/"+tokenAddr, &info)
	deployLoc, err := n.Chain.Tx(deploy)
	if err != nil {
		t.Fatal(err)
	}
	okLoc, err := n.Chain.Tx(okCall)
	if err != nil {
		t.Fatal(err)
	}
	type eventView struct{ Block, Tx, Index, Topic, Data, When string }
	var page struct {
		Address string
		Rows    map[string]string
		Events  []eventView
		Live    string
	}
	readContract := func() {
		t.Helper()
		eval(`({
			address: document.getElementById('contract-address').textContent,
			rows: Object.fromEntries(Array.from(document.querySelectorAll('#contract > dt')).map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
			events: Array.from(document.querySelectorAll('#contract-events tr')).map((r) => ({
				block: r.cells[0].textContent, when: r.cells[1].textContent, tx: r.dataset.tx, index: r.cells[3].textContent,
				topic: r.cells[4].textContent, data: r.cells[5].querySelector('.longhex').dataset.hex })),
			live: document.getElementById('live').textContent,
		})`, &page)
	}
	open("/#/contract/"+tokenAddr, "#contract-events tr")
	readContract()
	if page.Address != tokenAddr || page.Rows["Code hash"] != hex.EncodeToString(codeHash[:]) ||
		!strings.HasPrefix(page.Rows["Code size"], commas(len(contracts.Token))+" bytes") || page.Rows["Deployer"] != c.addr(0) ||
		page.Rows["Created"] != "block "+commas(int(deployLoc.Height)) || page.Rows["Balance"] != "0" ||
		page.Rows["Storage"] != commas(int(info.StorageKeys))+" keys, "+commas(int(info.StorageBytes))+" bytes" || info.StorageKeys != 3 {
		t.Errorf("contract page: %+v; the node says %+v", page.Rows, info)
	}
	wantEvents := []eventView{
		{Block: commas(int(deployLoc.Height)), Tx: deploy.String(), Index: "0", Topic: "transfer", Data: tokenEvent(core.Address{}, k0, supply)},
		{Block: commas(int(okLoc.Height)), Tx: okCall.String(), Index: "0", Topic: "transfer", Data: tokenEvent(k0, k1, 250)},
	}
	checkEvents := func(want []eventView) bool {
		if len(page.Events) != len(want) {
			return false
		}
		for i, e := range page.Events {
			if !strings.Contains(e.When, time.Now().UTC().Format("2006-01-02")) {
				return false
			}
			e.When = ""
			if e != want[i] {
				return false
			}
		}
		return true
	}
	if !checkEvents(wantEvents) {
		t.Errorf("contract events %+v, want %+v", page.Events, wantEvents)
	}

	// The contract's account, which holds nothing and sent nothing (the
	// node has no account record), links to the contract's page.
	open("/#/account/"+tokenAddr, "#contract-link")
	var href string
	eval(`document.getElementById('contract-link').getAttribute('href')`, &href)
	if href != "#/contract/"+tokenAddr {
		t.Errorf("the contract's account links to %q", href)
	}

	// Live: once the page follows the event stream, a new call's event
	// appears at the bottom without a reload, and the storage count follows
	// (key 2 gets a balance); so does its balance after a payment to it.
	open("/#/contract/"+tokenAddr, "#contract-events tr")
	poll(t, ctx, "the page to follow the event stream", 20*time.Second, func() bool {
		readContract()
		return page.Live == "live"
	})
	third := c.sendFee(1, &core.ContractCall{Contract: token, Input: tokenTransfer(k2, 100), GasLimit: callGas}, callGas*price+scenarios.MinFee)
	thirdLoc, err := n.Chain.Tx(third)
	if err != nil {
		t.Fatal(err)
	}
	wantEvents = append(wantEvents, eventView{Block: commas(int(thirdLoc.Height)), Tx: third.String(), Index: "0", Topic: "transfer", Data: tokenEvent(k1, k2, 100)})
	poll(t, ctx, "the new call's event and storage on the open contract page", 20*time.Second, func() bool {
		readContract()
		return checkEvents(wantEvents) && strings.HasPrefix(page.Rows["Storage"], "4 keys")
	})
	const paid = 12345
	pay := b.Tx(2, token, paid, scenarios.MinFee, c.nonces[2])
	c.nonces[2]++
	if err := n.SubmitLocalTxs([]*core.Tx{pay})[0]; err != nil {
		t.Fatal(err)
	}
	c.mine()
	poll(t, ctx, "the payment in the open contract page's balance", 20*time.Second, func() bool {
		readContract()
		return page.Rows["Balance"] == coins(paid, dec)
	})
	if !checkEvents(wantEvents) {
		t.Errorf("contract events after the payment %+v, want %+v", page.Events, wantEvents)
	}
	screenshot(t, ctx, "contract")

	// Now with an account record, the account still links to the contract,
	// once it has asked; tables summarise the contract txs.
	open("/#/account/"+tokenAddr, "#contract-link")
	var balance string
	eval(textJS("#balance"), &balance)
	if balance != coins(paid, dec) {
		t.Errorf("the contract's account shows balance %q, want %s", balance, coins(paid, dec))
	}
	open("/#/account/"+c.addr(0), "#history .tx-summary")
	var summaries []string
	eval(`Array.from(document.querySelectorAll('#history .tx-summary')).map((s) => s.dataset.kind + ': ' + s.textContent)`, &summaries)
	for _, s := range []string{"contract_deploy: deploy contract, ", "contract_call: call " + tokenAddr[:10] + "…"} {
		if !slices.ContainsFunc(summaries, func(x string) bool { return strings.HasPrefix(x, s) }) {
			t.Errorf("account history summaries %q lack %q", summaries, s)
		}
	}

	// Malformed and unknown addresses get a clear message.
	for path, want := range map[string]string{
		"/#/contract/xyz":          "Not an address",
		"/#/contract/" + c.addr(2): "Not found: no contract at " + c.addr(2),
	} {
		var text string
		open(path, "main .error")
		eval(textJS("main .error"), &text)
		if !strings.Contains(text, want) {
			t.Errorf("%s says %q, want %q", path, text, want)
		}
	}
	if len(*errs) > 0 {
		t.Fatalf("console errors: %v", *errs)
	}
}

// commas writes n as the pages do (en-US grouping).
func commas(n int) string {
	digits := strconv.Itoa(n)
	var s strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			s.WriteByte(',')
		}
		s.WriteRune(c)
	}
	return s.String()
}

// coins writes base units n as the pages do, with d decimals.
func coins(n uint64, d int) string {
	s := strconv.FormatUint(n, 10)
	if d == 0 {
		return s
	}
	for len(s) <= d {
		s = "0" + s
	}
	whole, frac := s[:len(s)-d], strings.TrimRight(s[len(s)-d:], "0")
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}
