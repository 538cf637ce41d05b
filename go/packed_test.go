package phasekit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// packWriter writes the packed layout as phasekit.h documents it, independently of the Rust
// writer, for buffers the library would never send: cut off, lying about lengths, or in an
// unknown layout. (The library's own answers are decoded by every read test of the suite.)
type packWriter struct {
	b []byte
	// presentEmpty writes an empty optional string as present and empty instead of absent.
	presentEmpty bool
}

func (w *packWriter) u32(n int) { w.b = binary.LittleEndian.AppendUint32(w.b, uint32(n)) }

func (w *packWriter) str(s string) {
	w.u32(len(s))
	w.b = append(w.b, s...)
}

func (w *packWriter) flag(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

func (w *packWriter) optionalStr(s string) {
	w.flag(s != "" || w.presentEmpty)
	if s != "" || w.presentEmpty {
		w.str(s)
	}
}

func (w *packWriter) secret(s Secret) {
	for _, field := range []string{s.ID, s.Key, s.value, s.Comment, s.Path} {
		w.str(field)
	}
	w.u32(len(s.Tags))
	for _, tag := range s.Tags {
		w.str(tag)
	}
	w.flag(s.Overridden)
	for _, field := range []string{s.Type, s.Lifecycle, s.App, s.Env} {
		w.str(field)
	}
	w.flag(s.Version != 0)
	if s.Version != 0 {
		w.b = binary.LittleEndian.AppendUint64(w.b, uint64(s.Version))
	}
	w.flag(s.IsDynamic)
	w.optionalStr(s.DynamicGroup)
	w.optionalStr(s.LeaseID)
	w.optionalStr(s.LeaseExpiresAt)
}

func packList(secrets []Secret) []byte {
	w := packWriter{b: []byte{packedSecrets}}
	w.u32(len(secrets))
	for _, s := range secrets {
		w.secret(s)
	}
	return w.b
}

func packOne(s Secret) []byte {
	w := packWriter{b: []byte{packedSecret}}
	w.secret(s)
	return w.b
}

func packResult(source Source, secrets []Secret) []byte {
	w := packWriter{b: []byte{packedResult}}
	w.str(string(source))
	w.u32(len(secrets))
	for _, s := range secrets {
		w.secret(s)
	}
	return w.b
}

func plainSecret(key, value string) Secret {
	return Secret{
		ID: "id-" + key, Key: key, value: value, Path: "/", Tags: []string{}, Type: "secret",
		Lifecycle: "static", App: "app", Env: "Development", Version: 1,
	}
}

// unusualSecrets set every field, in ways a length-prefixed layout can get wrong.
func unusualSecrets() []Secret {
	return []Secret{
		plainSecret("A", "hunter2"),
		{
			Key: "DB_PASSWORD", value: "pässwörd 🔑 \x00 \"quoted\"\n", Comment: "日本語のコメント",
			Path: "/db/ünïcode", Tags: []string{"prod", "", "€"}, Overridden: true, Type: "sealed",
			Lifecycle: "rotating", Env: "Prod", Version: -1 << 63, IsDynamic: true,
			DynamicGroup: "db-creds (aws)", LeaseID: "lease-1", LeaseExpiresAt: "2030-01-01T00:00:00Z",
		},
		plainSecret("ÜBER_KEY", ""),
		plainSecret("LAST", "x"),
	}
}

func TestDecodePackedRoundTrips(t *testing.T) {
	secrets := unusualSecrets()
	got, err := decodeSecretList(packList(secrets))
	if err != nil || !reflect.DeepEqual(got, secrets) {
		t.Fatalf("list: %v\n got %#v", err, got)
	}
	// Shared fields are shared strings, equal all the same.
	if got[2].App != "app" || got[3].Env != "Development" {
		t.Fatalf("shared fields: %q %q", got[2].App, got[3].Env)
	}

	empty, err := decodeSecretList(packList(nil))
	if err != nil || empty == nil || len(empty) != 0 {
		t.Fatalf("empty list: %v %#v", err, empty)
	}

	one, err := decodeOneSecret(packOne(secrets[1]))
	if err != nil || !reflect.DeepEqual(one, secrets[1]) {
		t.Fatalf("one: %v %#v", err, one)
	}

	for _, source := range []Source{SourceNetwork, SourceMemory, SourceStale, SourceOffline, "a-later-one"} {
		r, err := decodeResult(packResult(source, secrets))
		if err != nil || r.Source != source || !reflect.DeepEqual(r.Secrets, secrets) {
			t.Fatalf("result %s: %v %#v", source, err, r)
		}
	}
}

func TestDecodePackedReadsAbsentAndEmptyAlike(t *testing.T) {
	s := plainSecret("K", "v")
	s.Version = 0
	absent := packWriter{b: []byte{packedSecret}}
	absent.secret(s)
	present := packWriter{b: []byte{packedSecret}, presentEmpty: true}
	present.secret(s)
	if reflect.DeepEqual(absent.b, present.b) {
		t.Fatal("the two buffers should differ")
	}
	for _, b := range [][]byte{absent.b, present.b} {
		got, err := decodeOneSecret(b)
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Fatalf("%v %#v", err, got)
		}
	}
}

// assertProtocolError checks that err is a *Error with CodeProtocol that shows no value.
func assertProtocolError(t *testing.T, what string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeProtocol || !errors.Is(err, ErrProtocol) {
		t.Fatalf("%s: want a protocol *Error, got %#v", what, err)
	}
	if strings.Contains(e.Message, "hunter2") || strings.Contains(e.Message, "pässwörd") {
		t.Fatalf("%s: the error shows a value: %s", what, e.Message)
	}
}

// decodeAll decodes b as each kind of answer.
func decodeAll(b []byte) []error {
	_, listErr := decodeSecretList(b)
	_, oneErr := decodeOneSecret(b)
	_, resultErr := decodeResult(b)
	return []error{listErr, oneErr, resultErr}
}

func TestDecodePackedRefusesCutOffAnswers(t *testing.T) {
	secrets := unusualSecrets()
	for name, b := range map[string][]byte{
		"list":   packList(secrets),
		"one":    packOne(secrets[1]),
		"result": packResult(SourceMemory, secrets),
	} {
		for n := range len(b) {
			for _, err := range decodeAll(b[:n]) {
				assertProtocolError(t, fmt.Sprintf("%s cut to %d of %d bytes", name, n, len(b)), err)
			}
		}
		for _, err := range decodeAll(append(b, 0)) {
			assertProtocolError(t, name+" with a trailing byte", err)
		}
	}
}

func TestDecodePackedRefusesLyingLengths(t *testing.T) {
	secrets := unusualSecrets()
	list := packList(secrets)
	patched := func(at int, value uint32) []byte {
		b := append([]byte(nil), list...)
		binary.LittleEndian.PutUint32(b[at:], value)
		return b
	}
	// Offsets in list: the count at 1, the first secret's id length at 5.
	cases := map[string][]byte{
		"a count of 2^32-1":                     patched(1, 0xFFFFFFFF),
		"a count one too large":                 patched(1, uint32(len(secrets)+1)),
		"a count the bytes could not hold":      patched(1, uint32(len(list)/minPackedSecret+1)),
		"a string length of 2^32-1":             patched(5, 0xFFFFFFFF),
		"a string length one past the end":      patched(5, uint32(len(list)-9+1)),
		"a string length that misaligns fields": patched(5, 2),
	}
	w := packWriter{b: []byte{packedSecret}}
	w.secret(plainSecret("K", "v"))
	tags := append([]byte(nil), w.b...)
	// The tag count follows the five strings of the secret.
	tagsAt := 1 + 4*5 + len("id-K") + len("K") + len("v") + len("/")
	binary.LittleEndian.PutUint32(tags[tagsAt:], 0x40000000)
	cases["a tag count of 2^30"] = tags
	flag := append([]byte(nil), w.b...)
	flag[tagsAt+4] = 2 // overridden
	cases["a flag of 2"] = flag

	for what, b := range cases {
		allocs := testing.AllocsPerRun(1, func() {
			for _, err := range decodeAll(b) {
				assertProtocolError(t, what, err)
			}
		})
		// Refused before anything the size of the lie is allocated: the errors, and at most the
		// strings and list read before the lie.
		if allocs > 64 {
			t.Errorf("%s: %v allocations", what, allocs)
		}
	}
}

func TestDecodePackedRefusesUnknownLayouts(t *testing.T) {
	valid := packList(unusualSecrets())
	for _, first := range []byte{0, 4, 0xFF, '[', '{'} {
		b := append([]byte{first}, valid[1:]...)
		for _, err := range decodeAll(b) {
			assertProtocolError(t, fmt.Sprintf("layout %d", first), err)
		}
	}
	// A valid answer of one kind is not one of another.
	if _, err := decodeOneSecret(valid); err == nil || !strings.Contains(err.Error(), "layout 1 where 2") {
		t.Fatalf("a list read as one secret: %v", err)
	}
	for _, err := range decodeAll(nil) {
		assertProtocolError(t, "an empty answer", err)
	}
}

func FuzzDecodePacked(f *testing.F) {
	secrets := unusualSecrets()
	f.Add(packList(secrets))
	f.Add(packList(nil))
	f.Add(packOne(secrets[1]))
	f.Add(packResult(SourceStale, secrets[:2]))
	f.Add([]byte{packedSecrets, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Never a panic; a refusal is a protocol *Error; what decodes packs to what decodes the
		// same (absent and empty options read alike, so the bytes themselves may differ).
		if list, err := decodeSecretList(b); err != nil {
			assertProtocolError(t, "list", err)
		} else if again, err := decodeSecretList(packList(list)); err != nil || !reflect.DeepEqual(again, list) {
			t.Fatalf("list does not round-trip: %v", err)
		}
		if one, err := decodeOneSecret(b); err != nil {
			assertProtocolError(t, "one", err)
		} else if again, err := decodeOneSecret(packOne(one)); err != nil || !reflect.DeepEqual(again, one) {
			t.Fatalf("one does not round-trip: %v", err)
		}
		if r, err := decodeResult(b); err != nil {
			assertProtocolError(t, "result", err)
		} else if again, err := decodeResult(packResult(r.Source, r.Secrets)); err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("result does not round-trip: %v", err)
		}
	})
}

// benchmarkWorld is 1,000 secrets shaped like the benchmark's (bench/run.py): UUID ids, keys of
// about 20 bytes, values of about 30, a comment on every third, the same path, type, lifecycle,
// app and environment.
func benchmarkWorld() []byte {
	secrets := make([]Secret, 1000)
	for i := range secrets {
		s := plainSecret(fmt.Sprintf("SERVICE_%d_PASSWORD", i), fmt.Sprintf("value-%d-%s", i, strings.Repeat("x", 24)))
		s.ID = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		s.App, s.Env = "bench-app", "Production"
		if i%3 == 0 {
			s.Comment = "Rotated quarterly by the platform team"
		}
		secrets[i] = s
	}
	return packList(secrets)
}

func BenchmarkDecodePacked(b *testing.B) {
	answer := benchmarkWorld()
	b.SetBytes(int64(len(answer)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeSecretList(answer); err != nil {
			b.Fatal(err)
		}
	}
}
