package phasekit_test

// Every network method of the Client against the local server's fault injection: 5xx bursts,
// 429 with a short and a long Retry-After, dropped connections and a server slower than the
// deadline; then answers that arrive with status 200 but are broken. Reads recover within the
// retry budget with the right data; writes fail with a typed error and are sent exactly once
// (a write the server may have applied must never be repeated); nothing fails with a partial
// result, and no error text shows a secret value or a token part.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

// fixture is what some methods need made before any fault is set.
type fixture struct {
	dynamicID string // the id of the dynamic secret db-creds
	leaseID   string // a live lease of it
}

// networkMethod is one network method of the Client with fixed arguments.
type networkMethod struct {
	name  string
	write bool
	// endpoint is the "METHOD /path/" that faults hit: a read's data request, a write's write.
	endpoint string
	// cold: the faulted request is the session's own (the method needs no other), so the
	// client is not warmed up before the fault.
	cold bool
	// lookup: the write first reads the same path; that GET must not meet the fault.
	lookup bool
	// served is how many requests go to endpoint when nothing fails (reads).
	served int
	// needs says what the fixture must hold.
	needsDynamic, needsLease bool
	run                      func(context.Context, *phasekit.Client, *fixture) (any, error)
	// check verifies a read's result.
	check func(*testing.T, any)
}

var networkMethods = []networkMethod{
	{
		name: "Get", endpoint: "GET /secrets/", served: 2,
		run: func(ctx context.Context, c *phasekit.Client, _ *fixture) (any, error) {
			return c.Get(ctx, devTarget, nil)
		},
		check: func(t *testing.T, result any) {
			got := values(t, result.([]phasekit.Secret))
			if len(got) != len(rootValues)+2 || got["DSN"] != resolvedDSN ||
				got["FROM_STAGING"] != "https://api.staging.example" || got["DB_PASSWORD"] != "go-Pa55word!" {
				t.Fatalf("Get: %d secrets, not the seeded ones", len(got))
			}
		},
	},
	{
		name: "GetSecret", endpoint: "GET /secrets/", served: 1,
		run: func(ctx context.Context, c *phasekit.Client, _ *fixture) (any, error) {
			return c.GetSecret(ctx, devTarget, "PAYMENT_KEY", "/")
		},
		check: func(t *testing.T, result any) {
			if s := result.(phasekit.Secret); s.Key != "PAYMENT_KEY" || s.Value() != "sk_test_go_51" {
				t.Fatalf("GetSecret: %v", s)
			}
		},
	},
	{
		name: "Apps", endpoint: "GET /secrets/tokens/", cold: true, served: 1,
		run: func(ctx context.Context, c *phasekit.Client, _ *fixture) (any, error) {
			return c.Apps(ctx)
		},
		check: func(t *testing.T, result any) {
			apps := result.([]phasekit.App)
			if len(apps) != 4 {
				t.Fatalf("Apps: %+v", apps)
			}
		},
	},
	{
		name: "Environments", endpoint: "GET /secrets/tokens/", cold: true, served: 1,
		run: func(ctx context.Context, c *phasekit.Client, _ *fixture) (any, error) {
			return c.Environments(ctx, devTarget)
		},
		check: func(t *testing.T, result any) {
			var names []string
			for _, e := range result.([]phasekit.Environment) {
				names = append(names, e.Name)
			}
			if !reflect.DeepEqual(names, []string{dev, staging, prod}) {
				t.Fatalf("Environments: %v", names)
			}
		},
	},
	{
		name: "Export", endpoint: "GET /secrets/", served: 2,
		run: func(ctx context.Context, c *phasekit.Client, _ *fixture) (any, error) {
			return c.Export(ctx, devTarget, phasekit.FormatJSON, "")
		},
		check: func(t *testing.T, result any) {
			var object map[string]string
			if err := json.Unmarshal([]byte(result.(string)), &object); err != nil ||
				len(object) != len(rootValues)+2 || object["DSN"] != resolvedDSN {
				t.Fatalf("Export: %d keys (%v)", len(object), err)
			}
		},
	},
	{
		// A GET that creates a lease: once sent it is not repeated, like a write.
		name: "LeaseGenerate", write: true, endpoint: "GET /public/v1/secrets/dynamic/", served: 1, needsDynamic: true,
		run: func(ctx context.Context, c *phasekit.Client, f *fixture) (any, error) {
			return c.LeaseGenerate(ctx, devTarget, f.dynamicID, time.Minute)
		},
		check: func(t *testing.T, result any) {
			leased := result.([]phasekit.Secret)
			if len(leased) != 2 || leased[0].LeaseID == "" || leased[0].Value() == "" {
				t.Fatalf("LeaseGenerate: %v", leased)
			}
		},
	},
	{
		name: "Create", write: true, endpoint: "POST /secrets/",
		run: func(ctx context.Context, c *phasekit.Client, _ *fixture) (any, error) {
			return nil, c.Create(ctx, devTarget, phasekit.NewSecret{Key: "FAULTED", Value: "faulted-value-7"})
		},
	},
	{
		name: "Update", write: true, lookup: true, endpoint: "PUT /secrets/",
		run: func(ctx context.Context, c *phasekit.Client, _ *fixture) (any, error) {
			return nil, c.Update(ctx, devTarget, "PORT", phasekit.SecretChanges{Path: "/", Value: phasekit.String("9090")})
		},
	},
	{
		name: "Delete", write: true, lookup: true, endpoint: "DELETE /secrets/",
		run: func(ctx context.Context, c *phasekit.Client, _ *fixture) (any, error) {
			return c.Delete(ctx, devTarget, []string{"PORT"}, "/")
		},
	},
	{
		name: "LeaseRenew", write: true, endpoint: "PUT /public/v1/secrets/dynamic/leases/", needsLease: true,
		run: func(ctx context.Context, c *phasekit.Client, f *fixture) (any, error) {
			return c.LeaseRenew(ctx, devTarget, f.leaseID, time.Hour)
		},
	},
	{
		name: "LeaseRevoke", write: true, endpoint: "DELETE /public/v1/secrets/dynamic/leases/", needsLease: true,
		run: func(ctx context.Context, c *phasekit.Client, f *fixture) (any, error) {
			return c.LeaseRevoke(ctx, devTarget, f.leaseID)
		},
	},
}

// path is the path of the method's faulted endpoint.
func (m networkMethod) path() string {
	_, path, _ := strings.Cut(m.endpoint, " ")
	return path
}

// setup reseeds the world and makes a client for m (warmed up unless m.cold) and its fixture;
// the request counters start at zero.
func setup(t *testing.T, m networkMethod, opts ...phasekit.Option) (*localServer, *phasekit.Client, *fixture) {
	t.Helper()
	s := fresh(t)
	c := s.client(t, "sa-token", opts...)
	f := &fixture{}
	if !m.cold {
		if _, err := c.Apps(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if m.needsDynamic || m.needsLease {
		found, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Dynamic: true, Keys: []string{"DYN_USER"}})
		if err != nil || len(found) != 1 {
			t.Fatalf("the dynamic secret: %v %v", found, err)
		}
		f.dynamicID = found[0].ID
	}
	if m.needsLease {
		leased, err := c.LeaseGenerate(ctx(t), devTarget, f.dynamicID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		f.leaseID = leased[0].LeaseID
	}
	s.admin(t, "DELETE", "/_admin/requests", nil, nil)
	return s, c, f
}

// callWithFault runs m with rule applied to its endpoint and returns what it returned and how
// long it took.
func callWithFault(t *testing.T, s *localServer, c *phasekit.Client, f *fixture, m networkMethod, rule map[string]any) (any, error, time.Duration) {
	t.Helper()
	rule["path"] = m.path()
	start := time.Now()
	if !m.lookup {
		s.faults(t, rule)
		result, err := m.run(ctx(t), c, f)
		return result, err, time.Since(start)
	}
	// The lookup GET goes to the same path before the write, and as a read it would retry
	// past the fault. So the lookup is held back by latency; once the server has counted it
	// (and judged it, which comes right after) the rule is swapped in for the write. The
	// latency is what a loaded machine gets to notice the count and swap.
	s.faults(t, map[string]any{"path": m.path(), "latency_ms": 700})
	type outcome struct {
		result any
		err    error
	}
	done := make(chan outcome, 1)
	callCtx := ctx(t)
	go func() {
		result, err := m.run(callCtx, c, f)
		done <- outcome{result, err}
	}()
	for waited := time.Duration(0); s.requests(t)["GET "+m.path()] == 0; waited += 5 * time.Millisecond {
		if waited > 5*time.Second {
			t.Fatalf("%s: the lookup never reached the server", m.name)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	s.faults(t, rule)
	o := <-done
	return o.result, o.err, time.Since(start)
}

// expectNothing fails when a failed call returned something: no partial results.
func expectNothing(t *testing.T, result any) {
	t.Helper()
	if result != nil && !reflect.ValueOf(result).IsZero() {
		t.Fatalf("a failed call returned a result: %v", result)
	}
}

// expectSentOnce checks that a failed write went out exactly once (and its lookup once).
func expectSentOnce(t *testing.T, s *localServer, m networkMethod) {
	t.Helper()
	counts := s.requests(t)
	if counts[m.endpoint] != 1 {
		t.Fatalf("%s sent %d times, want once: %v", m.endpoint, counts[m.endpoint], counts)
	}
	if m.lookup && counts["GET "+m.path()] != 1 {
		t.Fatalf("the lookup of %s: %v", m.name, counts)
	}
}

// faultScenario is one kind of failure; read and write check the outcome of each method.
type faultScenario struct {
	name  string
	rule  func(i int) map[string]any
	read  func(t *testing.T, s *localServer, m networkMethod, result any, err error, took time.Duration)
	write func(t *testing.T, s *localServer, m networkMethod, result any, err error, took time.Duration)
}

// gatewayStatuses are the 5xx statuses the core retries, one per method in turn.
var gatewayStatuses = []int{502, 503, 504}

// readRecovered checks a read that met a transient fault: the right data, and exactly extra
// more requests than without it.
func readRecovered(extra int) func(*testing.T, *localServer, networkMethod, any, error, time.Duration) {
	return func(t *testing.T, s *localServer, m networkMethod, result any, err error, _ time.Duration) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s did not recover: %v", m.name, err)
		}
		m.check(t, result)
		if got := s.requests(t)[m.endpoint]; got != m.served+extra {
			t.Fatalf("%s: %d requests, want %d", m.endpoint, got, m.served+extra)
		}
	}
}

var faultScenarios = []faultScenario{
	{
		name: "5xx burst within the retry budget",
		rule: func(i int) map[string]any {
			return map[string]any{"fail_next": 2, "fail_status": gatewayStatuses[i%len(gatewayStatuses)]}
		},
		read: readRecovered(2),
		write: func(t *testing.T, s *localServer, m networkMethod, result any, err error, _ time.Duration) {
			e := expectCode(t, err, phasekit.CodeServer, phasekit.ErrServer)
			if e.Status < 502 || e.Status > 504 {
				t.Fatalf("status %d", e.Status)
			}
			expectNothing(t, result)
			expectSentOnce(t, s, m)
		},
	},
	{
		name: "429 with a short Retry-After",
		rule: func(int) map[string]any { return map[string]any{"throttle_next": 1, "retry_after": 1} },
		read: func(t *testing.T, s *localServer, m networkMethod, result any, err error, took time.Duration) {
			readRecovered(1)(t, s, m, result, err, took)
			if took < 900*time.Millisecond {
				t.Fatalf("%s retried after %v, before the server's Retry-After", m.name, took)
			}
		},
		write: func(t *testing.T, s *localServer, m networkMethod, result any, err error, _ time.Duration) {
			e := expectCode(t, err, phasekit.CodeRateLimited, phasekit.ErrRateLimited)
			if e.Status != 429 || e.RetryAfter != time.Second || !e.Retryable {
				t.Fatalf("rate limited write: %+v", e)
			}
			expectNothing(t, result)
			expectSentOnce(t, s, m)
		},
	},
	{
		name: "429 with a long Retry-After",
		rule: func(int) map[string]any { return map[string]any{"throttle_next": 1, "retry_after": 120} },
		read: func(t *testing.T, s *localServer, m networkMethod, result any, err error, took time.Duration) {
			e := expectCode(t, err, phasekit.CodeRateLimited, phasekit.ErrRateLimited)
			if e.Status != 429 || e.RetryAfter != 120*time.Second || !e.Retryable {
				t.Fatalf("rate limited: %+v", e)
			}
			// Beyond what the client waits: it fails at once instead of sleeping two minutes.
			if took > 2*time.Second {
				t.Fatalf("%s waited %v", m.name, took)
			}
			expectNothing(t, result)
			if got := s.requests(t)[m.endpoint]; got != 1 {
				t.Fatalf("%s: %d requests, want 1", m.endpoint, got)
			}
		},
		write: func(t *testing.T, s *localServer, m networkMethod, result any, err error, _ time.Duration) {
			e := expectCode(t, err, phasekit.CodeRateLimited, phasekit.ErrRateLimited)
			if e.Status != 429 || e.RetryAfter != 120*time.Second {
				t.Fatalf("rate limited write: %+v", e)
			}
			expectNothing(t, result)
			expectSentOnce(t, s, m)
		},
	},
	{
		name: "dropped connection",
		rule: func(int) map[string]any { return map[string]any{"drop_next": 1} },
		read: readRecovered(1),
		write: func(t *testing.T, s *localServer, m networkMethod, result any, err error, _ time.Duration) {
			e := expectCode(t, err, phasekit.CodeNetwork, phasekit.ErrNetwork)
			if !e.Retryable {
				t.Fatalf("dropped write: %+v", e)
			}
			expectNothing(t, result)
			expectSentOnce(t, s, m)
		},
	},
}

func TestFaultMatrix(t *testing.T) {
	for _, scenario := range faultScenarios {
		t.Run(scenario.name, func(t *testing.T) {
			for i, m := range networkMethods {
				t.Run(m.name, func(t *testing.T) {
					s, c, f := setup(t, m)
					result, err, took := callWithFault(t, s, c, f, m, scenario.rule(i))
					if err != nil {
						expectNoSecrets(t, s, err.Error())
					}
					if m.write {
						scenario.write(t, s, m, result, err, took)
					} else {
						scenario.read(t, s, m, result, err, took)
					}
				})
			}
		})
	}
}

func TestFaultMatrixDeadlines(t *testing.T) {
	const (
		deadline = 400 * time.Millisecond
		latency  = 1200 * time.Millisecond
		// Scheduling slack on a busy machine under -race; the deadline itself is exact.
		margin = time.Second
	)
	for _, via := range []string{"WithDeadline", "context deadline"} {
		t.Run(via, func(t *testing.T) {
			for _, m := range networkMethods {
				t.Run(m.name, func(t *testing.T) {
					var opts []phasekit.Option
					if via == "WithDeadline" {
						opts = append(opts, phasekit.WithDeadline(deadline))
					}
					s, c, f := setup(t, m, opts...)
					callCtx := ctx(t)
					if via == "context deadline" {
						var cancel context.CancelFunc
						callCtx, cancel = context.WithTimeout(callCtx, deadline)
						defer cancel()
					}
					s.faults(t, map[string]any{"latency_ms": latency.Milliseconds()})
					start := time.Now()
					result, err := m.run(callCtx, c, f)
					took := time.Since(start)
					e := expectCode(t, err, phasekit.CodeTimeout, phasekit.ErrTimeout)
					expectNoSecrets(t, s, e.Error())
					if !errors.Is(err, phasekit.ErrNetwork) || !e.Retryable {
						t.Fatalf("a timeout is a retryable network error: %+v", e)
					}
					if via == "context deadline" && !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("a context's deadline: %v", err)
					}
					if took < deadline-10*time.Millisecond || took > deadline+margin {
						t.Fatalf("%s returned after %v with a %v deadline", m.name, took, deadline)
					}
					expectNothing(t, result)
				})
			}
		})
	}
	// The server still holds requests it delays; let them land before the next test reseeds.
	time.Sleep(latency)
}

// corrupt is a rule that breaks the next answer of path (status 200 all the same).
func corrupt(path, corruption string) map[string]any {
	return map[string]any{"path": path, "corrupt_next": 1, "corruption": corruption, "huge_bytes": 2 << 20}
}

func TestBrokenAnswers(t *testing.T) {
	cases := []struct {
		corruption string
		code       phasekit.Code
		family     error
	}{
		{"truncate", phasekit.CodeProtocol, phasekit.ErrProtocol},
		{"not_json", phasekit.CodeProtocol, phasekit.ErrProtocol},
		{"wrong_shape", phasekit.CodeProtocol, phasekit.ErrProtocol},
		{"tamper", phasekit.CodeDecryptFailed, phasekit.ErrDecryption},
	}
	for _, path := range []string{"/secrets/tokens/", "/secrets/"} {
		for _, tc := range cases {
			t.Run(tc.corruption+" "+path, func(t *testing.T) {
				s := fresh(t)
				c := s.client(t, "sa-token")
				// For the session's endpoint the client is cold; otherwise its session is there.
				if path == "/secrets/" {
					if _, err := c.Apps(ctx(t)); err != nil {
						t.Fatal(err)
					}
				}
				s.faults(t, corrupt(path, tc.corruption))
				found, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Path: "/", Raw: true})
				e := expectCode(t, err, tc.code, tc.family)
				expectNoSecrets(t, s, e.Error())
				expectNothing(t, found)
				if tc.code == phasekit.CodeProtocol && !strings.Contains(e.Message, "GET "+path) {
					t.Errorf("the message does not name the endpoint GET %s: %q", path, e.Message)
				}
				if e.Retryable && tc.code == phasekit.CodeDecryptFailed {
					t.Fatalf("tampered ciphertext is not retryable: %+v", e)
				}
				// The next answer is intact and nothing of the broken one was kept.
				again, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Path: "/", Raw: true})
				if err != nil {
					t.Fatalf("after a broken answer: %v", err)
				}
				if got := values(t, again); !reflect.DeepEqual(got, rootValues) {
					t.Fatalf("after a broken answer: %d secrets", len(got))
				}
			})
		}
	}
}

func TestAnswerOverTheSizeLimit(t *testing.T) {
	const limit = 1 << 20
	for _, path := range []string{"/secrets/tokens/", "/secrets/"} {
		t.Run(path, func(t *testing.T) {
			s := fresh(t)
			c := s.client(t, "sa-token", phasekit.WithMaxResponseBytes(limit))
			if path == "/secrets/" {
				if _, err := c.Apps(ctx(t)); err != nil {
					t.Fatal(err)
				}
			}
			// A valid, empty list of 2 MiB: without the limit it would read as "no secrets".
			s.faults(t, corrupt(path, "huge"))
			found, err := c.Get(ctx(t), devTarget, nil)
			e := expectCode(t, err, phasekit.CodeProtocol, phasekit.ErrProtocol)
			expectNothing(t, found)
			if want := fmt.Sprintf("larger than the %d-byte limit", limit); !strings.Contains(e.Message, want) ||
				!strings.Contains(e.Message, path) {
				t.Fatalf("over the limit: %q", e.Message)
			}
			if _, err := c.Get(ctx(t), devTarget, nil); err != nil {
				t.Fatalf("after a huge answer: %v", err)
			}
		})
	}
	// The default limit (64 MiB) lets an ordinary answer through, and so does a small limit
	// that the answers fit in.
	s := fresh(t)
	small := s.client(t, "sa-token", phasekit.WithMaxResponseBytes(64<<10))
	if _, err := small.Get(ctx(t), devTarget, nil); err != nil {
		t.Fatalf("answers under a 64 KiB limit: %v", err)
	}
	tiny := s.client(t, "sa-token", phasekit.WithMaxResponseBytes(100))
	_, err := tiny.Apps(ctx(t))
	expectCode(t, err, phasekit.CodeProtocol, phasekit.ErrProtocol)
}
