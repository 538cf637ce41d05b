//! The command line's shape (clap derive): commands, flags and their help. Names and flags follow
//! the official Phase CLI where it has the same command.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

#[derive(Debug, Parser)]
#[command(
    name = "phasekit",
    version,
    about = "Phase secrets from the command line: run programs with secrets, manage secrets, export them.",
    after_help = "Configuration: flags, then PHASE_APP, PHASE_ENV, PHASE_SERVICE_TOKEN, PHASE_HOST, PHASE_VERIFY_SSL, PHASE_OFFLINE, then .phase.json (phase init).\nExit codes: 0 ok, 1 other errors, 2 usage, 3 authentication or permission, 4 not found or ambiguous, 5 network, server or offline; `run` and `shell` exit with the child's code (128+signal when it was killed)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The Phase host, e.g. https://phase.example.com (else PHASE_HOST, else Phase Cloud).
    #[arg(long, global = true, value_name = "URL")]
    pub host: Option<String>,
    /// Serve everything from the offline cache (PHASE_OFFLINE; needs PHASE_OFFLINE_CACHE_DIR).
    #[arg(long, global = true)]
    pub offline: bool,
    /// Machine-readable JSON output (errors too, on stderr).
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a command with the secrets as environment variables.
    Run(RunArgs),
    /// Open a shell ($SHELL) with the secrets as environment variables.
    Shell(ShellArgs),
    /// Manage secrets.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Apps and environments this token can read.
    #[command(subcommand)]
    Apps(AppsCommand),
    /// Dynamic secrets and their leases.
    #[command(subcommand, name = "dynamic-secrets")]
    DynamicSecrets(DynamicCommand),
    /// Leases of dynamic secrets (the same as `dynamic-secrets lease`).
    #[command(subcommand)]
    Lease(LeaseCommand),
    /// Print a shell completion script (e.g. `phasekit completions bash > /etc/bash_completion.d/phasekit`).
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// Which app and environment (else PHASE_APP/PHASE_ENV, else .phase.json).
#[derive(Debug, Clone, Args)]
pub struct ScopeArgs {
    /// The app's name (Phase's substring rule, exact names first).
    #[arg(long)]
    pub app: Option<String>,
    /// The app's id (wins over --app).
    #[arg(long = "app-id", value_name = "ID")]
    pub app_id: Option<String>,
    /// The environment's name or id (default: .phase.json's, else Development).
    #[arg(long)]
    pub env: Option<String>,
}

/// Which secrets of the environment.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Only this folder; an empty string means every folder.
    #[arg(long, default_value = "/")]
    pub path: String,
    /// Only secrets with this tag (underscores match spaces).
    #[arg(long)]
    pub tags: Option<String>,
}

/// Dynamic secrets: off unless asked for (the official CLI generates leases by default).
#[derive(Debug, Clone, Args)]
pub struct DynamicArgs {
    /// Include dynamic secrets, generating a lease for each (new credentials).
    #[arg(
        long = "generate-leases",
        visible_alias = "dynamic",
        num_args = 0..=1,
        default_missing_value = "true",
        value_name = "BOOL",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub generate_leases: Option<bool>,
    /// Lease time to live in seconds (the secret's default otherwise).
    #[arg(long = "lease-ttl", value_name = "SECONDS")]
    pub lease_ttl: Option<u64>,
}

/// What `run` and `shell` put into the child's environment.
#[derive(Debug, Clone, Args)]
pub struct InjectArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    #[command(flatten)]
    pub dynamic: DynamicArgs,
    /// Secrets replace variables that are already set (by default what is set wins).
    #[arg(long = "override")]
    pub override_existing: bool,
}

#[derive(Debug, Args)]
#[command(trailing_var_arg = true)]
pub struct RunArgs {
    #[command(flatten)]
    pub inject: InjectArgs,
    /// Run the command through `sh -c` (pipes, globs, $VARIABLES), joined by spaces.
    #[arg(long)]
    pub shell: bool,
    #[command(flatten)]
    pub watch: WatchArgs,
    /// The command and its arguments, after `--`.
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}

/// Reacting to changed secrets while the command runs.
#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Watch the secrets and restart (or signal) the command when they change.
    #[arg(long)]
    pub watch: bool,
    /// Seconds between checks with --watch.
    #[arg(
        long = "watch-interval",
        value_name = "SECONDS",
        default_value_t = 30.0
    )]
    pub watch_interval: f64,
    /// With --watch: `restart` (SIGTERM, start again with the new secrets) or a signal to
    /// send instead (HUP, USR1, ...).
    #[arg(long = "on-change", value_name = "ACTION", default_value = "restart")]
    pub on_change: String,
}

impl Default for WatchArgs {
    fn default() -> Self {
        WatchArgs {
            watch: false,
            watch_interval: 30.0,
            on_change: "restart".to_owned(),
        }
    }
}

#[derive(Debug, Args)]
pub struct ShellArgs {
    #[command(flatten)]
    pub inject: InjectArgs,
    /// The shell to open (default $SHELL, else /bin/sh).
    #[arg(long, value_name = "PROGRAM")]
    pub shell: Option<OsString>,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// List secrets in a table (values masked unless --show).
    List {
        #[command(flatten)]
        scope: ScopeArgs,
        /// The folder; every folder when not given.
        #[arg(long)]
        path: Option<String>,
        #[arg(long)]
        tags: Option<String>,
        /// Show the values.
        #[arg(long)]
        show: bool,
    },
    /// One secret's details as JSON.
    Get {
        key: String,
        #[command(flatten)]
        scope: ScopeArgs,
        /// The folder of the secret.
        #[arg(long, default_value = "/")]
        path: String,
    },
    /// Create a secret; the value is generated (--random) or read from stdin (one trailing
    /// newline dropped).
    Create {
        key: String,
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long, default_value = "/")]
        path: String,
        #[command(flatten)]
        fields: SecretFieldsArgs,
        #[command(flatten)]
        random: RandomArgs,
    },
    /// Update a secret; a new value is read from stdin when it is not a terminal.
    Update {
        key: String,
        #[command(flatten)]
        scope: ScopeArgs,
        /// The folder of the secret (any folder when not given).
        #[arg(long)]
        path: Option<String>,
        /// Move the secret to this folder.
        #[arg(long = "updated-path", value_name = "PATH")]
        updated_path: Option<String>,
        #[command(flatten)]
        fields: SecretFieldsArgs,
        #[command(flatten)]
        random: RandomArgs,
        /// Set the value from stdin as your personal override (personal access tokens).
        #[arg(long = "override")]
        override_value: bool,
        /// Turn your personal override on or off.
        #[arg(long = "toggle-override")]
        toggle_override: bool,
    },
    /// Delete secrets by key.
    Delete {
        #[arg(required = true)]
        keys: Vec<String>,
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        path: Option<String>,
    },
    /// Create the secrets of a .env file.
    Import {
        #[arg(value_name = "ENV_FILE")]
        env_file: std::path::PathBuf,
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long, default_value = "/")]
        path: String,
    },
    /// Print secrets in a file format.
    Export {
        /// Only these keys.
        keys: Vec<String>,
        #[command(flatten)]
        scope: ScopeArgs,
        #[command(flatten)]
        filter: FilterArgs,
        #[command(flatten)]
        dynamic: DynamicArgs,
        /// dotenv, json, yaml, kv, csv, xml, toml, hcl, ini or java_properties.
        #[arg(long, default_value = "dotenv")]
        format: String,
    },
}

/// What a write sets besides the value.
#[derive(Debug, Clone, Args)]
pub struct SecretFieldsArgs {
    #[arg(long)]
    pub comment: Option<String>,
    /// A tag (repeatable); an update replaces the secret's tags with them.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// secret, sealed or config.
    #[arg(long = "type", value_name = "TYPE")]
    pub secret_type: Option<String>,
}

/// A generated value instead of one from stdin.
#[derive(Debug, Clone, Args)]
pub struct RandomArgs {
    /// Generate the value: hex, alphanumeric, base64, base64url, key128 or key256.
    #[arg(long, value_name = "KIND")]
    pub random: Option<String>,
    /// Bytes of randomness (characters for alphanumeric), 1 to 256; not for key128/key256.
    #[arg(long, default_value_t = 32, requires = "random")]
    pub length: usize,
}

#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    /// The apps and their environments.
    List,
}

#[derive(Debug, Subcommand)]
pub enum DynamicCommand {
    /// Dynamic secrets and their credential names (no lease is generated).
    List {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long, default_value = "/")]
        path: String,
    },
    /// Leases of dynamic secrets.
    #[command(subcommand)]
    Lease(LeaseCommand),
}

#[derive(Debug, Subcommand)]
pub enum LeaseCommand {
    /// Generate a lease: fresh credentials of a dynamic secret.
    Generate {
        #[arg(value_name = "SECRET_ID")]
        secret_id: String,
        #[arg(long = "lease-ttl", value_name = "SECONDS")]
        lease_ttl: Option<u64>,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Your leases of a dynamic secret, newest first (`get` in the official CLI).
    #[command(visible_alias = "get")]
    List {
        #[arg(value_name = "SECRET_ID")]
        secret_id: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Extend a lease to TTL seconds from now.
    Renew {
        #[arg(value_name = "LEASE_ID")]
        lease_id: String,
        #[arg(value_name = "TTL")]
        ttl: u64,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Revoke a lease (its credentials are withdrawn).
    Revoke {
        #[arg(value_name = "LEASE_ID")]
        lease_id: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
}
