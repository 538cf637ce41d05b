package phasekit_test

import (
	"context"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

// capturedRecord is what a slog handler received from the package.
type capturedRecord struct {
	Level   slog.Level
	Message string
	Target  string
}

type logCapture struct {
	mu      sync.Mutex
	records []capturedRecord
}

// captureHandler keeps every record (all levels) of the logger it backs.
type captureHandler struct{ c *logCapture }

func (h captureHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h captureHandler) Handle(_ context.Context, r slog.Record) error {
	record := capturedRecord{Level: r.Level, Message: r.Message}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "target" {
			record.Target = a.Value.String()
		}
		return true
	})
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	h.c.records = append(h.c.records, record)
	return nil
}

func (h captureHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h captureHandler) WithGroup(string) slog.Handler      { return h }

// captureLogs routes the package's records into a capture for the rest of the test.
func captureLogs(t testing.TB) *logCapture {
	t.Helper()
	// What earlier tests left goes to the logger they had, not into this capture.
	phasekit.EmitLogs()
	c := &logCapture{}
	phasekit.SetLogger(slog.New(captureHandler{c}))
	t.Cleanup(func() { phasekit.SetLogger(nil) })
	return c
}

// take returns the records captured since the last take.
func (c *logCapture) take() []capturedRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.records
	c.records = nil
	return out
}

// requestRecords are the records of the core's per-request line.
func requestRecords(records []capturedRecord) []capturedRecord {
	var out []capturedRecord
	for _, r := range records {
		if r.Target == "phasekit::transport" && strings.HasPrefix(r.Message, "phase request ") {
			out = append(out, r)
		}
	}
	return out
}

// field is the value of "name=" in a request line (up to the next space; a path without its
// query string).
func field(message, name string) string {
	_, rest, ok := strings.Cut(message, " "+name+"=")
	if !ok {
		return ""
	}
	value, _, _ := strings.Cut(rest, " ")
	if name == "path" {
		value, _, _ = strings.Cut(value, "?")
	}
	return value
}

// someOfEverything runs each kind of call once (reads, writes, leases, one retried request
// and one failing call) and returns the value it wrote, which no log line may show.
func someOfEverything(t *testing.T, s *localServer, c *phasekit.Client) string {
	t.Helper()
	const written = "log-canary-Zq81-value"
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Get(ctx(t), devTarget, nil)
	check(err)
	check(c.Create(ctx(t), devTarget, phasekit.NewSecret{Key: "LOGGED", Value: written, Comment: written}))
	check(c.Update(ctx(t), devTarget, "LOGGED", phasekit.SecretChanges{Value: phasekit.String(written + "-2")}))
	_, err = c.Export(ctx(t), devTarget, phasekit.FormatDotenv, "/")
	check(err)
	dynamic, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Dynamic: true, Keys: []string{"DYN_USER"}})
	check(err)
	leased, err := c.LeaseGenerate(ctx(t), devTarget, dynamic[0].ID, time.Minute)
	check(err)
	_, err = c.LeaseRevoke(ctx(t), devTarget, leased[0].LeaseID)
	check(err)
	_, err = c.Delete(ctx(t), devTarget, []string{"LOGGED"}, "/")
	check(err)
	s.faults(t, map[string]any{"path": "/secrets/", "fail_next": 1, "fail_status": 503})
	_, err = c.GetSecret(ctx(t), devTarget, "PORT", "/")
	check(err)
	_, err = c.GetSecret(ctx(t), devTarget, "NO_SUCH_KEY", "/")
	expectCode(t, err, phasekit.CodeSecretNotFound, phasekit.ErrNotFound)
	return written
}

func TestWarningsReachTheLogger(t *testing.T) {
	s := fresh(t)
	logs := captureLogs(t)
	c := s.client(t, "sa-token", phasekit.WithVerifySSL(false))
	records := logs.take()
	if len(records) != 1 {
		t.Fatalf("want one record after New, got %+v", records)
	}
	r := records[0]
	if r.Level != slog.LevelWarn || r.Target != "phasekit::transport" ||
		!strings.Contains(r.Message, "TLS certificate verification is disabled") {
		t.Fatalf("the warning: %+v", r)
	}
	expectNoSecrets(t, s, r.Message)
	// Without debug, calls log no request line (nor anything else below a warning).
	someOfEverything(t, s, c)
	for _, r := range logs.take() {
		if r.Level < slog.LevelWarn || strings.HasPrefix(r.Message, "phase request") {
			t.Fatalf("a record without debug: %+v", r)
		}
	}
}

func TestDebugLogsOneRecordPerRequest(t *testing.T) {
	for _, how := range []string{"WithDebug", "PHASE_DEBUG"} {
		t.Run(how, func(t *testing.T) {
			s := fresh(t)
			logs := captureLogs(t)
			var c *phasekit.Client
			if how == "WithDebug" {
				c = s.client(t, "sa-token", phasekit.WithDebug(true))
			} else {
				t.Setenv("PHASE_SERVICE_TOKEN", s.tokens["sa-token"])
				t.Setenv("PHASE_HOST", s.url)
				t.Setenv("PHASE_DEBUG", "true")
				var err error
				if c, err = phasekit.FromEnv(); err != nil {
					t.Fatal(err)
				}
				defer c.Close()
			}
			written := someOfEverything(t, s, c)
			records := logs.take()
			// Other debug lines (e.g. a summary per get) may come too; none shows a secret.
			for _, r := range records {
				if strings.Contains(r.Message, written) {
					t.Fatalf("a written value in %q", r.Message)
				}
				expectNoSecrets(t, s, r.Message)
			}
			lines := requestRecords(records)
			// Exactly one record per request the server saw, for the same method and path.
			logged := map[string]int{}
			outcomes := map[string]int{}
			for _, r := range lines {
				if r.Level != slog.LevelInfo || r.Target != "phasekit::transport" {
					t.Fatalf("request record: %+v", r)
				}
				outcome := field(r.Message, "outcome")
				if outcome == "" || field(r.Message, "method") == "" {
					t.Fatalf("a request line without method or outcome: %q", r.Message)
				}
				logged[field(r.Message, "method")+" "+field(r.Message, "path")]++
				outcomes[outcome]++
			}
			if served := s.requests(t); !maps.Equal(logged, served) {
				t.Fatalf("logged requests %v, served %v", logged, served)
			}
			// The injected 503 is a request of its own, logged with its outcome.
			if outcomes["server"] != 1 || outcomes["ok,"] != len(lines)-1 {
				t.Fatalf("outcomes: %v", outcomes)
			}
		})
	}
}

func TestSetLoggerNilMeansTheDefaultLogger(t *testing.T) {
	s := fresh(t)
	phasekit.EmitLogs()
	captured := &logCapture{}
	previous := slog.Default()
	t.Cleanup(func() { slog.SetDefault(previous) })
	slog.SetDefault(slog.New(captureHandler{captured}))
	phasekit.SetLogger(nil)
	c := s.client(t, "sa-token", phasekit.WithVerifySSL(false), phasekit.WithDebug(true))
	if _, err := c.Apps(ctx(t)); err != nil {
		t.Fatal(err)
	}
	records := captured.take()
	if len(verificationWarnings(records)) != 1 || len(requestRecords(records)) != 1 {
		t.Fatalf("through slog.Default: %+v", records)
	}
}
