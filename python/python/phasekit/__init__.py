"""phasekit: a Phase (phase.dev) secrets client with a Rust core.

    from phasekit import Client

    client = Client.from_env()  # PHASE_SERVICE_TOKEN, PHASE_HOST
    for secret in client.get(app="my-app", env="Production"):
        print(secret.key, secret.value)
"""

from ._phasekit import (
    ERROR_CODES,
    AmbiguousError,
    App,
    AsyncClient,
    AuthenticationError,
    Client,
    ConflictError,
    DecryptionError,
    Environment,
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
    TlsError,
    __version__,
)

__all__ = [
    "ERROR_CODES",
    "AmbiguousError",
    "App",
    "AsyncClient",
    "AuthenticationError",
    "Client",
    "ConflictError",
    "DecryptionError",
    "Environment",
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
    "TlsError",
    "__version__",
]
