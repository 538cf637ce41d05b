"""phasekit: a Phase (phase.dev) secrets client with a Rust core.

    from phasekit import Client

    client = Client.from_env()  # PHASE_SERVICE_TOKEN, PHASE_HOST
    for secret in client.get(app="my-app", env="Production"):
        print(secret.key, secret.value)

Also: an in-memory cache (`cache_ttl=`), an offline cache (`offline_cache_dir=`, `offline=`),
`get_result()` (secrets and their source), `stats()`, `watch()` and cloud identity logins
(`login_aws_iam()`, `login_azure()`).
"""

from ._phasekit import (
    ERROR_CODES,
    AmbiguousError,
    App,
    AsyncClient,
    AuthenticationError,
    Change,
    Client,
    ConflictError,
    DecryptionError,
    Environment,
    GetResult,
    InvalidInputError,
    NetworkError,
    NotFoundError,
    OfflineError,
    PermissionDeniedError,
    PhaseError,
    ProtocolError,
    RateLimitError,
    RequestTimeoutError,
    Secret,
    SecretReferenceError,
    ServerError,
    Stats,
    TlsError,
    Watch,
    __version__,
    async_login_aws_iam,
    async_login_azure,
    login_aws_iam,
    login_azure,
)

__all__ = [
    "ERROR_CODES",
    "AmbiguousError",
    "App",
    "AsyncClient",
    "AuthenticationError",
    "Change",
    "Client",
    "ConflictError",
    "DecryptionError",
    "Environment",
    "GetResult",
    "InvalidInputError",
    "NetworkError",
    "NotFoundError",
    "OfflineError",
    "PermissionDeniedError",
    "PhaseError",
    "ProtocolError",
    "RateLimitError",
    "RequestTimeoutError",
    "Secret",
    "SecretReferenceError",
    "ServerError",
    "Stats",
    "TlsError",
    "Watch",
    "__version__",
    "async_login_aws_iam",
    "async_login_azure",
    "login_aws_iam",
    "login_azure",
]
