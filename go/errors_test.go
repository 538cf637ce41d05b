package phasekit_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

// The codes and families generated into errors_gen.go are the library's (the core's tables),
// each family matching its own codes and those of the families under it.
func TestErrorsAreTheCoreOnes(t *testing.T) {
	codes, families := phasekit.NativeErrorTables()
	if got := phasekit.ErrorCodes(); !reflect.DeepEqual(got, codes) {
		t.Fatalf("ErrorCodes: %v, the library's: %v", got, codes)
	}
	sentinels := phasekit.Families()
	if len(sentinels) != len(families) {
		t.Fatalf("%d families, the library has %d", len(sentinels), len(families))
	}
	// A family's codes: its own and its children's.
	members := map[string][]string{}
	for _, f := range families {
		name, parent, own := f[0], f[1], f[2:]
		members[name] = append(members[name], own...)
		if parent != "" {
			members[parent] = append(members[parent], own...)
		}
	}
	for i, f := range families {
		if want := "phasekit: " + f[0]; sentinels[i].Error() != want {
			t.Errorf("family %d is %q, the library's %q", i, sentinels[i].Error(), want)
		}
		for _, code := range codes {
			in := false
			for _, member := range members[f[0]] {
				in = in || member == string(code)
			}
			if got := errors.Is(&phasekit.Error{Code: code}, sentinels[i]); got != in {
				t.Errorf("errors.Is(%s, %s) = %v", code, f[0], got)
			}
		}
	}
	// The names of earlier releases are the same sentinels.
	if phasekit.ErrRateLimited != phasekit.ErrRateLimit || phasekit.ErrTimeout != phasekit.ErrRequestTimeout ||
		phasekit.ErrReference != phasekit.ErrSecretReference {
		t.Fatal("an old name is not its family")
	}
}

func TestAuthenticationErrors(t *testing.T) {
	s := fresh(t)
	_, err := phasekit.New("pss_service:v2:not-a-token", phasekit.WithHost(s.url))
	expectCode(t, err, phasekit.CodeInvalidToken, phasekit.ErrAuthentication)
	_, err = phasekit.New("", phasekit.WithHost(s.url))
	expectCode(t, err, phasekit.CodeInvalidToken, phasekit.ErrAuthentication)

	expired := s.client(t, "sa-expired")
	_, err = expired.Get(ctx(t), devTarget, nil)
	if e := expectCode(t, err, phasekit.CodeUnauthorized, phasekit.ErrAuthentication); e.Status == 0 || e.Retryable {
		t.Fatalf("expired token: %+v", e)
	}
	token := s.tokens["sa-expired"]
	for _, part := range strings.Split(token, ":")[2:] {
		if len(part) > 8 && strings.Contains(err.Error(), part) {
			t.Fatal("a token part leaks into the error")
		}
	}
}

func TestAMispastedTokenIsAWrongToken(t *testing.T) {
	s := fresh(t)
	parts := strings.Split(s.tokens["sa-token"], ":")
	last := len(parts) - 1
	flipped := "0"
	if parts[last][0] == '0' {
		flipped = "1"
	}
	parts[last] = flipped + parts[last][1:]
	c, err := phasekit.New(strings.Join(parts, ":"), phasekit.WithHost(s.url))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Get(ctx(t), devTarget, nil)
	e := expectCode(t, err, phasekit.CodeInvalidToken, phasekit.ErrAuthentication)
	if !strings.Contains(e.Message, "not copied whole") {
		t.Fatalf("message: %q", e.Message)
	}
	for _, part := range parts[2:] {
		if strings.Contains(err.Error(), part) {
			t.Fatal("a token part leaks into the error")
		}
	}
}

func TestPermissionAndSelectionErrors(t *testing.T) {
	s := fresh(t)
	reader := s.client(t, "reader-token")
	err := reader.Create(ctx(t), devTarget, phasekit.NewSecret{Key: "NOPE", Value: "v"})
	if e := expectCode(t, err, phasekit.CodeForbidden, phasekit.ErrPermissionDenied); e.Status != 403 {
		t.Fatalf("read-only write: %+v", e)
	}
	c := s.client(t, "sa-token")
	_, err = c.Get(ctx(t), phasekit.Target{App: "no-such-app", Env: dev}, nil)
	expectCode(t, err, phasekit.CodeAppNotFound, phasekit.ErrNotFound)
	_, err = c.Get(ctx(t), phasekit.Target{App: app, Env: "Nowhere"}, nil)
	expectCode(t, err, phasekit.CodeEnvNotFound, phasekit.ErrNotFound)
	_, err = reader.Get(ctx(t), phasekit.Target{App: app, Env: prod}, nil)
	expectCode(t, err, phasekit.CodeEnvNotFound, phasekit.ErrNotFound)
	_, err = c.Get(ctx(t), phasekit.Target{App: "twin", Env: dev}, nil)
	e := expectCode(t, err, phasekit.CodeAmbiguous, phasekit.ErrAmbiguous)
	if !strings.Contains(e.Message, "twin-one") || !strings.Contains(e.Message, "twin-two") {
		t.Fatalf("ambiguous names the candidates: %q", e.Message)
	}
}

func TestConflictAndInvalidInput(t *testing.T) {
	s, c := freshClient(t)
	err := c.Create(ctx(t), devTarget, phasekit.NewSecret{Key: "PORT", Value: "1"})
	if e := expectCode(t, err, phasekit.CodeConflict, phasekit.ErrConflict); e.Status != 409 {
		t.Fatalf("duplicate: %+v", e)
	}
	invalid := []error{
		func() error { _, err := c.Get(ctx(t), phasekit.Target{Env: dev}, nil); return err }(),
		func() error { _, err := c.Get(ctx(t), phasekit.Target{App: app}, nil); return err }(),
		c.Create(ctx(t), devTarget, phasekit.NewSecret{Key: "T", Value: "v", Type: "weird"}),
		c.Create(ctx(t), devTarget, phasekit.NewSecret{Key: " ", Value: "v"}),
		func() error {
			_, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Lease: true, LeaseTTL: -time.Second})
			return err
		}(),
		func() error {
			_, err := phasekit.New(s.tokens["sa-token"], phasekit.WithTimeout(-time.Second))
			return err
		}(),
		func() error { _, err := phasekit.New(s.tokens["sa-token"], phasekit.WithMaxRetries(-1)); return err }(),
		func() error {
			_, err := phasekit.New(s.tokens["sa-token"], phasekit.WithCABundle("/nonexistent/ca.pem"))
			return err
		}(),
	}
	for i, err := range invalid {
		if err == nil {
			t.Fatalf("case %d: no error", i)
		}
		expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
	}
}

func TestRateLimitedWithRetryAfter(t *testing.T) {
	s, c := freshClient(t)
	s.faults(t, map[string]any{"throttle_next": 1, "retry_after": 120})
	_, err := c.Get(ctx(t), devTarget, nil)
	e := expectCode(t, err, phasekit.CodeRateLimited, phasekit.ErrRateLimited)
	if e.Status != 429 || e.RetryAfter != 120*time.Second || !e.Retryable {
		t.Fatalf("rate limited: %+v", e)
	}
	// A short Retry-After is waited for and retried.
	s.faults(t, map[string]any{"throttle_next": 1, "retry_after": 1})
	if _, err := c.Get(ctx(t), devTarget, nil); err != nil {
		t.Fatalf("after a short Retry-After: %v", err)
	}
}

func TestServerErrors(t *testing.T) {
	s := fresh(t)
	c := s.client(t, "sa-token", phasekit.WithMaxRetries(0))
	s.faults(t, map[string]any{"fail_next": 1, "fail_status": 500})
	_, err := c.Get(ctx(t), devTarget, nil)
	if e := expectCode(t, err, phasekit.CodeServer, phasekit.ErrServer); e.Status != 500 {
		t.Fatalf("server error: %+v", e)
	}
	// With retries, a 503 is retried.
	retrying := s.client(t, "sa-token")
	s.faults(t, map[string]any{"fail_next": 1, "fail_status": 503})
	if _, err := retrying.Get(ctx(t), devTarget, nil); err != nil {
		t.Fatalf("503 not retried: %v", err)
	}
}

func TestNetworkAndTimeoutErrors(t *testing.T) {
	s := fresh(t)
	closed, err := phasekit.New(s.tokens["sa-token"], phasekit.WithHost(closedPortURL(t)), phasekit.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer closed.Close()
	_, err = closed.Get(ctx(t), devTarget, nil)
	if e := expectCode(t, err, phasekit.CodeNetwork, phasekit.ErrNetwork); !e.Retryable {
		t.Fatalf("network: %+v", e)
	}
	slow := s.client(t, "sa-token", phasekit.WithTimeout(300*time.Millisecond), phasekit.WithMaxRetries(0))
	s.faults(t, map[string]any{"latency_ms": 1500})
	_, err = slow.Get(ctx(t), devTarget, nil)
	expectCode(t, err, phasekit.CodeTimeout, phasekit.ErrTimeout)
	if !errors.Is(err, phasekit.ErrNetwork) {
		t.Fatal("a timeout is a network error too")
	}

	// A request still unanswered at the call's deadline: the deadline is named once.
	bounded := s.client(t, "sa-token", phasekit.WithDeadline(500*time.Millisecond))
	_, err = bounded.Get(ctx(t), devTarget, nil)
	if e := expectCode(t, err, phasekit.CodeTimeout, phasekit.ErrTimeout); strings.Count(e.Message, "deadline") != 1 {
		t.Fatalf("message: %q", e.Message)
	}

	// https:// to a port that speaks plain HTTP fails in the TLS handshake.
	s.faults(t, map[string]any{})
	scheme := s.client(t, "sa-token", phasekit.WithHost(strings.Replace(s.url, "http://", "https://", 1)))
	_, err = scheme.Get(ctx(t), devTarget, nil)
	expectCode(t, err, phasekit.CodeTLS, phasekit.ErrTLS)
}

// phaseImpostor answers every request with something that is not Phase's answer.
func phaseImpostor() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"unexpected": true}`))
	})
}

// tlsImpostor serves phaseImpostor over HTTPS with a certificate for 127.0.0.1 issued by a CA of
// its own, whose PEM file is at the returned path.
func tlsImpostor(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	pki := newTestPKI(t)
	server := httptest.NewUnstartedServer(phaseImpostor())
	server.TLS = &tls.Config{Certificates: []tls.Certificate{pki.leaf}}
	server.Config.ErrorLog = log.New(io.Discard, "", 0)
	server.StartTLS()
	t.Cleanup(server.Close)
	return server, pki.caPath
}

func TestTLSAndProtocolErrors(t *testing.T) {
	s := fresh(t)
	https, bundle := tlsImpostor(t)
	untrusting, err := phasekit.New(s.tokens["sa-token"], phasekit.WithHost(https.URL), phasekit.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer untrusting.Close()
	_, err = untrusting.Get(ctx(t), devTarget, nil)
	expectCode(t, err, phasekit.CodeTLS, phasekit.ErrTLS)

	// With the CA trusted, the connection works and the answer itself is wrong.
	trusting, err := phasekit.New(s.tokens["sa-token"], phasekit.WithHost(https.URL), phasekit.WithCABundle(bundle), phasekit.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer trusting.Close()
	_, err = trusting.Get(ctx(t), devTarget, nil)
	expectCode(t, err, phasekit.CodeProtocol, phasekit.ErrProtocol)
}

func TestDecryptionError(t *testing.T) {
	s, c := freshClient(t)
	// A record encrypted to another key, posted around the client.
	noise := make([]byte, 60)
	_, _ = rand.Read(noise)
	fake := "ph:v1:" + strings.Repeat("ab", 32) + ":" + base64.StdEncoding.EncodeToString(noise)
	body, _ := json.Marshal(map[string]any{"secrets": []map[string]any{{
		"key": fake, "value": fake, "comment": "", "keyDigest": strings.Repeat("00", 32), "path": "/tampered", "tags": []string{},
	}}})
	request, _ := http.NewRequestWithContext(context.Background(), "POST", s.url+"/service/secrets/", bytes.NewReader(body))
	request.Header.Set("Authorization", "Bearer ServiceAccount "+strings.Split(s.tokens["sa-token"], ":")[2])
	request.Header.Set("Environment", s.envID(app, dev))
	request.Header.Set("Content-Type", "application/json")
	response, err := http.DefaultClient.Do(request)
	if err != nil || response.StatusCode != 200 {
		t.Fatalf("posting the tampered record: %v %v", response, err)
	}
	response.Body.Close()
	_, err = c.Get(ctx(t), devTarget, nil)
	if e := expectCode(t, err, phasekit.CodeDecryptFailed, phasekit.ErrDecryption); e.Retryable || strings.Contains(e.Error(), fake) {
		t.Fatalf("decrypt_failed: %+v", e)
	}
	root, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Path: "/"})
	if err != nil || len(root) != len(rootValues) {
		t.Fatalf("other folders still read: %d %v", len(root), err)
	}
}

func TestReferenceErrors(t *testing.T) {
	_, c := freshClient(t)
	lenient, err := c.Get(ctx(t), phasekit.Target{App: refsApp, Env: dev}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := values(t, lenient); got["GOOD"] != "v=target-go-1" || got["BROKEN"] != "x-${NOPE}" {
		t.Fatalf("lenient references: %v", got)
	}
	_, err = c.Get(ctx(t), phasekit.Target{App: refsApp, Env: dev}, &phasekit.GetOptions{Strict: true})
	expectCode(t, err, phasekit.CodeReferenceUnresolved, phasekit.ErrReference)
	_, err = c.Get(ctx(t), phasekit.Target{App: refsApp, Env: prod}, nil)
	expectCode(t, err, phasekit.CodeReferenceCycle, phasekit.ErrReference)
}

func TestErrorString(t *testing.T) {
	e := &phasekit.Error{Code: phasekit.CodeRateLimited, Message: "slow down", Status: 429}
	if e.Error() != "phasekit: rate_limited: slow down (HTTP 429)" {
		t.Fatalf("Error(): %q", e.Error())
	}
	if !errors.Is(fmtWrap(e), phasekit.ErrRateLimited) {
		t.Fatal("errors.Is through a wrapper")
	}
}

func fmtWrap(err error) error {
	return errors.Join(errors.New("loading configuration"), err)
}

func TestMalformedTokens(t *testing.T) {
	s := fresh(t)
	hex := strings.Repeat("ab", 32)
	fields := func(parts ...string) string { return strings.Join(parts, ":") }
	malformed := map[string]string{
		"blank":                 " \t\n",
		"prefix only":           "pss_service:v2",
		"too few fields":        fields("pss_service", "v2", hex, hex),
		"too many fields":       fields("pss_service", "v2", hex, hex, hex, hex, hex),
		"unknown prefix":        fields("pss_admin", "v1", hex, hex, hex, hex),
		"with the header word":  "Bearer " + s.tokens["sa-token"],
		"upper-cased":           strings.ToUpper(s.tokens["sa-token"]),
		"unknown version":       fields("pss_service", "v9", hex, hex, hex, hex),
		"not a version":         fields("pss_user", "vX", hex, hex, hex, hex),
		"key share not hex":     fields("pss_service", "v2", hex, hex, strings.Repeat("zz", 32), hex),
		"wrap key too short":    fields("pss_service", "v2", hex, hex, hex, hex[:63]),
		"bearer not ASCII":      fields("pss_service", "v2", strings.Repeat("é", 32), hex, hex, hex),
		"a line break inside":   fields("pss_user", "v1", hex, hex+"\n", hex, hex),
		"a NUL byte at the end": fields("pss_service", "v2", hex, hex, hex, hex) + "\x00",
	}
	for name, token := range malformed {
		t.Run(name, func(t *testing.T) {
			c, err := phasekit.New(token, phasekit.WithHost(s.url))
			if err == nil {
				c.Close()
				t.Fatal("accepted")
			}
			e := expectCode(t, err, phasekit.CodeInvalidToken, phasekit.ErrAuthentication)
			expectNoSecrets(t, s, e.Error())
			// The message names the faulty field, never the content of a secret field (the
			// third and later).
			parts := strings.Split(token, ":")
			for _, part := range parts[min(2, len(parts)):] {
				if part = strings.TrimSpace(part); len(part) > 8 && strings.Contains(e.Error(), part) {
					t.Fatalf("the token's text in %q", e.Error())
				}
			}
		})
	}
	// The same through the environment.
	t.Setenv("PHASE_SERVICE_TOKEN", malformed["key share not hex"])
	t.Setenv("PHASE_HOST", s.url)
	_, err := phasekit.FromEnv()
	expectCode(t, err, phasekit.CodeInvalidToken, phasekit.ErrAuthentication)
	// Surrounding whitespace (a token read from a file) is not part of the token.
	c := s.client(t, "sa-token")
	padded, err := phasekit.New("\t"+s.tokens["sa-token"]+"\n", phasekit.WithHost(s.url))
	if err != nil {
		t.Fatal(err)
	}
	defer padded.Close()
	for _, client := range []*phasekit.Client{c, padded} {
		if _, err := client.Apps(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMalformedHostsAndOptions(t *testing.T) {
	s := fresh(t)
	token := s.tokens["sa-token"]
	hosts := []string{
		"", " ", "not a url", "127.0.0.1:8080", "http://", "ftp://127.0.0.1", "file:///etc/passwd",
		"https://127.0.0.1:1/?x=1", "https://127.0.0.1#fragment", "http://exa mple.com",
		"http://[::1", "http://127.0.0.1:99999",
	}
	for _, host := range hosts {
		c, err := phasekit.New(token, phasekit.WithHost(host))
		if err == nil {
			c.Close()
			t.Fatalf("host %q accepted", host)
		}
		e := expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
		expectNoSecrets(t, s, e.Error())
	}
	// A trailing slash or the /service suffix of the API's base is the same host.
	for _, host := range []string{s.url + "/", s.url + "/service/", " " + s.url + "\n"} {
		c, err := phasekit.New(token, phasekit.WithHost(host))
		if err != nil {
			t.Fatalf("host %q: %v", host, err)
		}
		if c.Host() != s.url {
			t.Fatalf("host %q became %q", host, c.Host())
		}
		if _, err := c.Apps(ctx(t)); err != nil {
			t.Fatalf("host %q: %v", host, err)
		}
		c.Close()
	}
	options := map[string]phasekit.Option{
		"negative deadline":         phasekit.WithDeadline(-time.Second),
		"zero response limit":       phasekit.WithMaxResponseBytes(0),
		"negative response limit":   phasekit.WithMaxResponseBytes(-1),
		"negative connect timeout":  phasekit.WithConnectTimeout(-time.Second),
		"negative session lifetime": phasekit.WithSessionTTL(-time.Second),
	}
	for name, option := range options {
		c, err := phasekit.New(token, phasekit.WithHost(s.url), option)
		if err == nil {
			c.Close()
			t.Fatalf("%s accepted", name)
		}
		expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
	}
}
