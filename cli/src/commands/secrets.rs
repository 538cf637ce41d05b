//! `secrets list|get|create|update|delete|import|export`.

use std::io::Write;

use phasekit::random_value::random_value;
use phasekit::{
    BlockingClient, Error, ErrorCode, ExportFormat, NewSecret, Result, SecretUpdate, dotenv,
};
use serde_json::json;
use zeroize::Zeroizing;

use crate::args::{RandomArgs, SecretsCommand};
use crate::{context, input, output};

pub fn run(client: &BlockingClient, command: SecretsCommand, as_json: bool) -> Result<()> {
    match command {
        SecretsCommand::List {
            scope,
            path,
            tags,
            show,
        } => {
            let scope = context::scope(&scope)?;
            let options = context::get_options(&scope, path.as_deref(), tags.as_deref(), None);
            let secrets = client.get(&options)?;
            output::print_list(
                &secrets,
                as_json,
                &["KEY", "VALUE", "PATH", "TAGS", "COMMENT"],
                |s| output::secret_json(s, show),
                |s| {
                    vec![
                        s.key.clone(),
                        output::table_value(s, show),
                        s.path.clone(),
                        s.tags.join(","),
                        s.comment.clone(),
                    ]
                },
            );
        }
        SecretsCommand::Get { key, scope, path } => {
            let scope = context::scope(&scope)?;
            let secret = client.get_secret(scope.app, &scope.env, &key, Some(&path))?;
            output::print_json(&output::secret_json(&secret, true));
        }
        SecretsCommand::Create {
            key,
            scope,
            path,
            fields,
            random,
        } => {
            let scope = context::scope(&scope)?;
            let value = match generated(&random)? {
                Some(value) => value,
                None => input::read_value(&key)?,
            };
            let secret = NewSecret {
                key: key.clone(),
                value: value.to_string(),
                comment: fields.comment,
                tags: fields.tags,
                path: Some(path),
                secret_type: fields.secret_type,
                override_value: None,
            };
            client.create(&scope.app, &scope.env, &[secret])?;
            done(as_json, json!({"created": [key]}));
        }
        SecretsCommand::Update {
            key,
            scope,
            path,
            updated_path,
            fields,
            random,
            override_value,
            toggle_override,
        } => {
            let scope = context::scope(&scope)?;
            let other_changes = updated_path.is_some()
                || fields.comment.is_some()
                || !fields.tags.is_empty()
                || fields.secret_type.is_some()
                || toggle_override;
            // A value is generated, or comes from a pipe, or from the prompt when nothing else
            // is changed.
            let value = if let Some(value) = generated(&random)? {
                Some(value.to_string())
            } else if input::stdin_is_piped() || !other_changes {
                Some(input::read_value(&key)?.to_string())
            } else {
                None
            };
            let (value, override_text) = if override_value {
                (None, value)
            } else {
                (value, None)
            };
            let update = SecretUpdate {
                key: key.clone(),
                path,
                value,
                comment: fields.comment,
                tags: (!fields.tags.is_empty()).then_some(fields.tags),
                new_path: updated_path,
                secret_type: fields.secret_type,
                override_value: override_text,
                toggle_override,
            };
            client.update(&scope.app, &scope.env, &update)?;
            done(as_json, json!({"updated": [key]}));
        }
        SecretsCommand::Delete { keys, scope, path } => {
            let scope = context::scope(&scope)?;
            let not_found = client.delete(&scope.app, &scope.env, &keys, path.as_deref())?;
            let deleted: Vec<&String> = keys.iter().filter(|k| !not_found.contains(k)).collect();
            done(as_json, json!({"deleted": deleted, "not_found": not_found}));
            if !not_found.is_empty() {
                return Err(Error::new(
                    ErrorCode::SecretNotFound,
                    format!("no secret with key {}", not_found.join(", ")),
                ));
            }
        }
        SecretsCommand::Import {
            env_file,
            scope,
            path,
        } => {
            let scope = context::scope(&scope)?;
            let text =
                zeroize::Zeroizing::new(std::fs::read_to_string(&env_file).map_err(|e| {
                    Error::new(
                        ErrorCode::InvalidInput,
                        format!("cannot read {}: {e}", env_file.display()),
                    )
                })?);
            let secrets: Vec<NewSecret> = dotenv::parse(&text)?
                .into_iter()
                .map(|(key, value)| NewSecret {
                    path: Some(path.clone()),
                    ..NewSecret::new(key, value.as_str())
                })
                .collect();
            client.create(&scope.app, &scope.env, &secrets)?;
            let keys: Vec<&str> = secrets.iter().map(|s| s.key.as_str()).collect();
            done(as_json, json!({"created": keys}));
        }
        SecretsCommand::Export {
            keys,
            scope,
            filter,
            dynamic,
            format,
        } => {
            let format: ExportFormat = format.parse()?;
            let scope = context::scope(&scope)?;
            let mut options = context::get_options(
                &scope,
                Some(&filter.path),
                filter.tags.as_deref(),
                Some(&dynamic),
            );
            options.keys = keys;
            let text = client.export(&options, format)?;
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    Ok(())
}

/// The value `--random` asks for, if it does.
fn generated(random: &RandomArgs) -> Result<Option<Zeroizing<String>>> {
    let Some(kind) = random.random.as_deref() else {
        return Ok(None);
    };
    let value = random_value(kind.parse()?, random.length)?;
    Ok(Some(Zeroizing::new(value.expose().to_owned())))
}

/// What a write did: JSON with `--json`, else one line on stderr.
fn done(as_json: bool, summary: serde_json::Value) {
    if as_json {
        output::print_json(&summary);
        return;
    }
    if let Some(object) = summary.as_object() {
        for (what, keys) in object {
            let keys: Vec<&str> = keys
                .as_array()
                .map(|k| k.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            if !keys.is_empty() {
                eprintln!("{what}: {}", keys.join(", "));
            }
        }
    }
}
