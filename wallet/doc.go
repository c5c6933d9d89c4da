// Package wallet owns Cairn's client-side keys: an encrypted keystore of
// Ed25519 keys (one JSON file per key, a modern equivalent of Web3 Secret
// Storage), transaction building and signing with a loaded key, and the
// conversion between coin amounts typed by people ("1.5") and base units.
//
// Keystore files: <dir>/<name>.json, mode 0600, in a directory created with
// mode 0700. The 32-byte Ed25519 seed is encrypted with XChaCha20-Poly1305
// under a key derived from the passphrase by scrypt. Every parameter that
// steers decryption (format version, public key, kdf name, N, r, p, salt,
// cipher name) is bound into the AEAD's additional data, so altering any of
// them fails decryption; the KDF parameters are bounded before scrypt runs,
// so a hostile file cannot make a reader spend minutes or gigabytes. Writes
// are atomic (temp file, fsync, link into place, fsync the directory) and
// never replace an existing key.
//
// Errors:
//   - ErrWrongPassphrase: the passphrase is wrong or the file was altered
//     (the two are indistinguishable by design); wrapped with the file name.
//   - ErrExists, ErrNotFound: a key name (or public key) already stored, or
//     no key with that name or address.
//   - *FileError: a keystore file that is not valid, naming the file and the
//     field ("keystore dev.json: crypto.kdfparams.n 3 is not a power of two").
//   - *core.RuleError (core.CodeMalformed, core.CodeInvalidAmount,
//     core.CodeTooLarge, ...): from ParseCoins and from building a tx.
//
// Private keys never leave this package except through Export (which the
// caller asked for) and Key.Private; Key's String method prints only the
// name and public key.
package wallet
