package phasekit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code is a stable, machine-readable error code; the same strings in every phasekit binding.
type Code string

// The codes (Code...) and the families (Err...) are generated from the core's tables in
// errors_gen.go.

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

// The names of earlier releases of some families (errors_gen.go names them after the core's
// classes).
var (
	// ErrRateLimited is ErrRateLimit.
	ErrRateLimited = ErrRateLimit
	// ErrTimeout is ErrRequestTimeout (also a context deadline that passed during a call).
	ErrTimeout = ErrRequestTimeout
	// ErrReference is ErrSecretReference.
	ErrReference = ErrSecretReference
)

// ErrClosed is returned by calls on a closed Client.
var ErrClosed = errors.New("phasekit: the client is closed")

// ErrorCodes lists every stable error code, in the core's order.
func ErrorCodes() []Code {
	return append([]Code(nil), codes...)
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
