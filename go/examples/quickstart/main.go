// Quickstart: fetch and decrypt the secrets of one environment.
//
//	PHASE_SERVICE_TOKEN=pss_service:v2:... PHASE_HOST=https://console.phase.dev \
//	    go run ./examples/quickstart demo-app Development
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/phasekit/phasekit/go"
)

func main() {
	app, env := "demo-app", "Development"
	if len(os.Args) > 1 {
		app = os.Args[1]
	}
	if len(os.Args) > 2 {
		env = os.Args[2]
	}
	if err := run(app, env); err != nil {
		var e *phasekit.Error
		if errors.As(err, &e) {
			fmt.Fprintf(os.Stderr, "%s: %v\n", e.Code, err)
		} else {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
}

func run(app, env string) error {
	client, err := phasekit.FromEnv()
	if err != nil {
		return err
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	secrets, err := client.Get(ctx, phasekit.Target{App: app, Env: env}, nil)
	if err != nil {
		return err
	}
	fmt.Printf("%d secrets in %s/%s:\n", len(secrets), app, env)
	for _, secret := range secrets {
		folder := ""
		if secret.Path != "/" {
			folder = secret.Path + "/"
		}
		// Value() is the one way to read a value; printing a Secret shows it redacted.
		fmt.Printf("  %s%s = %s\n", folder, secret.Key, secret.Value())
	}
	return nil
}
