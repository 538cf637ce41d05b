package phasekit

// The Rust library (crate phasekit-ffi) is linked statically from lib/<GOOS>_<GOARCH>/: a
// released module carries it for every supported platform, and in a checkout `make go` builds
// this platform's. include/library.h stops the build with a clear message where there is none.
// The system libraries per platform are what the Rust standard library and the core's
// dependencies need (`cargo rustc --crate-type staticlib -- --print native-static-libs`).
// Every string and byte answer Rust returns is wiped and freed by Rust.

/*
#cgo CFLAGS: -I${SRCDIR}/include -I${SRCDIR}
#cgo linux,amd64 LDFLAGS: ${SRCDIR}/lib/linux_amd64/libphasekit_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
#cgo linux,arm64 LDFLAGS: ${SRCDIR}/lib/linux_arm64/libphasekit_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
#cgo darwin,amd64 LDFLAGS: ${SRCDIR}/lib/darwin_amd64/libphasekit_ffi.a -framework CoreFoundation -framework Security -framework SystemConfiguration -liconv -lresolv -lc -lm
#cgo darwin,arm64 LDFLAGS: ${SRCDIR}/lib/darwin_arm64/libphasekit_ffi.a -framework CoreFoundation -framework Security -framework SystemConfiguration -liconv -lresolv -lc -lm
#cgo windows,amd64 LDFLAGS: ${SRCDIR}/lib/windows_amd64/libphasekit_ffi.a -lws2_32 -luserenv -lbcrypt -lntdll -lcrypt32 -lncrypt -lsecur32 -ladvapi32 -lkernel32 -lole32 -loleaut32 -lsynchronization
#include <stdlib.h>
#include <string.h>
#include "library.h"
#include "phasekit.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"unsafe"
)

// nativeClient is the Rust client (opaque).
type nativeClient = C.PhasekitClient

// cString copies b into C memory as a NUL-terminated string.
func cString(b []byte) *C.char {
	p := C.malloc(C.size_t(len(b) + 1))
	buf := unsafe.Slice((*byte)(p), len(b)+1)
	copy(buf, b)
	buf[len(b)] = 0
	return (*C.char)(p)
}

// freeWiped zeroes a C string made by cString (it may hold secret values or a token), then
// frees it.
func freeWiped(p *C.char, n int) {
	C.memset(unsafe.Pointer(p), 0, C.size_t(n+1))
	C.free(unsafe.Pointer(p))
}

// take copies a string returned by Rust into Go memory and has Rust wipe and free it.
func take(p *C.char) []byte {
	if p == nil {
		return nil
	}
	defer C.phasekit_string_free(p)
	return C.GoBytes(unsafe.Pointer(p), C.int(C.strlen(p)))
}

// wipe zeroes a Go copy of a result.
func wipe(b []byte) {
	clear(b)
}

// newNative creates a Rust client from the JSON request of phasekit_client_new.
func newNative(request []byte) (*nativeClient, error) {
	arg := cString(request)
	defer freeWiped(arg, len(request))
	var failure *C.char
	handle := C.phasekit_client_new(arg, &failure)
	if handle == nil {
		return nil, decodeError(take(failure))
	}
	return handle, nil
}

func freeNative(handle *nativeClient) {
	C.phasekit_client_free(handle)
}

// cancellable runs blocking with a call handle that the end of ctx cancels, and frees the
// handle once blocking has returned and no cancel function uses it any more.
func cancellable(ctx context.Context, blocking func(call *C.PhasekitCall)) {
	call := C.phasekit_call_new()
	defer C.phasekit_call_free(call)
	cancelled := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		C.phasekit_call_cancel(call)
		close(cancelled)
	})
	blocking(call)
	if !stop() {
		// The cancel function started: wait until it no longer uses the call handle.
		<-cancelled
	}
}

// packed.go decodes the packed layout without cgo; these lines stop compiling when its kind
// bytes and the header's differ (a constant index out of range).
var (
	_ = [1]struct{}{}[packedSecrets-C.PHASEKIT_PACKED_SECRETS]
	_ = [1]struct{}{}[packedSecret-C.PHASEKIT_PACKED_SECRET]
	_ = [1]struct{}{}[packedResult-C.PHASEKIT_PACKED_RESULT]
)

// callNative runs one method of the Rust client, cancelling it when ctx is done, and hands its
// answer to read while the answer is still in Rust's memory, so that Go holds no copy of it
// besides what read decodes: read must copy what it keeps, because the answer is wiped and
// freed as soon as read returns. Answers that carry secrets are packed (packed.go), the others
// JSON.
func callNative(ctx context.Context, handle *nativeClient, method string, args []byte, read func(answer []byte) error) error {
	cMethod := C.CString(method)
	defer C.free(unsafe.Pointer(cMethod))
	cArgs := cString(args)
	defer freeWiped(cArgs, len(args))

	var out *C.uint8_t
	var size C.size_t
	var status C.int32_t
	cancellable(ctx, func(call *C.PhasekitCall) {
		status = C.phasekit_client_call_bytes(handle, call, cMethod, cArgs, &out, &size)
	})
	var answer []byte
	if out != nil {
		defer C.phasekit_bytes_free(out, size)
		answer = unsafe.Slice((*byte)(unsafe.Pointer(out)), int(size))
	}
	switch status {
	case C.PHASEKIT_OK:
		return read(answer)
	case C.PHASEKIT_ERROR:
		return decodeError(answer)
	case C.PHASEKIT_CANCELLED:
		return contextError(ctx, method)
	default:
		return fmt.Errorf("phasekit: %s: unexpected status %d", method, int(status))
	}
}

// loginNative logs in with a cloud identity (the JSON request of phasekit_login), cancelling
// when ctx is done, and returns the Rust client of the minted token (which stays in Rust).
func loginNative(ctx context.Context, request []byte) (*nativeClient, error) {
	arg := cString(request)
	defer freeWiped(arg, len(request))
	var handle *nativeClient
	var failure *C.char
	var status C.int32_t
	cancellable(ctx, func(call *C.PhasekitCall) {
		status = C.phasekit_login(call, arg, &handle, &failure)
	})
	text := take(failure)
	switch status {
	case C.PHASEKIT_OK:
		return handle, nil
	case C.PHASEKIT_ERROR:
		return nil, decodeError(text)
	case C.PHASEKIT_CANCELLED:
		return nil, contextError(ctx, "login")
	default:
		if handle != nil {
			freeNative(handle)
		}
		return nil, fmt.Errorf("phasekit: login: unexpected status %d", int(status))
	}
}

// nativeWatch is a running Rust watch (opaque).
type nativeWatch = C.PhasekitWatch

// newNativeWatch starts a Rust watch from the JSON arguments of phasekit_watch_new.
func newNativeWatch(handle *nativeClient, args []byte) (*nativeWatch, error) {
	arg := cString(args)
	defer freeWiped(arg, len(args))
	var failure *C.char
	w := C.phasekit_watch_new(handle, arg, &failure)
	if w == nil {
		return nil, decodeError(take(failure))
	}
	return w, nil
}

// watchItem is one answer of phasekit_watch_next.
type watchItem int

const (
	watchChange watchItem = iota
	watchError
	watchEnded
	watchCancelled
)

// runNativeWatch hands each item of w to deliver (a change's JSON, or an error's) until the
// watch ends, ctx is done or deliver returns false; it blocks its goroutine in Rust meanwhile.
// It does not free w.
func runNativeWatch(ctx context.Context, w *nativeWatch, deliver func(item watchItem, text []byte) bool) {
	cancellable(ctx, func(call *C.PhasekitCall) {
		for {
			var out *C.char
			status := C.phasekit_watch_next(w, call, &out)
			text := take(out)
			var item watchItem
			switch status {
			case C.PHASEKIT_OK:
				item = watchChange
			case C.PHASEKIT_ERROR:
				item = watchError
			case C.PHASEKIT_END:
				item = watchEnded
			default:
				item = watchCancelled
			}
			if !deliver(item, text) {
				return
			}
		}
	})
}

// freeNativeWatch stops the Rust watch's polling and frees it.
func freeNativeWatch(w *nativeWatch) {
	C.phasekit_watch_free(w)
}

// drainNativeLogs takes the log records the library collected since the last drain, as JSON.
func drainNativeLogs() []byte {
	return take(C.phasekit_logs_drain())
}

// liveObjects is how many handles and strings Rust handed out that were not freed yet.
func liveObjects() int64 {
	return int64(C.phasekit_live_objects())
}

// nativeErrorCodes is the library's list of stable error codes.
func nativeErrorCodes() []Code {
	var codes []Code
	text := take(C.phasekit_error_codes())
	if err := json.Unmarshal(text, &codes); err != nil {
		panic("phasekit: malformed error code list: " + err.Error())
	}
	return codes
}

// Version is the version of the linked phasekit library.
func Version() string {
	return C.GoString(C.phasekit_version())
}
