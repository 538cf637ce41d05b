package phasekit_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/phasekit/phasekit/go"
)

// 64 goroutines share one client for thousands of calls (run with -race).
func TestManyGoroutinesShareOneClient(t *testing.T) {
	s, c := freshClient(t)
	const goroutines, callsEach = 64, 50
	var wg sync.WaitGroup
	var failures atomic.Int64
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range callsEach {
				switch (g + i) % 3 {
				case 0:
					secret, err := c.GetSecret(context.Background(), devTarget, "DSN", "/")
					if err != nil || secret.Value() != resolvedDSN {
						failures.Add(1)
						errs <- err
						return
					}
				case 1:
					found, err := c.Get(context.Background(), devTarget, &phasekit.GetOptions{Path: "/db"})
					if err != nil || len(found) != 2 {
						failures.Add(1)
						errs <- err
						return
					}
				default:
					_, err := c.Get(context.Background(), phasekit.Target{App: "no-such-app", Env: dev}, nil)
					if !errors.Is(err, phasekit.ErrNotFound) {
						failures.Add(1)
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if failures.Load() != 0 {
		t.Fatalf("%d goroutines failed, first: %v", failures.Load(), <-errs)
	}
	total := 0
	for _, n := range s.requests(t) {
		total += n
	}
	// At most one request per call, plus the session of the first.
	if total > goroutines*callsEach+2 {
		t.Fatalf("%d requests for %d calls", total, goroutines*callsEach)
	}
	t.Logf("%d calls from %d goroutines, %d requests", goroutines*callsEach, goroutines, total)
}

// Closing while calls run: they finish or see ErrClosed, nothing crashes or leaks.
func TestCloseWhileCallsRun(t *testing.T) {
	s := fresh(t)
	for range 5 {
		c := s.client(t, "sa-token")
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					_, err := c.Get(context.Background(), devTarget, &phasekit.GetOptions{Path: "/db"})
					if err != nil && !errors.Is(err, phasekit.ErrClosed) {
						t.Errorf("call during Close: %v", err)
						return
					}
				}
			}()
		}
		_ = c.Close()
		wg.Wait()
	}
}
