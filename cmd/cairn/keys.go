package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
	"github.com/spf13/cobra"
)

// defaultKeystore is --keystore's default; "~/" is the home directory.
const defaultKeystore = "~/.cairn/keystore"

// keyFlags are the flags of commands that use the keystore.
type keyFlags struct {
	keystore     string
	passwordFile string
}

// register adds --keystore and --password-file to cmd (as persistent flags
// of a command group if persistent).
func (k *keyFlags) register(cmd *cobra.Command, persistent bool) {
	fs := cmd.Flags()
	if persistent {
		fs = cmd.PersistentFlags()
	}
	def := defaultKeystore
	if v := os.Getenv(envKeystore); v != "" {
		def = v
	}
	fs.StringVar(&k.keystore, "keystore", def, "keystore directory (env "+envKeystore+")")
	fs.StringVar(&k.passwordFile, "password-file", "", "read the keystore passphrase from the first line of FILE (else env "+envPassword+", else a prompt)")
}

// dir returns the keystore directory with "~/" expanded.
func (k *keyFlags) dir() (string, error) {
	d := k.keystore
	if d == "" {
		return "", usageError{errors.New("--keystore: empty directory name")}
	}
	if d == "~" || strings.HasPrefix(d, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("--keystore %s: no home directory (%v): give --keystore DIR", d, err)
		}
		d = filepath.Join(home, strings.TrimPrefix(d[1:], "/"))
	}
	return d, nil
}

// open opens the keystore; unless create, it must already exist.
func (k *keyFlags) open(create bool) (*wallet.Keystore, error) {
	dir, err := k.dir()
	if err != nil {
		return nil, err
	}
	if !create {
		fi, err := os.Stat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no keystore at %s (create a wallet with `cairn wallet new`, or give --keystore DIR)", dir)
		}
		if err != nil {
			return nil, fmt.Errorf("keystore %s: %w", dir, err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("keystore %s is not a directory", dir)
		}
	}
	return wallet.Open(dir, wallet.DefaultParams())
}

// findKey finds a key by name or address, with messages that say which.
func findKey(ks *wallet.Keystore, nameOrAddress, prefix string) (wallet.Entry, error) {
	e, err := ks.Find(nameOrAddress, prefix)
	if errors.Is(err, wallet.ErrNotFound) {
		if _, aerr := core.ParseAddress(nameOrAddress, prefix); aerr == nil {
			return e, fmt.Errorf("no wallet with address %s in %s", nameOrAddress, ks.Dir())
		}
		return e, fmt.Errorf("no wallet named %q in %s", nameOrAddress, ks.Dir())
	}
	return e, err
}

// loadKey decrypts a key, naming the wallet on a wrong passphrase.
func loadKey(ks *wallet.Keystore, name, passphrase string) (*wallet.Key, error) {
	k, err := ks.Load(name, passphrase)
	if errors.Is(err, wallet.ErrWrongPassphrase) {
		return nil, fmt.Errorf("wrong passphrase for wallet %q (or its file %s was altered)", name, filepath.Join(ks.Dir(), name+".json"))
	}
	return k, err
}

// prompter reads passphrases and input lines for one command run.
type prompter struct {
	ctx   context.Context
	in    io.Reader
	errw  io.Writer
	lines *bufio.Reader // stdin when it is not a terminal, read line by line
}

func newPrompter(cmd *cobra.Command) *prompter {
	return &prompter{ctx: cmd.Context(), in: cmd.InOrStdin(), errw: cmd.ErrOrStderr()}
}

// terminal returns stdin as a file if it is a terminal.
func (p *prompter) terminal() (*os.File, bool) {
	f, ok := p.in.(*os.File)
	if !ok || !isTerminal(f) {
		return nil, false
	}
	return f, true
}

// line reads the next line of stdin (not a terminal), without its end.
func (p *prompter) line() (string, bool, error) {
	if p.lines == nil {
		p.lines = bufio.NewReader(p.in)
	}
	s, err := p.lines.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	if err != nil && s == "" {
		return "", false, nil
	}
	return strings.TrimRight(s, "\r\n"), true, nil
}

// passphrase returns the keystore passphrase from --password-file,
// $CAIRN_PASSWORD, a prompt on a terminal (twice if confirm), or the next
// line of stdin. A new key (confirm) refuses an empty passphrase.
func (p *prompter) passphrase(k *keyFlags, prompt string, confirm bool) (string, error) {
	pass, err := p.readPassphrase(k, prompt, confirm)
	if err != nil {
		return "", err
	}
	if confirm && pass == "" {
		return "", errors.New("empty passphrase: refusing to store a key without one")
	}
	return pass, nil
}

func (p *prompter) readPassphrase(k *keyFlags, prompt string, confirm bool) (string, error) {
	if k.passwordFile != "" {
		b, err := os.ReadFile(k.passwordFile)
		if err != nil {
			return "", fmt.Errorf("--password-file: %w", err)
		}
		first, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(first, "\r"), nil
	}
	if v, ok := os.LookupEnv(envPassword); ok && v != "" {
		return v, nil
	}
	if f, ok := p.terminal(); ok {
		pass, err := readSecret(p.ctx, f, p.errw, prompt)
		if err != nil {
			return "", fmt.Errorf("read passphrase: %w", err)
		}
		if confirm {
			again, err := readSecret(p.ctx, f, p.errw, "repeat the passphrase: ")
			if err != nil {
				return "", fmt.Errorf("read passphrase: %w", err)
			}
			if again != pass {
				return "", errors.New("the passphrases differ")
			}
		}
		return pass, nil
	}
	pass, ok, err := p.line()
	if err != nil {
		return "", fmt.Errorf("read passphrase from stdin: %w", err)
	}
	if !ok {
		return "", fmt.Errorf("no passphrase: give --password-file FILE, set %s, or run in a terminal", envPassword)
	}
	return pass, nil
}
