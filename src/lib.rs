//! fedconform: a conformance harness for identity providers serving macOS Platform SSO's
//! federated login (preauthentication → WS-Trust MEX → WS-Trust login) and WS-Federation.
//! See docs/DESIGN.md for the path of the data and docs/SPEC.md for the requirements.

pub mod check;
pub mod embedded;
pub mod explain;
pub mod flow;
pub mod fsx;
pub mod golden;
pub mod http;
pub mod idp;
pub mod preflight;
pub mod redact;
pub mod report;
pub mod requirements;
pub mod runner;
pub mod steps;
pub mod suggest;
pub mod suite;
