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
	a, err := t.getArgs(opts)
	if err != nil {
		return nil, err
	}
	var r *Result
	err = c.raw(ctx, "get_result", a, func(answer []byte) (err error) {
		r, err = decodeResult(answer)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
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

type wireStats struct {
	Requests        uint64  `json:"requests"`
	Retries         uint64  `json:"retries"`
	RateLimited     uint64  `json:"rate_limited"`
	Failures        uint64  `json:"failures"`
	CacheHits       uint64  `json:"cache_hits"`
	CacheMisses     uint64  `json:"cache_misses"`
	OfflineServed   uint64  `json:"offline_served"`
	DecryptedFields uint64  `json:"decrypted_fields"`
	DecryptTime     float64 `json:"decrypt_time"`
}

// Stats returns the client's counters; a closed client's are all zero.
func (c *Client) Stats() Stats {
	var w wireStats
	if err := c.call(context.Background(), "stats", struct{}{}, &w); err != nil {
		return Stats{}
	}
	return Stats{
		Requests: w.Requests, Retries: w.Retries, RateLimited: w.RateLimited, Failures: w.Failures,
		CacheHits: w.CacheHits, CacheMisses: w.CacheMisses, OfflineServed: w.OfflineServed,
		DecryptedFields: w.DecryptedFields,
		DecryptTime:     time.Duration(w.DecryptTime * float64(time.Second)),
	}
}
