package phasekit

import (
	"encoding/binary"
	"fmt"
)

// The answers that carry secrets (get, get_result, get_secret, lease_generate) come from
// phasekit_client_call_bytes in a packed layout, described once, on that function in
// go/include/phasekit.h. Decoding it is slicing: no parser, no reflection. The
// reader works on the library's memory directly; every string is copied into Go memory.

// The first byte of a packed answer: PHASEKIT_PACKED_* in the header (cgo.go checks that they
// agree).
const (
	packedSecrets byte = 1
	packedSecret  byte = 2
	packedResult  byte = 3
)

// Sizes in bytes of the layout's smallest items: a secret whose strings are empty, without
// tags and with every option absent, and an empty string. A count is checked against them and
// the bytes left before anything is allocated for it, so that a malformed count cannot ask for
// gigabytes.
const (
	minPackedSecret = 46
	minPackedString = 4
)

// packedReader slices one packed answer. The first malformation is kept and every later read
// returns a zero value, so that decoding reads straight through and checks once at the end.
// Its errors say where, never what: the bytes may be secret values.
type packedReader struct {
	buf []byte
	off int
	err *Error
}

func (r *packedReader) fail(what string) {
	if r.err == nil {
		r.err = &Error{
			Code:    CodeProtocol,
			Message: fmt.Sprintf("malformed answer from the phasekit library: %s at byte %d of %d", what, r.off, len(r.buf)),
		}
	}
	r.off = len(r.buf)
}

// kind reads the first byte and refuses a layout other than want.
func (r *packedReader) kind(want byte) {
	if len(r.buf) == 0 {
		r.fail("the answer is empty")
		return
	}
	if got := r.buf[0]; got != want {
		r.err = &Error{
			Code: CodeProtocol,
			Message: fmt.Sprintf("the phasekit library answered in layout %d where %d was expected "+
				"(is the library from another version than the Go package?)", got, want),
		}
		r.off = len(r.buf)
		return
	}
	r.off = 1
}

func (r *packedReader) u8() byte {
	if r.off >= len(r.buf) {
		r.fail("a byte is missing")
		return 0
	}
	b := r.buf[r.off]
	r.off++
	return b
}

func (r *packedReader) flag() bool {
	switch r.u8() {
	case 0:
		return false
	case 1:
		return true
	}
	if r.err == nil {
		r.off--
		r.fail("a flag other than 0 or 1")
	}
	return false
}

func (r *packedReader) u32() uint32 {
	if len(r.buf)-r.off < 4 {
		r.fail("a length is cut off")
		return 0
	}
	n := binary.LittleEndian.Uint32(r.buf[r.off:])
	r.off += 4
	return n
}

func (r *packedReader) i64() int64 {
	if len(r.buf)-r.off < 8 {
		r.fail("an integer is cut off")
		return 0
	}
	n := int64(binary.LittleEndian.Uint64(r.buf[r.off:]))
	r.off += 8
	return n
}

// count reads a count of items of at least size bytes each that the bytes left can hold.
func (r *packedReader) count(size int) int {
	n := r.u32()
	if uint64(n)*uint64(size) > uint64(len(r.buf)-r.off) {
		r.off -= 4
		r.fail("a count larger than the answer")
		return 0
	}
	return int(n)
}

// bytes reads a string's bytes, still in the library's memory.
func (r *packedReader) bytes() []byte {
	n := r.u32()
	if uint64(n) > uint64(len(r.buf)-r.off) {
		r.off -= 4
		r.fail("a string runs past the end")
		return nil
	}
	b := r.buf[r.off : r.off+int(n)]
	r.off += int(n)
	return b
}

func (r *packedReader) str() string {
	return string(r.bytes())
}

// strLike is str for a field that most secrets of an answer share (path, type, lifecycle, app,
// env): when the bytes equal prev, prev itself, without allocating.
func (r *packedReader) strLike(prev string) string {
	b := r.bytes()
	if string(b) == prev {
		return prev
	}
	return string(b)
}

func (r *packedReader) optionalStr() string {
	if r.flag() {
		return r.str()
	}
	return ""
}

func (r *packedReader) tags() []string {
	n := r.count(minPackedString)
	if n == 0 {
		return []string{}
	}
	tags := make([]string, n)
	for i := range tags {
		tags[i] = r.str()
	}
	return tags
}

// secret reads one secret into s; prev is the secret before it (zero for the first).
func (r *packedReader) secret(s, prev *Secret) {
	s.ID = r.str()
	s.Key = r.str()
	s.value = r.str()
	s.Comment = r.str()
	s.Path = r.strLike(prev.Path)
	s.Tags = r.tags()
	s.Overridden = r.flag()
	s.Type = r.strLike(prev.Type)
	s.Lifecycle = r.strLike(prev.Lifecycle)
	s.App = r.strLike(prev.App)
	s.Env = r.strLike(prev.Env)
	if r.flag() {
		s.Version = r.i64()
	}
	s.IsDynamic = r.flag()
	s.DynamicGroup = r.optionalStr()
	s.LeaseID = r.optionalStr()
	s.LeaseExpiresAt = r.optionalStr()
}

func (r *packedReader) list() []Secret {
	n := r.count(minPackedSecret)
	out := make([]Secret, n)
	var first Secret
	prev := &first
	for i := range out {
		r.secret(&out[i], prev)
		prev = &out[i]
	}
	return out
}

// end refuses bytes after the answer and returns the first malformation, if any.
func (r *packedReader) end() error {
	if r.err == nil && r.off != len(r.buf) {
		r.fail("trailing bytes")
	}
	if r.err != nil {
		return r.err
	}
	return nil
}

// decodeSecretList decodes the answer of get and lease_generate.
func decodeSecretList(answer []byte) ([]Secret, error) {
	r := packedReader{buf: answer}
	r.kind(packedSecrets)
	secrets := r.list()
	if err := r.end(); err != nil {
		return nil, err
	}
	return secrets, nil
}

// decodeOneSecret decodes the answer of get_secret.
func decodeOneSecret(answer []byte) (Secret, error) {
	r := packedReader{buf: answer}
	r.kind(packedSecret)
	var s Secret
	r.secret(&s, &Secret{})
	if err := r.end(); err != nil {
		return Secret{}, err
	}
	return s, nil
}

// decodeResult decodes the answer of get_result.
func decodeResult(answer []byte) (*Result, error) {
	r := packedReader{buf: answer}
	r.kind(packedResult)
	source := Source(r.str())
	secrets := r.list()
	if err := r.end(); err != nil {
		return nil, err
	}
	return &Result{Secrets: secrets, Source: source}, nil
}
