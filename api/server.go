package api

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
)

// Config configures a Server. Backend's required fields are required; the
// rest are optional.
type Config struct {
	Backend
	// Token is the admin bearer token (the node's api.token). Empty
	// disables the admin endpoints (they answer 401).
	Token   string
	Version string       // reported by /status and in the OpenAPI document
	Logger  *slog.Logger // nil discards
	// Registry receives the API's and the node's metrics (GET /metrics
	// serves it). Nil: a new registry with the Go and process collectors.
	Registry *prometheus.Registry
	Explorer http.Handler // if set, serves "/" and "/explorer/..." (see explorer.go)
	// MaxBody caps request bodies (default 1 MiB); MaxBatchBody caps POST
	// /txs/batch (default 8 MiB) and MaxBatchTxs its number of txs
	// (default 10,000).
	MaxBody      int64
	MaxBatchBody int64
	MaxBatchTxs  int
	// RateLimit is the txs per second allowed per client IP (a POST
	// counts one, a batch one per tx), with bursts of RateBurst (defaults
	// DefaultRateLimit and RateBurstSeconds of it). Requests carrying the valid
	// admin token are not limited, nor loopback clients unless
	// RateLimitLoopback. A negative RateLimit disables the limit.
	RateLimit         float64
	RateBurst         int
	RateLimitLoopback bool
	// Timeouts of Serve's http.Server: ReadHeaderTimeout (default 5 s),
	// ReadTimeout for a whole request (default 30 s), WriteTimeout for a
	// response (default 30 s; SSE streams and GET /mine extend their own
	// deadlines), IdleTimeout (default 2 min).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// Heartbeat is the interval of SSE keep-alive comments (default 15 s).
	Heartbeat time.Duration
	// Now is the rate limiter's clock (default time.Now).
	Now func() time.Time
}

// Server serves the REST API. Create it with New; it is safe for
// concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	api     huma.API
	auth    auth
	limiter *limiter
	metrics *metrics
	prefix  string // the chain's address prefix
	routes  []string
	openapi []byte // the document, marshalled once all routes are in
	// following is set while a Serve call counts events for the metrics
	// (one at a time, so concurrent Serve calls do not count twice).
	following atomic.Bool
}

// New checks cfg, applies defaults and builds the routes.
func New(cfg Config) (*Server, error) {
	b := cfg.Backend
	switch {
	case b.Genesis == nil:
		return nil, errors.New("api: Config.Genesis is required")
	case b.Chain == nil:
		return nil, errors.New("api: Config.Chain is required")
	case b.Pool == nil:
		return nil, errors.New("api: Config.Pool is required")
	case b.Miner == nil:
		return nil, errors.New("api: Config.Miner is required")
	case b.Assets == nil:
		return nil, errors.New("api: Config.Assets is required")
	case b.Contracts == nil:
		return nil, errors.New("api: Config.Contracts is required")
	case b.Events == nil:
		return nil, errors.New("api: Config.Events is required")
	case b.SubmitTxs == nil:
		return nil, errors.New("api: Config.SubmitTxs is required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.ReadHeaderTimeout, 5*time.Second)
	def(&cfg.ReadTimeout, 30*time.Second)
	def(&cfg.WriteTimeout, 30*time.Second)
	def(&cfg.IdleTimeout, 2*time.Minute)
	def(&cfg.Heartbeat, 15*time.Second)
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxBatchBody <= 0 {
		cfg.MaxBatchBody = DefaultMaxBatchBody
	}
	if cfg.MaxBatchTxs <= 0 {
		cfg.MaxBatchTxs = DefaultMaxBatchTxs
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.RateBurst <= 0 {
		cfg.RateBurst = max(1, int(math.Ceil(RateBurstSeconds*cfg.RateLimit)))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	s := &Server{
		cfg:    cfg,
		log:    logger(cfg.Logger),
		mux:    http.NewServeMux(),
		auth:   newAuth(cfg.Token),
		prefix: b.Genesis.AddressPrefix,
	}
	if cfg.RateLimit > 0 {
		s.limiter = newLimiter(cfg.RateLimit, cfg.RateBurst, cfg.Now)
	}
	var err error
	if s.metrics, err = newMetrics(cfg.Registry, &s.cfg.Backend); err != nil {
		return nil, err
	}
	s.api = huma.NewAPI(s.humaConfig(), adapter{s})
	s.registerRoutes()
	// huma registers its default error model, which this API never uses.
	schemas := s.api.OpenAPI().Components.Schemas.Map()
	delete(schemas, "ErrorModel")
	delete(schemas, "ErrorDetail")
	if s.openapi, err = s.api.OpenAPI().MarshalJSON(); err != nil {
		return nil, err
	}
	return s, nil
}

// humaConfig is huma's default configuration without its extras (docs
// UI, schema links, $schema fields), with problem transformation.
func (s *Server) humaConfig() huma.Config {
	c := huma.DefaultConfig("Cairn node API", s.cfg.Version)
	c.OpenAPIPath, c.DocsPath, c.SchemasPath = "", "", ""
	c.CreateHooks = nil
	c.Transformers = []huma.Transformer{s.transform}
	c.Info.Description = "The REST API of a Cairn node (docs/api.md in the Cairn repository; this document is the full reference). Amounts are integer base units; " +
		"hashes, tx IDs and keys are lowercase hex; addresses are bech32m; errors are RFC 9457 problems with a stable code."
	c.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		securityScheme: {Type: "http", Scheme: "bearer", Description: "The admin token the node writes to <datadir>/api.token at start."},
	}
	return c
}

// registerRoutes registers every route.
func (s *Server) registerRoutes() {
	s.registerChain()
	s.registerTxs()
	s.registerAccounts()
	s.registerAssets()
	s.registerContracts()
	s.registerAnchors()
	s.registerMining()
	s.registerConsensus()
	s.registerPermissions()
	s.registerPeers()
	s.registerEvents()
	s.registerBrief()
	s.registerOps()
	if s.cfg.Devnet != nil {
		s.registerDevnet()
	}
}

// Routes returns the patterns the server serves ("GET /api/v1/status",
// ...), in registration order.
func (s *Server) Routes() []string { return slices.Clone(s.routes) }

// OpenAPI returns the OpenAPI 3.1 document (JSON) served at
// GET /api/v1/openapi.json.
func (s *Server) OpenAPI() []byte { return slices.Clone(s.openapi) }

// Handler returns the whole API: /api/v1/..., the brief's routes at the
// root, /metrics and /healthz. Requests that match no route get a 404 (or
// 405) problem, and every request is counted in the metrics.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w.Header().Set("X-Content-Type-Options", "nosniff")
	rec := &recorder{ResponseWriter: w}
	pattern := s.route(r)
	if pattern == "" {
		s.noRoute(rec, r)
		pattern = "unmatched"
	} else {
		s.dispatch(rec, r, pattern)
	}
	s.metrics.request(pattern, rec.code(), time.Since(start))
}

// noRoute answers a request no pattern matches: 405 if the path is served
// with other methods, else 404.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := s.mux.Handler(probe); p != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		p := problem(wire.CodeMethodNotAllowed, "%s is not served with method %s; use %v", r.URL.Path, r.Method, allow)
		for _, m := range allow {
			p.GetHeaders().Add("Allow", m)
		}
		writeProblem(w, p)
		return
	}
	writeProblem(w, notFound("no such endpoint: %s %s (see /api/v1/openapi.json)", r.Method, r.URL.Path))
}

// Serve serves the API on ln until ctx is done, then shuts down
// gracefully (open SSE streams and GET /mine end with ctx). It also keeps
// the event-driven metrics (blocks and txs processed) current while it
// runs. It returns nil after a clean shutdown. Several Serve calls (one
// per listener) may share a Server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	g, gctx := errgroup.WithContext(ctx)
	if s.following.CompareAndSwap(false, true) {
		// The subscription is taken before the first request is served,
		// so every tx and block that request causes is counted.
		from := s.metrics.start(s.cfg.Events)
		g.Go(func() error {
			defer s.following.Store(false)
			s.metrics.follow(gctx, s.cfg.Events, from)
			return nil
		})
	}
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	s.log.Info("api listening", "addr", ln.Addr().String())
	return g.Wait()
}

// recorder records the status of a response for the metrics.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush lets SSE flush through the recorder.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) code() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}
