// Command phasekit-bench-go is the Go driver of the client benchmark: phasekit's Go binding
// (cgo, the Rust core linked statically).
//
//	phasekit-bench-go --url URL --token TOKEN --app APP [--app-id ID] --env ENV
//	    --mode cold|warm --iterations N [--warmup K] [--cache-ttl SECONDS] [--env-id ID]
//	    [--offline-dir DIR [--offline-max-age SECONDS]]
//
// The protocol of every driver (bench/README.md): cold = K untimed and N timed rounds of "new
// client, get every secret, close it"; warm = one client, its first get timed alone, then K
// untimed and N timed gets. Prints one JSON object: times in ms, the number of secrets, a
// checksum (bytes of keys, values and comments), and RSS in kB before the first client and at
// the peak. --cache-ttl gives every client an in-memory cache of that many seconds
// (phasekit.WithCache), so a warm client's repeated gets make no request; without it, no cache.
// --env-id reads the app (--app-id) and the environment by id (Target{AppID, Env}), so that a
// cold get sends its two requests together; --offline-dir gives every client an offline cache
// there (WithOfflineCacheDir), and --offline-max-age lets a new client serve a young stored
// answer at once (WithOfflineMaxAge); the JSON says where the last get's secrets came from.
// Exit status 2 on bad arguments, 1 when a get fails. `phasekit-bench-go soak ...` is the soak
// driver instead (soak.go).
//
// bench/build.sh builds it against the static library of the profile it builds: the release
// library from a copy of the module under target/bench/go/ for `make bench`, go/lib's debug
// library (`make go`) for `make bench-smoke`.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	phasekit "github.com/phasekit/phasekit/go"
)

type result struct {
	Driver        string    `json:"driver"`
	Mode          string    `json:"mode"`
	TimesMs       []float64 `json:"times_ms"`
	FirstMs       *float64  `json:"first_ms"`
	Secrets       int       `json:"secrets"`
	Checksum      int       `json:"checksum"`
	BaselineRSSKb int64     `json:"baseline_rss_kb"`
	PeakRSSKb     int64     `json:"peak_rss_kb"`
	Source        *string   `json:"source"`
}

// rssKB reads VmRSS (current) or VmHWM (peak) of this process, in kB; 0 when absent, which
// the runner rejects as an incomplete result.
func rssKB(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), field); ok {
			words := strings.Fields(rest)
			if len(words) == 0 {
				return 0
			}
			kb, err := strconv.ParseInt(words[0], 10, 64)
			if err != nil {
				return 0
			}
			return kb
		}
	}
	return 0
}

// summary is what the runner compares across clients: how many secrets, and the UTF-8 bytes of
// their keys, values and comments (Go strings are bytes, so len counts UTF-8 bytes).
func summary(secrets []phasekit.Secret) (int, int) {
	total := 0
	for _, s := range secrets {
		total += len(s.Key) + len(s.Value()) + len(s.Comment)
	}
	return len(secrets), total
}

func ms(d time.Duration) float64 {
	return float64(d.Nanoseconds()) / 1e6
}

// round3 keeps three decimals, as the other drivers print them.
func round3(x float64) float64 {
	return math.Round(x*1000) / 1000
}

type config struct {
	url, token, app, env, mode string
	appID, envID               string // both set: read by ids
	iterations, warmup         int
	cacheTTL                   time.Duration // 0: no cache
	offlineDir                 string        // "": no offline cache
	offlineMaxAge              time.Duration // 0: not set
}

func parseArgs() (config, error) {
	var c config
	flags := flag.NewFlagSet("phasekit-bench-go", flag.ContinueOnError)
	flags.StringVar(&c.url, "url", "", "the server's URL")
	flags.StringVar(&c.token, "token", "", "a service token")
	flags.StringVar(&c.app, "app", "", "the app's name")
	// Used only with --env-id: alone, the app is read by name as by every driver.
	flags.StringVar(&c.appID, "app-id", "", "the app's id (read by, with --env-id)")
	flags.StringVar(&c.envID, "env-id", "", "the environment's id: read by ids")
	flags.StringVar(&c.offlineDir, "offline-dir", "", "the offline cache's directory")
	offlineMaxAge := flags.Float64("offline-max-age", 0, "seconds a stored answer is served at once")
	flags.StringVar(&c.env, "env", "", "the environment's name")
	flags.StringVar(&c.mode, "mode", "", "cold or warm")
	flags.IntVar(&c.iterations, "iterations", 1, "timed gets")
	flags.IntVar(&c.warmup, "warmup", 0, "untimed gets before them")
	cacheTTL := flags.Float64("cache-ttl", 0, "seconds of the client's in-memory cache (0: none)")
	if err := flags.Parse(os.Args[1:]); err != nil {
		return c, err
	}
	if flags.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	for _, required := range []struct{ name, value string }{
		{"url", c.url}, {"token", c.token}, {"app", c.app}, {"env", c.env},
	} {
		if required.value == "" {
			return c, fmt.Errorf("--%s is required", required.name)
		}
	}
	if c.mode != "cold" && c.mode != "warm" {
		return c, fmt.Errorf("--mode must be cold or warm")
	}
	if *cacheTTL < 0 || math.IsNaN(*cacheTTL) {
		return c, fmt.Errorf("--cache-ttl needs a positive number of seconds")
	}
	if c.envID != "" && c.appID == "" {
		return c, fmt.Errorf("--env-id needs --app-id")
	}
	if *offlineMaxAge < 0 || math.IsNaN(*offlineMaxAge) || (*offlineMaxAge > 0 && c.offlineDir == "") {
		return c, fmt.Errorf("--offline-max-age needs a positive number of seconds and --offline-dir")
	}
	c.cacheTTL = time.Duration(*cacheTTL * float64(time.Second))
	c.offlineMaxAge = time.Duration(*offlineMaxAge * float64(time.Second))
	c.iterations = max(1, c.iterations)
	c.warmup = max(0, c.warmup)
	return c, nil
}

func run(c config) (result, error) {
	ctx := context.Background()
	target := phasekit.Target{App: c.app, Env: c.env}
	if c.envID != "" {
		target = phasekit.Target{AppID: c.appID, Env: c.envID}
	}
	options := []phasekit.Option{phasekit.WithHost(c.url)}
	if c.cacheTTL > 0 {
		options = append(options, phasekit.WithCache(c.cacheTTL, 0))
	}
	if c.offlineDir != "" {
		options = append(options, phasekit.WithOfflineCacheDir(c.offlineDir))
	}
	if c.offlineMaxAge > 0 {
		options = append(options, phasekit.WithOfflineMaxAge(c.offlineMaxAge))
	}
	newClient := func() (*phasekit.Client, error) {
		return phasekit.New(c.token, options...)
	}
	out := result{Driver: "go", Mode: c.mode, TimesMs: make([]float64, 0, c.iterations)}
	// The library is linked into the binary, so the baseline is the process before any client.
	out.BaselineRSSKb = rssKB("VmRSS:")
	if c.mode == "warm" {
		start := time.Now()
		client, err := newClient()
		if err != nil {
			return out, err
		}
		defer client.Close()
		secrets, err := client.Get(ctx, target, nil)
		if err != nil {
			return out, err
		}
		first := round3(ms(time.Since(start)))
		out.FirstMs = &first
		out.Secrets, out.Checksum = summary(secrets)
		for i := range c.warmup + c.iterations {
			start := time.Now()
			secrets, err := client.Get(ctx, target, nil)
			took := time.Since(start)
			if err != nil {
				return out, err
			}
			out.Secrets, out.Checksum = summary(secrets)
			if i >= c.warmup {
				out.TimesMs = append(out.TimesMs, round3(ms(took)))
			}
		}
	} else {
		for i := range c.warmup + c.iterations {
			start := time.Now()
			client, err := newClient()
			if err != nil {
				return out, err
			}
			got, err := client.GetResult(ctx, target, nil)
			took := time.Since(start)
			// Closed outside the timed part, as the other drivers drop their clients.
			client.Close()
			if err != nil {
				return out, err
			}
			out.Secrets, out.Checksum = summary(got.Secrets)
			if c.offlineDir != "" {
				source := string(got.Source)
				out.Source = &source
			}
			if i >= c.warmup {
				out.TimesMs = append(out.TimesMs, round3(ms(took)))
			}
		}
	}
	out.PeakRSSKb = rssKB("VmHWM:")
	return out, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "soak" {
		os.Exit(soak(os.Args[2:]))
	}
	c, err := parseArgs()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out, err := run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "get failed:", err)
		os.Exit(1)
	}
	line, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(line))
}
