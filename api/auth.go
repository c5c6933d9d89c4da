package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
)

// securityScheme is the OpenAPI name of the admin bearer token.
const securityScheme = "adminToken"

// auth checks the admin bearer token. The token's SHA-256 is compared in
// constant time, so neither its bytes nor its length leak through timing.
type auth struct {
	set  bool
	hash [sha256.Size]byte
}

func newAuth(token string) auth {
	if token == "" {
		return auth{}
	}
	return auth{set: true, hash: sha256.Sum256([]byte(token))}
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

// valid reports whether r carries the admin token.
func (a auth) valid(r *http.Request) bool {
	tok, ok := bearer(r)
	if !ok || !a.set {
		return false
	}
	got := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(got[:], a.hash[:]) == 1
}

// deny explains why r is not authorised.
func (a auth) deny(r *http.Request) *apiError {
	var p *apiError
	_, has := bearer(r)
	switch {
	case !a.set:
		p = problem(wire.CodeUnauthorized, "admin endpoints are disabled: the node has no API token")
	case r.Header.Get("Authorization") == "":
		p = problem(wire.CodeUnauthorized, "missing admin token: send Authorization: Bearer <token> (the token is in <datadir>/api.token)")
	case !has:
		p = problem(wire.CodeUnauthorized, "Authorization header is not a bearer token: send Authorization: Bearer <token>")
	default:
		p = problem(wire.CodeUnauthorized, "wrong admin token (the token is in <datadir>/api.token and changes at every node start)")
	}
	p.GetHeaders().Set("WWW-Authenticate", `Bearer realm="cairn admin"`)
	return p
}
