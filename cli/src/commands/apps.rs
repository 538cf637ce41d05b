//! `apps list`.

use phasekit::{BlockingClient, Result};
use serde_json::json;

use crate::output;

pub fn list(client: &BlockingClient, as_json: bool) -> Result<()> {
    let apps = client.apps()?;
    if as_json {
        let items: Vec<_> = apps
            .iter()
            .map(|app| {
                json!({
                    "id": app.id,
                    "name": app.name,
                    "encryption": app.encryption,
                    "environments": app.environments.iter().map(|env| json!({
                        "id": env.id, "name": env.name, "type": env.env_type,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        output::print_json(&json!(items));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = apps
        .iter()
        .flat_map(|app| {
            app.environments.iter().map(move |env| {
                vec![
                    app.name.clone(),
                    app.id.clone(),
                    env.name.clone(),
                    env.id.clone(),
                ]
            })
        })
        .collect();
    output::print_table(&["APP", "APP ID", "ENVIRONMENT", "ENVIRONMENT ID"], &rows);
    Ok(())
}
