package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-chain/cairn/anchor"
	"github.com/cairn-chain/cairn/anchor/memo"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/fsutil"
	"github.com/spf13/cobra"
)

// receiptSuffix ends every receipt file name; a directory walk skips such
// files, so anchoring a folder twice does not anchor its old receipts.
const receiptSuffix = ".receipt.json"

// saltRandom is --salt without a value: a random salt per file.
const saltRandom = "random"

// progressEvery bounds how often progress lines are printed.
const progressEvery = 2 * time.Second

// anchorOpts are the flags of cairn anchor.
type anchorOpts struct {
	keys          keyFlags
	from, fee     string
	nonce         uint64
	topic, salt   string
	out, outDir   string
	filesFrom     string
	timeout       time.Duration
	confirmations uint64
}

func newAnchorCmd(g *globals) *cobra.Command {
	var o anchorOpts
	cmd := &cobra.Command{
		Use:   "anchor FILE|DIR... --from NAME|ADDRESS [--topic ID] [--salt] [--out-dir DIR] [--node URL]",
		Short: "Put files' commitments on chain in one tx and write a receipt for each",
		Long: `Anchor files: hash them (on every core, streaming), put the RFC 6962 root of
their commitments in one data tx (amount 0, sent to the sender's own
address), wait until it is confirmed (--confirmations deep), then write one
receipt per file: the file's hash, its path in the batch tree, the signed
tx, its Merkle proof in the block, the chain's genesis and the headers from
the block's parent to the tip (proof of authority: and the headers below
that carry a vote, from which the signer set is replayed). "cairn verify-anchor" checks a receipt against its
file, with a node or offline.

Files are named as arguments (a directory: every regular file under it,
except receipts), and/or listed one per line in --files-from ("-": standard
input). The files never leave this machine.

--salt commits to SHA-256(salt || SHA-256(file)) with a random 32-byte salt
per file (kept in its receipt): a receipt then discloses its own record
only, and no one can confirm a guess of a file's content against the chain.
--salt=HEX uses one salt for every file (its receipts' holders can test
guesses of the batch's other files). --topic names a shipment, lot or case:
"cairn history --topic" and GET /api/v1/anchors?topic= list its anchors.

Each receipt goes next to its file (FILE.receipt.json), in --out-dir, or
for one file to --out; existing receipts are never overwritten. The salts
exist only in the receipts: keep them.`,
		Example: `  cairn anchor contract.pdf --from alice
  cairn anchor invoices/ packing-list.pdf --from alice --topic SHIP-2026-0042 --salt --out-dir receipts/
  find docs -name '*.pdf' | cairn anchor --files-from - --from alice --salt
  cairn verify-anchor contract.pdf contract.pdf.receipt.json --offline`,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, g, args) },
	}
	o.keys.register(cmd, false)
	registerSender(cmd, &o.from, &o.fee)
	f := cmd.Flags()
	f.Uint64Var(&o.nonce, "nonce", 0, "the sender's nonce (default: its pending nonce from the node)")
	f.StringVar(&o.topic, "topic", "", "a topic for the batch: a shipment, lot or case id (1 to 64 bytes)")
	f.StringVar(&o.salt, "salt", "", "salt each commitment: a random salt per file, or --salt=HEX for one salt for all")
	f.Lookup("salt").NoOptDefVal = saltRandom
	f.StringVarP(&o.out, "out", "o", "", "receipt file, when anchoring one file (default FILE.receipt.json)")
	f.StringVar(&o.outDir, "out-dir", "", "write the receipts in this directory, as NAME.receipt.json (default: next to each file)")
	f.StringVar(&o.filesFrom, "files-from", "", `read more file names from this file, one per line ("-": standard input)`)
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up waiting for confirmation after this long (exit 1)")
	f.Uint64Var(&o.confirmations, "confirmations", 1, "blocks on top of and including the tx's block to wait for")
	return cmd
}

// saltFunc returns the salt of each file, or nil for unsalted commitments.
func (o *anchorOpts) saltFunc(w io.Writer) (func() ([]byte, error), error) {
	switch o.salt {
	case "":
		return nil, nil
	case saltRandom:
		return func() ([]byte, error) {
			s := make([]byte, anchor.SaltSize)
			_, err := rand.Read(s)
			return s, err
		}, nil
	}
	s, err := hex.DecodeString(o.salt)
	if err != nil || len(s) < 16 || len(s) > 64 {
		return nil, usageError{fmt.Errorf("--salt=%s: want 16 to 64 bytes of hex, or --salt alone for a random salt per file", o.salt)}
	}
	fmt.Fprintln(w, "note: one --salt for every file: a holder of any receipt of this batch can test guesses of its other files")
	return func() ([]byte, error) { return s, nil }, nil
}

func (o *anchorOpts) run(cmd *cobra.Command, g *globals, args []string) error {
	if err := requireFlags(cmd, "from"); err != nil {
		return err
	}
	if len(args) == 0 && o.filesFrom == "" {
		return usageError{errors.New("name the FILEs or DIRs to anchor, or --files-from LIST")}
	}
	if o.confirmations == 0 {
		return usageError{errors.New("--confirmations: at least 1")}
	}
	if cmd.Flags().Changed("fee") {
		if err := checkCoinsSyntax("fee", o.fee); err != nil {
			return err
		}
	}
	if cmd.Flags().Changed("topic") {
		if err := memo.CheckTopic(o.topic); err != nil {
			return usageError{fmt.Errorf("--%v", err)}
		}
	}
	w, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
	salt, err := o.saltFunc(errw)
	if err != nil {
		return err
	}
	files, err := collectFiles(cmd, args, o.filesFrom)
	if err != nil {
		return err
	}
	if o.out != "" && len(files) != 1 {
		return usageError{fmt.Errorf("--out names one receipt, for %d files: use --out-dir", len(files))}
	}
	outs, err := o.receiptPaths(files)
	if err != nil {
		return err
	}

	// Hash every file before anything is sent: a file that cannot be read
	// stops the batch.
	ctx := cmd.Context()
	start := time.Now()
	prog := newProgress(errw, "hashed", "files", len(files))
	sums, err := anchor.HashFiles(ctx, files, 0, prog.update)
	if err != nil {
		return err
	}
	job, err := anchor.NewJob(sums, o.topic, salt)
	if err != nil {
		return err
	}
	if len(files) == 1 {
		fmt.Fprintf(w, "%s: %d bytes, sha256 %s\n", files[0], sums[0].Size, sums[0].Sum)
	} else {
		var total int64
		for _, s := range sums {
			total += s.Size
		}
		el := time.Since(start)
		rate := ""
		if total >= 1<<20 {
			rate = fmt.Sprintf(" (%.0f MiB/s)", float64(total)/(1<<20)/max(el.Seconds(), 1e-9))
		}
		fmt.Fprintf(w, "hashed %d files, %s, in %s%s\n", len(files), mib(total), el.Round(time.Millisecond), rate)
	}
	kind := "unsalted"
	if salt != nil {
		kind = "salted"
	}
	topic := ""
	if o.topic != "" {
		topic = fmt.Sprintf(" under topic %q", o.topic)
	}
	fmt.Fprintf(w, "batch root %s of %s (%s)%s\n", job.Root(), plural(uint64(len(files)), "commitment"), kind, topic)

	c, st, err := g.clientStatus(ctx)
	if err != nil {
		return err
	}
	genesis, err := nodeGenesis(ctx, c, st)
	if err != nil {
		return err
	}
	tx, err := o.signAndSubmit(cmd, c, st, job)
	if err != nil {
		return err
	}
	id := tx.ID().String()
	fmt.Fprintf(w, "submitted data tx %s; waiting for %s...\n", id, plural(o.confirmations, "confirmation"))
	if _, err := waitConfirmed(ctx, c, id, o.confirmations, o.timeout, w); err != nil {
		return err
	}
	confirmed := time.Now()
	a, err := fetchAnchored(ctx, c, tx, genesis, st.AddressPrefix)
	if err != nil {
		return err
	}
	rcs, err := job.Receipts(a, time.Now())
	if err != nil {
		return fmt.Errorf("tx %s is confirmed but its receipts do not check (none written): %w", id, err)
	}
	if err := writeReceipts(rcs, outs, newProgress(errw, "wrote", "receipts", len(rcs))); err != nil {
		return err
	}
	rc := rcs[0]
	fmt.Fprintf(w, "anchored in block %d %s at %s\n", rc.Height, rc.BlockHash, rc.BlockTime)
	if len(outs) == 1 {
		fmt.Fprintf(w, "receipt written to %s\n", outs[0])
	} else {
		where := "next to each file"
		if o.outDir != "" {
			where = "in " + o.outDir
		}
		fmt.Fprintf(w, "%d receipts written %s, %s after confirmation\n", len(outs), where, time.Since(confirmed).Round(time.Millisecond))
	}
	return nil
}

// collectFiles lists the files named by args (a directory: the regular
// files under it, in lexical order, receipts skipped) and in the list
// file, refusing a name given twice.
func collectFiles(cmd *cobra.Command, args []string, list string) ([]string, error) {
	var files []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && !strings.HasSuffix(p, receiptSuffix) {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if list != "" {
		var r io.Reader = cmd.InOrStdin()
		if list != "-" {
			f, err := os.Open(list)
			if err != nil {
				return nil, fmt.Errorf("--files-from: %w", err)
			}
			defer f.Close()
			r = f
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			if name := strings.TrimRight(sc.Text(), "\r"); name != "" {
				files = append(files, name)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("--files-from %s: %w", list, err)
		}
	}
	if len(files) == 0 {
		return nil, errors.New("no files to anchor (directories hold no regular files, the list is empty)")
	}
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		if seen[abs] {
			return nil, fmt.Errorf("%s is named twice", f)
		}
		seen[abs] = true
	}
	return files, nil
}

// receiptPaths returns each file's receipt path, refusing existing files
// and two files whose receipts would collide.
func (o *anchorOpts) receiptPaths(files []string) ([]string, error) {
	outs := make([]string, len(files))
	seen := make(map[string]string, len(files))
	for i, f := range files {
		switch {
		case o.out != "":
			outs[i] = o.out
		case o.outDir != "":
			outs[i] = filepath.Join(o.outDir, filepath.Base(f)+receiptSuffix)
		default:
			outs[i] = f + receiptSuffix
		}
		if other, ok := seen[outs[i]]; ok {
			return nil, fmt.Errorf("%s and %s would both write %s: anchor them in separate runs or without --out-dir", other, f, outs[i])
		}
		seen[outs[i]] = f
		if _, err := os.Stat(outs[i]); err == nil {
			return nil, fmt.Errorf("%s already exists: give another --out or --out-dir, or move it away", outs[i])
		}
	}
	if o.outDir != "" {
		// A missing directory is made (one level or more, as mkdir -p);
		// a file of that name is an error.
		if fi, err := os.Stat(o.outDir); err == nil && !fi.IsDir() {
			return nil, fmt.Errorf("--out-dir %s: not a directory", o.outDir)
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("--out-dir: %w", err)
		}
		if err := os.MkdirAll(o.outDir, 0o755); err != nil {
			return nil, fmt.Errorf("--out-dir: %w", err)
		}
	}
	return outs, nil
}

// nodeGenesis fetches the node's genesis document and checks that it is
// the chain the node says it is on.
func nodeGenesis(ctx context.Context, c *client.Client, st *wire.Status) ([]byte, error) {
	raw, err := c.Genesis(ctx)
	if err != nil {
		return nil, fmt.Errorf("the node's genesis: %w", err)
	}
	g, err := core.ParseGenesis(raw)
	if err != nil {
		return nil, fmt.Errorf("the node's genesis: %w", err)
	}
	if h := g.Hash().String(); h != st.Genesis {
		return nil, fmt.Errorf("the node's genesis document hashes to %s, its status says genesis %s", h, st.Genesis)
	}
	return raw, nil
}

// signAndSubmit signs the batch's data tx and submits it.
func (o *anchorOpts) signAndSubmit(cmd *cobra.Command, c *client.Client, st *wire.Status, job *anchor.Job) (*core.Tx, error) {
	ctx := cmd.Context()
	ci := infoFromStatus(st)
	m, err := job.Memo()
	if err != nil {
		return nil, err
	}
	t := &transfer{ci: ci, memo: m}
	if t.fee, err = parseFee(cmd, o.fee, ci); err != nil {
		return nil, err
	}
	if t.ks, err = o.keys.open(false); err != nil {
		return nil, err
	}
	if t.from, err = findKey(t.ks, o.from, ci.prefix); err != nil {
		return nil, err
	}
	t.to = t.from.Address
	fromAddr := t.from.Address.Encode(ci.prefix)
	acct, err := account(ctx, c, fromAddr)
	if err != nil {
		return nil, err
	}
	if acct.PendingBalance < t.fee {
		return nil, fmt.Errorf("insufficient funds: balance %s, the fee is %s, in wallet %q (%s)",
			ci.coins(acct.PendingBalance), ci.coins(t.fee), t.from.Name, fromAddr)
	}
	nonce := acct.PendingNonce
	if cmd.Flags().Changed("nonce") {
		nonce = o.nonce
	}
	tx, err := t.sign(cmd, &o.keys, nonce)
	if err != nil {
		return nil, err
	}
	if _, err := c.SubmitTx(ctx, tx); err != nil {
		return nil, err
	}
	return tx, nil
}

// fetchAnchored fetches what the receipts need once the tx is confirmed:
// its proof, the main-chain headers from the block's parent to the tip
// and (PoA) the headers below them that carry a vote, from which the
// signer set is replayed. If the tx moves to another block meanwhile (a
// reorganisation), it starts over, a few times.
func fetchAnchored(ctx context.Context, c *client.Client, tx *core.Tx, genesis []byte, prefix string) (*anchor.Anchored, error) {
	g, err := core.ParseGenesis(genesis)
	if err != nil {
		return nil, err
	}
	id := tx.ID().String()
	for range 3 {
		proof, err := c.Proof(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("tx %s is confirmed but its proof could not be fetched: %w", id, err)
		}
		from := uint64(1)
		if proof.Height > 1 {
			from = proof.Height - 1
		}
		var votes []core.Header
		if g.IsPoA() {
			if votes, err = fetchVoteHeaders(ctx, c, from); err != nil {
				return nil, err
			}
		}
		headers, err := fetchHeaders(ctx, c, from)
		if err != nil {
			return nil, err
		}
		last := headers[len(headers)-1].Height
		if proof.Height >= from && proof.Height <= last && headers[proof.Height-from].Hash().String() == proof.BlockHash {
			return &anchor.Anchored{Genesis: genesis, Tx: tx, From: tx.Sender().Encode(prefix), Proof: *proof, VoteHeaders: votes, Headers: headers, Node: c.BaseURL()}, nil
		}
	}
	return nil, fmt.Errorf("tx %s keeps moving between blocks (reorganisations): run again later", id)
}

// fetchVoteHeaders returns the main chain's headers below height below
// that carry a vote, ascending, each checked to hash to the hash the node
// gave. (Whether they are all of them, signed by the right signers, is
// for the receipt's check: Receipts verifies every receipt it writes.)
func fetchVoteHeaders(ctx context.Context, c *client.Client, below uint64) ([]core.Header, error) {
	var out []core.Header
	for from := uint64(1); from < below; {
		page, err := c.VoteHeaders(ctx, from, below)
		if err != nil {
			return nil, fmt.Errorf("vote headers from height %d: %w", from, err)
		}
		for i := range page.Headers {
			h, err := anchor.HeaderFromWire(&page.Headers[i])
			if err != nil {
				return nil, err
			}
			if h.Height < from || h.Height >= below || (len(out) > 0 && h.Height <= out[len(out)-1].Height) {
				return nil, fmt.Errorf("the node listed a vote header at height %d, out of order (from %d, below %d)", h.Height, from, below)
			}
			out = append(out, *h)
		}
		if page.Next <= from && page.Next < below {
			return nil, fmt.Errorf("the node's vote headers do not advance past height %d", from)
		}
		if page.Below < below { // the node's tip is lower than the block's parent: it reorganised
			return nil, fmt.Errorf("the node's main chain is below height %d now: run again later", below)
		}
		from = page.Next
	}
	return out, nil
}

// fetchHeaders returns the main-chain headers from height from to the
// tip, each checked to hash to the hash the node gave and to follow the
// one before. If the tip changes between pages (a reorganisation), it
// starts over, a few times.
func fetchHeaders(ctx context.Context, c *client.Client, from uint64) ([]core.Header, error) {
	for range 5 {
		out, moved, err := fetchHeadersOnce(ctx, c, from)
		if err != nil || !moved {
			return out, err
		}
	}
	return nil, fmt.Errorf("the node's main chain keeps changing while its headers are fetched: run again later")
}

func fetchHeadersOnce(ctx context.Context, c *client.Client, from uint64) (out []core.Header, moved bool, err error) {
	for {
		page, err := c.Blocks(ctx, from+uint64(len(out)), 100)
		if err != nil {
			return nil, false, fmt.Errorf("headers from height %d: %w", from+uint64(len(out)), err)
		}
		for i := range page {
			h, err := anchor.HeaderFromWire(&page[i])
			if err != nil {
				return nil, false, err
			}
			if want := from + uint64(len(out)); h.Height != want {
				return nil, false, fmt.Errorf("the node answered height %d for %d", h.Height, want)
			}
			if n := len(out); n > 0 && h.PrevHash != out[n-1].Hash() {
				return nil, true, nil
			}
			out = append(out, *h)
		}
		if len(page) < 100 {
			break
		}
	}
	if len(out) == 0 {
		return nil, false, fmt.Errorf("the node has no block at height %d", from)
	}
	return out, false, nil
}

// writeReceipts writes the receipts, several at a time, each to a temp
// file renamed into place (never a torn receipt under its name), then
// makes them durable: the salts exist nowhere else.
func writeReceipts(rcs []*anchor.Receipt, outs []string, prog *progress) error {
	encoded, err := anchor.MarshalBatch(rcs)
	if err != nil {
		return err
	}
	var next atomic.Int64
	var done atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, 4*runtime.GOMAXPROCS(0))
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(rcs) {
					return
				}
				var err error
				if syncAtEnd {
					err = writeFileRenamed(outs[i], encoded[i])
				} else {
					err = fsutil.WriteFileAtomic(outs[i], encoded[i], 0o644)
				}
				if err != nil {
					errs[w] = fmt.Errorf("write %s: %w", outs[i], err)
					next.Store(int64(len(rcs)))
					return
				}
				prog.update(int(done.Add(1)), 0)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if !syncAtEnd {
		return nil
	}
	dirs := map[string]bool{}
	for _, o := range outs {
		dirs[filepath.Dir(o)] = true
	}
	for d := range dirs {
		if err := syncFS(d); err != nil {
			return fmt.Errorf("sync the receipts in %s: %w", d, err)
		}
	}
	return nil
}

// writeFileRenamed writes data to a temp file beside path and renames it
// to path, which must not exist (a receipt is never overwritten).
func writeFileRenamed(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the link
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// A hard link fails if path exists, where a rename would replace it.
	return os.Link(tmp.Name(), path)
}

// progress prints a line now and then while many files are processed.
type progress struct {
	mu         sync.Mutex
	w          io.Writer
	verb, noun string
	total      int
	last       time.Time
}

func newProgress(w io.Writer, verb, noun string, total int) *progress {
	return &progress{w: w, verb: verb, noun: noun, total: total, last: time.Now()}
}

// update reports files done (and bytes, if known); safe for concurrent use.
func (p *progress) update(files int, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if files == p.total || time.Since(p.last) < progressEvery {
		return
	}
	p.last = time.Now()
	if bytes > 0 {
		fmt.Fprintf(p.w, "%s %d of %d %s (%s)...\n", p.verb, files, p.total, p.noun, mib(bytes))
	} else {
		fmt.Fprintf(p.w, "%s %d of %d %s...\n", p.verb, files, p.total, p.noun)
	}
}

func mib(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
