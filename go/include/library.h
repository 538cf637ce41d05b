/*
 * Which prebuilt phasekit library this platform links, and a clear compile error when the
 * module carries none for it, instead of a linker error about a missing file. cgo.go links
 * lib/<GOOS>_<GOARCH>/libphasekit_ffi.a; the published module carries one per platform below,
 * a checkout gets this platform's from `make go`.
 */
#ifndef PHASEKIT_LIBRARY_H
#define PHASEKIT_LIBRARY_H

#if defined(__linux__) && defined(__x86_64__)
#define PHASEKIT_LIBRARY "lib/linux_amd64/libphasekit_ffi.a"
#elif defined(__linux__) && defined(__aarch64__)
#define PHASEKIT_LIBRARY "lib/linux_arm64/libphasekit_ffi.a"
#elif defined(__APPLE__) && defined(__x86_64__)
#define PHASEKIT_LIBRARY "lib/darwin_amd64/libphasekit_ffi.a"
#elif defined(__APPLE__) && defined(__aarch64__)
#define PHASEKIT_LIBRARY "lib/darwin_arm64/libphasekit_ffi.a"
#elif defined(_WIN32) && defined(__x86_64__)
#define PHASEKIT_LIBRARY "lib/windows_amd64/libphasekit_ffi.a"
#else
#error "phasekit: no prebuilt library for this platform; phasekit supports linux/amd64, linux/arm64, darwin/amd64, darwin/arm64 and windows/amd64 (build the library from a checkout for others: make go)"
#endif

#if defined(__has_include)
#if !__has_include(PHASEKIT_LIBRARY)
#error "phasekit: this copy of the module has no prebuilt library for this platform (lib/GOOS_GOARCH/libphasekit_ffi.a): use a released version (go get github.com/phasekit/phasekit/go@latest), or in a checkout run `make go`"
#endif
#endif

#endif
