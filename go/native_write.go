package phasekit

// The writes of the Rust client as their C functions.

// #include "phasekit.h"
import "C"

import (
	"context"
	"unsafe"
)

func nativeCreate(ctx context.Context, n *nativeClient, t Target, secrets []NewSecret) error {
	var a args
	defer a.done()
	ct := a.target(t)
	var items *C.PhasekitNewSecret
	if len(secrets) > 0 {
		list := make([]C.PhasekitNewSecret, len(secrets))
		for i, s := range secrets {
			list[i] = C.PhasekitNewSecret{
				key: a.str(s.Key), value: a.str(s.Value), comment: a.opt(s.Comment),
				tags: a.strs(s.Tags), path: a.opt(s.Path), secret_type: a.opt(s.Type),
				override_value: a.opt(s.Override),
			}
		}
		items = &list[0]
		a.pin(unsafe.Pointer(items))
	}
	return nativeCall(ctx, "create", func(call *C.PhasekitCall, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_create(n, call, ct, items, C.size_t(len(secrets)), failure)
	})
}

func nativeUpdate(ctx context.Context, n *nativeClient, t Target, key string, changes SecretChanges) error {
	var a args
	defer a.done()
	ct, ckey := a.target(t), a.str(key)
	cc := &C.PhasekitSecretChanges{
		path: a.opt(changes.Path), value: a.optPtr(changes.Value), comment: a.optPtr(changes.Comment),
		set_tags: C.bool(changes.Tags != nil), tags: a.strs(changes.Tags),
		new_path: a.opt(changes.NewPath), secret_type: a.opt(changes.Type),
		override_value: a.optPtr(changes.Override), toggle_override: C.bool(changes.ToggleOverride),
	}
	a.pin(unsafe.Pointer(cc))
	return nativeCall(ctx, "update", func(call *C.PhasekitCall, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_update(n, call, ct, ckey, cc, failure)
	})
}

func nativeDelete(ctx context.Context, n *nativeClient, t Target, keys []string, path string) ([]string, error) {
	var a args
	defer a.done()
	ct, ckeys, cpath := a.target(t), a.strs(keys), a.opt(path)
	var out C.PhasekitStrList
	err := nativeCall(ctx, "delete", func(call *C.PhasekitCall, failure *C.PhasekitError) C.int32_t {
		return C.phasekit_delete(n, call, ct, ckeys, cpath, &out, failure)
	})
	if err != nil {
		return nil, err
	}
	defer free(out.owner)
	return goStrs(out.items), nil
}
