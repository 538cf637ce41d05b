package phasekit_test

import (
	"errors"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phasekit/phasekit/go"
)

// offlineFiles are the files under dir, each checked to be readable by its owner only.
func offlineFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := entry.Info()
		if err != nil {
			return err
		}
		switch mode := info.Mode().Perm(); {
		case entry.IsDir() && path != dir && mode != 0o700:
			t.Errorf("directory %s has mode %o", path, mode)
		case !entry.IsDir():
			if mode != 0o600 {
				t.Errorf("file %s has mode %o", path, mode)
			}
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// fillOfflineCache reads go-app/Development once through a client with an offline cache in
// dir; it returns what it read.
func fillOfflineCache(t *testing.T, s *localServer, dir string) map[string]string {
	t.Helper()
	online := s.client(t, "sa-token", phasekit.WithOfflineCache(dir))
	r, err := online.GetResult(ctx(t), devTarget, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != phasekit.SourceNetwork {
		t.Fatalf("online read: source %q", r.Source)
	}
	return values(t, r.Secrets)
}

func TestOfflineCacheKeepsCiphertextInPrivateFiles(t *testing.T) {
	s := fresh(t)
	dir := t.TempDir()
	fillOfflineCache(t, s, dir)
	files := offlineFiles(t, dir)
	// The session and the listings (the environment, and Staging for a reference).
	if len(files) < 2 {
		t.Fatalf("files: %v", files)
	}
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, plain := range append([]string{"DB_PASSWORD", "PAYMENT_KEY", "public endpoint"}, seededValues...) {
			if strings.Contains(string(text), plain) {
				t.Fatalf("%q in %s", plain, file)
			}
		}
	}
}

// With the server failing, a new client answers from the offline cache and says so; the
// core's warning and its "phase get" line reach slog.
func TestOfflineFallbackWhenTheServerFails(t *testing.T) {
	s := fresh(t)
	dir := t.TempDir()
	online := fillOfflineCache(t, s, dir)
	logs := captureLogs(t)
	cold := s.client(t, "sa-token", phasekit.WithOfflineCache(dir), phasekit.WithMaxRetries(0), phasekit.WithDebug(true))
	s.faults(t, map[string]any{"fail_next": 100, "fail_status": 503})
	r, err := cold.GetResult(ctx(t), devTarget, nil)
	if err != nil {
		t.Fatalf("fallback: %v", err)
	}
	if r.Source != phasekit.SourceOffline {
		t.Fatalf("source %q", r.Source)
	}
	if got := values(t, r.Secrets); !maps.Equal(got, online) || got["DSN"] != resolvedDSN {
		t.Fatal("the offline result differs from the online one")
	}
	if stats := cold.Stats(); stats.OfflineServed < 2 || stats.Failures == 0 {
		t.Fatalf("stats: %+v", stats)
	}

	var warned, summary bool
	for _, record := range logs.take() {
		expectNoSecrets(t, s, record.Message)
		if record.Level == slog.LevelWarn && strings.Contains(record.Message, "serving the offline cache") {
			warned = true
		}
		if record.Level == slog.LevelInfo && strings.HasPrefix(record.Message, "phase get ") &&
			field(record.Message, "source") == "offline" {
			summary = true
		}
	}
	if !warned || !summary {
		t.Fatalf("warning logged: %v, summary logged: %v", warned, summary)
	}

	// Once the server answers, the network does.
	s.admin(t, "DELETE", "/_admin/faults", nil, nil)
	if r, err := cold.GetResult(ctx(t), devTarget, nil); err != nil || r.Source != phasekit.SourceNetwork {
		t.Fatalf("after the outage: %v", err)
	}
}

// A refusal is the server's answer, not an outage: the cache never stands in for it.
func TestOfflineCacheNeverHidesARefusal(t *testing.T) {
	s := fresh(t)
	dir := t.TempDir()
	fillOfflineCache(t, s, dir)
	s.faults(t, map[string]any{"fail_next": 100, "fail_status": 403})
	cold := s.client(t, "sa-token", phasekit.WithOfflineCache(dir))
	_, err := cold.GetResult(ctx(t), devTarget, nil)
	var e *phasekit.Error
	if !errors.As(err, &e) || e.Status != 403 || e.Retryable || errors.Is(err, phasekit.ErrOffline) {
		t.Fatalf("want the 403, got %v", err)
	}
	expectNoSecrets(t, s, err.Error())
	if cold.Stats().OfflineServed != 0 {
		t.Fatal("an answer was served from the offline cache")
	}
}

// Offline mode reads from the cache only, and refuses what needs the server.
func TestOfflineModeMakesNoRequests(t *testing.T) {
	s := fresh(t)
	dir := t.TempDir()
	online := fillOfflineCache(t, s, dir)
	s.admin(t, "DELETE", "/_admin/requests", nil, nil)
	offline := s.client(t, "sa-token", phasekit.WithOfflineCache(dir), phasekit.WithOffline(true))
	r, err := offline.GetResult(ctx(t), devTarget, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != phasekit.SourceOffline || !maps.Equal(values(t, r.Secrets), online) {
		t.Fatalf("offline read: source %q", r.Source)
	}
	one, err := offline.Get(ctx(t), devTarget, &phasekit.GetOptions{Keys: []string{"PAYMENT_KEY"}})
	if err != nil || len(one) != 1 || one[0].Value() != "sk_test_go_51" {
		t.Fatalf("one key offline: %v", err)
	}

	err = offline.Create(ctx(t), devTarget, phasekit.NewSecret{Key: "NEW", Value: "v"})
	expectCode(t, err, phasekit.CodeOfflineUnavailable, phasekit.ErrOffline)
	_, err = offline.Get(ctx(t), phasekit.Target{App: app, Env: prod}, nil)
	expectCode(t, err, phasekit.CodeOfflineUnavailable, phasekit.ErrOffline)

	if requests := s.requests(t); len(requests) != 0 {
		t.Fatalf("offline mode made requests: %v", requests)
	}
	if stats := offline.Stats(); stats.Requests != 0 || stats.OfflineServed == 0 {
		t.Fatalf("stats: %+v", stats)
	}
}

func TestOfflineModeNeedsADirectory(t *testing.T) {
	s := fresh(t)
	t.Setenv("PHASE_OFFLINE_CACHE_DIR", "")
	_, err := phasekit.New(s.tokens["sa-token"], phasekit.WithHost(s.url), phasekit.WithOffline(true))
	e := expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
	if !strings.Contains(e.Message, "offline cache directory") {
		t.Fatalf("message: %q", e.Message)
	}
}
