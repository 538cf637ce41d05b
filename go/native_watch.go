package phasekit

// Watches, logins and log records through their C functions.

// #include "phasekit.h"
import "C"

import (
	"context"
	"unsafe"
)

// nativeWatch is a running Rust watch (opaque).
type nativeWatch = C.PhasekitWatch

// newNativeWatch starts a Rust watch of what t and opts select.
func newNativeWatch(n *nativeClient, t Target, opts *GetOptions, w WatchOptions) (*nativeWatch, error) {
	var a args
	defer a.done()
	every := &C.PhasekitWatchOptions{interval: C.double(w.Interval.Seconds()), max_backoff: C.double(w.MaxBackoff.Seconds())}
	var failure C.PhasekitError
	watch := C.phasekit_watch_new(n, a.target(t), a.getOptions(opts, 0), every, &failure)
	if watch == nil {
		return nil, goError(&failure)
	}
	return watch, nil
}

// runNativeWatch hands each item of w to deliver (a change, or an error) until the watch ends,
// ctx is done or deliver returns false; it blocks its goroutine in Rust meanwhile. It does not
// free w.
func runNativeWatch(ctx context.Context, w *nativeWatch, deliver func(WatchEvent) bool) {
	cancellable(ctx, func(call *C.PhasekitCall) {
		for {
			var out C.PhasekitChange
			var failure C.PhasekitError
			var event WatchEvent
			switch C.phasekit_watch_next(w, call, &out, &failure) {
			case C.PHASEKIT_OK:
				event.Change = &Change{Added: goStrs(out.added), Changed: goStrs(out.changed), Removed: goStrs(out.removed)}
				free(out.owner)
			case C.PHASEKIT_ERROR:
				event.Err = goError(&failure)
			default:
				return
			}
			if !deliver(event) {
				return
			}
		}
	})
}

// freeNativeWatch stops the Rust watch's polling and frees it.
func freeNativeWatch(w *nativeWatch) {
	C.phasekit_watch_free(w)
}

// loginNative logs in with a cloud identity, cancelling when ctx is done, and returns the Rust
// client of the minted token (which stays in Rust).
func loginNative(ctx context.Context, accountID, provider string, s *loginSettings, ttl uint64, settingsJSON []byte) (*nativeClient, error) {
	var a args
	defer a.done()
	request := &C.PhasekitLogin{
		service_account_id: a.str(accountID), ttl: C.int64_t(ttl),
		settings_json: a.str(string(settingsJSON)), binding: a.str(binding()),
	}
	a.pin(unsafe.Pointer(request))
	var handle *nativeClient
	var err error
	if provider == "azure_entra" {
		az := s.azureSettings()
		ca := &C.PhasekitAzureLogin{jwt: a.optPtr(az.JWT), resource: a.optPtr(az.Resource)}
		a.pin(unsafe.Pointer(ca))
		err = nativeCall(ctx, "login", func(call *C.PhasekitCall, failure *C.PhasekitError) C.int32_t {
			return C.phasekit_login_azure(call, request, ca, &handle, failure)
		})
	} else {
		aws := s.awsSettings()
		ca := &C.PhasekitAwsLogin{
			access_key_id: a.optPtr(aws.AccessKeyID), secret_access_key: a.optPtr(aws.SecretAccessKey),
			session_token: a.optPtr(aws.SessionToken), region: a.optPtr(aws.Region), profile: a.optPtr(aws.Profile),
		}
		a.pin(unsafe.Pointer(ca))
		err = nativeCall(ctx, "login", func(call *C.PhasekitCall, failure *C.PhasekitError) C.int32_t {
			return C.phasekit_login_aws(call, request, ca, &handle, failure)
		})
	}
	if err != nil {
		if handle != nil {
			freeNative(handle)
		}
		return nil, err
	}
	return handle, nil
}

// drainNativeLogs takes the log records the library collected since the last drain.
func drainNativeLogs() []logRecord {
	out := C.phasekit_logs_drain()
	defer free(out.owner)
	items := view(out.items, out.len)
	records := make([]logRecord, len(items))
	for i, r := range items {
		records[i] = logRecord{Level: goStr(r.level), Target: goStr(r.target), Message: goStr(r.message)}
	}
	return records
}

// nativeErrorTables are the library's error codes and families (name, parent, own codes), for
// the test that the generated ones are the same.
func nativeErrorTables() (codes []Code, families [][]string) {
	list := C.phasekit_error_codes()
	for _, s := range goStrs(list.items) {
		codes = append(codes, Code(s))
	}
	free(list.owner)
	all := C.phasekit_error_families()
	defer free(all.owner)
	for _, f := range view(all.items, all.len) {
		families = append(families, append([]string{goStr(f.name), goStr(f.parent)}, goStrs(f.codes)...))
	}
	return codes, families
}
