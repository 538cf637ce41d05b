package phasekit_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	phasekit "github.com/phasekit/phasekit/go"
)

func TestTheModuleLinksTheLibraryOfItsVersionAndNamesBothInTheUserAgent(t *testing.T) {
	if phasekit.Version() != phasekit.ModuleVersion {
		t.Fatalf("module %s links library %s", phasekit.ModuleVersion, phasekit.Version())
	}
	agents := make(chan string, 8)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents <- r.UserAgent()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error": "Permission denied"}`))
	}))
	defer server.Close()
	s := fresh(t)
	c, err := phasekit.New(s.tokens["sa-token"], phasekit.WithHost(server.URL), phasekit.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Apps(ctx(t)); err == nil {
		t.Fatal("the stand-in server refuses every request")
	}
	agent := <-agents
	for _, part := range []string{
		"phasekit/" + phasekit.ModuleVersion + " (",
		" phasekit-go/" + phasekit.ModuleVersion + " go/" + runtime.Version(),
	} {
		if !strings.Contains(agent, part) {
			t.Fatalf("user agent %q lacks %q", agent, part)
		}
	}
}
