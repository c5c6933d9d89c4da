package node

import (
	"os"
	"path/filepath"
	"testing"
)

func TestAPIToken(t *testing.T) {
	dir := t.TempDir()
	tok, err := WriteAPIToken(dir)
	if err != nil || len(tok) != 64 {
		t.Fatalf("token %q: %v", tok, err)
	}
	st, err := os.Stat(filepath.Join(dir, TokenFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v: %v", st.Mode(), err)
	}
	back, err := ReadAPIToken(dir)
	if err != nil || back != tok {
		t.Fatalf("read back %q: %v", back, err)
	}
	tok2, _ := WriteAPIToken(dir)
	if tok2 == tok {
		t.Fatal("a restart reused the token")
	}
}
