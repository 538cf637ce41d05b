package phasekit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

var dbOnly = &phasekit.GetOptions{Path: "/db"}

// Within the ttl a read is answered from memory: no request, Source "memory"; the counters
// say so, and a write through the client clears what it cached.
func TestCacheHitMakesNoRequest(t *testing.T) {
	s := fresh(t)
	c := s.client(t, "sa-token", phasekit.WithCache(time.Minute, 0))
	first, err := c.GetResult(ctx(t), devTarget, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Source != phasekit.SourceNetwork {
		t.Fatalf("first read: source %q", first.Source)
	}
	s.admin(t, "DELETE", "/_admin/requests", nil, nil)
	second, err := c.GetResult(ctx(t), devTarget, nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.Source != phasekit.SourceMemory {
		t.Fatalf("second read: source %q", second.Source)
	}
	if requests := s.requests(t); len(requests) != 0 {
		t.Fatalf("a cached read made requests: %v", requests)
	}
	if !maps.Equal(values(t, first.Secrets), values(t, second.Secrets)) || values(t, second.Secrets)["DSN"] != resolvedDSN {
		t.Fatal("the cached result differs from the fetched one")
	}
	// A Result prints and encodes without values, whatever the verb.
	encoded, err := json.Marshal(second)
	if err != nil {
		t.Fatal(err)
	}
	for _, shown := range []string{fmt.Sprintf("%v", second), fmt.Sprintf("%+v", *second), fmt.Sprintf("%#v", second), string(encoded)} {
		expectNoSecrets(t, s, shown)
	}
	// Get goes through the same cache.
	if _, err := c.Get(ctx(t), devTarget, nil); err != nil || len(s.requests(t)) != 0 {
		t.Fatalf("Get after GetResult: %v, requests %v", err, s.requests(t))
	}

	stats := c.Stats()
	if stats.CacheHits != 2 || stats.CacheMisses != 1 || stats.Requests < 2 || stats.Failures != 0 ||
		stats.DecryptedFields == 0 || stats.DecryptTime <= 0 {
		t.Fatalf("stats: %+v", stats)
	}

	if err := c.Create(ctx(t), devTarget, phasekit.NewSecret{Key: "AFTER_WRITE", Value: "w"}); err != nil {
		t.Fatal(err)
	}
	third, err := c.GetResult(ctx(t), devTarget, nil)
	if err != nil {
		t.Fatal(err)
	}
	if third.Source != phasekit.SourceNetwork || values(t, third.Secrets)["AFTER_WRITE"] != "w" {
		t.Fatalf("after a write: source %q", third.Source)
	}
}

// 32 goroutines reading the same scope from a cold cache share one fetch.
func TestColdCacheSharesOneFetch(t *testing.T) {
	s := fresh(t)
	c := s.client(t, "sa-token", phasekit.WithCache(time.Minute, 0))
	// Slow answers, so that every goroutine arrives while the first fetch is under way.
	s.faults(t, map[string]any{"latency_ms": 150})
	const readers = 32
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		mu      sync.Mutex
		sources = map[phasekit.Source]int{}
	)
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := c.GetResult(context.Background(), devTarget, dbOnly)
			if err != nil || len(r.Secrets) != 2 {
				t.Errorf("concurrent read: %v", err)
				return
			}
			mu.Lock()
			sources[r.Source]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	requests := s.requests(t)
	if requests["GET /secrets/"] != 1 || requests["GET /secrets/tokens/"] != 1 {
		t.Fatalf("%d cold readers made %v", readers, requests)
	}
	if sources[phasekit.SourceNetwork] != 1 || sources[phasekit.SourceMemory] != readers-1 {
		t.Fatalf("sources: %v", sources)
	}
	if stats := c.Stats(); stats.CacheMisses != 1 || stats.CacheHits != readers-1 {
		t.Fatalf("stats: %+v", stats)
	}
}

// Past the ttl, a server that cannot be reached is bridged with the expired result.
func TestStaleIfErrorBridgesAnOutage(t *testing.T) {
	s := fresh(t)
	const ttl = 300 * time.Millisecond
	c := s.client(t, "sa-token", phasekit.WithCache(ttl, time.Minute), phasekit.WithMaxRetries(0))
	fetched, err := c.GetResult(ctx(t), devTarget, dbOnly)
	if err != nil || fetched.Source != phasekit.SourceNetwork {
		t.Fatalf("first read: %v", err)
	}
	time.Sleep(ttl + 100*time.Millisecond)
	s.faults(t, map[string]any{"fail_next": 100, "fail_status": 503})
	stale, err := c.GetResult(ctx(t), devTarget, dbOnly)
	if err != nil {
		t.Fatalf("stale read: %v", err)
	}
	if stale.Source != phasekit.SourceStale || !maps.Equal(values(t, stale.Secrets), values(t, fetched.Secrets)) {
		t.Fatalf("stale read: source %q", stale.Source)
	}
	if c.Stats().Failures == 0 {
		t.Fatal("the failed refresh is not counted")
	}
	// Without a cache the outage shows.
	plain := s.client(t, "sa-token", phasekit.WithMaxRetries(0))
	_, err = plain.GetResult(ctx(t), devTarget, dbOnly)
	expectCode(t, err, phasekit.CodeServer, phasekit.ErrServer)
	// And it is not papered over once the server answers again.
	s.admin(t, "DELETE", "/_admin/faults", nil, nil)
	fresh, err := c.GetResult(ctx(t), devTarget, dbOnly)
	if err != nil || fresh.Source != phasekit.SourceNetwork {
		t.Fatalf("after the outage: %v", err)
	}
}

func TestCacheSettingsAreChecked(t *testing.T) {
	s := fresh(t)
	for _, opt := range []phasekit.Option{
		phasekit.WithCache(0, 0),
		phasekit.WithCache(-time.Second, 0),
		phasekit.WithCache(time.Minute, -time.Second),
	} {
		_, err := phasekit.New(s.tokens["sa-token"], phasekit.WithHost(s.url), opt)
		expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
	}
}
