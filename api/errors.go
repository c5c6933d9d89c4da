package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/danielgtaylor/huma/v2"
)

// problemType is the media type of every error response.
const problemType = "application/problem+json"

// StatusOf returns the HTTP status of a problem code: its row's in core's
// code table (core.Code.Info), so the API, the P2P layer and the CLI read
// one classification; a code missing from the table is 500.
func StatusOf(code string) int {
	return core.Code(code).Info().Status
}

// apiError is a problem response. Handlers return it; huma writes it with
// its status as application/problem+json.
type apiError struct {
	wire.Problem
	header http.Header // extra response headers (Retry-After, WWW-Authenticate)
}

func (e *apiError) Error() string { return e.Detail }

// GetStatus implements huma.StatusError.
func (e *apiError) GetStatus() int { return e.Status }

// ContentType implements huma.ContentTypeFilter.
func (e *apiError) ContentType(string) string { return problemType }

// GetHeaders implements huma.HeadersError.
func (e *apiError) GetHeaders() http.Header {
	if e.header == nil {
		e.header = http.Header{}
	}
	return e.header
}

// problem builds a problem with code and a detail naming what was wrong.
func problem(code string, format string, args ...any) *apiError {
	status := StatusOf(code)
	return &apiError{Problem: wire.Problem{Title: http.StatusText(status), Status: status, Code: code, Detail: fmt.Sprintf(format, args...)}}
}

// malformed is a 400 problem.
func malformed(format string, args ...any) *apiError {
	return problem(string(core.CodeMalformed), format, args...)
}

// notFound is a 404 problem.
func notFound(format string, args ...any) *apiError {
	return problem(string(core.CodeNotFound), format, args...)
}

// ErrUnavailable marks a backend failure that is not the client's fault
// and may pass (a peer that cannot be reached): 503 unavailable, with the
// error's message.
var ErrUnavailable = errors.New("unavailable")

// toProblem turns any error into a problem: rule errors keep their code
// and message, context errors mean the request was cancelled, and anything
// else is logged and answered with a generic 500.
func (s *Server) toProblem(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if code := core.CodeOf(err); code != "" {
		return problem(string(code), "%s", err.Error())
	}
	if errors.Is(err, ErrUnavailable) {
		return problem(wire.CodeUnavailable, "%s", err.Error())
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return problem(wire.CodeUnavailable, "the request was cancelled before it completed (client gone or node shutting down)")
	}
	s.log.Error("api: internal error", "err", err)
	return problem(wire.CodeInternal, "internal error: the node failed to answer; see its log")
}

// fail is how handlers return errors: always as problems.
func (s *Server) fail(err error) error {
	if err == nil {
		return nil
	}
	return s.toProblem(err)
}

// writeProblem writes p directly (for checks made before huma runs).
func writeProblem(w http.ResponseWriter, p *apiError) {
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	h.Set("Content-Type", problemType)
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p.Problem)
}

// fromHuma converts an error huma produced itself (parameter validation,
// unreadable body) into a problem. Huma reports invalid parameters as 422;
// for this API they are malformed input (400).
func fromHuma(em *huma.ErrorModel) *apiError {
	code := wire.CodeInternal
	switch {
	case em.Status == http.StatusBadRequest, em.Status == http.StatusUnprocessableEntity,
		em.Status == http.StatusUnsupportedMediaType, em.Status == http.StatusNotAcceptable:
		code = string(core.CodeMalformed)
	case em.Status == http.StatusNotFound:
		code = string(core.CodeNotFound)
	case em.Status == http.StatusRequestEntityTooLarge:
		code = string(core.CodeTooLarge)
	case em.Status == http.StatusRequestTimeout:
		code = wire.CodeTimeout
	}
	var b strings.Builder
	b.WriteString(em.Detail)
	for i, d := range em.Errors {
		if d == nil {
			continue
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		if d.Location != "" {
			b.WriteString(d.Location)
			b.WriteString(": ")
		}
		b.WriteString(d.Message)
		if d.Value != nil {
			v := fmt.Sprint(d.Value)
			if len(v) > 80 {
				v = v[:77] + "..."
			}
			fmt.Fprintf(&b, " (got %q)", v)
		}
	}
	return problem(code, "%s", b.String())
}

// transform is the huma transformer that rewrites huma's own errors as
// problems with a code, fixing the status through the request's hctx.
func (s *Server) transform(ctx huma.Context, _ string, v any) (any, error) {
	em, ok := v.(*huma.ErrorModel)
	if !ok {
		return v, nil
	}
	p := fromHuma(em)
	if p.Code == wire.CodeInternal {
		s.log.Error("api: huma error", "status", em.Status, "detail", em.Detail, "errors", fmt.Sprint(em.Errors))
		p.Detail = "internal error: the node failed to answer; see its log"
	}
	if c, ok := ctx.(*hctx); ok {
		c.status = p.Status
	}
	return &p.Problem, nil
}

// logger returns l or a discarding logger.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
