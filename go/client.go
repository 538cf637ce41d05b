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

// Option configures a Client. Settings not given come from the environment (PHASE_HOST,
// PHASE_VERIFY_SSL, PHASE_DEBUG, ...), else the defaults. One With... function per setting of
// the core is generated in settings_gen.go; the core checks every value when the client is made.
type Option func(*settings)

// WithCache keeps Get and GetResult results in memory for ttl: reads within it make no request
// (Result.Source "memory"), concurrent readers of an expired result share one fetch, and a
// refresh starts in the background shortly before the ttl ends. When the server cannot be
// reached, an expired result is still served for staleIfError (Source "stale"; 0 means the
// default, 5 minutes). Writes through the client and Refresh clear it; dynamic secrets are
// never cached. Without WithCache every read asks the server.
func WithCache(ttl, staleIfError time.Duration) Option {
	return func(s *settings) {
		WithCacheTTL(ttl)(s)
		s.CacheStaleIfError = nil
		if staleIfError != 0 {
			WithCacheStaleIfError(staleIfError)(s)
		}
	}
}

// WithOfflineCache keeps the server's answers in dir (ciphertext and wrapped keys only, 0600
// files in a 0700 directory per account) and serves them when the server cannot be reached
// (network errors, timeouts, 5xx, 429; never in place of a 401, 403 or 404), with
// Result.Source "offline". Also set by PHASE_OFFLINE_CACHE_DIR. The same as
// WithOfflineCacheDir.
func WithOfflineCache(dir string) Option { return WithOfflineCacheDir(dir) }

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
	settingsJSON, err := json.Marshal(s)
	if err != nil {
		return nil, invalidInput("cannot encode the settings: " + err.Error())
	}
	// Even a failed New may have logged (a warning about the options), and the records belong
	// to this goroutine's logger now rather than to whichever call drains next.
	defer emitLogs()
	native, err := newNative(token, settingsJSON)
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

// with runs op on the Rust client under the read lock that Close waits for, then passes the
// library's log records on (after the lock: a log handler that closes this client must not
// deadlock).
func (c *Client) with(ctx context.Context, name string, op func(ctx context.Context, n *nativeClient) error) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if ctx.Err() != nil {
		return contextError(ctx, name)
	}
	err := c.locked(ctx, op)
	emitLogs()
	return err
}

func (c *Client) locked(ctx context.Context, op func(ctx context.Context, n *nativeClient) error) error {
	c.h.mu.RLock()
	defer c.h.mu.RUnlock()
	if c.h.native == nil {
		return ErrClosed
	}
	return op(ctx, c.h.native)
}

// Host is the Phase host this client talks to ("" once closed).
func (c *Client) Host() string {
	return peek(c, "host", nativeHost)
}

// peek returns what read says of the native client, or T's zero value once c is closed.
func peek[T any](c *Client, name string, read func(*nativeClient) T) T {
	var value T
	_ = c.with(context.Background(), name, func(_ context.Context, n *nativeClient) error {
		value = read(n)
		return nil
	})
	return value
}

// Target names an environment: the app by name (App) or id (AppID, which wins), and the
// environment by name or id (Env).
type Target struct {
	App   string
	AppID string
	Env   string
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

// Get fetches and decrypts the secrets of an environment; opts may be nil.
func (c *Client) Get(ctx context.Context, t Target, opts *GetOptions) ([]Secret, error) {
	found, _, err := c.get(ctx, t, opts)
	return found, err
}

// get reads the secrets of t and where they came from.
func (c *Client) get(ctx context.Context, t Target, opts *GetOptions) (found []Secret, source Source, err error) {
	var leaseTTL *uint64
	if opts != nil {
		if leaseTTL, err = wholeSeconds("LeaseTTL", opts.LeaseTTL); err != nil {
			return nil, "", err
		}
	}
	err = c.with(ctx, "get", func(ctx context.Context, n *nativeClient) error {
		found, source, err = nativeGet(ctx, n, t, opts, orZero(leaseTTL))
		return err
	})
	return found, source, err
}

func orZero(n *uint64) uint64 {
	if n == nil {
		return 0
	}
	return *n
}

// GetSecret fetches one secret by key at path ("" means the root, "/").
func (c *Client) GetSecret(ctx context.Context, t Target, key, path string) (Secret, error) {
	var found []Secret
	err := c.with(ctx, "get_secret", func(ctx context.Context, n *nativeClient) (err error) {
		found, err = nativeGetSecret(ctx, n, t, key, path)
		return err
	})
	if err != nil {
		return Secret{}, err
	}
	if len(found) != 1 {
		return Secret{}, &Error{Code: CodeProtocol, Message: "the phasekit library answered get_secret with no secret"}
	}
	return found[0], nil
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

// Create creates secrets in one environment; a key that already exists at its path is an
// ErrConflict.
func (c *Client) Create(ctx context.Context, t Target, secrets ...NewSecret) error {
	return c.with(ctx, "create", func(ctx context.Context, n *nativeClient) error {
		return nativeCreate(ctx, n, t, secrets)
	})
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
	return c.with(ctx, "update", func(ctx context.Context, n *nativeClient) error {
		return nativeUpdate(ctx, n, t, key, changes)
	})
}

// Delete deletes secrets by key (at path, or in every folder when path is ""); it returns the
// keys that were not found.
func (c *Client) Delete(ctx context.Context, t Target, keys []string, path string) (missing []string, err error) {
	err = c.with(ctx, "delete", func(ctx context.Context, n *nativeClient) error {
		missing, err = nativeDelete(ctx, n, t, keys, path)
		return err
	})
	return missing, err
}

// Apps lists the apps and environments the token can read.
func (c *Client) Apps(ctx context.Context) (apps []App, err error) {
	err = c.with(ctx, "apps", func(ctx context.Context, n *nativeClient) error {
		apps, err = nativeApps(ctx, n)
		return err
	})
	return apps, err
}

// Environments lists the environments of the app t names (t.Env is not used).
func (c *Client) Environments(ctx context.Context, t Target) (envs []Environment, err error) {
	err = c.with(ctx, "environments", func(ctx context.Context, n *nativeClient) error {
		envs, err = nativeEnvironments(ctx, n, Target{App: t.App, AppID: t.AppID})
		return err
	})
	return envs, err
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
func (c *Client) Export(ctx context.Context, t Target, format Format, path string) (text string, err error) {
	err = c.with(ctx, "export", func(ctx context.Context, n *nativeClient) error {
		text, err = nativeExport(ctx, n, t, string(format), path)
		return err
	})
	return text, err
}

// LeaseGenerate creates a lease of a dynamic secret (ttl 0: the secret's default) and returns
// its credentials, each with LeaseID set.
func (c *Client) LeaseGenerate(ctx context.Context, t Target, secretID string, ttl time.Duration) (found []Secret, err error) {
	seconds, err := wholeSeconds("ttl", ttl)
	if err != nil {
		return nil, err
	}
	err = c.with(ctx, "lease_generate", func(ctx context.Context, n *nativeClient) error {
		found, err = nativeLeaseGenerate(ctx, n, t, secretID, orZero(seconds))
		return err
	})
	return found, err
}

// LeaseRenew extends a lease to ttl from now; it returns the server's message.
func (c *Client) LeaseRenew(ctx context.Context, t Target, leaseID string, ttl time.Duration) (message string, err error) {
	seconds, err := wholeSeconds("ttl", ttl)
	if err != nil {
		return "", err
	}
	err = c.with(ctx, "lease_renew", func(ctx context.Context, n *nativeClient) error {
		message, err = nativeLeaseRenew(ctx, n, t, leaseID, orZero(seconds))
		return err
	})
	return message, err
}

// LeaseRevoke revokes a lease; it returns the server's message.
func (c *Client) LeaseRevoke(ctx context.Context, t Target, leaseID string) (message string, err error) {
	err = c.with(ctx, "lease_revoke", func(ctx context.Context, n *nativeClient) error {
		message, err = nativeLeaseRevoke(ctx, n, t, leaseID)
		return err
	})
	return message, err
}

// Refresh drops the cached session and keys: the next call fetches them again.
func (c *Client) Refresh(ctx context.Context) error {
	return c.with(ctx, "refresh", nativeRefresh)
}
