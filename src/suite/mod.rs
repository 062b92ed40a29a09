//! Suite and target files: models (serde, unknown fields refused), loading and validation with
//! `file:line:col` errors. Nothing runs when any file is malformed (DESIGN.md, rule 3).

mod error;
pub mod expect;
mod load;
mod model;
mod target;

pub use error::{ConfigError, ConfigErrors};
pub use expect::{
    ConfigExpect, Expect, Expectation, LoginExpect, MetadataExpect, MexExpect, PreauthExpect,
    SigninExpect, SourcePos, TransportExpect,
};
pub use load::{digest, load_suite_str, load_suites, load_target, load_target_str};
pub use model::{CaseDef, Family, StatusExpect, StepKind, Suite, SuiteMeta};
pub use target::{
    DEFAULT_WCTX, FailedLogin, FederationType, Limits, Lockout, LoginConfig, NameValue, Secret,
    Target, User, WsFedTarget, default_reserved_login, https_url,
};
