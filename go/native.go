package phasekit

// Each operation of the Rust client as its C function: Go values into the C structs of
// include/phasekit.h, the answer's structs into Go values.

// #include "phasekit.h"
import "C"

import (
	"context"
	"unsafe"
)

func (a *args) target(t Target) *C.PhasekitTarget {
	ct := &C.PhasekitTarget{app: a.opt(t.App), app_id: a.opt(t.AppID), env: a.opt(t.Env)}
	a.pin(unsafe.Pointer(ct))
	return ct
}

func (a *args) getOptions(o *GetOptions, leaseTTL uint64) *C.PhasekitGetOptions {
	if o == nil {
		return nil
	}
	co := &C.PhasekitGetOptions{
		path: a.opt(o.Path), keys: a.strs(o.Keys), tag: a.opt(o.Tag),
		raw: C.bool(o.Raw), strict: C.bool(o.Strict), dynamic: C.bool(o.Dynamic),
		lease: C.bool(o.Lease), lease_ttl: C.uint64_t(leaseTTL),
	}
	a.pin(unsafe.Pointer(co))
	return co
}

// newNative creates a Rust client.
func newNative(token *string, settingsJSON []byte) (*nativeClient, error) {
	var a args
	defer a.done()
	var failure C.PhasekitError
	handle := C.phasekit_client_new(a.optPtr(token), a.str(string(settingsJSON)), a.str(binding()), &failure)
	if handle == nil {
		return nil, goError(&failure)
	}
	return handle, nil
}

// goSecrets copies the secrets of an answer into Go memory and frees the answer.
func goSecrets(out *C.PhasekitSecrets) ([]Secret, Source) {
	defer free(out.owner)
	items := view(out.items, out.len)
	secrets := make([]Secret, len(items))
	var first Secret
	prev := &first
	for i := range items {
		c, s := &items[i], &secrets[i]
		s.ID = goStr(c.id)
		s.Key = goStr(c.key)
		s.value = goStr(c.value)
		s.Comment = goStr(c.comment)
		s.Path = goStrLike(c.path, prev.Path)
		s.Tags = goStrs(c.tags)
		s.Overridden = bool(c.overridden)
		s.Type = goStrLike(c.secret_type, prev.Type)
		s.Lifecycle = goStrLike(c.lifecycle, prev.Lifecycle)
		s.App = goStrLike(c.app, prev.App)
		s.Env = goStrLike(c.env, prev.Env)
		if c.has_version {
			s.Version = int64(c.version)
		}
		s.CreatedAt = goStr(c.created_at)
		s.UpdatedAt = goStr(c.updated_at)
		s.IsDynamic = bool(c.is_dynamic)
		s.DynamicGroup = goStr(c.dynamic_group)
		s.LeaseID = goStr(c.lease_id)
		s.LeaseExpiresAt = goStr(c.lease_expires_at)
		prev = s
	}
	return secrets, sources[out.source]
}

// sources are the PHASEKIT_SOURCE_* values, in order.
var sources = map[C.uint8_t]Source{
	C.PHASEKIT_SOURCE_NETWORK: SourceNetwork,
	C.PHASEKIT_SOURCE_MEMORY:  SourceMemory,
	C.PHASEKIT_SOURCE_STALE:   SourceStale,
	C.PHASEKIT_SOURCE_OFFLINE: SourceOffline,
}

type secretsOp func(call *C.PhasekitCall, out *C.PhasekitSecrets, failure *C.PhasekitError) C.int32_t

// readSecrets runs an operation that answers with secrets.
func readSecrets(ctx context.Context, name string, op secretsOp) ([]Secret, Source, error) {
	var out C.PhasekitSecrets
	err := nativeCall(ctx, name, func(call *C.PhasekitCall, failure *C.PhasekitError) C.int32_t {
		return op(call, &out, failure)
	})
	if err != nil {
		return nil, "", err
	}
	secrets, source := goSecrets(&out)
	return secrets, source, nil
}

func nativeGet(ctx context.Context, n *nativeClient, t Target, opts *GetOptions, leaseTTL uint64) ([]Secret, Source, error) {
	var a args
	defer a.done()
	ct, co := a.target(t), a.getOptions(opts, leaseTTL)
	return readSecrets(ctx, "get", func(call *C.PhasekitCall, out *C.PhasekitSecrets, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_get(n, call, ct, co, out, failure)
	})
}

func nativeGetSecret(ctx context.Context, n *nativeClient, t Target, key, path string) ([]Secret, error) {
	var a args
	defer a.done()
	ct, ckey, cpath := a.target(t), a.str(key), a.opt(path)
	found, _, err := readSecrets(ctx, "get_secret", func(call *C.PhasekitCall, out *C.PhasekitSecrets, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_get_secret(n, call, ct, ckey, cpath, out, failure)
	})
	return found, err
}

func nativeLeaseGenerate(ctx context.Context, n *nativeClient, t Target, secretID string, ttl uint64) ([]Secret, error) {
	var a args
	defer a.done()
	ct, cid := a.target(t), a.str(secretID)
	found, _, err := readSecrets(ctx, "lease_generate", func(call *C.PhasekitCall, out *C.PhasekitSecrets, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_lease_generate(n, call, ct, cid, C.uint64_t(ttl), out, failure)
	})
	return found, err
}

// readText runs an operation that answers with a text.
func readText(ctx context.Context, name string, op func(call *C.PhasekitCall, out *C.PhasekitText, failure *C.PhasekitError) C.int32_t) (string, error) {
	var out C.PhasekitText
	err := nativeCall(ctx, name, func(call *C.PhasekitCall, failure *C.PhasekitError) C.int32_t {
		return op(call, &out, failure)
	})
	if err != nil {
		return "", err
	}
	defer free(out.owner)
	return goStr(out.text), nil
}

func nativeExport(ctx context.Context, n *nativeClient, t Target, format, path string) (string, error) {
	var a args
	defer a.done()
	ct, cformat, cpath := a.target(t), a.opt(format), a.opt(path)
	return readText(ctx, "export", func(call *C.PhasekitCall, out *C.PhasekitText, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_export(n, call, ct, cformat, cpath, out, failure)
	})
}

func nativeLeaseRenew(ctx context.Context, n *nativeClient, t Target, leaseID string, ttl uint64) (string, error) {
	var a args
	defer a.done()
	ct, cid := a.target(t), a.str(leaseID)
	return readText(ctx, "lease_renew", func(call *C.PhasekitCall, out *C.PhasekitText, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_lease_renew(n, call, ct, cid, C.uint64_t(ttl), out, failure)
	})
}

func nativeLeaseRevoke(ctx context.Context, n *nativeClient, t Target, leaseID string) (string, error) {
	var a args
	defer a.done()
	ct, cid := a.target(t), a.str(leaseID)
	return readText(ctx, "lease_revoke", func(call *C.PhasekitCall, out *C.PhasekitText, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_lease_revoke(n, call, ct, cid, out, failure)
	})
}

func nativeHost(n *nativeClient) string {
	out := C.phasekit_host(n)
	defer free(out.owner)
	return goStr(out.text)
}

func nativeStats(n *nativeClient) Stats {
	w := C.phasekit_stats(n)
	return Stats{
		Requests: uint64(w.requests), Retries: uint64(w.retries), RateLimited: uint64(w.rate_limited),
		Failures: uint64(w.failures), CacheHits: uint64(w.cache_hits), CacheMisses: uint64(w.cache_misses),
		OfflineServed: uint64(w.offline_served), DecryptedFields: uint64(w.decrypted_fields),
		DecryptTime: secondsDuration(float64(w.decrypt_time)),
	}
}

func nativeRefresh(ctx context.Context, n *nativeClient) error {
	return nativeCall(ctx, "refresh", func(call *C.PhasekitCall, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_refresh(n, call, failure)
	})
}

func goEnvironments(items []C.PhasekitEnvironment) []Environment {
	envs := make([]Environment, len(items))
	for i, e := range items {
		envs[i] = Environment{ID: goStr(e.id), Name: goStr(e.name), EnvType: goStr(e.env_type)}
	}
	return envs
}

func nativeApps(ctx context.Context, n *nativeClient) ([]App, error) {
	var out C.PhasekitApps
	err := nativeCall(ctx, "apps", func(call *C.PhasekitCall, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_apps(n, call, &out, failure)
	})
	if err != nil {
		return nil, err
	}
	defer free(out.owner)
	items := view(out.items, out.len)
	apps := make([]App, len(items))
	for i, a := range items {
		apps[i] = App{
			ID: goStr(a.id), Name: goStr(a.name), Encryption: goStr(a.encryption),
			Environments: goEnvironments(view(a.environments, a.environments_len)),
		}
	}
	return apps, nil
}

func nativeEnvironments(ctx context.Context, n *nativeClient, t Target) ([]Environment, error) {
	var a args
	defer a.done()
	ct := a.target(t)
	var out C.PhasekitEnvironments
	err := nativeCall(ctx, "environments", func(call *C.PhasekitCall, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_environments(n, call, ct, &out, failure)
	})
	if err != nil {
		return nil, err
	}
	defer free(out.owner)
	return goEnvironments(view(out.items, out.len)), nil
}
