//! The command line as it is typed: flags and subcommands (clap derive), nothing worked out yet.
//! `settings` turns these into what a command runs with.

use clap::{Parser, Subcommand, ValueEnum};

use crate::domain::account::AccountSelection;
use crate::domain::audit::{ReportFormat, Severity};
use crate::domain::region::Partition;
use crate::report::HistoryFormat;
use crate::sim::Knobs;

/// See and drive AWS KMS multi-Region key replication across every Region at once.
#[derive(Debug, Parser)]
#[command(name = "kms-replica-console", version)]
pub struct Cli {
    /// Read defaults for these flags from this TOML file (default: config.toml in the
    /// platform's config folder, ~/.config/kms-replica-console/ on Linux, when it exists):
    /// profile, regions, partition, baseline, accounts, assume-role, state-dir. Flags win.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Use a named profile from the AWS config files (default: AWS_PROFILE, then the default chain).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Regions to scan: a comma-separated list, or `all` for every commercial Region including
    /// opt-in ones. Default: the 17 Regions every account has.
    #[arg(long, global = true, value_name = "r1,r2,…|all")]
    pub regions: Option<String>,
    /// Send KMS requests (and the STS GetCallerIdentity that names the identity) to this
    /// endpoint (moto, a simulator, a VPC endpoint) instead of AWS. AWS_ENDPOINT_URL_KMS,
    /// AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL are honoured when this is not given.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Offer and make no call that changes a key.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Read several accounts: `all` (every account Organizations lists for the caller: run
    /// from the management account or a delegated administrator) or ID,ID,…
    #[arg(long, global = true, value_name = "all|ID,ID,…")]
    pub accounts: Option<AccountSelection>,
    /// The role assumed in each account other than the caller's
    /// (arn:<partition>:iam::<ID>:role/NAME).
    #[arg(long, global = true, value_name = "NAME", requires = "accounts")]
    pub assume_role: Option<String>,
    /// The external ID the role's trust policy asks for.
    #[arg(long, global = true, value_name = "ID", requires = "assume_role")]
    pub external_id: Option<String>,
    /// The session name of the assumed roles (CloudTrail shows it).
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        default_value = "kms-replica-console"
    )]
    pub role_session_name: String,
    /// Several named profiles, each its own account (without organization access).
    #[arg(long, global = true, value_name = "a,b,…", value_delimiter = ',',
          conflicts_with_all = ["accounts", "profile"])]
    pub profiles: Vec<String>,
    /// The partition to scan (its Regions and ARNs); default: the partition of --regions, else aws.
    #[arg(long, global = true, value_enum)]
    pub partition: Option<PartitionArg>,
    /// Run against the embedded KMS simulator, seeded with a realistic estate: no AWS account needed.
    #[arg(long)]
    pub demo: bool,
    /// GUI: hold the grid to this TOML baseline (required Regions show "missing", keys outside
    /// the allowed Regions "not allowed"); the same file `audit --baseline` reads.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<std::path::PathBuf>,
    /// Keep the history (snapshots and the journal of changes) in DIR/history.sqlite instead of
    /// the platform's data directory (~/.local/share/kms-replica-console on Linux).
    #[arg(long, global = true, value_name = "DIR")]
    pub state_dir: Option<std::path::PathBuf>,
    /// Keep no history: no snapshot is saved and no change journaled.
    #[arg(long, global = true)]
    pub no_history: bool,
    #[command(flatten)]
    pub sim: Knobs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PartitionArg {
    Aws,
    AwsUsGov,
    AwsCn,
}

impl PartitionArg {
    pub fn partition(self) -> Partition {
        match self {
            PartitionArg::Aws => Partition::Aws,
            PartitionArg::AwsUsGov => Partition::AwsUsGov,
            PartitionArg::AwsCn => Partition::AwsCn,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan headless, audit coverage, drift and states, and print the report.
    ///
    /// Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 on a usage error or
    /// when a Region could not be read (each Region's error is named on stderr).
    Audit(AuditArgs),
    /// The calls that would bring the estate to a baseline (coverage, and what its [replicas]
    /// table asks a replica to carry), each with the precondition it saw.
    ///
    /// Exit status: 0 nothing to change, 1 steps planned or calls left out (a public primary
    /// policy is never copied), 2 on errors or when something could not be read (nothing is
    /// planned for what was not seen).
    Plan {
        /// The TOML baseline (required and allowed Regions, rules, [replicas]).
        #[arg(long, value_name = "FILE")]
        baseline: std::path::PathBuf,
        /// Write the plan (JSON, what `apply` reads) here instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Json)]
        format: HistoryFormatArg,
    },
    /// Carry out a plan: every step checked first (the KMS API's limits, the precondition its
    /// call needs, the credentials' account); each step's precondition checked again just
    /// before its call (stale steps are skipped, never forced); steps that took effect are kept
    /// in PLAN.journal, so running it again continues and makes no call twice. One apply of a
    /// plan at a time (PLAN.journal.lock).
    ///
    /// Exit status: 0 every step took effect (now or on an earlier run), 1 some stale, skipped
    /// or failed (on every run until they take effect), 2 on errors (an invalid step, a plan
    /// for another account, a plan another process is applying): then nothing is called.
    Apply {
        /// The plan file `plan --output` wrote.
        plan: std::path::PathBuf,
        /// Let the plan's ScheduleKeyDeletion steps run (they are skipped without it).
        #[arg(long)]
        allow_deletions: bool,
    },
    /// List the saved snapshots (each audit, and each completed scan in the GUI).
    History {
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Json)]
        format: HistoryFormatArg,
        /// First delete snapshots older than this age (90d, 12h, 2w); the journal is kept.
        #[arg(long, value_name = "AGE")]
        keep: Option<String>,
    },
    /// What changed between two snapshots (default: the two latest), each change once.
    Diff {
        /// The earlier snapshot's ID (see `history`).
        #[arg(long, value_name = "ID", conflicts_with = "since")]
        from: Option<i64>,
        /// Compare with the latest snapshot at least this old (7d, 12h).
        #[arg(long, value_name = "AGE")]
        since: Option<String>,
        /// The later snapshot's ID (default: the latest).
        #[arg(long, value_name = "ID")]
        to: Option<i64>,
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Json)]
        format: HistoryFormatArg,
    },
    /// Every change this app made (GUI actions), with who, where, when and the outcome.
    Journal {
        /// Only entries younger than this age (7d, 12h).
        #[arg(long, value_name = "AGE")]
        since: Option<String>,
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Json)]
        format: HistoryFormatArg,
    },
    /// Who changed or used a key family, from CloudTrail (LookupEvents by each key's ARN, in
    /// every Region where the family has a key, the last 90 days at most); the calls this app
    /// made are matched to its journal by request ID.
    ///
    /// Exit status: 0 every Region's records were read, 2 some could not be (named on stderr).
    Trail {
        /// The family's key ID (mrk-…).
        key_id: String,
        /// Only records younger than this age (7d, 12h; at most 90d).
        #[arg(long, value_name = "AGE")]
        since: Option<String>,
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Json)]
        format: HistoryFormatArg,
    },
    /// Prove a family's keys interoperate: what the primary makes, every replica checks, and
    /// the other way round, by key usage (a data key: GenerateDataKey and Decrypt; HMAC:
    /// GenerateMac and VerifyMac; signing: Sign and Verify; ML-KEM: Encapsulate and
    /// Decapsulate). Nothing is changed; the calls are logged in CloudTrail and billed.
    ///
    /// Exit status: 0 all interoperate, 1 some do not, 2 the proof could not be made.
    Verify {
        /// The family's key ID (mrk-…).
        key_id: String,
        #[arg(long, value_enum, default_value_t = HistoryFormatArg::Json)]
        format: HistoryFormatArg,
    },
    /// Print a shell completion script: `kms-replica-console completions bash >
    /// /etc/bash_completion.d/kms-replica-console` (zsh: into a folder on $fpath as
    /// _kms-replica-console; fish: ~/.config/fish/completions/kms-replica-console.fish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `kms-replica-console man > kms-replica-console.1`.
    Man,
    /// Run the embedded KMS simulator alone, for the AWS CLI, boto3 or any other client.
    Sim {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 4566)]
        port: u16,
        #[command(flatten)]
        knobs: Knobs,
    },
}

/// `audit`'s own flags.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Exit with status 1 when a finding of this severity or higher is found.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Regions every family must have a key in.
    #[arg(long, value_name = "r1,r2,…")]
    pub require_regions: Option<String>,
    /// Regions keys may be in; a key elsewhere is a finding.
    #[arg(long, value_name = "r1,r2,…")]
    pub allow_regions: Option<String>,
    /// A TOML baseline (required and allowed Regions, per-key rules by alias or tag).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<std::path::PathBuf>,
    /// Imported key material expiring within this many days is a finding (0–36500).
    #[arg(long, value_name = "DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(i64).range(0..=36_500))]
    pub expiry_days: i64,
    /// Read each key's last usage (GetKeyLastUsage, 5 calls per second per Region): a replica
    /// with no successful use for --unused-days is a finding; a key whose usage cannot be read
    /// is not audited (exit 2).
    #[arg(long)]
    pub usage: bool,
    /// Import the findings into AWS Security Hub (BatchImportFindings, in each finding's
    /// Region) and archive those resolved since the last audit in the history; any refusal
    /// exits 2. Writes nothing to KMS, so --read-only allows it.
    #[arg(long)]
    pub security_hub: bool,
    /// Name, in each drift finding, who last changed what it is about (CloudTrail
    /// LookupEvents for the drifted keys only, at most 200 of them).
    #[arg(long)]
    pub provenance: bool,
    /// With --usage: days without a successful use that make a key unused (1–36500).
    #[arg(long, value_name = "DAYS", default_value_t = 90, requires = "usage",
          value_parser = clap::value_parser!(i64).range(1..=36_500))]
    pub unused_days: i64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Md,
    Html,
    /// AWS Security Finding Format (a JSON array), what Security Hub imports.
    Asff,
    /// OCSF Detection Findings (a JSON array), as Prowler writes them.
    Ocsf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormatArg {
    Json,
    Md,
    Csv,
}

impl HistoryFormatArg {
    pub fn format(self) -> HistoryFormat {
        match self {
            HistoryFormatArg::Json => HistoryFormat::Json,
            HistoryFormatArg::Md => HistoryFormat::Markdown,
            HistoryFormatArg::Csv => HistoryFormat::Csv,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    High,
    Medium,
    Low,
}

impl Format {
    pub fn report_format(self) -> ReportFormat {
        match self {
            Format::Json => ReportFormat::Json,
            Format::Csv => ReportFormat::Csv,
            Format::Md => ReportFormat::Markdown,
            Format::Html => ReportFormat::Html,
            Format::Asff => ReportFormat::Asff,
            Format::Ocsf => ReportFormat::Ocsf,
        }
    }
}

impl FailOn {
    pub fn severity(self) -> Severity {
        match self {
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        }
    }
}
