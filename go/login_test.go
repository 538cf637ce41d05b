package phasekit_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phasekit/phasekit/go"
)

// From testdata/identities.json.
const (
	cloudValue    = "cloud-db.internal.example"
	tenantID      = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	tenantKey     = "go-tenant-signing-key-for-tests"
	objectID      = "9a0f2c3e-1111-4a5b-8c7d-000000000001"
	clientID      = "5e3ad1b0-3333-4c2d-9e8f-000000000003"
	clusterKey    = "go-cluster-issuer-key-for-tests"
	azureResource = "https://management.azure.com/"
	webKey        = "AKIAGOAPPWEB00000001"
	webSecret     = "go-web-secret/Key+1xxxxxxxxxxxxxxxxxxxxx"
	tempKey       = "ASIAGOTEMPWORKER0002"
	tempSecret    = "go-temp-secret/Key+2xxxxxxxxxxxxxxxxxxxx"
	tempSession   = "FQoGZXIvYXdzEgo-temporary-session-token-2"
	adminKey      = "AKIAGODBADMIN0000003"
	adminSecret   = "go-admin-secret/Key+3xxxxxxxxxxxxxxxxxxx"
)

var cloudTarget = phasekit.Target{App: "cloud-app", Env: dev}

// identityWorld reseeds the server with testdata/identities.json (the next test's fresh puts the
// usual world back) and returns the id of the service account "deployer".
func identityWorld(t *testing.T) string {
	t.Helper()
	seed, err := os.ReadFile("testdata/identities.json")
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		State struct {
			Accounts []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"accounts"`
		} `json:"state"`
	}
	server.admin(t, "PUT", "/_admin/world", seed, &answer)
	server.admin(t, "DELETE", "/_admin/faults", nil, nil)
	server.admin(t, "DELETE", "/_admin/requests", nil, nil)
	for _, account := range answer.State.Accounts {
		if account.Name == "deployer" {
			return account.ID
		}
	}
	t.Fatal("no service account deployer in the identity seed")
	return ""
}

// hs256 signs claims as a JWT with key (the server's stand-in for Entra ID's keys).
func hs256(t *testing.T, key string, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(input))
	return input + "." + enc.EncodeToString(mac.Sum(nil))
}

// entraJWT is an Entra ID access token of the test tenant for the identity's resource.
func entraJWT(t *testing.T, key string) string {
	now := time.Now().Unix()
	return hs256(t, key, map[string]any{
		"aud": azureResource, "iss": "https://sts.windows.net/" + tenantID + "/",
		"iat": now - 10, "nbf": now - 10, "exp": now + 600,
		"oid": objectID, "sub": objectID, "tid": tenantID, "ver": "1.0",
	})
}

// readsCloudSecret checks that the logged-in client reads the seeded secret.
func readsCloudSecret(t *testing.T, c *phasekit.Client) {
	t.Helper()
	defer c.Close()
	secret, err := c.GetSecret(ctx(t), cloudTarget, "CLOUD_DB_HOST", "/")
	if err != nil {
		t.Fatalf("reading with the minted token: %v", err)
	}
	if secret.Value() != cloudValue {
		t.Fatal("wrong value read with the minted token")
	}
}

// expectNoneOf fails when err's text shows any of secrets.
func expectNoneOf(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, text := range []string{err.Error(), strings.ReplaceAll(err.Error(), `\`, "")} {
		for _, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Fatalf("a secret leaks into the error %q", err.Error())
			}
		}
	}
}

func loginCount(t *testing.T, provider string) int {
	return server.requests(t)["POST /public/identities/external/v1/"+provider+"/auth/"]
}

func TestLoginAWS(t *testing.T) {
	account := identityWorld(t)
	c, err := phasekit.LoginAWS(ctx(t), account,
		phasekit.WithLoginHost(server.url),
		phasekit.WithAWSCredentials(webKey, webSecret, ""),
		phasekit.WithAWSRegion("us-east-1"),
		phasekit.WithLoginTTL(15*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if c.Host() != server.url {
		t.Fatalf("the client's host: %q", c.Host())
	}
	readsCloudSecret(t, c)
	// Temporary credentials carry their session token.
	c, err = phasekit.LoginAWS(ctx(t), account, phasekit.WithLoginHost(server.url),
		phasekit.WithAWSCredentials(tempKey, tempSecret, tempSession), phasekit.WithAWSRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	readsCloudSecret(t, c)
	if n := loginCount(t, "aws/iam"); n != 2 {
		t.Fatalf("%d AWS logins", n)
	}
}

func TestLoginAWSRefusals(t *testing.T) {
	account := identityWorld(t)
	secrets := []string{webSecret, adminSecret, "wrong-secret-key-of-the-test"}
	// A wrong secret key: STS (played by the server) refuses the signature.
	_, err := phasekit.LoginAWS(ctx(t), account, phasekit.WithLoginHost(server.url),
		phasekit.WithAWSCredentials(webKey, "wrong-secret-key-of-the-test", ""), phasekit.WithAWSRegion("us-east-1"))
	e := expectCode(t, err, phasekit.CodeUnauthorized, phasekit.ErrAuthentication)
	if e.Status != 401 {
		t.Fatalf("status %d", e.Status)
	}
	expectNoneOf(t, err, secrets...)
	// A caller the identity does not trust.
	_, err = phasekit.LoginAWS(ctx(t), account, phasekit.WithLoginHost(server.url),
		phasekit.WithAWSCredentials(adminKey, adminSecret, ""), phasekit.WithAWSRegion("us-east-1"))
	expectCode(t, err, phasekit.CodeForbidden, phasekit.ErrPermissionDenied)
	expectNoneOf(t, err, secrets...)
	// A TTL over the identity's maximum (2h).
	_, err = phasekit.LoginAWS(ctx(t), account, phasekit.WithLoginHost(server.url),
		phasekit.WithAWSCredentials(webKey, webSecret, ""), phasekit.WithAWSRegion("us-east-1"),
		phasekit.WithLoginTTL(3*time.Hour))
	e = expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
	if e.Status != 400 || !strings.Contains(e.Message, "exceeds maximum") {
		t.Fatalf("TTL refusal: %v", err)
	}
	// Not an account id; options of the other provider.
	_, err = phasekit.LoginAWS(ctx(t), "not-a-uuid", phasekit.WithLoginHost(server.url),
		phasekit.WithAWSCredentials(webKey, webSecret, ""))
	expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
	_, err = phasekit.LoginAWS(ctx(t), account, phasekit.WithAzureJWT("x.y.z"))
	expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
	// Client settings the core refuses fail the login before its request, named as Go names
	// them.
	for _, bad := range []phasekit.Option{phasekit.WithCacheStaleIfError(time.Minute), phasekit.WithMaxRetries(-1)} {
		_, err = phasekit.LoginAWS(ctx(t), account, phasekit.WithLoginHost(server.url),
			phasekit.WithAWSCredentials(webKey, webSecret, ""), phasekit.WithAWSRegion("us-east-1"),
			phasekit.WithClientOptions(bad))
		e = expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
		if !strings.Contains(e.Message, "CacheStaleIfError needs CacheTTL") && !strings.Contains(e.Message, "MaxRetries") {
			t.Fatalf("settings refusal: %v", err)
		}
	}
	if n := loginCount(t, "aws/iam"); n != 3 {
		t.Fatalf("%d AWS logins reached the server, want the 3 that could be signed", n)
	}
}

// Without options the standard AWS environment variables are used.
func TestLoginAWSFromTheEnvironment(t *testing.T) {
	account := identityWorld(t)
	missing := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
	t.Setenv("AWS_CONFIG_FILE", missing)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", webKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", webSecret)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("PHASE_HOST", server.url)
	c, err := phasekit.LoginAWS(ctx(t), account)
	if err != nil {
		t.Fatal(err)
	}
	readsCloudSecret(t, c)
}

func TestLoginAzure(t *testing.T) {
	account := identityWorld(t)
	c, err := phasekit.LoginAzure(ctx(t), account, phasekit.WithLoginHost(server.url),
		phasekit.WithAzureJWT(entraJWT(t, tenantKey)),
		phasekit.WithClientOptions(phasekit.WithCache(time.Minute, 0)))
	if err != nil {
		t.Fatal(err)
	}
	// The client options apply to the logged-in client.
	for range 2 {
		if _, err := c.Get(ctx(t), cloudTarget, nil); err != nil {
			t.Fatal(err)
		}
	}
	if stats := c.Stats(); stats.CacheHits != 1 {
		t.Fatalf("stats of the logged-in client: %+v", stats)
	}
	readsCloudSecret(t, c)

	// A JWT signed with another key.
	forged := entraJWT(t, "not-the-tenant-key")
	_, err = phasekit.LoginAzure(ctx(t), account, phasekit.WithLoginHost(server.url), phasekit.WithAzureJWT(forged))
	e := expectCode(t, err, phasekit.CodeUnauthorized, phasekit.ErrAuthentication)
	if e.Status != 401 {
		t.Fatalf("status %d", e.Status)
	}
	signature := forged[strings.LastIndex(forged, ".")+1:]
	expectNoneOf(t, err, forged, signature, base64.StdEncoding.EncodeToString([]byte(forged)))
	_, err = phasekit.LoginAzure(ctx(t), account, phasekit.WithAWSRegion("us-east-1"))
	expectCode(t, err, phasekit.CodeInvalidInput, phasekit.ErrInvalidInput)
}

// Without a JWT, workload identity from the environment: the federated token is traded at
// the authority (the server's stand-in for Entra ID) for an access token.
func TestLoginAzureWorkloadIdentity(t *testing.T) {
	account := identityWorld(t)
	now := time.Now().Unix()
	federated := hs256(t, clusterKey, map[string]any{
		"aud": "api://AzureADTokenExchange", "iss": "https://oidc.cluster.example/",
		"sub": "system:serviceaccount:default:app", "iat": now - 10, "exp": now + 600,
	})
	tokenFile := filepath.Join(t.TempDir(), "azure-token")
	if err := os.WriteFile(tokenFile, []byte(federated), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AZURE_FEDERATED_TOKEN_FILE", tokenFile)
	t.Setenv("AZURE_CLIENT_ID", clientID)
	t.Setenv("AZURE_TENANT_ID", tenantID)
	t.Setenv("AZURE_AUTHORITY_HOST", server.url+"/_entra/")
	c, err := phasekit.LoginAzure(ctx(t), account, phasekit.WithLoginHost(server.url))
	if err != nil {
		t.Fatal(err)
	}
	readsCloudSecret(t, c)
}

func TestLoginCancelled(t *testing.T) {
	account := identityWorld(t)
	live := phasekit.LiveObjects()
	server.faults(t, map[string]any{"latency_ms": 3000})
	cancelled, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := phasekit.LoginAzure(cancelled, account, phasekit.WithLoginHost(server.url),
		phasekit.WithAzureJWT(entraJWT(t, tenantKey)))
	if !errors.Is(err, context.Canceled) || time.Since(start) > 1500*time.Millisecond {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	if now := phasekit.LiveObjects(); now != live {
		t.Fatalf("%d native objects after a cancelled login, %d before", now, live)
	}
}
