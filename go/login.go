package phasekit

import (
	"context"
	"encoding/json"
	"time"
)

// LoginOption configures LoginAWS or LoginAzure.
type LoginOption func(*loginSettings)

type loginSettings struct {
	client settings
	ttl    time.Duration
	aws    *awsLogin
	azure  *azureLogin
}

type awsLogin struct {
	AccessKeyID     *string `json:"access_key_id,omitempty"`
	SecretAccessKey *string `json:"secret_access_key,omitempty"`
	SessionToken    *string `json:"session_token,omitempty"`
	Region          *string `json:"region,omitempty"`
	Profile         *string `json:"profile,omitempty"`
}

type azureLogin struct {
	JWT      *string `json:"jwt,omitempty"`
	Resource *string `json:"resource,omitempty"`
}

func (s *loginSettings) awsSettings() *awsLogin {
	if s.aws == nil {
		s.aws = &awsLogin{}
	}
	return s.aws
}

func (s *loginSettings) azureSettings() *azureLogin {
	if s.azure == nil {
		s.azure = &azureLogin{}
	}
	return s.azure
}

// WithLoginHost sets the Phase host to log in to, which the returned client then uses (default:
// PHASE_HOST, else https://console.phase.dev).
func WithLoginHost(host string) LoginOption {
	return func(s *loginSettings) { s.client.Host = &host }
}

// WithLoginTTL asks for a token that lives for d (rounded up to whole seconds; default: the
// identity's default TTL). The server refuses more than the identity's maximum.
func WithLoginTTL(d time.Duration) LoginOption {
	return func(s *loginSettings) { s.ttl = d }
}

// WithClientOptions configures the returned client (WithCache, WithMaxRetries, ...); WithHost,
// WithTimeout, WithConnectTimeout, WithVerifySSL and WithCABundle apply to the login request
// too.
func WithClientOptions(opts ...Option) LoginOption {
	return func(s *loginSettings) {
		for _, opt := range opts {
			opt(&s.client)
		}
	}
}

// WithAWSCredentials signs the AWS login with these credentials (sessionToken "" for long-term
// keys) instead of those of the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN) or the shared credentials file.
func WithAWSCredentials(accessKeyID, secretAccessKey, sessionToken string) LoginOption {
	return func(s *loginSettings) {
		a := s.awsSettings()
		a.AccessKeyID, a.SecretAccessKey, a.SessionToken = &accessKeyID, &secretAccessKey, nil
		if sessionToken != "" {
			a.SessionToken = &sessionToken
		}
	}
}

// WithAWSRegion sets the region whose STS endpoint the AWS login is signed for; it must be the
// identity's (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1).
func WithAWSRegion(region string) LoginOption {
	return func(s *loginSettings) { s.awsSettings().Region = &region }
}

// WithAWSProfile takes the AWS credentials from this profile of the shared files instead of
// AWS_PROFILE (and not from the environment's keys).
func WithAWSProfile(profile string) LoginOption {
	return func(s *loginSettings) { s.awsSettings().Profile = &profile }
}

// WithAzureJWT presents this Entra ID access token (issued for the identity's resource) instead
// of fetching one through workload identity (AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID,
// AZURE_TENANT_ID, AZURE_AUTHORITY_HOST).
func WithAzureJWT(jwt string) LoginOption {
	return func(s *loginSettings) { s.azureSettings().JWT = &jwt }
}

// WithAzureResource sets the audience workload identity asks Entra ID for: the identity's
// resource in Phase (default https://management.azure.com/).
func WithAzureResource(resource string) LoginOption {
	return func(s *loginSettings) { s.azureSettings().Resource = &resource }
}

// LoginAWS logs in to Phase as the service account serviceAccountID (its UUID, shown in the
// Phase console) with the workload's AWS IAM identity, and returns a client for the minted,
// short-lived service-account token. The service account needs server-side key management and
// an AWS IAM identity trusting the caller's ARN. The request is signed in the library (SigV4,
// STS GetCallerIdentity) and checked by Phase with STS; the token never reaches Go.
func LoginAWS(ctx context.Context, serviceAccountID string, opts ...LoginOption) (*Client, error) {
	return login(ctx, serviceAccountID, "aws_iam", opts)
}

// LoginAzure logs in to Phase as the service account serviceAccountID with an Azure Entra ID
// identity (WithAzureJWT, else workload identity from the environment), and returns a client
// for the minted, short-lived service-account token, which never reaches Go.
func LoginAzure(ctx context.Context, serviceAccountID string, opts ...LoginOption) (*Client, error) {
	return login(ctx, serviceAccountID, "azure_entra", opts)
}

func login(ctx context.Context, serviceAccountID, provider string, opts []LoginOption) (*Client, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if ctx.Err() != nil {
		return nil, contextError(ctx, "login")
	}
	var s loginSettings
	for _, opt := range opts {
		opt(&s)
	}
	// Options of the other provider are a mistake to point out, not to ignore.
	if provider == "aws_iam" && s.azure != nil {
		return nil, invalidInput("WithAzureJWT and WithAzureResource do not apply to LoginAWS")
	}
	if provider == "azure_entra" && s.aws != nil {
		return nil, invalidInput("WithAWSCredentials, WithAWSRegion and WithAWSProfile do not apply to LoginAzure")
	}
	ttl, err := wholeSeconds("login TTL", s.ttl)
	if err != nil {
		return nil, err
	}
	settingsJSON, err := json.Marshal(s.client)
	if err != nil {
		return nil, invalidInput("cannot encode the settings: " + err.Error())
	}
	native, err := loginNative(ctx, serviceAccountID, provider, &s, orZero(ttl), settingsJSON)
	emitLogs()
	if err != nil {
		return nil, err
	}
	return adopt(native), nil
}
