package phasekit_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

// Names from testdata/seed.json.
const (
	app     = "go-app"
	refsApp = "go-refs"
	dev     = "Development"
	staging = "Staging"
	prod    = "Production"
)

var devTarget = phasekit.Target{App: app, Env: dev}

// rootValues is go-app/Development at "/", references unresolved.
var rootValues = map[string]string{
	"API_URL":      "https://api.dev.example",
	"PORT":         "8080",
	"DSN":          "postgres://${/db/DB_USER}:${/db/DB_PASSWORD}@db:5432/app",
	"FROM_STAGING": "${staging.API_URL}",
	"PAYMENT_KEY":  "sk_test_go_51",
	"EMPTY":        "",
	"UNICODE":      "grüße ✓ 日本語",
}

const resolvedDSN = "postgres://go_user:go-Pa55word!@db:5432/app"

// seededValues are secret values of the seed long enough to be telling in a leak check.
var seededValues = []string{"https://api.dev.example", "go-Pa55word!", "sk_test_go_51", "target-go-1", "twin-one-secret", "api.staging.example"}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func values(t testing.TB, secrets []phasekit.Secret) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, s := range secrets {
		if _, seen := out[s.Key]; seen {
			t.Fatalf("key %s twice in one result", s.Key)
		}
		out[s.Key] = s.Value()
	}
	return out
}

func keys(secrets []phasekit.Secret) []string {
	out := make([]string, 0, len(secrets))
	for _, s := range secrets {
		out = append(out, s.Path+" "+s.Key)
	}
	sort.Strings(out)
	return out
}

// expectCode checks that err is a *phasekit.Error with code, matching the family sentinel,
// and that its text shows no seeded secret value.
func expectCode(t testing.TB, err error, code phasekit.Code, family error) *phasekit.Error {
	t.Helper()
	var e *phasekit.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a *phasekit.Error with code %s, got %T %v", code, err, err)
	}
	if e.Code != code {
		t.Fatalf("want code %s, got %s (%v)", code, e.Code, e)
	}
	if !errors.Is(err, family) {
		t.Fatalf("errors.Is(%v, %v) is false", err, family)
	}
	for _, value := range seededValues {
		if strings.Contains(e.Error(), value) {
			t.Fatalf("a secret value leaks into the error %q", e.Error())
		}
	}
	return e
}

// expectNoSecrets fails when text shows a seeded secret value or a secret part of one of the
// server's tokens (error messages and log records must show neither).
func expectNoSecrets(t testing.TB, s *localServer, text string) {
	t.Helper()
	for _, value := range seededValues {
		if strings.Contains(text, value) {
			t.Fatalf("a seeded secret value leaks into %q", text)
		}
	}
	for name, token := range s.tokens {
		for _, part := range strings.Split(token, ":")[2:] {
			if len(part) > 8 && strings.Contains(text, part) {
				t.Fatalf("a part of the token %s leaks into %q", name, text)
			}
		}
	}
}
