package phasekit

import (
	"context"
	"time"
)

// WatchOptions says how often Watch polls. The zero value: every 30s, backing off to at most
// 5m while the server cannot be reached.
type WatchOptions struct {
	// Interval is the time between polls, each jittered by ±10% so that many watchers do not
	// poll in step (default 30s).
	Interval time.Duration
	// MaxBackoff caps the wait between polls while the server cannot be reached: the interval
	// doubles after each failure up to it (default 5m).
	MaxBackoff time.Duration
}

// Change is what changed between two polls of a watch: keys, prefixed with their folder when it
// is not the root ("/db/PASSWORD"), each list sorted. Never values: read them with Get.
type Change struct {
	Added   []string
	Changed []string
	Removed []string
}

// WatchEvent is one item of a watch: a Change, or an error. A transient error (ErrNetwork,
// ErrServer, ErrRateLimited: Retryable is true) is reported and polling goes on with backoff;
// any other error (a revoked token, lost access) is the last event before the channel closes.
type WatchEvent struct {
	Change *Change
	Err    error
}

// Watch polls the secrets that t and opts select (nil: every folder; dynamic secrets cannot be
// watched) and sends a WatchEvent when they change. The first poll happens at once and sets
// the baseline; each later one compares values through a keyed hash, so only changes are
// reported. The channel closes when ctx is done (which stops the polling at once), when the
// client is closed, or after the watch's last error. Read the channel until it closes or
// cancel ctx: an event nobody receives holds the watch up.
func (c *Client) Watch(ctx context.Context, t Target, opts *GetOptions, w WatchOptions) (<-chan WatchEvent, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if ctx.Err() != nil {
		return nil, contextError(ctx, "watch")
	}
	watchCtx, cancel := context.WithCancel(ctx)
	native, key, err := c.startWatch(t, opts, w, cancel)
	emitLogs()
	if err != nil {
		cancel()
		return nil, err
	}
	events := make(chan WatchEvent)
	go func() {
		defer close(events)
		defer cancel()
		defer c.h.forgetWatch(key)
		// First of the deferred calls to run: the Rust watch is freed (its polling stopped)
		// before the channel closes, so a closed channel means nothing is left running.
		defer freeNativeWatch(native)
		runNativeWatch(watchCtx, native, func(event WatchEvent) bool {
			emitLogs()
			select {
			case events <- event:
				return true
			case <-watchCtx.Done():
				return false
			}
		})
	}()
	return events, nil
}

// startWatch starts the Rust watch under the read lock that Close waits for, and registers
// cancel for Close to call.
func (c *Client) startWatch(t Target, opts *GetOptions, w WatchOptions, cancel context.CancelFunc) (*nativeWatch, uint64, error) {
	c.h.mu.RLock()
	defer c.h.mu.RUnlock()
	if c.h.native == nil {
		return nil, 0, ErrClosed
	}
	native, err := newNativeWatch(c.h.native, t, opts, w)
	if err != nil {
		return nil, 0, err
	}
	c.h.watchMu.Lock()
	defer c.h.watchMu.Unlock()
	if c.h.watches == nil {
		c.h.watches = map[uint64]context.CancelFunc{}
	}
	c.h.lastWatch++
	c.h.watches[c.h.lastWatch] = cancel
	return native, c.h.lastWatch, nil
}

func (h *handle) forgetWatch(key uint64) {
	h.watchMu.Lock()
	defer h.watchMu.Unlock()
	delete(h.watches, key)
}
