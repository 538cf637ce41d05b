package phasekit_test

// The local Phase-compatible server (tests/server, binary phasekit-server) for the whole suite:
// started once by TestMain, reseeded from testdata/seed.json by every test.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

var server *localServer

func TestMain(m *testing.M) {
	// The server listens on loopback only: never send its traffic through a proxy.
	for _, name := range []string{"NO_PROXY", "no_proxy"} {
		os.Setenv(name, "127.0.0.1,localhost,"+os.Getenv(name))
	}
	s, err := startServer("testdata/seed.json")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	server = s
	code := m.Run()
	s.stop()
	os.Exit(code)
}

type localServer struct {
	url string
	// http is the admin API's client (nil: http.DefaultClient; an HTTPS server needs one that
	// trusts its CA).
	http   *http.Client
	cmd    *exec.Cmd
	dir    string
	seed   []byte
	tokens map[string]string
	state  struct {
		Apps []struct {
			ID           string            `json:"id"`
			Name         string            `json:"name"`
			Environments map[string]string `json:"environments"`
		} `json:"apps"`
	}
}

// startServer runs phasekit-server with a seed; extra are further flags (e.g. --tls-cert).
func startServer(seedPath string, extra ...string) (*localServer, error) {
	binary := os.Getenv("PHASEKIT_SERVER_BIN")
	if binary == "" {
		binary = filepath.Join("..", "target", "x86_64-unknown-linux-gnu", "debug", "phasekit-server")
	}
	if _, err := os.Stat(binary); err != nil {
		return nil, fmt.Errorf("phasekit-server not found at %s (make server builds it; PHASEKIT_SERVER_BIN overrides): %w", binary, err)
	}
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "phasekit-go-")
	if err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	tokensPath := filepath.Join(dir, "tokens.json")
	cmd := exec.Command(binary, append([]string{"--port", "0", "--seed", seedPath, "--tokens-out", tokensPath}, extra...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &localServer{cmd: cmd, dir: dir, seed: seed}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		text, err := os.ReadFile(tokensPath)
		if err != nil {
			continue
		}
		var summary struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(text, &summary) == nil && summary.URL != "" {
			s.url = summary.URL
			return s, nil
		}
	}
	s.stop()
	return nil, fmt.Errorf("phasekit-server did not start within 30s (log in %s)", dir)
}

func (s *localServer) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	_ = os.RemoveAll(s.dir)
}

// admin calls the admin API; body is JSON-encoded unless it is already bytes.
func (s *localServer) admin(t testing.TB, method, path string, body any, out any) {
	t.Helper()
	var payload []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		payload = b
	default:
		var err error
		if payload, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	request, err := http.NewRequest(method, s.url+path, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	request.Header.Set("Content-Type", "application/json")
	httpClient := s.http
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	response, err := httpClient.Do(request)
	if err != nil {
		t.Fatalf("admin API: %v", err)
	}
	defer response.Body.Close()
	if response.StatusCode >= 300 {
		t.Fatalf("admin API %s %s: HTTP %d", method, path, response.StatusCode)
	}
	if out != nil {
		if err := json.NewDecoder(response.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// fresh reseeds the suite's server (tokens are minted anew), clears faults and request counters.
func fresh(t testing.TB) *localServer {
	t.Helper()
	return server.reset(t)
}

// freshClient is fresh(t) and a client of it for the service account token "sa-token", the
// opening of most tests.
func freshClient(t testing.TB) (*localServer, *phasekit.Client) {
	t.Helper()
	s := fresh(t)
	return s, s.client(t, "sa-token")
}

// reset reseeds the world of s, clears its faults and request counters.
func (s *localServer) reset(t testing.TB) *localServer {
	t.Helper()
	var answer struct {
		Tokens map[string]string `json:"tokens"`
		State  json.RawMessage   `json:"state"`
	}
	s.admin(t, "PUT", "/_admin/world", s.seed, &answer)
	s.tokens = answer.Tokens
	if err := json.Unmarshal(answer.State, &s.state); err != nil {
		t.Fatal(err)
	}
	s.admin(t, "DELETE", "/_admin/faults", nil, nil)
	s.admin(t, "DELETE", "/_admin/requests", nil, nil)
	return s
}

// client is a client of the server for one of the seeded tokens, closed after the test.
func (s *localServer) client(t testing.TB, tokenName string, opts ...phasekit.Option) *phasekit.Client {
	t.Helper()
	token, ok := s.tokens[tokenName]
	if !ok {
		t.Fatalf("no token %q in the seed", tokenName)
	}
	c, err := phasekit.New(token, append([]phasekit.Option{phasekit.WithHost(s.url)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func (s *localServer) faults(t testing.TB, config map[string]any) {
	s.admin(t, "PUT", "/_admin/faults", config, nil)
}

// requests counts the requests served since the last reset, per "METHOD /path/".
func (s *localServer) requests(t testing.TB) map[string]int {
	var answer struct {
		ByEndpoint map[string]int `json:"by_endpoint"`
	}
	s.admin(t, "GET", "/_admin/requests", nil, &answer)
	return answer.ByEndpoint
}

func (s *localServer) appID(name string) string {
	for _, app := range s.state.Apps {
		if app.Name == name {
			return app.ID
		}
	}
	return ""
}

func (s *localServer) envID(app, env string) string {
	for _, a := range s.state.Apps {
		if a.Name == app {
			return a.Environments[env]
		}
	}
	return ""
}

// closedPortURL is the URL of a loopback port nothing listens on.
func closedPortURL(t testing.TB) string {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + listener.Addr().String()
	listener.Close()
	return url
}
