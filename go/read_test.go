package phasekit_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

func TestGetEveryFolderWithReferencesResolved(t *testing.T) {
	_, c := freshClient(t)
	secrets, err := c.Get(ctx(t), devTarget, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/ API_URL", "/ DSN", "/ EMPTY", "/ FROM_STAGING", "/ PAYMENT_KEY", "/ PORT", "/ UNICODE", "/db DB_PASSWORD", "/db DB_USER"}
	if got := keys(secrets); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys: got %v, want %v", got, want)
	}
	got := values(t, secrets)
	if got["DSN"] != resolvedDSN || got["FROM_STAGING"] != "https://api.staging.example" {
		t.Fatalf("references not resolved: DSN=%q FROM_STAGING=%q", got["DSN"], got["FROM_STAGING"])
	}
	if got["UNICODE"] != rootValues["UNICODE"] || got["EMPTY"] != "" {
		t.Fatalf("values changed on the way: %q %q", got["UNICODE"], got["EMPTY"])
	}
	for _, secret := range secrets {
		if secret.App != app || secret.Env != dev || secret.Type != "secret" || secret.ID == "" {
			t.Fatalf("metadata of %s: %#v app=%q env=%q type=%q", secret.Key, secret, secret.App, secret.Env, secret.Type)
		}
		if secret.Key == "API_URL" && secret.Comment != "public endpoint" {
			t.Fatalf("comment: %q", secret.Comment)
		}
	}
}

func TestGetFilters(t *testing.T) {
	_, c := freshClient(t)
	root, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Path: "/", Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := values(t, root); !reflect.DeepEqual(got, rootValues) {
		t.Fatalf("raw root: got %v", got)
	}
	db, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Path: "/db"})
	if err != nil {
		t.Fatal(err)
	}
	if got := values(t, db); !reflect.DeepEqual(got, map[string]string{"DB_USER": "go_user", "DB_PASSWORD": "go-Pa55word!"}) {
		t.Fatalf("/db: %v", got)
	}
	some, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Keys: []string{"PORT", "DSN"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := values(t, some); !reflect.DeepEqual(got, map[string]string{"PORT": "8080", "DSN": resolvedDSN}) {
		t.Fatalf("keys: %v", got)
	}
	tagged, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Tag: "DATA"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tagged) != 1 || tagged[0].Key != "DB_PASSWORD" || !reflect.DeepEqual(tagged[0].Tags, []string{"database"}) {
		t.Fatalf("tag: %v", tagged)
	}
}

func TestGetByAppIDAndEnvironmentID(t *testing.T) {
	s, c := freshClient(t)
	target := phasekit.Target{AppID: s.appID(app), Env: s.envID(app, prod)}
	secrets, err := c.Get(ctx(t), target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := values(t, secrets); !reflect.DeepEqual(got, map[string]string{"API_URL": "https://api.example"}) {
		t.Fatalf("by id: %v", got)
	}
	// The id wins over a name.
	target.App = "twin-one"
	if _, err := c.Get(ctx(t), target, nil); err != nil {
		t.Fatalf("app id with a name: %v", err)
	}
}

func TestGetSecret(t *testing.T) {
	_, c := freshClient(t)
	secret, err := c.GetSecret(ctx(t), devTarget, "DSN", "")
	if err != nil {
		t.Fatal(err)
	}
	if secret.Value() != resolvedDSN || secret.Path != "/" {
		t.Fatalf("DSN: %q at %q", secret.Value(), secret.Path)
	}
	password, err := c.GetSecret(ctx(t), devTarget, "DB_PASSWORD", "/db")
	if err != nil || password.Value() != "go-Pa55word!" {
		t.Fatalf("DB_PASSWORD: %v %v", password, err)
	}
	_, err = c.GetSecret(ctx(t), devTarget, "DB_PASSWORD", "")
	expectCode(t, err, phasekit.CodeSecretNotFound, phasekit.ErrNotFound)
}

func TestAppsAndEnvironments(t *testing.T) {
	s, c := freshClient(t)
	apps, err := c.Apps(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]phasekit.App{}
	for _, a := range apps {
		names[a.Name] = a
	}
	if len(apps) != 4 || names[app].ID != s.appID(app) || names[app].Encryption == "" {
		t.Fatalf("apps: %+v", apps)
	}
	if len(names[app].Environments) != 3 {
		t.Fatalf("environments of %s: %+v", app, names[app].Environments)
	}
	envs, err := c.Environments(ctx(t), phasekit.Target{App: app})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range envs {
		got = append(got, e.Name)
		if e.ID != s.envID(app, e.Name) || e.EnvType == "" {
			t.Fatalf("environment %+v", e)
		}
	}
	if !reflect.DeepEqual(got, []string{dev, staging, prod}) {
		t.Fatalf("environments: %v", got)
	}
	reader := s.client(t, "reader-token")
	envs, err = reader.Environments(ctx(t), phasekit.Target{AppID: s.appID(app)})
	if err != nil || len(envs) != 1 || envs[0].Name != dev {
		t.Fatalf("reader's environments: %+v %v", envs, err)
	}
}

func TestExport(t *testing.T) {
	_, c := freshClient(t)
	dotenv, err := c.Export(ctx(t), devTarget, phasekit.FormatDotenv, "/db")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dotenv, "DB_USER=") || !strings.Contains(dotenv, "go_user") {
		t.Fatalf("dotenv: %q", dotenv)
	}
	text, err := c.Export(ctx(t), devTarget, phasekit.FormatJSON, "")
	if err != nil {
		t.Fatal(err)
	}
	var object map[string]string
	if err := json.Unmarshal([]byte(text), &object); err != nil || object["DSN"] != resolvedDSN {
		t.Fatalf("json export: %v %q", err, text)
	}
	yaml, err := c.Export(ctx(t), phasekit.Target{App: app, Env: prod}, phasekit.FormatYAML, "")
	if err != nil || !strings.Contains(yaml, "API_URL") || !strings.Contains(yaml, "https://api.example") {
		t.Fatalf("yaml export: %v %q", err, yaml)
	}
	_, err = c.Export(ctx(t), devTarget, "docx", "")
	expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
}

func TestSecretValueNeverPrints(t *testing.T) {
	_, c := freshClient(t)
	secret, err := c.GetSecret(ctx(t), devTarget, "PAYMENT_KEY", "/")
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	logger.Info("secret", "secret", secret, "list", []phasekit.Secret{secret})
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("secret", "secret", secret)
	marshalled, _ := json.Marshal(secret)
	shown := []string{
		secret.String(), secret.GoString(), fmt.Sprint(secret), fmt.Sprintf("%v %+v %#v %s %q %d %x", secret, secret, secret, secret, secret, secret, secret),
		fmt.Sprintf("%v %+v", &secret, []phasekit.Secret{secret}), fmt.Sprintf("%+v", struct{ S phasekit.Secret }{secret}),
		logged.String(), string(marshalled),
	}
	for _, text := range shown {
		if strings.Contains(text, "sk_test_go_51") {
			t.Fatalf("the value shows in %q", text)
		}
	}
	if !strings.Contains(shown[0], "PAYMENT_KEY") || !strings.Contains(shown[0], "redacted") {
		t.Fatalf("String: %q", shown[0])
	}
	if secret.Value() != "sk_test_go_51" {
		t.Fatalf("Value: %q", secret.Value())
	}
}

func TestRequestsColdWarmAndRefresh(t *testing.T) {
	s, c := freshClient(t)
	count := func() int {
		total := 0
		for _, n := range s.requests(t) {
			total += n
		}
		s.admin(t, "DELETE", "/_admin/requests", nil, nil)
		return total
	}
	for i, want := range []int{2, 1, 1} {
		if _, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Path: "/db"}); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != want {
			t.Fatalf("get #%d: %d requests, want %d", i+1, got, want)
		}
	}
	if err := c.Refresh(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Path: "/db"}); err != nil {
		t.Fatal(err)
	}
	if got := count(); got != 2 {
		t.Fatalf("after Refresh: %d requests, want 2", got)
	}
	if c.Host() != s.url {
		t.Fatalf("Host: %q, want %q", c.Host(), s.url)
	}
}

func TestDynamicSecretsAndLeases(t *testing.T) {
	s, c := freshClient(t)
	plain, err := c.Get(ctx(t), devTarget, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range plain {
		if secret.IsDynamic {
			t.Fatalf("dynamic secret without Dynamic: %v", secret)
		}
	}
	listed, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Dynamic: true, Keys: []string{"DYN_USER", "DYN_PASSWORD"}})
	if err != nil || len(listed) != 2 {
		t.Fatalf("dynamic entries: %v %v", listed, err)
	}
	entry := listed[0]
	if !entry.IsDynamic || entry.Value() != "" || entry.DynamicGroup == "" || entry.LeaseID != "" {
		t.Fatalf("dynamic entry: %#v group=%q lease=%q", entry, entry.DynamicGroup, entry.LeaseID)
	}
	leasedGet, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Lease: true, LeaseTTL: time.Minute, Keys: []string{"DYN_USER"}})
	if err != nil || len(leasedGet) != 1 || leasedGet[0].Value() == "" || leasedGet[0].LeaseID == "" {
		t.Fatalf("get with a lease: %v %v", leasedGet, err)
	}
	expires, err := time.Parse(time.RFC3339Nano, leasedGet[0].LeaseExpiresAt)
	if err != nil || time.Until(expires) > 61*time.Second || time.Until(expires) <= 0 {
		t.Fatalf("lease expiry %q: %v", leasedGet[0].LeaseExpiresAt, err)
	}

	leased, err := c.LeaseGenerate(ctx(t), devTarget, entry.ID, 2*time.Minute)
	if err != nil || len(leased) != 2 || leased[0].LeaseID == "" || leased[0].LeaseID != leased[1].LeaseID {
		t.Fatalf("LeaseGenerate: %v %v", leased, err)
	}
	lease := leased[0].LeaseID
	message, err := c.LeaseRenew(ctx(t), devTarget, lease, time.Hour)
	if err != nil || !strings.HasPrefix(message, "Lease renewed successfully") {
		t.Fatalf("LeaseRenew: %q %v", message, err)
	}
	message, err = c.LeaseRevoke(ctx(t), phasekit.Target{AppID: s.appID(app), Env: dev}, lease)
	if err != nil || message != "Lease revoked successfully" {
		t.Fatalf("LeaseRevoke: %q %v", message, err)
	}
	_, err = c.LeaseRenew(ctx(t), devTarget, lease, time.Minute)
	if e := expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput); e.Status != 400 {
		t.Fatalf("renewing a revoked lease: %v", e)
	}
	_, err = c.LeaseRevoke(ctx(t), devTarget, "no-such-lease")
	expectCode(t, err, phasekit.CodeSecretNotFound, phasekit.ErrNotFound)
	_, err = c.LeaseRenew(ctx(t), devTarget, lease, 0)
	expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
}
