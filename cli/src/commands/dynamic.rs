//! `dynamic-secrets list` and `lease generate|list|renew|revoke` (also `dynamic-secrets lease ...`).

use phasekit::{BlockingClient, Result};
use serde_json::json;

use crate::args::{DynamicCommand, LeaseCommand};
use crate::{context, output};

pub fn run(client: &BlockingClient, command: DynamicCommand, as_json: bool) -> Result<()> {
    match command {
        DynamicCommand::List { scope, path } => {
            let scope = context::scope(&scope)?;
            // Without a lease: the credential names, no new credentials.
            let options =
                context::get_options(&scope, Some(&path), None, None).dynamic(false, None);
            let secrets: Vec<_> = client
                .get(&options)?
                .into_iter()
                .filter(|s| s.is_dynamic)
                .collect();
            output::print_list(
                &secrets,
                as_json,
                &["KEY", "DYNAMIC SECRET", "ID", "PATH"],
                |s| output::secret_json(s, false),
                |s| {
                    vec![
                        s.key.clone(),
                        s.dynamic_group.clone().unwrap_or_default(),
                        s.id.clone(),
                        s.path.clone(),
                    ]
                },
            );
            Ok(())
        }
        DynamicCommand::Lease(lease) => run_lease(client, lease, as_json),
    }
}

pub fn run_lease(client: &BlockingClient, command: LeaseCommand, as_json: bool) -> Result<()> {
    match command {
        LeaseCommand::Generate {
            secret_id,
            lease_ttl,
            scope,
        } => {
            let scope = context::scope(&scope)?;
            let credentials =
                client.lease_generate(&scope.app, &scope.env, &secret_id, lease_ttl)?;
            output::print_list(
                &credentials,
                as_json,
                &["KEY", "VALUE", "LEASE ID", "EXPIRES"],
                |s| output::secret_json(s, true),
                |s| {
                    vec![
                        s.key.clone(),
                        output::table_value(s, true),
                        s.lease_id.clone().unwrap_or_default(),
                        s.lease_expires_at.clone().unwrap_or_default(),
                    ]
                },
            );
        }
        LeaseCommand::List { secret_id, scope } => {
            let scope = context::scope(&scope)?;
            let leases = client.lease_list(&scope.app, &scope.env, &secret_id)?;
            output::print_list(
                &leases,
                as_json,
                &["LEASE ID", "NAME", "STATUS", "EXPIRES"],
                |l| {
                    json!({
                        "id": l.id, "name": l.name, "secret_id": l.secret_id,
                        "status": l.status, "ttl": l.ttl, "created_at": l.created_at,
                        "renewed_at": l.renewed_at, "expires_at": l.expires_at,
                        "revoked_at": l.revoked_at,
                    })
                },
                |l| {
                    vec![
                        l.id.clone(),
                        l.name.clone(),
                        l.status.clone(),
                        l.expires_at.clone().unwrap_or_default(),
                    ]
                },
            );
        }
        LeaseCommand::Renew {
            lease_id,
            ttl,
            scope,
        } => {
            let scope = context::scope(&scope)?;
            let answer = client.lease_renew(&scope.app, &scope.env, &lease_id, ttl)?;
            message(as_json, &lease_id, &answer.message);
        }
        LeaseCommand::Revoke { lease_id, scope } => {
            let scope = context::scope(&scope)?;
            let answer = client.lease_revoke(&scope.app, &scope.env, &lease_id)?;
            message(as_json, &lease_id, &answer.message);
        }
    }
    Ok(())
}

fn message(as_json: bool, lease_id: &str, text: &str) {
    if as_json {
        output::print_json(&json!({"lease_id": lease_id, "message": text}));
    } else {
        println!("{text}");
    }
}
