// What a Go user of the published module does: a module of its own that requires
// github.com/phasekit/phasekit/go, fetched through a module proxy with `go get`, reading secrets
// from the local server (PHASE_HOST, PHASE_SERVICE_TOKEN). tests/packages/check-go.sh copies it
// into a fresh module outside the repository.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	phasekit "github.com/phasekit/phasekit/go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "go_user:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := phasekit.FromEnv()
	if err != nil {
		return err
	}
	defer client.Close()
	secrets, err := client.Get(ctx, phasekit.Target{App: "demo-app", Env: "Development"}, nil)
	if err != nil {
		return err
	}
	values := map[string]string{}
	var keys []string
	for _, s := range secrets {
		values[s.Key] = s.Value()
		keys = append(keys, s.Key)
	}
	sort.Strings(keys)
	if fmt.Sprint(keys) != "[API_KEY DATABASE_URL DB_HOST DB_PASSWORD DB_PORT]" {
		return fmt.Errorf("keys %v", keys)
	}
	if values["DATABASE_URL"] != "postgres://app:dev-password@localhost:5432/app" {
		return errors.New("references were not resolved")
	}
	_, err = client.Get(ctx, phasekit.Target{App: "no-such-app", Env: "Development"}, nil)
	var phaseErr *phasekit.Error
	if !errors.As(err, &phaseErr) || phaseErr.Code != phasekit.CodeAppNotFound || !errors.Is(err, phasekit.ErrNotFound) {
		return fmt.Errorf("an unknown app: %v", err)
	}
	fmt.Printf("go_user: ok (phasekit library %s)\n", phasekit.Version())
	return nil
}
