"""Type stubs of the phasekit extension module."""

import os
from types import TracebackType
from typing import Awaitable, Callable, Literal, Optional, TypedDict, Union, final

from typing_extensions import NotRequired, Self, Unpack

from ._settings import ClientSettings

__version__: str
ERROR_CODES: list[str]
# Each error family's class name and its codes, as the core declares them.
ERROR_FAMILIES: dict[str, list[str]]

ExportFormat = Literal[
    "dotenv", "env", "json", "yaml", "yml", "kv", "csv", "xml", "toml", "hcl", "ini",
    "java_properties", "properties",
]
# Where the secrets of a get_result() came from: the server, the in-memory cache within its
# TTL, the in-memory cache past its TTL (server unreachable), or the offline cache on disk.
Source = Literal["network", "memory", "stale", "offline"]
StrPath = Union[str, os.PathLike[str]]

class NewSecret(TypedDict):
    key: str
    value: str
    comment: NotRequired[Optional[str]]
    tags: NotRequired[Optional[list[str]]]
    path: NotRequired[Optional[str]]
    type: NotRequired[Optional[Literal["secret", "sealed", "config"]]]
    override: NotRequired[Optional[str]]

@final
class Secret:
    """A decrypted secret; repr() never shows the value."""

    @property
    def id(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def comment(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def overridden(self) -> bool: ...
    @property
    def type(self) -> str: ...
    @property
    def lifecycle(self) -> str: ...
    @property
    def app(self) -> str: ...
    @property
    def env(self) -> str: ...
    @property
    def version(self) -> Optional[int]: ...
    @property
    def created_at(self) -> Optional[str]: ...
    @property
    def updated_at(self) -> Optional[str]: ...
    @property
    def is_dynamic(self) -> bool: ...
    @property
    def dynamic_group(self) -> Optional[str]: ...
    @property
    def lease_id(self) -> Optional[str]: ...
    @property
    def lease_expires_at(self) -> Optional[str]: ...

@final
class Environment:
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def env_type(self) -> str: ...

@final
class App:
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def encryption(self) -> str: ...
    @property
    def environments(self) -> list[Environment]: ...

@final
class GetResult:
    """The secrets of a get_result() and where they came from."""

    @property
    def secrets(self) -> list[Secret]: ...
    @property
    def source(self) -> Source: ...

@final
class Stats:
    """A client's counters at one moment; never a name or a value."""

    @property
    def requests(self) -> int: ...
    @property
    def retries(self) -> int: ...
    @property
    def rate_limited(self) -> int: ...
    @property
    def failures(self) -> int: ...
    @property
    def cache_hits(self) -> int: ...
    @property
    def cache_misses(self) -> int: ...
    @property
    def offline_served(self) -> int: ...
    @property
    def decrypted_fields(self) -> int: ...
    @property
    def decrypt_time(self) -> float:
        """Seconds spent decrypting."""

    def as_dict(self) -> dict[str, Union[int, float]]: ...

@final
class Change:
    """Keys added, changed and removed between two polls (`/folder/KEY` outside the root)."""

    @property
    def added(self) -> list[str]: ...
    @property
    def changed(self) -> list[str]: ...
    @property
    def removed(self) -> list[str]: ...

@final
class Watch:
    """A running watch; close() stops it (idempotent, safe from a callback)."""

    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...

@final
class Client:
    """A blocking client; thread-safe, releases the GIL while it waits or decrypts."""

    def __new__(
        cls,
        token: Optional[str] = None,
        host: Optional[str] = None,
        **settings: Unpack[ClientSettings],
    ) -> Self: ...
    @staticmethod
    def from_env() -> Client: ...
    @property
    def host(self) -> str: ...
    def stats(self) -> Stats:
        """The client's counters (not a network call: a plain method on both classes)."""

    def watch(
        self,
        app: Optional[str] = None,
        env: str = "Development",
        path: Optional[str] = None,
        *,
        app_id: Optional[str] = None,
        keys: Optional[list[str]] = None,
        tag: Optional[str] = None,
        interval: float = 30.0,
        max_backoff: float = 300.0,
        on_change: Callable[[Change], object],
        on_error: Optional[Callable[[PhaseError], object]] = None,
    ) -> Watch:
        """Polls the scope; the callbacks run on the watch's own daemon thread."""

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None: ...
    def close(self) -> None: ...
    def refresh(self) -> None: ...
    def get(
        self,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
        keys: Optional[list[str]] = None,
        tag: Optional[str] = None,
        raw: bool = False,
        strict: bool = False,
        dynamic: bool = False,
        lease: bool = False,
        lease_ttl: Optional[int] = None,
    ) -> list[Secret]: ...
    def get_result(
        self,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
        keys: Optional[list[str]] = None,
        tag: Optional[str] = None,
        raw: bool = False,
        strict: bool = False,
        dynamic: bool = False,
        lease: bool = False,
        lease_ttl: Optional[int] = None,
    ) -> GetResult: ...
    def get_secret(
        self,
        key: str,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: str = "/",
    ) -> Secret: ...
    def create(
        self,
        secrets: list[NewSecret],
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
    ) -> None: ...
    def update(
        self,
        key: str,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
        value: Optional[str] = None,
        comment: Optional[str] = None,
        tags: Optional[list[str]] = None,
        new_path: Optional[str] = None,
        type: Optional[Literal["secret", "sealed", "config"]] = None,
        override_value: Optional[str] = None,
        toggle_override: bool = False,
    ) -> None: ...
    def delete(
        self,
        keys: list[str],
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
    ) -> list[str]: ...
    def apps(self) -> list[App]: ...
    def environments(
        self, app: Optional[str] = None, *, app_id: Optional[str] = None
    ) -> list[Environment]: ...
    def export(
        self,
        app: Optional[str] = None,
        env: str = "Development",
        format: ExportFormat = "dotenv",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
    ) -> str: ...
    def load_env(
        self,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
        keys: Optional[list[str]] = None,
        tag: Optional[str] = None,
        override: bool = False,
    ) -> list[str]:
        """Puts the secrets into os.environ (existing variables kept unless override=True);
        returns the keys set."""

    def lease_generate(
        self,
        secret_id: str,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        ttl: Optional[int] = None,
    ) -> list[Secret]: ...
    def lease_renew(
        self,
        lease_id: str,
        ttl: int,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
    ) -> str: ...
    def lease_revoke(
        self,
        lease_id: str,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
    ) -> str: ...

@final
class AsyncClient:
    """An asyncio client: every network method returns an awaitable."""

    def __new__(
        cls,
        token: Optional[str] = None,
        host: Optional[str] = None,
        **settings: Unpack[ClientSettings],
    ) -> Self: ...
    @staticmethod
    def from_env() -> AsyncClient: ...
    @property
    def host(self) -> str: ...
    def stats(self) -> Stats:
        """The client's counters (not a network call: a plain method on both classes)."""

    def watch(
        self,
        app: Optional[str] = None,
        env: str = "Development",
        path: Optional[str] = None,
        *,
        app_id: Optional[str] = None,
        keys: Optional[list[str]] = None,
        tag: Optional[str] = None,
        interval: float = 30.0,
        max_backoff: float = 300.0,
        on_change: Callable[[Change], object],
        on_error: Optional[Callable[[PhaseError], object]] = None,
    ) -> Watch:
        """Polls the scope; the callbacks run on the watch's own daemon thread."""

    def __aenter__(self) -> Awaitable[Self]: ...
    def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> Awaitable[None]: ...
    def close(self) -> Awaitable[None]: ...
    def refresh(self) -> Awaitable[None]: ...
    def get(
        self,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
        keys: Optional[list[str]] = None,
        tag: Optional[str] = None,
        raw: bool = False,
        strict: bool = False,
        dynamic: bool = False,
        lease: bool = False,
        lease_ttl: Optional[int] = None,
    ) -> Awaitable[list[Secret]]: ...
    def get_result(
        self,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
        keys: Optional[list[str]] = None,
        tag: Optional[str] = None,
        raw: bool = False,
        strict: bool = False,
        dynamic: bool = False,
        lease: bool = False,
        lease_ttl: Optional[int] = None,
    ) -> Awaitable[GetResult]: ...
    def get_secret(
        self,
        key: str,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: str = "/",
    ) -> Awaitable[Secret]: ...
    def create(
        self,
        secrets: list[NewSecret],
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
    ) -> Awaitable[None]: ...
    def update(
        self,
        key: str,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
        value: Optional[str] = None,
        comment: Optional[str] = None,
        tags: Optional[list[str]] = None,
        new_path: Optional[str] = None,
        type: Optional[Literal["secret", "sealed", "config"]] = None,
        override_value: Optional[str] = None,
        toggle_override: bool = False,
    ) -> Awaitable[None]: ...
    def delete(
        self,
        keys: list[str],
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
    ) -> Awaitable[list[str]]: ...
    def apps(self) -> Awaitable[list[App]]: ...
    def environments(
        self, app: Optional[str] = None, *, app_id: Optional[str] = None
    ) -> Awaitable[list[Environment]]: ...
    def export(
        self,
        app: Optional[str] = None,
        env: str = "Development",
        format: ExportFormat = "dotenv",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
    ) -> Awaitable[str]: ...
    def load_env(
        self,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        path: Optional[str] = None,
        keys: Optional[list[str]] = None,
        tag: Optional[str] = None,
        override: bool = False,
    ) -> Awaitable[list[str]]:
        """Puts the secrets into os.environ (existing variables kept unless override=True);
        returns the keys set."""

    def lease_generate(
        self,
        secret_id: str,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
        ttl: Optional[int] = None,
    ) -> Awaitable[list[Secret]]: ...
    def lease_renew(
        self,
        lease_id: str,
        ttl: int,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
    ) -> Awaitable[str]: ...
    def lease_revoke(
        self,
        lease_id: str,
        app: Optional[str] = None,
        env: str = "Development",
        *,
        app_id: Optional[str] = None,
    ) -> Awaitable[str]: ...

def login_aws_iam(
    service_account_id: str,
    *,
    host: Optional[str] = None,
    ttl: Optional[int] = None,
    region: Optional[str] = None,
    access_key_id: Optional[str] = None,
    secret_access_key: Optional[str] = None,
    session_token: Optional[str] = None,
    profile: Optional[str] = None,
    sts_endpoint: Optional[str] = None,
    **settings: Unpack[ClientSettings],
) -> Client:
    """Logs in with an AWS IAM identity; a client for the minted token."""

def async_login_aws_iam(
    service_account_id: str,
    *,
    host: Optional[str] = None,
    ttl: Optional[int] = None,
    region: Optional[str] = None,
    access_key_id: Optional[str] = None,
    secret_access_key: Optional[str] = None,
    session_token: Optional[str] = None,
    profile: Optional[str] = None,
    sts_endpoint: Optional[str] = None,
    **settings: Unpack[ClientSettings],
) -> Awaitable[AsyncClient]:
    """login_aws_iam() for asyncio."""

def login_azure(
    service_account_id: str,
    *,
    host: Optional[str] = None,
    ttl: Optional[int] = None,
    jwt: Optional[str] = None,
    resource: Optional[str] = None,
    token_file: Optional[StrPath] = None,
    client_id: Optional[str] = None,
    tenant_id: Optional[str] = None,
    authority_host: Optional[str] = None,
    **settings: Unpack[ClientSettings],
) -> Client:
    """Logs in with an Azure Entra ID identity; a client for the minted token."""

def async_login_azure(
    service_account_id: str,
    *,
    host: Optional[str] = None,
    ttl: Optional[int] = None,
    jwt: Optional[str] = None,
    resource: Optional[str] = None,
    token_file: Optional[StrPath] = None,
    client_id: Optional[str] = None,
    tenant_id: Optional[str] = None,
    authority_host: Optional[str] = None,
    **settings: Unpack[ClientSettings],
) -> Awaitable[AsyncClient]:
    """login_azure() for asyncio."""

class PhaseError(Exception):
    code: str
    message: str
    status: Optional[int]
    retry_after: Optional[float]
    retryable: bool

class AuthenticationError(PhaseError): ...
class PermissionDeniedError(PhaseError): ...
class NotFoundError(PhaseError): ...
class AmbiguousError(PhaseError): ...
class ConflictError(PhaseError): ...
class InvalidInputError(PhaseError): ...
class RateLimitError(PhaseError): ...
class NetworkError(PhaseError): ...
class RequestTimeoutError(NetworkError): ...
class TlsError(NetworkError): ...
class ServerError(PhaseError): ...
class ProtocolError(PhaseError): ...
class DecryptionError(PhaseError): ...
class SecretReferenceError(PhaseError): ...
class OfflineError(PhaseError): ...

def main() -> int:
    """Runs the `phasekit` command line with `sys.argv` (the package's console script)."""
    ...
