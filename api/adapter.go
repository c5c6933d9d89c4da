package api

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// route describes one operation: its OpenAPI fields and what the adapter
// does before huma runs it.
type route struct {
	id, method, path string
	summary, desc    string
	tag              string
	status           int   // success status (default 200)
	errs             []int // error statuses to document besides "default"
	admin            bool  // needs the admin token
	// body is the request body's Go type, for the document; the adapter
	// reads at most maxBody bytes (default Config.MaxBody) and handlers
	// decode it themselves (see decode.go).
	body    reflect.Type
	maxBody int64
	// ok documents a success response huma cannot derive (streams).
	ok *huma.Response
	// noWriteDeadline lifts the server's write timeout (GET /mine can
	// take as long as the PoW takes; the request ends with its client).
	noWriteDeadline bool
}

// metaKey is the key of a route in huma.Operation.Metadata.
const metaKey = "cairn.route"

// register adds an operation to the huma API (and so to the document).
func register[I, O any](s *Server, rt route, h func(context.Context, *I) (*O, error)) {
	rt.errs = slices.Clip(rt.errs) // appends below must not write into the caller's array
	op := huma.Operation{
		OperationID:   rt.id,
		Method:        rt.method,
		Path:          rt.path,
		Summary:       rt.summary,
		Description:   rt.desc,
		DefaultStatus: rt.status,
		Metadata:      map[string]any{metaKey: &rt},
		Responses:     map[string]*huma.Response{},
	}
	if rt.tag != "" {
		op.Tags = []string{rt.tag}
	}
	if rt.admin {
		op.Security = []map[string][]string{{securityScheme: {}}}
		rt.errs = append(rt.errs, http.StatusUnauthorized)
	}
	if rt.method == http.MethodPost && !rt.admin {
		rt.errs = append(rt.errs, http.StatusTooManyRequests)
	}
	if rt.body != nil {
		rt.errs = append(rt.errs, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
	}
	for _, code := range rt.errs {
		op.Responses[strconv.Itoa(code)] = s.problemResponse(http.StatusText(code))
	}
	op.Responses["default"] = s.problemResponse("Error")
	if rt.ok != nil {
		status := rt.status
		if status == 0 {
			status = http.StatusOK
		}
		op.Responses[strconv.Itoa(status)] = rt.ok
	}
	huma.Register(s.api, op, h)
	if rt.body != nil {
		// Documented after registration so that huma neither reads nor
		// validates the body: the adapter reads it with our cap and the
		// handler decodes it strictly.
		reg := s.api.OpenAPI().Components.Schemas
		registered(s.api.OpenAPI(), rt.method, rt.path).RequestBody = &huma.RequestBody{
			Required: true,
			Content:  map[string]*huma.MediaType{"application/json": {Schema: reg.Schema(rt.body, true, rt.body.Name())}},
		}
	}
}

// registered returns the operation registered at method and path.
func registered(o *huma.OpenAPI, method, path string) *huma.Operation {
	item := o.Paths[path]
	switch method {
	case http.MethodGet:
		return item.Get
	case http.MethodPost:
		return item.Post
	}
	panic("api: no " + method + " " + path)
}

// problemResponse documents a problem response.
func (s *Server) problemResponse(desc string) *huma.Response {
	reg := s.api.OpenAPI().Components.Schemas
	return &huma.Response{
		Description: desc,
		Content:     map[string]*huma.MediaType{problemType: {Schema: reg.Schema(reflect.TypeFor[wire.Problem](), true, "Problem")}},
	}
}

// adapter is huma's router: the Server's ServeMux, with the checks every
// route needs run before huma (admin token, rate limit, body cap).
type adapter struct{ s *Server }

// Handle implements huma.Adapter.
func (a adapter) Handle(op *huma.Operation, handler func(huma.Context)) {
	rt, _ := op.Metadata[metaKey].(*route)
	if rt == nil {
		rt = &route{}
	}
	pattern := strings.ToUpper(op.Method) + " " + op.Path
	a.s.routes = append(a.s.routes, pattern)
	a.s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		r, ok := a.s.precheck(w, r, rt)
		if !ok {
			return
		}
		handler(&hctx{humaContext: humago.NewContext(op, r, w)})
	})
}

// ServeHTTP implements huma.Adapter.
func (a adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.s.mux.ServeHTTP(w, r) }

// precheck runs a route's admin, rate and body checks, writing the
// problem itself when one fails. It returns the request to serve (with
// its body in the context).
func (s *Server) precheck(w http.ResponseWriter, r *http.Request, rt *route) (*http.Request, bool) {
	admin := s.auth.valid(r)
	if rt.admin && !admin {
		writeProblem(w, s.auth.deny(r))
		return r, false
	}
	r, p := s.limitPost(r, admin)
	if p != nil {
		writeProblem(w, p)
		return r, false
	}
	if rt.noWriteDeadline {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	}
	if rt.body == nil {
		return r, true
	}
	limit := rt.maxBody
	if limit <= 0 {
		limit = s.cfg.MaxBody
	}
	body, p := readBody(r, limit)
	if p != nil {
		writeProblem(w, p)
		return r, false
	}
	return r.WithContext(context.WithValue(r.Context(), bodyKey{}, body)), true
}

// hctx is the huma context of a request. Its status can be overridden by
// the transformer, so huma's own errors get this API's statuses.
type hctx struct {
	humaContext
	status int
}

// humaContext names the embedded huma.Context (whose Context method would
// clash with a field named Context).
type humaContext = huma.Context

// SetStatus writes code, or the status the transformer chose.
func (c *hctx) SetStatus(code int) {
	if c.status != 0 {
		code = c.status
	}
	c.humaContext.SetStatus(code)
}

// Unwrap lets humago.Unwrap reach the request and response writer.
func (c *hctx) Unwrap() huma.Context { return c.humaContext }
