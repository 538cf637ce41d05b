package phasekit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code is a stable, machine-readable error code; the same strings in every phasekit binding.
type Code string

// The error codes.
const (
	CodeInvalidToken        Code = "invalid_token"
	CodeUnauthorized        Code = "unauthorized"
	CodeForbidden           Code = "forbidden"
	CodeAppNotFound         Code = "app_not_found"
	CodeEnvNotFound         Code = "env_not_found"
	CodeSecretNotFound      Code = "secret_not_found"
	CodeAmbiguous           Code = "ambiguous"
	CodeConflict            Code = "conflict"
	CodeInvalidInput        Code = "invalid_input"
	CodeRateLimited         Code = "rate_limited"
	CodeNetwork             Code = "network"
	CodeTimeout             Code = "timeout"
	CodeTLS                 Code = "tls"
	CodeServer              Code = "server"
	CodeProtocol            Code = "protocol"
	CodeDecryptFailed       Code = "decrypt_failed"
	CodeReferenceUnresolved Code = "reference_unresolved"
	CodeReferenceCycle      Code = "reference_cycle"
	CodeOfflineUnavailable  Code = "offline_unavailable"
)

// Error is the error of every phasekit operation. Use errors.As to read it, and errors.Is with
// the Err* values to test for a family of codes. Message never contains a secret value or a
// token's secret parts.
type Error struct {
	Code    Code
	Message string
	// Status is the HTTP status of the response that caused the error, 0 if none.
	Status int
	// RetryAfter is how long the server asked to wait (HTTP Retry-After), 0 if it did not say.
	RetryAfter time.Duration
	// Retryable says whether the same call may succeed later.
	Retryable bool

	cause error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "phasekit: %s: %s", e.Code, e.Message)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	return b.String()
}

// Unwrap returns the context error of a call whose deadline passed, else nil.
func (e *Error) Unwrap() error {
	return e.cause
}

// Is reports whether the error belongs to the family target (one of the Err* values).
func (e *Error) Is(target error) bool {
	f, ok := target.(*family)
	if !ok {
		return false
	}
	for _, code := range f.codes {
		if code == e.Code {
			return true
		}
	}
	return false
}

// family is a sentinel that matches every *Error whose code it lists.
type family struct {
	name  string
	codes []Code
}

func (f *family) Error() string {
	return "phasekit: " + f.name
}

// Families of error codes, for errors.Is.
var (
	// ErrAuthentication: invalid_token, unauthorized.
	ErrAuthentication error = &family{"authentication failed", []Code{CodeInvalidToken, CodeUnauthorized}}
	// ErrPermissionDenied: forbidden.
	ErrPermissionDenied error = &family{"permission denied", []Code{CodeForbidden}}
	// ErrNotFound: app_not_found, env_not_found, secret_not_found.
	ErrNotFound error = &family{"not found", []Code{CodeAppNotFound, CodeEnvNotFound, CodeSecretNotFound}}
	// ErrAmbiguous: ambiguous.
	ErrAmbiguous error = &family{"ambiguous name", []Code{CodeAmbiguous}}
	// ErrConflict: conflict.
	ErrConflict error = &family{"conflict", []Code{CodeConflict}}
	// ErrInvalidInput: invalid_input.
	ErrInvalidInput error = &family{"invalid input", []Code{CodeInvalidInput}}
	// ErrRateLimited: rate_limited (see RetryAfter).
	ErrRateLimited error = &family{"rate limited", []Code{CodeRateLimited}}
	// ErrNetwork: network, timeout, tls.
	ErrNetwork error = &family{"network error", []Code{CodeNetwork, CodeTimeout, CodeTLS}}
	// ErrTimeout: timeout (also a context deadline that passed during a call).
	ErrTimeout error = &family{"timeout", []Code{CodeTimeout}}
	// ErrTLS: tls.
	ErrTLS error = &family{"TLS error", []Code{CodeTLS}}
	// ErrServer: server (HTTP 5xx).
	ErrServer error = &family{"server error", []Code{CodeServer}}
	// ErrProtocol: protocol (an answer of an unexpected shape).
	ErrProtocol error = &family{"protocol error", []Code{CodeProtocol}}
	// ErrDecryption: decrypt_failed.
	ErrDecryption error = &family{"decryption failed", []Code{CodeDecryptFailed}}
	// ErrReference: reference_unresolved, reference_cycle.
	ErrReference error = &family{"reference error", []Code{CodeReferenceUnresolved, CodeReferenceCycle}}
	// ErrOffline: offline_unavailable.
	ErrOffline error = &family{"offline copy unavailable", []Code{CodeOfflineUnavailable}}
)

// ErrClosed is returned by calls on a closed Client.
var ErrClosed = errors.New("phasekit: the client is closed")

// ErrorCodes lists every stable error code, in a fixed order.
func ErrorCodes() []Code {
	return nativeErrorCodes()
}

// wireError is an error as the library reports it.
type wireError struct {
	Code       Code     `json:"code"`
	Message    string   `json:"message"`
	Status     *int     `json:"status"`
	RetryAfter *float64 `json:"retry_after"`
	Retryable  bool     `json:"retryable"`
}

func decodeError(text []byte) error {
	var w wireError
	if err := json.Unmarshal(text, &w); err != nil {
		return &Error{Code: CodeProtocol, Message: "malformed error from the phasekit library"}
	}
	e := &Error{Code: w.Code, Message: w.Message, Retryable: w.Retryable}
	if w.Status != nil {
		e.Status = *w.Status
	}
	if w.RetryAfter != nil {
		e.RetryAfter = time.Duration(*w.RetryAfter * float64(time.Second))
	}
	return e
}

// contextError is the error of a call that ctx ended: a timeout *Error that unwraps to
// context.DeadlineExceeded, or the context's own error wrapped.
func contextError(ctx context.Context, method string) error {
	err := ctx.Err()
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{
			Code:      CodeTimeout,
			Message:   "the context's deadline passed during " + method,
			Retryable: true,
			cause:     err,
		}
	}
	if err == nil {
		err = context.Canceled
	}
	return fmt.Errorf("phasekit: %s: %w", method, err)
}

func invalidInput(message string) error {
	return &Error{Code: CodeInvalidInput, Message: message}
}
