package phasekit_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

func TestCreateUpdateDelete(t *testing.T) {
	_, c := freshClient(t)
	err := c.Create(ctx(t), devTarget,
		phasekit.NewSecret{Key: "NEW_ONE", Value: "first-value", Comment: "made in Go", Tags: []string{"go"}},
		phasekit.NewSecret{Key: "NEW_TWO", Value: "second-value", Path: "/svc", Type: "config"},
	)
	if err != nil {
		t.Fatal(err)
	}
	one, err := c.GetSecret(ctx(t), devTarget, "NEW_ONE", "/")
	if err != nil || one.Value() != "first-value" || one.Comment != "made in Go" || !reflect.DeepEqual(one.Tags, []string{"go"}) {
		t.Fatalf("created: %#v %v", one, err)
	}
	two, err := c.GetSecret(ctx(t), devTarget, "NEW_TWO", "/svc")
	if err != nil || two.Value() != "second-value" || two.Type != "config" {
		t.Fatalf("created in /svc: %#v type=%q %v", two, two.Type, err)
	}

	// Only what is given changes: an empty value is a value; comment and tags stay.
	if err := c.Update(ctx(t), devTarget, "NEW_ONE", phasekit.SecretChanges{Value: phasekit.String("")}); err != nil {
		t.Fatal(err)
	}
	created := one
	one, err = c.GetSecret(ctx(t), devTarget, "NEW_ONE", "/")
	if err != nil || one.Value() != "" || one.Comment != "made in Go" || !reflect.DeepEqual(one.Tags, []string{"go"}) {
		t.Fatalf("after an empty value: %#v comment=%q tags=%v %v", one, one.Comment, one.Tags, err)
	}
	// A change counts a version and moves updated_at, never created_at (ISO 8601 UTC, as the
	// server writes them, so they compare as text).
	if created.Version != 1 || one.Version != 2 {
		t.Fatalf("versions: created %d, updated %d", created.Version, one.Version)
	}
	if created.CreatedAt == "" || one.CreatedAt != created.CreatedAt || one.UpdatedAt <= created.UpdatedAt {
		t.Fatalf("times: created %q/%q, updated %q/%q", created.CreatedAt, created.UpdatedAt, one.CreatedAt, one.UpdatedAt)
	}
	if _, err := time.Parse(time.RFC3339Nano, one.UpdatedAt); err != nil {
		t.Fatalf("updated_at: %v", err)
	}
	err = c.Update(ctx(t), devTarget, "NEW_ONE", phasekit.SecretChanges{Comment: phasekit.String("changed"), Tags: []string{}, NewPath: "/moved"})
	if err != nil {
		t.Fatal(err)
	}
	one, err = c.GetSecret(ctx(t), devTarget, "NEW_ONE", "/moved")
	if err != nil || one.Comment != "changed" || len(one.Tags) != 0 {
		t.Fatalf("after moving: %#v %v", one, err)
	}
	err = c.Update(ctx(t), devTarget, "NEW_TWO", phasekit.SecretChanges{Path: "/svc", Value: phasekit.String("third"), Type: "sealed"})
	if err != nil {
		t.Fatal(err)
	}

	missing, err := c.Delete(ctx(t), devTarget, []string{"NEW_ONE", "NEW_TWO", "NEVER_THERE"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(missing, []string{"NEVER_THERE"}) {
		t.Fatalf("not found: %v", missing)
	}
	_, err = c.GetSecret(ctx(t), devTarget, "NEW_TWO", "/svc")
	expectCode(t, err, phasekit.CodeSecretNotFound, phasekit.ErrNotFound)
	err = c.Update(ctx(t), devTarget, "NEVER_THERE", phasekit.SecretChanges{Value: phasekit.String("x")})
	expectCode(t, err, phasekit.CodeSecretNotFound, phasekit.ErrNotFound)
}

func TestDeleteAtOnePath(t *testing.T) {
	_, c := freshClient(t)
	missing, err := c.Delete(ctx(t), devTarget, []string{"DB_USER", "PORT"}, "/db")
	if err != nil || !reflect.DeepEqual(missing, []string{"PORT"}) {
		t.Fatalf("delete at /db: %v %v", missing, err)
	}
	if _, err := c.GetSecret(ctx(t), devTarget, "PORT", "/"); err != nil {
		t.Fatalf("PORT at / must stay: %v", err)
	}
}

func TestPersonalOverrides(t *testing.T) {
	s := fresh(t)
	pat := s.client(t, "alice-pat")
	port, err := pat.GetSecret(ctx(t), devTarget, "PORT", "/")
	if err != nil || port.Value() != "18080" || !port.Overridden {
		t.Fatalf("alice's override: %q overridden=%v %v", port.Value(), port.Overridden, err)
	}
	if err := pat.Update(ctx(t), devTarget, "PORT", phasekit.SecretChanges{ToggleOverride: true}); err != nil {
		t.Fatal(err)
	}
	port, err = pat.GetSecret(ctx(t), devTarget, "PORT", "/")
	if err != nil || port.Value() != "8080" || port.Overridden {
		t.Fatalf("override toggled off: %q %v", port.Value(), err)
	}
	if err := pat.Update(ctx(t), devTarget, "API_URL", phasekit.SecretChanges{Override: phasekit.String("http://localhost:3000")}); err != nil {
		t.Fatal(err)
	}
	url, err := pat.GetSecret(ctx(t), devTarget, "API_URL", "/")
	if err != nil || url.Value() != "http://localhost:3000" || !url.Overridden {
		t.Fatalf("new override: %q %v", url.Value(), err)
	}
	if err := pat.Create(ctx(t), devTarget, phasekit.NewSecret{Key: "MINE", Value: "shared", Override: "personal"}); err != nil {
		t.Fatal(err)
	}
	mine, err := pat.GetSecret(ctx(t), devTarget, "MINE", "/")
	if err != nil || mine.Value() != "personal" {
		t.Fatalf("created with an override: %q %v", mine.Value(), err)
	}
	// Service accounts have no personal overrides.
	sa := s.client(t, "sa-token")
	err = sa.Update(ctx(t), devTarget, "PORT", phasekit.SecretChanges{Override: phasekit.String("1")})
	expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
}

// Texts cross the boundary by length, not as C strings: a value with a NUL byte, quotes,
// newlines and non-ASCII text, and an empty one, come back byte for byte.
func TestTextsCrossByLength(t *testing.T) {
	_, c := freshClient(t)
	odd := "pässwörd 🔑 \x00 \"quoted\"\n\ttab"
	err := c.Create(ctx(t), devTarget,
		phasekit.NewSecret{Key: "ODD_VALUE", Value: odd, Comment: "日本語のコメント"},
		phasekit.NewSecret{Key: "EMPTY_VALUE", Value: ""},
	)
	if err != nil {
		t.Fatal(err)
	}
	found, err := c.Get(ctx(t), devTarget, &phasekit.GetOptions{Keys: []string{"ODD_VALUE", "EMPTY_VALUE"}})
	if err != nil || len(found) != 2 {
		t.Fatalf("get: %d secrets, %v", len(found), err)
	}
	for _, secret := range found {
		want := map[string]string{"ODD_VALUE": odd, "EMPTY_VALUE": ""}[secret.Key]
		if secret.Value() != want {
			t.Fatalf("%s: %q, want %q", secret.Key, secret.Value(), want)
		}
		if secret.Key == "ODD_VALUE" && secret.Comment != "日本語のコメント" {
			t.Fatalf("comment: %q", secret.Comment)
		}
		if secret.Tags == nil || secret.DynamicGroup != "" || secret.LeaseID != "" {
			t.Fatalf("absent fields of %s: tags %v, group %q, lease %q", secret.Key, secret.Tags, secret.DynamicGroup, secret.LeaseID)
		}
	}
	missing, err := c.Delete(ctx(t), devTarget, []string{"ODD_VALUE", "NO_SUCH_KEY"}, "")
	if err != nil || !reflect.DeepEqual(missing, []string{"NO_SUCH_KEY"}) {
		t.Fatalf("delete: missing %v, %v", missing, err)
	}
}
