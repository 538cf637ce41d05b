package main

// `phasekit-bench-go soak ...`: the Go soak driver of the client benchmark (bench/soak.py; the
// protocol of every soak driver is in bench/README.md, "Soak"): for --seconds, a watch polling
// every --watch-interval seconds on a client of its own, --callers goroutines reading a client
// with a --cache-ttl cache (pausing --pause seconds between gets, every answer checked against
// --expect-secrets and --expect-checksum), and a sample of RSS, threads and open fds every
// second. Prints one JSON object; exit status 2 on bad arguments, 1 when a client cannot be
// built.

// #include <malloc.h>
import "C"

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	phasekit "github.com/phasekit/phasekit/go"
)

type soakConfig struct {
	url, token, app, env, rotating          string
	seconds, watchInterval, cacheTTL, pause time.Duration
	callers, expectSecrets, expectChecksum  int
}

func parseSoakArgs(args []string) (soakConfig, error) {
	var c soakConfig
	flags := flag.NewFlagSet("phasekit-bench-go soak", flag.ContinueOnError)
	for name, value := range map[string]*string{
		"url": &c.url, "token": &c.token, "app": &c.app, "env": &c.env, "rotating": &c.rotating,
	} {
		flags.StringVar(value, name, "", name)
	}
	for name, value := range map[string]*time.Duration{
		"seconds": &c.seconds, "watch-interval": &c.watchInterval, "cache-ttl": &c.cacheTTL, "pause": &c.pause,
	} {
		flags.Func(name, "seconds", func(text string) error {
			var seconds float64
			if _, err := fmt.Sscan(text, &seconds); err != nil || seconds <= 0 {
				return fmt.Errorf("needs a positive number of seconds")
			}
			*value = time.Duration(seconds * float64(time.Second))
			return nil
		})
	}
	for name, value := range map[string]*int{
		"callers": &c.callers, "expect-secrets": &c.expectSecrets, "expect-checksum": &c.expectChecksum,
	} {
		flags.IntVar(value, name, 0, name)
	}
	if err := flags.Parse(args); err != nil {
		return c, err
	}
	if c.url == "" || c.token == "" || c.app == "" || c.env == "" || c.seconds == 0 || c.callers < 1 {
		return c, fmt.Errorf("--url, --token, --app, --env, --seconds and --callers are required")
	}
	return c, nil
}

// procSample is the resident memory (kB), threads, open file descriptors and malloc's bytes in
// use (kB) of this process.
func procSample() [4]int64 {
	fds, _ := os.ReadDir("/proc/self/fd")
	return [4]int64{rssKB("VmRSS:"), rssKB("Threads:"), int64(len(fds)), heapInUseKB()}
}

// tally counts what the callers and the watch met, and keeps the first problem (never a secret).
type tally struct {
	mu           sync.Mutex
	counts       map[string]int
	firstProblem *string
}

func (t *tally) count(name string, problem string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.counts[name]++
	if problem != "" && t.firstProblem == nil {
		t.firstProblem = &problem
	}
}

func soak(args []string) int {
	c, err := parseSoakArgs(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	t := &tally{counts: map[string]int{}}
	for _, name := range []string{"gets", "wrong", "errors", "watch_events", "watch_wrong", "watch_errors"} {
		t.counts[name] = 0
	}
	target := phasekit.Target{App: c.app, Env: c.env}
	cached, err := phasekit.New(c.token, phasekit.WithHost(c.url), phasekit.WithCache(c.cacheTTL, 0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		return 1
	}
	defer cached.Close()
	watched, err := phasekit.New(c.token, phasekit.WithHost(c.url))
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		return 1
	}
	defer watched.Close()
	start := time.Now()
	deadline := start.Add(c.seconds)
	ctx, stop := context.WithCancel(context.Background())
	events, err := watched.Watch(ctx, target, nil, phasekit.WatchOptions{Interval: c.watchInterval})
	if err != nil {
		fmt.Fprintln(os.Stderr, "watch:", err)
		stop()
		return 1
	}
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		for event := range events {
			switch {
			case event.Err != nil:
				t.count("watch_errors", "watch: "+event.Err.Error())
			case len(event.Change.Added) > 0 || len(event.Change.Removed) > 0 || !slices.Equal(event.Change.Changed, []string{c.rotating}):
				t.count("watch_wrong", fmt.Sprintf("watch reported %+v", *event.Change))
			default:
				t.count("watch_events", "")
			}
		}
	}()
	var callers sync.WaitGroup
	for range c.callers {
		callers.Add(1)
		go func() {
			defer callers.Done()
			for time.Now().Before(deadline) {
				secrets, err := cached.Get(ctx, target, nil)
				if err != nil {
					t.count("errors", "get: "+err.Error())
				} else if n, sum := summary(secrets); n != c.expectSecrets || sum != c.expectChecksum {
					t.count("wrong", fmt.Sprintf("%d secrets, checksum %d", n, sum))
				}
				t.count("gets", "")
				time.Sleep(c.pause)
			}
		}()
	}
	var samples [4][]int64
	for tick := start; tick.Before(deadline); tick = tick.Add(time.Second) {
		time.Sleep(time.Until(tick))
		s := procSample()
		for i := range s {
			samples[i] = append(samples[i], s[i])
		}
	}
	callers.Wait()
	stop()
	<-watching
	out := map[string]any{
		"driver": "go", "seconds": round3(time.Since(start).Seconds()),
		"rss_kb": samples[0], "threads": samples[1], "fds": samples[2], "heap_kb": samples[3],
		"first_problem": t.firstProblem,
	}
	for name, n := range t.counts {
		out[name] = n
	}
	line, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(string(line))
	return 0
}

// heapInUseKB is what malloc has handed out and not got back (kB, every arena): the Rust
// core's memory in this process. Next to RSS it tells a leak (both grow) from fragmentation.
func heapInUseKB() int64 {
	info := C.mallinfo2()
	return int64((info.uordblks + info.hblkhd) / 1024)
}
