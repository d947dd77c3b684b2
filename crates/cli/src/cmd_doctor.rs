//! `shopcast doctor`: the studio's start-up check, for people and
//! scripts.

use clap::Args;

use crate::ExitWith;

#[derive(Args)]
pub struct DoctorArgs {
    /// Print the report as JSON (the same checks the app shows).
    #[arg(long)]
    json: bool,
}

/// Prints every check; exits 2 when something is missing, so a script
/// can tell.
pub fn doctor(args: DoctorArgs) -> anyhow::Result<()> {
    let report = shopcast_studio::doctor::run();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for check in &report.checks {
            println!("{}", check.describe());
        }
        if report.ok {
            println!("\nEverything Shopcast Studio needs is installed.");
        } else {
            let n = report.problems().count();
            println!(
                "\n{n} problem(s): install what is named above, then run `shopcast doctor` again."
            );
        }
    }
    if report.ok {
        Ok(())
    } else {
        Err(ExitWith(2).into())
    }
}
