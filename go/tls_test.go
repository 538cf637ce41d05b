package phasekit_test

// HTTPS against phasekit-server itself (--tls-cert/--tls-key) with a certificate authority made
// here and thrown away: untrusted by default, trusted through a CA bundle, and verification
// turned off by option or environment, which must be logged.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

// testPKI is a certificate authority and a server certificate for 127.0.0.1 that it signed,
// also written as PEM files (the CA's certificate; the leaf; the leaf's private key).
type testPKI struct {
	caPath, certPath, keyPath string
	pool                      *x509.CertPool
	leaf                      tls.Certificate
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	// A short validity around now: nothing made here is usable after the test run.
	caCert, caDER, caKey := issueCertificate(t, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "phasekit test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, nil, nil)
	// The server's URL is https://127.0.0.1:PORT, so the address must be an IP SAN.
	_, leafDER, leafKey := issueCertificate(t, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, caCert, caKey)
	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := &testPKI{
		caPath:   filepath.Join(dir, "ca.pem"),
		certPath: filepath.Join(dir, "cert.pem"),
		keyPath:  filepath.Join(dir, "key.pem"),
		pool:     x509.NewCertPool(),
		leaf:     tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey},
	}
	p.pool.AddCert(caCert)
	for path, block := range map[string]*pem.Block{
		p.caPath:   {Type: "CERTIFICATE", Bytes: caDER},
		p.certPath: {Type: "CERTIFICATE", Bytes: leafDER},
		p.keyPath:  {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// issueCertificate makes a fresh P-256 key and a certificate from template for it, signed by
// parent's key (self-signed when parent is nil); it returns the certificate, its DER and the key.
func issueCertificate(t testing.TB, template, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, []byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parent == nil {
		parent, parentKey = template, key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, der, key
}

// startTLSServer runs a second phasekit-server, over HTTPS with pki's certificate, for one test.
func startTLSServer(t *testing.T, pki *testPKI) *localServer {
	t.Helper()
	s, err := startServer("testdata/seed.json", "--tls-cert", pki.certPath, "--tls-key", pki.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	// The admin API is served over the same HTTPS: the test's own client trusts the CA.
	s.http = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.pool}}}
	if !strings.HasPrefix(s.url, "https://127.0.0.1:") {
		t.Fatalf("phasekit-server with a certificate serves %s", s.url)
	}
	return s.reset(t)
}

// verificationWarnings are the records saying that certificates are not verified.
func verificationWarnings(records []capturedRecord) []capturedRecord {
	var out []capturedRecord
	for _, r := range records {
		if r.Level == slog.LevelWarn && strings.Contains(r.Message, "TLS certificate verification is disabled") {
			out = append(out, r)
		}
	}
	return out
}

func TestTLSAgainstTheLocalServer(t *testing.T) {
	pki := newTestPKI(t)
	s := startTLSServer(t, pki)
	readsRoot := func(t *testing.T, c *phasekit.Client) {
		t.Helper()
		found, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Path: "/", Raw: true})
		if err != nil {
			t.Fatalf("Get over HTTPS: %v", err)
		}
		if got := values(t, found); len(got) != len(rootValues) || got["PAYMENT_KEY"] != rootValues["PAYMENT_KEY"] {
			t.Fatalf("Get over HTTPS: %d secrets", len(got))
		}
	}

	t.Run("an unknown CA is refused", func(t *testing.T) {
		token := s.reset(t).tokens["sa-token"]
		logs := captureLogs(t)
		c, err := phasekit.New(token, phasekit.WithHost(s.url), phasekit.WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		found, err := c.Get(ctx(t), devTarget, nil)
		e := expectCode(t, err, phasekit.CodeTLS, phasekit.ErrTLS)
		expectNoSecrets(t, s, e.Error())
		if found != nil || !errors.Is(err, phasekit.ErrNetwork) {
			t.Fatalf("untrusted: %v %v", found, err)
		}
		// The handshake failed, so no request reached the server.
		if n := len(s.requests(t)); n != 0 {
			t.Fatalf("%d requests through an untrusted connection", n)
		}
		if w := verificationWarnings(logs.take()); len(w) != 0 {
			t.Fatalf("a verifying client warned: %v", w)
		}
	})

	t.Run("a CA bundle makes it trusted", func(t *testing.T) {
		token := s.reset(t).tokens["sa-token"]
		logs := captureLogs(t)
		c, err := phasekit.New(token, phasekit.WithHost(s.url), phasekit.WithCABundle(pki.caPath))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		readsRoot(t, c)
		if w := verificationWarnings(logs.take()); len(w) != 0 {
			t.Fatalf("a verifying client warned: %v", w)
		}
	})

	t.Run("WithVerifySSL(false) connects and warns", func(t *testing.T) {
		token := s.reset(t).tokens["sa-token"]
		logs := captureLogs(t)
		c, err := phasekit.New(token, phasekit.WithHost(s.url), phasekit.WithVerifySSL(false))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// The warning is there as soon as New returns, before any request.
		warnings := verificationWarnings(logs.take())
		if len(warnings) != 1 || warnings[0].Target != "phasekit::transport" {
			t.Fatalf("want one warning from phasekit::transport, got %+v", warnings)
		}
		if !strings.Contains(warnings[0].Message, s.url) {
			t.Fatalf("the warning names the host: %q", warnings[0].Message)
		}
		expectNoSecrets(t, s, warnings[0].Message)
		readsRoot(t, c)
	})

	t.Run("PHASE_VERIFY_SSL=false through FromEnv", func(t *testing.T) {
		s.reset(t)
		t.Setenv("PHASE_SERVICE_TOKEN", s.tokens["sa-token"])
		t.Setenv("PHASE_HOST", s.url)
		// Without the variable, the environment's client verifies like any other.
		t.Setenv("PHASE_VERIFY_SSL", "")
		verifying, err := phasekit.FromEnv(phasekit.WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		defer verifying.Close()
		_, err = verifying.Apps(ctx(t))
		expectCode(t, err, phasekit.CodeTLS, phasekit.ErrTLS)

		t.Setenv("PHASE_VERIFY_SSL", "false")
		logs := captureLogs(t)
		c, err := phasekit.FromEnv()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if w := verificationWarnings(logs.take()); len(w) != 1 {
			t.Fatalf("want one warning, got %+v", w)
		}
		readsRoot(t, c)
	})
}
