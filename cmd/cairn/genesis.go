package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/node"
	"github.com/spf13/cobra"
)

func newGenesisCmd() *cobra.Command {
	return group("genesis", "Create a chain's genesis file",
		`Create the genesis file of a new chain: its parameters and initial balances.
The genesis block commits to all of it, so its hash identifies the chain.`,
		newGenesisNewCmd())
}

func newGenesisNewCmd() *cobra.Command {
	var (
		chainID, prefix, minFee, reward, initialBits, powLimit string
		consensus                                              string
		allocs, signers, admins, restrict, members             []string
		epoch                                                  uint64
		keys                                                   keyFlags
		blockTime, halflife                                    time.Duration
		decimals                                               uint8
		timestamp, halving, maxBlockBytes, maxBlockTxs         uint64
	)
	cmd := &cobra.Command{
		Use:   "new [--chain-id ID] [--alloc ADDRESS=COINS]... [--block-time 5s] [--consensus poa --signer KEY_OR_WALLET...] > genesis.json",
		Short: "Write a new chain's genesis JSON to standard output",
		Long: `Write a new chain's genesis JSON to standard output (and its hash to standard
error). Every parameter not given takes its default; amounts are in coins
with the chain's --decimals places, written to the file in base units.

--consensus poa makes a proof-of-authority chain: the --signer keys (a
public key as 64 hex characters, or a wallet of --keystore) take turns
sealing a block every --block-time; votes in blocks add or drop signers.
Such a chain pays no block reward unless --reward is given (the signers
get the fees).

Account permissions (see "cairn perm"): --restrict submit|issue|deploy
limits sending any tx, creating assets or deploying contracts to the
role's members (--member ROLE=ADDRESS) and the admins (--admin ADDRESS),
who grant and revoke roles on the running chain.

Every address (--alloc, --admin, --member) may also be given as the name
of a wallet in --keystore.`,
		Example: `  cairn genesis new --chain-id acme --alloc cairn1...=1000000 > genesis.json
  cairn genesis new --chain-id fast --block-time 1s --reward 10 --min-fee 0.0001 \
      --alloc cairn1...=500 --alloc cairn1...=250.5 > genesis.json
  cairn node --datadir ./data --genesis genesis.json
  cairn genesis new --chain-id acme-private --consensus poa --signer org1 --signer org2 --signer 5c1f... --block-time 2s > genesis.json
  cairn genesis new --chain-id acme-permissioned --admin org1 --restrict submit,deploy --member submit=cairn1... --alloc cairn1...=1000 > genesis.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, f := range []struct{ name, v string }{{"min-fee", minFee}, {"reward", reward}} {
				if cmd.Flags().Changed(f.name) {
					if err := checkCoinsSyntax(f.name, f.v); err != nil {
						return err
					}
				}
			}
			ts := timestamp
			if ts == 0 {
				ts = uint64(time.Now().UnixMilli())
			}
			g := core.NewGenesis(chainID, ts)
			g.AddressPrefix = prefix
			g.Decimals = decimals
			if !core.ValidPrefix(prefix) {
				return usageError{fmt.Errorf("--prefix %q: want 1 to 20 lowercase letters or digits", prefix)}
			}
			if decimals > 15 {
				return usageError{fmt.Errorf("--decimals %d: at most 15", decimals)}
			}
			if blockTime < time.Millisecond {
				return usageError{fmt.Errorf("--block-time %s: at least 1ms", blockTime)}
			}
			g.TargetBlockTimeMs = uint64(blockTime.Milliseconds())
			g.AsertHalflifeMs = core.DefaultHalflifeBlocks * g.TargetBlockTimeMs
			if cmd.Flags().Changed("asert-halflife") {
				if halflife < time.Millisecond {
					return usageError{fmt.Errorf("--asert-halflife %s: at least 1ms", halflife)}
				}
				g.AsertHalflifeMs = uint64(halflife.Milliseconds())
			}
			g.HalvingInterval = halving
			g.MaxBlockBytes, g.MaxBlockTxs = maxBlockBytes, maxBlockTxs
			switch consensus {
			case core.ConsensusPoW:
				if len(signers) > 0 {
					return usageError{fmt.Errorf("--signer is for --consensus poa")}
				}
			case core.ConsensusPoA:
				if len(signers) == 0 {
					return usageError{fmt.Errorf("--consensus poa needs at least one --signer")}
				}
				g.Consensus = core.ConsensusPoA
				g.PoA = &core.PoAParams{PeriodMs: uint64(blockTime.Milliseconds()), Epoch: epoch}
				for _, s := range signers {
					k, err := signerKey(&keys, s, prefix)
					if err != nil {
						return err
					}
					g.PoA.Signers = append(g.PoA.Signers, k)
				}
			default:
				return usageError{fmt.Errorf("--consensus %q: want pow or poa", consensus)}
			}
			var err error
			if cmd.Flags().Changed("pow-limit") {
				if g.PowLimit, err = core.ParseHash(strings.TrimPrefix(powLimit, "0x")); err != nil {
					return usageError{fmt.Errorf("--pow-limit %q: want 64 hex digits, the largest target as a big-endian number: %v", powLimit, err)}
				}
			}
			// Defaults in base units follow the decimals: 50 coins and 0.00001 coins.
			g.InitialReward = scaleUnits(core.DefaultInitialReward, decimals)
			if g.IsPoA() {
				g.InitialReward = 0 // signers are paid the fees unless a reward is set
			}
			g.MinFee = scaleUnits(core.DefaultMinFee, decimals)
			if cmd.Flags().Changed("reward") {
				if g.InitialReward, err = parseCoins("reward", reward, decimals); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("min-fee") {
				if g.MinFee, err = parseCoins("min-fee", minFee, decimals); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("initial-bits") {
				if err := g.InitialBits.UnmarshalText([]byte(initialBits)); err != nil {
					return usageError{fmt.Errorf("--initial-bits: %v", err)}
				}
			}
			for _, a := range allocs {
				addrStr, coins, ok := strings.Cut(a, "=")
				if !ok {
					return usageError{fmt.Errorf("--alloc %q: want ADDRESS=COINS", a)}
				}
				if err := checkCoinsSyntax("alloc", coins); err != nil {
					return err
				}
				addr, err := walletOrAddress(&keys, "alloc", addrStr, prefix)
				if err != nil {
					return err
				}
				bal, err := parseCoins("alloc", coins, decimals)
				if err != nil {
					return err
				}
				g.Alloc = append(g.Alloc, core.Alloc{Address: addr, Balance: bal})
			}
			g.SortAlloc()
			if g.Permissions, err = genesisPermissions(&keys, admins, restrict, members, prefix); err != nil {
				return err
			}
			// Checked as `cairn node` checks it at its first start.
			if err := node.CheckGenesis(g); err != nil {
				return err
			}
			if err := printJSON(cmd.OutOrStdout(), g); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "genesis of chain %q: hash %s, %d funded accounts%s\n", g.ChainID, g.Hash(), len(g.Alloc), permSummary(g.Permissions))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&chainID, "chain-id", "cairn-local", "chain ID (1 to 32 of a-z, 0-9, '-', '_', '.'), signed into every tx")
	f.StringArrayVar(&allocs, "alloc", nil, "initial balance ADDRESS=COINS, the address or a wallet of --keystore (repeat for more accounts)")
	f.DurationVar(&blockTime, "block-time", core.DefaultBlockTimeMs*time.Millisecond, "target time between blocks")
	f.StringVar(&prefix, "prefix", core.DefaultAddressPrefix, "address prefix (bech32m human-readable part)")
	f.Uint8Var(&decimals, "decimals", core.DefaultDecimals, "decimal places of a coin (base units per coin = 10^decimals)")
	f.StringVar(&minFee, "min-fee", "", "minimum tx fee in coins (default 0.00001 coin)")
	f.StringVar(&reward, "reward", "", "initial block reward in coins (default 50)")
	f.Uint64Var(&halving, "halving-interval", core.DefaultHalvingInterval, "blocks between reward halvings")
	f.Uint64Var(&timestamp, "timestamp", 0, "genesis time in unix milliseconds (default now)")
	f.DurationVar(&halflife, "asert-halflife", 0, fmt.Sprintf("ASERT difficulty half-life: blocks this far ahead of schedule double the difficulty (default %d x --block-time)", core.DefaultHalflifeBlocks))
	f.Uint64Var(&maxBlockBytes, "max-block-bytes", core.DefaultMaxBlockBytes, "largest block in bytes, header included")
	f.Uint64Var(&maxBlockTxs, "max-block-txs", core.DefaultMaxBlockTxs, "most txs in a block")
	f.StringVar(&powLimit, "pow-limit", core.DefaultPowLimit.String(), "largest allowed target, 64 hex digits (advanced: the lowest difficulty)")
	f.StringVar(&initialBits, "initial-bits", fmt.Sprintf("0x%08x", core.DefaultInitialBits), "initial compact target (advanced: the difficulty of the first blocks)")
	f.StringVar(&consensus, "consensus", core.ConsensusPoW, "consensus engine: pow (proof of work) or poa (proof of authority)")
	f.StringArrayVar(&signers, "signer", nil, "with --consensus poa: a signer, as its public key (64 hex) or a wallet of --keystore (repeat for each)")
	f.Uint64Var(&epoch, "poa-epoch", core.DefaultPoAEpoch, "with --consensus poa: blocks between resets of pending votes")
	f.StringArrayVar(&admins, "admin", nil, "permissions: an admin, who grants and revokes roles, as an address or a wallet of --keystore (repeat for each)")
	f.StringArrayVar(&restrict, "restrict", nil, "permissions: restrict a role to its members and the admins: submit, issue or deploy (repeat, or comma-separated)")
	f.StringArrayVar(&members, "member", nil, "permissions: an initial member of a restricted role, ROLE=ADDRESS or ROLE=WALLET (repeat for each)")
	keys.register(cmd, false)
	return cmd
}

// signerKey reads a --signer: a public key in hex, or a keystore wallet's.
func signerKey(keys *keyFlags, s, prefix string) (core.PublicKey, error) {
	if k, err := core.ParsePublicKey(s); err == nil {
		return k, nil
	}
	ks, err := keys.open(false)
	if err != nil {
		return core.PublicKey{}, fmt.Errorf("--signer %q: not a public key (64 hex), and no keystore to find a wallet in: %v", s, err)
	}
	e, err := findKey(ks, s, prefix)
	if err != nil {
		return core.PublicKey{}, fmt.Errorf("--signer %q: not a public key (64 hex): %v", s, err)
	}
	return e.PublicKey, nil
}

// scaleUnits converts a default in base units of 8 decimals to decimals,
// so that the default is the same number of coins.
func scaleUnits(units8 uint64, decimals uint8) uint64 {
	v := units8
	for d := decimals; d > core.DefaultDecimals; d-- {
		v *= 10
	}
	for d := decimals; d < core.DefaultDecimals; d++ {
		v /= 10
	}
	return v
}
