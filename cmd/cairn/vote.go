package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
	"github.com/spf13/cobra"
)

func newVoteCmd(g *globals) *cobra.Command {
	return group("vote add|drop KEY_OR_WALLET", "Propose adding or dropping a signer (admin, proof of authority)",
		`Make the node's signer propose adding (vote add) or dropping (vote drop) a
signer of a proof-of-authority chain. Every header the node seals then
votes for it, until a majority of the signers voted alike (the set changes)
or the epoch ends; "cairn consensus" shows the tallies. The node must have
been started with --signer NAME.

KEY_OR_WALLET is the signer's Ed25519 public key (64 hex characters), or the
name or address of a wallet in the local keystore (its public key is sent).
To drop a signer, the address of a current signer also works (the node
resolves it against its signer set); an address alone cannot add one: a
key cannot be recovered from its address.

This is an admin command: give the node's token with --token, CAIRN_TOKEN
or --token-file <datadir>/api.token.`,
		newVoteSubCmd(g, true), newVoteSubCmd(g, false))
}

func newVoteSubCmd(g *globals, add bool) *cobra.Command {
	var keys keyFlags
	var asJSON bool
	use, short := "add KEY_OR_WALLET", "Propose adding a signer"
	if !add {
		use, short = "drop KEY_OR_WALLET|ADDRESS", "Propose dropping a signer"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Example: `  cairn vote add 3b6a27bc...e5a1 --token-file ./data/api.token
  cairn vote add alice --keystore ./keystore --token-file ./data/api.token
  cairn vote drop cairn1... --token-file ./data/api.token`,
		Args: exactArgs(1, "one KEY_OR_WALLET"),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := strings.TrimSpace(args[0])
			if len(arg) >= 32 && isHex(arg) && len(arg) != 2*core.PublicKeySize {
				return usageError{fmt.Errorf("%q: a public key is %d hex characters, got %d", arg, 2*core.PublicKeySize, len(arg))}
			}
			ctx := cmd.Context()
			c, err := g.client(true)
			if err != nil {
				return err
			}
			req, err := voteTarget(ctx, c, &keys, arg, add)
			if err != nil {
				return err
			}
			ps, err := c.VoteRequest(ctx, req)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), ps)
			}
			printProposals(cmd.OutOrStdout(), ps.Proposals)
			return nil
		},
	}
	keys.register(cmd, false)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// isHex reports whether s is a non-empty run of hex digits.
func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return s != ""
}

// voteTarget resolves KEY_OR_WALLET: a public key, a keystore wallet (by
// name or address), or for a drop a current signer's address.
func voteTarget(ctx context.Context, c *client.Client, keys *keyFlags, arg string, add bool) (wire.VoteRequest, error) {
	req := wire.VoteRequest{Add: add}
	if k, err := core.ParsePublicKey(arg); err == nil {
		req.Signer = k.String()
		return req, nil
	}
	st, err := c.Status(ctx)
	if err != nil {
		return req, err
	}
	prefix := infoFromStatus(st).prefix
	if ks, err := keys.open(false); err == nil {
		e, err := ks.Find(arg, prefix)
		if err == nil {
			req.Signer = e.PublicKey.String()
			return req, nil
		}
		if !errors.Is(err, wallet.ErrNotFound) {
			return req, err
		}
	}
	if _, err := core.ParseAddress(arg, prefix); err == nil {
		if add {
			return req, usageError{fmt.Errorf("%s: adding a signer needs its public key (64 hex) or a keystore wallet: a key cannot be recovered from an address", arg)}
		}
		req.Address = arg
		return req, nil
	}
	return req, usageError{fmt.Errorf("%q is not a public key (64 hex), an address, or a wallet in the keystore (--keystore)", arg)}
}

func printProposals(w io.Writer, ps []wire.Proposal) {
	if len(ps) == 0 {
		fmt.Fprintln(w, "no pending proposals")
		return
	}
	fmt.Fprintln(w, "this node's pending proposals:")
	for _, p := range ps {
		state := "voting"
		if p.InEffect {
			state = "in effect at the tip: no vote cast"
		}
		fmt.Fprintf(w, "  %-4s %s (%s): %s\n", addDrop(p.Add), p.Target, p.Address, state)
	}
}

func addDrop(add bool) string {
	if add {
		return "add"
	}
	return "drop"
}

func newConsensusCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "consensus",
		Short: "Show the chain's consensus engine: difficulty, or signers and votes",
		Long: `Show the chain's consensus engine at the node's tip: for proof of work the
difficulty; for proof of authority the signers (the one in turn for the
next height marked *), the votes counted since the epoch began and the
node's own pending proposals (see "cairn vote").`,
		Example: `  cairn consensus
  cairn consensus --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client(false)
			if err != nil {
				return err
			}
			v, err := c.Consensus(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), v)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "tip           %d %s\n", v.Height, v.Hash)
			if v.Engine != wire.EnginePoA {
				fmt.Fprintf(w, "engine        proof of work\n")
				fmt.Fprintf(w, "difficulty    %.6g (bits %s)\n", v.Difficulty, v.Bits)
				return nil
			}
			fmt.Fprintf(w, "engine        proof of authority (period %dms, epoch %d blocks)\n", v.PeriodMs, v.Epoch)
			fmt.Fprintf(w, "signers       %d (a vote passes with %d; * in turn next)\n", len(v.Signers), v.Needed)
			for _, s := range v.Signers {
				mark := " "
				if v.InTurn != nil && v.InTurn.Key == s.Key {
					mark = "*"
				}
				fmt.Fprintf(w, "  %s %s %s\n", mark, s.Key, s.Address)
			}
			if len(v.Votes) == 0 {
				fmt.Fprintln(w, "votes         none")
			} else {
				fmt.Fprintln(w, "votes")
				for _, t := range v.Votes {
					fmt.Fprintf(w, "  %-4s %s (%s): %d of %d\n", addDrop(t.Add), t.Target, t.Address, t.Votes, v.Needed)
				}
			}
			printProposals(w, v.Proposals)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}
