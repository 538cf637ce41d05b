//! One module per command group; each turns parsed arguments into core calls and output.

pub mod apps;
pub mod dynamic;
pub mod run;
pub mod secrets;
