package phasekit

import (
	"context"
	"time"
)

// Source says where the secrets of a Result came from.
type Source string

// The sources of a Result.
const (
	// SourceNetwork: fetched from the server by this call.
	SourceNetwork Source = "network"
	// SourceMemory: the in-memory cache of WithCache, within its ttl.
	SourceMemory Source = "memory"
	// SourceStale: the in-memory cache past its ttl, because the server could not be reached.
	SourceStale Source = "stale"
	// SourceOffline: the offline cache of WithOfflineCache (offline mode, or the server could
	// not be reached).
	SourceOffline Source = "offline"
)

// Result is what GetResult returns: the secrets and where they came from.
type Result struct {
	Secrets []Secret
	Source  Source
}

// GetResult is Get, also saying where the secrets came from (see Source); opts may be nil.
func (c *Client) GetResult(ctx context.Context, t Target, opts *GetOptions) (*Result, error) {
	found, source, err := c.get(ctx, t, opts)
	if err != nil {
		return nil, err
	}
	return &Result{Secrets: found, Source: source}, nil
}

// Stats are a client's counters since it was created. They never contain names or values.
type Stats struct {
	// Requests is the number of HTTP requests sent (each attempt counts).
	Requests uint64
	// Retries is the number of attempts that were retries of a failed one.
	Retries uint64
	// RateLimited is the number of answers with status 429.
	RateLimited uint64
	// Failures is the number of attempts that failed (any error, before retries).
	Failures uint64
	// CacheHits is the number of reads the in-memory cache answered (WithCache).
	CacheHits uint64
	// CacheMisses is the number of reads the in-memory cache had to fetch for.
	CacheMisses uint64
	// OfflineServed is the number of answers served from the offline cache.
	OfflineServed uint64
	// DecryptedFields is the number of fields decrypted (one seen before costs nothing).
	DecryptedFields uint64
	// DecryptTime is the time spent decrypting.
	DecryptTime time.Duration
}

// Stats returns the client's counters; a closed client's are all zero.
func (c *Client) Stats() Stats {
	return peek(c, "stats", nativeStats)
}

// secondsDuration is a number of seconds from the library as a Duration.
func secondsDuration(s float64) time.Duration {
	return time.Duration(s * float64(time.Second))
}
