// Package phasekit is a client for Phase (phase.dev), the open-source end-to-end-encrypted
// secrets manager. It wraps the phasekit Rust core (linked statically through cgo): the protocol,
// the cryptography, retries and caching live there; this package translates types, errors and
// contexts.
//
//	client, err := phasekit.New(os.Getenv("PHASE_SERVICE_TOKEN"), phasekit.WithHost(host))
//	defer client.Close()
//	secrets, err := client.Get(ctx, phasekit.Target{App: "my-app", Env: "Production"}, nil)
//
// A Client is safe for concurrent use by many goroutines. Every network call takes a
// context.Context: cancelling it (or its deadline passing) stops the call. The library's warnings
// and debug lines go to log/slog (see SetLogger).
package phasekit

import (
	"context"
	"encoding/json"
	"runtime"
	"sync"
	"time"
)

// Client is a Phase client with one token, one connection pool and one cached session.
type Client struct {
	h *handle
}

// handle owns the Rust client. Calls hold the read lock, so Close (the write lock) waits for
// them and no call ever uses a freed client.
type handle struct {
	mu     sync.RWMutex
	native *nativeClient

	// The running watches' cancel functions: Close ends them, so that a closed client does
	// not go on polling.
	watchMu   sync.Mutex
	watches   map[uint64]context.CancelFunc
	lastWatch uint64
}

func (h *handle) close() {
	h.mu.Lock()
	if h.native != nil {
		freeNative(h.native)
		h.native = nil
	}
	h.mu.Unlock()
	h.watchMu.Lock()
	defer h.watchMu.Unlock()
	for _, cancel := range h.watches {
		cancel()
	}
	h.watches = nil
}

type settings struct {
	Host           *string  `json:"host,omitempty"`
	Timeout        *float64 `json:"timeout,omitempty"`
	ConnectTimeout *float64 `json:"connect_timeout,omitempty"`
	VerifySSL      *bool    `json:"verify_ssl,omitempty"`
	CABundle       *string  `json:"ca_bundle,omitempty"`
	SessionTTL     *float64 `json:"session_ttl,omitempty"`
	MaxRetries     *int     `json:"max_retries,omitempty"`
	Deadline       *float64 `json:"deadline,omitempty"`
	MaxResponse    *int64   `json:"max_response_bytes,omitempty"`
	CacheTTL       *float64 `json:"cache_ttl,omitempty"`
	StaleIfError   *float64 `json:"cache_stale_if_error,omitempty"`
	OfflineDir     *string  `json:"offline_cache_dir,omitempty"`
	Offline        *bool    `json:"offline,omitempty"`
	Debug          *bool    `json:"debug,omitempty"`
}

// Option configures a Client. Settings not given come from the environment (PHASE_HOST,
// PHASE_VERIFY_SSL, PHASE_DEBUG), else the defaults.
type Option func(*settings)

func seconds(d time.Duration) *float64 {
	s := d.Seconds()
	return &s
}

// WithHost sets the Phase host, e.g. "https://phase.example.com" (default
// "https://console.phase.dev").
func WithHost(host string) Option { return func(s *settings) { s.Host = &host } }

// WithTimeout bounds each request (default 30s).
func WithTimeout(d time.Duration) Option { return func(s *settings) { s.Timeout = seconds(d) } }

// WithConnectTimeout bounds establishing a connection (default 10s).
func WithConnectTimeout(d time.Duration) Option {
	return func(s *settings) { s.ConnectTimeout = seconds(d) }
}

// WithVerifySSL(false) turns TLS certificate verification off (logged as a warning through the
// logger of SetLogger); only for local test servers.
func WithVerifySSL(verify bool) Option { return func(s *settings) { s.VerifySSL = &verify } }

// WithCABundle trusts the certificate authorities of a PEM file in addition to the system's.
func WithCABundle(path string) Option { return func(s *settings) { s.CABundle = &path } }

// WithSessionTTL sets how long session data and derived keys are reused (default 5m).
func WithSessionTTL(d time.Duration) Option {
	return func(s *settings) { s.SessionTTL = seconds(d) }
}

// WithMaxRetries sets the retries of idempotent calls after transient failures (default 3).
func WithMaxRetries(n int) Option { return func(s *settings) { s.MaxRetries = &n } }

// WithDeadline bounds each call, retries and waits included (default 60s). A context's own
// deadline, when sooner, applies too.
func WithDeadline(d time.Duration) Option { return func(s *settings) { s.Deadline = seconds(d) } }

// WithMaxResponseBytes sets the largest response body accepted (default 64 MiB); a larger one
// fails the call with ErrProtocol instead of growing memory without bound.
func WithMaxResponseBytes(n int64) Option { return func(s *settings) { s.MaxResponse = &n } }

// WithCache keeps Get and GetResult results in memory for ttl: reads within it make no request
// (Result.Source "memory"), concurrent readers of an expired result share one fetch, and a
// refresh starts in the background shortly before the ttl ends. When the server cannot be
// reached, an expired result is still served for staleIfError (Source "stale"; 0 means the
// default, 5 minutes). Writes through the client and Refresh clear it; dynamic secrets are
// never cached. Without WithCache every read asks the server.
func WithCache(ttl, staleIfError time.Duration) Option {
	return func(s *settings) {
		s.CacheTTL = seconds(ttl)
		s.StaleIfError = nil
		if staleIfError != 0 {
			s.StaleIfError = seconds(staleIfError)
		}
	}
}

// WithOfflineCache keeps the server's answers in dir (ciphertext and wrapped keys only, 0600
// files in a 0700 directory per account) and serves them when the server cannot be reached
// (network errors, timeouts, 5xx, 429; never in place of a 401, 403 or 404), with
// Result.Source "offline". Also set by PHASE_OFFLINE_CACHE_DIR.
func WithOfflineCache(dir string) Option { return func(s *settings) { s.OfflineDir = &dir } }

// WithOffline(true) serves every read from the offline cache (WithOfflineCache or
// PHASE_OFFLINE_CACHE_DIR, required) without touching the network, and refuses writes with
// ErrOffline. Also set by PHASE_OFFLINE=1.
func WithOffline(offline bool) Option { return func(s *settings) { s.Offline = &offline } }

// WithDebug logs every request (method, path, attempt, time, outcome; never headers or bodies)
// as an Info record through the logger of SetLogger.
func WithDebug(debug bool) Option { return func(s *settings) { s.Debug = &debug } }

// New creates a client with a Phase token (service account, service token or personal access
// token).
func New(token string, opts ...Option) (*Client, error) {
	return open(&token, opts)
}

// FromEnv creates a client from PHASE_SERVICE_TOKEN, PHASE_HOST, PHASE_VERIFY_SSL and
// PHASE_DEBUG; opts override the environment.
func FromEnv(opts ...Option) (*Client, error) {
	return open(nil, opts)
}

// check refuses what the JSON request cannot carry (the library checks everything else).
func (s *settings) check() error {
	if s.MaxRetries != nil && *s.MaxRetries < 0 {
		return invalidInput("max_retries must not be negative")
	}
	if s.MaxResponse != nil && *s.MaxResponse <= 0 {
		return invalidInput("max_response_bytes must be a positive number of bytes")
	}
	return nil
}

// binding names this package, its version and the Go version in the user agent (after the
// library's own "phasekit/<version> (<os> <arch>)").
func binding() string {
	return "phasekit-go/" + ModuleVersion + " go/" + runtime.Version()
}

func open(token *string, opts []Option) (*Client, error) {
	var s settings
	for _, opt := range opts {
		opt(&s)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	request, err := json.Marshal(struct {
		Token   *string  `json:"token,omitempty"`
		Options settings `json:"options"`
		Binding string   `json:"binding"`
	}{token, s, binding()})
	if err != nil {
		return nil, err
	}
	defer wipe(request)
	// Even a failed New may have logged (a warning about the options), and the records belong
	// to this goroutine's logger now rather than to whichever call drains next.
	defer emitLogs()
	native, err := newNative(request)
	if err != nil {
		return nil, err
	}
	return adopt(native), nil
}

// adopt wraps a Rust client.
func adopt(native *nativeClient) *Client {
	c := &Client{h: &handle{native: native}}
	// A client that is dropped without Close still frees its Rust half.
	runtime.AddCleanup(c, func(h *handle) { h.close() }, c.h)
	return c
}

// Close frees the client. Calls still running finish first; later calls return ErrClosed.
// Its watches stop (their channels close shortly after). Closing twice is harmless.
func (c *Client) Close() error {
	c.h.close()
	return nil
}

// call runs one method of the Rust client and decodes its JSON result into out (if not nil).
func (c *Client) call(ctx context.Context, method string, args any, out any) error {
	return c.raw(ctx, method, args, func(answer []byte) error {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(answer, out); err != nil {
			return &Error{Code: CodeProtocol, Message: "malformed result from the phasekit library: " + err.Error()}
		}
		return nil
	})
}

// raw runs one method of the Rust client and hands its answer, still in Rust's memory, to read
// (see callNative).
func (c *Client) raw(ctx context.Context, method string, args any, read func(answer []byte) error) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if ctx.Err() != nil {
		return contextError(ctx, method)
	}
	payload, err := json.Marshal(args)
	if err != nil {
		return invalidInput("cannot encode the arguments: " + err.Error())
	}
	defer wipe(payload)
	err = c.locked(ctx, method, payload, read)
	// After the lock is released: a log handler that closes this client must not deadlock.
	emitLogs()
	return err
}

// locked runs one method of the Rust client under the read lock that Close waits for.
func (c *Client) locked(ctx context.Context, method string, payload []byte, read func(answer []byte) error) error {
	c.h.mu.RLock()
	defer c.h.mu.RUnlock()
	if c.h.native == nil {
		return ErrClosed
	}
	return callNative(ctx, c.h.native, method, payload, read)
}

// Host is the Phase host this client talks to.
func (c *Client) Host() string {
	var host string
	if err := c.call(context.Background(), "host", struct{}{}, &host); err != nil {
		return ""
	}
	return host
}

// Target names an environment: the app by name (App) or id (AppID, which wins), and the
// environment by name or id (Env).
type Target struct {
	App   string
	AppID string
	Env   string
}

// args is what every method sends: the target and the method's own fields.
type args struct {
	App      string         `json:"app,omitempty"`
	AppID    string         `json:"app_id,omitempty"`
	Env      string         `json:"env,omitempty"`
	Key      string         `json:"key,omitempty"`
	Path     *string        `json:"path,omitempty"`
	Options  *getOptions    `json:"options,omitempty"`
	Changes  map[string]any `json:"changes,omitempty"`
	Secrets  []newSecret    `json:"secrets,omitempty"`
	Keys     []string       `json:"keys,omitempty"`
	Format   string         `json:"format,omitempty"`
	SecretID string         `json:"secret_id,omitempty"`
	LeaseID  string         `json:"lease_id,omitempty"`
	TTL      *uint64        `json:"ttl,omitempty"`
	Watch    *watchArgs     `json:"watch,omitempty"`
}

func (t Target) args() args {
	return args{App: t.App, AppID: t.AppID, Env: t.Env}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// wholeSeconds rounds a positive duration up to whole seconds; 0 means "not given".
func wholeSeconds(name string, d time.Duration) (*uint64, error) {
	switch {
	case d < 0:
		return nil, invalidInput(name + " must not be negative")
	case d == 0:
		return nil, nil
	}
	s := uint64((d + time.Second - 1) / time.Second)
	return &s, nil
}

// GetOptions selects what Get returns. The zero value: every folder, every key, references
// resolved, no dynamic secrets.
type GetOptions struct {
	// Path limits the result to one folder ("/" is the root); "" means every folder.
	Path string
	// Keys limits the result to these keys.
	Keys []string
	// Tag limits the result to secrets with a matching tag (Phase's rule: case and "_"/" "
	// ignored, part of a tag matches).
	Tag string
	// Raw returns values as stored, with ${...} references left as written.
	Raw bool
	// Strict makes an unresolvable reference an error (ErrReference).
	Strict bool
	// Dynamic includes dynamic secrets.
	Dynamic bool
	// Lease creates a lease for each dynamic secret and returns its credentials.
	Lease bool
	// LeaseTTL is the lease's time to live (the secret's default when 0).
	LeaseTTL time.Duration
}

type getOptions struct {
	Path     *string  `json:"path,omitempty"`
	Keys     []string `json:"keys,omitempty"`
	Tag      *string  `json:"tag,omitempty"`
	Raw      bool     `json:"raw"`
	Strict   bool     `json:"strict"`
	Dynamic  bool     `json:"dynamic"`
	Lease    bool     `json:"lease"`
	LeaseTTL *uint64  `json:"lease_ttl,omitempty"`
}

// getArgs are the arguments of a read of t with opts (nil: the defaults).
func (t Target) getArgs(opts *GetOptions) (args, error) {
	if opts == nil {
		opts = &GetOptions{}
	}
	ttl, err := wholeSeconds("LeaseTTL", opts.LeaseTTL)
	if err != nil {
		return args{}, err
	}
	a := t.args()
	a.Options = &getOptions{
		Path: optional(opts.Path), Keys: opts.Keys, Tag: optional(opts.Tag), Raw: opts.Raw,
		Strict: opts.Strict, Dynamic: opts.Dynamic, Lease: opts.Lease, LeaseTTL: ttl,
	}
	return a, nil
}

// Get fetches and decrypts the secrets of an environment; opts may be nil.
func (c *Client) Get(ctx context.Context, t Target, opts *GetOptions) ([]Secret, error) {
	a, err := t.getArgs(opts)
	if err != nil {
		return nil, err
	}
	return c.secrets(ctx, "get", a)
}

// secrets runs a method that answers with a packed list of secrets.
func (c *Client) secrets(ctx context.Context, method string, a args) ([]Secret, error) {
	var found []Secret
	err := c.raw(ctx, method, a, func(answer []byte) (err error) {
		found, err = decodeSecretList(answer)
		return err
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}

// GetSecret fetches one secret by key at path ("" means the root, "/").
func (c *Client) GetSecret(ctx context.Context, t Target, key, path string) (Secret, error) {
	a := t.args()
	a.Key, a.Path = key, optional(path)
	var found Secret
	err := c.raw(ctx, "get_secret", a, func(answer []byte) (err error) {
		found, err = decodeOneSecret(answer)
		return err
	})
	if err != nil {
		return Secret{}, err
	}
	return found, nil
}

// NewSecret is a secret to create. Path defaults to "/", Type to "secret".
type NewSecret struct {
	Key     string
	Value   string
	Comment string
	Tags    []string
	Path    string
	// Type is "secret", "sealed" or "config".
	Type string
	// Override is a personal override of the value (personal access tokens only).
	Override string
}

type newSecret struct {
	Key      string   `json:"key"`
	Value    string   `json:"value"`
	Comment  *string  `json:"comment,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Path     *string  `json:"path,omitempty"`
	Type     *string  `json:"type,omitempty"`
	Override *string  `json:"override,omitempty"`
}

// Create creates secrets in one environment; a key that already exists at its path is an
// ErrConflict.
func (c *Client) Create(ctx context.Context, t Target, secrets ...NewSecret) error {
	a := t.args()
	a.Secrets = make([]newSecret, len(secrets))
	for i, s := range secrets {
		a.Secrets[i] = newSecret{
			Key: s.Key, Value: s.Value, Comment: optional(s.Comment), Tags: s.Tags,
			Path: optional(s.Path), Type: optional(s.Type), Override: optional(s.Override),
		}
	}
	if len(secrets) == 0 {
		a.Secrets = nil
	}
	return c.call(ctx, "create", a, nil)
}

// SecretChanges says what Update changes; nil fields stay as they are.
type SecretChanges struct {
	// Path is where the secret is; "" searches every folder.
	Path string
	// Value sets a new value (String("") sets an empty one).
	Value *string
	// Comment sets a new comment.
	Comment *string
	// Tags replaces the tags; nil keeps them, an empty slice removes them.
	Tags []string
	// NewPath moves the secret to another folder.
	NewPath string
	// Type is "secret", "sealed" or "config".
	Type string
	// Override sets the caller's personal override (personal access tokens only).
	Override *string
	// ToggleOverride flips the caller's personal override on or off.
	ToggleOverride bool
}

// String returns a pointer to s, for the optional fields of SecretChanges.
func String(s string) *string { return &s }

// Update changes one secret, found by key; only what changes gives is changed.
func (c *Client) Update(ctx context.Context, t Target, key string, changes SecretChanges) error {
	a := t.args()
	a.Key = key
	m := map[string]any{"toggle_override": changes.ToggleOverride}
	set := func(name string, value *string) {
		if value != nil {
			m[name] = *value
		}
	}
	set("path", optional(changes.Path))
	set("value", changes.Value)
	set("comment", changes.Comment)
	set("new_path", optional(changes.NewPath))
	set("type", optional(changes.Type))
	set("override", changes.Override)
	if changes.Tags != nil {
		m["tags"] = changes.Tags
	}
	a.Changes = m
	return c.call(ctx, "update", a, nil)
}

// Delete deletes secrets by key (at path, or in every folder when path is ""); it returns the
// keys that were not found.
func (c *Client) Delete(ctx context.Context, t Target, keys []string, path string) ([]string, error) {
	a := t.args()
	a.Keys, a.Path = keys, optional(path)
	var missing []string
	if err := c.call(ctx, "delete", a, &missing); err != nil {
		return nil, err
	}
	return missing, nil
}

// Apps lists the apps and environments the token can read.
func (c *Client) Apps(ctx context.Context) ([]App, error) {
	var apps []App
	if err := c.call(ctx, "apps", struct{}{}, &apps); err != nil {
		return nil, err
	}
	return apps, nil
}

// Environments lists the environments of the app t names (t.Env is not used).
func (c *Client) Environments(ctx context.Context, t Target) ([]Environment, error) {
	a := args{App: t.App, AppID: t.AppID}
	var envs []Environment
	if err := c.call(ctx, "environments", a, &envs); err != nil {
		return nil, err
	}
	return envs, nil
}

// Format is a text format of Export.
type Format string

// The formats of Export.
const (
	FormatDotenv Format = "dotenv"
	FormatJSON   Format = "json"
	FormatYAML   Format = "yaml"
)

// Export returns the secrets of an environment (at path; every folder when "") as dotenv, JSON
// or YAML text.
func (c *Client) Export(ctx context.Context, t Target, format Format, path string) (string, error) {
	a := t.args()
	a.Format, a.Path = string(format), optional(path)
	if a.Format == "" {
		a.Format = string(FormatDotenv)
	}
	var text string
	err := c.call(ctx, "export", a, &text)
	return text, err
}

// LeaseGenerate creates a lease of a dynamic secret (ttl 0: the secret's default) and returns
// its credentials, each with LeaseID set.
func (c *Client) LeaseGenerate(ctx context.Context, t Target, secretID string, ttl time.Duration) ([]Secret, error) {
	seconds, err := wholeSeconds("ttl", ttl)
	if err != nil {
		return nil, err
	}
	a := t.args()
	a.SecretID, a.TTL = secretID, seconds
	return c.secrets(ctx, "lease_generate", a)
}

// LeaseRenew extends a lease to ttl from now; it returns the server's message.
func (c *Client) LeaseRenew(ctx context.Context, t Target, leaseID string, ttl time.Duration) (string, error) {
	seconds, err := wholeSeconds("ttl", ttl)
	if err != nil {
		return "", err
	}
	if seconds == nil {
		return "", invalidInput("ttl must be positive")
	}
	a := t.args()
	a.LeaseID, a.TTL = leaseID, seconds
	var message string
	err = c.call(ctx, "lease_renew", a, &message)
	return message, err
}

// LeaseRevoke revokes a lease; it returns the server's message.
func (c *Client) LeaseRevoke(ctx context.Context, t Target, leaseID string) (string, error) {
	a := t.args()
	a.LeaseID = leaseID
	var message string
	err := c.call(ctx, "lease_revoke", a, &message)
	return message, err
}

// Refresh drops the cached session and keys: the next call fetches them again.
func (c *Client) Refresh(ctx context.Context) error {
	return c.call(ctx, "refresh", struct{}{}, nil)
}
