package phasekit_test

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/phasekit/phasekit/go"
)

// rssKiB is the process's resident set size.
func rssKiB(t testing.TB) int {
	text, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(text), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kib
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// cycle creates a client, reads through it and closes it.
func cycle(tb testing.TB, s *localServer) {
	c, err := phasekit.New(s.tokens["sa-token"], phasekit.WithHost(s.url))
	if err != nil {
		tb.Fatal(err)
	}
	found, err := c.Get(ctx(tb), devTarget, &phasekit.GetOptions{Path: "/db"})
	if err != nil || len(found) != 2 {
		tb.Fatalf("get: %v", err)
	}
	if _, err := c.GetSecret(ctx(tb), devTarget, "MISSING", "/"); err == nil {
		tb.Fatal("MISSING exists")
	}
	_ = c.Close()
}

func settle() {
	runtime.GC()
	runtime.GC()
}

// Repeated create/get/close cycles keep the resident set flat and return every Rust allocation.
func TestCyclesKeepMemoryFlat(t *testing.T) {
	s := fresh(t)
	const warmUp, measured = 100, 300
	for range warmUp {
		cycle(t, s)
	}
	settle()
	before := rssKiB(t)
	for range measured {
		cycle(t, s)
	}
	settle()
	after := rssKiB(t)
	growth := after - before
	t.Logf("RSS after %d warm-up cycles: %d KiB; after %d more: %d KiB (%+d KiB, %.1f B/cycle)",
		warmUp, before, measured, after, growth, float64(growth*1024)/measured)
	// Allocator noise is a few MiB at most; a leak of one client per cycle would be far more.
	if growth > 8*1024 {
		t.Fatalf("RSS grew by %d KiB over %d cycles", growth, measured)
	}
	if live := phasekit.LiveObjects(); live != 0 {
		t.Fatalf("%d objects from the Rust library were not freed", live)
	}
}

func BenchmarkCreateGetClose(b *testing.B) {
	s := fresh(b)
	settle()
	before := rssKiB(b)
	for b.Loop() {
		cycle(b, s)
	}
	settle()
	b.ReportMetric(float64(rssKiB(b)-before), "rss-growth-KiB")
}

func BenchmarkWarmGet(b *testing.B) {
	s := fresh(b)
	c := s.client(b, "sa-token")
	for b.Loop() {
		if _, err := c.Get(ctx(b), devTarget, &phasekit.GetOptions{Path: "/db"}); err != nil {
			b.Fatal(err)
		}
	}
}
