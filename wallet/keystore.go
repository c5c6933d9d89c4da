package wallet

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cairn-chain/cairn/core"
)

// MaxNameLen is the longest key name.
const MaxNameLen = 64

// Sentinel errors, wrapped with the key name so that messages read
// `key "dev" already exists` and errors.Is still works.
var (
	// ErrExists: a key with that name (or that public key) is stored.
	ErrExists = errors.New("already exists")
	// ErrNotFound: no key with that name or address.
	ErrNotFound = errors.New("not found")
)

// Keystore is a directory of encrypted key files. Its methods are safe for
// concurrent use (each works on whole files, written atomically) and by
// several processes.
type Keystore struct {
	dir    string
	params Params
	now    func() time.Time // creation times; tests may replace it
}

// Entry describes a stored key without decrypting it.
type Entry struct {
	Name      string
	PublicKey core.PublicKey
	Address   core.Address
	Created   time.Time
}

// Open returns the keystore in dir, creating dir (mode 0700) if needed.
// New keys are encrypted with p; keys are read with whatever (bounded)
// parameters their files hold.
func Open(dir string, p Params) (*Keystore, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("keystore params: %w", err)
	}
	if dir == "" {
		return nil, errors.New("keystore: empty directory name")
	}
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keystore: %w", err)
	}
	return &Keystore{dir: dir, params: p, now: time.Now}, nil
}

// Dir returns the keystore directory.
func (ks *Keystore) Dir() string { return ks.dir }

// ValidName reports whether name can name a key: 1 to 64 characters of
// [A-Za-z0-9._-], not starting with '.'.
func ValidName(name string) error {
	if name == "" {
		return errors.New("key name is empty")
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("key name %q: %d characters, the limit is %d", clip(name), len(name), MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("key name %q: character %q not allowed (use letters, digits, '.', '_', '-')", name, c)
		}
	}
	if name[0] == '.' {
		return fmt.Errorf("key name %q: must not start with '.'", name)
	}
	return nil
}

func fileName(name string) string { return name + ".json" }

// Create generates a new key, stores it under name and returns it.
func (ks *Keystore) Create(name, passphrase string) (*Key, error) {
	seed := make([]byte, SeedSize)
	defer clear(seed)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	return ks.Import(name, seed, passphrase)
}

// Import stores the key with the given 32-byte Ed25519 seed under name. It
// refuses a name already used and a key already stored under another name.
func (ks *Keystore) Import(name string, seed []byte, passphrase string) (*Key, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("import %q: seed is %d bytes, want %d", name, len(seed), SeedSize)
	}
	if _, err := os.Lstat(ks.path(name)); err == nil {
		return nil, fmt.Errorf("key %q %w", name, ErrExists)
	}
	key := newKey(name, seed)
	pub := key.PublicKey()
	for _, e := range ks.scan(nil) {
		if e.PublicKey == pub {
			clear(key.Private)
			return nil, fmt.Errorf("key %q: public key %s %w as %q", name, pub, ErrExists, e.Name)
		}
	}
	kf, err := sealKey(name, seed, passphrase, ks.params, ks.now().UnixMilli())
	if err != nil {
		clear(key.Private)
		return nil, fmt.Errorf("import %q: %w", name, err)
	}
	if err := writeNew(ks.dir, fileName(name), kf.encode()); err != nil {
		clear(key.Private)
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("key %q %w", name, ErrExists)
		}
		return nil, fmt.Errorf("store key %q: %w", name, err)
	}
	return key, nil
}

// Load decrypts the key stored under name.
func (ks *Keystore) Load(name, passphrase string) (*Key, error) {
	kf, err := ks.read(name)
	if err != nil {
		return nil, err
	}
	priv, err := kf.open(fileName(name), passphrase)
	if err != nil {
		return nil, err
	}
	return &Key{Name: name, Private: priv}, nil
}

// Export decrypts the key stored under name and returns its 32-byte seed,
// which Import accepts.
func (ks *Keystore) Export(name, passphrase string) ([]byte, error) {
	k, err := ks.Load(name, passphrase)
	if err != nil {
		return nil, err
	}
	defer clear(k.Private)
	return slices.Clone(k.Private.Seed()), nil
}

// List describes every key, sorted by name, without a passphrase. Files
// that are not <name>.json with a valid name are ignored; an invalid key
// file is an error naming it.
func (ks *Keystore) List() ([]Entry, error) {
	var firstErr error
	entries := ks.scan(func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return entries, nil
}

// Find returns the key named nameOrAddress or, failing that, the key whose
// address is nameOrAddress (bech32m with the given prefix). Invalid files
// are skipped in the address search.
func (ks *Keystore) Find(nameOrAddress, prefix string) (Entry, error) {
	s := nameOrAddress
	if ValidName(s) == nil {
		kf, err := ks.read(s)
		if err == nil {
			return kf.entry(), nil
		}
		if !errors.Is(err, ErrNotFound) {
			return Entry{}, err
		}
	}
	addr, aerr := core.ParseAddress(s, prefix)
	if aerr != nil {
		return Entry{}, fmt.Errorf("key %q %w in keystore %s (and it is not an address: %v)", clip(s), ErrNotFound, ks.dir, aerr)
	}
	for _, e := range ks.scan(nil) {
		if e.Address == addr {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("key with address %s %w in keystore %s", s, ErrNotFound, ks.dir)
}

func (ks *Keystore) path(name string) string { return filepath.Join(ks.dir, fileName(name)) }

// read reads and checks the file of name (no decryption).
func (ks *Keystore) read(name string) (*keyFile, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(ks.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("key %q %w in keystore %s", name, ErrNotFound, ks.dir)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("keystore %s: %w", fileName(name), err)
	}
	kf, err := decodeKeyFile(fileName(name), data)
	if err != nil {
		return nil, err
	}
	if kf.name != name {
		return nil, &FileError{File: fileName(name), Msg: fmt.Sprintf("name %q does not match the file name", kf.name)}
	}
	return kf, nil
}

// scan reads every key file, sorted by name; invalid files are reported to
// onErr (if not nil) and skipped.
func (ks *Keystore) scan(onErr func(error)) []Entry {
	des, err := os.ReadDir(ks.dir)
	if err != nil {
		if onErr != nil {
			onErr(fmt.Errorf("keystore: %w", err))
		}
		return nil
	}
	var out []Entry
	for _, de := range des {
		name, ok := strings.CutSuffix(de.Name(), ".json")
		if !ok || ValidName(name) != nil || de.IsDir() {
			continue
		}
		kf, err := ks.read(name)
		if err != nil {
			if onErr != nil {
				onErr(err)
			}
			continue
		}
		out = append(out, kf.entry())
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (kf *keyFile) entry() Entry {
	return Entry{Name: kf.name, PublicKey: kf.pub, Address: kf.pub.Address(), Created: time.UnixMilli(kf.created)}
}
