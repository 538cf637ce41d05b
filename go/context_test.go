package phasekit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

func TestCancelStopsACallPromptly(t *testing.T) {
	s, c := freshClient(t)
	s.faults(t, map[string]any{"latency_ms": 3000})
	cancelled, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Get(cancelled, devTarget, nil)
	elapsed := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	var e *phasekit.Error
	if errors.As(err, &e) {
		t.Fatalf("a cancellation is not a *phasekit.Error: %v", e)
	}
	if elapsed > 1500*time.Millisecond {
		t.Fatalf("the call ran %v after cancellation", elapsed)
	}
	// The client still works.
	s.faults(t, map[string]any{})
	s.admin(t, "DELETE", "/_admin/faults", nil, nil)
	if _, err := c.Get(ctx(t), devTarget, nil); err != nil {
		t.Fatalf("after a cancelled call: %v", err)
	}
}

func TestDeadlineIsATimeout(t *testing.T) {
	s, c := freshClient(t)
	s.faults(t, map[string]any{"latency_ms": 3000})
	short, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Get(short, devTarget, nil)
	if time.Since(start) > 1500*time.Millisecond {
		t.Fatalf("the deadline was not honoured: %v", time.Since(start))
	}
	e := expectCode(t, err, phasekit.CodeTimeout, phasekit.ErrTimeout)
	if !errors.Is(err, context.DeadlineExceeded) || !e.Retryable {
		t.Fatalf("deadline: %v", err)
	}
}

func TestDoneContextMakesNoRequest(t *testing.T) {
	s, c := freshClient(t)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Apps(done); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if n := len(s.requests(t)); n != 0 {
		t.Fatalf("%d requests for a cancelled context", n)
	}
}

func TestClosedClient(t *testing.T) {
	_, c := freshClient(t)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal("closing twice:", err)
	}
	if _, err := c.Get(ctx(t), devTarget, nil); !errors.Is(err, phasekit.ErrClosed) {
		t.Fatalf("want ErrClosed, got %v", err)
	}
}

func TestFromEnv(t *testing.T) {
	s := fresh(t)
	t.Setenv("PHASE_SERVICE_TOKEN", s.tokens["sa-token"])
	t.Setenv("PHASE_HOST", s.url)
	c, err := phasekit.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Host() != s.url {
		t.Fatalf("Host: %q", c.Host())
	}
	if _, err := c.GetSecret(ctx(t), devTarget, "PORT", "/"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PHASE_SERVICE_TOKEN", "")
	_, err = phasekit.FromEnv()
	expectCode(t, err, phasekit.CodeInvalidToken, phasekit.ErrAuthentication)
}
