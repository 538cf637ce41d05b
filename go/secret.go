package phasekit

import (
	"fmt"
	"io"
)

// Secret is a decrypted secret. Its value is read with Value(); String, GoString and every fmt
// verb print the secret with the value redacted, and encoding/json leaves it out.
type Secret struct {
	ID      string
	Key     string
	value   string
	Comment string
	// Path is the folder, "/" for the root.
	Path string
	Tags []string
	// Overridden is true when the value is the caller's active personal override.
	Overridden bool
	// Type is "secret", "sealed" or "config".
	Type string
	// Lifecycle is "static" or "rotating".
	Lifecycle string
	App       string
	Env       string
	// Version is the secret's version (counted by the server from 1), 0 if the server did not
	// send one.
	Version int64
	// CreatedAt and UpdatedAt are when the secret was created and last changed, as the server
	// writes them (ISO 8601, e.g. "2026-12-04T21:39:47.521868Z"); "" if it did not send them.
	CreatedAt string
	UpdatedAt string
	IsDynamic bool
	// DynamicGroup names the group of a dynamic secret, e.g. "db-creds (aws)".
	DynamicGroup string
	// LeaseID and LeaseExpiresAt (RFC 3339) are set on credentials fetched with a lease.
	LeaseID        string
	LeaseExpiresAt string
}

// Value is the plaintext: the caller's active personal override, else the shared value.
func (s Secret) Value() string {
	return s.value
}

// String describes the secret without its value.
func (s Secret) String() string {
	return fmt.Sprintf("Secret(key=%q, path=%q, app=%q, env=%q, value=<redacted>)", s.Key, s.Path, s.App, s.Env)
}

// GoString is the %#v form, without the value.
func (s Secret) GoString() string {
	return fmt.Sprintf("phasekit.Secret{Key:%q, Path:%q, App:%q, Env:%q, value:<redacted>}", s.Key, s.Path, s.App, s.Env)
}

// Format redacts the value whatever the verb (%d or %x of a struct would print its fields).
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, s.GoString())
	case verb == 'q':
		_, _ = fmt.Fprintf(f, "%q", s.String())
	default:
		_, _ = io.WriteString(f, s.String())
	}
}

// App is an app the token can read, with its environments.
type App struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Encryption is "E2E" or "SSE".
	Encryption   string        `json:"encryption"`
	Environments []Environment `json:"environments"`
}

// Environment is an environment the token can read.
type Environment struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	EnvType string `json:"env_type"`
}
