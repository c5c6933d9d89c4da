package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
	"github.com/spf13/cobra"
)

// walletOpts are the flags shared by the wallet subcommands.
type walletOpts struct {
	keys   keyFlags
	prefix string
}

func newWalletCmd() *cobra.Command {
	o := &walletOpts{}
	cmd := group("wallet", "Manage Ed25519 keys in an encrypted keystore",
		`Manage Ed25519 keys in an encrypted keystore: one file per key, <keystore>/<name>.json,
encrypted with scrypt and XChaCha20-Poly1305 under a passphrase.

The passphrase comes from --password-file FILE (its first line), else the
environment variable CAIRN_PASSWORD, else a prompt on the terminal, else the
next line of standard input.

Addresses are shown with --prefix (the chain's address prefix, default "cairn").`,
		newWalletNewCmd(o), newWalletListCmd(o), newWalletShowCmd(o), newWalletImportCmd(o), newWalletExportCmd(o))
	o.keys.register(cmd, true)
	cmd.PersistentFlags().StringVar(&o.prefix, "prefix", core.DefaultAddressPrefix, "address prefix of the chain, for showing addresses")
	return cmd
}

func (o *walletOpts) checkPrefix() error {
	if !core.ValidPrefix(o.prefix) {
		return usageError{fmt.Errorf("--prefix %q: want 1 to 20 lowercase letters or digits", o.prefix)}
	}
	return nil
}

func newWalletNewCmd(o *walletOpts) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "new [--name NAME]",
		Short: "Create a new key and print its address",
		Long: `Create a new random Ed25519 key, store it encrypted in the keystore and print
its address on standard output. Without --name the key is named "default"
(or "default-2", ... if taken).`,
		Example: `  cairn wallet new --name alice
  CAIRN_PASSWORD=... cairn wallet new --name bob --keystore ./keystore`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.checkPrefix(); err != nil {
				return err
			}
			if cmd.Flags().Changed("name") {
				if err := wallet.ValidName(name); err != nil {
					return usageError{fmt.Errorf("--name: %v", err)}
				}
			}
			ks, err := o.keys.open(true)
			if err != nil {
				return err
			}
			if name == "" {
				if name, err = freeName(ks); err != nil {
					return err
				}
			}
			if _, err := os.Stat(filepath.Join(ks.Dir(), name+".json")); err == nil {
				return fmt.Errorf("a wallet named %q already exists in %s", name, ks.Dir())
			}
			pass, err := newPrompter(cmd).passphrase(&o.keys, fmt.Sprintf("passphrase for the new wallet %q: ", name), true)
			if err != nil {
				return err
			}
			key, err := ks.Create(name, pass)
			if err != nil {
				return walletErr(err, ks)
			}
			defer clear(key.Private)
			fmt.Fprintf(cmd.ErrOrStderr(), "created wallet %q in %s\n", name, ks.Dir())
			fmt.Fprintln(cmd.OutOrStdout(), key.Address().Encode(o.prefix))
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", `name of the key (letters, digits, '.', '_', '-'; default "default")`)
	return cmd
}

// freeName returns "default", or "default-N" for the first N not taken.
func freeName(ks *wallet.Keystore) (string, error) {
	for i := 1; i < 1000; i++ {
		n := "default"
		if i > 1 {
			n = fmt.Sprintf("default-%d", i)
		}
		if _, err := os.Lstat(filepath.Join(ks.Dir(), n+".json")); errors.Is(err, os.ErrNotExist) {
			return n, nil
		}
	}
	return "", usageError{errors.New("give the new key a --name")}
}

// walletErr rewords keystore errors for people.
func walletErr(err error, ks *wallet.Keystore) error {
	if errors.Is(err, wallet.ErrExists) {
		return fmt.Errorf("%v (in %s)", err, ks.Dir())
	}
	return err
}

func newWalletListCmd(o *walletOpts) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the keys in the keystore (no passphrase needed)",
		Example: `  cairn wallet list --keystore ./keystore`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.checkPrefix(); err != nil {
				return err
			}
			ks, err := o.keys.open(false)
			if err != nil {
				return err
			}
			entries, err := ks.List()
			if err != nil {
				return err
			}
			if len(entries) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "no wallets in %s (create one with `cairn wallet new`)\n", ks.Dir())
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tADDRESS\tCREATED")
			for _, e := range entries {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, e.Address.Encode(o.prefix), e.Created.UTC().Format(time.RFC3339))
			}
			return tw.Flush()
		},
	}
}

func newWalletShowCmd(o *walletOpts) *cobra.Command {
	return &cobra.Command{
		Use:     "show NAME|ADDRESS",
		Short:   "Show a key's name, address and public key (no passphrase needed)",
		Example: `  cairn wallet show alice`,
		Args:    exactArgs(1, "a wallet name or address"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.checkPrefix(); err != nil {
				return err
			}
			ks, err := o.keys.open(false)
			if err != nil {
				return err
			}
			e, err := findKey(ks, args[0], o.prefix)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "name        %s\n", e.Name)
			fmt.Fprintf(w, "address     %s\n", e.Address.Encode(o.prefix))
			fmt.Fprintf(w, "public key  %s\n", e.PublicKey)
			fmt.Fprintf(w, "created     %s\n", e.Created.UTC().Format(time.RFC3339))
			fmt.Fprintf(w, "file        %s\n", filepath.Join(ks.Dir(), e.Name+".json"))
			return nil
		},
	}
}

func newWalletImportCmd(o *walletOpts) *cobra.Command {
	var seedFile string
	cmd := &cobra.Command{
		Use:   "import NAME [--seed-file FILE]",
		Short: "Store an existing key (its 32-byte seed in hex) under NAME",
		Long: `Store an existing Ed25519 key under NAME: its 32-byte seed as 64 hex digits,
as printed by "cairn wallet export", read from --seed-file or else from the
first line of standard input. If the passphrase also comes from standard
input, it is the line after the seed.`,
		Example: `  cairn wallet export alice --keystore old/ | cairn wallet import alice --keystore new/
  cairn wallet import bob --seed-file bob.seed --password-file pass.txt`,
		Args: exactArgs(1, "the new wallet's NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.checkPrefix(); err != nil {
				return err
			}
			name := args[0]
			if err := wallet.ValidName(name); err != nil {
				return usageError{err}
			}
			p := newPrompter(cmd)
			var seedHex string
			if seedFile != "" {
				b, err := readInput(cmd, seedFile, 4096)
				if err != nil {
					return fmt.Errorf("--seed-file: %w", err)
				}
				seedHex, _, _ = strings.Cut(string(b), "\n")
			} else {
				if _, ok := p.terminal(); ok {
					fmt.Fprint(cmd.ErrOrStderr(), "seed (64 hex digits): ")
				}
				line, ok, err := p.line()
				if err != nil {
					return fmt.Errorf("read the seed from stdin: %w", err)
				}
				if !ok {
					return errors.New("no seed: give --seed-file FILE or the seed's hex on standard input")
				}
				seedHex = line
			}
			seed, err := hex.DecodeString(strings.TrimSpace(seedHex))
			if err != nil || len(seed) != wallet.SeedSize {
				return fmt.Errorf("the seed must be %d hex digits (a 32-byte Ed25519 seed, as `cairn wallet export` prints)", 2*wallet.SeedSize)
			}
			defer clear(seed)
			ks, err := o.keys.open(true)
			if err != nil {
				return err
			}
			pass, err := p.passphrase(&o.keys, fmt.Sprintf("passphrase for the imported wallet %q: ", name), true)
			if err != nil {
				return err
			}
			key, err := ks.Import(name, seed, pass)
			if err != nil {
				return walletErr(err, ks)
			}
			defer clear(key.Private)
			fmt.Fprintf(cmd.ErrOrStderr(), "imported wallet %q into %s\n", name, ks.Dir())
			fmt.Fprintln(cmd.OutOrStdout(), key.Address().Encode(o.prefix))
			return nil
		},
	}
	cmd.Flags().StringVar(&seedFile, "seed-file", "", `read the seed's hex from FILE ("-": standard input)`)
	return cmd
}

func newWalletExportCmd(o *walletOpts) *cobra.Command {
	return &cobra.Command{
		Use:   "export NAME",
		Short: "Print a key's 32-byte seed in hex (its private key: keep it secret)",
		Long: `Decrypt a key and print its 32-byte Ed25519 seed as hex on standard output,
for "cairn wallet import" elsewhere. Anyone with the seed can spend the
wallet's coins.`,
		Example: `  cairn wallet export alice > alice.seed`,
		Args:    exactArgs(1, "a wallet NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ks, err := o.keys.open(false)
			if err != nil {
				return err
			}
			e, err := findKey(ks, args[0], o.prefix)
			if err != nil {
				return err
			}
			pass, err := newPrompter(cmd).passphrase(&o.keys, fmt.Sprintf("passphrase for wallet %q: ", e.Name), false)
			if err != nil {
				return err
			}
			key, err := loadKey(ks, e.Name, pass)
			if err != nil {
				return err
			}
			defer clear(key.Private)
			fmt.Fprintf(cmd.ErrOrStderr(), "WARNING: this is the private key of wallet %q: anyone with it can spend its coins\n", e.Name)
			fmt.Fprintln(cmd.OutOrStdout(), hex.EncodeToString(key.Private.Seed()))
			return nil
		},
	}
}
