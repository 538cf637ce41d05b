package phasekit_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

var fastWatch = phasekit.WatchOptions{Interval: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond}

// rawOnly makes every poll exactly one GET /secrets/ (no reference to resolve elsewhere).
var rawOnly = &phasekit.GetOptions{Raw: true}

// eventually waits up to 10s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// nextEvent is the watch's next event, within 10s.
func nextEvent(t *testing.T, events <-chan phasekit.WatchEvent) phasekit.WatchEvent {
	t.Helper()
	select {
	case event, ok := <-events:
		if !ok {
			t.Fatal("the watch ended")
		}
		return event
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return phasekit.WatchEvent{}
}

// nextChange is the next event, which must be a change.
func nextChange(t *testing.T, events <-chan phasekit.WatchEvent) phasekit.Change {
	t.Helper()
	event := nextEvent(t, events)
	if event.Err != nil || event.Change == nil {
		t.Fatalf("want a change, got error %v", event.Err)
	}
	return *event.Change
}

// ended waits for the channel to close, draining what is left.
func ended(t *testing.T, events <-chan phasekit.WatchEvent) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-events:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the watch did not end within 10s")
		}
	}
}

// watchBaseline waits for the first poll's listing to be served, so that later writes are
// changes against it.
func watchBaseline(t *testing.T, s *localServer) {
	eventually(t, "the first poll", func() bool { return s.requests(t)["GET /secrets/"] >= 1 })
}

func expectChange(t *testing.T, got phasekit.Change, added, changed, removed []string) {
	t.Helper()
	norm := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	if !slices.Equal(norm(got.Added), norm(added)) || !slices.Equal(norm(got.Changed), norm(changed)) ||
		!slices.Equal(norm(got.Removed), norm(removed)) {
		t.Fatalf("change %+v, want added %v changed %v removed %v", got, added, changed, removed)
	}
}

// Writes by another client are reported as keys added, changed and removed (a folder's keys
// with their folder; a reference's value changes with its target).
func TestWatchReportsChanges(t *testing.T) {
	s := fresh(t)
	watcher := s.client(t, "sa-token")
	writer := s.client(t, "sa-token")
	events, err := watcher.Watch(ctx(t), devTarget, nil, fastWatch)
	if err != nil {
		t.Fatal(err)
	}
	watchBaseline(t, s)

	if err := writer.Update(ctx(t), devTarget, "PORT", phasekit.SecretChanges{Value: phasekit.String("9090")}); err != nil {
		t.Fatal(err)
	}
	expectChange(t, nextChange(t, events), nil, []string{"PORT"}, nil)

	if err := writer.Create(ctx(t), devTarget, phasekit.NewSecret{Key: "WATCHED_NEW", Value: "n"}); err != nil {
		t.Fatal(err)
	}
	expectChange(t, nextChange(t, events), []string{"WATCHED_NEW"}, nil, nil)

	if _, err := writer.Delete(ctx(t), devTarget, []string{"EMPTY"}, "/"); err != nil {
		t.Fatal(err)
	}
	expectChange(t, nextChange(t, events), nil, nil, []string{"EMPTY"})

	if err := writer.Update(ctx(t), devTarget, "DB_USER", phasekit.SecretChanges{Path: "/db", Value: phasekit.String("other_user")}); err != nil {
		t.Fatal(err)
	}
	expectChange(t, nextChange(t, events), nil, []string{"/db/DB_USER", "DSN"}, nil)
}

// Transient failures are delivered as events while polling goes on; changes still arrive.
func TestWatchDeliversTransientErrorsAndGoesOn(t *testing.T) {
	s := fresh(t)
	watcher := s.client(t, "sa-token", phasekit.WithMaxRetries(0))
	writer := s.client(t, "sa-token")
	events, err := watcher.Watch(ctx(t), devTarget, rawOnly, fastWatch)
	if err != nil {
		t.Fatal(err)
	}
	watchBaseline(t, s)
	s.faults(t, map[string]any{"path": "/secrets/", "fail_next": 2, "fail_status": 503})
	for range 2 {
		event := nextEvent(t, events)
		e := expectCode(t, event.Err, phasekit.CodeServer, phasekit.ErrServer)
		if event.Change != nil || !e.Retryable || e.Status != 503 {
			t.Fatalf("transient error event: %+v", event)
		}
	}
	if err := writer.Create(ctx(t), devTarget, phasekit.NewSecret{Key: "AFTER_OUTAGE", Value: "x"}); err != nil {
		t.Fatal(err)
	}
	expectChange(t, nextChange(t, events), []string{"AFTER_OUTAGE"}, nil, nil)
}

// A refusal (here: the token revoked) is the last event; then the channel closes.
func TestWatchEndsWithARefusal(t *testing.T) {
	s := fresh(t)
	watcher := s.client(t, "sa-token")
	events, err := watcher.Watch(ctx(t), devTarget, rawOnly, fastWatch)
	if err != nil {
		t.Fatal(err)
	}
	watchBaseline(t, s)
	s.admin(t, "DELETE", "/_admin/tokens", map[string]any{"name": "sa-token"}, nil)
	event := nextEvent(t, events)
	if !errors.Is(event.Err, phasekit.ErrAuthentication) {
		t.Fatalf("want an authentication error, got %v", event.Err)
	}
	expectNoSecrets(t, s, event.Err.Error())
	ended(t, events)
}

// Cancelling the context stops the Rust polling at once and frees the native watch; so does
// closing the client.
func TestCancellingAWatchStopsPolling(t *testing.T) {
	s := fresh(t)
	watcher := s.client(t, "sa-token")
	live := phasekit.LiveObjects()
	watchCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := watcher.Watch(watchCtx, devTarget, rawOnly, phasekit.WatchOptions{Interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "polls", func() bool { return s.requests(t)["GET /secrets/"] >= 3 })
	cancel()
	ended(t, events)
	if now := phasekit.LiveObjects(); now != live {
		t.Fatalf("%d native objects after the watch ended, %d before it", now, live)
	}
	polls := s.requests(t)["GET /secrets/"]
	time.Sleep(300 * time.Millisecond)
	if after := s.requests(t)["GET /secrets/"]; after != polls {
		t.Fatalf("polling went on after cancel: %d polls, then %d", polls, after)
	}

	// Closing the client ends its watches too.
	events, err = watcher.Watch(ctx(t), devTarget, rawOnly, phasekit.WatchOptions{Interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "polls", func() bool { return s.requests(t)["GET /secrets/"] >= polls+2 })
	_ = watcher.Close()
	ended(t, events)
	polls = s.requests(t)["GET /secrets/"]
	time.Sleep(300 * time.Millisecond)
	if after := s.requests(t)["GET /secrets/"]; after != polls {
		t.Fatalf("polling went on after Close: %d polls, then %d", polls, after)
	}
	if now := phasekit.LiveObjects(); now != live-1 {
		t.Fatalf("%d native objects after Close, want %d", now, live-1)
	}
	if _, err := watcher.Watch(ctx(t), devTarget, nil, fastWatch); !errors.Is(err, phasekit.ErrClosed) {
		t.Fatalf("Watch on a closed client: %v", err)
	}
}

func TestWatchArgumentsAreChecked(t *testing.T) {
	s, c := freshClient(t)
	_, err := c.Watch(ctx(t), devTarget, &phasekit.GetOptions{Dynamic: true}, fastWatch)
	expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
	_, err = c.Watch(ctx(t), devTarget, nil, phasekit.WatchOptions{Interval: -time.Second})
	expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
	_, err = c.Watch(ctx(t), phasekit.Target{Env: dev}, nil, fastWatch)
	expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Watch(done, devTarget, nil, fastWatch); !errors.Is(err, context.Canceled) {
		t.Fatalf("a done context: %v", err)
	}
	if n := len(s.requests(t)); n != 0 {
		t.Fatalf("refused watches made %d requests", n)
	}
}
